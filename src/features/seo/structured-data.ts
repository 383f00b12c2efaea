import { markdownToText } from '../../platform/markdown/index.ts';
import type { Author, Reply, Topic } from '../community/service.ts';

/**
 * schema.org JSON-LD for topic pages, so search engines show questions with their accepted answer and
 * discussions as forum threads. Texts are plain-text excerpts: the full posts are in the HTML already,
 * and repeating them whole would double the weight of a long thread.
 */

const QUESTION_TEXT_LENGTH = 2000;
const ANSWER_TEXT_LENGTH = 1000;
const COMMENT_TEXT_LENGTH = 500;
/** Enough replies for a rich result without bloating the page. */
const MAX_LISTED_REPLIES = 20;

export interface PersonJsonLd {
  '@type': 'Person';
  name: string;
  url: string;
}

export interface AnswerJsonLd {
  '@type': 'Answer';
  text: string;
  dateCreated: string;
  url: string;
  author: PersonJsonLd;
}

export interface QAPageJsonLd {
  '@context': 'https://schema.org';
  '@type': 'QAPage';
  mainEntity: {
    '@type': 'Question';
    name: string;
    text: string;
    dateCreated: string;
    url: string;
    author: PersonJsonLd;
    answerCount: number;
    acceptedAnswer?: AnswerJsonLd;
    suggestedAnswer?: AnswerJsonLd[];
  };
}

export interface CommentJsonLd {
  '@type': 'Comment';
  text: string;
  datePublished: string;
  url: string;
  author: PersonJsonLd;
}

export interface DiscussionJsonLd {
  '@context': 'https://schema.org';
  '@type': 'DiscussionForumPosting';
  headline: string;
  text: string;
  url: string;
  mainEntityOfPage: string;
  datePublished: string;
  dateModified?: string;
  author: PersonJsonLd;
  articleSection: string;
  interactionStatistic: { '@type': 'InteractionCounter'; interactionType: 'https://schema.org/CommentAction'; userInteractionCount: number };
  comment: CommentJsonLd[];
}

function person(author: Author, publicUrl: string): PersonJsonLd {
  return { '@type': 'Person', name: author.displayName, url: `${publicUrl}/u/${encodeURIComponent(author.username)}` };
}

function replyUrl(topic: Topic, reply: Reply, publicUrl: string): string {
  return `${publicUrl}${topic.url}#reply-${reply.id}`;
}

function answer(topic: Topic, reply: Reply, publicUrl: string): AnswerJsonLd {
  return {
    '@type': 'Answer',
    text: markdownToText(reply.bodyMarkdown, ANSWER_TEXT_LENGTH),
    dateCreated: reply.createdAt.toISOString(),
    url: replyUrl(topic, reply, publicUrl),
    author: person(reply.author, publicUrl),
  };
}

/** Replies a reader sees: deleted ones reach staff as placeholders and are never described. */
function shownReplies(replies: Reply[]): Reply[] {
  return replies.filter((r) => r.deletedAt === null);
}

/**
 * A question as `QAPage`: the accepted reply (wherever it falls in the thread) as `acceptedAnswer`, the
 * other replies of the first page as `suggestedAnswer`.
 */
export function questionJsonLd(topic: Topic, firstPageReplies: Reply[], accepted: Reply | null, publicUrl: string): QAPageJsonLd {
  const acceptedShown = accepted && accepted.deletedAt === null ? accepted : null;
  const suggested = shownReplies(firstPageReplies)
    .filter((r) => r.id !== acceptedShown?.id)
    .slice(0, MAX_LISTED_REPLIES)
    .map((r) => answer(topic, r, publicUrl));
  return {
    '@context': 'https://schema.org',
    '@type': 'QAPage',
    mainEntity: {
      '@type': 'Question',
      name: topic.title,
      text: markdownToText(topic.bodyMarkdown, QUESTION_TEXT_LENGTH) || topic.title,
      dateCreated: topic.createdAt.toISOString(),
      url: `${publicUrl}${topic.url}`,
      author: person(topic.author, publicUrl),
      answerCount: topic.replyCount,
      ...(acceptedShown ? { acceptedAnswer: answer(topic, acceptedShown, publicUrl) } : {}),
      ...(suggested.length > 0 ? { suggestedAnswer: suggested } : {}),
    },
  };
}

/** Discussions, stories and announcements as `DiscussionForumPosting` with the first page's replies as comments. */
export function discussionJsonLd(topic: Topic, firstPageReplies: Reply[], publicUrl: string): DiscussionJsonLd {
  const url = `${publicUrl}${topic.url}`;
  return {
    '@context': 'https://schema.org',
    '@type': 'DiscussionForumPosting',
    headline: topic.title,
    text: markdownToText(topic.bodyMarkdown, QUESTION_TEXT_LENGTH) || topic.title,
    url,
    mainEntityOfPage: url,
    datePublished: topic.createdAt.toISOString(),
    ...(topic.editedAt ? { dateModified: topic.editedAt.toISOString() } : {}),
    author: person(topic.author, publicUrl),
    articleSection: topic.space.name,
    interactionStatistic: { '@type': 'InteractionCounter', interactionType: 'https://schema.org/CommentAction', userInteractionCount: topic.replyCount },
    comment: shownReplies(firstPageReplies)
      .slice(0, MAX_LISTED_REPLIES)
      .map((r) => ({
        '@type': 'Comment',
        text: markdownToText(r.bodyMarkdown, COMMENT_TEXT_LENGTH),
        datePublished: r.createdAt.toISOString(),
        url: replyUrl(topic, r, publicUrl),
        author: person(r.author, publicUrl),
      })),
  };
}

/** The structured data of a topic page, by the topic's kind. */
export function topicJsonLd(topic: Topic, firstPageReplies: Reply[], accepted: Reply | null, publicUrl: string): QAPageJsonLd | DiscussionJsonLd {
  if (topic.kind === 'question') return questionJsonLd(topic, firstPageReplies, accepted, publicUrl);
  return discussionJsonLd(topic, firstPageReplies, publicUrl);
}

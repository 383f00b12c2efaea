import { Card } from '../../../web/components.tsx';
import { Icon } from '../../../web/icons.tsx';
import { MAX_TAGS_PER_TOPIC, tagUrl } from '../../community/tags.ts';
import type { SimilarQuestion } from '../service.ts';

/** A topic's tags as links to each tag's topic list. */
export function TagChips({ tags }: { tags: string[] }) {
  if (tags.length === 0) return null;
  return (
    <span class="cluster tag-chips">
      <span class="visually-hidden">Tags:</span>
      {tags.map((slug) => (
        <a class="badge badge-neutral tag-chip" href={tagUrl(slug)}>
          <Icon name="tag" size={12} /> {slug}
        </a>
      ))}
    </span>
  );
}

/** The list of similar questions, as the new-topic form shows it while the member types a title. */
export function SimilarQuestionsList({ questions }: { questions: SimilarQuestion[] }) {
  if (questions.length === 0) return null;
  return (
    <div class="notice notice-info similar-questions">
      <Icon name="lightbulb" size={18} />
      <div>
        <p>
          <strong>These may already answer it:</strong>
        </p>
        <ul class="list-plain stack">
          {questions.map((q) => (
            <li>
              <a href={q.url} target="_blank" rel="noopener">
                {q.title}
              </a>{' '}
              <span class="small muted">
                {q.solved ? '· Solved' : `· ${q.replyCount.toLocaleString('en')} ${q.replyCount === 1 ? 'reply' : 'replies'}`} · {q.space.name}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/**
 * The new-topic form's title field. With htmx loaded it asks for similar questions as the member types
 * (at most every 300 ms, only for questions); without JavaScript it is a plain required field.
 */
export function TitleWithSimilar({ value, error, maxlength, similar = [] }: { value?: string; error?: string; maxlength: number; similar?: SimilarQuestion[] }) {
  return (
    <>
      <div class={`field${error ? ' field-invalid' : ''}`}>
        <label for="title">
          Title<span class="field-required" aria-hidden="true"> *</span>
        </label>
        <input
          id="title"
          name="title"
          type="text"
          value={value}
          required
          maxlength={maxlength}
          autofocus
          autocomplete="off"
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'title-error similar-questions' : 'similar-questions'}
          hx-get="/search/similar"
          hx-trigger="keyup changed delay:300ms"
          hx-include="[name=space],[name=kind]"
          hx-target="#similar-questions"
          hx-swap="innerHTML"
          hx-sync="this:replace"
        />
        {error && (
          <p class="field-error" id="title-error">
            <Icon name="alert" size={16} />
            {error}
          </p>
        )}
      </div>
      <div id="similar-questions" aria-live="polite">
        <SimilarQuestionsList questions={similar} />
      </div>
    </>
  );
}

/** Options for the tag field's <datalist>: each completes the last tag typed, keeping the ones before it. */
export function TagOptions({ typed, suggestions }: { typed: string; suggestions: string[] }) {
  const parts = typed.split(',');
  const before = parts
    .slice(0, -1)
    .map((p) => p.trim())
    .filter(Boolean);
  return (
    <>
      {suggestions
        .filter((s) => !before.includes(s))
        .map((s) => (
          <option value={[...before, s].join(', ')} />
        ))}
    </>
  );
}

/**
 * Comma-separated tags. With htmx the datalist offers existing tags as the member types; without it the
 * field still takes any tags, which are normalised on the server.
 */
export function TagsInput({ value, error }: { value?: string; error?: string }) {
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for="tags">Tags</label>
      <input
        id="tags"
        name="tags"
        type="text"
        value={value}
        list="tag-options"
        autocomplete="off"
        placeholder="e.g. tent, waterproofing"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'tags-hint tags-error' : 'tags-hint'}
        hx-get="/tags/suggest"
        hx-trigger="keyup changed delay:250ms"
        hx-target="#tag-options"
        hx-swap="innerHTML"
      />
      <datalist id="tag-options" />
      <p class="field-hint" id="tags-hint">
        Up to {MAX_TAGS_PER_TOPIC}, separated by commas. New tags are fine; they are saved in lowercase with dashes.
      </p>
      {error && (
        <p class="field-error" id="tags-error">
          <Icon name="alert" size={16} />
          {error}
        </p>
      )}
    </div>
  );
}

/** A question page's related questions, in its sidebar. */
export function RelatedQuestions({ questions }: { questions: SimilarQuestion[] }) {
  if (questions.length === 0) return null;
  return (
    <Card title="Related questions" id="related-questions">
      <ul class="list-plain stack">
        {questions.map((q) => (
          <li>
            <a href={q.url}>{q.title}</a>
            <span class="small muted"> {q.solved ? '· Solved' : `· ${q.replyCount.toLocaleString('en')} ${q.replyCount === 1 ? 'reply' : 'replies'}`}</span>
          </li>
        ))}
      </ul>
    </Card>
  );
}


import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHearth, TestClient, type TestHearth } from '../../../test/helpers.ts';
import { createSession } from '../accounts/sessions.ts';
import type { Role } from '../accounts/tables.ts';
import { acceptAnswer, createReply, createTopic, type Viewer } from '../community/service.ts';
import type { SpaceVisibility, TopicKind } from '../community/tables.ts';
import { deleteReply, deleteTopic, editReply, restoreTopic } from '../community/edits.ts';
import { refreshLexicon, spellingCorrections, unknownWords } from '../community/search-repo.ts';
import { searchFeature } from './feature.ts';
import { anyWordQuery, applyCorrections, correctableWords, highlightHtml, readableCorrections, spellingsOneEditAway } from './service.ts';

let t: TestHearth;
let seq = 0;

interface Member {
  id: number;
  username: string;
  viewer: NonNullable<Viewer>;
  client: TestClient;
}

async function member(role: Role = 'member'): Promise<Member> {
  seq++;
  const username = `searcher-${seq}`;
  const row = await t.ctx.db
    .insertInto('users')
    .values({ email: `s${seq}@example.com`, display_name: `Searcher ${seq}`, username, password_hash: null, role, email_verified_at: new Date(), notification_prefs: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const client = new TestClient(t.hearth);
  client.cookies.set('hearth_session', await createSession(t.ctx.db, row.id, {}));
  return { id: row.id, username, viewer: { id: row.id, email: `s${seq}@example.com`, displayName: `Searcher ${seq}`, username, role, emailVerified: true, avatarPath: null }, client };
}

async function space(slug: string, visibility: SpaceVisibility = 'public', defaultKind: TopicKind = 'discussion') {
  await t.ctx.db.insertInto('spaces').values({ slug, name: `Space ${slug}`, visibility, default_kind: defaultKind }).execute();
}

interface Hit {
  type: string;
  topicId: number;
  replyId: number | null;
  title: string;
  titleHtml: string;
  snippetHtml: string;
  corrected: boolean;
  similarTitle: boolean;
  space: { slug: string };
}

async function apiSearch(client: TestClient, query: string): Promise<{ status: number; items: Hit[]; fallback: boolean; correctedQuery: string | null; body: unknown }> {
  const res = await client.get(`/api/v1/search?${query}`, { accept: 'application/json' });
  const body: unknown = await res.json();
  const data = body as { items?: Hit[]; fallback?: boolean; correctedQuery?: string | null };
  return { status: res.status, items: data.items ?? [], fallback: data.fallback ?? false, correctedQuery: data.correctedQuery ?? null, body };
}

/** The lexicon's words of a space, by slug. */
async function lexicon(spaceSlug: string): Promise<Map<string, number>> {
  const { rows } = await sql<{ word: string; ndoc: number }>`
    select l.word, l.ndoc from search_lexicon l join spaces s on s.id = l.space_id where s.slug = ${spaceSlug}`.execute(t.ctx.db);
  return new Map(rows.map((r) => [r.word, r.ndoc]));
}

let author: Member;
let helper: Member;
let admin: Member;
let outsider: Member;
let anonymous: TestClient;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestHearth();
  await space('camp', 'public', 'question');
  await space('chat', 'public', 'discussion');
  await space('insiders', 'members', 'question');
  await space('vault', 'private', 'question');
  author = await member();
  helper = await member();
  admin = await member('admin');
  outsider = await member();
  anonymous = new TestClient(t.hearth);
  const post = async (key: string, viewer: Viewer, input: { space: string; kind?: TopicKind; title: string; body: string; tags?: string[] }) => {
    const created = await createTopic(t.ctx, viewer, { kind: 'question', pinned: false, ...input });
    ids[key] = created.id;
    return created.id;
  };
  await post('titleMatch', author.viewer, { space: 'camp', title: 'Tent poles bent in the wind', body: 'The poles bent on the second night.', tags: ['tent', 'Repair'] });
  await post('bodyOnly', author.viewer, { space: 'camp', title: 'Storm night on the ridge', body: 'Our tent held up fine through the storm.' });
  await post('discussion', helper.viewer, { space: 'chat', kind: 'discussion', title: 'Favourite lightweight shelter', body: 'A tarp beats a tent for weight.', tags: ['tent'] });
  await post('script', helper.viewer, { space: 'chat', kind: 'discussion', title: 'Strange text in my order page', body: 'It said <script>alert(1)</script> next to the word lantern, then nothing.' });
  await post('hiddenMembers', author.viewer, { space: 'insiders', title: 'Members tent sale question', body: 'Is the tent sale for members only?', tags: ['secret-sale'] });
  await post('hiddenPrivate', admin.viewer, { space: 'vault', title: 'Private tent prototype question', body: 'Prototype tent feedback.', tags: ['prototype', 'tent'] });
  await post('solvedQ', helper.viewer, { space: 'camp', title: 'How do I waterproof my tent seams', body: 'Seams are leaking after a year.' });
  await post('unsolvedQ', author.viewer, { space: 'camp', title: 'Waterproof tent for winter camping', body: 'Which tent is best?' });
  await post('slate', helper.viewer, { space: 'chat', kind: 'discussion', title: 'Slate steps by the lake', body: 'Slippery when wet.' });
  const { reply } = await createReply(t.ctx, author.viewer, ids.solvedQ ?? 0, { body: 'Use seam sealer on the tent seams and let it cure overnight.' });
  await acceptAnswer(t.ctx, helper.viewer, ids.solvedQ ?? 0, reply.id);
  ids.seamReply = reply.id;
});
afterAll(async () => {
  await t.close();
});

describe('ranking and snippets', () => {
  it('puts a title match above a body-only match', async () => {
    const { items } = await apiSearch(anonymous, 'q=bent+poles');
    expect(items[0]?.topicId).toBe(ids.titleMatch);
    const tent = await apiSearch(anonymous, 'q=tent&space=camp&kind=question');
    const topicIds = tent.items.filter((h) => h.type === 'topic').map((h) => h.topicId);
    expect(topicIds.indexOf(ids.titleMatch ?? 0)).toBeGreaterThanOrEqual(0);
    expect(topicIds.indexOf(ids.titleMatch ?? 0)).toBeLessThan(topicIds.indexOf(ids.bodyOnly ?? 0));
    expect(tent.items.find((h) => h.topicId === ids.titleMatch)?.titleHtml).toBe('<mark>Tent</mark> poles bent in the wind');
  });

  it('finds replies as their own hits, linked to the reply', async () => {
    const { items } = await apiSearch(anonymous, 'q=sealer');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: 'reply', topicId: ids.solvedQ, replyId: ids.seamReply });
    expect(items[0]?.snippetHtml).toContain('<mark>sealer</mark>');
  });

  it('escapes HTML in content and marks only the match', async () => {
    const { items } = await apiSearch(anonymous, 'q=lantern');
    expect(items).toHaveLength(1);
    const snippet = items[0]?.snippetHtml ?? '';
    expect(snippet).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(snippet).toContain('<mark>lantern</mark>');
    expect(snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    const page = await (await anonymous.get('/search?q=lantern')).text();
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('<mark>lantern</mark>');
    expect(highlightHtml('a <b>\u0001x\u0002')).toBe('a &lt;b&gt;<mark>x</mark>');
  });

  it('understands quotes, OR and -word', async () => {
    const phrase = await apiSearch(anonymous, `q=${encodeURIComponent('"seam sealer"')}`);
    expect(phrase.items.map((h) => h.replyId)).toEqual([ids.seamReply]);
    const either = await apiSearch(anonymous, `q=${encodeURIComponent('lantern OR tarp')}`);
    expect(new Set(either.items.map((h) => h.topicId))).toEqual(new Set([ids.script, ids.discussion]));
    const without = await apiSearch(anonymous, `q=${encodeURIComponent('tent -tarp')}&space=chat`);
    expect(without.items).toHaveLength(0);
  });
});

describe('filters', () => {
  it('narrows by space, kind, solved, tag, author and dates', async () => {
    const all = await apiSearch(anonymous, 'q=tent');
    const topics = (r: { items: Hit[] }) => new Set(r.items.filter((h) => h.type === 'topic').map((h) => h.topicId));
    expect(topics(all)).toEqual(new Set([ids.titleMatch, ids.bodyOnly, ids.discussion, ids.solvedQ, ids.unsolvedQ]));
    expect(topics(await apiSearch(anonymous, 'q=tent&space=chat'))).toEqual(new Set([ids.discussion]));
    expect(topics(await apiSearch(anonymous, 'q=tent&kind=discussion'))).toEqual(new Set([ids.discussion]));
    expect(topics(await apiSearch(anonymous, 'q=tent&solved=yes'))).toEqual(new Set([ids.solvedQ]));
    expect(topics(await apiSearch(anonymous, 'q=tent&solved=no'))).toEqual(new Set([ids.titleMatch, ids.bodyOnly, ids.unsolvedQ]));
    expect(topics(await apiSearch(anonymous, 'q=tent&tag=tent'))).toEqual(new Set([ids.titleMatch, ids.discussion]));
    expect(topics(await apiSearch(anonymous, `q=tent&author=${helper.username}`))).toEqual(new Set([ids.discussion, ids.solvedQ]));
    expect((await apiSearch(anonymous, 'q=tent&tag=no-such-tag')).items).toHaveLength(0);

    await t.ctx.db.updateTable('topics').set({ created_at: new Date('2020-03-10T12:00:00Z') }).where('id', '=', ids.bodyOnly ?? 0).execute();
    expect(topics(await apiSearch(anonymous, 'q=tent&before=2021-01-01'))).toEqual(new Set([ids.bodyOnly]));
    const after = topics(await apiSearch(anonymous, 'q=tent&after=2021-01-01'));
    expect(after.has(ids.bodyOnly ?? 0)).toBe(false);
    expect(after.has(ids.titleMatch ?? 0)).toBe(true);
  });

  it('answers malformed filters with 400 and a clear message', async () => {
    const badDate = await apiSearch(anonymous, 'q=tent&after=31-05-2024');
    expect(badDate.status).toBe(400);
    expect(badDate.body).toMatchObject({ error: { code: 'validation_failed', fields: { after: 'The from date must look like 2024-05-31.' } } });
    const unknownSpace = await apiSearch(anonymous, 'q=tent&space=nowhere');
    expect(unknownSpace.status).toBe(400);
    expect(unknownSpace.body).toMatchObject({ error: { fields: { space: 'There is no space "nowhere" to search in.' } } });
    // A hidden space is refused exactly like a missing one.
    const hidden = await apiSearch(anonymous, 'q=tent&space=insiders');
    expect(hidden.body).toMatchObject({ error: { fields: { space: 'There is no space "insiders" to search in.' } } });
    expect((await apiSearch(anonymous, 'q=tent&author=nobody-at-all')).status).toBe(400);
    expect((await apiSearch(anonymous, 'q=tent&kind=poem')).status).toBe(400);
    expect((await apiSearch(anonymous, 'q=')).status).toBe(400);
    const page = await anonymous.get('/search?q=tent&before=yesterday');
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('The to date must look like 2024-05-31.');
  });

  it('pages ranked results by cursor', async () => {
    const first = await apiSearch(anonymous, 'q=tent&limit=2');
    const body = first.body as { nextCursor: string | null };
    expect(first.items).toHaveLength(2);
    expect(body.nextCursor).not.toBeNull();
    const second = await apiSearch(anonymous, `q=tent&limit=2&cursor=${encodeURIComponent(body.nextCursor ?? '')}`);
    expect(second.items).toHaveLength(2);
    const firstKeys = first.items.map((h) => `${h.topicId}:${h.replyId}`);
    expect(second.items.some((h) => firstKeys.includes(`${h.topicId}:${h.replyId}`))).toBe(false);
  });
});

describe('typo tolerance', () => {
  it('builds the spellings one edit away from plain words only', () => {
    expect(correctableWords('"Tnet poles" -zzqxj OR stove 2x ab waterproof-ish tnet')).toEqual(['tnet', 'poles', 'stove']);
    const variants = spellingsOneEditAway('tnet');
    for (const v of ['tent', 'net', 'tnets', 'tnt', 'snet', 'ntet', 'atnet']) expect(variants).toContain(v);
    expect(variants).not.toContain('tnet');
    expect(variants.some((v) => v.length < 3 || v.length > 5)).toBe(false);
    expect(applyCorrections('"Tnet poles" -tnet OR stoev', new Map([['tnet', 'tent'], ['stoev', 'stove']]))).toBe('"tent poles" -tent OR stove');
    expect(anyWordQuery('waterproof jacket')).toBe('waterproof or jacket');
    expect(anyWordQuery('"waterproof jacket"')).toBeNull();
    // Corrections show as the closest word highlighted in their hits, not as a stem or a non-word.
    const headlines = ['\u0001Foam\u0002 pad, \u0001leaving\u0002 at dawn', 'we \u0001leave\u0002 the \u0001prototypes\u0002'];
    const readable = readableCorrections(new Map([['frame', 'foame'], ['leak', 'leav'], ['prtotyp', 'prototyp'], ['zzqx', 'zzq']]), headlines);
    expect(Object.fromEntries(readable)).toEqual({ frame: 'foam', leak: 'leave', prtotyp: 'prototypes', zzqx: 'zzq' });
  });

  it('corrects a misspelt word to one the posts use: "tnet" finds "tent"', async () => {
    const { items, fallback, correctedQuery } = await apiSearch(anonymous, 'q=tnet');
    expect(fallback).toBe(true);
    expect(correctedQuery).toBe('tent');
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((h) => h.corrected && h.similarTitle)).toBe(true);
    expect(items.some((h) => h.topicId === ids.titleMatch)).toBe(true);
    expect(items.some((h) => h.space.slug === 'insiders' || h.space.slug === 'vault')).toBe(false);
    const page = await (await anonymous.get('/search?q=tnet')).text();
    expect(page).toContain('No results for “tnet”. Showing results for <a href="/search?q=tent">tent</a>.');
    expect(page).toContain('<mark>Tent</mark> poles bent in the wind');
    const openapi = JSON.stringify(await (await anonymous.get('/api/v1/openapi.json')).json());
    expect(openapi).toContain('"correctedQuery":{"description":"the query with misspelt words corrected');

    // A deleted letter, a word of a phrase, and several words at once (one of them a real word no post uses).
    const dropped = await apiSearch(anonymous, 'q=waterprof');
    expect(dropped.correctedQuery).toBe('waterproof');
    expect(new Set(dropped.items.map((h) => h.topicId))).toEqual(new Set([ids.solvedQ, ids.unsolvedQ]));
    const several = await apiSearch(anonymous, `q=${encodeURIComponent('waterprof tnet seems')}`);
    expect(several.correctedQuery).toBe('waterproof tent seams');
    expect(several.items[0]?.topicId).toBe(ids.solvedQ);
    const phrase = await apiSearch(anonymous, `q=${encodeURIComponent('"seam sealr"')}`);
    expect(phrase.correctedQuery).toBe('"seam sealer"');
    expect(phrase.items.map((h) => h.replyId)).toEqual([ids.seamReply]);
    // Further off than one edit: the closest word by trigrams.
    const far = await apiSearch(anonymous, 'q=waterpruf');
    expect(far.correctedQuery).toBe('waterproof');
  });

  it('leaves known words alone and falls back to any word', async () => {
    // Every word is known, only not together: no correction, posts with any of them.
    const known = await apiSearch(anonymous, `q=${encodeURIComponent('sealer lantern')}`);
    expect(known.correctedQuery).toBeNull();
    expect((known.body as { anyWords: boolean }).anyWords).toBe(true);
    const some = await apiSearch(anonymous, 'q=tent+zzqxj');
    expect(some.correctedQuery).toBeNull();
    expect((some.body as { anyWords: boolean }).anyWords).toBe(true);
    expect(some.items.some((h) => h.topicId === ids.titleMatch)).toBe(true);
    expect(some.items.some((h) => h.space.slug === 'insiders' || h.space.slug === 'vault')).toBe(false);
    expect(await (await anonymous.get('/search?q=tent+zzqxj')).text()).toContain('showing posts with any of them');
    const none = await apiSearch(anonymous, 'q=zzqxj');
    expect(none).toMatchObject({ items: [], fallback: false, correctedQuery: null });
    expect(await (await anonymous.get('/search?q=zzqxj')).text()).toContain('No results for “zzqxj”');
    // Enough exact results: no correction is tried, even for an unknown word of an OR.
    const enough = await apiSearch(anonymous, `q=${encodeURIComponent('tent OR tnet')}`);
    expect(enough.correctedQuery).toBeNull();
    expect(enough.items.length).toBeGreaterThanOrEqual(3);
  });

  it('never offers a word that only a space the viewer cannot see uses', async () => {
    // "prototype" is only in the private vault, "sale" only in the members' space.
    for (const q of ['prototpye', 'prtotyp', 'slae']) {
      const anon = await apiSearch(anonymous, `q=${q}`);
      expect(anon.correctedQuery ?? '', q).not.toMatch(/prototyp|sale/);
      expect(anon.items.some((h) => h.space.slug === 'insiders' || h.space.slug === 'vault'), q).toBe(false);
    }
    expect(await (await anonymous.get('/search?q=prototpye')).text()).not.toContain('prototype');
    // "slae" is one edit from "sale" (members only) and "slate" (public): a visitor gets "slate".
    const slate = await apiSearch(anonymous, 'q=slae');
    expect(slate.correctedQuery).toBe('slate');
    expect(slate.items.map((h) => h.topicId)).toEqual([ids.slate]);
    const publicIds = (await t.ctx.db.selectFrom('spaces').select('id').where('visibility', '=', 'public').execute()).map((s) => s.id);
    expect(await unknownWords(t.ctx.db, ['prototype', 'tent', 'the'], publicIds)).toEqual(['prototype']);
    const hidden = await spellingCorrections(t.ctx.db, [...spellingsOneEditAway('prototpye').map((v): [string, string] => ['prototpye', v]), ['prtotyp', 'prtotyp']], publicIds);
    expect([...hidden.values()].filter((w) => w.startsWith('prototyp'))).toEqual([]);
    const asMember = await apiSearch(outsider.client, 'q=prototpye');
    expect(asMember.correctedQuery ?? '').not.toContain('prototyp');
    expect(asMember.items.some((h) => h.topicId === ids.hiddenPrivate)).toBe(false);
    expect((await apiSearch(outsider.client, 'q=slae')).correctedQuery).toBe('sale');
    expect((await apiSearch(admin.client, 'q=prtotyp')).correctedQuery).toBe('prototype');
    const asAdmin = await apiSearch(admin.client, 'q=prototpye');
    expect(asAdmin.correctedQuery).toBe('prototype');
    expect(asAdmin.items.map((h) => h.topicId)).toContain(ids.hiddenPrivate);
    // A space filter narrows the words offered to that space's.
    expect((await apiSearch(admin.client, 'q=prototpye&space=camp')).correctedQuery ?? '').not.toContain('prototyp');
  });
});

describe('search lexicon', () => {
  it('takes the words of new, edited and restored posts; the daily recount drops deleted ones', async () => {
    const topicId = await createTopic(t.ctx, author.viewer, { space: 'chat', kind: 'discussion', pinned: false, title: 'Quokkas near the hut', body: 'A marmoset too.' }).then((x) => x.id);
    const { reply } = await createReply(t.ctx, helper.viewer, topicId, { body: 'Did you see the wombats?' });
    let chat = await lexicon('chat');
    for (const word of ['quokka', 'hut', 'marmoset', 'wombat']) expect(chat.has(word), word).toBe(true);
    expect((await lexicon('camp')).has('quokka')).toBe(false);
    // A typo of a word that arrived a moment ago is corrected (shown as the post writes it).
    expect((await apiSearch(anonymous, 'q=wombta')).correctedQuery).toBe('wombats');

    await editReply(t.ctx, helper.viewer, reply.id, { body: 'Did you see the echidnas?' });
    expect((await lexicon('chat')).has('echidna')).toBe(true);

    await deleteReply(t.ctx, helper.viewer, reply.id);
    await deleteTopic(t.ctx, author.viewer, topicId);
    // Deleting takes nothing away at once (the triggers only add)…
    expect((await lexicon('chat')).has('quokka')).toBe(true);
    // …the recount does, and leaves every count exact.
    const { removed } = await refreshLexicon(t.ctx.db);
    expect(removed).toBeGreaterThanOrEqual(4);
    chat = await lexicon('chat');
    for (const word of ['quokka', 'marmoset', 'wombat', 'echidna']) expect(chat.has(word), word).toBe(false);
    expect(chat.get('tent')).toBe(1);
    expect(await refreshLexicon(t.ctx.db)).toEqual({ added: 0, removed: 0 });
    const wombat = await apiSearch(anonymous, 'q=wmobat');
    expect(wombat.correctedQuery ?? '').not.toContain('wombat');

    await restoreTopic(t.ctx, admin.viewer, topicId);
    chat = await lexicon('chat');
    expect(chat.has('quokka')).toBe(true);
    // The reply stays deleted, so its words stay out.
    expect(chat.has('echidna')).toBe(false);

    // Every word of a visible post is in the lexicon of its space.
    const { rows } = await sql<{ word: string; space_id: number }>`
      select w.word, s.id as space_id
      from spaces s cross join lateral ts_stat(format(
        'select search_vector from topics where space_id = %s and deleted_at is null
         union all select r.search_vector from replies r join topics t on t.id = r.topic_id
         where t.space_id = %s and t.deleted_at is null and r.deleted_at is null', s.id, s.id)) w
      where not exists (select 1 from search_lexicon l where l.word = w.word and l.space_id = s.id)`.execute(t.ctx.db);
    expect(rows).toEqual([]);
  });

  it('registers the recount as a daily job', async () => {
    expect(searchFeature.schedules).toEqual([{ name: 'search.refreshLexicon', cron: '40 3 * * *', jobKind: 'search.refreshLexicon' }]);
    const handler = t.ctx.jobs.handlers.get('search.refreshLexicon');
    expect(handler).toBeDefined();
    await handler?.(t.ctx, { id: 0, kind: 'search.refreshLexicon', payload: {}, attempts: 0, eventId: null });
    expect(await refreshLexicon(t.ctx.db)).toEqual({ added: 0, removed: 0 });
  });
});

describe('topic search documents', () => {
  it('follow replies as they are written, edited, deleted and restored, and topics as they are retitled', async () => {
    const topicId = await createTopic(t.ctx, author.viewer, { space: 'chat', kind: 'discussion', pinned: false, title: 'Harbour walk', body: 'Cold morning.' }).then((x) => x.id);
    // Each search is worded a little differently: identical searches within seconds share one answer.
    const hits = async (q: string) => (await apiSearch(anonymous, `q=${q}`)).items.filter((h) => h.topicId === topicId);
    const { reply } = await createReply(t.ctx, helper.viewer, topicId, { body: 'We saw a cormorant drying its wings.' });
    expect(await hits('cormorant')).toMatchObject([{ type: 'reply', replyId: reply.id }]);
    // Words of the topic itself make it a topic hit, even when a reply has them too.
    await createReply(t.ctx, helper.viewer, topicId, { body: 'The harbour was busy.' });
    expect(await hits('harbour')).toMatchObject([{ type: 'topic', replyId: null }]);

    await editReply(t.ctx, helper.viewer, reply.id, { body: 'We saw a heron instead.' });
    expect(await hits('heron')).toHaveLength(1);
    expect(await hits('Cormorant')).toHaveLength(0);
    await deleteReply(t.ctx, helper.viewer, reply.id);
    expect(await hits('Heron')).toHaveLength(0);
    await t.ctx.db.updateTable('replies').set({ deleted_at: null, deleted_by: null }).where('id', '=', reply.id).execute();
    expect(await hits('HERON')).toMatchObject([{ replyId: reply.id }]);

    await t.ctx.db.updateTable('topics').set({ title: 'Estuary walk' }).where('id', '=', topicId).execute();
    expect(await hits('estuary')).toMatchObject([{ type: 'topic' }]);
    // The document is exactly the posts: the topic, then its live replies in order.
    const { rows } = await sql<{ same: boolean }>`
      select d.document = search_document_of(d.topic_id) and d.document @@ to_tsquery('english', 'heron & busy & estuary') as same
      from search_documents d where d.topic_id = ${topicId}`.execute(t.ctx.db);
    expect(rows).toEqual([{ same: true }]);
  });
});

describe('access', () => {
  it('never shows a members space to anonymous visitors or a private space to members', async () => {
    const anon = await apiSearch(anonymous, 'q=tent');
    expect(anon.items.some((h) => h.topicId === ids.hiddenMembers || h.topicId === ids.hiddenPrivate)).toBe(false);
    const asMember = await apiSearch(outsider.client, 'q=tent');
    expect(asMember.items.some((h) => h.topicId === ids.hiddenMembers)).toBe(true);
    expect(asMember.items.some((h) => h.topicId === ids.hiddenPrivate)).toBe(false);
    const asAdmin = await apiSearch(admin.client, 'q=tent');
    expect(asAdmin.items.some((h) => h.topicId === ids.hiddenPrivate)).toBe(true);
    expect(await (await anonymous.get('/search?q=members+tent+sale')).text()).not.toContain('Members tent sale');
    expect(await (await outsider.client.get('/search?q=prototype')).text()).not.toContain('Private tent prototype');

    // Tag pages and the tags API.
    expect((await anonymous.get('/tag/secret-sale')).status).toBe(404);
    expect((await outsider.client.get('/tag/secret-sale')).status).toBe(200);
    expect((await outsider.client.get('/tag/prototype')).status).toBe(404);
    expect((await admin.client.get('/tag/prototype')).status).toBe(200);
    expect((await anonymous.get('/api/v1/tags/secret-sale/topics')).status).toBe(404);
    const anonTags = (await (await anonymous.get('/api/v1/tags')).json()) as { items: Array<{ slug: string; topicCount: number }> };
    expect(anonTags.items.map((x) => x.slug)).not.toContain('secret-sale');
    expect(anonTags.items.map((x) => x.slug)).not.toContain('prototype');
    // "tent" is on a hidden topic too: only the visible ones count.
    expect(anonTags.items.find((x) => x.slug === 'tent')?.topicCount).toBe(2);
    const memberTags = (await (await outsider.client.get('/api/v1/tags?q=se')).json()) as { items: Array<{ slug: string }> };
    expect(memberTags.items.map((x) => x.slug)).toEqual(['secret-sale']);
    const memberProto = (await (await outsider.client.get('/api/v1/tags?q=proto')).json()) as { items: unknown[] };
    expect(memberProto.items).toHaveLength(0);
    expect(await (await anonymous.get('/tags')).text()).not.toContain('secret-sale');
    const tagPage = await (await anonymous.get('/tag/tent')).text();
    expect(tagPage).toContain('Tent poles bent in the wind');
    expect(tagPage).not.toContain('Members tent sale');
  });
});

describe('similar and related questions', () => {
  it('suggests solved questions first and never from a hidden space', async () => {
    const res = await anonymous.get(`/api/v1/search/similar?title=${encodeURIComponent('waterproof tent')}`);
    const { items } = (await res.json()) as { items: Array<{ id: number; solved: boolean }> };
    expect(items.map((i) => i.id)).toEqual([ids.solvedQ, ids.unsolvedQ, ...items.slice(2).map((i) => i.id)]);
    expect(items[0]?.solved).toBe(true);
    expect(items.some((i) => i.id === ids.hiddenMembers || i.id === ids.hiddenPrivate)).toBe(false);
    const member = (await (await outsider.client.get(`/api/v1/search/similar?title=${encodeURIComponent('tent prototype question')}`)).json()) as { items: Array<{ id: number }> };
    expect(member.items.some((i) => i.id === ids.hiddenPrivate)).toBe(false);
    expect(member.items.some((i) => i.id === ids.hiddenMembers)).toBe(true);

    const fragment = await anonymous.get(`/search/similar?title=${encodeURIComponent('waterproof tent')}&space=&kind=question`);
    const html = await fragment.text();
    expect(html).toContain('How do I waterproof my tent seams');
    expect(html.indexOf('How do I waterproof')).toBeLessThan(html.indexOf('Waterproof tent for winter'));
    expect(await (await anonymous.get(`/search/similar?title=${encodeURIComponent('waterproof tent')}&kind=discussion`)).text()).toBe('');
    expect(await (await anonymous.get(`/search/similar?title=${encodeURIComponent('members tent sale')}&kind=question`)).text()).not.toContain('Members tent sale');
  });

  it("lists related questions on a question's page, excluding itself and hidden ones", async () => {
    const topic = await t.ctx.db.selectFrom('topics').select(['id', 'slug']).where('id', '=', ids.unsolvedQ ?? 0).executeTakeFirstOrThrow();
    const html = await (await anonymous.get(`/t/${topic.id}/${topic.slug}`)).text();
    const related = html.slice(html.indexOf('id="related-questions"'));
    expect(related).toContain('How do I waterproof my tent seams');
    expect(related).not.toContain('Waterproof tent for winter camping</a>');
    expect(related).not.toContain('Members tent sale');
    expect(related).not.toContain('Private tent prototype');
  });
});

describe('tags on topics', () => {
  it('takes tags on the new-topic form, normalised, and shows them as chips', async () => {
    const form = await author.client.get('/new?space=camp');
    const formHtml = await form.text();
    expect(formHtml).toContain('hx-get="/search/similar"');
    expect(formHtml).toContain('aria-live="polite"');
    expect(formHtml).toContain('name="tags"');
    const res = await author.client.postForm('/new', { space: 'camp', kind: 'question', title: 'Which stove for cold mornings', body: 'Gas struggles below zero.', tags: 'Stoves, Winter Camping, stoves' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    const page = await (await author.client.get(location)).text();
    expect(page).toContain('href="/tag/stoves"');
    expect(page).toContain('href="/tag/winter-camping"');
    const tagged = await (await anonymous.get('/api/v1/tags/winter-camping/topics')).json();
    expect(tagged).toMatchObject({ items: [{ title: 'Which stove for cold mornings', tags: ['stoves', 'winter-camping'] }], nextCursor: null });
    const space = await (await anonymous.get('/s/camp')).text();
    expect(space).toContain('href="/tag/winter-camping"');
    const tagPage = await (await anonymous.get('/tag/winter-camping')).text();
    expect(tagPage).toContain('Which stove for cold mornings');
    expect(tagPage).toContain('<link rel="alternate" type="application/rss+xml" title="Tagged winter-camping (RSS)" href="/tag/winter-camping/feed.rss"/>');
    const suggest = await (await author.client.get('/tags/suggest?tags=tent%2C%20win')).text();
    expect(suggest).toContain('<option value="tent, winter-camping">');
  });

  it('refuses more than five tags with a field error', async () => {
    const res = await author.client.postForm('/new', { space: 'camp', kind: 'question', title: 'Too many tags here', body: 'Body.', tags: 'a1, b2, c3, d4, e5, f6' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Use at most 5 tags.');
    expect(html).toContain('value="a1, b2, c3, d4, e5, f6"');
    const api = await author.client.json('POST', '/api/v1/topics', { space: 'camp', kind: 'question', title: 'Too many tags here', body: 'Body.', tags: ['a', 'b', 'c', 'd', 'e', 'f'] });
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({ error: { fields: { tags: 'Use at most 5 tags.' } } });
    const ok = await author.client.json('POST', '/api/v1/topics', { space: 'chat', kind: 'discussion', title: 'Tagged by the API', body: 'Body.', tags: ['Tent', 'api'] });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ tags: ['api', 'tent'] });
    const event = await t.ctx.db.selectFrom('domain_events').select('payload').where('name', '=', 'topic.created').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(event.payload).toMatchObject({ tags: ['tent', 'api'] });
  });

  it('keeps tag counts consistent with the topics that carry them', async () => {
    const { rows } = await sql<{ slug: string; topic_count: number; actual: number; by_space: number }>`
      select g.slug, g.topic_count,
        (select count(*)::int from topic_tags tt where tt.tag_id = g.id) as actual,
        (select coalesce(sum(c.topic_count), 0)::int from tag_space_counts c where c.tag_id = g.id) as by_space
      from tags g order by g.slug`.execute(t.ctx.db);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      expect(row.topic_count, row.slug).toBe(row.actual);
      expect(row.by_space, row.slug).toBe(row.actual);
    }
    expect(rows.find((r) => r.slug === 'tent')?.topic_count).toBe(4);
  });
});

describe('pages', () => {
  it('has a search box in the header and an empty state with suggestions', async () => {
    const home = await (await anonymous.get('/')).text();
    expect(home).toMatch(/<form class="header-search" method="get" action="\/search" role="search">/);
    expect(home).toContain('<label for="header-q" class="visually-hidden">');
    const empty = await (await anonymous.get('/search')).text();
    expect(empty).toContain('Search the community');
    expect(empty).toContain('href="/tag/tent"');
    const tags = await (await anonymous.get('/tags')).text();
    expect(tags).toContain('href="/tag/tent"');
  });
});

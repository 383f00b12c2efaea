// RFM: recency, frequency and monetary quintile scores (1–5, 5 best) and named segments. Pure functions:
// the nightly job feeds them the order history and stores the result in a rollup table.

export interface RfmInput {
  id: string;
  /** Days since the last purchase, as of the scoring date (fewer is better). */
  recencyDays: number;
  /** Number of purchases (orders, or purchase days). */
  frequency: number;
  /** Total spend, in any consistent unit. */
  monetary: number;
}

export interface RfmScore {
  id: string;
  r: number;
  f: number;
  m: number;
  /** (f + m) / 2 rounded half up: the segments read recency against this combined value score. */
  fm: number;
  segment: RfmSegmentName;
}

export type RfmSegmentName =
  | 'Champions'
  | 'Loyal'
  | 'Potential loyalist'
  | 'New customers'
  | 'Promising'
  | 'Need attention'
  | 'About to sleep'
  | 'At risk'
  | "Can't lose them"
  | 'Hibernating'
  | 'Lost';

export interface RfmSegment {
  name: RfmSegmentName;
  /** Which (R, FM) cells of the 5 × 5 grid belong to the segment. */
  cells: ReadonlyArray<readonly [r: number, fm: number]>;
  /** The rule in words, to show beside the segment wherever it is used. */
  definition: string;
  /** What a brand usually does for these customers. */
  suggestedAction: string;
}

const grid = (rs: number[], fms: number[]): Array<readonly [number, number]> => rs.flatMap((r) => fms.map((fm) => [r, fm] as const));

/**
 * The segments partition the 5 × 5 grid of recency score R against the combined frequency-and-monetary
 * score FM: every customer falls in exactly one (checked by a test).
 */
export const RFM_SEGMENTS: readonly RfmSegment[] = [
  {
    name: 'Champions',
    cells: grid([4, 5], [4, 5]),
    definition: 'Bought recently (R 4–5) and buy often and spend the most (FM 4–5).',
    suggestedAction: 'Reward them; ask for reviews and referrals; invite them to early access.',
  },
  {
    name: 'Loyal',
    cells: [...grid([3], [4, 5]), ...grid([4, 5], [3])],
    definition: 'Buy often and spend well (FM 4–5) with a fairly recent purchase (R 3), or bought recently (R 4–5) with average frequency and spend (FM 3).',
    suggestedAction: 'Offer the loyalty programme’s next tier; recommend related products.',
  },
  {
    name: 'Potential loyalist',
    cells: grid([4, 5], [2]),
    definition: 'Bought recently (R 4–5) but have bought little so far (FM 2).',
    suggestedAction: 'Offer membership or a loyalty programme; recommend a second purchase.',
  },
  {
    name: 'New customers',
    cells: grid([5], [1]),
    definition: 'Bought very recently (R 5) and for the first time or barely more (FM 1).',
    suggestedAction: 'Welcome them; help them get started; invite them to the community.',
  },
  {
    name: 'Promising',
    cells: grid([4], [1]),
    definition: 'Bought recently (R 4) but little and seldom (FM 1).',
    suggestedAction: 'Build awareness: show what other members buy and ask.',
  },
  {
    name: 'Need attention',
    cells: grid([3], [3]),
    definition: 'Average on everything: last purchase neither recent nor old (R 3), average frequency and spend (FM 3).',
    suggestedAction: 'A limited-time offer or a personal recommendation before they slip.',
  },
  {
    name: 'About to sleep',
    cells: grid([3], [1, 2]),
    definition: 'Last purchase a while ago (R 3) and low frequency and spend (FM 1–2).',
    suggestedAction: 'Share popular content and products; reconnect before they go quiet.',
  },
  {
    name: 'At risk',
    cells: [...grid([2], [3, 4, 5]), ...grid([1], [3])],
    definition: 'Used to buy often or spend well (FM 3–5) but have not bought for a long time (R 1–2).',
    suggestedAction: 'Personal outreach and a win-back offer.',
  },
  {
    name: "Can't lose them",
    cells: grid([1], [4, 5]),
    definition: 'Among the most frequent, biggest spenders (FM 4–5) but have not bought for the longest time (R 1).',
    suggestedAction: 'Win them back personally; ask what went wrong.',
  },
  {
    name: 'Hibernating',
    cells: [...grid([2], [1, 2]), ...grid([1], [2])],
    definition: 'Last purchase long ago (R 1–2) with low frequency and spend (FM 1–2), but not the lowest on both.',
    suggestedAction: 'Include in broad campaigns; do not spend much on them.',
  },
  {
    name: 'Lost',
    cells: grid([1], [1]),
    definition: 'Lowest on everything: the oldest last purchase (R 1) and the lowest frequency and spend (FM 1).',
    suggestedAction: 'Revive interest with a broad campaign, or let them go.',
  },
];

/** The meaning of the scores themselves, to show beside any RFM table. */
export const RFM_SCORE_DEFINITION =
  'Each score is the customer’s quintile among all scored customers, 1 (lowest fifth) to 5 (highest fifth), by the share of customers with a worse value: R by how recently they last bought (recent is 5), F by number of purchase days, M by total spend. Customers with equal values share a score. FM is the mean of F and M, rounded up at halves.';

const segmentByCell = new Map<string, RfmSegment>();
for (const segment of RFM_SEGMENTS) {
  for (const [r, fm] of segment.cells) segmentByCell.set(`${r}:${fm}`, segment);
}

/** The segment of an (R, F, M) score triple, each 1–5. */
export function rfmSegment(r: number, f: number, m: number): RfmSegment {
  const segment = segmentByCell.get(`${r}:${combinedScore(f, m)}`);
  if (!segment) throw new RangeError(`RFM scores must be whole numbers from 1 to 5 (got ${r}, ${f}, ${m})`);
  return segment;
}

export function combinedScore(f: number, m: number): number {
  return Math.floor((f + m) / 2 + 0.5);
}

/**
 * Quintile scores 1–5 of values: 1 + ⌊5 · w / (n − 1)⌋ (at most 5), w the number of values strictly worse,
 * so the worst scores 1, the best 5, ties share a score and the input order does not matter. A lone
 * customer scores 3. `higherIsBetter` false for recency in days.
 */
export function quintileScores(values: readonly number[], higherIsBetter = true): Int8Array {
  const n = values.length;
  const scores = new Int8Array(n);
  if (n === 0) return scores;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => {
    const a = values[i] ?? 0;
    const b = values[j] ?? 0;
    return higherIsBetter ? a - b : b - a;
  });
  let worse = 0;
  for (let k = 0; k < n; ) {
    const value = values[order[k] ?? 0];
    let end = k;
    while (end < n && values[order[end] ?? 0] === value) end++;
    const score = n === 1 ? 3 : Math.min(5, 1 + Math.floor((5 * worse) / (n - 1)));
    for (let j = k; j < end; j++) scores[order[j] ?? 0] = score;
    worse = end;
    k = end;
  }
  return scores;
}

/** Scores every customer and assigns their segment. */
export function scoreRfm(customers: readonly RfmInput[]): RfmScore[] {
  for (const c of customers) {
    if (!(Number.isFinite(c.recencyDays) && c.recencyDays >= 0)) throw new RangeError(`customer ${c.id}: recency must be a number of days >= 0`);
    if (!(Number.isFinite(c.frequency) && c.frequency >= 0)) throw new RangeError(`customer ${c.id}: frequency must be >= 0`);
    if (!Number.isFinite(c.monetary)) throw new RangeError(`customer ${c.id}: monetary value must be a number`);
  }
  const r = quintileScores(customers.map((c) => c.recencyDays), false);
  const f = quintileScores(customers.map((c) => c.frequency));
  const m = quintileScores(customers.map((c) => c.monetary));
  return customers.map((c, i) => {
    const ri = r[i] ?? 1;
    const fi = f[i] ?? 1;
    const mi = m[i] ?? 1;
    return { id: c.id, r: ri, f: fi, m: mi, fm: combinedScore(fi, mi), segment: rfmSegment(ri, fi, mi).name };
  });
}

/** RFM inputs from a transaction log (day numbers, as in models/summary.ts) as of a day: purchases on one day count once. */
export function rfmInputsFromTransactions(
  transactions: ReadonlyArray<{ customerId: string; day: number; amount: number }>,
  asOfDay: number,
): RfmInput[] {
  const byCustomer = new Map<string, { last: number; days: Set<number>; total: number }>();
  for (const t of transactions) {
    if (t.day > asOfDay) continue;
    let c = byCustomer.get(t.customerId);
    if (!c) {
      c = { last: t.day, days: new Set(), total: 0 };
      byCustomer.set(t.customerId, c);
    }
    c.last = Math.max(c.last, t.day);
    c.days.add(t.day);
    c.total += t.amount;
  }
  return [...byCustomer].map(([id, c]) => ({ id, recencyDays: asOfDay - c.last, frequency: c.days.size, monetary: c.total }));
}

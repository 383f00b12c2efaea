import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combinedScore, quintileScores, RFM_SCORE_DEFINITION, RFM_SEGMENTS, rfmInputsFromTransactions, rfmSegment, scoreRfm } from './rfm.ts';

describe('RFM segments', () => {
  it('put every (R, F, M) combination in exactly one segment', () => {
    const seen = new Map<string, string>();
    for (const segment of RFM_SEGMENTS) {
      for (const [r, fm] of segment.cells) {
        const key = `${r}:${fm}`;
        expect(seen.get(key), `cell R${r} FM${fm} is in two segments`).toBeUndefined();
        seen.set(key, segment.name);
      }
    }
    expect(seen.size).toBe(25);
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) expect(rfmSegment(r, f, m).name).toBeTruthy();
  });

  it('are the eleven named segments, each with a definition and an action to show', () => {
    expect(RFM_SEGMENTS.map((s) => s.name)).toEqual([
      'Champions',
      'Loyal',
      'Potential loyalist',
      'New customers',
      'Promising',
      'Need attention',
      'About to sleep',
      'At risk',
      "Can't lose them",
      'Hibernating',
      'Lost',
    ]);
    for (const s of RFM_SEGMENTS) {
      expect(s.definition.length).toBeGreaterThan(20);
      expect(s.suggestedAction.length).toBeGreaterThan(10);
    }
    expect(RFM_SCORE_DEFINITION).toMatch(/quintile/);
  });

  it('read as their names say', () => {
    expect(rfmSegment(5, 5, 5).name).toBe('Champions');
    expect(rfmSegment(1, 1, 1).name).toBe('Lost');
    expect(rfmSegment(1, 5, 5).name).toBe("Can't lose them");
    expect(rfmSegment(5, 1, 1).name).toBe('New customers');
    expect(rfmSegment(2, 4, 3).name).toBe('At risk');
    expect(rfmSegment(3, 3, 3).name).toBe('Need attention');
    expect(combinedScore(4, 5)).toBe(5);
    expect(combinedScore(3, 4)).toBe(4);
    expect(() => rfmSegment(0, 3, 3)).toThrow(RangeError);
  });
});

describe('quintileScores', () => {
  it('scores fifths 1 to 5, reversed for recency', () => {
    const values = Array.from({ length: 10 }, (_, i) => i);
    expect([...quintileScores(values)]).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect([...quintileScores(values, false)]).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
  });

  it('gives ties one score and does not depend on input order', () => {
    expect([...quintileScores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5])]).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 60 }), (values) => {
        const scores = quintileScores(values);
        const reversed = quintileScores([...values].reverse());
        values.forEach((v, i) => {
          expect(scores[i]).toBe(reversed[values.length - 1 - i]);
          expect(scores[i]).toBeGreaterThanOrEqual(1);
          expect(scores[i]).toBeLessThanOrEqual(5);
          values.forEach((w, j) => {
            if (v < w) expect(scores[i]).toBeLessThanOrEqual(scores[j] ?? 0);
            if (v === w) expect(scores[i]).toBe(scores[j]);
          });
        });
      }),
    );
  });
});

describe('scoreRfm', () => {
  it('scores customers from their transactions', () => {
    const day = 20_000;
    const tx = [
      { customerId: 'loyal', day: day - 1, amount: 90 },
      { customerId: 'loyal', day: day - 10, amount: 90 },
      { customerId: 'loyal', day: day - 10, amount: 10 },
      { customerId: 'loyal', day: day - 30, amount: 90 },
      { customerId: 'gone', day: day - 400, amount: 5 },
      { customerId: 'new', day: day - 2, amount: 20 },
      { customerId: 'future', day: day + 1, amount: 20 },
    ];
    const inputs = rfmInputsFromTransactions(tx, day);
    expect(inputs).toEqual([
      { id: 'loyal', recencyDays: 1, frequency: 3, monetary: 280 },
      { id: 'gone', recencyDays: 400, frequency: 1, monetary: 5 },
      { id: 'new', recencyDays: 2, frequency: 1, monetary: 20 },
    ]);
    const scores = scoreRfm(inputs);
    expect(scores.find((s) => s.id === 'loyal')).toMatchObject({ r: 5, f: 5, m: 5, segment: 'Champions' });
    expect(scores.find((s) => s.id === 'gone')).toMatchObject({ r: 1, f: 1, m: 1, segment: 'Lost' });
    expect(() => scoreRfm([{ id: 'x', recencyDays: -1, frequency: 1, monetary: 1 }])).toThrow(RangeError);
  });
});

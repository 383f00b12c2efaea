import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExpiringCache, expiringCachePerContext } from './expiring-cache.ts';
import type { AppContext } from './context.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('ExpiringCache', () => {
  it('forgets an entry once its time is up, and keeps null values apart from missing ones', () => {
    vi.useFakeTimers();
    const cache = new ExpiringCache<string | null>(1_000, 10);
    cache.set('a', 'x');
    cache.set('b', null);
    vi.advanceTimersByTime(999);
    expect(cache.get('a')).toBe('x');
    expect(cache.get('b')).toBeNull();
    expect(cache.get('c')).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
  });

  it('empties itself when full instead of growing, but overwriting a key never does', () => {
    const cache = new ExpiringCache<number>(60_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('b', 3);
    expect([cache.get('a'), cache.get('b')]).toEqual([1, 3]);
    cache.set('c', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, undefined, 4]);
  });

  it('gives each running Hearth its own cache', () => {
    const perContext = expiringCachePerContext<number>(60_000, 10);
    const one = {} as AppContext;
    const two = {} as AppContext;
    perContext(one).set('k', 1);
    expect(perContext(one).get('k')).toBe(1);
    expect(perContext(two).get('k')).toBeUndefined();
  });
});

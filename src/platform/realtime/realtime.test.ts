import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { RealtimeHub, type RealtimeEvent } from './index.ts';
import { RedisTransport } from './redis.ts';

const log = createLogger('silent');

function waitFor(events: RealtimeEvent[], count: number, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (events.length >= count) return resolve();
      if (Date.now() > deadline) return reject(new Error(`only ${events.length} of ${count} events arrived`));
      setTimeout(check, 10);
    };
    check();
  });
}

describe('realtime hub in one process', () => {
  it('delivers to the listeners of a channel only, until they unsubscribe, and survives a failing listener', async () => {
    const hub = new RealtimeHub(undefined, log);
    const a: RealtimeEvent[] = [];
    const b: RealtimeEvent[] = [];
    const stopA = hub.subscribe('topic:1', (e) => a.push(e));
    hub.subscribe('topic:1', () => {
      throw new Error('a broken listener');
    });
    hub.subscribe('topic:2', (e) => b.push(e));
    await hub.publish('topic:1', { type: 'reply', data: { replyId: 5 } });
    expect(a).toEqual([{ type: 'reply', data: { replyId: 5 } }]);
    expect(b).toEqual([]);
    stopA();
    await hub.publish('topic:1', { type: 'reply', data: { replyId: 6 } });
    expect(a).toHaveLength(1);
    expect(hub.listenerCount('topic:1')).toBe(1);
    await hub.close();
    expect(hub.listenerCount('topic:2')).toBe(0);
  });
});

describe('realtime hub across processes over Redis', () => {
  // Needs a Redis server: run with REDIS_URL=redis://127.0.0.1:6379.
  it.skipIf(!process.env.REDIS_URL)('carries an event from one hub to another, once each', async () => {
    const url = process.env.REDIS_URL ?? '';
    const one = new RealtimeHub(new RedisTransport(url, log), log);
    const two = new RealtimeHub(new RedisTransport(url, log), log);
    try {
      const onOne: RealtimeEvent[] = [];
      const onTwo: RealtimeEvent[] = [];
      const channel = `topic:${Date.now()}`;
      one.subscribe(channel, (e) => onOne.push(e));
      two.subscribe(channel, (e) => onTwo.push(e));
      await Promise.all([one.ready(), two.ready()]);
      await one.publish(channel, { type: 'reply', data: { replyId: 1 } });
      await waitFor(onTwo, 1);
      // The publisher delivered locally at once and ignores its own echo.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(onOne).toEqual([{ type: 'reply', data: { replyId: 1 } }]);
      expect(onTwo).toEqual([{ type: 'reply', data: { replyId: 1 } }]);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

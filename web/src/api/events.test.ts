import { describe, expect, it } from 'vitest';
import { subscribe, type EventSourceLike, type StreamStatus, type Timers } from './events';

class FakeEventSource implements EventSourceLike {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  listeners = new Map<string, ((event: MessageEvent) => void)[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (event: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close() {
    this.closed = true;
    this.readyState = 2;
  }

  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  // The browser retries by itself (readyState CONNECTING) or gives up (CLOSED).
  fail(givesUp: boolean) {
    this.readyState = givesUp ? 2 : 0;
    this.onerror?.(new Event('error'));
  }

  emit(type: string, data: string) {
    for (const listener of this.listeners.get(type) ?? []) listener(new MessageEvent(type, { data }));
  }
}

class FakeTimers implements Timers {
  pending: { callback: () => void; ms: number }[] = [];
  setTimeout(callback: () => void, ms: number) {
    const entry = { callback, ms };
    this.pending.push(entry);
    return entry;
  }
  clearTimeout(handle: unknown) {
    this.pending = this.pending.filter((entry) => entry !== handle);
  }
  runNext() {
    const entry = this.pending.shift();
    entry?.callback();
    return entry?.ms;
  }
}

function setup(url: () => string = () => '/api/events') {
  const sources: FakeEventSource[] = [];
  const timers = new FakeTimers();
  const statuses: StreamStatus[] = [];
  const received: unknown[] = [];
  let reconnects = 0;
  const subscription = subscribe({
    url,
    handlers: { job: (data) => received.push(data) },
    onStatus: (status) => statuses.push(status),
    onReconnect: () => reconnects++,
    factory: (u) => {
      const source = new FakeEventSource(u);
      sources.push(source);
      return source;
    },
    timers,
    backoff: { random: () => 0 },
  });
  return { sources, timers, statuses, received, subscription, reconnects: () => reconnects };
}

describe('subscribe', () => {
  it('delivers events as parsed JSON once open', () => {
    const t = setup();
    t.sources[0].open();
    t.sources[0].emit('job', '{"id": 4, "state": "RUNNING"}');
    expect(t.received).toEqual([{ id: 4, state: 'RUNNING' }]);
    expect(t.statuses).toEqual(['connecting', 'open']);
    expect(t.reconnects()).toBe(0);
  });

  it("lets the browser retry a dropped stream and asks for a refetch when it is back", () => {
    const t = setup();
    t.sources[0].open();
    t.sources[0].fail(false);
    expect(t.statuses.at(-1)).toBe('reconnecting');
    expect(t.timers.pending).toHaveLength(0);
    t.sources[0].open();
    expect(t.sources).toHaveLength(1);
    expect(t.statuses.at(-1)).toBe('open');
    expect(t.reconnects()).toBe(1);
  });

  it('opens a new stream with growing delays when the browser gives up, and resets after success', () => {
    let offset = 0;
    const t = setup(() => `/api/jobs/1/logs/stream?stream=stdout&offset=${offset}`);
    t.sources[0].open();
    offset = 120;
    t.sources[0].fail(true);
    expect(t.sources[0].closed).toBe(true);
    expect(t.timers.runNext()).toBe(500);
    expect(t.sources[1].url).toBe('/api/jobs/1/logs/stream?stream=stdout&offset=120');
    t.sources[1].fail(true);
    expect(t.timers.runNext()).toBe(1000);
    t.sources[2].fail(true);
    expect(t.timers.runNext()).toBe(2000);
    t.sources[3].open();
    expect(t.reconnects()).toBe(1);
    t.sources[3].fail(true);
    expect(t.timers.runNext()).toBe(500);
  });

  it('ignores events from a replaced stream and stops everything on close', () => {
    const t = setup();
    t.sources[0].open();
    t.sources[0].fail(true);
    t.sources[0].emit('job', '{"id": 1}');
    expect(t.received).toEqual([]);
    t.subscription.close();
    expect(t.timers.pending).toHaveLength(0);
    expect(t.statuses.at(-1)).toBe('closed');
  });

  it('passes data that is not JSON as a string', () => {
    const t = setup();
    t.sources[0].open();
    t.sources[0].emit('job', 'not json');
    expect(t.received).toEqual(['not json']);
  });
});

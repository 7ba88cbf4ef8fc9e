// Server-Sent Events with reconnection. The browser's EventSource retries by itself after a
// dropped stream, but gives up (readyState CLOSED) when a reconnect gets a non-200 answer, e.g.
// a 502 while the server restarts; then we open a new one after a backoff delay. Every time a
// stream opens again after a failure, `onReconnect` runs so callers refetch what they show
// (events sent while away are lost).
import { backoffDelay, type BackoffOptions } from '../lib/backoff';

export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onerror: ((event: Event) => void) | null;
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SubscribeOptions {
  // Called at each (re)connection, so a stream can resume where it stopped.
  url: () => string;
  // Handlers by event name; `data` is the event's data parsed as JSON (the raw string if not).
  handlers: Record<string, (data: unknown, event: MessageEvent) => void>;
  onStatus?: (status: StreamStatus) => void;
  onReconnect?: () => void;
  factory?: EventSourceFactory;
  timers?: Timers;
  backoff?: BackoffOptions;
}

const CLOSED = 2;

const defaultFactory: EventSourceFactory = (url) => new EventSource(url, { withCredentials: true });

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Subscription {
  close(): void;
}

export function subscribe(options: SubscribeOptions): Subscription {
  const factory = options.factory ?? defaultFactory;
  const timers = options.timers ?? defaultTimers;
  let source: EventSourceLike | null = null;
  let timer: unknown = null;
  let attempt = 0;
  let failed = false;
  let stopped = false;
  let status: StreamStatus | null = null;

  const setStatus = (next: StreamStatus) => {
    if (next === status) return;
    status = next;
    options.onStatus?.(next);
  };

  const open = () => {
    timer = null;
    if (stopped) return;
    setStatus(failed ? 'reconnecting' : 'connecting');
    const current = factory(options.url());
    source = current;
    current.onopen = () => {
      if (stopped || source !== current) return;
      attempt = 0;
      setStatus('open');
      if (failed) {
        failed = false;
        options.onReconnect?.();
      }
    };
    current.onerror = () => {
      if (stopped || source !== current) return;
      failed = true;
      setStatus('reconnecting');
      if (current.readyState === CLOSED) {
        current.close();
        source = null;
        timer = timers.setTimeout(open, backoffDelay(attempt++, options.backoff));
      }
    };
    for (const [name, handler] of Object.entries(options.handlers)) {
      current.addEventListener(name, (event) => {
        if (stopped || source !== current) return;
        handler(parseData(event.data), event);
      });
    }
  };

  open();
  return {
    close() {
      stopped = true;
      if (timer !== null) timers.clearTimeout(timer);
      source?.close();
      source = null;
      setStatus('closed');
    },
  };
}

function parseData(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

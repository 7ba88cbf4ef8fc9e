// The app's one connection to GET /api/events, shared by every view: job changes, GPU
// availability refreshes, and a signal to refetch after the stream was away.
import { EVENTS_URL } from './index';
import { subscribe, type StreamStatus, type Subscription } from './events';
import type { Availability, Job } from './types';

type Listener<T> = (value: T) => void;

export class LiveHub {
  private subscription: Subscription | null = null;
  private readonly jobListeners = new Set<Listener<Job>>();
  private readonly gpuListeners = new Set<Listener<Availability>>();
  private readonly reconnectListeners = new Set<() => void>();

  constructor(private readonly onStatus: (status: StreamStatus) => void) {}

  start(): void {
    if (this.subscription) return;
    this.subscription = subscribe({
      url: () => EVENTS_URL,
      handlers: {
        job: (data) => {
          if (data && typeof data === 'object') for (const listener of [...this.jobListeners]) listener(data as Job);
        },
        gpus: (data) => {
          if (data && typeof data === 'object') for (const listener of [...this.gpuListeners]) listener(data as Availability);
        },
      },
      onStatus: this.onStatus,
      onReconnect: () => this.reconnected(),
    });
  }

  stop(): void {
    this.subscription?.close();
    this.subscription = null;
  }

  // Asks every view to refetch, e.g. after the API answered again following an outage.
  reconnected(): void {
    for (const listener of [...this.reconnectListeners]) listener();
  }

  onJob(listener: Listener<Job>): () => void {
    this.jobListeners.add(listener);
    return () => this.jobListeners.delete(listener);
  }

  onGpus(listener: Listener<Availability>): () => void {
    this.gpuListeners.add(listener);
    return () => this.gpuListeners.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }
}

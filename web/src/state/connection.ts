// Whether the server is reachable, from the API client's calls and the live event stream, for
// the "reconnecting…" banner.
import type { StreamStatus } from '../api/events';
import { createStore } from '../lib/store';

export interface Connection {
  reachable: boolean;
  live: StreamStatus;
}

export const connection = createStore<Connection>({ reachable: true, live: 'connecting' });

export function setReachable(reachable: boolean): void {
  connection.set((previous) => (previous.reachable === reachable ? previous : { ...previous, reachable }));
}

export function setLiveStatus(live: StreamStatus): void {
  connection.set((previous) => (previous.live === live ? previous : { ...previous, live }));
}

import { createContext, useContext, useEffect, useRef } from 'react';
import type { LiveHub } from '../api/live';
import type { Availability, Job } from '../api/types';

export const LiveContext = createContext<LiveHub | null>(null);

function useHub(): LiveHub | null {
  return useContext(LiveContext);
}

// Calls `listener` for every job change the server announces, while mounted.
export function useJobEvents(listener: (job: Job) => void): void {
  const hub = useHub();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => hub?.onJob((job) => latest.current(job)), [hub]);
}

export function useGpuEvents(listener: (availability: Availability) => void): void {
  const hub = useHub();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => hub?.onGpus((availability) => latest.current(availability)), [hub]);
}

// Calls `listener` when the live stream (or the server) is back after being away.
export function useReconnect(listener: () => void): void {
  const hub = useHub();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => hub?.onReconnect(() => latest.current()), [hub]);
}

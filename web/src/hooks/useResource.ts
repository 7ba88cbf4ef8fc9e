// Loads data for a view: loading and error states, retry with backoff while the server is
// away, and a refetch when the live stream comes back after an outage.
import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { ApiError } from '../api/client';
import { backoffDelay } from '../lib/backoff';
import { useReconnect } from './useLive';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  // Loads again, keeping the data shown meanwhile.
  reload: () => void;
  // Replaces the data (e.g. from a live event or an action's answer).
  setData: (update: T | ((previous: T | undefined) => T | undefined)) => void;
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'internal', error instanceof Error ? error.message : String(error));
}

export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // New dependencies: a different thing is shown, so forget the old data.
  useEffect(() => {
    setData(undefined);
    setError(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const run = () => {
      setLoading(true);
      loadRef.current(controller.signal).then(
        (value) => {
          if (controller.signal.aborted) return;
          setData(value);
          setError(null);
          setLoading(false);
        },
        (reason: unknown) => {
          if (controller.signal.aborted) return;
          const failure = asApiError(reason);
          setError(failure);
          if (failure.unreachable) {
            timer = setTimeout(run, backoffDelay(attempt++));
          } else {
            setLoading(false);
          }
        },
      );
    };
    run();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  useReconnect(reload);
  return { data, error, loading, reload, setData };
}

export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

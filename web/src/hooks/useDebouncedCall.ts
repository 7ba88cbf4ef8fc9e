// Calls `call` with `input` once it has stopped changing for `ms`, keeping only the answer to
// the latest input (an older answer arriving late is dropped).
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';

export interface DebouncedCall<T> {
  data: T | undefined;
  error: ApiError | null;
  pending: boolean;
}

export function useDebouncedCall<I, T>(input: I | null, call: (input: I) => Promise<T>, ms = 400): DebouncedCall<T> {
  const [state, setState] = useState<DebouncedCall<T>>({ data: undefined, error: null, pending: false });
  const sequence = useRef(0);
  const callRef = useRef(call);
  callRef.current = call;
  const key = input === null ? null : JSON.stringify(input);
  useEffect(() => {
    const mine = ++sequence.current;
    if (key === null) {
      setState({ data: undefined, error: null, pending: false });
      return;
    }
    setState((previous) => ({ ...previous, pending: true }));
    const timer = setTimeout(() => {
      callRef.current(JSON.parse(key) as I).then(
        (data) => {
          if (mine === sequence.current) setState({ data, error: null, pending: false });
        },
        (error: unknown) => {
          if (mine !== sequence.current) return;
          const failure = error instanceof ApiError ? error : new ApiError(0, 'internal', String(error));
          setState({ data: undefined, error: failure, pending: false });
        },
      );
    }, ms);
    return () => clearTimeout(timer);
  }, [key, ms]);
  return state;
}

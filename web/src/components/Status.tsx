import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';

export function Loading({ what = 'Loading', testId = 'loading' }: { what?: string; testId?: string }) {
  return (
    <div data-testid={testId} className="flex items-center gap-2 py-6 text-sm text-slate-500" role="status">
      <span className="h-3 w-3 animate-spin rounded-full border-2 border-slate-300 border-t-sky-600" />
      {what}…
    </div>
  );
}

// The server's message, never a generic one; a retry button when given.
export function ErrorBox({ error, onRetry, testId = 'error' }: { error: ApiError | Error | string; onRetry?: () => void; testId?: string }) {
  const message = typeof error === 'string' ? error : error.message;
  const code = typeof error === 'object' && 'code' in error ? error.code : null;
  const retrying = typeof error === 'object' && 'unreachable' in error && error.unreachable;
  return (
    <div data-testid={testId} role="alert" className="my-2 rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-900">
      <p className="whitespace-pre-wrap break-words">{message}</p>
      <div className="mt-1 flex flex-wrap items-center gap-3 text-xs text-rose-700">
        {code && <span className="font-mono">{code}</span>}
        {retrying && <span>retrying…</span>}
        {onRetry && !retrying && (
          <button type="button" className="btn py-0.5 text-xs" onClick={onRetry} data-testid={`${testId}-retry`}>
            Try again
          </button>
        )}
      </div>
    </div>
  );
}

export function Empty({ children, testId = 'empty' }: { children: ReactNode; testId?: string }) {
  return (
    <div data-testid={testId} className="rounded-md border border-dashed border-slate-300 px-3 py-6 text-center text-sm text-slate-500">
      {children}
    </div>
  );
}

export function Notice({ tone, children, testId }: { tone: 'warn' | 'info' | 'ok'; children: ReactNode; testId?: string }) {
  const classes = {
    warn: 'border-amber-300 bg-amber-50 text-amber-900',
    info: 'border-sky-200 bg-sky-50 text-sky-900',
    ok: 'border-emerald-200 bg-emerald-50 text-emerald-900',
  }[tone];
  return (
    <div data-testid={testId} className={`my-2 rounded-md border p-2 text-sm ${classes}`}>
      {children}
    </div>
  );
}

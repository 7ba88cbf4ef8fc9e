// A job's log: the tail, then live growth over Server-Sent Events (resuming at the last byte
// after a reconnect), with follow (auto-scroll) and search that highlights matches as text.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api, logStreamUrl } from '../api';
import { ApiError } from '../api/client';
import { subscribe } from '../api/events';
import type { LogStream } from '../api/types';
import { applyChunk, highlight, type Chunk, type LogState } from '../lib/logs';
import { ErrorBox } from './Status';

type Phase = 'loading' | 'live' | 'ended' | 'idle';

function useLog(jobId: number, stream: LogStream, active: boolean) {
  const [log, setLog] = useState<LogState>({ text: '', nextOffset: 0, trimmed: false });
  const [startOffset, setStartOffset] = useState(0);
  const [path, setPath] = useState('');
  const [phase, setPhase] = useState<Phase>('loading');
  const [error, setError] = useState<ApiError | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let stopped = false;
    let offset = 0;
    let subscription: { close(): void } | null = null;
    setPhase('loading');
    setError(null);
    const follow = () => {
      if (stopped) return;
      setPhase('live');
      subscription = subscribe({
        url: () => logStreamUrl(jobId, stream, offset),
        handlers: {
          log: (data) => {
            const chunk = data as Chunk;
            if (typeof chunk !== 'object' || chunk === null || typeof chunk.next_offset !== 'number') return;
            offset = Math.max(offset, chunk.next_offset);
            setLog((previous) => applyChunk(previous, chunk));
          },
          end: () => {
            subscription?.close();
            setPhase('ended');
          },
        },
      });
    };
    api.jobs.logs(jobId, stream).then(
      (tail) => {
        if (stopped) return;
        offset = tail.next_offset;
        setPath(tail.path);
        setStartOffset(tail.offset);
        setLog({ text: tail.text, nextOffset: tail.next_offset, trimmed: false });
        follow();
      },
      (failure: ApiError) => {
        if (stopped) return;
        setLog({ text: '', nextOffset: 0, trimmed: false });
        setStartOffset(0);
        if (failure.code === 'not_found' && active) {
          follow();
        } else {
          setError(failure);
          setPhase('idle');
        }
      },
    );
    return () => {
      stopped = true;
      subscription?.close();
    };
    // `active` only matters when starting: a job that ends closes the stream itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [jobId, stream, generation]);

  return { log, startOffset, path, phase, error, reload: () => setGeneration((n) => n + 1) };
}

export function LogViewer({ jobId, active }: { jobId: number; active: boolean }) {
  const [stream, setStream] = useState<LogStream>('stdout');
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const { log, startOffset, path, phase, error, reload } = useLog(jobId, stream, active);
  const box = useRef<HTMLPreElement>(null);
  const { segments, count } = useMemo(() => highlight(log.text, query), [log.text, query]);

  useLayoutEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [log.text, follow]);

  useEffect(() => {
    if (!query || !box.current) return;
    box.current.querySelector('mark')?.scrollIntoView({ block: 'center' });
  }, [query]);

  const onScroll = () => {
    const element = box.current;
    if (!element) return;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
    if (!atBottom && follow) setFollow(false);
  };

  return (
    <section className="card" data-testid="job-logs">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <h2 className="mr-2 text-base font-semibold">Log</h2>
        <div className="inline-flex overflow-hidden rounded-md border border-slate-300" role="tablist">
          {(['stdout', 'stderr'] as const).map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={stream === name}
              className={`px-2 py-1 text-xs font-medium ${stream === name ? 'bg-slate-800 text-white' : 'bg-white text-slate-700'}`}
              onClick={() => setStream(name)}
              data-testid={`log-stream-${name}`}
            >
              {name}
            </button>
          ))}
        </div>
        <label className="flex items-center gap-1 text-sm">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} data-testid="log-follow" />
          follow
        </label>
        <input className="input w-40 flex-1" type="search" placeholder="Search the log" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="log-search" />
        {query && (
          <span className="text-xs text-slate-600" data-testid="log-match-count">
            {count} match{count === 1 ? '' : 'es'}
          </span>
        )}
        <span className="text-xs text-slate-500" data-testid="log-status">
          {phase === 'live' ? '● live' : phase === 'ended' ? 'complete' : phase === 'loading' ? 'loading…' : ''}
        </span>
      </div>
      {path && <p className="mb-1 break-all font-mono text-[11px] text-slate-500">{path}</p>}
      {(startOffset > 0 || log.trimmed) && (
        <p className="mb-1 text-xs text-slate-500">Earlier output not shown (the view starts at byte {startOffset > 0 ? startOffset : 'later'}).</p>
      )}
      {error && <ErrorBox error={error} onRetry={reload} testId="log-error" />}
      <pre ref={box} onScroll={onScroll} className="code-block max-h-[32rem] min-h-[8rem] whitespace-pre-wrap break-all" data-testid="job-log">
        {query
          ? segments.map((segment, index) =>
              segment.match ? (
                <mark key={index} className="rounded-sm bg-yellow-300 text-slate-900">
                  {segment.text}
                </mark>
              ) : (
                <span key={index}>{segment.text}</span>
              ),
            )
          : log.text}
        {!log.text && phase !== 'loading' && !error && <span className="text-slate-400">{active ? 'No output yet.' : 'The log is empty.'}</span>}
      </pre>
    </section>
  );
}

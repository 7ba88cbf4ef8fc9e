import { useState, type ReactNode } from 'react';
import { api } from '../api';
import type { ApiError } from '../api/client';
import type { Job, JobEvent, JobStatus } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { CopyBlock } from '../components/CopyBlock';
import { JobTable } from '../components/JobTable';
import { Link } from '../components/Link';
import { LogViewer } from '../components/LogViewer';
import { StateBadge } from '../components/StateBadge';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { useJobEvents } from '../hooks/useLive';
import { navigate } from '../hooks/useRoute';
import { useResource } from '../hooks/useResource';
import { formatDuration, formatMinutes, isActive, jobStateLabel, shellJoin, shortCommit } from '../lib/format';
import { paths } from '../lib/router';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}

function statusText(status: JobStatus): string {
  return jobStateLabel(status) + (status.reason && status.reason !== 'None' ? ` (${status.reason})` : '');
}

function Timeline({ events }: { events: JobEvent[] }) {
  if (events.length === 0) return <Empty>No state changes recorded yet.</Empty>;
  return (
    <ol className="relative ml-2 border-l border-slate-300" data-testid="job-timeline">
      {events.map((event, index) => (
        <li key={index} className="mb-3 ml-4" data-testid="job-event">
          <span className="absolute -left-1.5 mt-1 h-3 w-3 rounded-full border border-white bg-sky-600" />
          <time className="block text-xs text-slate-500" dateTime={event.at}>
            {new Date(event.at).toLocaleString()}
          </time>
          <span className="font-mono text-sm">
            {event.from ? `${statusText(event.from)} → ` : ''}
            <strong>{statusText(event.to)}</strong>
          </span>
          {event.detail && <p className="text-xs text-slate-600">{event.detail}</p>}
        </li>
      ))}
    </ol>
  );
}

function SweepSiblings({ job }: { job: Job }) {
  const siblings = useResource(
    () => api.jobs.list({ project_id: job.project_id, sweep_id: job.sweep_id ?? undefined, limit: 1000 }),
    [job.project_id, job.sweep_id],
  );
  useJobEvents((changed) => {
    if (String(changed.sweep_id) === String(job.sweep_id) && siblings.data) {
      const items = siblings.data.items.map((item) => (item.id === changed.id ? changed : item));
      siblings.setData({ ...siblings.data, items });
    }
  });
  const items = (siblings.data?.items ?? [])
    .filter((item) => String(item.sweep_id) === String(job.sweep_id))
    .sort((a, b) => (a.array_task_index ?? 0) - (b.array_task_index ?? 0));
  return (
    <section className="card" data-testid="job-sweep">
      <h2 className="card-title">
        Sweep {String(job.sweep_id)} <span className="text-sm font-normal text-slate-500">· task {job.array_task_index ?? '?'} of {items.length || '…'}</span>
      </h2>
      {siblings.error && <ErrorBox error={siblings.error} onRetry={siblings.reload} />}
      {!siblings.data && siblings.loading && <Loading what="Loading the sweep's tasks" />}
      {items.length > 0 && <JobTable jobs={items} showProject={false} />}
    </section>
  );
}

function Script({ id }: { id: number }) {
  const [open, setOpen] = useState(false);
  const script = useResource(() => (open ? api.jobs.script(id) : Promise.resolve(null)), [id, open]);
  return (
    <details className="card" onToggle={(event) => setOpen((event.target as HTMLDetailsElement).open)} data-testid="job-script-section">
      <summary className="cursor-pointer font-semibold">sbatch script</summary>
      <div className="mt-2">
        {script.error && <ErrorBox error={script.error} onRetry={script.reload} />}
        {open && !script.data && script.loading && <Loading what="Loading the script" />}
        {script.data && <CopyBlock text={script.data.script} testId="job-script" />}
      </div>
    </details>
  );
}

export function JobPage({ id }: { id: number }) {
  const job = useResource(() => api.jobs.get(id), [id]);
  const events = useResource(() => api.jobs.events(id), [id]);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  useJobEvents((changed) => {
    if (changed.id !== id) return;
    job.setData(changed);
    events.reload();
  });

  if (!job.data) {
    if (job.error) return <ErrorBox error={job.error} onRetry={job.reload} testId="job-error" />;
    return <Loading what="Loading the job" />;
  }
  const data = job.data;
  const active = isActive(data);
  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setActionError(null);
    try {
      await action();
    } catch (failure) {
      setActionError(failure as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const r = data.resources;
  const totalGpus = (r.gpus_per_node ?? 0) * (r.nodes ?? 1);

  return (
    <div className="space-y-4" data-testid="job-page">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="flex flex-wrap items-center gap-2 text-xl font-semibold">
            <span>#{data.id}</span>
            <span className="break-all" data-testid="job-name">
              {data.name}
            </span>
            <StateBadge job={data} />
          </h1>
          <p className="text-sm text-slate-600">
            <Link href={paths.project(data.project_id)} className="link">
              {data.project}
            </Link>{' '}
            on{' '}
            <Link href={paths.cluster(data.cluster)} className="link">
              {data.cluster}
            </Link>
            {data.slurm_job_id !== null && <span className="font-mono"> · SLURM {data.slurm_job_id}</span>}
            {data.rerun_of !== null && (
              <>
                {' '}
                · rerun of{' '}
                <Link href={paths.job(data.rerun_of)} className="link">
                  #{data.rerun_of}
                </Link>
              </>
            )}
          </p>
          {data.reason && data.reason !== 'None' && (
            <p className="text-sm text-slate-700" data-testid="job-reason">
              Reason: {data.reason}
            </p>
          )}
          {data.exit_code !== null && (
            <p className="text-sm text-slate-700" data-testid="job-exit-code">
              Exit code {data.exit_code}
              {data.signal ? `, signal ${data.signal}` : ''}
              {data.cancelled_by ? ` · cancelled by ${data.cancelled_by}` : ''}
            </p>
          )}
        </div>
        <div className="flex flex-wrap gap-2">
          <button type="button" className="btn" disabled={busy} onClick={() => act(async () => job.setData(await api.jobs.refresh(id)))} data-testid="job-refresh">
            Refresh status
          </button>
          {active && (
            <ConfirmButton
              label="Cancel"
              question="Cancel this job on the cluster?"
              confirmLabel="Cancel job"
              onConfirm={() => act(async () => job.setData(await api.jobs.cancel(id)))}
              testId="job-cancel"
            />
          )}
          <ConfirmButton
            label="Rerun"
            question="Submit again with exactly this code and resources?"
            confirmLabel="Rerun"
            danger={false}
            onConfirm={() =>
              act(async () => {
                const rerun = await api.jobs.rerun(id);
                navigate(paths.job(rerun.id));
              })
            }
            testId="job-rerun"
          />
          {!active && (
            <ConfirmButton
              label="Remove"
              question="Forget this job? Its files on the cluster stay."
              confirmLabel="Remove"
              onConfirm={() =>
                act(async () => {
                  await api.jobs.remove(id);
                  navigate(paths.project(data.project_id));
                })
              }
              testId="job-delete"
            />
          )}
        </div>
      </div>
      {actionError && <ErrorBox error={actionError} testId="job-action-error" />}
      {job.error && <ErrorBox error={job.error} onRetry={job.reload} />}

      {data.wandb_urls.length > 0 && (
        <section className="card" data-testid="job-wandb">
          <h2 className="card-title">Weights &amp; Biases</h2>
          <ul className="space-y-1">
            {data.wandb_urls.map((url) => (
              <li key={url}>
                {/^https?:\/\//.test(url) ? (
                  <a href={url} target="_blank" rel="noopener noreferrer" className="link break-all" data-testid="job-wandb-link">
                    {url}
                  </a>
                ) : (
                  <span className="break-all font-mono text-sm">{url}</span>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      {data.sweep_id !== null && data.sweep_id !== undefined && <SweepSiblings job={data} />}

      <LogViewer key={id} jobId={id} active={active} />

      <div className="grid gap-4 md:grid-cols-2">
        <section className="card">
          <h2 className="card-title">Timeline</h2>
          {events.error && <ErrorBox error={events.error} onRetry={events.reload} />}
          {!events.data && events.loading && <Loading what="Loading events" />}
          {events.data && <Timeline events={events.data} />}
        </section>
        <section className="card" data-testid="job-resources">
          <h2 className="card-title">Resources</h2>
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            <Row label="Partition">{r.partition ?? 'default'}</Row>
            <Row label="GPUs">{r.gpus_per_node ? `${totalGpus} × ${r.gpu_type ?? 'any type'} (${r.gpus_per_node} per node × ${r.nodes ?? 1})` : 'none'}</Row>
            <Row label="Nodes">{data.nodes ?? r.nodes ?? 1}</Row>
            <Row label="CPUs per task">{r.cpus_per_task ?? 'default'}</Row>
            <Row label="Memory">{r.memory ?? 'default'}</Row>
            <Row label="Time limit">{formatMinutes(r.time_limit_minutes)}</Row>
            {r.account && <Row label="Account">{r.account}</Row>}
            {r.qos && <Row label="QOS">{r.qos}</Row>}
            {r.constraint && <Row label="Constraint">{r.constraint}</Row>}
            <Row label="Elapsed">{formatDuration(data.elapsed_seconds)}</Row>
            <Row label="Submitted">{data.submitted_at ? new Date(data.submitted_at).toLocaleString() : '—'}</Row>
            <Row label="Started">{data.started_at ? new Date(data.started_at).toLocaleString() : '—'}</Row>
            <Row label="Ended">{data.ended_at ? new Date(data.ended_at).toLocaleString() : '—'}</Row>
          </dl>
        </section>
        <section className="card" data-testid="job-code">
          <h2 className="card-title">Code</h2>
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            <Row label="Mode">
              <span className="font-mono" data-testid="job-code-mode">
                {data.code.mode}
              </span>
            </Row>
            <Row label="Commit">
              <span className="font-mono" title={data.code.commit}>
                {shortCommit(data.code.commit)}
              </span>
            </Row>
            {data.code.snapshot_hash && (
              <Row label="Snapshot">
                <span className="break-all font-mono text-xs">{data.code.snapshot_hash}</span>
              </Row>
            )}
          </dl>
          {data.code.changed_files.length > 0 && (
            <>
              <p className="mt-2 text-xs text-slate-600">With uncommitted changes to:</p>
              <ul className="max-h-40 overflow-auto font-mono text-xs">
                {data.code.changed_files.map((file) => (
                  <li key={file} className="break-all">
                    {file}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
        <section className="card" data-testid="job-command">
          <h2 className="card-title">Command</h2>
          <CopyBlock text={[data.command, ...data.arguments.map((argument) => shellJoin([argument]))].join(' ')} testId="job-command-text" />
          <p className="mt-2 text-xs text-slate-500">
            Job key <span className="font-mono">{data.submission_key}</span>
          </p>
        </section>
      </div>
      <Script id={id} />
    </div>
  );
}

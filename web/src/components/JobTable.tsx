import type { Job } from '../api/types';
import { formatDuration, timeAgo } from '../lib/format';
import { paths } from '../lib/router';
import { Link } from './Link';
import { StateBadge } from './StateBadge';

export function gpuText(job: Job): string {
  const r = job.resources;
  if (!r.gpus_per_node) return '—';
  const nodes = r.nodes ?? 1;
  return `${r.gpus_per_node * nodes}× ${r.gpu_type ?? 'GPU'}`;
}

export function JobTable({ jobs, showProject = true }: { jobs: Job[]; showProject?: boolean }) {
  return (
    <div className="-mx-2 overflow-x-auto">
      <table className="table-basic" data-testid="job-table">
        <thead>
          <tr>
            <th>Job</th>
            <th>State</th>
            {showProject && <th className="hidden sm:table-cell">Project</th>}
            <th className="hidden md:table-cell">Cluster</th>
            <th className="hidden md:table-cell">GPUs</th>
            <th className="hidden sm:table-cell">Created</th>
            <th className="hidden lg:table-cell">Elapsed</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} data-testid={`job-row-${job.id}`} className="hover:bg-slate-50">
              <td className="max-w-[14rem]">
                <Link href={paths.job(job.id)} className="link font-medium" data-testid="job-link">
                  #{job.id}
                </Link>{' '}
                <span className="break-all text-slate-700">{job.name}</span>
                {job.array_task_index !== null && job.array_task_index !== undefined && (
                  <span className="ml-1 text-xs text-slate-500">task {job.array_task_index}</span>
                )}
              </td>
              <td>
                <StateBadge job={job} />
                {job.reason && job.state === 'PENDING' && <div className="text-xs text-slate-500">{job.reason}</div>}
              </td>
              {showProject && (
                <td className="hidden sm:table-cell">
                  <Link href={paths.project(job.project_id)} className="link">
                    {job.project}
                  </Link>
                </td>
              )}
              <td className="hidden md:table-cell">{job.cluster}</td>
              <td className="hidden whitespace-nowrap md:table-cell">{gpuText(job)}</td>
              <td className="hidden whitespace-nowrap sm:table-cell" title={job.created_at ?? undefined}>
                {timeAgo(job.created_at)}
              </td>
              <td className="hidden whitespace-nowrap lg:table-cell">{formatDuration(job.elapsed_seconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// A filtered, paginated list of jobs kept current by the live event stream.
import { useState } from 'react';
import { api } from '../api';
import type { Cluster, Job, JobFilter } from '../api/types';
import { useJobEvents } from '../hooks/useLive';
import { useResource } from '../hooks/useResource';
import { JobTable } from './JobTable';
import { Pagination } from './Pagination';
import { Empty, ErrorBox, Loading } from './Status';

export const STATE_FILTERS = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED'];

function matches(job: Job, filter: JobFilter): boolean {
  if (filter.project_id !== undefined && job.project_id !== filter.project_id) return false;
  if (filter.cluster && job.cluster !== filter.cluster) return false;
  if (filter.state && job.state !== filter.state) return false;
  if (filter.sweep_id !== undefined && String(job.sweep_id) !== String(filter.sweep_id)) return false;
  return true;
}

export function JobList({
  base = {},
  limit = 50,
  filters = true,
  clusters = [],
  showProject = true,
  emptyText = 'No jobs yet.',
}: {
  base?: JobFilter;
  limit?: number;
  filters?: boolean;
  clusters?: Cluster[];
  showProject?: boolean;
  emptyText?: string;
}) {
  const [state, setState] = useState('');
  const [cluster, setCluster] = useState('');
  const [offset, setOffset] = useState(0);
  const filter: JobFilter = { ...base, ...(state ? { state } : {}), ...(cluster ? { cluster } : {}) };
  const key = JSON.stringify(filter);
  const jobs = useResource((signal) => api.jobs.list({ ...filter, limit, offset }, signal), [key, offset, limit]);

  useJobEvents((job) => {
    const page = jobs.data;
    if (!page) return;
    const index = page.items.findIndex((item) => item.id === job.id);
    if (index >= 0) {
      if (!matches(job, filter)) {
        jobs.reload();
        return;
      }
      const items = page.items.slice();
      items[index] = job;
      jobs.setData({ ...page, items });
    } else if (offset === 0 && matches(job, filter)) {
      jobs.reload();
    }
  });

  return (
    <div>
      {filters && (
        <div className="mb-3 flex flex-wrap gap-2">
          <select
            className="input w-auto"
            value={state}
            onChange={(event) => {
              setState(event.target.value);
              setOffset(0);
            }}
            aria-label="Filter by state"
            data-testid="job-filter-state"
          >
            <option value="">Any state</option>
            {STATE_FILTERS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          {clusters.length > 1 && (
            <select
              className="input w-auto"
              value={cluster}
              onChange={(event) => {
                setCluster(event.target.value);
                setOffset(0);
              }}
              aria-label="Filter by cluster"
              data-testid="job-filter-cluster"
            >
              <option value="">Any cluster</option>
              {clusters.map((entry) => (
                <option key={entry.name} value={entry.name}>
                  {entry.name}
                </option>
              ))}
            </select>
          )}
        </div>
      )}
      {jobs.error && <ErrorBox error={jobs.error} onRetry={jobs.reload} testId="jobs-error" />}
      {!jobs.data && jobs.loading && <Loading what="Loading jobs" />}
      {jobs.data && jobs.data.items.length === 0 && (
        <Empty testId="jobs-empty">{state || cluster ? 'No jobs match these filters.' : emptyText}</Empty>
      )}
      {jobs.data && jobs.data.items.length > 0 && (
        <>
          <JobTable jobs={jobs.data.items} showProject={showProject} />
          <Pagination offset={offset} limit={limit} total={jobs.data.total} onChange={setOffset} />
        </>
      )}
    </div>
  );
}

// A filtered, paginated list of jobs kept current by the live event stream.
import { useState } from 'react';
import { api } from '../api';
import type { Cluster, JobFilter } from '../api/types';
import { useJobEvents } from '../hooks/useLive';
import { useResource } from '../hooks/useResource';
import { applyJobEvent } from '../lib/jobs';
import { JobTable } from './JobTable';
import { Pagination } from './Pagination';
import { Empty, ErrorBox, Loading } from './Status';

export const STATE_FILTERS = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED'];

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
    if (!jobs.data) return;
    const next = applyJobEvent(jobs.data, job, filter, offset);
    if (next === 'reload') jobs.reload();
    else if (next) jobs.setData(next);
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

import { api } from '../api';
import { JobList } from '../components/JobList';
import { useResource } from '../hooks/useResource';

export function JobsPage() {
  const clusters = useResource(() => api.clusters.list(), []);
  return (
    <div>
      <h1 className="mb-3 text-xl font-semibold">Jobs</h1>
      <div className="card">
        <JobList clusters={clusters.data ?? []} />
      </div>
    </div>
  );
}

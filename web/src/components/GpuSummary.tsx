import { api } from '../api';
import type { Availability, Cluster } from '../api/types';
import { useGpuEvents } from '../hooks/useLive';
import { useResource } from '../hooks/useResource';
import { allowed, clusterSummary } from '../lib/availability';
import { paths } from '../lib/router';
import { Link } from './Link';
import { ErrorBox } from './Status';

function ageText(availability: Availability): string {
  if (availability.queried_at === null) return availability.refreshing ? 'asking the cluster…' : 'not asked yet';
  const age = availability.age_seconds;
  const when = age === null || age === undefined ? '' : age < 60 ? `${Math.round(age)} s ago` : `${Math.round(age / 60)} min ago`;
  return `${when}${availability.refreshing ? ' · refreshing' : ''}`;
}

// Availability of one cluster, kept current by the live stream.
export function useAvailability(name: string) {
  const resource = useResource(() => api.clusters.availability(name), [name]);
  useGpuEvents((availability) => {
    if (availability.cluster === name) resource.setData(availability);
  });
  return resource;
}

export function GpuSummary({ cluster }: { cluster: Cluster }) {
  const availability = useAvailability(cluster.name);
  const data = availability.data;
  return (
    <div className="card" data-testid={`gpu-summary-${cluster.name}`}>
      <div className="mb-2 flex items-baseline justify-between gap-2">
        <Link href={paths.cluster(cluster.name)} className="link font-semibold">
          {cluster.name}
        </Link>
        {data && <span className="text-xs text-slate-500">{ageText(data)}</span>}
      </div>
      {availability.error && !data && <ErrorBox error={availability.error} onRetry={availability.reload} />}
      {!data && !availability.error && <p className="text-sm text-slate-500">Loading…</p>}
      {data && data.queried_at !== null && (
        <>
          <p className="text-2xl font-semibold" data-testid="gpu-summary-free">
            {clusterSummary(data).free}
            <span className="text-sm font-normal text-slate-500"> free of {clusterSummary(data).total} GPUs</span>
          </p>
          {clusterSummary(data).pending > 0 && (
            <p className="text-xs text-amber-800">{clusterSummary(data).pending} GPUs asked for by pending jobs</p>
          )}
          <ul className="mt-2 space-y-0.5 text-sm">
            {allowed(data.gpu_types, cluster.allowed_gpu_types, (t) => t.type).map((type) => (
              <li key={type.type} className="flex justify-between gap-2">
                <span className="font-mono">{type.type}</span>
                <span className="text-slate-600">
                  {type.free}/{type.total} free{type.pending > 0 ? ` · ${type.pending} pending` : ''}
                </span>
              </li>
            ))}
            {data.gpu_types.length === 0 && <li className="text-slate-500">No GPUs reported.</li>}
          </ul>
        </>
      )}
    </div>
  );
}

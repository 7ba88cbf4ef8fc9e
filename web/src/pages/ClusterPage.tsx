import { api } from '../api';
import { ConnectionTest } from '../components/ConnectionTest';
import { useAvailability } from '../components/GpuSummary';
import { GpuGrid, GpuLegend } from '../components/GpuGrid';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { useGpuEvents } from '../hooks/useLive';
import { useResource } from '../hooks/useResource';
import { allowed } from '../lib/availability';
import { formatMinutes } from '../lib/format';

export function ClusterPage({ name }: { name: string }) {
  const clusters = useResource(() => api.clusters.list(), []);
  const nodes = useResource(() => api.clusters.nodes(name), [name]);
  const partitions = useResource(() => api.clusters.partitions(name), [name]);
  const availability = useAvailability(name);
  // A fresh availability query means the nodes changed too.
  useGpuEvents((fresh) => {
    if (fresh.cluster === name) nodes.reload();
  });
  const cluster = clusters.data?.find((entry) => entry.name === name);
  if (clusters.data && !cluster) return <ErrorBox error={`No cluster named ${name} in clusters.yaml.`} testId="cluster-error" />;
  const data = availability.data;
  const shownPartitions = allowed(partitions.data ?? [], cluster?.allowed_partitions, (p) => p.name);
  const shownTypes = allowed(data?.gpu_types ?? [], cluster?.allowed_gpu_types, (t) => t.type);
  return (
    <div className="space-y-4" data-testid="cluster-page">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">{name}</h1>
          {cluster && (
            <p className="break-all font-mono text-xs text-slate-500">
              {cluster.local ? 'this machine' : cluster.host}
              {cluster.workspace ? ` · ${cluster.workspace}` : ''}
            </p>
          )}
          {cluster?.allowed_partitions?.length ? <p className="text-xs text-slate-600">Partitions allowed: {cluster.allowed_partitions.join(', ')}</p> : null}
          {cluster?.allowed_gpu_types?.length ? <p className="text-xs text-slate-600">GPU types allowed: {cluster.allowed_gpu_types.join(', ')}</p> : null}
        </div>
        <ConnectionTest cluster={name} />
      </div>

      <section className="card" data-testid="cluster-gpus">
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          <h2 className="text-base font-semibold">GPUs by node</h2>
          <GpuLegend />
        </div>
        {data && (
          <p className="mb-2 text-xs text-slate-500" data-testid="cluster-availability-age">
            {data.queried_at === null
              ? 'Asking the cluster…'
              : `As of ${new Date(data.queried_at).toLocaleTimeString()}${data.refreshing ? ' · refreshing' : ''}`}
          </p>
        )}
        {nodes.error && <ErrorBox error={nodes.error} onRetry={nodes.reload} testId="cluster-nodes-error" />}
        {!nodes.data && nodes.loading && <Loading what="Asking the cluster for its nodes" />}
        {nodes.data && <GpuGrid nodes={nodes.data} cluster={cluster} />}
      </section>

      {data && shownTypes.length > 0 && (
        <section className="card" data-testid="cluster-gpu-types">
          <h2 className="card-title">GPU types</h2>
          <div className="-mx-2 overflow-x-auto">
            <table className="table-basic">
              <thead>
                <tr>
                  <th>Type</th>
                  <th>Free</th>
                  <th>Used</th>
                  <th className="hidden sm:table-cell">Powered down</th>
                  <th className="hidden sm:table-cell">Unavailable</th>
                  <th>Pending</th>
                </tr>
              </thead>
              <tbody>
                {shownTypes.map((type) => (
                  <tr key={type.type} data-testid={`cluster-gpu-type-${type.type}`}>
                    <td className="font-mono">{type.type}</td>
                    <td>
                      {type.free}/{type.total}
                    </td>
                    <td>{type.used}</td>
                    <td className="hidden sm:table-cell">{type.powered_down}</td>
                    <td className="hidden sm:table-cell">{type.unavailable}</td>
                    <td>{type.pending}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {data.pending_untyped > 0 && <p className="mt-2 text-xs text-slate-600">{data.pending_untyped} GPUs asked for without a type by pending jobs.</p>}
        </section>
      )}
      {availability.error && !data && <ErrorBox error={availability.error} onRetry={availability.reload} />}

      <section className="card" data-testid="cluster-partitions">
        <h2 className="card-title">Partitions</h2>
        {partitions.error && <ErrorBox error={partitions.error} onRetry={partitions.reload} />}
        {!partitions.data && partitions.loading && <Loading what="Loading partitions" />}
        {partitions.data && shownPartitions.length === 0 && <Empty>No partitions.</Empty>}
        {shownPartitions.length > 0 && (
          <div className="-mx-2 overflow-x-auto">
            <table className="table-basic">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>State</th>
                  <th>Nodes</th>
                  <th>Max time</th>
                  <th className="hidden sm:table-cell">GPU types</th>
                </tr>
              </thead>
              <tbody>
                {shownPartitions.map((partition) => (
                  <tr key={partition.name} data-testid={`cluster-partition-${partition.name}`}>
                    <td className="font-mono">
                      {partition.name}
                      {partition.default && <span className="ml-1 text-xs text-slate-500">default</span>}
                    </td>
                    <td className={partition.state === 'UP' ? '' : 'text-rose-700'}>{partition.state}</td>
                    <td title={partition.nodes}>{partition.total_nodes}</td>
                    <td className="font-mono">{formatMinutes(partition.max_time_minutes)}</td>
                    <td className="hidden font-mono sm:table-cell">
                      {data?.partitions.find((p) => p.name === partition.name)?.gpu_types.map((t) => t.type).join(', ') || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

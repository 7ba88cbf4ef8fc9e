import { api } from '../api';
import { ConnectionTest } from '../components/ConnectionTest';
import { GpuSummary } from '../components/GpuSummary';
import { Link } from '../components/Link';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { useResource } from '../hooks/useResource';
import { paths } from '../lib/router';

export function ClustersPage() {
  const clusters = useResource(() => api.clusters.list(), []);
  return (
    <div>
      <h1 className="mb-3 text-xl font-semibold">Clusters</h1>
      {clusters.error && <ErrorBox error={clusters.error} onRetry={clusters.reload} />}
      {!clusters.data && clusters.loading && <Loading what="Loading clusters" />}
      {clusters.data && clusters.data.length === 0 && (
        <Empty testId="clusters-empty">No clusters configured. Add them to clusters.yaml and restart sortie serve.</Empty>
      )}
      <div className="grid gap-4 md:grid-cols-2">
        {clusters.data?.map((cluster) => (
          <section key={cluster.name} className="card space-y-3" data-testid={`cluster-card-${cluster.name}`}>
            <div>
              <h2 className="text-base font-semibold">
                <Link href={paths.cluster(cluster.name)} className="link">
                  {cluster.name}
                </Link>
              </h2>
              <p className="break-all font-mono text-xs text-slate-500">
                {cluster.local ? 'this machine' : `${cluster.host}${cluster.port ? `:${cluster.port}` : ''}`}
                {cluster.workspace ? ` · ${cluster.workspace}` : ''}
              </p>
            </div>
            <GpuSummary cluster={cluster} />
            <ConnectionTest cluster={cluster.name} />
          </section>
        ))}
      </div>
    </div>
  );
}

import { useEffect, useState } from 'react';
import { api } from '../api';
import type { ApiError } from '../api/client';
import type { Cluster, Project } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { GitState } from '../components/GitState';
import { JobList } from '../components/JobList';
import { Link } from '../components/Link';
import { ErrorBox, Loading, Notice } from '../components/Status';
import { navigate } from '../hooks/useRoute';
import { useResource } from '../hooks/useResource';
import { paths } from '../lib/router';

function Settings({ project, clusters, onSaved }: { project: Project; clusters: Cluster[]; onSaved: (project: Project) => void }) {
  const [entry, setEntry] = useState(project.entry_command ?? '');
  const [setup, setSetup] = useState((project.setup ?? []).join('\n'));
  const [cluster, setCluster] = useState(project.default_cluster ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setEntry(project.entry_command ?? '');
    setSetup((project.setup ?? []).join('\n'));
    setCluster(project.default_cluster ?? '');
  }, [project]);
  const lines = setup.split('\n').map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
  const dirty =
    entry !== (project.entry_command ?? '') ||
    JSON.stringify(lines) !== JSON.stringify(project.setup ?? []) ||
    cluster !== (project.default_cluster ?? '');
  const save = async () => {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const updated = await api.projects.update(project.id, {
        entry_command: entry.trim(),
        setup: lines,
        default_cluster: cluster || null,
      });
      onSaved(updated);
      setSaved(true);
    } catch (failure) {
      setError(failure as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" data-testid="project-settings">
      <h2 className="card-title">How it runs</h2>
      <label className="label" htmlFor="entry-command">
        Entry command
      </label>
      <input
        id="entry-command"
        className="input font-mono"
        value={entry}
        placeholder="python train.py"
        onChange={(e) => setEntry(e.target.value)}
        data-testid="project-entry-command"
      />
      <label className="label mt-3" htmlFor="setup">
        Setup lines, run before it (one per line)
      </label>
      <textarea
        id="setup"
        className="input min-h-[5rem] font-mono"
        value={setup}
        placeholder={'module load cuda/12.1\nsource .venv/bin/activate'}
        onChange={(e) => setSetup(e.target.value)}
        data-testid="project-setup"
      />
      {Object.keys(project.cluster_overrides ?? {}).length > 0 && (
        <Notice tone="info">
          Clusters with their own settings (from the CLI): {Object.keys(project.cluster_overrides).join(', ')}.
        </Notice>
      )}
      <label className="label mt-3" htmlFor="default-cluster">
        Default cluster
      </label>
      <select id="default-cluster" className="input" value={cluster} onChange={(e) => setCluster(e.target.value)} data-testid="project-default-cluster">
        <option value="">None</option>
        {clusters.map((entry) => (
          <option key={entry.name} value={entry.name}>
            {entry.name}
          </option>
        ))}
      </select>
      {error && <ErrorBox error={error} testId="project-save-error" />}
      <div className="mt-3 flex items-center gap-3">
        <button type="button" className="btn btn-primary" disabled={!dirty || busy} onClick={save} data-testid="project-save">
          {busy ? 'Saving…' : 'Save'}
        </button>
        {saved && !dirty && <span className="text-sm text-emerald-700">Saved.</span>}
      </div>
    </section>
  );
}

export function ProjectPage({ id }: { id: number }) {
  const project = useResource(() => api.projects.get(id), [id]);
  const clusters = useResource(() => api.clusters.list(), []);
  const [syncing, setSyncing] = useState(false);
  const [actionError, setActionError] = useState<ApiError | null>(null);

  if (!project.data) {
    if (project.error) return <ErrorBox error={project.error} onRetry={project.reload} testId="project-error" />;
    return <Loading what="Loading the project" />;
  }
  const data = project.data;
  const git = data.live_git ?? data.git;
  const sync = async () => {
    setSyncing(true);
    setActionError(null);
    try {
      project.setData(await api.projects.sync(id));
    } catch (failure) {
      setActionError(failure as ApiError);
    } finally {
      setSyncing(false);
    }
  };
  const remove = async () => {
    setActionError(null);
    try {
      await api.projects.remove(id);
      navigate(paths.dashboard());
    } catch (failure) {
      setActionError(failure as ApiError);
    }
  };
  return (
    <div className="space-y-4" data-testid="project-page">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h1 className="text-xl font-semibold" data-testid="project-name">
            {data.name}
          </h1>
          <p className="break-all font-mono text-xs text-slate-500">{data.path}</p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Link href={paths.launch(id)} className="btn btn-primary" data-testid="project-launch">
            Launch…
          </Link>
          <button type="button" className="btn" onClick={sync} disabled={syncing} data-testid="project-sync">
            {syncing ? 'Reading Git…' : 'Sync Git state'}
          </button>
          <ConfirmButton label="Remove" question={`Forget ${data.name}? Its files stay.`} confirmLabel="Remove" onConfirm={remove} testId="project-delete" />
        </div>
      </div>
      {actionError && <ErrorBox error={actionError} testId="project-action-error" />}
      {project.error && <ErrorBox error={project.error} onRetry={project.reload} />}
      <div className="grid gap-4 md:grid-cols-2">
        <section className="card">
          <h2 className="card-title">Git</h2>
          {git ? <GitState git={git} /> : <p className="text-sm text-slate-500">Git state not read yet; press “Sync Git state”.</p>}
        </section>
        <Settings project={data} clusters={clusters.data ?? []} onSaved={(updated) => project.setData((old) => ({ ...updated, live_git: updated.live_git ?? old?.live_git }))} />
      </div>
      <section className="card">
        <h2 className="card-title">Jobs</h2>
        <JobList base={{ project_id: id }} clusters={clusters.data ?? []} showProject={false} emptyText="No jobs of this project yet." />
      </section>
    </div>
  );
}

import { useState, type FormEvent } from 'react';
import { api } from '../api';
import type { ApiError } from '../api/client';
import type { Project } from '../api/types';
import { GpuSummary } from '../components/GpuSummary';
import { JobList } from '../components/JobList';
import { Link } from '../components/Link';
import { Empty, ErrorBox, Loading } from '../components/Status';
import { navigate } from '../hooks/useRoute';
import { useResource } from '../hooks/useResource';
import { shortCommit } from '../lib/format';
import { paths } from '../lib/router';

function AddProject({ onAdded }: { onAdded: (project: Project) => void }) {
  const [open, setOpen] = useState(false);
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [entry, setEntry] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (!open) {
    return (
      <button type="button" className="btn" onClick={() => setOpen(true)} data-testid="add-project-open">
        Add project
      </button>
    );
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const project = await api.projects.add({
        path: path.trim(),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(entry.trim() ? { entry_command: entry.trim() } : {}),
      });
      onAdded(project);
      setOpen(false);
      setPath('');
      setName('');
      setEntry('');
    } catch (failure) {
      setError(failure as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="mt-3 space-y-2 rounded-md border border-slate-200 bg-slate-50 p-3" data-testid="add-project-form">
      <div>
        <label className="label" htmlFor="project-path">
          Path of the Git repository (on the server's machine)
        </label>
        <input id="project-path" className="input font-mono" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/home/me/code/my-model" data-testid="add-project-path" />
      </div>
      <div className="grid gap-2 sm:grid-cols-2">
        <div>
          <label className="label" htmlFor="project-name">
            Name (optional)
          </label>
          <input id="project-name" className="input" value={name} onChange={(e) => setName(e.target.value)} data-testid="add-project-name" />
        </div>
        <div>
          <label className="label" htmlFor="project-entry">
            Entry command (optional)
          </label>
          <input id="project-entry" className="input font-mono" value={entry} onChange={(e) => setEntry(e.target.value)} placeholder="python train.py" data-testid="add-project-entry" />
        </div>
      </div>
      {error && <ErrorBox error={error} testId="add-project-error" />}
      <div className="flex gap-2">
        <button type="submit" className="btn btn-primary" disabled={busy || path.trim() === ''} data-testid="add-project-submit">
          {busy ? 'Adding…' : 'Add'}
        </button>
        <button type="button" className="btn" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function DashboardPage() {
  const projects = useResource(() => api.projects.list(), []);
  const clusters = useResource(() => api.clusters.list(), []);
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <section className="card lg:col-span-2" data-testid="dashboard-projects">
        <div className="mb-2 flex items-center justify-between gap-2">
          <h2 className="text-base font-semibold">Projects</h2>
          <AddProject onAdded={(project) => navigate(paths.project(project.id))} />
        </div>
        {projects.error && <ErrorBox error={projects.error} onRetry={projects.reload} />}
        {!projects.data && projects.loading && <Loading what="Loading projects" />}
        {projects.data && projects.data.length === 0 && (
          <Empty testId="projects-empty">No projects yet. Add the Git repository you train from.</Empty>
        )}
        {projects.data && projects.data.length > 0 && (
          <ul className="divide-y divide-slate-100">
            {projects.data.map((project) => (
              <li key={project.id} className="flex flex-wrap items-center justify-between gap-2 py-2" data-testid={`project-row-${project.id}`}>
                <div className="min-w-0">
                  <Link href={paths.project(project.id)} className="link font-medium">
                    {project.name}
                  </Link>
                  <div className="truncate font-mono text-xs text-slate-500" title={project.path}>
                    {project.path}
                  </div>
                </div>
                <div className="flex items-center gap-2 text-xs text-slate-600">
                  {project.git && (
                    <span className="font-mono">
                      {project.git.branch ?? 'detached'} @ {shortCommit(project.git.commit)}
                    </span>
                  )}
                  <Link href={paths.launch(project.id)} className="btn px-2 py-0.5 text-xs" data-testid={`project-launch-${project.id}`}>
                    Launch
                  </Link>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="space-y-3" data-testid="dashboard-gpus">
        <h2 className="text-base font-semibold">GPUs</h2>
        {clusters.error && <ErrorBox error={clusters.error} onRetry={clusters.reload} />}
        {!clusters.data && clusters.loading && <Loading what="Loading clusters" />}
        {clusters.data && clusters.data.length === 0 && <Empty>No clusters configured (clusters.yaml).</Empty>}
        {clusters.data?.map((cluster) => <GpuSummary key={cluster.name} cluster={cluster} />)}
      </section>
      <section className="card lg:col-span-3" data-testid="dashboard-jobs">
        <div className="mb-2 flex items-center justify-between">
          <h2 className="text-base font-semibold">Recent jobs</h2>
          <Link href={paths.jobs()} className="link text-sm">
            All jobs
          </Link>
        </div>
        <JobList limit={10} filters={false} emptyText="No jobs yet. Open a project and launch one." />
      </section>
    </div>
  );
}

import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { api, isSweepLaunch } from '../api';
import { ApiError } from '../api/client';
import type { Cluster, HydraConfig, LaunchRequest, Partition, Project } from '../api/types';
import { GitState } from '../components/GitState';
import { HydraSection, type SweepOptions } from '../components/HydraSection';
import { useAvailability } from '../components/GpuSummary';
import { Link } from '../components/Link';
import { ErrorBox, Loading, Notice } from '../components/Status';
import { useDebouncedCall } from '../hooks/useDebouncedCall';
import { navigate } from '../hooks/useRoute';
import { useResource } from '../hooks/useResource';
import { allowed, availabilityText } from '../lib/availability';
import { formatMinutes } from '../lib/format';
import { emptyLaunchForm, resourceSummary, toLaunchRequest } from '../lib/launch';
import { buildOverrides, emptyHydraForm, flattenConfig, type HydraForm } from '../lib/overrides';
import { paths } from '../lib/router';
import { validateLaunch, type LaunchForm } from '../lib/validation';

const toneClass = { ok: 'text-emerald-800', wait: 'text-amber-800', none: 'text-rose-800', unknown: 'text-slate-500' };

function Field({ label, htmlFor, error, hint, children }: { label: string; htmlFor: string; error?: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div>
      <label className="label" htmlFor={htmlFor}>
        {label}
      </label>
      {children}
      {error ? (
        <p className="mt-0.5 text-xs text-rose-700" data-testid={`launch-error-${htmlFor}`}>
          {error}
        </p>
      ) : hint ? (
        <p className="mt-0.5 text-xs text-slate-500">{hint}</p>
      ) : null}
    </div>
  );
}

function hydraOrNone(id: number): Promise<HydraConfig | null> {
  return api.projects.hydraConfig(id).catch((error: unknown) => {
    if (error instanceof ApiError && error.code === 'not_found') return null;
    throw error;
  });
}

export function LaunchPage({ id }: { id: number }) {
  const project = useResource(() => api.projects.get(id), [id]);
  const clusters = useResource(() => api.clusters.list(), []);
  const hydra = useResource(() => hydraOrNone(id), [id]);
  if (project.error && !project.data) return <ErrorBox error={project.error} onRetry={project.reload} testId="launch-load-error" />;
  if (clusters.error && !clusters.data) return <ErrorBox error={clusters.error} onRetry={clusters.reload} testId="launch-load-error" />;
  if (!project.data || !clusters.data) return <Loading what="Loading the launch form" />;
  if (clusters.data.length === 0) return <ErrorBox error="No clusters are configured: add one to clusters.yaml and restart sortie serve." />;
  return <LaunchForm project={project.data} clusters={clusters.data} hydra={hydra.data ?? null} hydraError={hydra.error} />;
}

function LaunchForm({ project, clusters, hydra, hydraError }: { project: Project; clusters: Cluster[]; hydra: HydraConfig | null; hydraError: ApiError | null }) {
  const [form, setForm] = useState<LaunchForm>(() => ({
    ...emptyLaunchForm,
    cluster: clusters.some((c) => c.name === project.default_cluster) ? project.default_cluster! : clusters[0].name,
  }));
  const [hydraForm, setHydraForm] = useState<HydraForm>(emptyHydraForm);
  const [sweep, setSweep] = useState<SweepOptions>({ paired: false, parallelism: '' });
  const [multirun, setMultirun] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<ApiError | null>(null);
  const [touched, setTouched] = useState(false);
  const set = <K extends keyof LaunchForm>(key: K, value: LaunchForm[K]) => setForm((previous) => ({ ...previous, [key]: value }));

  const cluster = clusters.find((c) => c.name === form.cluster) ?? clusters[0];
  const partitions = useResource(() => api.clusters.partitions(cluster.name), [cluster.name]);
  const availability = useAvailability(cluster.name);
  const allowedPartitions: Partition[] = allowed(partitions.data ?? [], cluster.allowed_partitions, (p) => p.name);
  const partition = allowedPartitions.find((p) => p.name === form.partition) ?? allowedPartitions.find((p) => p.default) ?? null;
  const typesIn = (name: string) => availability.data?.partitions.find((p) => p.name === name)?.gpu_types.map((t) => t.type) ?? [];
  const gpuTypes = allowed(
    [...new Set(partition ? typesIn(partition.name) : allowedPartitions.flatMap((p) => typesIn(p.name)))].sort(),
    cluster.allowed_gpu_types,
    (t) => t,
  );

  // A choice the new cluster or partition does not offer is dropped rather than sent.
  useEffect(() => {
    if (partitions.data && form.partition && !allowedPartitions.some((p) => p.name === form.partition)) set('partition', '');
    if (partitions.data && availability.data && form.gpuType && !gpuTypes.includes(form.gpuType)) set('gpuType', '');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [partitions.data, availability.data, form.partition, form.gpuType, cluster.name]);

  const leaves = useMemo(() => (hydra ? flattenConfig(hydra.config, hydra.types) : []), [hydra]);
  const built = useMemo(() => buildOverrides(hydra?.groups ?? [], leaves, hydraForm), [hydra, leaves, hydraForm]);
  const isMultirun = built.sweep || multirun;

  const errors = validateLaunch(form);
  const valid = Object.keys(errors).length === 0 && Object.keys(built.errors).length === 0;
  const request: LaunchRequest = toLaunchRequest(project.id, form, built.overrides, {
    multirun: isMultirun,
    paired: sweep.paired,
    parallelism: sweep.parallelism,
  });
  const preview = useDebouncedCall(valid ? request : null, (body) => api.jobs.preview(body), 500);

  const gpusPerNode = Number(form.gpus || '0');
  const nodes = Number(form.nodes || '1');
  const available = availabilityText(
    availability.data,
    partition?.name ?? '',
    form.gpuType,
    Number.isFinite(gpusPerNode) ? gpusPerNode : 0,
    Number.isFinite(nodes) ? nodes : 1,
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!valid) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      const answer = await api.jobs.launch(request);
      if (isSweepLaunch(answer)) {
        navigate(answer.jobs.length > 0 ? paths.job(answer.jobs[0].id) : paths.project(project.id));
      } else {
        navigate(paths.job(answer.id));
      }
    } catch (failure) {
      setSubmitError(failure as ApiError);
    } finally {
      setSubmitting(false);
    }
  };

  const shownErrors = touched ? errors : Object.fromEntries(Object.entries(errors).filter(([key]) => (form[key as keyof LaunchForm] ?? '') !== ''));
  const git = project.live_git ?? project.git;
  const entry = (project.cluster_overrides?.[cluster.name]?.entry_command ?? project.entry_command) || 'python train.py';

  return (
    <form onSubmit={submit} className="space-y-4" data-testid="launch-form" noValidate>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">
          Launch <Link href={paths.project(project.id)} className="link">{project.name}</Link>
        </h1>
      </div>

      <section className="card">
        <h2 className="card-title">Where</h2>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field label="Cluster" htmlFor="cluster" error={shownErrors.cluster}>
            <select id="cluster" className="input" value={form.cluster} onChange={(e) => setForm({ ...form, cluster: e.target.value, partition: '', gpuType: '' })} data-testid="launch-cluster">
              {clusters.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Partition" htmlFor="partition" hint={partition ? `max time ${partition.max_time_minutes === null ? 'none' : formatMinutes(partition.max_time_minutes)} · ${partition.total_nodes} nodes · ${partition.state}` : undefined}>
            <select id="partition" className="input" value={form.partition} onChange={(e) => setForm({ ...form, partition: e.target.value, gpuType: '' })} data-testid="launch-partition">
              <option value="">Default{allowedPartitions.find((p) => p.default) ? ` (${allowedPartitions.find((p) => p.default)!.name})` : ''}</option>
              {allowedPartitions.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                  {p.state !== 'UP' ? ` (${p.state})` : ''}
                </option>
              ))}
            </select>
          </Field>
          <Field label="GPU type" htmlFor="gpu-type">
            <select id="gpu-type" className="input" value={form.gpuType} onChange={(e) => set('gpuType', e.target.value)} data-testid="launch-gpu-type">
              <option value="">Any type</option>
              {gpuTypes.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {partitions.error && <ErrorBox error={partitions.error} onRetry={partitions.reload} testId="launch-partitions-error" />}
        <p className={`mt-3 text-sm font-medium ${toneClass[available.tone]}`} data-testid="launch-availability" data-tone={available.tone}>
          {available.text}
        </p>
      </section>

      <section className="card">
        <h2 className="card-title">Resources</h2>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Field label="GPUs per node" htmlFor="gpus" error={shownErrors.gpus}>
            <input id="gpus" className={`input ${shownErrors.gpus ? 'input-error' : ''}`} inputMode="numeric" value={form.gpus} onChange={(e) => set('gpus', e.target.value)} data-testid="launch-gpus" />
          </Field>
          <Field label="Nodes" htmlFor="nodes" error={shownErrors.nodes}>
            <input id="nodes" className={`input ${shownErrors.nodes ? 'input-error' : ''}`} inputMode="numeric" value={form.nodes} onChange={(e) => set('nodes', e.target.value)} data-testid="launch-nodes" />
          </Field>
          <Field label="Time" htmlFor="time" error={shownErrors.time} hint="90, 2:00:00, 1-12">
            <input id="time" className={`input font-mono ${shownErrors.time ? 'input-error' : ''}`} value={form.time} onChange={(e) => set('time', e.target.value)} placeholder="partition default" data-testid="launch-time" />
          </Field>
          <Field label="Memory per node" htmlFor="memory" error={shownErrors.memory} hint="64G, 512M">
            <input id="memory" className={`input font-mono ${shownErrors.memory ? 'input-error' : ''}`} value={form.memory} onChange={(e) => set('memory', e.target.value)} placeholder="default" data-testid="launch-memory" />
          </Field>
          <Field label="CPUs per task" htmlFor="cpusPerTask" error={shownErrors.cpusPerTask}>
            <input id="cpusPerTask" className={`input ${shownErrors.cpusPerTask ? 'input-error' : ''}`} inputMode="numeric" value={form.cpusPerTask} onChange={(e) => set('cpusPerTask', e.target.value)} placeholder="default" data-testid="launch-cpus" />
          </Field>
          <Field label="Job name" htmlFor="name" error={shownErrors.name}>
            <input id="name" className={`input ${shownErrors.name ? 'input-error' : ''}`} value={form.name} onChange={(e) => set('name', e.target.value)} placeholder={project.name} data-testid="launch-name" />
          </Field>
          <Field label="Code" htmlFor="mode">
            <select id="mode" className="input" value={form.mode} onChange={(e) => set('mode', e.target.value as LaunchForm['mode'])} data-testid="launch-mode">
              <option value="">Automatic ({git?.delivery ?? 'by Git state'})</option>
              <option value="git">git: the pushed commit</option>
              <option value="snapshot">snapshot: the working tree</option>
            </select>
          </Field>
        </div>
        <details className="mt-3">
          <summary className="cursor-pointer text-sm text-slate-700">Account, QOS, constraint</summary>
          <div className="mt-2 grid gap-3 sm:grid-cols-3">
            <Field label="Account" htmlFor="account" error={shownErrors.account}>
              <input id="account" className="input" value={form.account} onChange={(e) => set('account', e.target.value)} data-testid="launch-account" />
            </Field>
            <Field label="QOS" htmlFor="qos" error={shownErrors.qos}>
              <input id="qos" className="input" value={form.qos} onChange={(e) => set('qos', e.target.value)} data-testid="launch-qos" />
            </Field>
            <Field label="Constraint" htmlFor="constraint" error={shownErrors.constraint}>
              <input id="constraint" className="input font-mono" value={form.constraint} onChange={(e) => set('constraint', e.target.value)} placeholder="a100&ib" data-testid="launch-constraint" />
            </Field>
          </div>
        </details>
        <p className="mt-3 rounded bg-slate-100 px-2 py-1.5 text-sm" data-testid="launch-summary">
          {resourceSummary(form)}
        </p>
      </section>

      {git && (
        <section className="card">
          <h2 className="card-title">Code</h2>
          <GitState git={git} />
        </section>
      )}

      <section className="card">
        <h2 className="card-title">Command</h2>
        <p className="mb-2 break-all font-mono text-sm" data-testid="launch-command">
          {entry} <span className="text-slate-500">[arguments]</span>
        </p>
        <Field label="Arguments" htmlFor="arguments" error={shownErrors.arguments} hint="As on a shell command line; Hydra overrides from below follow them.">
          <textarea id="arguments" className="input min-h-[3rem] font-mono" value={form.arguments} onChange={(e) => set('arguments', e.target.value)} placeholder="trainer.max_epochs=10" data-testid="launch-arguments" />
        </Field>
        {!built.sweep && (
          <label className="mt-2 flex items-center gap-2 text-sm">
            <input type="checkbox" checked={multirun} onChange={(e) => setMultirun(e.target.checked)} data-testid="launch-multirun" />
            Multirun: sweep over comma lists in the arguments (one task each)
          </label>
        )}
      </section>

      {hydraError && <ErrorBox error={hydraError} testId="hydra-error" />}
      {hydra && (
        <HydraSection projectId={project.id} config={hydra} leaves={leaves} form={hydraForm} setForm={setHydraForm} built={built} sweep={sweep} setSweep={setSweep} />
      )}

      <section className="card">
        <h2 className="card-title">
          sbatch script {preview.pending && <span className="text-xs font-normal text-slate-400">updating…</span>}
          {preview.data && preview.data.tasks > 1 && <span className="ml-2 text-sm font-normal text-sky-800" data-testid="launch-task-count">{preview.data.tasks} tasks</span>}
        </h2>
        {!valid && <Notice tone="info">Fix the fields marked above to see the script.</Notice>}
        {preview.error && <ErrorBox error={preview.error} testId="launch-preview-error" />}
        {preview.data && valid && (
          <pre className="code-block" data-testid="launch-preview">
            {preview.data.script}
          </pre>
        )}
      </section>

      {submitError && <ErrorBox error={submitError} testId="launch-submit-error" />}
      <div className="sticky bottom-0 -mx-3 flex flex-wrap items-center gap-3 border-t border-slate-200 bg-slate-50/95 px-3 py-3">
        <button type="submit" className="btn btn-primary" disabled={submitting || (touched && !valid)} data-testid="launch-submit">
          {submitting ? 'Submitting…' : isMultirun ? 'Submit sweep' : 'Submit job'}
        </button>
        <span className="text-sm text-slate-600">{resourceSummary(form)}</span>
      </div>
    </form>
  );
}

// Turns the launch form into the LaunchRequest the server takes.
import type { LaunchRequest } from '../api/types';
import { parseMemory, splitArguments, type LaunchForm } from './validation';

export interface SweepSettings {
  multirun: boolean;
  paired: boolean;
  parallelism: string;
}

export const emptyLaunchForm: LaunchForm = {
  cluster: '',
  partition: '',
  gpuType: '',
  gpus: '1',
  nodes: '1',
  cpusPerTask: '',
  memory: '',
  time: '1:00:00',
  name: '',
  arguments: '',
  mode: '',
  account: '',
  qos: '',
  constraint: '',
};

// The request for a valid form (validateLaunch() found nothing): empty optional fields are left
// out so the cluster's defaults apply; `overrides` (from the Hydra section) follow the typed
// arguments.
export function toLaunchRequest(
  projectId: number,
  form: LaunchForm,
  overrides: string[] = [],
  sweep?: SweepSettings,
): LaunchRequest {
  const request: LaunchRequest = { project_id: projectId, cluster: form.cluster, arguments: [] };
  const text = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const count = (value: string) => (value.trim() === '' ? undefined : Number(value.trim()));
  request.partition = text(form.partition);
  request.gpu_type = text(form.gpuType);
  request.gpus = count(form.gpus);
  request.nodes = count(form.nodes);
  request.cpus_per_task = count(form.cpusPerTask);
  const memory = text(form.memory);
  if (memory !== undefined) {
    const parsed = parseMemory(memory);
    request.memory = 'memory' in parsed ? parsed.memory : memory;
  }
  request.time = text(form.time);
  request.name = text(form.name);
  request.account = text(form.account);
  request.qos = text(form.qos);
  request.constraint = text(form.constraint);
  if (form.mode) request.mode = form.mode;
  const words = splitArguments(form.arguments);
  request.arguments = [...('words' in words ? words.words : []), ...overrides];
  if (sweep?.multirun) {
    request.multirun = true;
    request.paired = sweep.paired;
    const parallelism = count(sweep.parallelism);
    if (parallelism !== undefined && Number.isFinite(parallelism)) request.parallelism = parallelism;
  }
  for (const key of Object.keys(request) as (keyof LaunchRequest)[]) {
    if (request[key] === undefined) delete request[key];
  }
  return request;
}

// "8 GPUs (4 × 2 nodes) · 2:00:00" — what the job asks for, in one line.
export function resourceSummary(form: LaunchForm): string {
  const gpus = Number(form.gpus.trim() || '0');
  const nodes = Number(form.nodes.trim() || '1');
  const parts: string[] = [];
  if (Number.isFinite(gpus) && Number.isFinite(nodes)) {
    const type = form.gpuType ? `${form.gpuType} ` : '';
    const total = gpus * nodes;
    parts.push(
      gpus === 0
        ? `no GPUs, ${nodes} node${nodes === 1 ? '' : 's'}`
        : `${total} ${type}GPU${total === 1 ? '' : 's'} (${gpus} × ${nodes} node${nodes === 1 ? '' : 's'})`,
    );
  }
  if (form.cpusPerTask.trim()) parts.push(`${form.cpusPerTask.trim()} CPUs per task`);
  if (form.memory.trim()) parts.push(`${form.memory.trim().toUpperCase()} memory per node`);
  parts.push(form.time.trim() ? `time ${form.time.trim()}` : "the partition's default time");
  return parts.join(' · ');
}

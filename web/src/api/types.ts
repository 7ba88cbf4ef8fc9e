// Types mirroring the JSON of `sortie serve` (src/sortie/json/*.hpp and the REST contract).

export type ErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'unavailable'
  | 'timeout'
  | 'payload_too_large'
  | 'internal'
  | (string & {});

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export interface Session {
  auth_required: boolean;
  signed_in: boolean;
}

export interface Health {
  status: string;
  version: string;
}

export interface ChangedFile {
  path: string;
  status: string;
  old_path: string | null;
}

export interface GitState {
  root?: string;
  remotes?: { name: string; url: string }[] | string[];
  branch: string | null;
  detached?: boolean;
  commit: string | null;
  summary?: string | null;
  upstream?: string | null;
  pushed: boolean;
  ahead: number | null;
  behind?: number | null;
  changed_files: ChangedFile[];
  submodules?: unknown[];
  delivery?: 'git' | 'snapshot';
  synced_at?: string | null;
}

export interface ClusterOverride {
  entry_command: string | null;
  setup: string[] | null;
}

export interface Project {
  id: number;
  name: string;
  path: string;
  created_at: string | null;
  entry_command: string | null;
  setup: string[];
  cluster_overrides: Record<string, ClusterOverride>;
  default_cluster: string | null;
  git: GitState | null;
  live_git?: GitState;
}

export interface NewProject {
  path: string;
  name?: string;
  entry_command?: string;
  default_cluster?: string;
}

export interface ProjectChanges {
  entry_command?: string;
  setup?: string[];
  default_cluster?: string | null;
}

export type JobPhase = 'submitting' | 'submitted' | 'submit_failed';

export interface JobResources {
  partition: string | null;
  gpu_type: string | null;
  gpus_per_node: number | null;
  nodes: number | null;
  cpus_per_task: number | null;
  memory: string | null;
  time_limit_minutes: number | null;
  account: string | null;
  qos: string | null;
  constraint: string | null;
}

export interface JobCode {
  mode: 'git' | 'snapshot';
  commit: string;
  snapshot_hash: string | null;
  changed_files: string[];
}

export interface Job {
  id: number;
  project: string;
  project_id: number;
  cluster: string;
  name: string;
  submission_key: string;
  phase: JobPhase;
  slurm_job_id: number | string | null;
  state: string | null;
  reason: string | null;
  exit_code: number | null;
  signal: number | null;
  cancelled_by: string | null;
  created_at: string | null;
  submitted_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  elapsed_seconds: number | null;
  nodes: string | null;
  resources: JobResources;
  command: string;
  arguments: string[];
  code: JobCode;
  rerun_of: number | null;
  wandb_urls: string[];
  workspace?: string;
  log_paths: { stdout: string; stderr: string };
  sweep_id?: string | number | null;
  array_task_index?: number | null;
}

export interface JobFilter {
  project_id?: number;
  cluster?: string;
  state?: string;
  sweep_id?: string | number;
}

export interface LaunchRequest {
  project_id: number;
  cluster: string;
  partition?: string;
  gpu_type?: string;
  gpus?: number;
  nodes?: number;
  cpus_per_task?: number;
  memory?: string;
  time?: string;
  name?: string;
  arguments: string[];
  mode?: 'git' | 'snapshot';
  account?: string;
  qos?: string;
  constraint?: string;
  multirun?: boolean;
  paired?: boolean;
  parallelism?: number;
}

export interface SweepLaunch {
  sweep_id: string | number;
  jobs: Job[];
}

export interface Preview {
  script: string;
  tasks: number;
}

export interface JobStatus {
  phase: JobPhase;
  state: string | null;
  reason: string | null;
}

export interface JobEvent {
  at: string;
  from: JobStatus | null;
  to: JobStatus;
  detail: string | null;
}

export type LogStream = 'stdout' | 'stderr';

export interface LogTail {
  stream: LogStream;
  path: string;
  text: string;
  offset: number;
  next_offset: number;
}

export interface LogChunk {
  offset: number;
  next_offset: number;
  text: string;
}

export interface Cluster {
  name: string;
  host: string;
  local: boolean;
  port: number | null;
  ssh_key_path?: string | null;
  proxy_jump?: string | null;
  known_hosts?: string | null;
  workspace: string | null;
  allowed_partitions: string[] | null;
  allowed_gpu_types: string[] | null;
}

export interface NodeFree {
  name: string;
  free: number;
}

export interface TypeAvailability {
  type: string;
  total: number;
  used: number;
  free: number;
  powered_down: number;
  unavailable: number;
  pending: number;
  nodes: NodeFree[];
}

export interface PartitionAvailability {
  name: string;
  pending_untyped: number;
  gpu_types: TypeAvailability[];
}

export interface Availability {
  cluster: string;
  queried_at: string | null;
  pending_untyped: number;
  gpu_types: TypeAvailability[];
  partitions: PartitionAvailability[];
  age_seconds?: number | null;
  refreshing?: boolean;
}

// GET /api/clusters/{name}/partitions. Its GPU types come from the availability
// (PartitionAvailability.gpu_types).
export interface Partition {
  name: string;
  default: boolean;
  state: string;
  nodes: string;
  total_nodes: number;
  total_cpus: number;
  max_time_minutes: number | null;
  default_time_minutes: number | null;
}

export type NodeCapacity = 'up' | 'powered_down' | 'unavailable';

export interface ClusterNode {
  name: string;
  state: string;
  capacity: NodeCapacity;
  partitions: string[];
  gpus: { type: string; total: number; used: number }[];
}

export type ConnectionTest =
  | { ok: true; latency_ms: number; slurm_version: string }
  | { ok: false; error: { code: string; message: string } };

export interface GroupInfo {
  name: string;
  options: string[];
  default: string | null;
}

export type LeafType = 'int' | 'float' | 'bool' | 'str' | 'null' | 'list' | 'dict';

export type ConfigValue =
  | null
  | boolean
  | number
  | string
  | { float: 'inf' | '-inf' | 'nan' }
  | ConfigValue[]
  | { [key: string]: ConfigValue };

export interface HydraConfig {
  config_dir: string;
  config_name: string;
  groups: GroupInfo[];
  config: { [key: string]: ConfigValue };
  types: Record<string, LeafType>;
}

export interface Expansion {
  count: number;
  jobs: string[][];
}

export type ParsedOverride =
  | {
      input: string;
      kind: 'change' | 'add' | 'force_add' | 'delete';
      key: string;
      package: string | null;
      value_type: string;
      value: unknown;
      sweep: string[] | null;
    }
  | { input: string; error: string };

export interface Page<T> {
  items: T[];
  total: number;
}

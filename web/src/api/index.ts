// Every endpoint of the REST API as a typed function over one ApiClient.
import { ApiClient } from './client';
import type {
  Availability,
  Cluster,
  ClusterNode,
  ConnectionTest,
  Expansion,
  Health,
  HydraConfig,
  Job,
  JobEvent,
  JobFilter,
  LaunchRequest,
  LogStream,
  LogTail,
  NewProject,
  Page,
  ParsedOverride,
  Partition,
  Preview,
  Project,
  ProjectChanges,
  Session,
  SweepLaunch,
} from './types';

export { ApiClient, ApiError, queryString } from './client';

const enc = encodeURIComponent;

export function createApi(client: ApiClient) {
  return {
    client,
    health: () => client.get<Health>('/api/health'),
    session: {
      get: () => client.get<Session>('/api/session'),
      signIn: (token: string) => client.post<void>('/api/session', { token }),
      signOut: () => client.delete('/api/session'),
    },
    projects: {
      list: () => client.get<Project[]>('/api/projects/', { limit: 1000 }),
      get: (id: number) => client.get<Project>(`/api/projects/${id}`),
      add: (project: NewProject) => client.post<Project>('/api/projects/', project),
      update: (id: number, changes: ProjectChanges) => client.patch<Project>(`/api/projects/${id}`, changes),
      sync: (id: number) => client.post<Project>(`/api/projects/${id}/sync`),
      remove: (id: number) => client.delete(`/api/projects/${id}`),
      hydraConfig: (id: number) => client.get<HydraConfig>(`/api/projects/${id}/hydra-config`),
    },
    hydra: {
      compose: (projectId: number, overrides: string[]) =>
        client.post<{ config: HydraConfig['config'] }>('/api/hydra/compose', { project_id: projectId, overrides }),
      expand: (overrides: string[], paired: boolean) =>
        client.post<Expansion>('/api/hydra/expand', { overrides, paired }),
      parse: (overrides: string[]) => client.post<ParsedOverride[]>('/api/hydra/parse', { overrides }),
    },
    jobs: {
      list: (filter: JobFilter & { limit?: number; offset?: number }, signal?: AbortSignal): Promise<Page<Job>> =>
        client.page<Job>('/api/jobs/', { ...filter }, signal),
      get: (id: number) => client.get<Job>(`/api/jobs/${id}`),
      launch: (request: LaunchRequest) => client.post<Job | SweepLaunch>('/api/jobs/', request),
      preview: (request: LaunchRequest) => client.post<Preview>('/api/jobs/preview', request),
      cancel: (id: number) => client.post<Job>(`/api/jobs/${id}/cancel`),
      rerun: (id: number) => client.post<Job>(`/api/jobs/${id}/rerun`),
      remove: (id: number) => client.delete(`/api/jobs/${id}`),
      refresh: (id: number) => client.post<Job>(`/api/jobs/${id}/refresh-status`),
      events: (id: number) => client.get<JobEvent[]>(`/api/jobs/${id}/events`, { limit: 1000 }),
      script: (id: number) => client.get<{ script: string }>(`/api/jobs/${id}/script`),
      logs: (id: number, stream: LogStream, tail = 200) =>
        client.get<LogTail>(`/api/jobs/${id}/logs`, { stream, tail }),
    },
    clusters: {
      list: () => client.get<Cluster[]>('/api/clusters/', { limit: 1000 }),
      availability: (name: string) => client.get<Availability>(`/api/clusters/${enc(name)}/gpu-availability`),
      partitions: (name: string) => client.get<Partition[]>(`/api/clusters/${enc(name)}/partitions`, { limit: 1000 }),
      nodes: (name: string) => client.get<ClusterNode[]>(`/api/clusters/${enc(name)}/nodes`, { limit: 1000 }),
      testConnection: (name: string) => client.post<ConnectionTest>(`/api/clusters/${enc(name)}/test-connection`),
    },
  };
}

export type Api = ReturnType<typeof createApi>;

// The URL of a job's live log (Server-Sent Events), resuming at byte `offset`.
export function logStreamUrl(id: number, stream: LogStream, offset: number): string {
  return `/api/jobs/${id}/logs/stream?stream=${stream}&offset=${offset}`;
}

export const EVENTS_URL = '/api/events';

export function isSweepLaunch(answer: Job | SweepLaunch): answer is SweepLaunch {
  return typeof answer === 'object' && answer !== null && 'sweep_id' in answer && Array.isArray((answer as SweepLaunch).jobs);
}

// The client and API the app uses; tests make their own.
export const client = new ApiClient();
export const api = createApi(client);

// The app's routes: plain paths (no hash), matched in order.
export type Route =
  | { name: 'dashboard' }
  | { name: 'project'; id: number }
  | { name: 'launch'; id: number }
  | { name: 'jobs' }
  | { name: 'job'; id: number }
  | { name: 'clusters' }
  | { name: 'cluster'; name_: string }
  | { name: 'not_found'; path: string };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  let m: RegExpExecArray | null;
  if (path === '/') return { name: 'dashboard' };
  if ((m = /^\/projects\/(\d+)$/.exec(path))) return { name: 'project', id: Number(m[1]) };
  if ((m = /^\/projects\/(\d+)\/launch$/.exec(path))) return { name: 'launch', id: Number(m[1]) };
  if (path === '/jobs') return { name: 'jobs' };
  if ((m = /^\/jobs\/(\d+)$/.exec(path))) return { name: 'job', id: Number(m[1]) };
  if (path === '/clusters') return { name: 'clusters' };
  if ((m = /^\/clusters\/([^/]+)$/.exec(path))) {
    try {
      return { name: 'cluster', name_: decodeURIComponent(m[1]) };
    } catch {
      return { name: 'not_found', path };
    }
  }
  return { name: 'not_found', path };
}

export const paths = {
  dashboard: () => '/',
  project: (id: number) => `/projects/${id}`,
  launch: (id: number) => `/projects/${id}/launch`,
  jobs: () => '/jobs',
  job: (id: number) => `/jobs/${id}`,
  clusters: () => '/clusters',
  cluster: (name: string) => `/clusters/${encodeURIComponent(name)}`,
};

// The one place that calls fetch: a typed client for the REST API of `sortie serve`.
import type { ErrorBody, ErrorCode, Page } from './types';

// What a failed call says. `status` is 0 when the server could not be reached at all.
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;

  constructor(status: number, code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }

  // True when the server itself is away (restarting, or a proxy in front of it answers):
  // worth retrying with backoff rather than showing as the answer.
  get unreachable(): boolean {
    return this.status === 0 || this.code === 'server_unreachable';
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface ClientOptions {
  fetch?: typeof fetch;
  // Called when a call answers 401; resolves once the user has signed in, and the call is then
  // made again. Without it, 401 is an ApiError like any other.
  onUnauthorized?: () => Promise<void>;
  // Told whether the last call reached the server, for the "reconnecting…" banner.
  onReachable?: (reachable: boolean) => void;
}

// `?a=1&b=x` from the defined, non-empty entries of `query`, in their order; '' when none.
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'invalid_argument';
    case 401:
      return 'unauthorized';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 502:
    case 503:
    case 504:
      return 'server_unreachable';
    default:
      return 'internal';
  }
}

// The ApiError for a non-2xx response: the server's {"error": {code, message}} when the body
// has it, else one made from the status (a proxy's 502 while the server restarts, say).
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The body is lost; the status still says what happened.
  }
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (body && typeof body.error === 'object' && body.error && typeof body.error.message === 'string') {
      return new ApiError(response.status, body.error.code ?? codeForStatus(response.status), body.error.message);
    }
  } catch {
    // Not JSON: fall through.
  }
  const code = codeForStatus(response.status);
  const message =
    code === 'server_unreachable'
      ? `The sortie server is not answering (HTTP ${response.status}); retrying.`
      : `HTTP ${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`;
  return new ApiError(response.status, code, message);
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

export interface Answer<T> {
  data: T;
  headers: Headers;
  status: number;
}

export class ApiClient {
  private readonly options: ClientOptions;

  constructor(options: ClientOptions = {}) {
    this.options = { ...options };
  }

  setUnauthorizedHandler(handler: (() => Promise<void>) | undefined): void {
    this.options.onUnauthorized = handler;
  }

  setReachableHandler(handler: ((reachable: boolean) => void) | undefined): void {
    this.options.onReachable = handler;
  }

  // Makes one call. Rejects with ApiError on a non-2xx answer or when the server cannot be
  // reached. On 401, waits for sign-in and makes the call again (never for /api/session itself).
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    for (;;) {
      const response = await this.send(method, path, options);
      if (response.status === 401 && this.options.onUnauthorized && !path.startsWith('/api/session')) {
        await response.text().catch(() => '');
        await this.options.onUnauthorized();
        continue;
      }
      if (!response.ok) throw await errorFromResponse(response);
      const data = (response.status === 204 ? undefined : await readJson(response)) as T;
      return { data, headers: response.headers, status: response.status };
    }
  }

  async get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return (await this.request<T>('GET', path, { query, signal })).data;
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return (await this.request<T>('POST', path, { body })).data;
  }

  async patch<T>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('PATCH', path, { body })).data;
  }

  async delete(path: string): Promise<void> {
    await this.request<void>('DELETE', path);
  }

  // One page of a list, with the total from X-Total-Count (when the header is missing, the
  // total is what this page shows: offset + items).
  async page<T>(path: string, query: Query & { limit?: number; offset?: number }, signal?: AbortSignal): Promise<Page<T>> {
    const answer = await this.request<T[]>('GET', path, { query, signal });
    const items = Array.isArray(answer.data) ? answer.data : [];
    const header = answer.headers.get('X-Total-Count');
    const parsed = header === null ? NaN : Number.parseInt(header, 10);
    const total = Number.isFinite(parsed) ? parsed : (query.offset ?? 0) + items.length;
    return { items, total };
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const doFetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    const init: RequestInit = {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      signal: options.signal,
    };
    // The server refuses every write without a JSON type, bodyless ones too (what pages of
    // other sites could send without asking it first).
    if (method !== 'GET' && method !== 'HEAD') {
      init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    }
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    let response: Response;
    try {
      response = await doFetch(path + queryString(options.query), init);
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      this.options.onReachable?.(false);
      throw new ApiError(0, 'server_unreachable', 'Cannot reach the sortie server; retrying.');
    }
    const proxyDown = [502, 504].includes(response.status) && !isJson(response);
    this.options.onReachable?.(!proxyDown);
    return response;
  }
}

function isJson(response: Response): boolean {
  return (response.headers.get('Content-Type') ?? '').includes('json');
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(response.status, 'internal', `The server sent a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

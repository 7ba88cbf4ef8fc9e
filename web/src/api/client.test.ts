import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, queryString } from './client';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

async function failure(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected the call to fail');
}

describe('queryString', () => {
  it('leaves out undefined, null and empty values', () => {
    expect(queryString({ a: 1, b: undefined, c: null, d: '', e: 'x y' })).toBe('?a=1&e=x+y');
    expect(queryString({})).toBe('');
  });
});

describe('ApiClient', () => {
  it('returns the parsed body of a 2xx answer and sends JSON bodies', async () => {
    const fetch = vi.fn(async () => json(201, { id: 7 }));
    const client = new ApiClient({ fetch });
    expect(await client.post('/api/projects/', { path: '/x' })).toEqual({ id: 7 });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/projects/');
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"path":"/x"}');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('sends a JSON type on bodyless writes and none on reads', async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    const client = new ApiClient({ fetch });
    await client.post('/api/jobs/1/cancel');
    await client.delete('/api/jobs/1');
    await client.get('/api/jobs/1');
    const types = fetch.mock.calls.map((call) => {
      const init = (call as unknown as [string, RequestInit])[1];
      return (init.headers as Record<string, string>)['Content-Type'];
    });
    expect(types).toEqual(['application/json', 'application/json', undefined]);
  });

  it('returns undefined for 204', async () => {
    const client = new ApiClient({ fetch: async () => new Response(null, { status: 204 }) });
    await expect(client.delete('/api/jobs/1')).resolves.toBeUndefined();
  });

  it("throws the server's error code and message", async () => {
    const client = new ApiClient({
      fetch: async () => json(409, { error: { code: 'conflict', message: 'cancel job 3 first' } }),
    });
    const error = await failure(client.delete('/api/jobs/3'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(409);
    expect(error.code).toBe('conflict');
    expect(error.message).toBe('cancel job 3 first');
    expect(error.unreachable).toBe(false);
  });

  it('makes an error from the status when the body is not the error shape', async () => {
    const client = new ApiClient({ fetch: async () => new Response('<html>oops</html>', { status: 500, statusText: 'Internal' }) });
    const error = await failure(client.get('/api/health'));
    expect(error.code).toBe('internal');
    expect(error.message).toContain('HTTP 500');
    expect(error.message).toContain('oops');
  });

  it('reports an unreachable server on a network failure and on a proxy 502', async () => {
    const reachable = vi.fn();
    const down = new ApiClient({ fetch: async () => Promise.reject(new TypeError('Failed to fetch')), onReachable: reachable });
    const error = await failure(down.get('/api/health'));
    expect(error.status).toBe(0);
    expect(error.unreachable).toBe(true);
    expect(reachable).toHaveBeenLastCalledWith(false);

    const proxy = new ApiClient({ fetch: async () => new Response('Bad Gateway', { status: 502 }), onReachable: reachable });
    const proxied = await failure(proxy.get('/api/health'));
    expect(proxied.unreachable).toBe(true);
    expect(reachable).toHaveBeenLastCalledWith(false);
  });

  it("keeps the server's own 503 as its answer, not as the server being away", async () => {
    const reachable = vi.fn();
    const client = new ApiClient({
      fetch: async () => json(503, { error: { code: 'unavailable', message: 'della is unreachable: check VPN' } }),
      onReachable: reachable,
    });
    const error = await failure(client.get('/api/clusters/della/nodes'));
    expect(error.code).toBe('unavailable');
    expect(error.unreachable).toBe(false);
    expect(reachable).toHaveBeenLastCalledWith(true);
  });

  it('waits for sign-in on 401 and then makes the call again', async () => {
    const answers = [json(401, { error: { code: 'unauthorized', message: 'sign in' } }), json(200, [{ id: 1 }])];
    const fetch = vi.fn(async () => answers.shift()!);
    const onUnauthorized = vi.fn(async () => {});
    const client = new ApiClient({ fetch, onUnauthorized });
    expect(await client.get('/api/projects/')).toEqual([{ id: 1 }]);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('does not wait for sign-in when signing in itself is refused', async () => {
    const onUnauthorized = vi.fn(async () => {});
    const client = new ApiClient({
      fetch: async () => json(401, { error: { code: 'unauthorized', message: 'wrong token' } }),
      onUnauthorized,
    });
    const error = await failure(client.post('/api/session', { token: 'x' }));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toBe('wrong token');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('reads the total of a page from X-Total-Count', async () => {
    const fetch = vi.fn(async (_url: RequestInfo | URL) => json(200, [{ id: 3 }, { id: 2 }], { 'X-Total-Count': '42' }));
    const client = new ApiClient({ fetch });
    const page = await client.page('/api/jobs/', { project_id: 1, state: '', limit: 2, offset: 10 });
    expect(page).toEqual({ items: [{ id: 3 }, { id: 2 }], total: 42 });
    expect(fetch.mock.calls[0][0]).toBe('/api/jobs/?project_id=1&limit=2&offset=10');
  });

  it('counts the page when X-Total-Count is missing', async () => {
    const client = new ApiClient({ fetch: async () => json(200, [{ id: 1 }]) });
    expect((await client.page('/api/jobs/', { limit: 50, offset: 50 })).total).toBe(51);
  });
});

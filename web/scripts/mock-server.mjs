// A stand-in for `sortie serve` for working on the UI without SLURM: serves the build with the
// real server's CSP and answers the REST API from made-up data, with live events and a growing
// log. Not a test double of record: the contract is the server's. Usage:
//   npm run build && node scripts/mock-server.mjs [port]   (MOCK_TOKEN=x asks for sign-in)
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

const port = Number(process.argv[2] ?? 8080);
const root = path.resolve(process.env.SORTIE_WEB_OUT ?? '../build/web');
const token = process.env.MOCK_TOKEN ?? '';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'";
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

const clusters = [
  { name: 'della', host: 'alice@della.princeton.edu', local: false, port: null, workspace: '/scratch/alice/sortie', allowed_partitions: null, allowed_gpu_types: null },
  { name: 'sandbox', host: 'researcher@127.0.0.1', local: false, port: 46822, workspace: '~/sortie', allowed_partitions: ['gpu', 'debug'], allowed_gpu_types: null },
];
const nodes = [
  ...[1, 2, 3, 4].map((i) => ({ name: `a100-${i}`, state: i === 4 ? 'DRAINED' : i === 1 ? 'ALLOCATED' : 'MIXED', capacity: i === 4 ? 'unavailable' : 'up', partitions: ['gpu'], gpus: [{ type: 'a100', total: 8, used: i === 1 ? 8 : i === 4 ? 2 : 3 }] })),
  ...[1, 2].map((i) => ({ name: `h100-${i}`, state: i === 2 ? 'IDLE+POWERED_DOWN' : 'ALLOCATED', capacity: i === 2 ? 'powered_down' : 'up', partitions: ['gpu', 'debug'], gpus: [{ type: 'h100', total: 4, used: i === 2 ? 0 : 4 }] })),
  { name: 'cpu-1', state: 'IDLE', capacity: 'up', partitions: ['cpu'], gpus: [] },
];
function availability(cluster) {
  const type = (name, pending) => {
    const own = nodes.filter((n) => n.gpus.some((g) => g.type === name));
    const sum = (f) => own.reduce((acc, n) => acc + f(n, n.gpus.find((g) => g.type === name)), 0);
    return {
      type: name,
      total: sum((n, g) => (n.capacity === 'unavailable' ? g.used : g.total)),
      used: sum((n, g) => g.used),
      free: sum((n, g) => (n.capacity === 'up' ? g.total - g.used : 0)),
      powered_down: sum((n, g) => (n.capacity === 'powered_down' ? g.total - g.used : 0)),
      unavailable: sum((n, g) => (n.capacity === 'unavailable' ? g.total - g.used : 0)),
      pending,
      nodes: own.filter((n) => n.capacity === 'up' && n.gpus[0].total > n.gpus[0].used).map((n) => ({ name: n.name, free: n.gpus[0].total - n.gpus[0].used })),
    };
  };
  const types = [type('a100', 0), type('h100', 12)];
  return { cluster, queried_at: now(), pending_untyped: 2, gpu_types: types, partitions: [{ name: 'gpu', pending_untyped: 2, gpu_types: types }, { name: 'debug', pending_untyped: 0, gpu_types: [types[1]] }], age_seconds: 4, refreshing: false };
}
const partitions = [
  { name: 'gpu', default: true, state: 'UP', nodes: 'a100-[1-4],h100-[1-2]', total_nodes: 6, total_cpus: 192, max_time_minutes: 2880, default_time_minutes: 60 },
  { name: 'debug', default: false, state: 'UP', nodes: 'h100-[1-2]', total_nodes: 2, total_cpus: 64, max_time_minutes: 60, default_time_minutes: 10 },
  { name: 'cpu', default: false, state: 'UP', nodes: 'cpu-1', total_nodes: 1, total_cpus: 32, max_time_minutes: null, default_time_minutes: null },
];
const projects = [
  { id: 1, name: 'vision', path: '/home/alice/code/vision', created_at: '2026-01-02T10:00:00Z', entry_command: 'python train.py', setup: ['module load cuda/12.1', 'source .venv/bin/activate'], cluster_overrides: {}, default_cluster: 'della',
    git: { branch: 'main', commit: '3f2a9c1d0b7e4455aa11bb22cc33dd44ee55ff66', pushed: false, ahead: 2, changed_files: [], synced_at: '2026-01-02T10:00:00Z' } },
  { id: 2, name: 'llm-sft', path: '/home/alice/code/llm-sft', created_at: '2026-01-03T10:00:00Z', entry_command: null, setup: [], cluster_overrides: {}, default_cluster: null, git: null },
];
const liveGit = { root: '/home/alice/code/vision', remotes: [], branch: 'main', detached: false, commit: '3f2a9c1d0b7e4455aa11bb22cc33dd44ee55ff66', summary: 'Try a cosine schedule <b>not bold</b>', upstream: 'origin/main', pushed: false, ahead: 2, behind: 0,
  changed_files: [{ path: 'train.py', status: 'modified', old_path: null }, { path: 'conf/model/vit.yaml', status: 'new', old_path: null }], submodules: [], delivery: 'snapshot' };
let nextJob = 1;
const jobs = [];
function makeJob(overrides = {}) {
  const id = nextJob++;
  const job = { id, project: 'vision', project_id: 1, cluster: 'della', name: `vision-${id}`, submission_key: `sortie-${String(id).padStart(16, '0')}`, phase: 'submitted', slurm_job_id: 1000 + id, state: 'PENDING', reason: 'Resources', exit_code: null, signal: null, cancelled_by: null,
    created_at: now(), submitted_at: now(), started_at: null, ended_at: null, elapsed_seconds: 0, nodes: null,
    resources: { partition: 'gpu', gpu_type: 'a100', gpus_per_node: 4, nodes: 1, cpus_per_task: 8, memory: '64G', time_limit_minutes: 120, account: null, qos: null, constraint: null },
    command: 'python train.py', arguments: ['model=vit', 'optim.lr=0.01'], code: { mode: 'snapshot', commit: liveGit.commit, snapshot_hash: 'b3c1e0a9f', changed_files: ['train.py'] }, rerun_of: null,
    wandb_urls: [], workspace: '/scratch/alice/sortie', log_paths: { stdout: `/scratch/alice/sortie/jobs/x-${id}.out`, stderr: `/scratch/alice/sortie/jobs/x-${id}.err` }, sweep_id: null, array_task_index: null, ...overrides };
  jobs.unshift(job);
  return job;
}
for (const state of ['COMPLETED', 'FAILED', 'OUT_OF_MEMORY', 'CANCELLED', 'TIMEOUT']) makeJob({ state, reason: null, exit_code: state === 'COMPLETED' ? 0 : 1, elapsed_seconds: 3600 });
for (let i = 0; i < 3; i++) makeJob({ sweep_id: 'sw1', array_task_index: i, state: i === 0 ? 'RUNNING' : 'PENDING', name: `vision-sweep-${i}`, arguments: [`optim.lr=${[0.1, 0.01, 0.001][i]}`] });
makeJob({ state: 'RUNNING', reason: null, started_at: now(), wandb_urls: ['https://wandb.ai/alice/vision/runs/abc123'], project: 'llm-sft', project_id: 2 });
const events = new Map();
const logs = new Map();
const hydra = {
  config_dir: 'conf', config_name: 'config',
  groups: [{ name: 'model', options: ['resnet', 'vit'], default: 'resnet' }, { name: 'logger', options: ['wandb', 'csv'], default: null }],
  config: { model: { name: 'resnet', depth: 50 }, optim: { lr: 0.001, momentum: 0.9, nesterov: false }, data: { path: '/data/imagenet', augment: ['flip', 'crop'] }, seed: 0, trainer: { max_epochs: 90, precision: '32' } },
  types: { 'model.name': 'str', 'model.depth': 'int', 'optim.lr': 'float', 'optim.momentum': 'float', 'optim.nesterov': 'bool', 'data.path': 'str', 'data.augment': 'list', seed: 'int', 'trainer.max_epochs': 'int', 'trainer.precision': 'str' },
};

const eventClients = new Set();
function broadcast(type, data) {
  for (const res of eventClients) res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
}
function transition(job, state) {
  const from = { phase: job.phase, state: job.state, reason: job.reason };
  job.state = state;
  job.reason = state === 'PENDING' ? 'Priority' : null;
  if (state === 'RUNNING') job.started_at = now();
  if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(state)) { job.ended_at = now(); job.exit_code = state === 'COMPLETED' ? 0 : 1; }
  const list = events.get(job.id) ?? [];
  list.push({ at: now(), from, to: { phase: job.phase, state: job.state, reason: job.reason }, detail: null });
  events.set(job.id, list);
  broadcast('job', job);
}
setInterval(() => {
  const pending = jobs.find((j) => j.state === 'PENDING');
  if (pending) transition(pending, 'RUNNING');
  for (const job of jobs) if (job.state === 'RUNNING') job.elapsed_seconds += 5;
  broadcast('gpus', availability('della'));
}, 5000);

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
const fail = (res, status, code, message) => send(res, status, { error: { code, message } });
function readBody(req) {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => { try { resolve(text ? JSON.parse(text) : {}); } catch { resolve(null); } });
  });
}
function expand(overrides, paired) {
  const lists = overrides.map((o) => { const [k, v = ''] = o.split(/=(.*)/s); return v.includes(',') && !v.startsWith('[') ? v.split(',').map((x) => `${k}=${x}`) : [o]; });
  if (paired) { const n = Math.max(...lists.map((l) => l.length), 1); return Array.from({ length: n }, (_, i) => lists.map((l) => l[Math.min(i, l.length - 1)])); }
  return lists.reduce((acc, list) => acc.flatMap((a) => list.map((x) => [...a, x])), [[]]);
}
function script(body) {
  return ['#!/bin/bash', `#SBATCH --job-name=${body.name ?? 'vision'}`, `#SBATCH --partition=${body.partition ?? 'gpu'}`, `#SBATCH --nodes=${body.nodes ?? 1}`,
    `#SBATCH --gres=gpu:${body.gpu_type ? body.gpu_type + ':' : ''}${body.gpus ?? 0}`, `#SBATCH --time=${body.time ?? '2-00:00:00'}`, body.memory ? `#SBATCH --mem=${body.memory}` : null,
    '', 'module load cuda/12.1', 'source .venv/bin/activate', `python train.py ${(body.arguments ?? []).map((a) => `'${a}'`).join(' ')}`].filter((l) => l !== null).join('\n');
}
function logText(id) {
  if (!logs.has(id)) logs.set(id, Array.from({ length: 30 }, (_, i) => `step ${i} loss ${(2 / (i + 1)).toFixed(4)} <script>alert(1)</script>\n`).join(''));
  return logs.get(id);
}

async function api(req, res, url) {
  const p = url.pathname;
  const cookie = req.headers.cookie ?? '';
  const signed = !token || cookie.includes(`mock_session=${token}`);
  if (p === '/api/session') {
    if (req.method === 'GET') return send(res, 200, { auth_required: !!token, signed_in: signed });
    if (req.method === 'POST') { const b = await readBody(req); if (b?.token !== token) return fail(res, 401, 'unauthorized', 'That token is not the one sortie serve printed; copy it again.'); res.writeHead(204, { 'Set-Cookie': `mock_session=${token}; HttpOnly; Path=/; SameSite=Strict` }); return res.end(); }
    res.writeHead(204, { 'Set-Cookie': 'mock_session=; Max-Age=0; Path=/' }); return res.end();
  }
  if (!signed) return fail(res, 401, 'unauthorized', 'Sign in first.');
  let m;
  if (p === '/api/health') return send(res, 200, { status: 'ok', version: 'mock' });
  if (p === '/api/events') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write(': hello\n\n');
    eventClients.add(res);
    req.on('close', () => eventClients.delete(res));
    return;
  }
  if (p === '/api/projects/' && req.method === 'GET') return send(res, 200, projects, { 'X-Total-Count': String(projects.length) });
  if (p === '/api/projects/' && req.method === 'POST') { const b = await readBody(req); if (!b?.path?.startsWith('/')) return fail(res, 400, 'invalid_argument', `'${b?.path}' is not inside a Git repository: give the path of a clone with a remote`); const pr = { ...projects[1], id: projects.length + 1, name: b.name ?? path.basename(b.path), path: b.path }; projects.push(pr); return send(res, 201, pr); }
  if ((m = /^\/api\/projects\/(\d+)(\/sync)?$/.exec(p))) {
    const pr = projects.find((x) => x.id === Number(m[1]));
    if (!pr) return fail(res, 404, 'not_found', `no project ${m[1]}`);
    if (req.method === 'DELETE') return jobs.some((j) => j.project_id === pr.id) ? fail(res, 409, 'conflict', `project ${pr.name} has recorded jobs: remove them first (sortie rm JOB)`) : (projects.splice(projects.indexOf(pr), 1), send(res, 204));
    if (req.method === 'PATCH') { Object.assign(pr, await readBody(req)); return send(res, 200, { ...pr, live_git: liveGit }); }
    return send(res, 200, { ...pr, live_git: pr.id === 1 ? liveGit : { ...liveGit, pushed: true, ahead: 0, changed_files: [], delivery: 'git' } });
  }
  if ((m = /^\/api\/projects\/(\d+)\/hydra-config$/.exec(p))) return m[1] === '1' ? send(res, 200, hydra) : fail(res, 404, 'not_found', 'this project has no Hydra config');
  if (p === '/api/hydra/compose') { const b = await readBody(req); const bad = b.overrides.find((o) => o.startsWith('nope')); if (bad) return fail(res, 400, 'invalid_argument', `Could not override '${bad}': key not in config`); return send(res, 200, { config: { ...hydra.config, _overrides: b.overrides } }); }
  if (p === '/api/hydra/expand') { const b = await readBody(req); const list = expand(b.overrides, b.paired); return send(res, 200, { count: list.length, jobs: list }); }
  if (p === '/api/jobs/preview') { const b = await readBody(req); if (b.time === '99:00:00') return fail(res, 400, 'invalid_argument', '--time 99:00:00 is above the partition gpu\'s MaxTime 2-00:00:00'); return send(res, 200, { script: script(b), tasks: b.multirun ? expand(b.arguments, b.paired).length : 1 }); }
  if (p === '/api/jobs/' && req.method === 'POST') { const b = await readBody(req); const job = makeJob({ state: null, phase: 'submitting', cluster: b.cluster, arguments: b.arguments }); setTimeout(() => { job.phase = 'submitted'; transition(job, 'PENDING'); }, 1500); return send(res, 201, job); }
  if (p === '/api/jobs/') {
    let list = jobs;
    for (const key of ['project_id', 'cluster', 'state', 'sweep_id']) { const v = url.searchParams.get(key); if (v) list = list.filter((j) => String(j[key]) === v); }
    const limit = Number(url.searchParams.get('limit') ?? 50); const offset = Number(url.searchParams.get('offset') ?? 0);
    return send(res, 200, list.slice(offset, offset + limit), { 'X-Total-Count': String(list.length) });
  }
  if ((m = /^\/api\/jobs\/(\d+)(\/[a-z-]+)?(\/stream)?$/.exec(p))) {
    const job = jobs.find((j) => j.id === Number(m[1]));
    if (!job) return fail(res, 404, 'not_found', `no job ${m[1]}`);
    const action = m[2] ?? '';
    if (action === '/cancel') { transition(job, 'CANCELLED'); return send(res, 200, job); }
    if (action === '/rerun') { const copy = makeJob({ ...job, id: undefined, rerun_of: job.id, state: 'PENDING' }); copy.id = nextJob - 1; return send(res, 201, copy); }
    if (action === '/refresh-status') return send(res, 200, job);
    if (action === '/events') return send(res, 200, events.get(job.id) ?? [{ at: job.created_at, from: null, to: { phase: 'submitting', state: null, reason: null }, detail: 'recorded' }]);
    if (action === '/script') return send(res, 200, { script: script({ ...job.resources, arguments: job.arguments }) });
    if (action === '/logs' && !m[3]) { const text = logText(job.id); const lines = text.split('\n'); const tail = lines.slice(-21).join('\n'); const bytes = Buffer.byteLength(text); return send(res, 200, { stream: url.searchParams.get('stream'), path: job.log_paths.stdout, text: tail, offset: bytes - Buffer.byteLength(tail), next_offset: bytes }); }
    if (action === '/logs' && m[3]) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      let offset = Number(req.headers['last-event-id'] ?? url.searchParams.get('offset') ?? 0);
      const timer = setInterval(() => {
        if (job.state !== 'RUNNING') { res.write('event: end\ndata: {}\n\n'); clearInterval(timer); return res.end(); }
        const line = `step ${logText(job.id).split('\n').length} loss ${Math.random().toFixed(4)}\n`;
        logs.set(job.id, logText(job.id) + line);
        const next = offset + Buffer.byteLength(line);
        res.write(`event: log\nid: ${next}\ndata: ${JSON.stringify({ offset, next_offset: next, text: line })}\n\n`);
        offset = next;
      }, 1000);
      req.on('close', () => clearInterval(timer));
      return;
    }
    if (req.method === 'DELETE') { if (['PENDING', 'RUNNING'].includes(job.state)) return fail(res, 409, 'conflict', `job ${job.id} is ${job.state}: cancel it first`); jobs.splice(jobs.indexOf(job), 1); return send(res, 204); }
    return send(res, 200, job);
  }
  if (p === '/api/clusters/') return send(res, 200, clusters, { 'X-Total-Count': String(clusters.length) });
  if ((m = /^\/api\/clusters\/([^/]+)\/([a-z-]+)$/.exec(p))) {
    const name = decodeURIComponent(m[1]);
    if (!clusters.some((c) => c.name === name)) return fail(res, 404, 'not_found', `no cluster ${name}`);
    if (m[2] === 'gpu-availability') return send(res, 200, availability(name));
    if (m[2] === 'partitions') return send(res, 200, partitions);
    if (m[2] === 'nodes') return send(res, 200, nodes);
    if (m[2] === 'test-connection') return send(res, 200, name === 'della' ? { ok: true, latency_ms: 84, slurm_version: '23.02.7' } : { ok: false, error: { code: 'host_key_unknown', message: "127.0.0.1:46822 offered an unknown host key SHA256:q3T9l0n5Gx2m1ZbFf0o0dVt8o5cK3k4n1m0aBcDeFgH.\nCheck it with the cluster's admins, then run:\n  sortie clusters trust sandbox" } });
  }
  return fail(res, 404, 'not_found', `no route ${req.method} ${p}`);
}

createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  res.setHeader('Content-Security-Policy', CSP);
  if (url.pathname.startsWith('/api/')) return void api(req, res, url).catch((e) => fail(res, 500, 'internal', String(e)));
  if (url.pathname === '/openapi.json') return send(res, 200, { openapi: '3.0.3', info: { title: 'sortie (mock)', version: '0' }, paths: {} });
  let file = path.join(root, path.normalize(url.pathname));
  if (url.pathname.endsWith('/')) file = path.join(file, 'index.html');
  if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) file = path.join(root, 'index.html');
  const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml' };
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}).listen(port, '127.0.0.1', () => console.log(`mock sortie on http://127.0.0.1:${port}/ serving ${root}`));

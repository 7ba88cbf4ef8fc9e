// End-to-end test of the web UI against a real `sortie serve` and the sandbox SLURM cluster,
// in Debian's headless chromium driven by playwright-core. See docs/web.md, "End-to-end test".
//
// It starts the sandbox when it is down (and leaves it up: scripts/with-sandbox.sh owns its
// lifetime), starts `sortie serve` on a free loopback port with a fresh database, then through
// the UI only (signed in with the link `sortie serve` prints, as a user would): adds a fresh copy of examples/tiny-train, launches a job and watches it reach
// RUNNING and COMPLETED without reloading, reads its log and W&B link, cancels a second job,
// and opens the cluster's node grid. Screenshots go to E2E_ARTIFACTS.
//
// Environment (paths relative to web/): SORTIE_BIN (../build/sortie), SORTIE_WEB_DIR (web/
// beside the binary), SORTIE_CLUSTERS (the sandbox's clusters.yaml), E2E_ARTIFACTS
// (e2e-artifacts/ beside the binary), CHROMIUM (/usr/bin/chromium), E2E_KEEP=1 keeps the
// temporary folder and the server's log.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, chmodSync, readdirSync, rmSync, writeFileSync, createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(web, '..');
const sortie = path.resolve(web, process.env.SORTIE_BIN ?? '../build/sortie');
const webDir = path.resolve(web, process.env.SORTIE_WEB_DIR ?? path.join(path.dirname(sortie), 'web'));
const sandboxDir = process.env.SORTIE_SANDBOX_DIR ?? '/var/tmp/sortie-sandbox';
const clusters = path.resolve(web, process.env.SORTIE_CLUSTERS ?? path.join(sandboxDir, 'clusters.yaml'));
const artifacts = path.resolve(web, process.env.E2E_ARTIFACTS ?? path.join(path.dirname(sortie), 'e2e-artifacts'));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const keep = process.env.E2E_KEEP === '1';

const started = Date.now();
const log = (message) => console.log(`e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s  ${message}`);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with status ${result.status}`);
}

async function waitForServer(url, server, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`sortie serve exited with status ${server.exitCode}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`sortie serve did not answer ${url}/api/health within ${timeoutMs / 1000} s`);
}

// The state the job view shows, waited for without reloading the page.
async function waitForState(page, states, timeoutMs) {
  const badge = page.getByTestId('job-page').getByTestId('job-state').first();
  const selector = states.map((state) => `[data-testid="job-page"] [data-testid="job-state"][data-state="${state}"]`).join(', ');
  try {
    await page.locator(selector).first().waitFor({ timeout: timeoutMs });
  } catch (error) {
    const shown = await badge.getAttribute('data-state').catch(() => '(none)');
    throw new Error(`the job view did not show ${states.join(' or ')} within ${timeoutMs / 1000} s (it shows ${shown})`, { cause: error });
  }
  return badge.getAttribute('data-state');
}

const steps = [];
async function step(name, body) {
  const at = Date.now();
  await body();
  steps.push([name, Date.now() - at]);
  log(`ok  ${name}`);
}

let currentPage = null;
const consoleErrors = [];
const failedResponses = [];

// What the failed step left on screen, and the end of the server's log.
async function failureReport(scratch) {
  if (consoleErrors.length > 0) console.error(`e2e: the browser console reported:\n${consoleErrors.join('\n')}`);
  if (currentPage) await currentPage.screenshot({ path: path.join(artifacts, 'failure.png'), fullPage: true }).catch(() => {});
  try {
    const tail = readFileSync(path.join(scratch, 'serve.log'), 'utf8').split('\n').slice(-40).join('\n');
    console.error(`e2e: the end of sortie serve's log:\n${tail}`);
  } catch {
    // the server never started
  }
}

async function main() {
  // Only this run's screenshots: none left over from an earlier one.
  mkdirSync(artifacts, { recursive: true });
  for (const name of readdirSync(artifacts)) if (name.endsWith('.png')) rmSync(path.join(artifacts, name));
  // The example's Git remote must be readable by the sandbox's cluster user: not under /tmp's
  // private folders or root's home.
  mkdirSync('/var/tmp/sortie-e2e', { recursive: true });
  chmodSync('/var/tmp/sortie-e2e', 0o755);
  const scratch = mkdtempSync('/var/tmp/sortie-e2e/run-');
  chmodSync(scratch, 0o755);

  const cleanups = [];
  const cleanup = async () => {
    for (const undo of cleanups.reverse()) await undo().catch((error) => console.error(`e2e cleanup: ${error.message}`));
    if (!keep) rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await scenario(scratch, cleanups);
  } catch (error) {
    await failureReport(scratch);
    throw error;
  } finally {
    await cleanup();
  }
}

async function scenario(scratch, cleanups) {
  await step('sandbox is up', async () => {
    const status = spawnSync('bash', [path.join(repo, 'sandbox/status.sh'), '--quiet']);
    if (status.status !== 0) run('bash', [path.join(repo, 'sandbox/up.sh')]);
  });

  const example = path.join(scratch, 'tiny-train');
  await step('fresh copy of examples/tiny-train with a bare remote', async () => {
    // Its own global Git config: the copy must not add safe.directory entries to the user's.
    writeFileSync(path.join(scratch, 'gitconfig'), '');
    run('bash', [path.join(repo, 'scripts/example-project.sh'), example, path.join(scratch, 'tiny-train.git')], {
      env: { ...process.env, GIT_CONFIG_GLOBAL: path.join(scratch, 'gitconfig') },
    });
  });

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  await step(`sortie serve on ${base}`, async () => {
    const serverLog = createWriteStream(path.join(scratch, 'serve.log'));
    const server = spawn(
      sortie,
      ['--config', clusters, '--db', path.join(scratch, 'sortie.db'), 'serve', '--listen', `127.0.0.1:${port}`, '--web-dir', webDir, '--fastest', '1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const spawnFailure = new Promise((_, reject) => server.once('error', (error) => reject(new Error(`cannot start ${sortie}: ${error.message}`))));
    spawnFailure.catch(() => {});
    server.stdout.pipe(serverLog);
    server.stderr.pipe(serverLog);
    cleanups.push(async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    });
    await Promise.race([waitForServer(base, server, 15_000), spawnFailure]);
  });

  // The sign-in link `sortie serve` prints (http://127.0.0.1:PORT/?token=SECRET): the browser
  // trades it for a session cookie. The same secret lets this script clean up through the API.
  let signInLink;
  await step('read the sign-in link sortie serve printed', async () => {
    const deadline = Date.now() + 10_000;
    const pattern = new RegExp(`${base.replace(/[.]/g, '\\.')}/\\?token=([0-9a-f]{64})`);
    while (!signInLink && Date.now() < deadline) {
      const found = readFileSync(path.join(scratch, 'serve.log'), 'utf8').match(pattern);
      if (found) signInLink = found[0];
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!signInLink) throw new Error('sortie serve printed no sign-in link with ?token=');
  });
  const secret = new URL(signInLink).searchParams.get('token');
  const apiHeaders = { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' };

  const context = await chromium.launchPersistentContext(path.join(scratch, 'chromium-profile'), {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  cleanups.push(() => context.close());
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  currentPage = page;
  page.on('console', (message) => {
    // The browser logs every answer >= 400 as an error; those are listed on their own below.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) failedResponses.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

  let projectId;
  await step('sign in with the link; the secret leaves the address bar', async () => {
    await page.goto(signInLink);
    if (page.url() !== `${base}/`) throw new Error(`the sign-in link led to ${page.url()}, not ${base}/`);
    const cookies = await context.cookies(base);
    const session = cookies.find((cookie) => cookie.name === 'sortie_session');
    if (!session || !session.httpOnly || session.sameSite !== 'Strict') {
      throw new Error(`no HttpOnly, SameSite=Strict session cookie after the sign-in link: ${JSON.stringify(cookies)}`);
    }
  });

  await step('add the example project through the dashboard', async () => {
    await page.goto(base);
    await page.getByTestId('dashboard-projects').waitFor();
    await page.getByTestId('projects-empty').waitFor();
    await page.getByTestId('add-project-open').click();
    await page.getByTestId('add-project-path').fill(example);
    await page.getByTestId('add-project-name').fill('tiny-train');
    await page.getByTestId('add-project-entry').fill('python3 train.py');
    await shot('01-add-project');
    await page.getByTestId('add-project-submit').click();
    // The new project's page opens, with its Git state: the pushed commit, in git mode.
    await page.waitForURL(/\/projects\/\d+$/);
    projectId = new URL(page.url()).pathname.split('/').pop();
    await page.getByTestId('project-page').waitFor();
    await page.getByTestId('git-delivery').waitFor();
    await shot('02-project');
    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId(`project-row-${projectId}`).waitFor();
  });

  // Fills the launch form of the project and submits; returns the job's id from the URL.
  const launch = async (name, args, screenshot) => {
    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId(`project-launch-${projectId}`).click();
    await page.getByTestId('launch-form').waitFor();
    // The partitions come from the cluster, after the form shows.
    await page.locator('[data-testid="launch-partition"] option[value="debug"]').waitFor({ state: 'attached', timeout: 30_000 });
    await page.getByTestId('launch-partition').selectOption('debug');
    await page.getByTestId('launch-time').fill('5');
    await page.getByTestId('launch-name').fill(name);
    await page.getByTestId('launch-arguments').fill(args);
    // The server rendered the sbatch script for exactly this form.
    await page.getByTestId('launch-preview').filter({ hasText: 'step_seconds' }).waitFor();
    if (screenshot) await shot(screenshot);
    await page.getByTestId('launch-submit').click();
    await page.waitForURL(/\/jobs\/\d+$/);
    await page.getByTestId('job-page').waitFor();
    return Number(new URL(page.url()).pathname.split('/').pop());
  };

  await step('launch a job; the job view reaches RUNNING then COMPLETED without reloading', async () => {
    await launch('e2e-completes', 'steps=6 +step_seconds=1.5', '03-launch-form');
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    // Generous: other tests may hold the sandbox's debug nodes for a while.
    await waitForState(page, ['RUNNING'], 180_000);
    await page.getByTestId('job-log').filter({ hasText: 'loss' }).waitFor({ timeout: 30_000 });
    await shot('04-job-running');
    await waitForState(page, ['COMPLETED'], 90_000);
    if (navigations !== 0) throw new Error(`the page navigated ${navigations} times while the job ran`);
  });

  await step('its log shows the loss and the run ends', async () => {
    await page.getByTestId('job-log').filter({ hasText: 'done: model=small' }).waitFor({ timeout: 30_000 });
    const text = await page.getByTestId('job-log').innerText();
    if (!/step 6\/6 loss \d/.test(text)) throw new Error(`the log lacks "step 6/6 loss": ${text.slice(-400)}`);
  });

  await step('its W&B link shows', async () => {
    const link = page.getByTestId('job-wandb-link').first();
    await link.waitFor({ timeout: 30_000 });
    const href = await link.getAttribute('href');
    if (!href?.startsWith('https://wandb.ai/sortie-examples/tiny-train/runs/')) throw new Error(`unexpected W&B link ${href}`);
    await shot('05-job-completed');
  });

  await step('cancel a second job; it reaches CANCELLED', async () => {
    const id = await launch('e2e-cancelled', 'steps=100 +step_seconds=5');
    // Whatever happens below, leave nothing running on the shared sandbox.
    cleanups.push(() => fetch(`${base}/api/jobs/${id}/cancel`, { method: 'POST', body: '', headers: apiHeaders }));
    await waitForState(page, ['PENDING', 'RUNNING'], 60_000);
    await page.getByTestId('job-cancel').click();
    await page.getByTestId('job-cancel-confirm').click();
    await waitForState(page, ['CANCELLED'], 60_000);
    await shot('06-job-cancelled');
  });

  await step('the jobs list shows both', async () => {
    await page.getByTestId('nav-jobs').click();
    await page.getByTestId('job-table').waitFor();
    await page.locator('[data-testid="job-table"] [data-testid="job-state"][data-state="COMPLETED"]').first().waitFor();
    await page.locator('[data-testid="job-table"] [data-testid="job-state"][data-state="CANCELLED"]').first().waitFor();
    await shot('07-jobs');
  });

  await step('the cluster page shows the node grid', async () => {
    await page.getByTestId('nav-clusters').click();
    const card = page.getByTestId('cluster-card-sandbox');
    await card.waitFor();
    await shot('08-clusters');
    await card.getByRole('link', { name: 'sandbox' }).first().click();
    await page.getByTestId('cluster-page').waitFor();
    await page.getByTestId('gpu-grid').waitFor({ timeout: 30_000 });
    const cells = await page.getByTestId('gpu-cell').count();
    const nodes = await page.locator('[data-testid^="cluster-node-"]').count();
    if (cells === 0 || nodes === 0) throw new Error(`the grid shows ${nodes} nodes and ${cells} GPUs`);
    // The partitions table, with each partition's GPU types from the availability.
    await page.getByTestId('cluster-partition-debug').filter({ hasText: 'a100' }).waitFor({ timeout: 30_000 });
    await shot('09-cluster');
  });

  if (failedResponses.length > 0) log(`answers >= 400 the UI got (and handled):\n  ${failedResponses.join('\n  ')}`);
  if (consoleErrors.length > 0) throw new Error(`the browser console reported errors:\n${consoleErrors.join('\n')}`);
}

main().then(
  () => {
    for (const [name, ms] of steps) console.log(`  ${(ms / 1000).toFixed(1).padStart(5)} s  ${name}`);
    log(`passed; screenshots in ${artifacts}`);
  },
  (error) => {
    process.exitCode = 1;
    console.error(`e2e FAILED: ${error.stack ?? error}`);
    console.error(`e2e: screenshots so far in ${artifacts}`);
  },
);

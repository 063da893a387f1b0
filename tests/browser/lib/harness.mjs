// Shared set-up for the browser tests: build the bundled site into a temp folder,
// serve it with Debian's nginx under /bps/, and drive Debian's chromium with
// playwright-core, with every request that leaves 127.0.0.1 aborted and counted.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const BROWSER_DIR = resolve(here, '..');
export const REPO = resolve(BROWSER_DIR, '..', '..');
export const SCREENSHOT_DIR = join(REPO, 'test-output', 'screenshots');
export const SUB_PATH = '/bps/';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const NGINX = process.env.NGINX_BIN || '/usr/sbin/nginx';
export const LIANGBIAO = process.env.LIANGBIAO || join(REPO, 'target', 'debug', 'liangbiao');
// The site folder to build (config.toml, content/, templates/, static/); the repository by default.
export const SITE_ROOT = process.env.SITE_ROOT || REPO;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const PHONE = { width: 360, height: 800 };
export const DESKTOP = { width: 1280, height: 900 };

/** A free TCP port on the loopback interface. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** Build the bundled site with the debug binary. Returns the output folder. */
export function buildSite(tmp, baseUrl, root = SITE_ROOT, name = 'site', { precompress = true } = {}) {
  if (!existsSync(LIANGBIAO)) {
    throw new Error(`${LIANGBIAO} is missing: run \`cargo build --locked\` first (run.sh does)`);
  }
  const out = join(tmp, name);
  const args = ['build', '--root', root, '--output', out, '--base-url', baseUrl, '--quiet'];
  if (precompress) args.push('--precompress');
  const r = spawnSync(LIANGBIAO, args, {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(`liangbiao build failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  if (r.stderr.trim()) console.log(`liangbiao build said:\n${r.stderr}`);
  return out;
}

/**
 * The nginx `location` block README.md documents for self-hosting, pointed at siteDir:
 * the suite serves the site exactly as the README tells people to, so the example
 * cannot drift from what works.
 */
export function readmeLocation(siteDir) {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const block = readme.match(/```nginx\n([\s\S]*?)```/);
  if (!block) throw new Error('README.md has no ```nginx block');
  if (!block[1].includes('/srv/liangbiao/')) throw new Error('README nginx block no longer aliases /srv/liangbiao/');
  return block[1].replaceAll('/srv/liangbiao/', `${siteDir}/`);
}

function nginxConfig({ tmp, port, siteDir }) {
  // Everything nginx writes stays inside tmp. It runs in the foreground as a
  // single process, so the test owns exactly one child process.
  return `daemon off;
master_process off;
worker_processes 1;
pid ${tmp}/nginx.pid;
error_log ${tmp}/error.log warn;
events { worker_connections 64; }
http {
  types {
    text/html html;
    text/css css;
    text/plain txt;
    application/xml xml;
    image/svg+xml svg;
    image/png png;
    image/x-icon ico;
    application/javascript js;
    application/json json;
  }
  default_type application/octet-stream;
  charset utf-8;
  charset_types text/css text/plain application/xml image/svg+xml application/javascript;
  access_log ${tmp}/access.log;
  client_body_temp_path ${tmp}/client_body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  server_tokens off;
  server {
    listen 127.0.0.1:${port};
    server_name 127.0.0.1;
    location = / { return 302 /bps/; }
${readmeLocation(siteDir)}
  }
}
`;
}

/** Start nginx in the foreground on a loopback port. Returns { stop, origin, logs }. */
export async function startNginx({ tmp, port, siteDir }) {
  const conf = join(tmp, 'nginx.conf');
  writeFileSync(conf, nginxConfig({ tmp, port, siteDir }));
  const args = ['-p', `${tmp}/`, '-c', conf, '-e', join(tmp, 'error.log')];
  // nginx reads listening sockets to inherit from $NGINX: never pass one on.
  const env = { ...process.env };
  delete env.NGINX;
  const check = spawnSync(NGINX, ['-t', '-q', ...args], { encoding: 'utf8', env });
  if (check.error) throw new Error(`cannot run ${NGINX}: ${check.error.message}`);
  if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);

  const child = spawn(NGINX, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  let exited = null;
  const exitPromise = new Promise((ok) => child.on('exit', (code, signal) => { exited = { code, signal }; ok(); }));
  // A crashed test run must not leave nginx behind.
  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* already gone */ } };
  process.once('exit', killOnExit);

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited) throw new Error(`nginx exited at start (${JSON.stringify(exited)}):\n${readLog(tmp)}`);
    try {
      const r = await fetch(`${origin}${SUB_PATH}`);
      await r.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        killOnExit();
        throw new Error(`nginx did not answer on ${origin} within 15 s:\n${readLog(tmp)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    origin,
    logs: () => readLog(tmp),
    async stop() {
      process.removeListener('exit', killOnExit);
      if (exited) return;
      child.kill('SIGQUIT'); // graceful shutdown
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

function readLog(tmp) {
  try { return readFileSync(join(tmp, 'error.log'), 'utf8'); } catch { return '(no error.log)'; }
}

/**
 * Everything a test file needs: a built site served by nginx and a browser. The site
 * is the one at `root`, the bundled one unless told, with .gz and .br siblings unless
 * `precompress` is false.
 * `blocked` collects every request that tried to leave 127.0.0.1.
 */
export async function startStack({ root = SITE_ROOT, precompress = true } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'liangbiao-browser-'));
  const stack = { tmp, blocked: [], nginx: null, browser: null };
  stack.close = async () => {
    try { if (stack.browser) await stack.browser.close(); } finally {
      try { if (stack.nginx) await stack.nginx.stop(); } finally {
        if (!process.env.KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
        else console.log(`kept ${tmp}`);
      }
    }
  };
  try {
    const port = await freePort();
    stack.port = port;
    stack.origin = `http://127.0.0.1:${port}`;
    stack.base = `${stack.origin}${SUB_PATH}`;
    stack.siteDir = buildSite(tmp, stack.base, root, 'site', { precompress });
    stack.nginx = await startNginx({ tmp, port, siteDir: stack.siteDir });
    stack.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  } catch (e) {
    await stack.close();
    throw e;
  }

  /**
   * A browser context whose requests may only go to our nginx. Every other request
   * is aborted and recorded in `context.blockedRequests` (and in `stack.blocked`).
   */
  stack.newContext = async (viewport = DESKTOP) => {
    const context = await stack.browser.newContext({ viewport, locale: 'zh-CN', serviceWorkers: 'block' });
    context.blockedRequests = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      let host = '';
      try { host = new URL(url).hostname; } catch { /* unparsable: block it */ }
      if (host === '127.0.0.1') return route.continue();
      let from = '';
      try { from = route.request().frame().url(); } catch { /* not from a frame */ }
      stack.blocked.push({ url, from });
      context.blockedRequests.push({ url, from });
      return route.abort('blockedbyclient');
    });
    return context;
  };
  return stack;
}

/**
 * Attach listeners that collect console errors, page errors, failed requests and
 * error responses. Returns a function that hands back (and resets) what was seen.
 */
export function watchPage(page) {
  let seen = [];
  // Outside requests are aborted by the route in newContext and reported from there,
  // so the failures that abort causes are not reported twice.
  const isOutside = (url) => { try { return new URL(url).hostname !== '127.0.0.1'; } catch { return false; } };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location().url;
    if (isOutside(where) && msg.text().includes('ERR_BLOCKED_BY_CLIENT')) return;
    // The page's own status is checked by the caller (the 404 page answers 404 on purpose).
    if (where && where === page.url() && msg.text().startsWith('Failed to load resource')) return;
    seen.push(`console error: ${msg.text()} (${where || 'inline'})`);
  });
  page.on('pageerror', (err) => seen.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (isOutside(req.url())) return;
    const failure = req.failure()?.errorText ?? 'failed';
    seen.push(`request failed: ${req.url()} (${failure})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== 'document') {
      seen.push(`HTTP ${res.status()} for ${res.url()}`);
    }
  });
  return () => { const s = seen; seen = []; return s; };
}

/**
 * Turn [{ page, text }] into a readable report: each distinct problem once, with the
 * pages it was seen on (a template bug shows up on every page otherwise).
 */
export function groupProblems(problems, maxPages = 6) {
  const byText = new Map();
  for (const { page, text } of problems) {
    if (!byText.has(text)) byText.set(text, []);
    const pages = byText.get(text);
    if (!pages.includes(page)) pages.push(page);
  }
  return [...byText]
    .map(([text, pages]) => {
      const shown = pages.slice(0, maxPages).join(' ');
      const more = pages.length > maxPages ? ` and ${pages.length - maxPages} more` : '';
      return `- ${text}\n    on ${pages.length} page(s): ${shown}${more}`;
    })
    .join('\n');
}

/** Fail with a grouped report when `problems` ([{ page, text }]) is not empty. */
export function assertNoProblems(problems, title) {
  if (problems.length) throw new Error(`${title} (${problems.length}):\n${groupProblems(problems)}`);
}

/** The outside requests a context made, as problems. */
export function blockedProblems(context) {
  return context.blockedRequests.map((b) => ({
    page: b.from ? new URL(b.from).pathname : '(no page)',
    text: `requested an outside URL: ${b.url}`,
  }));
}

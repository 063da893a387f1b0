// Real-browser tests of the bundled site, served by nginx under /bps/.
// Run through run.sh (or `node --test` in this folder once the debug binary exists).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import { startStack, watchPage, SUB_PATH, PHONE, DESKTOP, SCREENSHOT_DIR } from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let stack;

before(async () => { stack = await startStack(); });
after(async () => { if (stack) await stack.close(); });

/** Every .html file of the built site, as the URL path nginx serves it under. */
function builtPages() {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.html')) {
        const rel = relative(stack.siteDir, p).split(sep).join('/');
        out.push(SUB_PATH + rel.replace(/(^|\/)index\.html$/, '$1'));
      }
    }
  };
  walk(stack.siteDir);
  return out.sort();
}

function firstSlug(section) {
  return builtPages()
    .map((p) => p.match(new RegExp(`^${SUB_PATH}${section}/([^/]+)/$`)))
    .filter(Boolean)[0][1];
}

/** One page of each kind the site has. */
function pageKinds() {
  return [
    ['home', `${SUB_PATH}`],
    ['regions index', `${SUB_PATH}regions/`],
    ['region with pilots', `${SUB_PATH}regions/sichuan/`],
    ['region without pilots', `${SUB_PATH}regions/xizang/`],
    ['pilots index', `${SUB_PATH}pilots/`],
    ['pilot', `${SUB_PATH}pilots/chengdu-gaoxin/`],
    ['domains index', `${SUB_PATH}domains/`],
    ['domain', `${SUB_PATH}domains/${firstSlug('domains')}/`],
    ['404', `${SUB_PATH}404.html`],
  ];
}

function formatBlocked() {
  return stack.blocked.map((b) => `  ${b.url} (from ${b.from})`).join('\n');
}

test('nginx serves the site under /bps/ with the 404 page for unknown paths', async () => {
  const home = await fetch(stack.base);
  assert.equal(home.status, 200);
  assert.match(home.headers.get('content-type'), /^text\/html/);
  const missing = await fetch(`${stack.base}no-such-page/`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /页面未找到/, 'the 404 answer is the site\'s own 404.html');
});

test('crawl: every internal page answers 200 with no console errors, failed requests or missing links', async () => {
  const context = await stack.newContext(PHONE);
  const page = await context.newPage();
  const takeProblems = watchPage(page);

  const start = new URL(stack.base);
  const queue = [start.href];
  const queued = new Set(queue);
  const visited = new Map(); // url -> set of element ids on the page
  const assets = new Map(); // asset url -> first page linking it
  const anchors = []; // { from, url, id }
  const problems = [];
  const overflow = [];

  const isPage = (u) => u.pathname.endsWith('/') || u.pathname.endsWith('.html');

  while (queue.length) {
    const url = queue.shift();
    const res = await page.goto(url, { waitUntil: 'load' });
    const status = res ? res.status() : 'no response';
    if (status !== 200) problems.push(`${url}: HTTP ${status}`);
    const found = await page.evaluate(() => ({
      links: [...document.querySelectorAll('a[href], area[href], link[href]')].map((e) => e.href),
      sources: [...document.querySelectorAll('[src]')].map((e) => e.src),
      ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    for (const p of takeProblems()) problems.push(`${url}: ${p}`);
    if (found.scrollWidth > found.clientWidth) {
      overflow.push(`${url}: scrollWidth ${found.scrollWidth} > clientWidth ${found.clientWidth}`);
    }
    visited.set(url, new Set(found.ids));

    for (const href of [...found.links, ...found.sources]) {
      let u;
      try { u = new URL(href); } catch { problems.push(`${url}: unparsable link ${href}`); continue; }
      if (u.origin !== start.origin) continue; // outside links (and mailto:) are not requested
      if (!u.pathname.startsWith(SUB_PATH)) { problems.push(`${url}: link outside ${SUB_PATH}: ${href}`); continue; }
      const id = decodeURIComponent(u.hash.slice(1));
      u.hash = '';
      if (id) anchors.push({ from: url, url: u.href, id });
      if (isPage(u)) {
        if (!queued.has(u.href)) { queued.add(u.href); queue.push(u.href); }
      } else if (!assets.has(u.href)) {
        assets.set(u.href, url);
      }
    }
  }
  await context.close();

  // Assets (CSS, feed, ...) are fetched directly: they must exist.
  for (const [asset, from] of assets) {
    const r = await fetch(asset);
    await r.arrayBuffer();
    if (r.status !== 200) problems.push(`${from}: links ${asset}, which answers HTTP ${r.status}`);
  }
  // In-page anchors must point at an element that exists.
  for (const a of anchors) {
    const ids = visited.get(a.url);
    if (ids && !ids.has(a.id)) problems.push(`${a.from}: links ${a.url}#${a.id}, which has no such id`);
  }

  console.log(`# crawled ${visited.size} pages and ${assets.size} other files`);
  assert.deepEqual(problems, [], `problems found while crawling:\n${problems.join('\n')}`);
  assert.deepEqual(stack.blocked, [], `the site requested outside URLs:\n${formatBlocked()}`);
  assert.deepEqual(overflow, [], `pages that scroll sideways at ${PHONE.width}px:\n${overflow.join('\n')}`);

  // Every region, pilot and domain page, and every other built page but 404.html, was reached.
  const reached = new Set([...visited.keys()].map((u) => new URL(u).pathname));
  const expected = builtPages().filter((p) => p !== `${SUB_PATH}404.html`);
  const missing = expected.filter((p) => !reached.has(p));
  assert.deepEqual(missing, [], `built pages the crawl never reached:\n${missing.join('\n')}`);
  for (const section of ['regions', 'pilots', 'domains']) {
    const detail = expected.filter((p) => p.startsWith(`${SUB_PATH}${section}/`) && p !== `${SUB_PATH}${section}/`);
    assert.ok(detail.length > 0, `the build has pages under ${SUB_PATH}${section}/`);
    for (const p of detail) assert.ok(reached.has(p), `${p} was reached`);
  }
  assert.equal(builtPages().filter((p) => /^\/bps\/regions\/[^/]+\/$/.test(p)).length, 31, '31 region pages');
});

test('axe-core finds no WCAG 2.1 A/AA violations on any kind of page', async () => {
  const report = [];
  for (const viewport of [DESKTOP, PHONE]) {
    const context = await stack.newContext(viewport);
    const page = await context.newPage();
    const takeProblems = watchPage(page);
    for (const [kind, path] of pageKinds()) {
      await page.goto(stack.origin + path, { waitUntil: 'load' });
      await page.addScriptTag({ path: AXE_PATH });
      const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
        AXE_TAGS,
      );
      for (const v of result.violations) {
        for (const node of v.nodes) {
          report.push(
            `[${viewport.width}px] ${kind} ${path}: ${v.id} (${v.impact}) ${v.help}\n` +
            `    target: ${node.target.join(' ')}\n    html: ${node.html}\n` +
            `    ${node.failureSummary.replace(/\n/g, '\n    ')}`,
          );
        }
      }
      const problems = takeProblems();
      assert.deepEqual(problems, [], `${path}: ${problems.join('\n')}`);
    }
    await context.close();
  }
  if (report.length) console.log(report.map((r) => `# ${r.replace(/\n/g, '\n# ')}`).join('\n'));
  assert.equal(report.length, 0, `axe-core violations:\n${report.join('\n')}`);
  assert.deepEqual(stack.blocked, [], `the site requested outside URLs:\n${formatBlocked()}`);
});

test(`no page kind scrolls sideways at ${PHONE.width}px`, async () => {
  const context = await stack.newContext(PHONE);
  const page = await context.newPage();
  const overflow = [];
  for (const [kind, path] of pageKinds()) {
    await page.goto(stack.origin + path, { waitUntil: 'load' });
    const { scrollWidth, clientWidth, widest } = await page.evaluate(() => {
      const cw = document.documentElement.clientWidth;
      // Name the elements that stick out, to make a failure easy to fix.
      const widest = [...document.body.querySelectorAll('*')]
        .filter((e) => e.getBoundingClientRect().right > cw + 0.5)
        .slice(0, 5)
        .map((e) => `${e.tagName.toLowerCase()}${e.className ? '.' + String(e.className).trim().replace(/\s+/g, '.') : ''}`);
      return { scrollWidth: document.documentElement.scrollWidth, clientWidth: cw, widest };
    });
    if (scrollWidth > clientWidth) {
      overflow.push(`${kind} ${path}: scrollWidth ${scrollWidth} > ${clientWidth} (${widest.join(', ')})`);
    }
  }
  await context.close();
  assert.deepEqual(overflow, [], overflow.join('\n'));
});

test('screenshots of home, a region and a pilot at phone and desktop widths', async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const shots = [
    ['home', SUB_PATH],
    ['region-sichuan', `${SUB_PATH}regions/sichuan/`],
    ['pilot-chengdu-gaoxin', `${SUB_PATH}pilots/chengdu-gaoxin/`],
  ];
  for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const context = await stack.newContext(viewport);
    const page = await context.newPage();
    for (const [shot, path] of shots) {
      const res = await page.goto(stack.origin + path, { waitUntil: 'load' });
      assert.equal(res.status(), 200, path);
      const file = join(SCREENSHOT_DIR, `${shot}-${name}-${viewport.width}x${viewport.height}.png`);
      await page.screenshot({ path: file, fullPage: true });
    }
    await context.close();
  }
  console.log(`# screenshots in ${SCREENSHOT_DIR}`);
  assert.deepEqual(stack.blocked, [], `the site requested outside URLs:\n${formatBlocked()}`);
});

// Real-browser tests of the bundled site, served by nginx under /bps/.
// Run through run.sh (or `node --test` in this folder once the debug binary exists).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  startStack, watchPage, assertNoProblems, blockedProblems,
  SUB_PATH, PHONE, DESKTOP, SCREENSHOT_DIR,
} from './lib/harness.mjs';
import { assertAccessible, assertNoSidewaysScroll } from './lib/pages.mjs';


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

/** One page of each kind the site has. */
function pageKinds() {
  const pages = builtPages();
  const domain = pages.find((p) => /^\/bps\/domains\/[^/]+\/$/.test(p));
  const kinds = [
    ['home', SUB_PATH],
    ['regions index', `${SUB_PATH}regions/`],
    ['region with pilots', `${SUB_PATH}regions/sichuan/`],
    ['region without pilots', `${SUB_PATH}regions/xizang/`],
    ['pilots index', `${SUB_PATH}pilots/`],
    ['pilot', `${SUB_PATH}pilots/chengdu-gaoxin/`],
    ['domains index', `${SUB_PATH}domains/`],
    ['domain', domain],
    ['404 page', `${SUB_PATH}404.html`],
    ['404 answer', `${SUB_PATH}no-such-page/`],
  ];
  // Sections added later (e.g. standards/) are covered too: their index and the
  // first page at each depth below it (say a detail page and a filtered list).
  const parts = (p) => p.slice(SUB_PATH.length).split('/').filter(Boolean);
  const sections = new Set(pages.map(parts).filter((ps) => ps.length > 0 && !ps[0].endsWith('.html')).map((ps) => ps[0]));
  for (const section of [...sections].sort()) {
    if (['regions', 'pilots', 'domains'].includes(section)) continue;
    const inSection = pages.filter((p) => parts(p)[0] === section);
    for (const depth of [...new Set(inSection.map((p) => parts(p).length))].sort()) {
      const first = inSection.find((p) => parts(p).length === depth);
      kinds.push([depth === 1 ? `${section} index` : `${section} page (depth ${depth})`, first]);
    }
  }
  return kinds;
}

test('nginx serves the site under /bps/ with the 404 page for unknown paths', async () => {
  const home = await fetch(stack.base);
  assert.equal(home.status, 200);
  assert.match(home.headers.get('content-type'), /^text\/html/);
  await home.arrayBuffer();
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
  const referrer = new Map([[start.href, '(start)']]);
  const visited = new Map(); // url -> set of element ids on the page
  const assets = new Map(); // asset url -> first page linking it
  const anchors = []; // { from, url, id }
  const problems = []; // { page, text }
  const overflow = [];
  const path = (u) => new URL(u).pathname;
  const isPage = (u) => u.pathname.endsWith('/') || u.pathname.endsWith('.html');

  while (queue.length) {
    const url = queue.shift();
    const res = await page.goto(url, { waitUntil: 'load' });
    const status = res ? res.status() : 'no response';
    const found = await page.evaluate(() => ({
      links: [...document.querySelectorAll('a[href], area[href], link[href]')].map((e) => e.href),
      sources: [...document.querySelectorAll('[src]')].map((e) => e.src),
      ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    for (const text of takeProblems()) problems.push({ page: path(url), text });
    visited.set(url, new Set(found.ids));
    if (status !== 200) {
      problems.push({ page: path(referrer.get(url)), text: `links ${path(url)}, which answers HTTP ${status}` });
      continue; // a missing page's links are the 404 page's links
    }
    if (found.scrollWidth > found.clientWidth) {
      overflow.push({ page: path(url), text: `scrolls sideways at ${PHONE.width}px (scrollWidth ${found.scrollWidth})` });
    }

    for (const href of [...found.links, ...found.sources]) {
      let u;
      try { u = new URL(href); } catch { problems.push({ page: path(url), text: `unparsable link ${href}` }); continue; }
      if (u.origin !== start.origin) continue; // outside links (and mailto:) are not requested
      if (!u.pathname.startsWith(SUB_PATH)) {
        problems.push({ page: path(url), text: `links outside ${SUB_PATH}: ${href}` });
        continue;
      }
      const id = decodeURIComponent(u.hash.slice(1));
      u.hash = '';
      if (id) anchors.push({ from: url, url: u.href, id });
      if (isPage(u)) {
        if (!referrer.has(u.href)) { referrer.set(u.href, url); queue.push(u.href); }
      } else if (!assets.has(u.href)) {
        assets.set(u.href, url);
      }
    }
  }
  await context.close();

  // Other files (CSS, the feed, ...) are fetched directly: they must exist.
  for (const [asset, from] of assets) {
    const r = await fetch(asset);
    await r.arrayBuffer();
    if (r.status !== 200) problems.push({ page: path(from), text: `links ${path(asset)}, which answers HTTP ${r.status}` });
  }
  // Links to #id must find that id on the target page.
  for (const a of anchors) {
    const ids = visited.get(a.url);
    if (ids && !ids.has(a.id)) {
      const target = a.url === a.from ? `#${a.id} on the same page` : `${path(a.url)}#${a.id}`;
      problems.push({ page: path(a.from), text: `links ${target}, which has no such id` });
    }
  }

  console.log(`crawled ${visited.size} pages and ${assets.size} other files: ${problems.length} problems, `
    + `${context.blockedRequests.length} outside requests blocked`);
  assertNoProblems([...blockedProblems(context), ...problems, ...overflow], 'problems found while crawling');

  // Every region, pilot and domain page, and every other built page but 404.html, was reached.
  const reached = new Set([...visited.keys()].map(path));
  const expected = builtPages().filter((p) => p !== `${SUB_PATH}404.html`);
  const missing = expected.filter((p) => !reached.has(p));
  assert.deepEqual(missing, [], `built pages the crawl never reached:\n${missing.join('\n')}`);
  for (const section of ['regions', 'pilots', 'domains']) {
    const detail = expected.filter((p) => new RegExp(`^${SUB_PATH}${section}/[^/]+/$`).test(p));
    assert.ok(detail.length > 0, `the build has pages under ${SUB_PATH}${section}/`);
    for (const p of detail) assert.ok(reached.has(p), `${p} was reached`);
  }
  assert.equal(expected.filter((p) => /^\/bps\/regions\/[^/]+\/$/.test(p)).length, 31, '31 region pages');

  // The sitemap lists only pages that exist, and the crawl reached every one of them.
  const sitemap = await fetch(`${stack.base}sitemap.xml`);
  assert.equal(sitemap.status, 200, 'sitemap.xml');
  const locs = [...(await sitemap.text()).matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
  assert.ok(locs.length > 0, 'sitemap.xml lists URLs');
  const notReached = locs.filter((l) => !visited.has(new URL(l).href));
  assert.deepEqual(notReached, [], `sitemap URLs the crawl never reached:\n${notReached.join('\n')}`);
  // Every built page is in the sitemap.
  const inSitemap = new Set(locs.map(path));
  const unlisted = expected.filter((p) => !inSitemap.has(p));
  assert.deepEqual(unlisted, [], `built pages missing from sitemap.xml:\n${unlisted.join('\n')}`);
  const robots = await fetch(`${stack.base}robots.txt`);
  assert.equal(robots.status, 200, 'robots.txt');
  await robots.arrayBuffer();
});

test('axe-core finds no WCAG 2.1 A/AA violations on any kind of page', async () => {
  await assertAccessible(stack, pageKinds());
});

test(`no page kind scrolls sideways at ${PHONE.width}px`, async () => {
  await assertNoSidewaysScroll(stack, pageKinds());
});

test('screenshots of home, a region and a pilot at phone and desktop widths', async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const shots = [
    ['home', SUB_PATH],
    ['region-sichuan', `${SUB_PATH}regions/sichuan/`],
    ['pilot-chengdu-gaoxin', `${SUB_PATH}pilots/chengdu-gaoxin/`],
  ];
  const blocked = [];
  for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const context = await stack.newContext(viewport);
    const page = await context.newPage();
    for (const [shot, path] of shots) {
      const res = await page.goto(stack.origin + path, { waitUntil: 'load' });
      assert.equal(res.status(), 200, path);
      // What the first screen shows, and the whole page.
      const file = join(SCREENSHOT_DIR, `${shot}-${name}-${viewport.width}x${viewport.height}`);
      await page.screenshot({ path: `${file}.png` });
      await page.screenshot({ path: `${file}-full.png`, fullPage: true });
    }
    blocked.push(...blockedProblems(context));
    await context.close();
  }
  console.log(`screenshots in ${SCREENSHOT_DIR}`);
  assertNoProblems(blocked, 'the site requested outside URLs');
});

test('printed, every page kind and a poster keep the 非政府官方网站 notice (issue 24)', async () => {
  const context = await stack.newContext(DESKTOP);
  const page = await context.newPage();
  await page.emulateMedia({ media: 'print' });
  const poster = builtPages().find((p) => p.endsWith('/poster/'));
  assert.ok(poster, 'the site has a poster');
  const missing = [];
  for (const [kind, path] of [...pageKinds(), ['poster', poster]]) {
    await page.goto(stack.origin + path, { waitUntil: 'load' });
    const printed = await page.evaluate(() => {
      const notice = document.querySelector('.site-notice');
      if (!notice || notice.getBoundingClientRect().height === 0) return '';
      return notice.innerText;
    });
    if (!printed.includes('非政府官方网站')) missing.push(`${kind} ${path}`);
  }
  await context.close();
  assert.deepEqual(missing, [], 'printed without the notice');
});

test('served with the README nginx block: precompressed, cached by content hash, 404 page', async () => {
  const html = await fetch(stack.base, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(html.status, 200);
  assert.equal(html.headers.get('content-encoding'), 'gzip', 'gzip_static serves the .gz sibling');
  assert.equal(html.headers.get('cache-control'), 'no-cache', 'pages revalidate');
  const body = await html.text();
  const css = body.match(/href=["']?([^"' >]+\.css)/)[1];
  const style = await fetch(new URL(css, stack.base), { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(style.status, 200);
  assert.match(style.headers.get('cache-control'), /max-age=31536000, immutable/, 'hashed CSS is cached for a year');
  assert.equal(style.headers.get('content-encoding'), 'gzip');
  await style.arrayBuffer();
  const missing = await fetch(`${stack.base}no-such-page/`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /页面未找到/);
});

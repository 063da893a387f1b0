// Search and 我能享受哪些服务 in a real browser, on the site as nginx serves it.
// Recall: every query in data/search-queries.json must put its page in the top five.
// The figures printed here (bytes, time to first result) are measurements, not limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startStack, startNginx, buildSite, freePort, watchPage, assertNoProblems, REPO, SUB_PATH, PHONE,
} from './lib/harness.mjs';

const QUERIES = JSON.parse(readFileSync(join(REPO, 'tests', 'browser', 'data', 'search-queries.json'), 'utf8'));

let stack;
before(async () => { stack = await startStack(); });
after(async () => { if (stack) await stack.close(); });

/** Runs a query on /search/ and returns the site paths of the first five results. */
async function topFive(page, base, query) {
  await page.goto(`${base}search/?q=${encodeURIComponent(query)}`);
  await page.waitForFunction(() => {
    const text = document.getElementById('search-status').textContent;
    return text && !text.includes('正在');
  }, null, { timeout: 20000 });
  const hrefs = await page.$$eval('#search-results li h2 a', (links) => links.slice(0, 5).map((a) => a.href));
  return hrefs.map((href) => {
    const url = new URL(href);
    return decodeURI(url.pathname.replace(SUB_PATH, '/') + url.hash);
  });
}

async function recall(page, base, queries) {
  const misses = [];
  for (const [query, want] of queries) {
    const top = await topFive(page, base, query);
    if (!top.includes(want)) misses.push(`${query} → want ${want}, got ${JSON.stringify(top)}`);
  }
  return misses;
}

test(`recall: ${QUERIES.queries.length} Chinese, place-name and code queries find their page in the top 5`, async () => {
  const context = await stack.newContext();
  const page = await context.newPage();
  const problems = watchPage(page);
  const misses = await recall(page, stack.base, QUERIES.queries);
  assert.deepEqual(misses, [], `${misses.length} of ${QUERIES.queries.length} queries missed:\n${misses.join('\n')}`);
  // Results lead to real pages (under the base path, item anchors included).
  await topFive(page, stack.base, '预约挂号');
  for (const href of await page.$$eval('#search-results h2 a', (a) => a.map((x) => x.href))) {
    const response = await page.goto(href);
    assert.equal(response.status(), 200, href);
    const hash = new URL(href).hash;
    if (hash) assert.equal(await page.locator(decodeURIComponent(hash)).count(), 1, href);
  }
  assertNoProblems(problems().map((text) => ({ page: 'search', text })), 'search');
  assert.deepEqual(context.blockedRequests, []);
  await context.close();
});

test(`recall: standard codes in the forms people type (${QUERIES.fixture_queries.length} GB/T variants, minimal fixture)`, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'liangbiao-fixture-'));
  const root = join(tmp, 'root');
  cpSync(join(REPO, 'tests', 'fixtures', 'minimal'), root, { recursive: true });
  cpSync(join(REPO, 'templates'), join(root, 'templates'), { recursive: true });
  cpSync(join(REPO, 'static'), join(root, 'static'), { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}${SUB_PATH}`;
  const siteDir = buildSite(tmp, base, root, 'out');
  const nginx = await startNginx({ tmp, port, siteDir });
  try {
    const context = await stack.newContext();
    const page = await context.newPage();
    const misses = await recall(page, base, QUERIES.fixture_queries);
    assert.deepEqual(misses, [], misses.join('\n'));
    await context.close();
  } finally {
    await nginx.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('search measures: bytes for the first and a later query, time to first result', async () => {
  const context = await stack.newContext(PHONE);
  const page = await context.newPage();
  let bytes = 0;
  page.on('requestfinished', async (request) => {
    if (!request.url().includes('/pagefind/')) return;
    const sizes = await request.sizes();
    bytes += sizes.responseBodySize + sizes.responseHeadersSize;
  });
  await page.goto(`${stack.base}search/`);
  await page.waitForLoadState('networkidle');
  bytes = 0;
  const started = Date.now();
  await page.fill('#search-q', '养老服务');
  await page.press('#search-q', 'Enter');
  await page.locator('#search-results li').first().waitFor();
  const firstMs = Date.now() - started;
  await page.waitForLoadState('networkidle');
  const firstBytes = bytes;
  bytes = 0;
  await page.fill('#search-q', '家庭医生签约');
  await page.press('#search-q', 'Enter');
  await page.waitForFunction(() => document.getElementById('search-status').textContent.includes('家庭医生签约'));
  await page.waitForLoadState('networkidle');
  const laterBytes = bytes;
  console.log(`# search: first query ${(firstBytes / 1024).toFixed(1)} KiB transferred, first result after ${firstMs} ms; a later query ${(laterBytes / 1024).toFixed(1)} KiB`);
  assert.ok(firstBytes > 0, 'the first query loads the index');
  assert.ok(laterBytes < firstBytes, 'a later query reuses what the first loaded');
  await context.close();
});

test('filters narrow results and live in the URL', async () => {
  const context = await stack.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.base}search/?q=${encodeURIComponent('服务')}&type=${encodeURIComponent('标准')}&region=${encodeURIComponent('北京')}`);
  await page.locator('#search-results li').first().waitFor();
  const badges = await page.$$eval('#search-results .badge', (b) => b.map((x) => x.textContent));
  const regions = await page.$$eval('#search-results .result-meta', (m) => m.map((x) => x.textContent));
  assert.ok(badges.length > 0);
  assert.ok(badges.every((b) => b === '标准'), JSON.stringify(badges));
  assert.ok(regions.every((r) => r.includes('北京')), JSON.stringify(regions));
  assert.equal(await page.inputValue('#filter-type'), '标准');
  // Changing a filter and searching puts it in the address, for sharing.
  await page.locator('details.search-filters summary').click();
  await page.selectOption('#filter-type', '服务');
  await page.press('#search-q', 'Enter');
  await page.waitForURL(/type=%E6%9C%8D%E5%8A%A1/);
  await context.close();
});

test('a service list is one result: its best item leads, more items nest under it, the 领域 filter applies per item', async () => {
  const context = await stack.newContext();
  const page = await context.newPage();
  const problems = watchPage(page);
  const domain = '劳有所得';
  // 如皋's 服务对象 list mixes 学有所教, 劳有所得 and 文体服务保障 items.
  await page.goto(`${stack.base}search/?q=${encodeURIComponent('服务')}&domain=${encodeURIComponent(domain)}`);
  await page.locator('#search-results li').first().waitFor();
  const leads = await page.$$eval('#search-results > li > h2 a', (a) => a.map((x) => x.href));
  const pages = leads.map((href) => new URL(href).pathname);
  assert.equal(new Set(pages).size, pages.length, `one result per page: ${JSON.stringify(pages)}`);
  const nested = await page.$$eval('#search-results .result-items a', (a) => a.map((x) => x.href));
  assert.ok(nested.length > 0, 'items beyond the best one nest under it');
  const items = [...leads, ...nested].filter((href) => new URL(href).hash.startsWith('#item-'));
  assert.ok(items.some((href) => href.includes('/liangbiao/rugao-targets/')), JSON.stringify(items));
  for (const href of items) {
    await page.goto(href);
    const hash = decodeURIComponent(new URL(href).hash);
    const heading = await page.locator(hash).evaluate((el) => el.closest('section').querySelector('h2').textContent);
    assert.ok(heading.startsWith(domain), `${href} is under ${heading}`);
  }
  assertNoProblems(problems().map((text) => ({ page: 'search', text })), 'search');
  await context.close();
});

test('without JavaScript the search page says so and links to the listings', async () => {
  const context = await stack.browser.newContext({ javaScriptEnabled: false });
  await context.route('**/*', (r) => (new URL(r.request().url()).hostname === '127.0.0.1' ? r.continue() : r.abort()));
  const page = await context.newPage();
  await page.goto(`${stack.base}search/?q=${encodeURIComponent('养老')}`);
  const html = await page.content();
  assert.match(html, /搜索需要浏览器启用 JavaScript/);
  const browse = await page.$$eval('nav.browse a', (a) => a.map((x) => x.getAttribute('href')));
  assert.ok(browse.includes(`${SUB_PATH}pilots/`) && browse.includes(`${SUB_PATH}liangbiao/who/`), JSON.stringify(browse));
  // The who index without JavaScript: no dead form, and a page per group.
  await page.goto(`${stack.base}liangbiao/who/`);
  assert.equal(await page.locator('#who-form').isVisible(), false);
  assert.equal(await page.locator('.who-groups a').count(), 11);
  await context.close();
});

test('我能享受哪些服务: the filter shows exactly the items tagged for a group in a region', async () => {
  const context = await stack.newContext(PHONE);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(`${stack.base}liangbiao/who/`);
  const regions = await page.$$eval('#who-region option', (o) => o.map((x) => x.value).filter(Boolean));
  assert.equal(regions.length, 31);
  // A group's items in a region are a file of their own: each holds only items of the
  // group whose pilot is in the region, and an item is in the file of each of its regions.
  const slugs = { 老年人: 'elderly', 学生: 'students', 居民: 'residents' };
  const files = new Map(); // `${group}|${region}` -> items
  for (const [group, slug] of Object.entries(slugs)) {
    const placed = new Map(); // item url -> regions whose file holds it
    const all = new Map(); // item url -> item
    for (const region of regions) {
      const response = await fetch(`${stack.base}liangbiao/who/${slug}/${region}.json`);
      if (response.status === 404) { await response.arrayBuffer(); continue; }
      assert.equal(response.status, 200, `${slug}/${region}.json`);
      const items = await response.json();
      assert.ok(items.length > 0, `${slug}/${region}.json is empty`);
      for (const i of items) {
        assert.ok(i.groups.includes(group) && i.regions.includes(region), `${slug}/${region}.json: ${i.url}`);
        placed.set(i.url, [...(placed.get(i.url) ?? []), region]);
        all.set(i.url, i);
      }
      files.set(`${group}|${region}`, items);
    }
    for (const [url, i] of all) assert.deepEqual(placed.get(url).sort(), [...i.regions].sort(), url);
  }
  assert.ok(files.size >= 3, `only ${files.size} group/region files`);
  const fetched = [];
  page.on('request', (request) => {
    if (request.url().endsWith('.json')) fetched.push(new URL(request.url()).pathname);
  });
  const answered = (pair) => page.waitForFunction((p) => document.getElementById('who-status').dataset.for === p, pair);
  // Choosing only who you are lists the regions with items for you, with their counts.
  for (const group of Object.keys(slugs)) {
    await page.goto(`${stack.base}liangbiao/who/`);
    fetched.length = 0;
    await page.getByLabel(group, { exact: true }).check();
    await answered(`${group}|`);
    const offered = await page.$$eval('#who-results li', (li) => li.map((x) => x.textContent));
    const expected = regions.filter((r) => files.has(`${group}|${r}`));
    if (!expected.length) {
      assert.deepEqual(offered, [], group);
      assert.match(await page.textContent('#who-status'), /暂时没有写明/, group);
      continue;
    }
    assert.equal(offered.length, expected.length + 1, `${group}: ${offered}`);
    assert.match(offered.at(-1), /按地区逐页查看/);
    for (const [i, region] of expected.entries()) {
      assert.match(offered[i], new RegExp(`（${files.get(`${group}|${region}`).length} 项）$`), `${group}: ${offered[i]}`);
    }
    assert.deepEqual(fetched, [], `${group}: nothing is fetched before a region is chosen`);
  }
  // Every group and region pair that has items, and one that has none.
  for (const pair of [...files.keys(), '老年人|xizang']) {
    const [group, region] = pair.split('|');
    const own = files.get(pair) ?? [];
    await page.goto(`${stack.base}liangbiao/who/`);
    await page.getByLabel(group, { exact: true }).check();
    await answered(`${group}|`);
    fetched.length = 0;
    await page.selectOption('#who-region', region);
    await answered(pair);
    const shown = (await page.$$eval('#who-results h3', (h) => h.map((x) => x.textContent))).sort();
    assert.deepEqual(shown, own.map((i) => i.name).sort(), pair);
    // Only the chosen group's items in the chosen region came over the network.
    const want = own.length ? [`${SUB_PATH}liangbiao/who/${slugs[group]}/${region}.json`] : [];
    assert.deepEqual([...new Set(fetched)], want, pair);
    // The address alone reproduces the result: it can be shared.
    await page.reload();
    await answered(pair);
    const again = (await page.$$eval('#who-results h3', (h) => h.map((x) => x.textContent))).sort();
    assert.deepEqual(again, shown, `${pair} after reload`);
  }
  assertNoProblems(problems().map((text) => ({ page: 'who', text })), 'who');
  await context.close();
});

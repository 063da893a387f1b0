// The pages only a large site has, checked like the bundled ones: an 8,000-page corpus
// from bench/corpus.py has listings over several pages, the home page's satisfaction
// averages and /satisfaction/, regions whose standard system is summarised, and
// standards named by over 100 pilots, whose pilots are listed on pages of their own. Each
// gets the Nu HTML Checker, axe-core at two widths and the phone-width check. The who
// filter's items, past 100 in a region, come 100 at a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, watchPage, assertNoProblems, REPO, SUB_PATH, PHONE } from './lib/harness.mjs';
import { assertAccessible, assertNoSidewaysScroll, assertValidHtml } from './lib/pages.mjs';

let tmp;
let stack;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'liangbiao-scale-'));
  const r = spawnSync('python3', [join(REPO, 'bench', 'corpus.py'), '--pages', '8000', '--out', tmp, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/corpus.py failed (exit ${r.status}):\n${r.stderr}`);
  // Not precompressed: at 8,000 pages that takes 20 times the build, and nothing here
  // is about compression (the bundled site's suite checks it).
  stack = await startStack({ root: join(tmp, 'liangbiao'), precompress: false });
});
after(async () => {
  try { if (stack) await stack.close(); } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
});

/** The built file of a site path under /bps/. */
function fileOf(path) {
  return join(stack.siteDir, path.slice(SUB_PATH.length), 'index.html');
}

/** One page of each kind that only a large site has; the corpus must have them all. */
function scalePages() {
  const regions = readdirSync(join(stack.siteDir, 'regions'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `${SUB_PATH}regions/${e.name}/`);
  const summarised = regions.find((p) => readFileSync(fileOf(p), 'utf8').includes('分属以下子体系'));
  const widelyUsed = readdirSync(join(stack.siteDir, 'standards'))
    .map((slug) => `${SUB_PATH}standards/${slug}/pilots/`)
    .find((p) => existsSync(fileOf(p)));
  const kinds = [
    ['home with satisfaction averages', SUB_PATH],
    ['satisfaction listing', `${SUB_PATH}satisfaction/`],
    ['region with its standard system summarised', summarised],
    ['pilots, page 2', `${SUB_PATH}pilots/page/2/`],
    ['service lists, page 2', `${SUB_PATH}liangbiao/page/2/`],
    ['demonstration sites', `${SUB_PATH}liangbiao/sites/`],
    ['who group, page 2', `${SUB_PATH}liangbiao/who/residents/page/2/`],
    ['standards, page 2', `${SUB_PATH}standards/page/2/`],
    ['pilots of a standard, past 100', widelyUsed],
  ];
  const missing = kinds.filter(([, p]) => !p || !existsSync(fileOf(p)));
  assert.deepEqual(missing, [], 'the corpus has every kind of page');
  return kinds;
}

test('liangbiao writes the pages bench/corpus.py counts, and a standard lists all its pilots', async () => {
  const manifest = JSON.parse(readFileSync(join(tmp, 'manifest.json'), 'utf8'));
  const html = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.html')) html.push(e.name);
    }
  };
  walk(stack.siteDir);
  assert.equal(html.length, manifest.liangbiao_html_pages, JSON.stringify(manifest.liangbiao_html_pages_by_kind));
  // The standard's page shows its first 100 pilots; its listing shows every one once.
  const [, listing] = scalePages().find(([kind]) => kind.startsWith('pilots of a standard'));
  const context = await stack.newContext();
  const page = await context.newPage();
  await page.goto(stack.origin + listing.replace(/pilots\/$/, ''));
  const onPage = await page.$$eval('main ul.uses', (lists) => lists[0].querySelectorAll('li').length);
  assert.equal(onPage, 100);
  const total = Number((await page.textContent('main')).match(/共 (\d+) 个，这里列出前 100 个/)[1]);
  const seen = [];
  const toVisit = [stack.origin + listing];
  const visited = new Set();
  while (toVisit.length) {
    const url = toVisit.pop();
    if (visited.has(url)) continue;
    visited.add(url);
    await page.goto(url);
    const uses = await page.$$eval('main ul.uses li > a', (a) => a.map((x) => x.getAttribute('href')));
    assert.ok(uses.length <= 100, `${url}: ${uses.length}`);
    seen.push(...uses);
    toVisit.push(...(await page.$$eval('main nav.pagination a', (a) => a.map((x) => x.href))));
  }
  assert.ok(total > 100, `${total} pilots`);
  assert.equal(seen.length, total);
  await context.close();
});

test('the Nu HTML Checker finds no errors in the pages only a large site has', () => {
  assertValidHtml(stack.siteDir, scalePages().map(([, p]) => fileOf(p)));
});

test('axe-core finds no WCAG 2.1 A/AA violations on the pages only a large site has', async () => {
  await assertAccessible(stack, scalePages());
});

test('none of the pages only a large site has scrolls sideways on a phone', async () => {
  await assertNoSidewaysScroll(stack, scalePages());
});

test('我能享受哪些服务: past 100 items in a region, they come 100 at a time', async () => {
  const context = await stack.newContext(PHONE);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(`${stack.base}liangbiao/who/`);
  // The group and region with the most items.
  const choices = await page.$$eval('input[name=group]', (radios) => radios.flatMap((r) => (
    Object.entries(JSON.parse(r.dataset.regions)).map(([region, count]) => ({ group: r.value, region, count }))
  )));
  const { group, region, count } = choices.sort((a, b) => b.count - a.count)[0];
  assert.ok(count > 100, `at most ${count} items in a region`);
  await page.goto(`${stack.base}liangbiao/who/?${new URLSearchParams({ group, region })}`);
  const pair = `${group}|${region}`;
  await page.waitForFunction((p) => document.getElementById('who-status').dataset.for === p, pair);
  assert.match(await page.textContent('#who-status'), new RegExp(` ${count} 项，先显示前 100 项`));
  const cards = page.locator('#who-results article.service');
  assert.equal(await cards.count(), 100);
  const more = page.locator('#who-more');
  for (let shown = 100; shown < count; shown += 100) {
    assert.equal(await more.textContent(), `再显示 ${Math.min(100, count - shown)} 项（还有 ${count - shown} 项）`);
    await more.click();
    assert.equal(await cards.count(), Math.min(count, shown + 100));
    // Focus goes on from the first item just shown.
    const focused = await page.evaluate(() => document.activeElement.closest('article')?.querySelector('h3')?.textContent);
    assert.equal(focused, await cards.nth(shown).locator('h3').textContent());
  }
  assert.equal(await more.isVisible(), false);
  assertNoProblems(problems().map((text) => ({ page: 'who', text })), 'who');
  await context.close();
});

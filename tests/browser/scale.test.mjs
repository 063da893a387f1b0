// The pages only a large site has, checked like the bundled ones: a 2,000-page corpus
// from bench/corpus.py has listings over several pages, the home page's satisfaction
// averages and /satisfaction/, and regions whose standard system is summarised. Each
// gets the Nu HTML Checker, axe-core at two widths and the phone-width check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, REPO, SUB_PATH } from './lib/harness.mjs';
import { assertAccessible, assertNoSidewaysScroll, assertValidHtml } from './lib/pages.mjs';

let tmp;
let stack;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'liangbiao-scale-'));
  const r = spawnSync('python3', [join(REPO, 'bench', 'corpus.py'), '--pages', '2000', '--out', tmp, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/corpus.py failed (exit ${r.status}):\n${r.stderr}`);
  stack = await startStack({ root: join(tmp, 'liangbiao') });
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
  const kinds = [
    ['home with satisfaction averages', SUB_PATH],
    ['satisfaction listing', `${SUB_PATH}satisfaction/`],
    ['region with its standard system summarised', summarised],
    ['pilots, page 2', `${SUB_PATH}pilots/page/2/`],
    ['service lists, page 2', `${SUB_PATH}liangbiao/page/2/`],
    ['demonstration sites', `${SUB_PATH}liangbiao/sites/`],
    ['who group, page 2', `${SUB_PATH}liangbiao/who/residents/page/2/`],
    ['standards, page 2', `${SUB_PATH}standards/page/2/`],
  ];
  const missing = kinds.filter(([, p]) => !p || !existsSync(fileOf(p)));
  assert.deepEqual(missing, [], 'the corpus has every kind of page');
  return kinds;
}

test('the Nu HTML Checker finds no errors in the pages only a large site has', () => {
  assertValidHtml(stack.siteDir, scalePages().map(([, p]) => fileOf(p)));
});

test('axe-core finds no WCAG 2.1 A/AA violations on the pages only a large site has', async () => {
  await assertAccessible(stack, scalePages());
});

test('none of the pages only a large site has scrolls sideways on a phone', async () => {
  await assertNoSidewaysScroll(stack, scalePages());
});

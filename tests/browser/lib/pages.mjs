// Checks of built pages: the Nu HTML Checker on their files, and on the served site
// axe-core at two widths and no sideways scrolling on a phone. The bundled site's
// suites and the scale suite share them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  watchPage, assertNoProblems, blockedProblems, PHONE, DESKTOP,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_VERSION = require('axe-core/package.json').version;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const VNU_JAR = require.resolve('vnu-jar/build/dist/vnu.jar');

/** The Nu HTML Checker finds no error in `files` (paths under `siteDir`). */
export function assertValidHtml(siteDir, files) {
  const r = spawnSync('java', ['-jar', VNU_JAR, '--errors-only', '--format', 'json', ...files], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  // vnu writes its JSON report to stderr; exit 1 means it found errors.
  let report;
  try {
    report = JSON.parse(r.stderr || r.stdout);
  } catch {
    assert.fail(`vnu exited ${r.status} without a JSON report:\n${r.stdout}\n${r.stderr}`);
  }
  const errors = report.messages.filter((m) => m.type === 'error' || m.type === 'non-document-error');
  const problems = errors.map((m) => ({
    page: m.url ? relative(siteDir, fileURLToPath(m.url)) : '(no file)',
    text: `${m.message}${m.extract ? `\n    at: ${m.extract.replace(/\n/g, ' ')}` : ''}`,
  }));
  console.log(`vnu ${report.version}: checked ${files.length} files, ${errors.length} errors`);
  assertNoProblems(problems, 'Nu HTML Checker errors');
  assert.equal(r.status, 0, `vnu exited ${r.status}:\n${r.stdout}`);
}

/** axe-core finds no WCAG 2.1 A/AA violation on any of `kinds` ([label, path]) at
 * desktop and phone widths (or `viewports`), in 长者模式 when `elder`, and the pages
 * load without errors or outside requests. */
export async function assertAccessible(stack, kinds, { viewports = [DESKTOP, PHONE], elder = false } = {}) {
  const violations = []; // { page, text }
  const pageProblems = [];
  let ruleResults = 0;
  for (const viewport of viewports) {
    const context = await stack.newContext(viewport);
    if (elder) await context.addInitScript(() => localStorage.setItem('liangbiao-elder', '1'));
    const page = await context.newPage();
    const takeProblems = watchPage(page);
    for (const [kind, path] of kinds) {
      const label = `${path} (${kind}, ${viewport.width}px${elder ? ', 长者模式' : ''})`;
      await page.goto(stack.origin + path, { waitUntil: 'load' });
      for (const text of takeProblems()) pageProblems.push({ page: label, text });
      await page.addScriptTag({ path: AXE_PATH });
      const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
        AXE_TAGS,
      );
      ruleResults += result.passes.length + result.violations.length + result.incomplete.length;
      for (const v of result.violations) {
        for (const node of v.nodes) {
          violations.push({
            page: label,
            text: `${v.id} (${v.impact}): ${v.help}\n    target: ${node.target.join(' ')}\n    html: ${node.html}\n`
              + `    ${node.failureSummary.replace(/\n/g, '\n    ')}`,
          });
        }
      }
      for (const text of takeProblems()) pageProblems.push({ page: label, text });
    }
    pageProblems.push(...blockedProblems(context));
    await context.close();
  }
  console.log(`axe-core ${AXE_VERSION} (${AXE_TAGS.join(', ')}): ${kinds.length} pages at ${viewports.length} widths${elder ? ' in 长者模式' : ''}, `
    + `${ruleResults} rule results, ${violations.length} violations`);
  assertNoProblems(violations, 'axe-core violations');
  assertNoProblems(pageProblems, 'problems on the pages axe-core checked');
}

/** None of `kinds` ([label, path]) is wider than a phone's screen. */
export async function assertNoSidewaysScroll(stack, kinds) {
  const context = await stack.newContext(PHONE);
  const page = await context.newPage();
  const overflow = [];
  for (const [kind, path] of kinds) {
    await page.goto(stack.origin + path, { waitUntil: 'load' });
    const { scrollWidth, clientWidth, sticking } = await page.evaluate(() => {
      const cw = document.documentElement.clientWidth;
      const out = (e) => e.getBoundingClientRect().right > cw + 0.5;
      // Name the outermost elements that stick out, to make a failure easy to fix.
      const sticking = [...document.body.querySelectorAll('*')]
        .filter((e) => out(e) && !out(e.parentElement))
        .slice(0, 5)
        .map((e) => e.tagName.toLowerCase() + (e.id ? `#${e.id}` : '')
          + (typeof e.className === 'string' && e.className.trim() ? `.${e.className.trim().split(/\s+/).join('.')}` : ''));
      return { scrollWidth: document.documentElement.scrollWidth, clientWidth: cw, sticking };
    });
    if (scrollWidth > clientWidth) {
      overflow.push({ page: `${path} (${kind})`, text: `scrollWidth ${scrollWidth} > clientWidth ${clientWidth}; sticking out: ${sticking.join(', ')}` });
    }
  }
  await context.close();
  assertNoProblems(overflow, `pages that scroll sideways at ${PHONE.width}px`);
}

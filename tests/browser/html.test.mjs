// The Nu HTML Checker (vnu.jar from npm `vnu-jar`) over every generated .html file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertNoProblems, buildSite, freePort, SUB_PATH } from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const VNU_JAR = require.resolve('vnu-jar/build/dist/vnu.jar');

let tmp;
let siteDir;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'liangbiao-vnu-'));
  siteDir = buildSite(tmp, `http://127.0.0.1:${await freePort()}${SUB_PATH}`);
});
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return htmlFiles(p);
    return name.endsWith('.html') ? [p] : [];
  });
}

test('the Nu HTML Checker finds no errors in any generated page', () => {
  const files = htmlFiles(siteDir).sort();
  assert.ok(files.length >= 90, `expected the whole site, found ${files.length} .html files`);
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
});

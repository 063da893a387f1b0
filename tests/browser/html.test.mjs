// The Nu HTML Checker (vnu.jar from npm `vnu-jar`) over every generated .html file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSite, freePort, SUB_PATH } from './lib/harness.mjs';
import { assertValidHtml } from './lib/pages.mjs';

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
  assertValidHtml(siteDir, files);
});

// `liangbiao serve` in a real browser: an open page reloads itself after an edit, shows
// the diagnostics over the page when an edit breaks the site, and recovers when fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, LIANGBIAO, REPO, SCREENSHOT_DIR, freePort } from './lib/harness.mjs';

/** Starts `liangbiao serve`; resolves with its origin once it says where it listens. */
function startServe(root, port) {
  const child = spawn(LIANGBIAO, ['serve', '--root', root, '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log = [];
  const origin = new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not start:\n${log.join('\n')}`)), 30000);
    createInterface({ input: child.stderr }).on('line', (line) => {
      log.push(line);
      const m = line.match(/^serving (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}:\n${log.join('\n')}`)));
  });
  return { child, origin, log };
}

function edit(path, from, to) {
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `no ${from} in ${path}`);
  writeFileSync(path, text.replace(from, to));
}

test('an open page follows edits, shows a broken build over the page, and recovers', { timeout: 120000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'liangbiao-serve-'));
  cpSync(join(REPO, 'tests', 'fixtures', 'minimal'), root, { recursive: true });
  cpSync(join(REPO, 'templates'), join(root, 'templates'), { recursive: true });
  cpSync(join(REPO, 'static'), join(root, 'static'), { recursive: true });
  const pilot = join(root, 'content', 'pilots', 'xicheng.md');
  const serve = startServe(root, await freePort());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const origin = await serve.origin;
    const context = await browser.newContext({ locale: 'zh-CN' });
    await context.route('**/*', (route) =>
      new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort('blockedbyclient'));
    const page = await context.newPage();
    await page.goto(`${origin}/pilots/xicheng/`);
    assert.match(await page.locator('main').innerText(), /巡视探访/);

    // An edit reloads the open page by itself.
    const reloaded = page.waitForEvent('load');
    edit(pilot, '西城区建立了巡视探访服务标准体系。', '西城区建立了巡视探访服务标准体系，每周探访一次。');
    await reloaded;
    assert.match(await page.locator('main').innerText(), /每周探访一次/);

    // A broken edit: the diagnostics appear over the page, which keeps the last good build.
    edit(pilot, 'kind = "专项试点"', 'kind = "专项"');
    const overlay = page.locator('#liangbiao-error');
    await overlay.waitFor({ state: 'visible', timeout: 30000 });
    const message = await overlay.innerText();
    assert.match(message, /content\/pilots\/xicheng\.md:4:8/);
    assert.match(message, /did you mean `专项试点`/);
    assert.equal(await overlay.getAttribute('role'), 'alert');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'serve-error-overlay.png') });

    // Fixed: the page reloads and the overlay is gone; the server never stopped.
    const recovered = page.waitForEvent('load');
    edit(pilot, 'kind = "专项"', 'kind = "专项试点"');
    await recovered;
    assert.equal(await page.locator('#liangbiao-error').count(), 0);
    assert.equal(serve.child.exitCode, null);
  } finally {
    await browser.close();
    serve.child.kill();
    rmSync(root, { recursive: true, force: true });
  }
});

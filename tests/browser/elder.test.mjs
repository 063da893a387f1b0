// 长者模式 in a real browser: the toggle enlarges text, line height and tap targets,
// the choice persists across pages, and without JavaScript there is no dead button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, watchPage, assertNoProblems, PHONE } from './lib/harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { if (stack) await stack.close(); });

/** Computed text metrics of <body> and the boxes of the controls that must be large. */
async function measure(page) {
  return page.evaluate(() => {
    const style = getComputedStyle(document.body);
    const fontSize = parseFloat(style.fontSize);
    const boxes = [...document.querySelectorAll('.nav a, #elder-toggle, .site-title')]
      .map((el) => { const r = el.getBoundingClientRect(); return { text: el.textContent.trim(), w: r.width, h: r.height }; });
    return {
      elder: document.documentElement.classList.contains('elder'),
      pressed: document.getElementById('elder-toggle').getAttribute('aria-pressed'),
      fontSize,
      lineHeight: parseFloat(style.lineHeight) / fontSize,
      boxes,
      overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    };
  });
}

test('the 长者模式 toggle enlarges text and targets, and the choice follows the reader', async () => {
  const context = await stack.newContext(PHONE);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(stack.base);
  const normal = await measure(page);
  assert.equal(normal.elder, false);
  assert.equal(normal.pressed, 'false');
  assert.ok(normal.fontSize < 20, `normal text is ${normal.fontSize}px`);

  await page.getByRole('button', { name: '长者模式' }).click();
  const elder = await measure(page);
  assert.equal(elder.elder, true);
  assert.equal(elder.pressed, 'true');
  assert.ok(elder.fontSize >= 20, `elder text is ${elder.fontSize}px`);
  assert.ok(elder.lineHeight >= 1.5, `elder line height is ${elder.lineHeight}`);
  for (const box of elder.boxes) {
    assert.ok(box.w >= 60 && box.h >= 60, `${box.text} is ${box.w}×${box.h}, needs 60×60`);
  }
  assert.equal(elder.overflow, false, 'no sideways scrolling in elder mode at 360px');

  // The next page opens in elder mode, before any click.
  await page.goto(`${stack.base}pilots/chengdu-gaoxin/`);
  const next = await measure(page);
  assert.equal(next.elder, true, 'elder mode persists across pages');
  assert.ok(next.fontSize >= 20);
  assert.equal(next.overflow, false);

  // And it can be switched off again.
  await page.getByRole('button', { name: '长者模式' }).click();
  assert.equal((await measure(page)).elder, false);
  assertNoProblems(problems(), 'elder mode pages');
  assert.deepEqual(context.blockedRequests, []);
  await context.close();
});

test('without JavaScript the page is complete and shows no toggle that cannot work', async () => {
  const context = await stack.browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  const page = await context.newPage();
  await page.goto(`${stack.base}pilots/tongwulang/`);
  assert.equal(await page.locator('#elder-toggle').isVisible(), false);
  assert.ok((await page.locator('main h1').textContent()).includes('通武廊'));
  assert.ok(await page.locator('main table.standards').count() >= 3, 'tables are there without script');
  await context.close();
});

// 长者模式 in a real browser: the toggle enlarges text, line height and tap targets,
// the choice persists across pages, and without JavaScript there is no dead button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, watchPage, assertNoProblems, PHONE } from './lib/harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { if (stack) await stack.close(); });

/** Computed text metrics of <body> and the boxes of the controls that must be large
 * (the menu's links once it is open). */
async function measure(page) {
  return page.evaluate(() => {
    const style = getComputedStyle(document.body);
    const fontSize = parseFloat(style.fontSize);
    const boxes = [...document.querySelectorAll('.menu > summary, .nav a, #elder-toggle, .site-title')]
      .filter((el) => el.checkVisibility({ contentVisibilityAuto: true }))
      .map((el) => { const r = el.getBoundingClientRect(); return { text: el.textContent.trim(), w: r.width, h: r.height }; });
    return {
      elder: document.documentElement.classList.contains('elder'),
      label: document.getElementById('elder-toggle').textContent.trim(),
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
  assert.equal(normal.label, '长者模式');
  assert.ok(normal.fontSize < 20, `normal text is ${normal.fontSize}px`);

  await page.getByRole('button', { name: '长者模式', exact: true }).click();
  await page.getByText('菜单', { exact: true }).click();
  const elder = await measure(page);
  assert.equal(elder.elder, true);
  assert.equal(elder.label, '退出长者模式');
  assert.ok(elder.boxes.filter((b) => b.text !== '菜单').length >= 7, 'the title, the toggle and the menu\'s links are measured');
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
  await page.getByRole('button', { name: '退出长者模式', exact: true }).click();
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

test('keyboard: the skip link comes first, controls work from the keyboard with a visible focus ring', async () => {
  const context = await stack.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${stack.base}regions/`);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return { text: el.textContent.trim(), outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  assert.equal(first.text, '跳到主要内容');
  assert.notEqual(first.outline, 'none', 'focus ring is visible');
  assert.ok(first.width >= 2, `focus ring is ${first.width}px`);
  await page.keyboard.press('Enter');
  assert.ok(page.url().endsWith('#main'));

  // Tab on to the elder-mode button and operate it with the keyboard.
  await page.goto(`${stack.base}regions/`);
  let reached = false;
  for (let i = 0; i < 10 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.id === 'elder-toggle');
  }
  assert.ok(reached, 'the elder-mode button is reachable by Tab');
  await page.keyboard.press('Space');
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('elder')), true);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('elder')), false);
  await context.close();
});

test('at 200% zoom (1280×900 seen as 640×450) no page kind scrolls sideways', async () => {
  const context = await stack.newContext({ width: 640, height: 450 });
  const page = await context.newPage();
  const paths = ['', 'regions/', 'regions/sichuan/', 'pilots/', 'pilots/tongwulang/', 'standards/',
    'standards/q-twl-tg101-01-2021/', 'liangbiao/', 'liangbiao/rugao-targets/', 'domains/elderly-care/', 'data/'];
  const overflowing = [];
  for (const path of paths) {
    const response = await page.goto(`${stack.base}${path}`);
    assert.equal(response.status(), 200, `${path} exists`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    if (wide) overflowing.push(path || '/');
  }
  assert.deepEqual(overflowing, []);
  await context.close();
});

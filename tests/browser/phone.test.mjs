// A resident on a 360×740 phone, with and without 长者模式 (issue 21): tables read as
// cards with no narrow column, the header is compact with its menu behind one button
// (that works without script) and search in reach, every text grows in 长者模式, the
// toggle names its state, and header and footer never break a short word. Screenshots
// of the pages a resident opens first go to test-output/screenshots/phone-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startStack, watchPage, assertNoProblems, blockedProblems, SCREENSHOT_DIR,
} from './lib/harness.mjs';
import { assertAccessible } from './lib/pages.mjs';

const PHONE_740 = { width: 360, height: 740 };
/** The pages a resident opens first: every text on them is checked in 长者模式. */
const FIRST_PAGES = [
  ['home', ''],
  ['pilot', 'pilots/qingdao-chengyang/'],
  ['standards', 'standards/'],
  ['who', 'liangbiao/who/'],
  ['who-group', 'liangbiao/who/elderly/'],
];
/** A page of each kind that holds a data table. */
const TABLE_PAGES = [
  ['home (satisfaction)', ''],
  ['pilot (standard system)', 'pilots/qingdao-chengyang/'],
  ['pilot with subsystems', 'pilots/tongwulang/'],
  ['standards', 'standards/'],
  ['standards by level', 'standards/level/national/'],
  ['regions', 'regions/'],
  ['region (standard system)', 'regions/beijing/'],
  ['service lists', 'liangbiao/'],
  ['open data', 'data/'],
];
const MIN_CELL_EM = 6;
const MAX_ELDER_HEADER = 120;
const MIN_ELDER_TEXT = 18;

let stack;
before(async () => { stack = await startStack(); });
after(async () => { if (stack) await stack.close(); });

/** Opens the header's menu, where there is one, so its links are measured too. */
async function openMenu(page) {
  const button = page.locator('.site-header .menu > summary');
  if (await button.count()) await button.click();
}

/** A phone context, in 长者模式 from the first paint when `elder`. */
async function phone(elder) {
  const context = await stack.newContext(PHONE_740);
  if (elder) await context.addInitScript(() => localStorage.setItem('liangbiao-elder', '1'));
  return context;
}

/**
 * What the page shows, measured in it: the header's height, each table cell holding
 * text with its width in em of its own text size, and each text with the size it is
 * drawn at (an SVG's scale included). Hidden things are skipped: a closed menu, and
 * the visually-hidden pattern (a box of 1px that clips), which only screen readers get.
 */
/** Opens each of FIRST_PAGES on a phone, without then with 长者模式, the menu open. */
async function onFirstPages(visit) {
  for (const elder of [false, true]) {
    const context = await phone(elder);
    const page = await context.newPage();
    for (const [kind, path] of FIRST_PAGES) {
      await page.goto(stack.base + path, { waitUntil: 'load' });
      // The open menu's links count too.
      await openMenu(page);
      await visit(page, { elder, kind, path });
    }
    await context.close();
  }
}

function measure() {
  const shown = (el) => {
    if (!el.checkVisibility({ contentVisibilityAuto: true, opacityProperty: true, visibilityProperty: true })) return false;
    for (let e = el; e; e = e.parentElement) {
      const r = e.getBoundingClientRect();
      if (getComputedStyle(e).overflow !== 'visible' && (r.width <= 1 || r.height <= 1)) return false;
    }
    return true;
  };
  const where = (el) => {
    const cls = typeof el.className === 'string' ? el.className : el.getAttribute('class');
    return `<${el.tagName.toLowerCase()}${cls ? ` class="${cls}"` : ''}>`;
  };
  const cells = [];
  for (const cell of document.querySelectorAll('main table th, main table td, main table caption')) {
    const text = cell.textContent.trim();
    if (!text || !shown(cell)) continue;
    const style = getComputedStyle(cell);
    const width = cell.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
    cells.push({ text: text.slice(0, 30), em: width / parseFloat(style.fontSize) });
  }
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || el.closest('script, style, noscript') || !shown(el)) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    const svg = el.closest('svg');
    const box = svg && svg.viewBox.baseVal;
    if (box && box.width) size *= svg.getBoundingClientRect().width / box.width;
    texts.push({ text: node.textContent.trim().slice(0, 30), size, where: where(el) });
  }
  return {
    header: document.querySelector('.site-header').getBoundingClientRect().height,
    cells,
    texts,
    toggle: document.getElementById('elder-toggle').textContent.trim(),
    scrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth,
  };
}

test(`no table cell holding text is narrower than ${MIN_CELL_EM}em at 360 px, and tables stay tables for screen readers`, async () => {
  const narrow = [];
  const report = [];
  for (const elder of [false, true]) {
    const context = await phone(elder);
    const page = await context.newPage();
    const takeProblems = watchPage(page);
    const cdp = await context.newCDPSession(page);
    for (const [kind, path] of TABLE_PAGES) {
      const label = `/${path} (${kind}${elder ? ', 长者模式' : ''})`;
      const res = await page.goto(stack.base + path, { waitUntil: 'load' });
      assert.equal(res.status(), 200, path);
      const m = await page.evaluate(measure);
      assert.ok(m.cells.length > 0, `${label} has a table`);
      for (const c of m.cells.filter((c) => c.em < MIN_CELL_EM)) {
        narrow.push({ page: label, text: `“${c.text}” is ${c.em.toFixed(1)}em wide` });
      }
      const least = m.cells.reduce((a, b) => (a.em <= b.em ? a : b));
      report.push(`${label}: narrowest ${least.em.toFixed(1)}em (“${least.text}”)`);
      if (m.scrolls) narrow.push({ page: label, text: 'scrolls sideways' });
      // Chromium's accessibility tree still has the table, its rows, headers and cells,
      // and a cell's name is its own text, without the label drawn before it.
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      const roles = new Map();
      for (const n of nodes.filter((x) => !x.ignored)) roles.set(n.role?.value, (roles.get(n.role?.value) || 0) + 1);
      for (const role of ['table', 'row', 'columnheader', 'cell']) {
        if (!roles.get(role)) narrow.push({ page: label, text: `no ${role} in the accessibility tree` });
      }
      const labelled = await page.$$eval('main td[data-label]', (tds) => tds.slice(0, 20).map((td) => td.textContent.trim()));
      const cellNames = new Set(nodes.filter((x) => !x.ignored && x.role?.value === 'cell').map((x) => x.name?.value));
      for (const text of labelled.filter((t) => t && !cellNames.has(t))) {
        narrow.push({ page: label, text: `no cell named exactly “${text}” (the drawn label leaked into its name?)` });
      }
      for (const text of takeProblems()) narrow.push({ page: label, text });
    }
    narrow.push(...blockedProblems(context));
    await context.close();
  }
  console.log(report.join('\n'));
  assertNoProblems(narrow, `tables at ${PHONE_740.width}px`);
});

test(`in 长者模式 the header is at most ${MAX_ELDER_HEADER} px tall at 360×740, with search in it and the menu behind one button`, async () => {
  const problems = [];
  for (const elder of [false, true]) {
    const context = await phone(elder);
    const page = await context.newPage();
    for (const [kind, path] of FIRST_PAGES) {
      await page.goto(stack.base + path, { waitUntil: 'load' });
      const { header } = await page.evaluate(measure);
      console.log(`header ${header}px on /${path} (${kind}${elder ? ', 长者模式' : ''})`);
      if (elder && header > MAX_ELDER_HEADER) problems.push({ page: `/${path}`, text: `header is ${header}px tall` });
      // The search box is on the first screen, ready to type in.
      const box = await page.locator('#site-search-q').boundingBox();
      if (!box || box.y + box.height > header + 1 || box.width < 100) {
        problems.push({ page: `/${path}`, text: `header search box is not in the header: ${JSON.stringify(box)}` });
      }
    }
    await context.close();
  }
  assertNoProblems(problems, 'headers too tall in 长者模式');

  for (const elder of [false, true]) {
    const context = await phone(elder);
    const page = await context.newPage();
    // One tap opens the menu, whose links then show in full; Escape closes it.
    await page.goto(stack.base, { waitUntil: 'load' });
    const links = page.locator('.site-header nav a');
    assert.equal(await links.first().isVisible(), false, 'the menu starts closed on a phone');
    await page.getByText('菜单', { exact: true }).click();
    assert.ok(await links.count() >= 5);
    for (const link of await links.all()) assert.ok(await link.isVisible(), `${await link.textContent()} shows once the menu is open`);
    await page.keyboard.press('Escape');
    assert.equal(await links.first().isVisible(), false, 'Escape closes the menu');
    await context.close();
  }

  // Without script the menu opens all the same (a <details>), and its links work.
  const context = await stack.browser.newContext({ viewport: PHONE_740, javaScriptEnabled: false });
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  const page = await context.newPage();
  await page.goto(stack.base);
  await page.getByText('菜单', { exact: true }).click();
  await page.getByRole('link', { name: '标准', exact: true }).click();
  assert.ok(page.url().endsWith('/standards/'), page.url());
  await context.close();
});

test(`in 长者模式 every text on the first pages is at least ${MIN_ELDER_TEXT} px, and larger than without it`, async () => {
  const small = [];
  const smallest = {};
  const normalSizes = new Map();
  await onFirstPages(async (page, { elder, kind, path }) => {
      const { texts } = await page.evaluate(measure);
      const least = texts.reduce((a, b) => (a.size <= b.size ? a : b));
      smallest[`${kind}${elder ? ' 长者模式' : ''}`] = `${least.size.toFixed(1)}px (“${least.text}” in ${least.where})`;
      if (!elder) {
        normalSizes.set(path, new Map(texts.map((t) => [`${t.where} ${t.text}`, t.size])));
        return;
      }
      // Each text grows: none keeps its size or shrinks when the mode is on.
      const before = normalSizes.get(path);
      for (const t of texts) {
        const was = before.get(`${t.where} ${t.text}`);
        if (was !== undefined && t.size <= was) small.push({ page: `/${path} (${kind})`, text: `does not grow: “${t.text}” in ${t.where} stays ${t.size.toFixed(1)}px` });
      }
      for (const t of texts.filter((x) => x.size < MIN_ELDER_TEXT)) {
        small.push({ page: `/${path} (${kind})`, text: `${t.size.toFixed(1)}px: “${t.text}” in ${t.where}` });
      }
  });
  console.log(Object.entries(smallest).map(([k, v]) => `smallest text on ${k}: ${v}`).join('\n'));
  assertNoProblems(small, `texts under ${MIN_ELDER_TEXT}px in 长者模式`);
});

test('the 长者模式 button says what it does: 长者模式 when off, 退出长者模式 when on', async () => {
  const context = await phone(false);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(stack.base);
  const toggle = page.locator('#elder-toggle');
  assert.equal((await toggle.textContent()).trim(), '长者模式');
  assert.equal(await toggle.getAttribute('aria-pressed'), null, 'a button whose label changes carries no pressed state');
  await page.getByRole('button', { name: '长者模式', exact: true }).click();
  assert.equal((await toggle.textContent()).trim(), '退出长者模式');
  await page.goto(`${stack.base}standards/`);
  assert.equal((await toggle.textContent()).trim(), '退出长者模式', 'the label follows the mode to the next page');
  await page.getByRole('button', { name: '退出长者模式', exact: true }).click();
  assert.equal((await toggle.textContent()).trim(), '长者模式');
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('elder')), false);
  assertNoProblems(problems().map((text) => ({ page: '(toggle)', text })), 'problems while toggling');
  await context.close();
});

test('header and footer never break inside a short word (主办单位, 服务领域, 退出长者模式…)', async () => {
  const broken = [];
  await onFirstPages(async (page, { elder, kind, path }) => {
      const lines = await page.evaluate(() => {
        // Elements of the header and footer whose own text is one word of 2-6 characters.
        const found = [];
        for (const el of document.querySelectorAll('.site-header *, .site-footer *')) {
          const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
          if (!/^[\p{Script=Han}A-Za-z（）()]{2,6}$/u.test(own) || !el.checkVisibility()) continue;
          const range = document.createRange();
          range.selectNodeContents(el);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          found.push({ text: own, lines: tops.size });
        }
        return found;
      });
      assert.ok(lines.some((l) => l.text === '主办单位'), 'the footer names 主办单位');
      for (const l of lines.filter((x) => x.lines > 1)) {
        broken.push({ page: `/${path} (${kind}${elder ? ', 长者模式' : ''})`, text: `“${l.text}” breaks over ${l.lines} lines` });
      }
  });
  assertNoProblems(broken, 'short words broken in header or footer');
});

test('axe-core finds no violation in 长者模式 at 360 px, menu closed, on the first pages and the table pages', async () => {
  const kinds = [...FIRST_PAGES, ...TABLE_PAGES].map(([kind, path]) => [kind, `${new URL(stack.base).pathname}${path}`]);
  await assertAccessible(stack, kinds, { viewports: [PHONE_740], elder: true });
});

test('screenshots at 360×740 of the pages a resident opens first, with and without 长者模式', async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const elder of [false, true]) {
    const context = await phone(elder);
    const page = await context.newPage();
    for (const [kind, path] of FIRST_PAGES) {
      await page.goto(stack.base + path, { waitUntil: 'load' });
      await page.screenshot({ path: join(SCREENSHOT_DIR, `phone-${kind}${elder ? '-elder' : ''}-360x740.png`) });
    }
    // The first table of a pilot's standard system, as cards.
    await page.goto(`${stack.base}pilots/tongwulang/`, { waitUntil: 'load' });
    await page.locator('main table').first().evaluate((t) => t.scrollIntoView());
    await page.screenshot({ path: join(SCREENSHOT_DIR, `phone-table${elder ? '-elder' : ''}-360x740.png`) });
    // The satisfaction chart: on the home page while few pilots report it.
    await page.goto(stack.base, { waitUntil: 'load' });
    if (!(await page.locator('.chart-figure').count())) await page.goto(`${stack.base}satisfaction/`, { waitUntil: 'load' });
    await page.locator('.chart-figure').evaluate((f) => f.scrollIntoView());
    await page.screenshot({ path: join(SCREENSHOT_DIR, `phone-chart${elder ? '-elder' : ''}-360x740.png`) });
    await context.close();
  }
  console.log(`phone screenshots in ${SCREENSHOT_DIR}`);
});

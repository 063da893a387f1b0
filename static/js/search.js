// The /search/ page: runs Pagefind in the browser. The query and filters live in the
// URL (?q=养老&type=服务&region=北京), so a search can be shared and the back button works.
const form = document.getElementById('search-form');
const input = document.getElementById('search-q');
const status = document.getElementById('search-status');
const list = document.getElementById('search-results');
const FILTERS = { type: '类型', region: '地区', domain: '领域', level: '层级' };
const SHOWN = 20;
let pagefind = null;

async function engine() {
  if (!pagefind) {
    pagefind = await import(`${form.dataset.bundle}pagefind.js`);
    // Pilot records carry their whole body; a milder length penalty keeps a pilot named
    // after a place above short standards that only mention it.
    // Record URLs already carry the site's base path: Pagefind must not add it again.
    await pagefind.options({ baseUrl: '/', excerptLength: 40, ranking: { pageLength: 0.1 } });
    pagefind.init();
  }
  return pagefind;
}

function fromUrl() {
  const params = new URLSearchParams(location.search);
  input.value = params.get('q') || '';
  const filters = {};
  for (const [param, name] of Object.entries(FILTERS)) {
    const value = params.get(param) || '';
    const select = document.getElementById(`filter-${param}`);
    if (select) select.value = value;
    if (value) filters[name] = value;
  }
  return { query: input.value.trim(), filters };
}

// A service list is one search record, its items headings with ids: Pagefind returns
// the items that matched as sub-results. The best item leads the result and a few more
// follow it, so that one long list takes one place among the results, not all of them.
const SECTION_DOMAINS = 'section_domains';
const MORE_ITEMS = 3;

/** What a Pagefind result shows: the page, or for a service list its best matching item
 * with the next few beneath it. `domain` (the 领域 filter) applies to items one by one. */
function entryOf(data, domain) {
  const page = { url: data.url, title: data.meta.title || data.url, type: data.meta.type || '', region: data.meta.region, excerpt: data.excerpt };
  if (data.meta[SECTION_DOMAINS] === undefined) return { main: page, items: [], more: 0 };
  const domains = data.meta[SECTION_DOMAINS].split('|');
  const ids = data.anchors.map((a) => a.id);
  const items = [];
  for (const sub of data.sub_results) {
    const id = new URL(sub.url, location.href).hash.slice(1);
    if (!id) continue;
    if (domain && domains[ids.indexOf(id)] !== domain) continue;
    const score = sub.weighted_locations.reduce((sum, l) => sum + l.balanced_score, 0);
    items.push({ url: sub.url, title: sub.title, type: page.type, region: page.region, excerpt: sub.excerpt, score });
  }
  // No item words matched (the list's name or place did, or a search by filters alone).
  if (items.length === 0) return { main: { ...page, type: '服务清单' }, items: [], more: 0 };
  items.sort((a, b) => b.score - a.score);
  const [best, ...rest] = items;
  best.list = page;
  return { main: best, items: rest.slice(0, MORE_ITEMS), more: Math.max(0, rest.length - MORE_ITEMS) };
}

function excerptOf(row) {
  const excerpt = document.createElement('p');
  excerpt.className = 'excerpt';
  // Pagefind escapes the page text and only adds <mark> around matches.
  excerpt.innerHTML = row.excerpt;
  return excerpt;
}

function linkTo(url, text) {
  const link = document.createElement('a');
  link.href = url;
  link.textContent = text;
  return link;
}

function result({ main, items, more }) {
  const li = document.createElement('li');
  li.className = 'search-result';
  const meta = document.createElement('p');
  meta.className = 'result-meta';
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.textContent = main.type;
  meta.append(badge);
  if (main.region) meta.append(` ${main.region}`);
  if (main.list) meta.append(' · ', linkTo(main.list.url, main.list.title));
  const heading = document.createElement('h2');
  heading.append(linkTo(main.url, main.title));
  li.append(heading, meta, excerptOf(main));
  if (items.length > 0 || more > 0) {
    const others = document.createElement('ul');
    others.className = 'result-items';
    for (const item of items) {
      const entry = document.createElement('li');
      entry.append(linkTo(item.url, item.title), excerptOf(item));
      others.append(entry);
    }
    if (more > 0) {
      const entry = document.createElement('li');
      entry.append(linkTo(main.list.url, `清单中另有 ${more} 项相关服务`));
      others.append(entry);
    }
    li.append(others);
  }
  return li;
}

async function run() {
  const { query, filters } = fromUrl();
  list.replaceChildren();
  if (!query && Object.keys(filters).length === 0) {
    status.textContent = '请输入要找的服务、标准、试点或地名。';
    return;
  }
  status.textContent = '正在搜索……';
  const started = performance.now();
  // Full-width letters and digits (ＧＢ／Ｔ　３７６６８) as typed with a Chinese input method.
  const search = await (await engine()).search(query.normalize('NFKC') || null, { filters });
  const top = await Promise.all(search.results.slice(0, SHOWN).map((r) => r.data()));
  list.replaceChildren(...top.map((data) => result(entryOf(data, filters[FILTERS.domain]))));
  document.documentElement.dataset.searchMs = String(Math.round(performance.now() - started));
  const what = query ? `“${query}”` : '所选条件';
  status.textContent = search.results.length === 0
    ? `没有找到与${what}相关的内容。可以换个说法，或按类别浏览。`
    : `找到 ${search.results.length} 条与${what}相关的结果${search.results.length > SHOWN ? `，显示前 ${SHOWN} 条` : ''}。`;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) if (String(value).trim()) params.set(key, String(value).trim());
  history.pushState(null, '', `${location.pathname}?${params}`);
  run();
});
window.addEventListener('popstate', run);
input.addEventListener('focus', () => { engine(); }, { once: true });
run();

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

function result(data) {
  const li = document.createElement('li');
  li.className = 'search-result';
  const meta = document.createElement('p');
  meta.className = 'result-meta';
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.textContent = data.meta.type || '';
  meta.append(badge);
  if (data.meta.region) meta.append(` ${data.meta.region}`);
  const heading = document.createElement('h2');
  const link = document.createElement('a');
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const excerpt = document.createElement('p');
  excerpt.className = 'excerpt';
  // Pagefind escapes the page text and only adds <mark> around matches.
  excerpt.innerHTML = data.excerpt;
  li.append(heading, meta, excerpt);
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
  list.replaceChildren(...top.map(result));
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

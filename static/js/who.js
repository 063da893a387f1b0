// 我能享受哪些服务: filters the tagged service items by group and region in the browser.
// The choice is kept in the URL (?group=老年人&region=beijing) so it can be shared.
const form = document.getElementById('who-form');
const status = document.getElementById('who-status');
const list = document.getElementById('who-results');
const more = document.getElementById('who-more');
// Items are shown 100 at a time: a province's items for residents run into thousands,
// too many cards for an old phone at once.
const SHOWN_AT_ONCE = 100;
let rest = [];
// A group's items in a region are a file of their own (`<data-items><region>.json`),
// fetched when first chosen: at national scale one group's items are tens of
// megabytes. Its radio's data-regions says how many each region has, so that a region
// without any is answered without a request.
const loaded = new Map();
// Counts the choices shown, so that a slow answer to an older one is dropped.
let shown = 0;

function groupRadio(group) {
  return [...form.elements.group].find((r) => r.value === group);
}

async function load(radio, region) {
  const url = `${radio.dataset.items}${region}.json`;
  if (!loaded.has(url)) {
    loaded.set(url, fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${response.status} ${response.url}`);
      return response.json();
    }).catch((error) => {
      loaded.delete(url);
      throw error;
    }));
  }
  return loaded.get(url);
}

function regionName(slug) {
  return [...form.elements.region.options].find((o) => o.value === slug)?.textContent ?? slug;
}

/** Without a region: how many items each region has, each a link to that choice. */
function regionChoices(group, counts, pages) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const regions = [...form.elements.region.options].map((o) => o.value).filter((slug) => counts[slug]);
  status.textContent = total
    ? `各试点面向${group}的服务事项分布在 ${regions.length} 个地区。请选择所在地区：`
    : `试点资料中暂时没有写明面向${group}的服务事项。`;
  const items = regions.map((slug) => {
    const li = document.createElement('li');
    const params = new URLSearchParams({ group, region: slug });
    li.append(link({ url: `${location.pathname}?${params}`, name: regionName(slug) }), `（${counts[slug]} 项）`);
    return li;
  });
  if (total) {
    const li = document.createElement('li');
    li.append(link({ url: pages, name: `按地区逐页查看面向${group}的全部服务事项` }));
    items.push(li);
  }
  list.className = 'who-results region-list';
  list.replaceChildren(...items);
}

function fact(label, ...content) {
  const div = document.createElement('div');
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.append(...content);
  div.append(dt, dd);
  return div;
}

function text(value) {
  if (value) return document.createTextNode(value);
  const span = document.createElement('span');
  span.className = 'muted';
  span.textContent = '资料未说明';
  return span;
}

function link(target) {
  const a = document.createElement('a');
  a.href = target.url;
  a.textContent = target.name;
  return a;
}

function card(item) {
  const li = document.createElement('li');
  const article = document.createElement('article');
  article.className = 'service';
  const h = document.createElement('h3');
  h.append(link({ url: item.url, name: item.name }));
  const dl = document.createElement('dl');
  dl.className = 'facts';
  const standards = [];
  if (item.standard_text) standards.push(document.createTextNode(item.standard_text));
  for (const s of item.standards) {
    if (standards.length) standards.push(document.createElement('br'));
    standards.push(link(s));
  }
  dl.append(
    fact('地方', item.place),
    fact('谁可以享受', text(item.recipients)),
    fact('能享受什么', text(item.content)),
    fact('依据什么标准', ...(standards.length ? standards : [text(null)])),
    fact('由谁负责', text(item.lead)),
  );
  if (item.window) dl.append(fact('到哪里办', item.window));
  dl.append(fact('出自', link(item.list)));
  article.append(h, dl);
  li.append(article);
  return li;
}

/** The next items of the chosen ones, and the button for the rest if any are left. */
function showMore() {
  const next = rest.slice(0, SHOWN_AT_ONCE).map(card);
  rest = rest.slice(SHOWN_AT_ONCE);
  list.append(...next);
  more.hidden = rest.length === 0;
  more.textContent = `再显示 ${Math.min(rest.length, SHOWN_AT_ONCE)} 项（还有 ${rest.length} 项）`;
  return next[0];
}

more.addEventListener('click', () => {
  // Keyboard and screen-reader users go on from the first item just shown.
  showMore()?.querySelector('a')?.focus();
});

async function show() {
  const params = new URLSearchParams(location.search);
  const group = params.get('group') || '';
  const region = params.get('region') || '';
  for (const radio of form.elements.group) radio.checked = radio.value === group;
  form.elements.region.value = region;
  const ticket = ++shown;
  // `data-for` names the choice the results answer, once they are shown.
  delete status.dataset.for;
  rest = [];
  more.hidden = true;
  list.replaceChildren();
  list.className = 'who-results';
  const radio = groupRadio(group);
  if (!radio) {
    status.textContent = '请选择您的身份。';
  } else {
    const counts = JSON.parse(radio.dataset.regions);
    if (!region) {
      regionChoices(group, counts, radio.dataset.pages);
    } else if (!counts[region]) {
      status.textContent = `${regionName(region)}的试点资料中暂时没有写明面向${group}的服务事项。`;
    } else {
      let items;
      try {
        items = await load(radio, region);
      } catch (error) {
        if (ticket !== shown) return;
        status.textContent = '服务事项暂时无法加载，请稍后再试，或在下面按人群浏览。';
        status.dataset.for = `${group}|${region}`;
        return;
      }
      if (ticket !== shown) return; // a newer choice was made while this one loaded
      rest = items;
      showMore();
      status.textContent = `${regionName(region)}面向${group}的服务事项 ${items.length} 项`
        + (rest.length ? `，先显示前 ${SHOWN_AT_ONCE} 项。` : '。');
    }
  }
  status.dataset.for = `${group}|${region}`;
}

form.hidden = false;
form.addEventListener('submit', (event) => {
  event.preventDefault();
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) if (value) params.set(key, value);
  history.pushState(null, '', `${location.pathname}?${params}`);
  show();
});
form.addEventListener('change', () => form.requestSubmit());
window.addEventListener('popstate', show);
show();

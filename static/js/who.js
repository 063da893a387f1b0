// 我能享受哪些服务: filters the tagged service items by group and region in the browser.
// The choice is kept in the URL (?group=老年人&region=beijing) so it can be shared.
const form = document.getElementById('who-form');
const status = document.getElementById('who-status');
const list = document.getElementById('who-results');
// Each group's items are a file of their own (data-items on its choice), fetched when
// first chosen: at national scale all groups together are megabytes.
const loaded = new Map();

async function load(group) {
  if (!loaded.has(group)) {
    const radio = [...form.elements.group].find((r) => r.value === group);
    if (!radio) return [];
    loaded.set(group, fetch(radio.dataset.items).then((response) => {
      if (!response.ok) throw new Error(`${response.status} ${response.url}`);
      return response.json();
    }));
  }
  return loaded.get(group);
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

async function show() {
  const params = new URLSearchParams(location.search);
  const group = params.get('group') || '';
  const region = params.get('region') || '';
  for (const radio of form.elements.group) radio.checked = radio.value === group;
  form.elements.region.value = region;
  list.replaceChildren();
  if (!group) {
    status.textContent = '请选择您的身份。';
    return;
  }
  let items;
  try {
    items = await load(group);
  } catch (error) {
    loaded.delete(group);
    status.textContent = '服务事项暂时无法加载，请稍后再试，或在下面按人群浏览。';
    return;
  }
  const matches = items.filter((item) => !region || item.regions.includes(region));
  list.replaceChildren(...matches.map(card));
  const where = region ? form.elements.region.selectedOptions[0].textContent : '全国各试点';
  status.textContent = matches.length
    ? `${where}面向${group}的服务事项 ${matches.length} 项。`
    : `${where}的试点资料中暂时没有写明面向${group}的服务事项。`;
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

// The "My reading" page: what the diary in storage.local says about the last 7 or 30 days, the
// switch that stops it, an export as a JSON file and "forget everything". It reads and writes
// storage.local only and makes no request; links to story pages are the user's to follow.

import { api } from '../shared/messages.js';
import { el } from '../shared/panel.js';
import { BIAS, FACTUALITY, biasLevel } from '../shared/scales.js';
import { exportDiary, forgetDiary, readDiary, summarizeDiary } from '../shared/diary.js';
import { loadSettings, saveSettings } from '../shared/settings.js';
import { storyPageUrl } from '../shared/view.js';

const storage = api.storage;
let days = 7;

/** Build a bar of the counts of `levels`; widths through CSSOM, never a style attribute. */
function mixBar(levels, counts) {
  const total = levels.reduce((sum, level) => sum + (counts[level.label] ?? 0), 0);
  if (!total) return el(document, 'p', { cls: 'empty', text: 'Nothing read in this period yet.' });
  const bar = el(document, 'div', { cls: 'bar', attrs: { role: 'img', 'aria-label': levels.filter((l) => counts[l.label]).map((l) => `${l.title} ${counts[l.label]}`).join(', ') } });
  const legend = el(document, 'ul', { cls: 'legend' });
  for (const level of levels) {
    const n = counts[level.label] ?? 0;
    if (!n) continue;
    const part = el(document, 'span', { text: String(n) });
    part.style.flexGrow = String(n);
    part.style.background = level.color;
    bar.append(part);
    const item = el(document, 'li', { text: `${level.title} · ${Math.round((100 * n) / total)}%` });
    item.style.setProperty('--c', level.color);
    legend.append(item);
  }
  return el(document, 'div', {}, [bar, legend]);
}

async function render() {
  const [entries, settings] = await Promise.all([readDiary(storage), loadSettings(storage)]);
  const summary = summarizeDiary(entries, days);
  document.getElementById('diary-on').checked = settings.diary;
  for (const button of document.querySelectorAll('.period')) {
    button.setAttribute('aria-pressed', String(Number(button.dataset.days) === days));
  }
  document.getElementById('totals').textContent = summary.readings
    ? `${summary.readings} rated ${summary.readings === 1 ? 'article' : 'articles'} from ${summary.outlets.length} ${summary.outlets.length === 1 ? 'outlet' : 'outlets'} in the last ${days} days.`
    : `No rated article read in the last ${days} days${settings.diary ? '' : ' (the diary is off)'}.`;
  document.getElementById('bias-mix').replaceChildren(mixBar(BIAS, summary.bias));
  document.getElementById('factuality-mix').replaceChildren(mixBar(FACTUALITY, summary.factuality));
  const outlets = summary.outlets.slice(0, 8).map((o) => el(document, 'li', {}, [
    el(document, 'strong', { text: o.name }),
    el(document, 'span', { text: ` · ${biasLevel(o.bias)?.title ?? 'Not rated'} · ${o.count} ${o.count === 1 ? 'article' : 'articles'}` }),
  ]));
  document.getElementById('outlets').replaceChildren(...(outlets.length ? outlets : [el(document, 'li', { cls: 'empty', text: 'None yet.' })]));
  document.getElementById('one-sided').textContent = summary.sentence || 'No story read yet in this period.';
  const links = [];
  for (const side of ['left', 'right']) {
    for (const id of summary.oneSided[side].slice(0, 10)) {
      const href = storyPageUrl(settings.server, id);
      const text = `Story ${id}: read only from the ${side}. See the other sides`;
      links.push(el(document, 'li', {}, [href
        ? el(document, 'a', { text, attrs: { href, target: '_blank', rel: 'noopener noreferrer' } })
        : el(document, 'span', { text })]));
    }
  }
  document.getElementById('one-sided-list').replaceChildren(...links);
}

function say(text) {
  document.getElementById('data-message').textContent = text;
}

document.getElementById('diary-on').addEventListener('change', async (event) => {
  await saveSettings(storage, { diary: event.target.checked });
  say(event.target.checked ? 'The diary is on.' : 'The diary is off: nothing new is kept.');
  render();
});

for (const button of document.querySelectorAll('.period')) {
  button.addEventListener('click', () => {
    days = Number(button.dataset.days);
    render();
  });
}

document.getElementById('export').addEventListener('click', async () => {
  const blob = new Blob([exportDiary(await readDiary(storage))], { type: 'application/json' });
  const link = el(document, 'a', { attrs: { href: URL.createObjectURL(blob), download: 'parallax-reading.json' } });
  document.body.append(link);
  link.click();
  link.remove();
  say('Exported to parallax-reading.json.');
});

let confirming = false;
document.getElementById('forget').addEventListener('click', async (event) => {
  if (!confirming) {
    confirming = true;
    event.target.textContent = 'Click again to forget everything';
    return;
  }
  confirming = false;
  event.target.textContent = 'Forget everything';
  await forgetDiary(storage);
  say('Everything is forgotten.');
  render();
});

storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && (changes.diary || changes.settings)) render();
});

render();

// The toolbar popup: the current tab's panel (what the content script found), a switch for the
// current site, and a box to look up any pasted URL (an explicit request, so it is sent even for
// outlets the index does not know).

import { MSG, api, send } from '../shared/messages.js';
import { panelView } from '../shared/view.js';
import { el, mountInlinePanel } from '../shared/panel.js';
import { isSiteDisabled, loadSettings, saveSettings } from '../shared/settings.js';
import { normalizeHost } from '../shared/resolve.js';

const current = document.getElementById('current');
const result = document.getElementById('result');
const form = document.getElementById('lookup');
const input = document.getElementById('lookup-url');
const message = document.getElementById('lookup-message');
// The popup is a summary that fits without scrolling: the outlet, the split and a link to the
// story's page ("See full coverage"), where the articles are listed by side.
const POPUP_PER_SIDE = 0;

async function report(slug, url) {
  await api.storage.session?.set({ pendingReport: { outlet: slug, url: url ?? '' } });
  await api.runtime.openOptionsPage();
}

function showEmpty(container, title, text) {
  container.replaceChildren(el(document, 'p', { cls: 'empty' }, [
    el(document, 'strong', { text: title }), el(document, 'span', { text }),
  ]));
}

async function showCurrentTab() {
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  const reply = tab ? await send(MSG.POPUP_BG_TAB_STATE, { tabId: tab.id }) : null;
  const state = reply?.state ?? null;
  if (state?.outlet) {
    mountInlinePanel(current, { onReport: report, perSide: POPUP_PER_SIDE }).render(panelView(state));
  } else if (state) {
    showEmpty(current, 'Not rated', 'This site is not a rated outlet in Parallax. Nothing about it was sent anywhere.');
  } else {
    showEmpty(current, 'No article here', 'Open a news article to see its outlet’s rating and how the rest of the press covered the story.');
  }
  if (state?.url) await showSiteSwitch(new URL(state.url).hostname);
}

async function showSiteSwitch(host) {
  const settings = await loadSettings(api.storage);
  const site = normalizeHost(host);
  const box = document.getElementById('site-enabled');
  document.getElementById('site-label').textContent = `Parallax on ${site}`;
  box.checked = !isSiteDisabled(settings, site);
  box.addEventListener('change', async () => {
    const latest = await loadSettings(api.storage);
    const others = latest.disabledSites.filter((entry) => normalizeHost(entry) !== site);
    await saveSettings(api.storage, { disabledSites: box.checked ? others : [...others, site] });
  });
  document.getElementById('site-switch').hidden = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  message.hidden = true;
  const url = input.value.trim();
  if (!url) {
    message.textContent = 'Paste the address of an article, such as https://www.bbc.co.uk/news/….';
    message.hidden = false;
    return;
  }
  result.hidden = false;
  // "No article here" says nothing more once an article is looked up: give its room to the answer.
  if (current.querySelector('.empty')) current.hidden = true;
  const panel = mountInlinePanel(result, { onReport: report, perSide: POPUP_PER_SIDE });
  panel.render(panelView({ url, loading: true }));
  const reply = await send(MSG.POPUP_BG_LOOKUP_URL, { url });
  const state = reply?.state ?? { url, error: 'No answer from the extension.' };
  if (state.error && !state.answer && !state.outlet) {
    result.hidden = true;
    message.textContent = state.error;
    message.hidden = false;
    return;
  }
  panel.render(panelView(state));
});

document.getElementById('open-options').addEventListener('click', () => api.runtime.openOptionsPage());

showCurrentTab();

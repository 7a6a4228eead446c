// The options page: server address, link badges, panel position, sites where Parallax is off,
// and the "report a wrong rating" form (sent by the service worker to POST /api/v1/feedback).

import { MSG, api, send } from '../shared/messages.js';
import { BIAS } from '../shared/scales.js';
import { el } from '../shared/panel.js';
import { loadSettings, normalizeServer, saveSettings } from '../shared/settings.js';
import { normalizeHost } from '../shared/resolve.js';

const $ = (id) => document.getElementById(id);

function say(node, text, ok) {
  node.textContent = text;
  node.className = `message ${ok ? 'ok' : 'bad'}`;
}

async function showIndexStatus(status) {
  const line = $('index-status');
  if (!status) {
    line.textContent = '';
  } else if (status.outletCount) {
    const when = status.fetchedAt ? new Date(status.fetchedAt).toLocaleString() : 'never';
    line.textContent = `Outlet index: ${status.outletCount} outlets, ${status.ruleCount} rules, checked ${when}.`;
  } else {
    line.textContent = status.error ? `Outlet index not loaded: ${status.error}` : 'Outlet index not loaded yet.';
  }
  if (status?.outletCount) await fillOutlets();
}

async function fillOutlets() {
  const { outletIndex } = await api.storage.local.get('outletIndex');
  const outlets = Object.entries(outletIndex?.index?.outlets ?? {})
    .sort((a, b) => a[1].name.localeCompare(b[1].name));
  const select = $('report-outlet');
  const chosen = select.value;
  select.replaceChildren(el(document, 'option', { text: 'Choose an outlet', attrs: { value: '' } }),
    ...outlets.map(([slug, outlet]) => el(document, 'option', { text: outlet.name, attrs: { value: slug } })));
  select.value = chosen;
}

function renderSites(settings) {
  $('sites').replaceChildren(...settings.disabledSites.map((site) => {
    const remove = el(document, 'button', { text: '×', attrs: { type: 'button', 'aria-label': `Switch Parallax back on for ${site}` } });
    remove.addEventListener('click', async () => {
      const latest = await loadSettings(api.storage);
      renderSites(await saveSettings(api.storage, { disabledSites: latest.disabledSites.filter((s) => s !== site) }));
    });
    return el(document, 'li', {}, [el(document, 'span', { text: site }), remove]);
  }));
}

/** Ask for access to a server outside the default host permissions (a user gesture is needed). */
async function allowServer(server) {
  const origin = `${new URL(server).origin}/*`;
  if (await api.permissions.contains({ origins: [origin] })) return true;
  try {
    return await api.permissions.request({ origins: [origin] });
  } catch {
    return false;
  }
}

async function init() {
  const settings = await loadSettings(api.storage);
  $('server').value = settings.server;
  $('link-badges').checked = settings.linkBadges;
  $('panel-position').value = settings.panelPosition;
  renderSites(settings);
  for (const level of BIAS) $('report-bias').append(el(document, 'option', { text: level.title, attrs: { value: level.label } }));

  $('server-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const server = normalizeServer($('server').value);
    if (!server) return say($('server-message'), 'Enter an address starting with http:// or https://.', false);
    if (!(await allowServer(server))) return say($('server-message'), 'Parallax needs permission to reach that server.', false);
    await saveSettings(api.storage, { server });
    $('server').value = server;
    say($('server-message'), 'Saved. Downloading the outlet index…', true);
    const reply = await send(MSG.OPTIONS_BG_REFRESH_INDEX);
    const ok = Boolean(reply?.status?.outletCount);
    say($('server-message'), ok ? 'Saved. The outlet index is up to date.' : 'Saved, but the server did not send an outlet index.', ok);
    await showIndexStatus(reply?.status);
  });

  $('link-badges').addEventListener('change', () => saveSettings(api.storage, { linkBadges: $('link-badges').checked }));
  $('panel-position').addEventListener('change', () => saveSettings(api.storage, { panelPosition: $('panel-position').value }));
  $('site-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    let site = $('site').value.trim();
    try {
      site = new URL(site.includes('://') ? site : `https://${site}`).hostname;
    } catch {
      return;
    }
    const latest = await loadSettings(api.storage);
    const host = normalizeHost(site);
    if (!latest.disabledSites.includes(host)) renderSites(await saveSettings(api.storage, { disabledSites: [...latest.disabledSites, host] }));
    $('site').value = '';
  });

  $('report-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const feedback = {
      outlet: $('report-outlet').value,
      url: $('report-url').value.trim(),
      message: $('report-message').value.trim(),
      suggested_bias: $('report-bias').value || null,
    };
    if (!feedback.outlet || !feedback.message) return say($('report-result'), 'Choose the outlet and say what is wrong.', false);
    if (feedback.url && !/^https?:\/\//i.test(feedback.url)) return say($('report-result'), 'The article address must start with http:// or https://.', false);
    const reply = await send(MSG.OPTIONS_BG_FEEDBACK, { feedback });
    if (reply?.ok) {
      say($('report-result'), 'Thank you: the maintainers will review your report.', true);
      $('report-message').value = '';
    } else {
      say($('report-result'), reply?.error ?? 'The report could not be sent.', false);
    }
  });

  const reply = await send(MSG.OPTIONS_BG_INDEX_STATUS);
  await showIndexStatus(reply?.status);

  // Opened from a panel's "Report a wrong rating": preselect that outlet and article.
  const { pendingReport } = (await api.storage.session?.get('pendingReport')) ?? {};
  if (pendingReport?.outlet) {
    $('report-outlet').value = pendingReport.outlet;
    $('report-url').value = pendingReport.url ?? '';
    await api.storage.session.remove('pendingReport');
    $('report-message').focus();
    $('report-title').scrollIntoView();
  }
}

init();

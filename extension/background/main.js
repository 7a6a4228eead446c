// The service worker (an event page in Firefox): routes messages, keeps the outlet index fresh
// and owns every request to the Parallax server. Listeners are registered synchronously at the
// top level so that the browser can wake the worker for them.

import { MSG, api } from '../shared/messages.js';
import { parseHttpUrl, resolveOutlet, resolveSlug, stripTracking } from '../shared/resolve.js';
import { isSiteDisabled, loadSettings } from '../shared/settings.js';
import { ServerError, fetchWithTimeout, problemText } from './net.js';
import { REFRESH_ALARM, REFRESH_MINUTES, getIndex, refreshIndex, status } from './outlet-index.js';
import { clearLookups, lookup } from './lookup.js';
import { recordReading } from '../shared/diary.js';
import { forgetTab, readTabState, saveTabState } from './tab-state.js';
import { setToolbarBadge } from './toolbar.js';

const storage = api.storage;
const extensionOrigin = api.runtime.getURL('');

/** Return the outlet fields a page or a link badge needs, nothing more. */
function compactOutlet(outlet) {
  return outlet ? { slug: outlet.slug, name: outlet.name, bias: outlet.bias, factuality: outlet.factuality } : null;
}

/** Return the URL as it may be sent: no fragment ("#comments" is the same article), no trackers. */
function withoutFragment(url) {
  return stripTracking(url ?? '');
}

/**
 * Return the URL of the sender's page: the one the content script reports when it has the
 * sender's origin (single-page sites change the path with pushState, which the browser's
 * `sender.url` may not reflect), else `sender.url`. A page can only pushState within its origin,
 * so no other site's URL can be smuggled in this way.
 */
function pageUrlOf(message, sender) {
  const reported = parseHttpUrl(message.pageUrl ?? '');
  const actual = new URL(sender.url);
  return reported && reported.origin === actual.origin ? reported.href : actual.href;
}

async function resolvePage(message, sender) {
  const settings = await loadSettings(storage);
  const pageUrl = pageUrlOf(message, sender);
  const host = new URL(pageUrl).hostname;
  if (isSiteDisabled(settings, host)) {
    await setToolbarBadge(api.action, sender.tab.id, null);
    return { outlet: null, settings, disabled: true };
  }
  const index = await getIndex(storage, settings.server);
  const outlet = index ? compactOutlet(resolveOutlet(index, pageUrl)) : null;
  await setToolbarBadge(api.action, sender.tab.id, outlet);
  await saveTabState(storage, sender.tab.id, { url: pageUrl, outlet, answer: null, loading: Boolean(outlet), error: null });
  return { outlet, settings, disabled: false };
}

// What extractPublished sends (shared/published.js): an instant as `toISOString()` writes it,
// a local time without a zone, or a date. Anything else is dropped rather than sent, since the
// server refuses the whole lookup (400) for a `published` it cannot read.
const PUBLISHED = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{3}Z)?)?$/;

/** Return the message's publication time when it has one of the forms we send, else null. */
function publishedOf(message) {
  const published = message.published;
  return typeof published === 'string' && PUBLISHED.test(published) ? published : null;
}

async function lookupPage(message, sender) {
  const settings = await loadSettings(storage);
  const index = await getIndex(storage, settings.server);
  const pageUrl = withoutFragment(pageUrlOf(message, sender));
  const outlet = index && pageUrl ? compactOutlet(resolveOutlet(index, pageUrl)) : null;
  // The privacy rule: nothing about a page leaves the browser unless the page itself belongs to a
  // rated outlet in the local index, whatever the content script asks.
  if (!outlet || isSiteDisabled(settings, new URL(pageUrl).hostname)) {
    return { state: { url: pageUrl, outlet: null, answer: null, loading: false, error: null } };
  }
  // A canonical URL is trusted only when it names the same outlet (syndicated copies point
  // elsewhere, and a page must not be able to make us look up an arbitrary URL).
  const canonical = withoutFragment(message.canonicalUrl);
  const url = canonical && resolveSlug(index, canonical) === outlet.slug ? canonical : pageUrl;
  const title = typeof message.title === 'string' ? message.title : '';
  const description = typeof message.description === 'string' ? message.description : '';
  let state;
  try {
    const answer = await lookup(storage, settings.server, url, title, publishedOf(message), description);
    state = { url, outlet, answer, loading: false, error: null, server: settings.server };
  } catch (error) {
    state = { url, outlet, answer: null, loading: false, error: error.message, server: settings.server };
  }
  await saveTabState(storage, sender.tab.id, state);
  // My reading: a rated article the user opened, kept in storage.local only (never sent).
  await recordReading(storage, settings, outlet, state.answer?.story?.id ?? null);
  return { state };
}

async function resolveLinks(message) {
  const settings = await loadSettings(storage);
  const index = await getIndex(storage, settings.server);
  const urls = Array.isArray(message.urls) ? message.urls.slice(0, 5000) : [];
  const outlets = urls.map((url) => {
    const outlet = index && typeof url === 'string' ? resolveOutlet(index, url) : null;
    return outlet ? { slug: outlet.slug, name: outlet.name, bias: outlet.bias } : null;
  });
  return { outlets };
}

async function openOptions(message) {
  const report = message.report && typeof message.report.outlet === 'string'
    ? { outlet: message.report.outlet, url: withoutFragment(message.report.url) ?? '' }
    : null;
  await storage.session?.set({ pendingReport: report });
  await api.runtime.openOptionsPage();
  return { ok: true };
}

async function lookupUrl(message) {
  const parsed = parseHttpUrl(stripTracking(message.url ?? '') ?? '');
  if (!parsed) return { state: { url: null, outlet: null, answer: null, loading: false, error: 'Enter a web address starting with http:// or https://.' } };
  const settings = await loadSettings(storage);
  const index = await getIndex(storage, settings.server);
  const outlet = index ? compactOutlet(resolveOutlet(index, parsed.href)) : null;
  try {
    const answer = await lookup(storage, settings.server, parsed.href, null);
    return { state: { url: parsed.href, outlet, answer, loading: false, error: null, server: settings.server } };
  } catch (error) {
    return { state: { url: parsed.href, outlet, answer: null, loading: false, error: error.message } };
  }
}

async function sendFeedback(message) {
  const settings = await loadSettings(storage);
  const feedback = message.feedback ?? {};
  const body = {
    outlet: String(feedback.outlet ?? ''),
    // The server reads an empty string as a broken URL: no article means null.
    url: feedback.url ? String(feedback.url) : null,
    message: String(feedback.message ?? '').slice(0, 4000),
    suggested_bias: feedback.suggested_bias || null,
  };
  try {
    const response = await fetchWithTimeout(`${settings.server}/api/v1/feedback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new ServerError(await problemText(response), response.status);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error.message };
  }
}

async function refreshNow() {
  const settings = await loadSettings(storage);
  return { status: await refreshIndex(storage, settings.server) };
}

async function indexStatus() {
  const settings = await loadSettings(storage);
  await getIndex(storage, settings.server);
  return { status: { ...status(), server: settings.server } };
}

// Who may send what: content scripts (a tab, an http(s) frame) only the cs-* messages, and only
// from the top frame; extension pages (popup, options) the rest.
const FROM_CONTENT = {
  [MSG.CS_BG_RESOLVE_PAGE]: resolvePage,
  [MSG.CS_BG_LOOKUP]: lookupPage,
  [MSG.CS_BG_RESOLVE_LINKS]: resolveLinks,
  [MSG.CS_BG_OPEN_OPTIONS]: openOptions,
};
const FROM_PAGES = {
  [MSG.POPUP_BG_TAB_STATE]: (message) => readTabState(storage, message.tabId).then((state) => ({ state })),
  [MSG.POPUP_BG_LOOKUP_URL]: lookupUrl,
  [MSG.OPTIONS_BG_INDEX_STATUS]: indexStatus,
  [MSG.OPTIONS_BG_REFRESH_INDEX]: refreshNow,
  [MSG.OPTIONS_BG_FEEDBACK]: sendFeedback,
};

function handlerFor(message, sender) {
  if (sender.id !== api.runtime.id || typeof message?.type !== 'string') return null;
  if (sender.url?.startsWith(extensionOrigin)) return FROM_PAGES[message.type] ?? null;
  const fromPage = sender.tab && sender.frameId === 0 && parseHttpUrl(sender.url ?? '');
  return fromPage ? FROM_CONTENT[message.type] ?? null : null;
}

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handler = handlerFor(message, sender);
  if (!handler) return false;
  handler(message, sender).then(sendResponse, (error) => sendResponse({ error: String(error?.message ?? error) }));
  return true;
});

function scheduleRefresh() {
  api.alarms.create(REFRESH_ALARM, { periodInMinutes: REFRESH_MINUTES, delayInMinutes: REFRESH_MINUTES });
}

api.runtime.onInstalled.addListener(() => {
  scheduleRefresh();
  refreshNow();
});

api.runtime.onStartup.addListener(scheduleRefresh);

api.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === REFRESH_ALARM) refreshNow();
});

api.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local' || !changes.settings) return;
  const before = changes.settings.oldValue?.server;
  const after = changes.settings.newValue?.server;
  if (before !== after) clearLookups(storage).then(refreshNow);
});

// A navigation in a tab ends its page's state; the new page's content script reports again.
api.tabs.onUpdated.addListener((tabId, changeInfo) => {
  if (changeInfo.status === 'loading') {
    forgetTab(storage, tabId);
    setToolbarBadge(api.action, tabId, null);
  }
});

api.tabs.onRemoved.addListener((tabId) => {
  forgetTab(storage, tabId);
});

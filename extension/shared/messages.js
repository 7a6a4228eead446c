// Every message the extension's parts exchange, named by direction (Dark Reader's convention):
// `cs-bg-*` content script → service worker, `popup-bg-*` popup → service worker,
// `options-bg-*` options page → service worker. The service worker answers each with
// sendResponse. Shapes below are the contract; the worker checks the sender before acting.

export const MSG = Object.freeze({
  // {type, pageUrl} → {outlet: {slug, name, bias, factuality} | null, settings: Settings,
  //                     disabled: boolean}
  // Resolves the sender's own page against the local index and sets the toolbar badge. pageUrl
  // (location.href) is only trusted within sender.url's origin. Sends nothing to the server.
  CS_BG_RESOLVE_PAGE: 'cs-bg-resolve-page',

  // {type, pageUrl, canonicalUrl: string | null, title: string, description: string,
  //  published: string | null} → {state: TabState}
  // Asks the server about the sender's page; refused (state.outlet null) unless the page's host
  // resolves to a rated outlet. canonicalUrl is used only when it resolves to the same outlet;
  // description and published (an instant in UTC, a local time without a zone, or a date: see
  // shared/published.js) are sent with the title, else dropped.
  CS_BG_LOOKUP: 'cs-bg-lookup',

  // {type, urls: string[]} → {outlets: Array<{slug, name, bias} | null>} (same order as urls)
  // Resolves link targets for the link badges locally. Sends nothing to the server.
  CS_BG_RESOLVE_LINKS: 'cs-bg-resolve-links',

  // {type, report: {outlet: slug, url} | null} → {ok: true}
  // Opens the options page, on the feedback form when `report` is given.
  CS_BG_OPEN_OPTIONS: 'cs-bg-open-options',

  // {type, tabId: number} → {state: TabState | null}
  POPUP_BG_TAB_STATE: 'popup-bg-tab-state',

  // {type, url: string} → {state: TabState}   An explicit lookup of a pasted URL.
  POPUP_BG_LOOKUP_URL: 'popup-bg-lookup-url',

  // {type} → {status: IndexStatus}
  // IndexStatus: {server, version, outletCount, ruleCount, fetchedAt, error}
  OPTIONS_BG_INDEX_STATUS: 'options-bg-index-status',

  // {type} → {status: IndexStatus}   Revalidates the index now (after the server URL changed).
  OPTIONS_BG_REFRESH_INDEX: 'options-bg-refresh-index',

  // {type, feedback: {outlet, url, message, suggested_bias}} → {ok: boolean, error?: string}
  OPTIONS_BG_FEEDBACK: 'options-bg-feedback',
});

// TabState: {url, outlet: {slug, name, bias, factuality} | null, answer: LookupAnswer | null,
//            loading: boolean, error: string | null, server?: string (the server asked, whose
//            story page "See full coverage" opens)}

/** Return the WebExtension namespace: `browser` in Firefox, `chrome` in Chromium. */
export const api = globalThis.browser ?? globalThis.chrome;

/** Send a message to the service worker; resolve to its answer, or null when nobody answered. */
export async function send(type, payload = {}) {
  try {
    return (await api.runtime.sendMessage({ type, ...payload })) ?? null;
  } catch {
    // The worker was reloaded or the extension updated: behave as if there were no answer.
    return null;
  }
}

// The content script proper (imported by loader.js). On every http(s) page it asks the service
// worker whether the page belongs to a rated outlet (answered from the local index, nothing is
// sent anywhere); only then does it show the badge and ask for the story's coverage. Link badges
// run on every page unless switched off.

import { MSG, send } from '../shared/messages.js';
import { panelView } from '../shared/view.js';
import { mountPagePanel } from '../shared/panel.js';
import { extractArticle } from './extract.js';
import { createLinkAnnotator } from './links.js';

// Single-page sites change the URL without a new document; give their scripts this long to
// put the new headline in place before reading it.
const SPA_SETTLE_MS = 400;

/** Remove what a previous copy of this script left behind (the extension was reloaded). */
function removeLeftovers(doc) {
  for (const node of doc.querySelectorAll('parallax-panel, parallax-badge')) node.remove();
  for (const link of doc.querySelectorAll('a[data-parallax]')) link.removeAttribute('data-parallax');
}

/** Show the badge for a page of `outlet`, then fill the panel with the server's answer. */
async function showPagePanel(doc, outlet, settings, isCurrent) {
  const panel = mountPagePanel(doc, {
    position: settings.panelPosition,
    onReport: (slug, url) => send(MSG.CS_BG_OPEN_OPTIONS, { report: { outlet: slug, url } }),
  });
  panel.render(panelView({ outlet, loading: true }));
  performance.mark?.('parallax-badge');
  // Measured on the page's timeline for bench/extension.py: reading the page is main-thread time.
  const started = performance.now();
  const article = extractArticle(doc, { pageUrl: doc.location.href, outletName: outlet.name });
  performance.measure?.('parallax-extract', { start: started, end: performance.now() });
  const reply = await send(MSG.CS_BG_LOOKUP, { pageUrl: doc.location.href, ...article });
  if (isCurrent()) panel.render(panelView(reply?.state ?? { outlet, error: 'No answer' }));
  return panel;
}

/** Return the page's URL without its fragment. */
function pageKey(doc) {
  return doc.location.href.split('#', 1)[0];
}

/**
 * Call `onChange` when a single-page site moves to another URL. The Navigation API's
 * currententrychange (Chromium) sees every same-document navigation, pushState included;
 * `popstate` covers back/forward where that API is missing.
 */
function watchNavigation(doc, onChange) {
  let last = pageKey(doc);
  let timer = null;
  const check = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const now = pageKey(doc);
      if (now !== last) {
        last = now;
        onChange();
      }
    }, SPA_SETTLE_MS);
  };
  globalThis.navigation?.addEventListener?.('currententrychange', check);
  globalThis.addEventListener('popstate', check);
}

/**
 * Start Parallax on this page. `firstAnswer` is the worker's answer to CS_BG_RESOLVE_PAGE when
 * loader.js already asked (it does, to overlap that wait with loading these modules).
 */
export async function start(doc = document, firstAnswer = null) {
  removeLeftovers(doc);
  let generation = 0;
  let panel = null;
  let early = firstAnswer;

  const showPage = async () => {
    generation += 1;
    const mine = generation;
    panel?.destroy();
    panel = null;
    const asked = early ?? send(MSG.CS_BG_RESOLVE_PAGE, { pageUrl: doc.location.href });
    early = null;
    const page = await asked;
    if (!page || page.disabled || page.error || mine !== generation) return page;
    if (page.outlet) panel = await showPagePanel(doc, page.outlet, page.settings, () => mine === generation);
    if (mine !== generation) panel?.destroy();
    return page;
  };

  const page = await showPage();
  if (!page || page.disabled || page.error) return;
  watchNavigation(doc, showPage);
  if (page.settings.linkBadges) {
    const annotator = createLinkAnnotator(doc, {
      pageSlug: page.outlet?.slug ?? null,
      resolve: async (urls) => (await send(MSG.CS_BG_RESOLVE_LINKS, { urls }))?.outlets ?? [],
    });
    await annotator.start();
  }
}

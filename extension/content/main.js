// The content script proper (imported by loader.js). On every http(s) page it asks the service
// worker whether the page belongs to a rated outlet (answered from the local index, nothing is
// sent anywhere); only then does it show the badge and ask for the story's coverage. Link badges
// run on every page unless switched off.

import { MSG, send } from '../shared/messages.js';
import { panelView } from '../shared/view.js';
import { mountPagePanel } from '../shared/panel.js';
import { extractCanonical, extractHeadline } from './extract.js';
import { createLinkAnnotator } from './links.js';

/** Remove what a previous copy of this script left behind (the extension was reloaded). */
function removeLeftovers(doc) {
  for (const node of doc.querySelectorAll('parallax-panel, parallax-badge')) node.remove();
  for (const link of doc.querySelectorAll('a[data-parallax]')) link.removeAttribute('data-parallax');
}

async function showPagePanel(doc, outlet, settings) {
  const panel = mountPagePanel(doc, {
    position: settings.panelPosition,
    onReport: (slug, url) => send(MSG.CS_BG_OPEN_OPTIONS, { report: { outlet: slug, url } }),
  });
  panel.render(panelView({ outlet, loading: true }));
  performance.mark?.('parallax-badge');
  const reply = await send(MSG.CS_BG_LOOKUP, {
    canonicalUrl: extractCanonical(doc),
    title: extractHeadline(doc, outlet.name),
  });
  panel.render(panelView(reply?.state ?? { outlet, error: 'No answer' }));
  return panel;
}

/** Start Parallax on this page. */
export async function start(doc = document) {
  removeLeftovers(doc);
  const page = await send(MSG.CS_BG_RESOLVE_PAGE);
  if (!page || page.disabled || page.error) return;
  const { outlet, settings } = page;
  const work = [];
  if (outlet) work.push(showPagePanel(doc, outlet, settings));
  if (settings.linkBadges) {
    const annotator = createLinkAnnotator(doc, {
      pageSlug: outlet?.slug ?? null,
      resolve: async (urls) => (await send(MSG.CS_BG_RESOLVE_LINKS, { urls }))?.outlets ?? [],
    });
    work.push(annotator.start());
  }
  await Promise.all(work);
}

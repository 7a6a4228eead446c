// Link badges: a small bias badge beside each link to a rated outlet, on any page. Targets are
// resolved by the service worker against the local index, so no request leaves the browser.
// Each processed link gets a `data-parallax` attribute (the outlet's slug, or "" when unrated),
// which is how a link is never annotated twice, however often the page changes.

import { biasLevel } from '../shared/scales.js';
import { LINK_BADGE_CSS } from '../shared/panel-style.js';

export const THROTTLE_MS = 250;
const MAX_LINKS_PER_SCAN = 2000;
const OWN_TAGS = new Set(['parallax-panel', 'parallax-badge']);

/**
 * Return a link annotator for a document. `resolve(urls)` answers outlets in the same order;
 * links to `pageSlug` (the outlet of the page itself) get no badge, they would only be noise.
 */
export function createLinkAnnotator(doc, { resolve, pageSlug = null }) {
  let sheet = null;
  let timer = null;
  let observer = null;

  function badgeFor(outlet) {
    const level = biasLevel(outlet.bias);
    const host = doc.createElement('parallax-badge');
    const root = host.attachShadow({ mode: 'closed' });
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(LINK_BADGE_CSS);
      }
      root.adoptedStyleSheets = [sheet];
    } catch {
      const style = doc.createElement('style');
      style.textContent = LINK_BADGE_CSS;
      root.append(style);
    }
    const label = doc.createElement('span');
    label.textContent = level ? level.short : '?';
    label.style.setProperty('--c', level?.color ?? '#64748b');
    label.style.color = level?.ink ?? '#ffffff';
    const description = `${outlet.name}: ${level ? level.title.toLowerCase() : 'not rated'} (Parallax)`;
    label.title = description;
    host.setAttribute('role', 'img');
    host.setAttribute('aria-label', description);
    root.append(label);
    return host;
  }

  /**
   * Collect unprocessed links, mark them, and return them grouped by target URL, with `more`
   * true when there were more than one scan takes (the rest waits for the next scan).
   */
  function collect() {
    const byUrl = new Map();
    const links = doc.querySelectorAll('a[href]:not([data-parallax])');
    const count = Math.min(links.length, MAX_LINKS_PER_SCAN);
    for (let i = 0; i < count; i += 1) {
      const link = links[i];
      link.setAttribute('data-parallax', '');
      const href = link.href;
      // Only http(s) links with visible text: image-only links repeat the headline link beside them.
      if (!href.startsWith('http') || !link.textContent.trim()) continue;
      const url = href.split('#', 1)[0];
      const group = byUrl.get(url);
      if (group) group.push(link);
      else byUrl.set(url, [link]);
    }
    return { byUrl, more: links.length > count };
  }

  function annotate(byUrl, urls, outlets) {
    urls.forEach((url, i) => {
      const outlet = outlets[i];
      if (!outlet || outlet.slug === pageSlug) return;
      for (const link of byUrl.get(url)) {
        if (!link.isConnected) continue;
        link.setAttribute('data-parallax', outlet.slug);
        link.after(badgeFor(outlet));
      }
    });
  }

  async function scan() {
    const started = performance.now();
    const { byUrl, more } = collect();
    const urls = [...byUrl.keys()];
    const collected = performance.now() - started;
    // Both synchronous parts go on the page's performance timeline (content scripts share it)
    // so bench/extension.py can add up the main-thread time the badges cost.
    performance.measure?.('parallax-collect', { start: started, duration: collected });
    if (more) schedule();
    if (!urls.length) return;
    const outlets = (await resolve(urls)) ?? [];
    const resumed = performance.now();
    annotate(byUrl, urls, outlets);
    const spent = performance.now() - resumed;
    performance.measure?.('parallax-annotate', { start: resumed, duration: spent });
  }

  function schedule() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      // After the extension is reloaded or removed this copy is orphaned (runtime.id is gone):
      // stop watching; the new copy removes the old badges when it starts.
      if (!(globalThis.browser ?? globalThis.chrome)?.runtime?.id) {
        observer?.disconnect();
        return;
      }
      scan();
    }, THROTTLE_MS);
  }

  /** Return true when a mutation added something other than our own badges. */
  function addsForeignNodes(records) {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === 1 && !OWN_TAGS.has(node.localName)) return true;
      }
    }
    return false;
  }

  return {
    /** Annotate the links there now, then watch for links the page adds later. */
    async start() {
      await scan();
      // Feeds, search results and infinite scroll add links after load. Mutations arrive in bursts,
      // so they only schedule a scan, at most one per THROTTLE_MS, and the scan itself only looks
      // at links without data-parallax.
      observer = new MutationObserver((records) => {
        if (addsForeignNodes(records)) schedule();
      });
      observer.observe(doc.documentElement, { childList: true, subtree: true });
    },
    stop() {
      observer?.disconnect();
      clearTimeout(timer);
      timer = null;
    },
  };
}

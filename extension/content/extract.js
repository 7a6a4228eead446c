// Headline and canonical URL of the page, read from the DOM. The cleaning itself is the pure
// cleanTitle (shared/title.js); this module only knows where pages put their titles.

import { cleanTitle } from '../shared/title.js';
import { parseHttpUrl } from '../shared/resolve.js';

function meta(doc, selector) {
  return doc.querySelector(selector)?.getAttribute('content')?.trim() || '';
}

/**
 * Return the article's headline: og:title, twitter:title, the main <h1>, then document.title,
 * the first that is present, without the site's name around it.
 */
export function extractHeadline(doc, outletName = '') {
  const names = [meta(doc, 'meta[property="og:site_name"]'), meta(doc, 'meta[name="application-name"]'), outletName];
  const h1 = doc.querySelector('article h1, main h1, [itemprop="headline"], h1');
  const candidates = [
    meta(doc, 'meta[property="og:title"]'),
    meta(doc, 'meta[name="twitter:title"]'),
    h1?.textContent ?? '',
    doc.title,
  ];
  const host = doc.location?.hostname ?? '';
  for (const candidate of candidates) {
    const title = cleanTitle(candidate, { names, host });
    if (title) return title.slice(0, 300);
  }
  return '';
}

/** Return the canonical URL (<link rel=canonical>, else og:url) when it is http(s), else null. */
export function extractCanonical(doc) {
  const link = doc.querySelector('link[rel~="canonical" i][href]');
  // link.href is already absolute (resolved against the document's base URL).
  const candidates = [link?.href, meta(doc, 'meta[property="og:url"]')];
  for (const candidate of candidates) {
    const url = /^https?:\/\//i.test(candidate ?? '') ? parseHttpUrl(candidate) : null;
    if (url) return url.href;
  }
  return null;
}

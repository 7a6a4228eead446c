// Headline, canonical URL and publication time of the page, read from the DOM. The cleaning
// itself is the pure cleanTitle (shared/title.js); this module only knows where pages put things.

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

// schema.org types whose datePublished is the article's: Article and the NewsArticle family.
const ARTICLE_TYPES = new Set([
  'Article', 'NewsArticle', 'ReportageNewsArticle', 'AnalysisNewsArticle', 'BackgroundNewsArticle',
  'OpinionNewsArticle', 'ReviewNewsArticle',
]);
// ISO 8601 as pages write it: a date, optionally a time ("T" or a space), optionally a zone
// (Z, ±hh, ±hhmm, ±hh:mm).
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const DAY_MS = 24 * 60 * 60 * 1000;
// Earlier than this is a placeholder (CMSes print the Unix epoch for a missing date), not news.
const OLDEST_MS = Date.UTC(1995, 0, 1);

/**
 * Return a page's publication time as `toISOString()` text (UTC, "Z"), or null when it is not
 * an ISO 8601 date, not a real calendar time, before 1995 or more than a day in the future.
 *
 * Only ISO 8601 is read: it is what article:published_time and schema.org's datePublished
 * specify, and `Date`'s reading of other formats is implementation-defined and takes them in
 * the reader's own zone. A time without a zone ("2026-11-22T08:00") is taken as UTC, as the
 * server does: it is usually the site's local time, so this is off by at most 14 hours, well
 * inside the ±3-day window the server matches in, whereas sending nothing would centre that
 * window on now and miss every article older than three days. Reading it in the reader's zone
 * would be no more right and would differ from one reader to the next. A date alone is taken
 * as noon UTC, the middle of that day wherever the site is.
 */
export function parsePublished(text, now = Date.now()) {
  const parts = ISO_TIME.exec(String(text ?? '').trim());
  if (!parts) return null;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone = 'Z'] = parts;
  const [y, mo, d] = [Number(year), Number(month), Number(day)];
  const [h, mi, s] = hour === undefined ? [12, 0, 0] : [Number(hour), Number(minute), Number(second)];
  const local = Date.UTC(y, mo - 1, d, h, mi, s, Number(fraction.slice(0, 3).padEnd(3, '0')));
  // Date.UTC rolls 30 February over into March and 25:00 into the next day: refuse both.
  const check = new Date(local);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  let offsetMinutes = 0;
  if (!/^z$/i.test(zone)) {
    const [, sign, zh, zm = '0'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    if (Number(zh) > 23 || Number(zm) > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(zh) * 60 + Number(zm));
  }
  const when = local - offsetMinutes * 60 * 1000;
  if (when < OLDEST_MS || when > now + DAY_MS) return null;
  return new Date(when).toISOString();
}

/** Return whether a JSON-LD node's @type names an article ("NewsArticle", ["Article", …]). */
function isArticleNode(node) {
  const types = Array.isArray(node['@type']) ? node['@type'] : [node['@type']];
  const bare = (type) => type.replace(/^(?:https?:\/\/schema\.org\/|schema:)/, '');
  return types.some((type) => typeof type === 'string' && ARTICLE_TYPES.has(bare(type)));
}

/** Return the article nodes of parsed JSON-LD: the value itself, a top-level array, @graph. */
function articleNodes(data, depth = 0) {
  if (depth > 2 || typeof data !== 'object' || data === null) return [];
  if (Array.isArray(data)) return data.flatMap((item) => articleNodes(item, depth + 1));
  const graph = Array.isArray(data['@graph']) ? articleNodes(data['@graph'], depth + 1) : [];
  return isArticleNode(data) ? [data, ...graph] : graph;
}

/** Return the datePublished values of the page's JSON-LD articles, in document order. */
function jsonLdDates(doc) {
  const dates = [];
  for (const script of doc.querySelectorAll('script[type="application/ld+json"]')) {
    let data;
    try {
      data = JSON.parse(script.textContent);
    } catch {
      continue; // broken JSON-LD is common and none of our business
    }
    for (const node of articleNodes(data)) {
      if (typeof node.datePublished === 'string') dates.push(node.datePublished);
    }
  }
  return dates;
}

/**
 * Return when the article was published, as ISO 8601 UTC text, or null: the first valid one of
 * article:published_time, schema.org microdata (meta or <time datetime>), JSON-LD, then the
 * older meta names "date" and "pubdate". The server centres its headline match on it.
 */
export function extractPublished(doc, now = Date.now()) {
  const candidates = [
    () => meta(doc, 'meta[property="article:published_time"]'),
    () => meta(doc, 'meta[itemprop="datePublished"]'),
    () => doc.querySelector('time[itemprop="datePublished"][datetime]')?.getAttribute('datetime'),
    () => jsonLdDates(doc),
    () => meta(doc, 'meta[name="date"]'),
    () => meta(doc, 'meta[name="pubdate"]'),
  ];
  for (const candidate of candidates) {
    for (const text of [candidate()].flat()) {
      const published = text ? parsePublished(text, now) : null;
      if (published) return published;
    }
  }
  return null;
}

// What the lookup sends about a page (headline, description, publication time, canonical URL),
// read from the DOM. This module only knows where pages put things; reading times, cleaning
// headlines and cutting descriptions are the pure modules in shared/.
//
// Every field has one order of preference (extension/README.md): the article's own JSON-LD,
// then Open Graph and the other meta tags, then microdata inside the main article, then the
// article's own <time>, then its visible text. Elements in asides, navigation, related-article
// lists and footers never count: a sidebar's teaser has its own headline and date.

import { cleanTitle, compact, isSiteName } from '../shared/title.js';
import { cutDescription } from '../shared/description.js';
import { choosePublished, parsePublished } from '../shared/published.js';

// schema.org types of an article: Article and its news and blog kinds.
const ARTICLE_TYPES = new Set([
  'Article', 'NewsArticle', 'ReportageNewsArticle', 'AnalysisNewsArticle', 'BackgroundNewsArticle',
  'OpinionNewsArticle', 'ReviewNewsArticle', 'AskPublicNewsArticle', 'BlogPosting',
  'LiveBlogPosting', 'Report',
]);
// Class and id words of the parts of a page that are about other pages.
const ELSEWHERE = /(?:^|[\s_-])(?:aside|sidebar|side-bar|right-rail|left-rail|related|recirc|recommended|recommendations|more-stories|most-?popular|most-?read|popular|trending|outbrain|taboola|promo|teasers?|footer|breadcrumbs?|navigation|nav|menu|comments?|comment-\w+|replies|reply|respond|disqus)(?:$|[\s_-])/i;
const ELSEWHERE_TAGS = new Set(['ASIDE', 'NAV', 'FOOTER']);
const ELSEWHERE_ROLES = new Set(['complementary', 'navigation', 'contentinfo', 'banner']);
// Class or id words of the element that holds an article's dateline, as a selector.
const DATELINE = ['date', 'time', 'publish', 'posted', 'byline', 'meta']
  .flatMap((word) => [`[class*="${word}" i]`, `[id*="${word}" i]`]).join(', ');
// Meta names (lower-cased) that hold the publication time, in order of preference.
const TIME_METAS = [
  'article:published_time', 'og:published_time', 'og:article:published_time', 'datepublished',
  'rnews:datepublished', 'dc.date.issued', 'dcterms.issued', 'dc.date', 'dcterms.date',
  'dcterms.created', 'originalpublicationdate', 'publishdate', 'publish-date', 'pubdate',
  'publish_date', 'pub_date', 'date', 'sailthru.date', 'cxenseparse:recs:publishtime',
  'article.published',
];

/** Return the page's meta tags of <head> by lower-cased name, property or itemprop (first wins). */
function headMetas(doc) {
  const found = new Map();
  for (const meta of doc.querySelectorAll('head meta[content]')) {
    for (const attr of ['property', 'name', 'itemprop']) {
      const key = meta.getAttribute(attr)?.trim().toLowerCase();
      const content = meta.getAttribute('content')?.trim();
      if (key && content && !found.has(key)) found.set(key, content);
    }
  }
  return found;
}

/** Return true when an element sits in a part of the page that is about other pages. */
function elsewhere(element, root) {
  // An article's own footer (its timestamp, its tags) is part of it; the page's is not.
  const article = root.tagName === 'ARTICLE' || root.hasAttribute?.('itemscope');
  for (let node = element; node && node !== root; node = node.parentElement) {
    if (ELSEWHERE_TAGS.has(node.tagName) && !(article && node.tagName === 'FOOTER')) return true;
    const role = node.getAttribute?.('role');
    if (role && ELSEWHERE_ROLES.has(role)) return true;
    const words = `${node.getAttribute?.('class') ?? ''} ${node.getAttribute?.('id') ?? ''}`;
    if (words.length > 1 && ELSEWHERE.test(article ? words.replace(/footer/gi, '') : words)) return true;
    // The site's header, not an article's own (which holds its headline and dateline).
    if (node.tagName === 'HEADER' && !node.closest('article, [itemprop="articleBody"]')) return true;
  }
  return false;
}

/** Return the elements matching `selector` inside `root` that belong to the article itself. */
function own(root, selector) {
  return [...root.querySelectorAll(selector)].filter((element) => !elsewhere(element, root));
}

/** Return the first element matching `selector` inside `root` that belongs to the article. */
function firstOwn(root, selector, accept = () => true) {
  for (const element of root.querySelectorAll(selector)) {
    if (accept(element) && !elsewhere(element, root)) return element;
  }
  return null;
}

/** Return whether a schema.org type (a name, a URL, or a list of them) is an article's. */
function isArticleType(type) {
  const types = Array.isArray(type) ? type : [type];
  const bare = (name) => String(name).replace(/^(?:https?:\/\/schema\.org\/|schema:)/, '');
  return types.some((name) => typeof name === 'string' && ARTICLE_TYPES.has(bare(name.trim())));
}

/** Return the article nodes of parsed JSON-LD: the value itself, a top-level list, @graph. */
function articleNodes(data, depth = 0) {
  if (depth > 3 || typeof data !== 'object' || data === null) return [];
  if (Array.isArray(data)) return data.flatMap((item) => articleNodes(item, depth + 1));
  const graph = Array.isArray(data['@graph']) ? articleNodes(data['@graph'], depth + 1) : [];
  return isArticleType(data['@type']) ? [data, ...graph] : graph;
}

/** Return the URL a JSON-LD node says it is about (url or mainEntityOfPage), or ''. */
function nodeUrl(node) {
  const page = node.mainEntityOfPage;
  const url = typeof page === 'string' ? page : page?.['@id'] ?? page?.url ?? node.url ?? '';
  return typeof url === 'string' ? url : '';
}

/**
 * Return the article's own JSON-LD node, or null. A page can describe others too (a list of
 * related articles): the node naming this page's URL wins, else the first article.
 */
function ownJsonLd(doc, pageUrl) {
  const nodes = [];
  for (const script of doc.querySelectorAll('script[type="application/ld+json" i]')) {
    try {
      nodes.push(...articleNodes(JSON.parse(script.textContent)));
    } catch {
      // Broken JSON-LD is common and none of our business.
    }
  }
  const path = (url) => {
    try {
      return new URL(url, pageUrl).pathname.replace(/\/$/, '');
    } catch {
      return null;
    }
  };
  const here = path(pageUrl);
  return nodes.find((node) => nodeUrl(node) && path(nodeUrl(node)) === here) ?? nodes[0] ?? null;
}

/**
 * Return the element holding the main article: the microdata article, else the <article> with
 * the page's <h1> (else the first), else <main>, else the body. Outside it nothing is read
 * but <head>.
 */
function articleRoot(doc) {
  for (const scope of doc.querySelectorAll('[itemscope][itemtype]')) {
    const type = scope.getAttribute('itemtype').trim().split(/\s+/);
    if (isArticleType(type) && !elsewhere(scope, doc.body)) return scope;
  }
  const articles = own(doc.body ?? doc, 'article');
  const root = articles.find((article) => article.querySelector('h1')) ?? articles[0];
  return root ?? doc.querySelector('main, [role="main"]') ?? doc.body ?? doc.documentElement;
}

/** Return an element's text with its whitespace collapsed. */
function text(element) {
  return (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Return the value microdata gives an element: content, datetime, title (hAtom), else its text. */
function itemValue(element) {
  for (const attr of ['content', 'datetime', 'title']) {
    const value = element.getAttribute(attr);
    if (value) return value;
  }
  return text(element);
}

/** Return a JSON-LD value as text: a string, a number, or the first of a list. */
function ldText(value) {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' || typeof first === 'number' ? String(first).trim() : '';
}

/**
 * Read the page once: return `{jsonLd, metas, root, names, host, pageUrl}` for the extract*
 * functions, so that each field's sources are looked up once.
 */
export function readPage(doc, { pageUrl = doc.location?.href ?? '', outletName = '' } = {}) {
  const metas = headMetas(doc);
  let host = '';
  try {
    host = new URL(pageUrl).hostname;
  } catch {
    // An unusual document (about:blank): the site name is then recognised by name only.
  }
  return {
    jsonLd: ownJsonLd(doc, pageUrl),
    metas,
    root: articleRoot(doc),
    names: [metas.get('og:site_name'), metas.get('application-name'), outletName].filter(Boolean),
    host,
    pageUrl,
    doc,
  };
}

/**
 * Return the article's headline without the site's name: JSON-LD headline, the article's own
 * heading (microdata headline, else its <h1>), og:title, twitter:title, then the page title.
 */
export function extractHeadline(page) {
  const { jsonLd, metas, root, names, host, doc } = page;
  const titles = [metas.get('og:title'), metas.get('twitter:title'), doc.title].filter(Boolean);
  const candidates = [
    ldText(jsonLd?.headline),
    articleHeading(page, titles),
    ...titles,
  ];
  for (const candidate of candidates) {
    const title = cleanTitle(candidate, { names, host });
    if (title && !isSiteName(title, names, host)) return title.slice(0, 300);
  }
  return '';
}

/**
 * Return the article's own heading: its microdata headline, else its <h1>. Where no element
 * marks the article (the root is the body), many sites put their logo or a section's name in
 * an <h1>: there only an <h1> that the page's title repeats counts.
 */
function articleHeading({ root, doc }, titles) {
  const marked = firstOwn(root, '[itemprop="headline"]');
  if (marked) return marked.getAttribute('content') ?? text(marked);
  const headings = own(root, 'h1').map(text).filter(Boolean);
  if (root !== doc.body) return headings[0] ?? '';
  const said = titles.map(compact);
  return headings.find((heading) => compact(heading).length >= 8 && said.some((title) => title.includes(compact(heading)))) ?? '';
}

/**
 * Return the article's description, at most 300 characters cut at a word: og:description,
 * the meta description, JSON-LD description, then the article's first paragraph.
 */
export function extractDescription(page) {
  const { jsonLd, metas, root, names, host } = page;
  const paragraph = () => text(firstOwn(root, 'p', (element) => text(element).length >= 80));
  const candidates = [
    () => metas.get('og:description'),
    () => metas.get('description'),
    () => ldText(jsonLd?.description),
    paragraph,
  ];
  for (const candidate of candidates) {
    const description = cutDescription(candidate());
    // Some sites fill og:description with their own name.
    if (description && !isSiteName(description, names, host)) return description;
  }
  return '';
}

/**
 * Return the canonical URL (<link rel=canonical>, else og:url) resolved against the page's,
 * or null. Refused: a relative path, the site's home page and anything not http(s). Whether it names the same outlet is the worker's
 * check, which has the outlet index.
 */
export function extractCanonical(page) {
  const { doc, metas, pageUrl } = page;
  const link = doc.querySelector('link[rel~="canonical" i][href]')?.getAttribute('href');
  for (const raw of [link, metas.get('og:url')]) {
    // Only an absolute or root-relative URL: a path relative to the article's own ("8003098",
    // "www.site.com/…") is a CMS's slip that resolves to a page that does not exist.
    const href = raw?.trim() ?? '';
    if (!/^(?:https?:)?\/|^https?:/i.test(href)) continue;
    let url;
    try {
      url = new URL(href, doc.baseURI && doc.baseURI !== 'about:blank' ? doc.baseURI : pageUrl);
    } catch {
      continue;
    }
    if (!/^https?:$/.test(url.protocol) || url.pathname === '/') continue;
    return url.href;
  }
  return null;
}

/**
 * Return the publication time of the article's visible dateline, as `parsePublished` reads it:
 * the machine-readable time of a dateline element first (hAtom's <abbr class="published"
 * title="…">), else the first dateline text that reads as a time.
 */
function dateline(root, now) {
  const lines = own(root, DATELINE);
  for (const element of lines) {
    const found = parsePublished(element.getAttribute('datetime') ?? element.getAttribute('title'), now);
    if (found) return found;
  }
  for (const element of lines) {
    const line = text(element);
    if (line.length > 120) continue;
    const found = parsePublished(line.replace(/^.*?(?:published|posted|on)\s*:?\s*/i, ''), now)
      ?? parsePublished(line, now);
    if (found) return found;
  }
  return null;
}

/**
 * Return when the article was published, as the lookup sends it (see shared/published.js), or
 * null: every source in order of preference is read, and `choosePublished` sends the first
 * unless they disagree. The visible dateline is read only when nothing else gives a time.
 */
export function extractPublished(page, now = Date.now()) {
  const { jsonLd, metas, root } = page;
  const read = (value) => (value ? parsePublished(value, now) : null);
  const parsely = () => {
    try {
      return JSON.parse(metas.get('parsely-page') ?? '{}').pub_date;
    } catch {
      return null;
    }
  };
  const item = firstOwn(root, '[itemprop="datePublished"]');
  const time = firstOwn(root, 'time[pubdate][datetime]') ?? firstOwn(root, 'time[datetime]');
  const readings = [
    read(ldText(jsonLd?.datePublished)),
    ...TIME_METAS.map((name) => read(metas.get(name))),
    read(parsely()),
    item ? read(itemValue(item)) : null,
    time ? read(time.getAttribute('datetime')) : null,
  ];
  // The dateline is the last resort, and otherwise only says more about a time without a zone
  // or a date alone: it is not even read when the page gives an instant.
  const found = readings.filter(Boolean);
  if (!found.length) return choosePublished([dateline(root, now)]);
  const precise = found.some((reading) => reading.kind === 'instant');
  return choosePublished(found, precise ? [] : [dateline(root, now)]);
}

/** Return everything the lookup sends about the page, read once. */
export function extractArticle(doc, { pageUrl, outletName = '', now = Date.now() } = {}) {
  const page = readPage(doc, { pageUrl: pageUrl ?? doc.location?.href ?? '', outletName });
  return {
    title: extractHeadline(page),
    description: extractDescription(page),
    published: extractPublished(page, now),
    canonicalUrl: extractCanonical(page),
  };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractCanonical, extractHeadline, extractPublished, parsePublished } from '../content/extract.js';

/** A stand-in for a document: selectors map to the nodes a page would have. */
function fakeDocument({ meta = {}, h1 = null, title = '', canonical = null, host = 'www.bbc.co.uk' }) {
  const nodes = {};
  for (const [selector, content] of Object.entries(meta)) {
    nodes[selector] = { getAttribute: (name) => (name === 'content' ? content : null) };
  }
  if (h1 !== null) nodes.h1 = { textContent: h1 };
  if (canonical !== null) nodes.canonical = { href: canonical };
  return {
    title,
    location: { hostname: host },
    querySelector(selector) {
      if (selector.startsWith('link[rel~="canonical"')) return nodes.canonical ?? null;
      if (selector.includes('h1')) return nodes.h1 ?? null;
      return nodes[selector] ?? null;
    },
  };
}

const OG = 'meta[property="og:title"]';
const TWITTER = 'meta[name="twitter:title"]';
const SITE = 'meta[property="og:site_name"]';
const OG_URL = 'meta[property="og:url"]';

test('og:title comes first, cleaned of the site name', () => {
  const doc = fakeDocument({ meta: { [OG]: 'Storm hits coast | BBC News', [SITE]: 'BBC News' }, h1: 'Other', title: 'T' });
  assert.equal(extractHeadline(doc), 'Storm hits coast');
});

test('then twitter:title, then the <h1>, then document.title', () => {
  assert.equal(extractHeadline(fakeDocument({ meta: { [TWITTER]: 'From Twitter' }, h1: 'From h1' })), 'From Twitter');
  assert.equal(extractHeadline(fakeDocument({ h1: '  From   h1 ', title: 'From title' })), 'From h1');
  assert.equal(extractHeadline(fakeDocument({ title: 'Storm hits coast - BBC News' })), 'Storm hits coast');
});

test("the outlet's name from the index helps recognise the site name", () => {
  const doc = fakeDocument({ title: 'Senate passes bill - The New York Times', host: 'www.nytimes.com' });
  assert.equal(extractHeadline(doc, 'The New York Times'), 'Senate passes bill');
});

test('the canonical link comes before og:url; only http(s) counts', () => {
  assert.equal(extractCanonical(fakeDocument({ canonical: 'https://www.bbc.co.uk/news/1', meta: { [OG_URL]: 'https://x.example/' } })), 'https://www.bbc.co.uk/news/1');
  assert.equal(extractCanonical(fakeDocument({ meta: { [OG_URL]: 'https://www.bbc.co.uk/news/2' } })), 'https://www.bbc.co.uk/news/2');
  assert.equal(extractCanonical(fakeDocument({ canonical: 'javascript:alert(1)' })), null);
  assert.equal(extractCanonical(fakeDocument({ meta: { [OG_URL]: '/relative/path' } })), null);
});

/**
 * A stand-in for a document holding `elements` ({tag, attrs, text}), answering the simple
 * selectors the extraction uses: `tag[attr="value"][attr]`, first match in document order.
 */
function pageWith(elements) {
  const matches = (element, selector) => {
    const [, tag, rest] = /^(\w*)(.*)$/.exec(selector);
    if (tag && tag !== element.tag) return false;
    return [...rest.matchAll(/\[([\w:-]+)(?:="([^"]*)")?\]/g)].every(([, name, value]) =>
      value === undefined ? name in element.attrs : element.attrs[name] === value);
  };
  const nodes = elements.map((element) => ({
    textContent: element.text ?? '',
    getAttribute: (name) => element.attrs[name] ?? null,
    element,
  }));
  const all = (selector) => nodes.filter((node) => matches(node.element, selector));
  return { querySelectorAll: all, querySelector: (selector) => all(selector)[0] ?? null };
}

const metaTag = (attr, key, content) => ({ tag: 'meta', attrs: { [attr]: key, content } });
const ogPublished = (content) => metaTag('property', 'article:published_time', content);
const ldJson = (value) => ({
  tag: 'script',
  attrs: { type: 'application/ld+json' },
  text: typeof value === 'string' ? value : JSON.stringify(value),
});
const NOW = Date.parse('2026-11-29T12:00:00Z');

test('article:published_time is read and sent as UTC', () => {
  const doc = pageWith([ogPublished('2026-11-22T09:30:00+01:00')]);
  assert.equal(extractPublished(doc, NOW), '2026-11-22T08:30:00.000Z');
});

test('then schema.org microdata: a meta, or a <time> with its datetime', () => {
  const microMeta = pageWith([metaTag('itemprop', 'datePublished', '2026-11-21T10:00:00Z')]);
  assert.equal(extractPublished(microMeta, NOW), '2026-11-21T10:00:00.000Z');
  const time = { tag: 'time', attrs: { itemprop: 'datePublished', datetime: '2026-11-20T07:15:00-05:00' } };
  assert.equal(extractPublished(pageWith([time]), NOW), '2026-11-20T12:15:00.000Z');
  const noDatetime = { tag: 'time', attrs: { itemprop: 'datePublished' }, text: 'Last Friday' };
  assert.equal(extractPublished(pageWith([noDatetime]), NOW), null);
});

test("then JSON-LD: an article's datePublished, alone, in an array or in an @graph", () => {
  const alone = { '@context': 'https://schema.org', '@type': 'NewsArticle', datePublished: '2026-11-19T06:00:00Z' };
  assert.equal(extractPublished(pageWith([ldJson(alone)]), NOW), '2026-11-19T06:00:00.000Z');
  const list = [{ '@type': 'WebSite', name: 'Site' }, { '@type': 'ReportageNewsArticle', datePublished: '2026-11-18T06:00:00Z' }];
  assert.equal(extractPublished(pageWith([ldJson(list)]), NOW), '2026-11-18T06:00:00.000Z');
  const graph = {
    '@context': 'https://schema.org',
    '@graph': [
      { '@type': 'WebPage', datePublished: '2026-01-01T00:00:00Z' },
      { '@type': ['Article', 'Thing'], datePublished: '2026-11-17T06:00:00Z' },
    ],
  };
  assert.equal(extractPublished(pageWith([ldJson(graph)]), NOW), '2026-11-17T06:00:00.000Z');
});

test('broken JSON-LD is skipped without a word; a later script still counts', () => {
  const doc = pageWith([ldJson('{"@type": "NewsArticle", datePublished: oops'), ldJson({ '@type': 'Article', datePublished: '2026-11-16T06:00:00Z' })]);
  assert.equal(extractPublished(doc, NOW), '2026-11-16T06:00:00.000Z');
  assert.equal(extractPublished(pageWith([ldJson('not json at all')]), NOW), null);
});

test('JSON-LD of other things (a WebPage, a Person) does not count', () => {
  const doc = pageWith([ldJson({ '@type': 'WebPage', datePublished: '2026-11-15T06:00:00Z' })]);
  assert.equal(extractPublished(doc, NOW), null);
});

test('last the meta names "date" and "pubdate"', () => {
  assert.equal(extractPublished(pageWith([metaTag('name', 'date', '2026-11-14T06:00:00Z')]), NOW), '2026-11-14T06:00:00.000Z');
  assert.equal(extractPublished(pageWith([metaTag('name', 'pubdate', '2026-11-13T06:00:00Z')]), NOW), '2026-11-13T06:00:00.000Z');
});

test('the sources are tried in order: the first valid one wins', () => {
  const all = [
    metaTag('name', 'date', '2026-11-10T00:00:00Z'),
    ldJson({ '@type': 'NewsArticle', datePublished: '2026-11-11T00:00:00Z' }),
    metaTag('itemprop', 'datePublished', '2026-11-12T00:00:00Z'),
    ogPublished('2026-11-13T00:00:00Z'),
  ];
  assert.equal(extractPublished(pageWith(all), NOW), '2026-11-13T00:00:00.000Z');
  assert.equal(extractPublished(pageWith(all.slice(0, 3)), NOW), '2026-11-12T00:00:00.000Z');
  assert.equal(extractPublished(pageWith(all.slice(0, 2)), NOW), '2026-11-11T00:00:00.000Z');
  // An unreadable article:published_time does not hide the JSON-LD behind it.
  assert.equal(extractPublished(pageWith([ogPublished('yesterday'), all[1]]), NOW), '2026-11-11T00:00:00.000Z');
});

test('a page without a publication time gives null', () => {
  assert.equal(extractPublished(pageWith([metaTag('property', 'og:title', 'Storm')]), NOW), null);
});

test('parsePublished reads ISO 8601 zones, fractions and a space for the T', () => {
  const cases = [
    ['2026-11-22T08:00:00Z', '2026-11-22T08:00:00.000Z'],
    ['2026-11-22T08:00:00.123456Z', '2026-11-22T08:00:00.123Z'],
    ['2026-11-22T08:00:00+0530', '2026-11-22T02:30:00.000Z'],
    ['2026-11-22T08:00+01', '2026-11-22T07:00:00.000Z'],
    ['2026-11-22 08:00:00-08:00', '2026-11-22T16:00:00.000Z'],
    ['  2026-11-22T08:00:00z ', '2026-11-22T08:00:00.000Z'],
  ];
  for (const [text, expected] of cases) assert.equal(parsePublished(text, NOW), expected, text);
});

test('a time without a zone is taken as UTC, a date alone as noon UTC', () => {
  assert.equal(parsePublished('2026-11-22T08:00:00', NOW), '2026-11-22T08:00:00.000Z');
  assert.equal(parsePublished('2026-11-22', NOW), '2026-11-22T12:00:00.000Z');
});

test('invalid, non-ISO, placeholder and future dates give null', () => {
  const refused = [
    '', 'yesterday', 'Sun, 22 Nov 2026 08:00:00 GMT', '22/11/2026', '2026-11-22T08:00:00 GMT',
    '2026-02-30T08:00:00Z', '2026-13-01', '2026-11-22T24:00:00Z', '2026-11-22T08:60:00Z',
    '2026-11-22T08:00:00+25:00', '1970-01-01T00:00:00Z', '2026-12-01T00:00:00Z', '+275760-09-13',
  ];
  for (const text of refused) assert.equal(parsePublished(text, NOW), null, text);
  // Up to a day ahead is tolerated (a clock or a zone slightly off); more is not.
  assert.equal(parsePublished('2026-11-30T11:00:00Z', NOW), '2026-11-30T11:00:00.000Z');
  assert.equal(parsePublished('2026-11-30T13:00:00Z', NOW), null);
});

test('every answer fits the server: under 40 characters, with a zone', () => {
  const published = extractPublished(pageWith([ogPublished('2026-11-22T09:30:00.5+01:00')]), NOW);
  assert.ok(published.length <= 40 && published.endsWith('Z'), published);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentOf } from './dom.js';
import { extractArticle } from '../content/extract.js';

const URL_ = 'https://www.bbc.co.uk/news/uk-12345678';
const NOW = Date.parse('2026-11-29T12:00:00Z');

/** Return what the lookup would send for a page made of `head` and `body`. */
function read(head, body = '', url = URL_) {
  const doc = documentOf(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`);
  return extractArticle(doc, { pageUrl: url, outletName: 'BBC News', now: NOW });
}

const ld = (value) => `<script type="application/ld+json">${JSON.stringify(value)}</script>`;

test('headline: JSON-LD, the article heading, og:title, twitter:title, then the title', () => {
  const og = '<meta property="og:title" content="From og">';
  assert.equal(read(`${ld({ '@type': 'NewsArticle', headline: 'From JSON-LD' })}${og}`).title, 'From JSON-LD');
  assert.equal(read(og, '<article><h1>From the heading</h1></article>').title, 'From the heading');
  assert.equal(read(og, '<h1>Not corroborated by any title</h1>').title, 'From og');
  assert.equal(read('<meta name="twitter:title" content="From twitter">').title, 'From twitter');
  assert.equal(read('<meta property="twitter:title" content="From twitter">').title, 'From twitter');
  assert.equal(read('<title>Storm hits coast - BBC News</title>').title, 'Storm hits coast');
});

test("headline: a heading in an aside, a nav or a footer is never the article's", () => {
  const body = '<aside><h1>Most read</h1></aside><nav><h1>Menu</h1></nav><article><h1>Real one</h1></article>';
  assert.equal(read('', body).title, 'Real one');
});

test('headline: a title that is only the site name is no headline', () => {
  assert.equal(read('<meta property="og:title" content="BBC News">').title, '');
});

test("JSON-LD: the node naming this page wins over a list's first article", () => {
  const list = [
    { '@type': 'NewsArticle', headline: 'A related story', url: 'https://www.bbc.co.uk/news/other' },
    { '@type': 'NewsArticle', headline: 'This story', mainEntityOfPage: { '@id': URL_ } },
  ];
  assert.equal(read(ld(list)).title, 'This story');
});

test('description: og:description, the meta description, JSON-LD, then the first paragraph', () => {
  const long = 'A first paragraph long enough to be the description of the article, not a caption or a credit.';
  assert.equal(read('<meta property="og:description" content="OG"><meta name="description" content="Meta">').description, 'OG');
  assert.equal(read('<meta property="og:description" content=" "><meta name="description" content="Meta">').description, 'Meta');
  assert.equal(read(ld({ '@type': 'Article', description: 'LD' })).description, 'LD');
  assert.equal(read('', `<article><p>Short.</p><p>${long}</p></article>`).description, long);
});

test('description: at most 300 characters, cut at a word', () => {
  const words = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
  const { description } = read(`<meta property="og:description" content="${words}">`);
  assert.ok(description.length <= 300, description.length);
  assert.ok(words.startsWith(`${description} `));
});

test('canonical: absolute or root-relative, resolved against the page', () => {
  assert.equal(read('<link rel="canonical" href="/news/uk-1">').canonicalUrl, 'https://www.bbc.co.uk/news/uk-1');
  assert.equal(read('<meta property="og:url" content="https://www.bbc.co.uk/news/uk-2">').canonicalUrl, 'https://www.bbc.co.uk/news/uk-2');
  assert.equal(read('<link rel="CANONICAL" href="//www.bbc.co.uk/news/uk-3">').canonicalUrl, 'https://www.bbc.co.uk/news/uk-3');
});

test('canonical: a bare id, a relative path, the home page or a script is refused', () => {
  for (const href of ['8003098', 'www.bbc.co.uk/news/1', '/', 'https://www.bbc.co.uk/', 'javascript:alert(1)']) {
    assert.equal(read(`<link rel="canonical" href="${href}">`).canonicalUrl, null, href);
  }
  // A refused canonical link does not hide a good og:url.
  const both = '<link rel="canonical" href="8003098"><meta property="og:url" content="https://www.bbc.co.uk/news/uk-4">';
  assert.equal(read(both).canonicalUrl, 'https://www.bbc.co.uk/news/uk-4');
});

test('published: JSON-LD, meta, microdata, <time>, then the dateline, in that order', () => {
  const jsonLd = ld({ '@type': 'NewsArticle', datePublished: '2026-11-20T10:00:00Z' });
  const meta = '<meta property="article:published_time" content="2026-11-20T11:00:00Z">';
  const item = '<article><meta itemprop="datePublished" content="2026-11-20T12:00:00Z">';
  const time = '<time datetime="2026-11-20T13:00:00Z">20 Nov</time>';
  const line = '<span class="dateline">Published November 20, 2026 9:00 AM EST</span></article>';
  assert.equal(read(`${jsonLd}${meta}`, `${item}${time}${line}`).published, '2026-11-20T10:00:00.000Z');
  assert.equal(read(meta, `${item}${time}${line}`).published, '2026-11-20T11:00:00.000Z');
  assert.equal(read('', `${item}${time}${line}`).published, '2026-11-20T12:00:00.000Z');
  assert.equal(read('', `<article>${time}${line}`).published, '2026-11-20T13:00:00.000Z');
  assert.equal(read('', `<article>${line}`).published, '2026-11-20T14:00:00.000Z');
});

test('published: times in asides, navigation, related lists, comments and footers never count', () => {
  const elsewhere = [
    '<aside><time datetime="2026-10-01T10:00:00Z">1 Oct</time></aside>',
    '<nav><time datetime="2026-10-02T10:00:00Z">2 Oct</time></nav>',
    '<div class="related-articles"><time datetime="2026-10-03T10:00:00Z">3 Oct</time></div>',
    '<div class="comments"><span class="date">Posted 4 Oct 2026</span></div>',
    '<footer><time datetime="2026-10-05T10:00:00Z">5 Oct</time></footer>',
  ];
  assert.equal(read('', elsewhere.join('')).published, null);
  assert.equal(read('', `${elsewhere.join('')}<time datetime="2026-11-21T10:00:00Z">21 Nov</time>`).published, '2026-11-21T10:00:00.000Z');
});

test('published: a date is made precise by a later source on that day, never by a guess', () => {
  const date = '<meta name="date" content="2026-11-22">';
  assert.equal(read(date).published, '2026-11-22');
  assert.equal(read(date, '<article><time datetime="2026-11-22T21:38:00Z">x</time></article>').published, '2026-11-22T21:38:00.000Z');
  assert.equal(read(date, '<article><span class="date">November 22, 2026 4:00 PM EST</span></article>').published, '2026-11-22T21:00:00.000Z');
});

test('published: sources more than a day apart send nothing', () => {
  const meta = '<meta property="article:published_time" content="2026-11-20T11:00:00Z">';
  const jsonLd = ld({ '@type': 'NewsArticle', datePublished: '2026-11-25T10:00:00Z' });
  assert.equal(read(`${jsonLd}${meta}`).published, null);
});

test('published: broken JSON-LD is skipped; other things than articles do not count', () => {
  const broken = '<script type="application/ld+json">{"@type": "NewsArticle", datePublished: oops</script>';
  const page = ld({ '@type': 'WebPage', datePublished: '2026-11-15T06:00:00Z' });
  assert.equal(read(`${broken}${page}`).published, null);
  assert.equal(read(`${broken}${ld({ '@type': 'Article', datePublished: '2026-11-16T06:00:00Z' })}`).published, '2026-11-16T06:00:00.000Z');
});

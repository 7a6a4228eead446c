import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractCanonical, extractHeadline } from '../content/extract.js';

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

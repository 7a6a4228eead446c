import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  candidateHosts, compileIndex, normalizeHost, normalizeRulePath, pathMatches, resolveOutlet, resolveSlug, ruleDepth,
  unwrapUrl, parseHttpUrl,
  stripTracking, TRACKING_PARAMS, TRACKING_PREFIXES,
} from '../shared/resolve.js';

const index = compileIndex({
  version: 'test',
  outlets: {
    bbc: { name: 'BBC News', bias: 'center', factuality: 'high' },
    nyt: { name: 'The New York Times', bias: 'lean-left', factuality: 'high' },
    'nyt-opinion': { name: 'NYT Opinion', bias: 'left', factuality: 'high' },
    yahoo: { name: 'Yahoo News', bias: 'lean-left', factuality: 'mixed' },
    local: { name: 'Local BBC fixture', bias: 'center', factuality: 'high' },
  },
  rules: [
    ['bbc.co.uk', '', 'bbc'],
    ['bbc.com', '', 'bbc'],
    ['nytimes.com', '', 'nyt'],
    ['nytimes.com', '/*/opinion/*', 'nyt-opinion'],
    ['theguardian.com', '', 'guardian'],
    ['theguardian.com', '/US-news/', 'guardian-us'],
    ['theguardian.com', '/*/commentisfree', 'guardian-opinion'],
    ['news.yahoo.com', '', 'yahoo'],
    ['yahoo.com', '/news', 'yahoo'],
    ['127.0.0.1', '/bbc', 'local'],
    ['substack.com', '', 'substack'],
  ],
});

const cases = [
  ['https://www.bbc.co.uk/news/world-1', 'bbc'],
  ['https://m.bbc.co.uk/news', 'bbc'],
  ['https://news.bbc.co.uk/2/hi/uk_news/1.stm', 'bbc'],
  ['HTTPS://WWW.BBC.CO.UK./news', 'bbc'],
  ['https://www.nytimes.com/opinion', 'nyt-opinion'],
  ['https://www.nytimes.com/opinion/columnists/x.html', 'nyt-opinion'],
  ['https://www.nytimes.com/Opinion/x.html', 'nyt-opinion'],
  ['https://www.nytimes.com/opinions/x.html', 'nyt'],
  ['https://www.nytimes.com/2024/05/01/opinion/x.html', 'nyt-opinion'],
  ['https://www.nytimes.com/2024/05/01/OPINION/x.html', 'nyt-opinion'],
  ['https://www.nytimes.com/2024/05/01/world/opinion-poll', 'nyt'],
  ['https://www.nytimes.com/opinionated/x.html', 'nyt'],
  ['https://www.theguardian.com/commentisfree/2024/may/01/x', 'guardian-opinion'],
  ['https://www.theguardian.com/us-news/commentisfree/2024/may/01/x', 'guardian-opinion'],
  ['https://www.theguardian.com/us-news/2024/may/01/x', 'guardian-us'],
  ['https://www.nytimes.com/2026/11/28/world/x.html', 'nyt'],
  ['https://news.yahoo.com/story-1.html', 'yahoo'],
  ['https://finance.yahoo.com/story-1.html', null],
  ['https://yahoo.com/', null],
  ['https://www.yahoo.com/news/x-123.html', 'yahoo'],
  ['https://www.yahoo.com/newsletters/x', null],
  ['http://127.0.0.1:8765/bbc/storm.html', 'local'],
  ['http://127.0.0.1:8765/bbcx/storm.html', null],
  ['http://127.0.0.1:8765/unrated/storm.html', null],
  ['https://example.com/bbc.co.uk', null],
  ['https://bbc.co.uk.evil.example/news', null],
  ['https://foo.substack.com/p/post', null],
  ['https://www.google.com/amp/s/www.bbc.co.uk/news/amp/x', 'bbc'],
  ['https://www-bbc-co-uk.cdn.ampproject.org/c/s/www.bbc.co.uk/news/x', 'bbc'],
  ['https://www.google.com/url?q=https%3A%2F%2Fwww.nytimes.com%2Fopinion%2Fx&sa=D', 'nyt-opinion'],
  ['https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.bbc.com%2Fnews', 'bbc'],
  ['bbc.co.uk/news/x', 'bbc'],
  ['  <https://www.bbc.co.uk/news>  ', 'bbc'],
  ['javascript:alert(1)', null],
  ['mailto:news@bbc.co.uk', null],
  ['not a url', null],
];

for (const [url, slug] of cases) {
  test(`${JSON.stringify(url)} resolves to ${slug}`, () => {
    assert.equal(resolveSlug(index, url), slug);
  });
}

test('normalizeHost drops site prefixes but never into the domain itself', () => {
  assert.equal(normalizeHost('WWW.BBC.CO.UK.'), 'bbc.co.uk');
  assert.equal(normalizeHost('www.m.bbc.co.uk'), 'bbc.co.uk');
  assert.equal(normalizeHost('amp.dev'), 'amp.dev');
  assert.equal(normalizeHost('m.facebook.com'), 'facebook.com');
});

test('candidateHosts walks parents down to the site domain, never the TLD', () => {
  assert.deepEqual(candidateHosts('news.bbc.co.uk'), ['news.bbc.co.uk', 'bbc.co.uk']);
  assert.deepEqual(candidateHosts('a.b.example.com'), ['a.b.example.com', 'b.example.com', 'example.com']);
  assert.deepEqual(candidateHosts('127.0.0.1'), ['127.0.0.1']);
  assert.deepEqual(candidateHosts('foo.substack.com'), ['foo.substack.com']);
});

test('pathMatches matches at segment boundaries only', () => {
  assert.ok(pathMatches('/opinion', '/opinion'));
  assert.ok(pathMatches('/opinion', '/opinion/x'));
  assert.ok(!pathMatches('/opinion', '/opinions'));
  assert.ok(pathMatches('', '/anything'));
});

test('normalizeRulePath drops trailing slashes and trailing stars, as the server does', () => {
  assert.equal(normalizeRulePath('/*/Opinion/*/'), '/*/opinion');
  assert.equal(normalizeRulePath('/*'), '');
  assert.equal(normalizeRulePath('/opinion/'), '/opinion');
  assert.equal(normalizeRulePath(null), '');
});

test('ruleDepth counts the segments a rule covers, each * covering as few as it can', () => {
  assert.equal(ruleDepth('', '/anything'), 0);
  assert.equal(ruleDepth('/opinion', '/opinion/x'), 1);
  assert.equal(ruleDepth('/opinion', '/opinions'), -1);
  assert.equal(ruleDepth('/*/opinion', '/opinion/x'), 1);
  assert.equal(ruleDepth('/*/opinion', '/2024/05/01/opinion/x.html'), 4);
  assert.equal(ruleDepth('/*/opinion', '/2024/05/01/world/opinion-poll'), -1);
  assert.equal(ruleDepth('/a/*/b', '/a/b'), 2);
  assert.equal(ruleDepth('/a/*/b', '/x/a/b'), -1);
  assert.equal(ruleDepth('/*/b', '/a/b/b'), 2);
  assert.equal(ruleDepth('/*/a/*/b/c', '/a/x/b/b/c/y'), 5);
  assert.equal(ruleDepth('/*/a/*/a/*/b', `/${'a/'.repeat(5000)}`), -1);
});

test('a host\'s rules rank the same whatever order the index lists them in', () => {
  const rules = [['example.net', '/a', 'a'], ['example.net', '/*/b', 'any-b'], ['example.net', '/a/*/b', 'a-any-b'], ['example.net', '/*/a/b', 'any-a-b']];
  for (const order of [rules, [...rules].reverse()]) {
    const compiled = compileIndex({ rules: order });
    assert.equal(resolveSlug(compiled, 'https://example.net/a/b'), 'any-a-b');
    assert.equal(resolveSlug(compiled, 'https://example.net/a/x/b'), 'a-any-b');
    assert.equal(resolveSlug(compiled, 'https://example.net/a/x'), 'a');
    assert.equal(resolveSlug(compiled, 'https://example.net/x'), null);
  }
});

test('nested wrappers are unwrapped', () => {
  const inner = encodeURIComponent('https://www.google.com/amp/s/www.bbc.co.uk/news/x');
  assert.equal(unwrapUrl(parseHttpUrl(`https://l.facebook.com/l.php?u=${inner}`)).href, 'https://www.bbc.co.uk/news/x');
});

test('tracking parameters and the fragment never leave the browser', () => {
  assert.equal(
    stripTracking('https://www.bbc.co.uk/news/x?utm_source=nl&mc_eid=abc123&id=7&AT_medium=x#comments'),
    'https://www.bbc.co.uk/news/x?id=7',
  );
  assert.equal(stripTracking('https://example.com/a?fbclid=1'), 'https://example.com/a');
  assert.equal(stripTracking('javascript:alert(1)'), null);
});

test('the tracking parameters are the server\'s (server/urls.py)', () => {
  const urls = readFileSync(fileURLToPath(new URL('../../server/urls.py', import.meta.url)), 'utf8');
  const block = (start) => {
    const from = urls.indexOf(start);
    return urls.slice(from, urls.indexOf('\n)', from));
  };
  const strings = (text) => [...text.replace(/#.*$/gm, '').matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual([...TRACKING_PARAMS].sort(), strings(block('TRACKING_PARAMS: frozenset[str] = frozenset(')));
  assert.deepEqual([...TRACKING_PREFIXES].sort(), strings(block('TRACKING_PREFIXES: tuple[str, ...] = (')));
});

test('resolveOutlet returns the outlet with its rating from the index', () => {
  assert.deepEqual(resolveOutlet(index, 'https://www.bbc.com/news'), {
    slug: 'bbc', name: 'BBC News', bias: 'center', factuality: 'high',
  });
  assert.equal(resolveOutlet(index, 'https://example.org/'), null);
});

// The shared corpus: the same URL → outlet table the server's resolver is tested with. Written by
// the server's side of the project; until it exists this test is skipped, not failed.
const CORPUS = fileURLToPath(new URL('../../tests/data/url_corpus.json', import.meta.url));

test('the local resolver agrees with the server on the shared URL corpus', { skip: !existsSync(CORPUS) && 'tests/data/url_corpus.json not there yet' }, () => {
  const corpus = JSON.parse(readFileSync(CORPUS, 'utf8'));
  const compiled = compileIndex({ rules: corpus.rules, outlets: {} });
  const disagreements = [];
  for (const item of corpus.cases) {
    const got = resolveSlug(compiled, item.url);
    if (got !== (item.outlet ?? null)) disagreements.push(`${item.url}: expected ${item.outlet}, got ${got}`);
  }
  assert.ok(corpus.cases.length > 0, 'the corpus has cases');
  assert.deepEqual(disagreements, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookup, lookupQuery } from '../background/lookup.js';

const SERVER = 'http://127.0.0.1:5000';
const URL_ = 'https://www.bbc.co.uk/news/ferry-1';

/** Replace fetch for one test; return the URLs it was asked for. */
function stubFetch(t) {
  const asked = [];
  t.mock.method(globalThis, 'fetch', async (url) => {
    asked.push(new URL(url));
    return new Response(JSON.stringify({ url: URL_, story: null }), { status: 200 });
  });
  return asked;
}

test('the published time goes in the query with the headline', async (t) => {
  const asked = stubFetch(t);
  await lookup({}, SERVER, URL_, 'Ferry operator collapses', '2026-11-22T08:00:00.000Z');
  assert.equal(asked.length, 1);
  assert.equal(asked[0].pathname, '/api/v1/lookup');
  assert.deepEqual(Object.fromEntries(asked[0].searchParams), {
    url: URL_,
    title: 'Ferry operator collapses',
    published: '2026-11-22T08:00:00.000Z',
  });
});

test('no published time, or no headline, sends no published', () => {
  assert.equal(lookupQuery(URL_, 'Ferry operator collapses', null).has('published'), false);
  // The server only uses it for the headline match: without a headline it is not sent.
  const urlOnly = lookupQuery(URL_, '', '2026-11-22T08:00:00.000Z');
  assert.deepEqual([...urlOnly.keys()], ['url']);
});

test('the description goes with the headline only, at most 300 characters', () => {
  const query = lookupQuery(URL_, 'Ferry operator collapses', '2026-11-22', 'd'.repeat(400));
  assert.deepEqual([...query.keys()], ['url', 'title', 'description', 'published']);
  assert.equal(query.get('description').length, 300);
  assert.equal(query.get('published'), '2026-11-22');
  assert.deepEqual([...lookupQuery(URL_, '', null, 'A description').keys()], ['url']);
  assert.equal(lookupQuery(URL_, 'Ferry operator collapses', null, '').has('description'), false);
});

test('another published time is another cached answer; the same one is cached', async (t) => {
  const asked = stubFetch(t);
  const title = 'Cache test headline';
  await lookup({}, SERVER, URL_, title, '2026-11-22T08:00:00.000Z');
  await lookup({}, SERVER, URL_, title, '2026-11-22T08:00:00.000Z');
  await lookup({}, SERVER, URL_, title, '2026-11-15T08:00:00.000Z');
  await lookup({}, SERVER, URL_, title, null);
  assert.deepEqual(asked.map((url) => url.searchParams.get('published')), ['2026-11-22T08:00:00.000Z', '2026-11-15T08:00:00.000Z', null]);
});

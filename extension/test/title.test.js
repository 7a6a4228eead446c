import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanTitle, siteLabel } from '../shared/title.js';

const cases = [
  ['Storm Darragh batters coast - BBC News', { host: 'www.bbc.co.uk' }, 'Storm Darragh batters coast'],
  ['Markets rally as inflation cools | Reuters', { host: 'www.reuters.com' }, 'Markets rally as inflation cools'],
  ['Markets rally as inflation cools | Reuters', {}, 'Markets rally as inflation cools'],
  ['Budget cuts hit schools – The Guardian', { host: 'www.theguardian.com' }, 'Budget cuts hit schools'],
  ['Budget cuts hit schools | Education | The Guardian', { host: 'www.theguardian.com' }, 'Budget cuts hit schools'],
  ['Senate passes bill - The New York Times', { names: ['The New York Times'], host: 'www.nytimes.com' }, 'Senate passes bill'],
  ['BBC News - Storm Darragh batters coast', { host: 'bbc.co.uk' }, 'Storm Darragh batters coast'],
  ['Fox News: Senate passes bill', { names: ['Fox News'] }, 'Senate passes bill'],
  ['Senate passes bill — Fox News', { host: 'www.foxnews.com' }, 'Senate passes bill'],
  ['Border bill clears Senate|Breitbart', { host: 'www.breitbart.com' }, 'Border bill clears Senate'],
  ['Border bill clears Senate-Breitbart', { host: 'www.breitbart.com' }, 'Border bill clears Senate'],
  ['Border bill clears Senate –Breitbart', { host: 'www.breitbart.com' }, 'Border bill clears Senate'],
  ['Breitbart:Border bill clears Senate', { host: 'www.breitbart.com' }, 'Border bill clears Senate'],
  ['Fed cuts rates : CNBC.com', { names: ['CNBC.com'] }, 'Fed cuts rates'],
  ['Russia\'s Nuclear Help To Iran | FoxNews.com', { host: 'www.foxnews.com' }, 'Russia\'s Nuclear Help To Iran'],
  ['港特首梁振英就住宅违建事件道歉 - BBC中文网 - 两岸三地', { host: 'www.bbc.co.uk' }, '港特首梁振英就住宅违建事件道歉'],
  ['Storm batters the coast overnight | Thousands of homes lost power and repairs take days', {}, 'Storm batters the coast overnight'],
];

for (const [raw, options, expected] of cases) {
  test(`cleanTitle strips the site name from "${raw}"`, () => {
    assert.equal(cleanTitle(raw, options), expected);
  });
}

test('a dash inside the headline is kept', () => {
  assert.equal(cleanTitle('Biden - Putin summit ends without deal', { host: 'www.bbc.co.uk' }), 'Biden - Putin summit ends without deal');
});

test('a headline that starts with the site label is not mistaken for the site name', () => {
  assert.equal(cleanTitle('BBC faces new row - BBC News', { host: 'www.bbc.co.uk' }), 'BBC faces new row');
});

test('dashes and colons inside a headline are kept', () => {
  assert.equal(cleanTitle('House passes late-night bill: what it means', { host: 'www.foxnews.com' }), 'House passes late-night bill: what it means');
});

test('a short headline before a pipe is kept whole', () => {
  assert.equal(cleanTitle('Live updates | Ukraine war', {}), 'Live updates | Ukraine war');
});

test('whitespace is collapsed and an empty title stays empty', () => {
  assert.equal(cleanTitle('  Storm\n  hits   coast  ', {}), 'Storm hits coast');
  assert.equal(cleanTitle('', {}), '');
  assert.equal(cleanTitle(null, {}), '');
});

test('siteLabel names the site of a host', () => {
  assert.equal(siteLabel('www.bbc.co.uk'), 'bbc');
  assert.equal(siteLabel('edition.cnn.com'), 'cnn');
  assert.equal(siteLabel('www.theguardian.com'), 'theguardian');
});

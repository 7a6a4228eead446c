import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAgo, groupCoverage, panelView, roundPercents, safeHref, splitView, storyPageUrl } from '../shared/view.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');

const outlet = (slug, name, bias) => ({ slug, name, bias, side: null, factuality: 'high' });

const answer = {
  url: 'https://www.bbc.co.uk/news/world-1',
  canonical_url: 'https://www.bbc.co.uk/news/world-1',
  outlet: {
    slug: 'bbc', name: 'BBC News', bias: 'center', factuality: 'high', ownership: 'public',
    owner: 'BBC', country: 'GB', paywall: false, homepage: 'https://www.bbc.co.uk/news',
  },
  story: {
    id: 12, title: 'Storm Darragh batters coast', article_count: 5, outlet_count: 6,
    bias_split: { left: 3, center: 2, right: 1, rated: 6, unrated: 1, percent: { left: 50, center: 33.3, right: 16.7 } },
    blindspot: null,
    first_reported: { url: 'https://www.reuters.com/x', title: 'Storm nears', published_at: '2026-11-28T07:00:00Z', outlet: outlet('reuters', 'Reuters', 'center') },
    articles: [
      { url: 'https://www.theguardian.com/a', title: 'Guardian story', published_at: '2026-11-28T10:00:00Z', domain: 'theguardian.com', outlet: { ...outlet('guardian', 'The Guardian', 'lean-left'), side: 'left' } },
      { url: 'https://www.foxnews.com/b', title: 'Fox story', published_at: '2026-11-28T11:30:00Z', domain: 'foxnews.com', outlet: outlet('fox', 'Fox News', 'right') },
      { url: 'javascript:alert(1)', title: 'Sneaky', published_at: null, domain: 'evil.example', outlet: null },
      { url: 'https://www.reuters.com/x', title: 'Storm nears', published_at: '2026-11-28T07:00:00Z', domain: 'reuters.com', outlet: outlet('reuters', 'Reuters', 'center') },
    ],
  },
};

test('roundPercents adds up to exactly 100', () => {
  assert.deepEqual(roundPercents([1, 1, 1]), [34, 33, 33]);
  assert.deepEqual(roundPercents([3, 2, 1]), [50, 33, 17]);
  assert.deepEqual(roundPercents([0, 0, 0]), [0, 0, 0]);
});

test('the split bar has one segment per side with widths and whole percentages', () => {
  const split = splitView(answer.story.bias_split);
  assert.deepEqual(split.segments.map((s) => [s.side, s.count, s.percent]), [['left', 3, 50], ['center', 2, 33], ['right', 1, 17]]);
  assert.ok(Math.abs(split.segments.reduce((sum, s) => sum + s.width, 0) - 100) < 1e-9);
  assert.equal(split.unrated, 1);
  assert.equal(split.text, 'Left 50% · Center 33% · Right 17%');
});

test('an empty split says so instead of drawing a bar', () => {
  const split = splitView({ left: 0, center: 0, right: 0, unrated: 2 });
  assert.ok(split.empty);
  assert.equal(split.text, 'No rated sources yet');
});

test('other coverage is grouped by side, in left-center-right order, unrated last', () => {
  const groups = groupCoverage(answer.story.articles, NOW);
  assert.deepEqual(groups.map((g) => [g.side, g.items.map((i) => i.outletName)]), [
    ['left', ['The Guardian']], ['center', ['Reuters']], ['right', ['Fox News']], ['unrated', ['evil.example']],
  ]);
});

test('only http(s) links are kept', () => {
  const groups = groupCoverage(answer.story.articles, NOW);
  const sneaky = groups.find((g) => g.side === 'unrated').items[0];
  assert.equal(sneaky.url, null);
  assert.equal(sneaky.title, 'Sneaky');
  assert.equal(safeHref('data:text/html,hi'), null);
  assert.equal(safeHref('evil.example/x'), null);
  assert.equal(safeHref('https://www.bbc.co.uk/news'), 'https://www.bbc.co.uk/news');
});

test('a matched story shows its sources, split, first reporter and no note', () => {
  const vm = panelView({ outlet: answer.outlet, answer }, NOW);
  assert.equal(vm.status, 'ready');
  assert.equal(vm.badge.text, 'Center');
  assert.equal(vm.outlet.factuality.title, 'High');
  assert.equal(vm.outlet.ownership.label, 'public');
  assert.equal(vm.story.sourcesText, '6 sources');
  assert.equal(vm.story.firstReported.outletName, 'Reuters');
  assert.equal(vm.story.firstReported.ago, '5 h ago');
  assert.equal(vm.story.blindspot, null);
  assert.equal(vm.coverageNote, null);
});

test('a story matched by headline says so with its score; a URL match says nothing', () => {
  const byTitle = panelView({ answer: { ...answer, story: { ...answer.story, match: { method: 'title', score: 0.914 } } } }, NOW);
  assert.equal(byTitle.story.matchText, 'Matched by its headline (91% similar)');
  const byUrl = panelView({ answer: { ...answer, story: { ...answer.story, match: { method: 'url', score: 1 } } } }, NOW);
  assert.equal(byUrl.story.matchText, null);
});

test('a blindspot gets a note naming the side that ignores the story', () => {
  const story = { ...answer.story, blindspot: 'right' };
  const vm = panelView({ answer: { ...answer, story } }, NOW);
  assert.equal(vm.story.blindspot.side, 'right');
  assert.match(vm.story.blindspot.text, /right-leaning/);
});

test('an unmatched article says honestly that no other coverage was found', () => {
  const vm = panelView({ answer: { ...answer, story: null } }, NOW);
  assert.equal(vm.story, null);
  assert.equal(vm.coverageNote, 'No other coverage found yet.');
  assert.ok(vm.rated);
});

test('an unrated outlet is shown as not rated', () => {
  const vm = panelView({ answer: { ...answer, outlet: null, story: null } }, NOW);
  assert.equal(vm.outlet, null);
  assert.equal(vm.rated, false);
  assert.equal(vm.unratedText, 'This site is not rated by Parallax.');
  assert.equal(vm.badge.text, 'Not rated');
});

test('a story with no other article counts as no other coverage', () => {
  const story = { ...answer.story, articles: [], outlet_count: 1 };
  const vm = panelView({ answer: { ...answer, story } }, NOW);
  assert.equal(vm.story, null);
  assert.equal(vm.coverageNote, 'No other coverage found yet.');
});

test('an outlet in the index without a bias label is "not rated", not a guess', () => {
  const vm = panelView({ outlet: { slug: 'x', name: 'X', bias: null } }, NOW);
  assert.equal(vm.badge.text, 'Not rated');
  assert.equal(vm.rated, false);
});

test('a failed lookup keeps the rating and shows one quiet error', () => {
  const vm = panelView({ outlet: { slug: 'bbc', name: 'BBC News', bias: 'center' }, error: 'timeout' }, NOW);
  assert.equal(vm.status, 'error');
  assert.equal(vm.badge.text, 'Center');
  assert.match(vm.coverageNote, /did not answer/);
});

test('while waiting the panel is loading', () => {
  const vm = panelView({ outlet: { slug: 'bbc', name: 'BBC News', bias: 'center' }, loading: true }, NOW);
  assert.equal(vm.status, 'loading');
});

test('formatAgo reads like a person', () => {
  assert.equal(formatAgo('2026-11-28T11:58:00Z', NOW), '2 min ago');
  assert.equal(formatAgo('2026-11-27T12:00:00Z', NOW), '1 day ago');
  assert.equal(formatAgo('2026-10-01T12:00:00Z', NOW), '2026-10-01');
  assert.equal(formatAgo(null, NOW), '');
});

test('"See full coverage" opens the story page on the configured server', () => {
  const vm = panelView({ answer, server: 'https://parallax.example.org/' });
  assert.equal(vm.story.pageUrl, 'https://parallax.example.org/stories/12');
  assert.equal(panelView({ answer }).story.pageUrl, null, 'no server, no link');
  assert.equal(storyPageUrl('javascript:alert(1)//', 12), null);
  assert.equal(storyPageUrl('http://127.0.0.1:5000', '12'), null);
  assert.equal(storyPageUrl('http://127.0.0.1:5000', 0), null);
});

test('a demo story says so and its articles are not links', () => {
  const articles = answer.story.articles.map((a) => ({ ...a, demo: true }));
  const demo = { ...answer, story: { ...answer.story, demo: true, articles } };
  const vm = panelView({ answer: demo });
  assert.equal(vm.story.demo, true);
  assert.ok(vm.story.groups.every((group) => group.items.every((item) => item.url === null)));
  assert.equal(panelView({ answer }).story.demo, false);
});

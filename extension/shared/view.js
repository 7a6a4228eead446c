// View model: turns a lookup answer (ARCHITECTURE.md, "API contract") into exactly what the panel
// shows, so the DOM code only copies strings into nodes. Pure and tested in test/view.test.js.

import { OWNERSHIP, SIDES, biasLevel, factualityLevel, sideOf } from './scales.js';
import { parseHttpUrl } from './resolve.js';

/** Return the URL as a string when it is http(s), else null: nothing else is ever rendered as a link. */
export function safeHref(raw) {
  // An explicit scheme is required: a bare "evil.example" is not silently turned into a link.
  if (typeof raw !== 'string' || !/^\s*https?:\/\//i.test(raw)) return null;
  const url = parseHttpUrl(raw);
  return url ? url.href : null;
}

/** Return "3 min ago", "5 h ago", "2 days ago" or a date, for an ISO time; "" when unknown. */
export function formatAgo(iso, now = Date.now()) {
  const time = Date.parse(iso ?? '');
  if (Number.isNaN(time)) return '';
  const minutes = Math.round((now - time) / 60000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 8) return days === 1 ? '1 day ago' : `${days} days ago`;
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * Return whole percentages that add up to 100 (largest remainder), so the labels under the split
 * bar never read 33 + 33 + 33.
 */
export function roundPercents(values) {
  const total = values.reduce((sum, value) => sum + value, 0);
  if (total <= 0) return values.map(() => 0);
  const exact = values.map((value) => (value * 100) / total);
  const floors = exact.map(Math.floor);
  let missing = 100 - floors.reduce((sum, value) => sum + value, 0);
  const order = exact
    .map((value, index) => [value - Math.floor(value), index])
    .sort((a, b) => b[0] - a[0]);
  for (const [, index] of order) {
    if (missing <= 0) break;
    floors[index] += 1;
    missing -= 1;
  }
  return floors;
}

/** Return the outlet part of the view: its rating as labelled, coloured levels. */
export function outletView(outlet) {
  if (!outlet) return null;
  const bias = biasLevel(outlet.bias);
  const factuality = factualityLevel(outlet.factuality);
  const ownership = outlet.ownership
    ? { label: outlet.ownership, title: OWNERSHIP[outlet.ownership] ?? outlet.ownership }
    : null;
  return {
    slug: outlet.slug ?? null,
    name: outlet.name ?? outlet.slug ?? 'Unknown outlet',
    bias,
    factuality,
    ownership,
    owner: outlet.owner ?? null,
    country: outlet.country ?? null,
    paywall: outlet.paywall ?? null,
    basis: outlet.basis ?? null,
    reviewed: outlet.reviewed ?? null,
    homepage: safeHref(outlet.homepage),
  };
}

/** Return the badge: the outlet's bias as a short coloured label with a spoken description. */
export function badgeView(outlet) {
  const bias = biasLevel(outlet?.bias);
  const name = outlet?.name ?? 'This site';
  if (!bias) {
    return { text: 'Not rated', color: '#64748b', ink: '#ffffff', ariaLabel: `Parallax: ${name} has no bias rating yet` };
  }
  return {
    text: bias.title,
    color: bias.color,
    ink: bias.ink,
    ariaLabel: `Parallax: ${name} is rated ${bias.title.toLowerCase()}`,
  };
}

/** Return the bias split as bar segments (left, center, right) with widths and whole percentages. */
export function splitView(split) {
  const counts = SIDES.map((side) => Number(split?.[side.label] ?? 0));
  const rated = counts.reduce((sum, count) => sum + count, 0);
  const percents = roundPercents(counts);
  const segments = SIDES.map((side, i) => ({
    side: side.label,
    title: side.title,
    color: side.color,
    count: counts[i],
    percent: percents[i],
    width: rated ? (counts[i] * 100) / rated : 0,
  }));
  return {
    rated,
    unrated: Number(split?.unrated ?? 0),
    empty: rated === 0,
    segments,
    text: rated ? segments.map((s) => `${s.title} ${s.percent}%`).join(' · ') : 'No rated sources yet',
  };
}

const BLINDSPOT_TEXT = {
  left: 'Blindspot: few or no left-leaning sources cover this story.',
  right: 'Blindspot: few or no right-leaning sources cover this story.',
};

/** Return one article of the other coverage as the panel lists it. */
function articleView(article, now) {
  const outlet = article.outlet ?? null;
  return {
    outletName: outlet?.name ?? article.domain ?? 'Unknown source',
    bias: biasLevel(outlet?.bias),
    title: article.title || article.url || 'Untitled',
    // A demo article has an address that leads nowhere: shown as text, never as a link.
    url: article.demo === true ? null : safeHref(article.url),
    ago: formatAgo(article.published_at, now),
  };
}

/** Return the other coverage grouped by side (left, center, right, then unrated), empty groups left out. */
export function groupCoverage(articles, now = Date.now()) {
  const groups = [
    ...SIDES.map((side) => ({ side: side.label, title: side.title, color: side.color, items: [] })),
    { side: 'unrated', title: 'Not rated', color: '#64748b', items: [] },
  ];
  const bySide = new Map(groups.map((group) => [group.side, group]));
  for (const article of articles ?? []) {
    const outlet = article.outlet;
    const side = outlet?.side ?? sideOf(outlet?.bias) ?? 'unrated';
    (bySide.get(side) ?? bySide.get('unrated')).items.push(articleView(article, now));
  }
  return groups.filter((group) => group.items.length);
}

/** Return the address of a story's page on the server, or null without a server or an id. */
export function storyPageUrl(server, id) {
  if (typeof server !== 'string' || !Number.isInteger(id) || id <= 0) return null;
  return safeHref(`${server.replace(/\/+$/, '')}/stories/${id}`);
}

/** Return the story part of the view, or null when the article matched no story. */
export function storyView(story, now = Date.now(), server = null) {
  // A story of one article (this one) has no other coverage to show: a split of one source
  // would look like information while saying nothing.
  if (!story || !story.articles?.length) return null;
  const sources = Number(story.outlet_count ?? 0);
  const first = story.first_reported;
  return {
    id: story.id ?? null,
    title: story.title ?? '',
    pageUrl: storyPageUrl(server, story.id),
    demo: story.demo === true,
    sources,
    sourcesText: sources === 1 ? '1 source' : `${sources} sources`,
    split: splitView(story.bias_split),
    blindspot: BLINDSPOT_TEXT[story.blindspot]
      ? { side: story.blindspot, text: BLINDSPOT_TEXT[story.blindspot] }
      : null,
    // A headline match is a judgement, not a fact: say so, with its score.
    matchText: story.match?.method === 'title' && Number.isFinite(story.match.score)
      ? `Matched by its headline (${Math.round(story.match.score * 100)}% similar)`
      : null,
    firstReported: first ? articleView(first, now) : null,
    groups: groupCoverage(story.articles, now),
  };
}

/**
 * Return everything the panel shows for a page. `state` is what the service worker knows:
 * `{outlet}` from the local index, plus `answer` (a lookup answer) or `error` once the server
 * replied or failed. The honest states: an outlet without a rating is "not rated"; a rated outlet
 * whose article matches no story (or a story with no other articles) says "no other coverage".
 */
export function panelView(state, now = Date.now()) {
  const answer = state?.answer ?? null;
  const outlet = outletView(answer?.outlet ?? state?.outlet ?? null);
  const story = storyView(answer?.story ?? null, now, state?.server ?? null);
  let status = 'ready';
  if (state?.error) status = 'error';
  else if (!answer && state?.loading) status = 'loading';
  let coverageNote = null;
  if (status === 'error') {
    coverageNote = 'Coverage is unavailable: the Parallax server did not answer.';
  } else if (status === 'loading') {
    coverageNote = 'Looking for other coverage…';
  } else if (!story) {
    coverageNote = 'No other coverage found yet.';
  }
  return {
    status,
    rated: Boolean(outlet?.bias),
    unratedText: outlet ? null : 'This site is not rated by Parallax.',
    outlet,
    badge: badgeView(answer?.outlet ?? state?.outlet),
    story,
    coverageNote,
    url: safeHref(answer?.canonical_url ?? answer?.url ?? state?.url ?? null),
  };
}

// The extraction on real saved pages (../shared/data/real_pages_dev, goose3's fixtures), read
// through a DOM as the content script reads them. Skipped when ../shared is absent; what it
// found that goose3 gets wrong is kept in pages/ (see pages.test.js), which always runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { documentOf } from './dom.js';
import { extractArticle } from '../content/extract.js';
import { cutDescription } from '../shared/description.js';
import { gap, parsePublished } from '../shared/published.js';

const HERE = new URL('.', import.meta.url);
const PAGES = fileURLToPath(new URL('../../../shared/data/real_pages_dev/', HERE));
const REFERENCE = JSON.parse(readFileSync(new URL('real-pages.expected.json', HERE), 'utf8'));
// The pages are of 2010–2023; "now" only bounds what is too far in the future to be real.
const NOW = Date.parse('2026-12-01T00:00:00Z');
// A time sent is right when it can stand for the page's own to within two hours: a site that
// labels its summer times EST is an hour off, which the server's ±3-day window does not notice.
const TOLERANCE_MS = 2 * 60 * 60 * 1000;

/** Return the extraction of every saved page, with its goose3 expectations. */
function readAll() {
  return readdirSync(PAGES).filter((name) => name.endsWith('.html')).sort().map((name) => {
    const stem = name.slice(0, -5);
    const saved = JSON.parse(readFileSync(`${PAGES}${stem}.json`, 'utf8'));
    const pageUrl = saved.url ?? `http://example.com/${stem}.html`;
    const doc = documentOf(readFileSync(`${PAGES}${name}`, 'utf8'));
    return { stem, got: extractArticle(doc, { pageUrl, now: NOW }), goose: saved.expected ?? {} };
  });
}

/** Return whether a time sent agrees with the one expected (both as the lookup sends them). */
function sameTime(sent, expected) {
  const [a, b] = [parsePublished(sent, NOW), parsePublished(expected, NOW)];
  return Boolean(a && b) && gap(a, b) <= TOLERANCE_MS;
}

/** Return `part` of `whole` as a percentage with one decimal. */
function percent(part, whole) {
  return whole ? Math.round((1000 * part) / whole) / 10 : 100;
}

test('real pages: headline, time and description meet their targets', { skip: !existsSync(PAGES) && 'no ../shared' }, (t) => {
  const pages = readAll();
  assert.equal(pages.length, Object.keys(REFERENCE.pages).length, 'every saved page has a reference');
  const score = { title: [0, 0], description: [0, 0], time: [0, 0], wrongTime: 0 };
  const misses = [];
  for (const { stem, got } of pages) {
    const want = REFERENCE.pages[stem];
    if (want.title) {
      score.title[1] += 1;
      if (got.title === want.title) score.title[0] += 1;
      else misses.push(`${stem} headline: ${got.title}`);
    }
    if (want.description) {
      score.description[1] += 1;
      if (got.description === want.description) score.description[0] += 1;
      else misses.push(`${stem} description: ${got.description}`);
    }
    if (want.published) {
      score.time[1] += 1;
      if (sameTime(got.published, want.published)) score.time[0] += 1;
      else misses.push(`${stem} time: ${got.published}`);
    }
    if (got.published && !sameTime(got.published, want.published)) score.wrongTime += 1;
  }
  const [titles, descriptions, times] = [score.title, score.description, score.time];
  t.diagnostic(`headline right on ${titles[0]}/${titles[1]} pages (${percent(...titles)}%, target ≥ 95%)`);
  t.diagnostic(`time right on ${times[0]}/${times[1]} pages that state one (${percent(...times)}%, target ≥ 90%)`);
  t.diagnostic(`wrong time sent on ${score.wrongTime}/${pages.length} pages (target ≤ 1 in 30)`);
  t.diagnostic(`description right on ${descriptions[0]}/${descriptions[1]} pages (${percent(...descriptions)}%, target ≥ 90%)`);
  for (const miss of misses) t.diagnostic(`miss: ${miss}`);
  assert.ok(percent(...titles) >= 95, 'headline');
  assert.ok(percent(...times) >= 90, 'publication time');
  assert.ok(score.wrongTime * 30 <= pages.length, 'wrong times');
  assert.ok(percent(...descriptions) >= 90, 'description');
});

test('real pages: every disagreement with goose3 is known and kept as a fixture', { skip: !existsSync(PAGES) && 'no ../shared' }, (t) => {
  const found = {};
  const stated = { title: 0, description: 0, published: 0 };
  for (const { stem, got, goose } of readAll()) {
    const checks = {
      title: 'title' in goose && got.title === goose.title.trim(),
      description: 'meta_description' in goose && got.description === cutDescription(goose.meta_description),
      published: 'publish_date' in goose && sameTime(got.published, goose.publish_date),
    };
    const keys = { title: 'title', description: 'meta_description', published: 'publish_date' };
    for (const [field, same] of Object.entries(checks)) {
      if (!(keys[field] in goose)) continue;
      stated[field] += 1;
      if (!same) found[stem] = field;
    }
  }
  for (const field of Object.keys(stated)) {
    const differ = Object.values(found).filter((value) => value === field).length;
    t.diagnostic(`${field}: as goose3 on ${stated[field] - differ}/${stated[field]} pages where it states one`);
  }
  t.diagnostic(`goose3 disagreements: ${JSON.stringify(found)}`);
  for (const [stem, field] of Object.entries(found)) {
    const known = REFERENCE.goose3[stem];
    assert.equal(known?.field, field, `${stem}: a new disagreement with goose3 on its ${field}`);
    assert.ok(existsSync(new URL(`pages/${known.fixture}`, HERE)), `${stem}: fixture ${known.fixture}`);
  }
});

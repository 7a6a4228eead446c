// The trimmed pages of pages/: what each real page taught us (issue 12, and where goose3's
// expectations were wrong), checked through a DOM without ../shared.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { documentOf } from './dom.js';
import { extractArticle } from '../content/extract.js';

const PAGES = new URL('pages/', import.meta.url);
const { pages } = JSON.parse(readFileSync(new URL('pages.json', PAGES), 'utf8'));
const NOW = Date.parse('2026-12-01T00:00:00Z');

for (const [file, { url, ...expected }] of Object.entries(pages)) {
  test(`${file}: ${Object.keys(expected).join(', ')}`, () => {
    const doc = documentOf(readFileSync(new URL(file, PAGES), 'utf8'));
    const got = extractArticle(doc, { pageUrl: url, now: NOW });
    for (const [field, value] of Object.entries(expected)) assert.equal(got[field], value, field);
  });
}

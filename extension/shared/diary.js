// My reading: a private diary of the rated articles the user opened, kept in storage.local only.
// An entry holds the outlet (slug, name, bias, factuality), the story id when the server matched
// one, and the time: no URL, no headline. Nothing here makes a request; the diary page shows it,
// exports it as a file and forgets it. The summaries are pure and tested in test/diary.test.js.

import { BIAS, FACTUALITY, SIDES, sideOf } from './scales.js';

export const DIARY_KEY = 'diary';
export const MAX_ENTRIES = 5000;
export const KEEP_DAYS = 400;
// Reading the same story on the same outlet again (a reload, a second visit) is one reading;
// without a story, the same outlet within this time is taken as the same article.
export const SAME_READING_MS = 10 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Return a diary entry for a page of a rated outlet, or null when there is nothing to keep. */
export function entryFor(outlet, storyId, now = Date.now()) {
  if (!outlet?.slug || !outlet.bias) return null;
  return {
    outlet: String(outlet.slug),
    name: String(outlet.name ?? outlet.slug),
    bias: String(outlet.bias),
    factuality: outlet.factuality ? String(outlet.factuality) : null,
    story: Number.isInteger(storyId) ? storyId : null,
    at: now,
  };
}

/** Return the entries with `entry` added: repeats merged, old ones and the overflow dropped. */
export function withEntry(entries, entry) {
  const kept = (Array.isArray(entries) ? entries : []).filter((e) => entry.at - e.at < KEEP_DAYS * DAY_MS);
  const same = kept.findIndex((e) => e.outlet === entry.outlet && (entry.story !== null
    ? e.story === entry.story
    : e.story === null && entry.at - e.at < SAME_READING_MS));
  if (same >= 0) kept.splice(same, 1);
  kept.push(entry);
  return kept.slice(-MAX_ENTRIES);
}

/** Read the diary from storage.local. */
export async function readDiary(storage) {
  const { [DIARY_KEY]: entries } = await storage.local.get(DIARY_KEY);
  return Array.isArray(entries) ? entries : [];
}

/** Keep a reading in the diary; does nothing when the diary is switched off. */
export async function recordReading(storage, settings, outlet, storyId, now = Date.now()) {
  if (settings.diary === false) return false;
  const entry = entryFor(outlet, storyId, now);
  if (!entry) return false;
  await storage.local.set({ [DIARY_KEY]: withEntry(await readDiary(storage), entry) });
  return true;
}

/** Forget every reading. */
export async function forgetDiary(storage) {
  await storage.local.remove(DIARY_KEY);
}

/** Return the diary as the JSON file the user exports (pretty, with what each field means). */
export function exportDiary(entries, now = Date.now()) {
  return JSON.stringify({
    about: 'Parallax: My reading. Rated articles you opened, kept only in this browser. '
      + 'outlet, name, bias and factuality describe the outlet; story is the Parallax story id '
      + '(null when none matched); at is the time in milliseconds since 1970 (UTC).',
    exported: new Date(now).toISOString(),
    entries,
  }, null, 2);
}

function counts(labels, values) {
  const out = Object.fromEntries(labels.map((label) => [label, 0]));
  for (const value of values) if (value in out) out[value] += 1;
  return out;
}

/**
 * Return what the diary page shows for the last `days` days: how many readings and stories, the
 * bias mix (7-point and by side), the factuality mix, the outlets most read and the stories read
 * from one side only ("you read 12 stories; 9 only from the left").
 */
export function summarizeDiary(entries, days, now = Date.now()) {
  const recent = (entries ?? []).filter((e) => now - e.at <= days * DAY_MS && e.at <= now + DAY_MS);
  const biasLabels = BIAS.map((level) => level.label);
  const bias = counts(biasLabels, recent.map((e) => e.bias));
  const sides = counts(SIDES.map((side) => side.label), recent.map((e) => sideOf(e.bias)));
  const factuality = counts(FACTUALITY.map((level) => level.label), recent.map((e) => e.factuality));
  const byOutlet = new Map();
  for (const e of recent) {
    const seen = byOutlet.get(e.outlet) ?? { outlet: e.outlet, name: e.name, bias: e.bias, count: 0 };
    seen.count += 1;
    byOutlet.set(e.outlet, seen);
  }
  const outlets = [...byOutlet.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  const storySides = new Map();
  for (const e of recent) {
    if (e.story === null || e.story === undefined) continue;
    const sidesRead = storySides.get(e.story) ?? new Set();
    sidesRead.add(sideOf(e.bias));
    storySides.set(e.story, sidesRead);
  }
  const oneSided = { left: [], center: [], right: [] };
  for (const [story, sidesRead] of storySides) {
    if (sidesRead.size === 1) {
      const [side] = sidesRead;
      if (side in oneSided) oneSided[side].push(story);
    }
  }
  const stories = storySides.size;
  const leftOnly = oneSided.left.length;
  const rightOnly = oneSided.right.length;
  let sentence = '';
  if (stories) {
    const parts = [];
    if (leftOnly) parts.push(`${leftOnly} only from the left`);
    if (rightOnly) parts.push(`${rightOnly} only from the right`);
    const read = `You read ${stories} ${stories === 1 ? 'story' : 'stories'}`;
    sentence = parts.length ? `${read}; ${parts.join(' and ')}.` : `${read}; none only from the left or only from the right.`;
  }
  return { days, readings: recent.length, stories, bias, sides, factuality, outlets, oneSided, sentence };
}

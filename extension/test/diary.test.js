import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  DIARY_KEY, MAX_ENTRIES, SAME_READING_MS, entryFor, exportDiary, forgetDiary, readDiary,
  recordReading, summarizeDiary, withEntry,
} from '../shared/diary.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const FOX = { slug: 'fox-news', name: 'Fox News', bias: 'right', factuality: 'mixed' };
const BBC = { slug: 'bbc-news', name: 'BBC News', bias: 'center', factuality: 'high' };
const GUARDIAN = { slug: 'guardian', name: 'The Guardian', bias: 'lean-left', factuality: 'high' };
const CNN = { slug: 'cnn', name: 'CNN', bias: 'lean-left', factuality: 'mixed' };

/** A storage.local in memory, as the extension sees it. */
function memoryStorage() {
  const data = {};
  return {
    data,
    local: {
      async get(key) { return key in data ? { [key]: structuredClone(data[key]) } : {}; },
      async set(items) { Object.assign(data, structuredClone(items)); },
      async remove(key) { delete data[key]; },
    },
  };
}

test('an entry keeps the outlet, its rating, the story and the time: no address, no headline', () => {
  const entry = entryFor({ ...FOX, url: 'https://x.example/a', title: 'secret' }, 12, NOW);
  assert.deepEqual(entry, { outlet: 'fox-news', name: 'Fox News', bias: 'right', factuality: 'mixed', story: 12, at: NOW });
  assert.equal(entryFor({ slug: 'x', name: 'Unrated' }, 1, NOW), null, 'only rated outlets');
  assert.equal(entryFor(null, 1, NOW), null);
  assert.equal(entryFor(FOX, 'not a number', NOW).story, null);
});

test('reading the same story on the same outlet again is one reading', () => {
  let entries = withEntry([], entryFor(FOX, 7, NOW - HOUR));
  entries = withEntry(entries, entryFor(FOX, 7, NOW));
  entries = withEntry(entries, entryFor(BBC, 7, NOW));
  assert.deepEqual(entries.map((e) => [e.outlet, e.at]), [['fox-news', NOW], ['bbc-news', NOW]]);
});

test('without a story, the same outlet counts again only after a while', () => {
  let entries = withEntry([], entryFor(FOX, null, NOW - SAME_READING_MS - 1));
  entries = withEntry(entries, entryFor(FOX, null, NOW));
  assert.equal(entries.length, 2);
  entries = withEntry(entries, entryFor(FOX, null, NOW + 1000));
  assert.equal(entries.length, 2);
});

test('the diary keeps at most MAX_ENTRIES readings and nothing older than KEEP_DAYS', () => {
  const old = entryFor(BBC, 1, NOW - 401 * DAY);
  let entries = [old];
  for (let i = 0; i < MAX_ENTRIES + 5; i += 1) entries.push(entryFor(FOX, 100 + i, NOW - 1000 + i));
  entries = withEntry(entries, entryFor(CNN, 1, NOW));
  assert.equal(entries.length, MAX_ENTRIES);
  assert.ok(!entries.includes(old));
  assert.equal(entries.at(-1).outlet, 'cnn');
});

test('recordReading writes storage.local only, and nothing when the diary is off', async () => {
  const storage = memoryStorage();
  assert.equal(await recordReading(storage, { diary: false }, FOX, 3, NOW), false);
  assert.deepEqual(storage.data, {});
  assert.equal(await recordReading(storage, { diary: true }, FOX, 3, NOW), true);
  assert.equal((await readDiary(storage)).length, 1);
  await forgetDiary(storage);
  assert.deepEqual(await readDiary(storage), []);
  assert.equal(DIARY_KEY in storage.data, false);
});

test('the summary gives the mix, the outlets most read and the stories read from one side', () => {
  const entries = [
    entryFor(GUARDIAN, 1, NOW - HOUR),
    entryFor(CNN, 1, NOW - HOUR),
    entryFor(GUARDIAN, 2, NOW - 2 * HOUR),
    entryFor(FOX, 3, NOW - 3 * HOUR),
    entryFor(BBC, 4, NOW - 4 * HOUR),
    entryFor(FOX, 4, NOW - 4 * HOUR),
    entryFor(GUARDIAN, null, NOW - 5 * HOUR),
    entryFor(FOX, 9, NOW - 20 * DAY), // outside the week, inside the month
  ];
  const week = summarizeDiary(entries, 7, NOW);
  assert.equal(week.readings, 7);
  assert.equal(week.stories, 4);
  assert.deepEqual(week.sides, { left: 4, center: 1, right: 2 });
  assert.equal(week.bias['lean-left'], 4);
  assert.equal(week.factuality.high, 4);
  assert.deepEqual(week.outlets.map((o) => [o.name, o.count]), [['The Guardian', 3], ['Fox News', 2], ['BBC News', 1], ['CNN', 1]]);
  assert.deepEqual(week.oneSided, { left: [1, 2], center: [], right: [3] });
  assert.equal(week.sentence, 'You read 4 stories; 2 only from the left and 1 only from the right.');
  const month = summarizeDiary(entries, 30, NOW);
  assert.equal(month.readings, 8);
  assert.deepEqual(month.oneSided.right, [3, 9]);
});

test('stories read from the center only, or from both sides, are not one-sided', () => {
  const entries = [entryFor(BBC, 1, NOW), entryFor(FOX, 2, NOW), entryFor(CNN, 2, NOW)];
  assert.equal(summarizeDiary(entries, 7, NOW).sentence, 'You read 2 stories; none only from the left or only from the right.');
});

test('an empty diary summarizes to nothing', () => {
  const summary = summarizeDiary([], 30, NOW);
  assert.equal(summary.readings, 0);
  assert.equal(summary.sentence, '');
  assert.deepEqual(summary.outlets, []);
});

test('the export is JSON that says what each field means', () => {
  const entries = [entryFor(FOX, 3, NOW)];
  const exported = JSON.parse(exportDiary(entries, NOW));
  assert.deepEqual(exported.entries, entries);
  assert.equal(exported.exported, '2026-12-02T12:00:00.000Z');
  assert.match(exported.about, /only in this browser/);
});

test('the diary and its page make no request', () => {
  for (const path of ['../shared/diary.js', '../diary/diary.js']) {
    const text = readFileSync(new URL(path, import.meta.url), 'utf8');
    assert.doesNotMatch(text, /\bfetch\(|XMLHttpRequest|sendBeacon|WebSocket|EventSource|storage\.sync/, path);
  }
});

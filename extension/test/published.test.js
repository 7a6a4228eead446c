import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choosePublished, parsePublished, zoneOffset } from '../shared/published.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const sent = (text) => parsePublished(text, NOW)?.value ?? null;

test('instants with a zone are sent in UTC, whatever the format', () => {
  const cases = [
    ['2026-11-22T08:00:00Z', '2026-11-22T08:00:00.000Z'],
    ['2026-11-22T08:00:00.123456Z', '2026-11-22T08:00:00.123Z'],
    ['2026-11-22T08:00:00+0530', '2026-11-22T02:30:00.000Z'],
    ['2026-11-22T08:00+01', '2026-11-22T07:00:00.000Z'],
    ['2026-11-22 08:00:00-08:00', '2026-11-22T16:00:00.000Z'],
    ['2010-08-14 09:30:00 EDT', '2010-08-14T13:30:00.000Z'],
    ['Tue, 4 May 2021 19:18:00 +0200', '2021-05-04T17:18:00.000Z'],
    ['Sun, 22 Nov 2026 08:00:00 GMT', '2026-11-22T08:00:00.000Z'],
    ['Tue Jan 28 15:28:56 CET 2020', '2020-01-28T14:28:56.000Z'],
    ['Sun Nov 23 16:00:00 EDT 2014', '2014-11-23T20:00:00.000Z'],
    ['Published December 29, 2014 4:00 PM EST', '2014-12-29T21:00:00.000Z'],
    ['Saturday 19 October 2019 21.38 BST', '2019-10-19T20:38:00.000Z'],
    ['Wed, 21 Sep 2011 20:35:28 GMT+02:00', '2011-09-21T18:35:28.000Z'],
    ['1676551869', '2023-02-16T12:51:09.000Z'],
    ['1676551869000', '2023-02-16T12:51:09.000Z'],
  ];
  for (const [text, expected] of cases) assert.equal(sent(text), expected, text);
});

test('a time without a zone is sent as local time, never as UTC', () => {
  assert.equal(sent('2021-05-04T19:18:00'), '2021-05-04T19:18:00');
  assert.equal(sent('2023/02/21 21:20'), '2023-02-21T21:20:00');
  assert.equal(sent('Oct. 5, 2012, 3:45 p.m. ET'), '2012-10-05T15:45:00');
  assert.equal(sent('29.12.2014 16:00 Uhr'), '2014-12-29T16:00:00');
  const local = parsePublished('2021-05-04T19:18:00', NOW);
  // It stands for any instant from UTC+14 to UTC−12 at that wall-clock time.
  assert.equal(local.earliest, Date.parse('2021-05-04T05:18:00Z'));
  assert.equal(local.latest, Date.parse('2021-05-05T07:18:00Z'));
});

test('a date alone is sent as a date, never as noon UTC', () => {
  assert.equal(sent('2019-10-19'), '2019-10-19');
  assert.equal(sent('20100812'), '2010-08-12');
  assert.equal(sent('Tuesday, Aug. 17, 2010'), '2010-08-17');
  assert.equal(sent('posted on Saturday, August 13th, 2011'), '2011-08-13');
  assert.equal(sent('23. März 2017'), null); // a month name in German is not read
  // Midnight to the second is a CMS's way of writing a date alone.
  assert.equal(sent('2010-08-14 00:00:00 EDT'), '2010-08-14');
  const day = parsePublished('2019-10-19', NOW);
  assert.equal(day.earliest, Date.parse('2019-10-18T10:00:00Z'));
  assert.equal(day.latest, Date.parse('2019-10-20T12:00:00Z'));
});

test('numeric dates are read only when the order of day and month is certain', () => {
  assert.equal(sent('12/29/2014'), '2014-12-29');
  assert.equal(sent('29/12/2014'), '2014-12-29');
  assert.equal(sent('08-13-10 05:18 PM'), '2010-08-13T17:18:00');
  assert.equal(sent('2014/12/29'), '2014-12-29');
  assert.equal(sent('05/04/2021'), null);
});

test('what is not a publication time gives null', () => {
  const refused = [
    '', 'yesterday', '1 hr 4 mins ago', '2026-02-30T08:00:00Z', '2026-13-01', '2026-11-22T24:00:00Z',
    '2026-11-22T08:60:00Z', '2026-11-22T08:00:00+25:00', '2026-11-22T08:00:00 XYZ',
    '1970-01-01T00:00:00Z', '2026-12-01T08:00:00Z', '+275760-09-13', '12345678901', 'The Mark of May 2014',
  ];
  for (const text of refused) assert.equal(sent(text), null, text);
  // Up to a day ahead is tolerated (a clock or a zone slightly off); more is not.
  assert.equal(sent('2026-11-30T11:00:00Z'), '2026-11-30T11:00:00.000Z');
  assert.equal(sent('2026-11-30T13:00:00Z'), null);
});

test('zone offsets: names, and ±hh, ±hhmm, ±hh:mm', () => {
  assert.deepEqual(['EST', 'cet', 'IST', '+02:00', '-0500', '+09', 'ABC'].map(zoneOffset), [-300, 60, 330, 120, -300, 540, null]);
});

test('choosePublished: the first source, made precise by one inside it', () => {
  const read = (text) => parsePublished(text, NOW);
  assert.equal(choosePublished([null, read('2019-10-19'), null]), '2019-10-19');
  assert.equal(choosePublished([read('2019-10-19'), read('2019-10-19T21:38:00Z')]), '2019-10-19T21:38:00.000Z');
  assert.equal(choosePublished([read('2019-10-19T21:38:00Z'), read('2019-10-19')]), '2019-10-19T21:38:00.000Z');
  // A local time and the instant it can be: the instant says more.
  assert.equal(choosePublished([read('2023-05-05 16:00:57'), read('2023-05-05T23:00:57Z')]), '2023-05-05T23:00:57.000Z');
  // A refinement that is not inside the first is ignored, not a disagreement.
  assert.equal(choosePublished([read('2019-10-19')], [read('2019-10-25T10:00:00Z')]), '2019-10-19');
  assert.equal(choosePublished([]), null);
});

test('choosePublished: sources more than a day apart send nothing', () => {
  const read = (text) => parsePublished(text, NOW);
  assert.equal(choosePublished([read('2014-12-29T21:00:00Z'), read('2014-11-20T14:00:00Z')]), null);
  assert.equal(choosePublished([read('2014-12-29'), read('2014-12-31T20:00:00Z')]), null);
  // Within a day: the first wins.
  assert.equal(choosePublished([read('2014-12-29T21:00:00Z'), read('2014-12-30T08:00:00Z')]), '2014-12-29T21:00:00.000Z');
});

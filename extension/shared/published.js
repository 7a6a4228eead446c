// Publication times as pages write them, read into what the lookup sends. Pure: no DOM, no clock
// (callers pass `now`), tested in test/published.test.js.
//
// A time is only as precise as the page makes it, and what is sent says exactly that much:
// - an instant (a time with a zone) is sent in UTC, as toISOString writes it;
// - a time without a zone is sent as local time with no zone ("2021-05-04T19:18:00"): the site's
//   zone is unknown, and the server widens its window by the world's zone span (−12 h…+14 h);
// - a date alone is sent as a date ("2019-10-19"), which the server reads as that whole day.
// None of them is ever completed as UTC or as noon: that was off by up to half a day, and
// hid a story whenever the guess landed on the wrong side of the window.

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
// Local time is UTC−12 (Baker Island) to UTC+14 (Kiribati).
const EARLIEST_OFFSET_MS = -12 * HOUR_MS;
const LATEST_OFFSET_MS = 14 * HOUR_MS;
// Earlier than this is a placeholder (CMSes print the Unix epoch for a missing date), not news.
const OLDEST_MS = Date.UTC(1995, 0, 1);

// Zone abbreviations pages print, in minutes east of UTC. Where one is ambiguous the reading of
// news sites is kept: IST is India's, BST British Summer Time, CST the US Central zone.
const ZONES = {
  UT: 0, UTC: 0, GMT: 0, Z: 0, WET: 0, WEST: 60, BST: 60, IST: 330,
  CET: 60, CEST: 120, MET: 60, MEST: 120, MEZ: 60, MESZ: 120, EET: 120, EEST: 180, MSK: 180,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  AKST: -540, AKDT: -480, HST: -600, AST: -240, ADT: -180, NST: -210, NDT: -150,
  JST: 540, KST: 540, HKT: 480, SGT: 480, AWST: 480, ACST: 570, ACDT: 630, AEST: 600,
  AEDT: 660, NZST: 720, NZDT: 780, SAST: 120, WAT: 60, CAT: 120, EAT: 180, PKT: 300,
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// ISO 8601 as pages write it: a date, optionally a time ("T" or a space), optionally a zone
// (Z, ±hh, ±hhmm, ±hh:mm, or a name after a space: "2010-08-14 00:00:00 EDT").
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?|[A-Za-z]{2,5})?)?$/;
const EPOCH = /^\d{9,13}$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
// "4:00 PM", "16:00:00", "21.38" (a dot only between two lone numbers: not in "29.12.2014").
const TIME = /(?<![\d.:/])(\d{1,2})(?::|\.(?=\d{2}(?![\d.])))(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?\s?m\b\.?)?|\b(\d{1,2})\s*([ap])\.?\s?m\b\.?/i;
const OFFSET = /(?:\b(?:GMT|UTC|UT))?\s*([+-])(\d{1,2})(?::?(\d{2}))?\b/;
const MONTH_NAME = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?:uary|ruary|ch|il|e|y|ust|t|tember|ember|ober)?\.?(?![a-z])/i;

/**
 * A publication time read from text: `kind` is "instant", "local" or "date"; `value` is what the
 * lookup sends; `earliest`/`latest` (epoch ms) bound the UTC instants it can stand for.
 */
function reading(kind, ms) {
  if (kind === 'instant') {
    return { kind, value: new Date(ms).toISOString(), earliest: ms, latest: ms };
  }
  // For local and date readings `ms` is the wall-clock time written as if it were UTC.
  const text = new Date(ms).toISOString();
  const value = kind === 'date' ? text.slice(0, 10) : text.slice(0, 19);
  const end = kind === 'date' ? ms + DAY_MS : ms;
  return { kind, value, earliest: ms - LATEST_OFFSET_MS, latest: end - EARLIEST_OFFSET_MS };
}

/** Return epoch ms of a wall-clock time written as if in UTC, or null when not a real one. */
function wallClock(y, mo, d, h = 0, mi = 0, s = 0, ms = 0) {
  if (h > 23 || mi > 59 || s > 59) return null;
  const when = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(when);
  // Date.UTC rolls 30 February over into March: refuse it.
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return when;
}

/** Return a zone's offset in minutes east of UTC ("+02:00", "-0500", "+09", "CET"), else null. */
export function zoneOffset(zone) {
  const text = String(zone ?? '').trim();
  const named = ZONES[text.toUpperCase()];
  if (named !== undefined) return named;
  const parts = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text);
  if (!parts) return null;
  const [hours, minutes] = [Number(parts[2]), Number(parts[3] ?? 0)];
  if (hours > 14 || minutes > 59) return null;
  return (parts[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** Return the reading of wall-clock parts with an optional zone, or null when impossible. */
function fromParts({ y, mo, d, h, mi = 0, s = 0, ms = 0, zone }) {
  if (h === undefined) {
    const day = wallClock(y, mo, d);
    return day === null ? null : reading('date', day);
  }
  const local = wallClock(y, mo, d, h, mi, s, ms);
  if (local === null) return null;
  // Midnight to the second is how CMSes fill the time of a date they have alone.
  if (h === 0 && mi === 0 && s === 0 && ms === 0) return reading('date', local);
  if (zone === undefined || zone === null) return reading('local', local);
  return reading('instant', local - zone * MINUTE_MS);
}

/** Read a compact date ("20100812"), as old CMSes put it in a meta tag. */
function readCompact(text) {
  const parts = COMPACT_DATE.exec(text);
  return parts ? fromParts({ y: Number(parts[1]), mo: Number(parts[2]), d: Number(parts[3]) }) : null;
}

/** Read ISO 8601 text ("2026-11-22T08:00:00+01:00", "2026-11-22", "2010-08-14 00:00:00 EDT"). */
function readIso(text) {
  const parts = ISO.exec(text);
  if (!parts) return null;
  const [, y, mo, d, h, mi, s, fraction = '', zoneText] = parts;
  let zone;
  if (zoneText) {
    zone = zoneOffset(zoneText.toUpperCase() === 'Z' ? 'UTC' : zoneText);
    if (zone === null) return null;
  }
  return fromParts({
    y: Number(y), mo: Number(mo), d: Number(d),
    h: h === undefined ? undefined : Number(h), mi: Number(mi ?? 0), s: Number(s ?? 0),
    ms: Number(fraction.slice(0, 3).padEnd(3, '0')), zone,
  });
}

/** Read epoch seconds (9–10 digits) or milliseconds (12–13 digits). */
function readEpoch(text) {
  if (!EPOCH.test(text)) return null;
  if (text.length === 11) return null; // neither: 11 digits is a year 5000 in seconds
  return reading('instant', Number(text) * (text.length >= 12 ? 1 : 1000));
}

/** Return the 24-hour clock of a TIME match: "4:00 PM" → [16, 0, 0]. */
function clock(match) {
  const [, h1, mi, s, ampm1, h2, ampm2] = match;
  let hour = Number(h1 ?? h2);
  const ampm = (ampm1 ?? ampm2 ?? '').toLowerCase();
  if (ampm && (hour < 1 || hour > 12)) return null;
  if (ampm === 'p' && hour !== 12) hour += 12;
  if (ampm === 'a' && hour === 12) hour = 0;
  return [hour, Number(mi ?? 0), Number(s ?? 0)];
}

/** Return the date parts of free text: a month's name, or a numeric date; else null. */
function calendarDate(text) {
  const month = MONTH_NAME.exec(text);
  const year = /\b(19\d{2}|20\d{2})\b/.exec(text);
  if (month && year) {
    const mo = MONTHS.indexOf(month[1].toLowerCase()) + 1;
    // The day is the 1–2 digit number next to the month: "29 December", "December 29th".
    const around = text.replace(TIME, ' ');
    const after = new RegExp(`${month[0].replace('.', '\\.')}\\s*(\\d{1,2})(?:st|nd|rd|th)?\\b`, 'i').exec(around);
    const before = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\.?\\s*(?:of\\s+)?${month[0].replace('.', '\\.')}`, 'i').exec(around);
    const day = after ?? before;
    return day ? { y: Number(year[1]), mo, d: Number(day[1]) } : null;
  }
  let parts = /\b(\d{4})[/.](\d{1,2})[/.](\d{1,2})\b/.exec(text);
  if (parts) return { y: Number(parts[1]), mo: Number(parts[2]), d: Number(parts[3]) };
  // Dots are day first wherever they are used (Germany, Russia…).
  parts = /\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/.exec(text);
  if (parts) return { y: Number(parts[3]), mo: Number(parts[2]), d: Number(parts[1]) };
  // Slashes and dashes are month first in the US and day first elsewhere: only an unambiguous
  // one is read. A two-digit year ("08-13-10") is this century's.
  parts = /\b(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})\b/.exec(text);
  if (parts) {
    const [a, b] = [Number(parts[1]), Number(parts[3])];
    const y = Number(parts[4]) + (parts[4].length === 2 ? 2000 : 0);
    if (a > 12 && b <= 12) return { y, mo: b, d: a };
    if (b > 12 && a <= 12) return { y, mo: a, d: b };
  }
  return null;
}

/**
 * Read the formats other than ISO: RFC 2822 ("Tue, 4 May 2021 19:18:00 +0200"), Date's own
 * ("Tue Jan 28 15:28:56 CET 2020") and the datelines CMSes print ("Published December 29, 2014
 * 4:00 PM EST", "29.12.2014 16:00 Uhr"). Only text short enough to be one date is tried.
 */
function readFree(text) {
  if (text.length > 120) return null;
  const date = calendarDate(text);
  if (!date) return null;
  const time = TIME.exec(text);
  if (!time) return fromParts(date);
  const hms = clock(time);
  if (!hms) return null;
  const rest = text.slice(time.index + time[0].length);
  let zone = null;
  const offset = OFFSET.exec(rest);
  const word = /\b([A-Z]{1,5})\b/.exec(rest.replace(/\b(?:GMT|UTC|UT)\s*[+-]\d.*/, ''));
  if (offset) zone = zoneOffset(`${offset[1]}${offset[2].padStart(2, '0')}${offset[3] ?? '00'}`);
  else if (word && ZONES[word[1]] !== undefined) zone = ZONES[word[1]];
  const [h, mi, s] = hms;
  return fromParts({ ...date, h, mi, s, zone });
}

/**
 * Return the reading of a publication time as a page writes it, or null when it is not one:
 * `{kind, value, earliest, latest}` (see `reading`). Refused: text that is no date, a date
 * that does not exist, one before 1995 (a placeholder), or one more than a day after `now`.
 */
export function parsePublished(text, now = Date.now()) {
  const trimmed = String(text ?? '').replace(/\s+/g, ' ').trim();
  if (!trimmed) return null;
  const found = readEpoch(trimmed) ?? readCompact(trimmed) ?? readIso(trimmed) ?? readFree(trimmed);
  if (!found || found.latest < OLDEST_MS || found.earliest > now + DAY_MS) return null;
  return found;
}

/** Return the gap in ms between what two readings can stand for: 0 when they overlap. */
export function gap(a, b) {
  return Math.max(0, a.earliest - b.latest, b.earliest - a.latest);
}

const PRECISION = { date: 0, local: 1, instant: 2 };

/**
 * Return what to send from the readings of every source, in order of preference, or null.
 *
 * The first source is the answer unless a later one (or one of `refinements`, sources too weak
 * to contradict it) lies within it and says more (a date, then the instant on that day: the
 * instant is sent). When two sources disagree by more than a day,
 * one of them is wrong and nothing on the page says which: nothing is sent, since a wrong time
 * hides the story while no time only centres the search on now.
 */
export function choosePublished(readings, refinements = []) {
  const found = readings.filter(Boolean);
  if (!found.length) return null;
  for (const reading of found.slice(1)) {
    if (gap(found[0], reading) > DAY_MS) return null;
  }
  let best = found[0];
  for (const reading of [...found.slice(1), ...refinements.filter(Boolean)]) {
    const inside = reading.earliest >= best.earliest && reading.latest <= best.latest;
    if (inside && PRECISION[reading.kind] > PRECISION[best.kind]) best = reading;
  }
  return best.value;
}

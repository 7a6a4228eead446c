// Headline cleaning: page titles carry the site's name (" - BBC News", " | Reuters"), which would
// only add noise to the server's headline matching. Pure functions, tested in test/title.test.js.

// Separators sites put between a headline and their name, widest first.
const SEPARATORS = [' | ', ' - ', ' — ', ' – ', ' · ', ' :: ', ' // ', ' « ', ' » '];

// What may follow a site's label in its name: "BBC News", "Reuters.com", "Sky News UK".
const SITE_SUFFIXES = new Set([
  '', 'news', 'com', 'couk', 'org', 'net', 'online', 'newsonline', 'uk', 'us', 'world',
  'worldnews', 'international', 'digital', 'live',
]);

/** Return text lower-cased with everything but letters and digits removed ("The BBC" → "thebbc"). */
function compact(text) {
  return String(text).toLowerCase().normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Return the label of a host that names the site: "www.bbc.co.uk" → "bbc". */
export function siteLabel(host) {
  const parts = String(host ?? '').toLowerCase().split('.').filter(Boolean);
  const generic = new Set(['www', 'm', 'amp', 'co', 'com', 'org', 'net', 'gov', 'ac', 'news']);
  const meaningful = parts.slice(0, -1).filter((part) => !generic.has(part));
  return meaningful.length ? meaningful[meaningful.length - 1] : '';
}

/** Return true when a title segment is the site's name rather than part of the headline. */
function isSiteName(segment, names, label) {
  const text = compact(segment);
  if (!text) return false;
  for (const name of names) {
    const wanted = compact(name);
    if (wanted && (text === wanted || text === `the${wanted}` || `the${text}` === wanted)) return true;
  }
  // "BBC News", "Reuters.com", "The Guardian" on bbc.co.uk, reuters.com, theguardian.com.
  if (label && label.length >= 3 && segment.split(/\s+/).length <= 4) {
    const bare = text.replace(/^the/, '');
    const bareLabel = label.replace(/^the/, '');
    // Only the label plus a generic word: "BBC faces new row" on bbc.co.uk stays a headline.
    if (bare.startsWith(bareLabel) && SITE_SUFFIXES.has(bare.slice(bareLabel.length))) return true;
  }
  return false;
}

/**
 * Return a headline without the site's name before or after it. `names` are the names the site is
 * known by (og:site_name, the outlet's name in the index); `host` lets "Reuters" be recognised on
 * reuters.com without either. A trailing segment after " | " is dropped when it is short (a section
 * or site name) and enough headline remains; other separators only drop a recognised site name,
 * because headlines themselves contain dashes ("Biden - Putin summit ends").
 */
export function cleanTitle(raw, { names = [], host = '' } = {}) {
  let title = String(raw ?? '').replace(/\s+/g, ' ').trim();
  const label = siteLabel(host);
  const known = names.filter(Boolean);
  for (let pass = 0; pass < 3; pass += 1) {
    const before = title;
    for (const sep of SEPARATORS) {
      const end = title.lastIndexOf(sep);
      if (end > 0) {
        const tail = title.slice(end + sep.length);
        const head = title.slice(0, end).trim();
        const shortPipe = sep === ' | ' && tail.split(' ').length <= 4 && head.split(' ').length >= 4;
        if (isSiteName(tail, known, label) || shortPipe) {
          title = head;
          break;
        }
      }
      const start = title.indexOf(sep);
      if (start > 0) {
        const lead = title.slice(0, start);
        if (isSiteName(lead, known, label)) {
          title = title.slice(start + sep.length).trim();
          break;
        }
      }
    }
    if (title === before) break;
  }
  // "BBC News: Headline" is rarer but common enough on agency sites.
  const colon = title.indexOf(': ');
  if (colon > 0 && isSiteName(title.slice(0, colon), known, '')) title = title.slice(colon + 2);
  return title;
}

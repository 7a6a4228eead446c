// Headline cleaning: page titles carry the site's name (" - BBC News", " | Reuters"), which would
// only add noise to the server's headline matching. Pure functions, tested in test/title.test.js.

// Separators sites put between a headline and their name: a pipe, dashes, a colon, a middle
// dot, with or without spaces ("Storm hits|BBC", "Storm hits – BBC", "BBC: Storm hits").
const SEPARATOR = /\s*(?:\||–|—|·|::|\/\/|«|»)\s*|\s+-\s+|\s*:\s+|-|:/g;
// A pipe with spaces ends the headline wherever it is, when enough headline stands before it:
// what follows is a section, the site or a standfirst.
const PIPE = ' | ';
const HEADLINE_WORDS = 4;

// What may follow a site's label in its name: "BBC News", "Reuters.com", "Sky News UK".
const SITE_SUFFIXES = new Set([
  '', 'news', 'com', 'couk', 'org', 'net', 'online', 'newsonline', 'uk', 'us', 'world',
  'worldnews', 'international', 'digital', 'live',
]);

/** Return text lower-cased with everything but letters and digits removed ("The BBC" → "thebbc"). */
export function compact(text) {
  return String(text).toLowerCase().normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Return the label of a host that names the site: "www.bbc.co.uk" → "bbc". */
export function siteLabel(host) {
  const parts = String(host ?? '').toLowerCase().split('.').filter(Boolean);
  const generic = new Set(['www', 'm', 'amp', 'co', 'com', 'org', 'net', 'gov', 'ac', 'news']);
  const meaningful = parts.slice(0, -1).filter((part) => !generic.has(part));
  return meaningful.length ? meaningful[meaningful.length - 1] : '';
}

/**
 * Return true when a title segment is the site's name rather than part of the headline: one of
 * `names`, or the site's label (see siteLabel) with a generic word ("BBC News", "Reuters.com")
 * or a name in another script ("BBC中文网").
 */
export function isSiteName(segment, names, host) {
  return siteNamed(segment, names, siteLabel(host));
}

function siteNamed(segment, names, label) {
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
    const rest = bare.slice(bareLabel.length);
    if (bare.startsWith(bareLabel) && (SITE_SUFFIXES.has(rest) || /^[^\p{Script=Latin}\d]{1,4}$/u.test(rest))) return true;
  }
  return false;
}

/**
 * Return a headline without the site's name before or after it. `names` are the names the site is
 * known by (og:site_name, the outlet's name in the index); `host` lets "Reuters" be recognised on
 * reuters.com without either. A separator only drops a recognised site name, because headlines
 * contain dashes and colons themselves ("Biden - Putin summit ends"); a spaced pipe after a
 * headline of four words or more also drops what follows it (a section, a standfirst).
 */
export function cleanTitle(raw, { names = [], host = '' } = {}) {
  let title = String(raw ?? '').replace(/\s+/g, ' ').trim();
  const label = siteLabel(host);
  const known = names.filter(Boolean);
  for (let pass = 0; pass < 4; pass += 1) {
    const before = title;
    const separators = [...title.matchAll(SEPARATOR)].filter((match) => match.index > 0);
    // The site's name after the headline, alone or before a short section ("… - BBC中文网 - 两岸三地").
    const trailing = separators.reverse().find((match) => {
      const tail = title.slice(match.index + match[0].length);
      const segment = tail.split(SEPARATOR)[0];
      const short = tail.split(' ').length < HEADLINE_WORDS;
      return title.slice(0, match.index).trim() && siteNamed(short ? segment : tail, known, label);
    });
    if (trailing) title = title.slice(0, trailing.index).trim();
    else {
      const leading = separators.reverse().find((match) => siteNamed(title.slice(0, match.index), known, label));
      const rest = leading ? title.slice(leading.index + leading[0].length).trim() : '';
      if (rest) title = rest;
    }
    if (title === before) break;
  }
  const pipe = title.indexOf(PIPE);
  if (pipe > 0 && title.slice(0, pipe).split(' ').length >= HEADLINE_WORDS) title = title.slice(0, pipe);
  return title.trim();
}

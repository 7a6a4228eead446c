// Local outlet resolution: the rules of the server's OutletResolver (server/urls.py), path
// patterns and their precedence included, run against the compact outlet index, so the browser
// never asks the server whether a page belongs to a rated outlet. Pure functions only (no DOM, no
// extension APIs): test/resolve.test.js feeds them the shared corpus tests/data/url_corpus.json
// that the server's tests also use.
//
// What differs from the server, and why it does not matter in practice: the server finds a URL's
// registrable domain with the Public Suffix List (about 200 KB, too big to ship for this). Here
// the walk up parent domains stops at two labels, and never climbs into a known publishing
// platform or private suffix (SITE_SUFFIXES), so `foo.substack.com` stays its own site exactly as
// on the server. A rule whose host is itself a public suffix (`co.uk`) cannot be created.

// Prefixes that name a variant of the same site rather than a different one.
const HOST_PREFIXES = ['www.', 'm.', 'mobile.', 'amp.'];

// Domains each subdomain of which is a separate site: server/urls.py PLATFORM_DOMAINS plus the
// private suffixes of the Public Suffix List that host news sites.
const SITE_SUFFIXES = new Set([
  'substack.com', 'wordpress.com', 'medium.com', 'tumblr.com', 'typepad.com', 'livejournal.com',
  'ghost.io', 'beehiiv.com', 'weebly.com', 'blogger.com', 'blogspot.com', 'github.io',
  'gitlab.io', 'netlify.app', 'vercel.app', 'pages.dev', 'herokuapp.com', 'wixsite.com',
  'squarespace.com', 'webflow.io', 'neocities.org', 'appspot.com', 'azurewebsites.net',
  'cloudfront.net', 'firebaseapp.com', 'web.app', 'blogspot.co.uk', 'blogspot.de', 'blogspot.fr',
]);

// Second-level labels under a country code that act as public suffixes (bbc.co.uk, abc.net.au).
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'ac', 'edu', 'or', 'ne', 'go', 'gob', 'nic', 'mil']);

function isIp(host) {
  return host.startsWith('[') || /^[\d.]+$/.test(host);
}

/**
 * Return the shortest suffix of a host that is still a site (the registrable domain, as far as
 * can be told without the Public Suffix List).
 */
export function siteDomain(host) {
  if (isIp(host)) return host;
  const labels = host.split('.');
  for (let i = labels.length - 2; i >= 0; i -= 1) {
    const parent = labels.slice(i + 1).join('.');
    if (SITE_SUFFIXES.has(parent)) return labels.slice(i).join('.');
  }
  const n = labels.length;
  if (n >= 3 && labels[n - 1].length === 2 && SECOND_LEVEL.has(labels[n - 2])) return labels.slice(-3).join('.');
  return labels.slice(-2).join('.');
}

/**
 * Return the host lower-cased, without trailing dots and without www./m./mobile./amp. prefixes
 * (repeatedly, but never into the site's domain itself, so `amp.dev` stays `amp.dev`).
 */
export function normalizeHost(rawHost) {
  let host = String(rawHost).trim().toLowerCase().replace(/\.+$/, '');
  const floor = siteDomain(host).length;
  let stripped = true;
  while (stripped) {
    stripped = false;
    for (const prefix of HOST_PREFIXES) {
      if (host.startsWith(prefix) && host.length - prefix.length >= floor) {
        host = host.slice(prefix.length);
        stripped = true;
        break;
      }
    }
  }
  return host;
}

/** Percent-decode like Python's unquote: malformed escapes stay as they are, '+' stays '+'. */
export function unquote(text) {
  return String(text).replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * Clean pasted input as server/urls.py does: surrounding whitespace, <…> and quotes, `\?` escapes,
 * `&amp;`; a missing scheme means https. Return a URL object for http(s), else null.
 */
export function parseHttpUrl(raw) {
  if (raw instanceof URL) return raw.protocol === 'http:' || raw.protocol === 'https:' ? raw : null;
  let text = String(raw ?? '').trim();
  const first = text[0];
  const last = text[text.length - 1];
  if (text.length >= 2 && ((first === '<' && last === '>') || (first === '"' && last === '"') || (first === "'" && last === "'"))) {
    text = text.slice(1, -1).trim();
  }
  if (!text || text.length > 2048) return null;
  text = text.replace(/[\t\n\r]/g, '').replace(/\\([?&=#])/g, '$1');
  while (text.includes('&amp;')) text = text.replaceAll('&amp;', '&');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
  if (!scheme) text = text.startsWith('//') ? `https:${text}` : `https://${text}`;
  else if (!/^https?$/i.test(scheme[1]) && /^\d+(?:[/?#]|$)/.test(text.slice(scheme[0].length))) text = `https://${text}`;
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.hostname ? url : null;
}

// --- Wrappers: redirectors and viewers carrying the real address (server/urls.py _UNWRAPPERS) ---

/** Return the first non-empty value of the named query parameters, percent-decoded. */
function param(query, ...names) {
  const found = new Map();
  for (const pair of query.split('&')) {
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    const value = at < 0 ? '' : pair.slice(at + 1);
    if (names.includes(key) && value && !found.has(key)) found.set(key, value);
  }
  for (const name of names) {
    if (found.has(name)) {
      let value = unquote(found.get(name));
      if (['http%3a%', 'https%3a'].includes(value.slice(0, 8).toLowerCase())) value = unquote(value);
      return value;
    }
  }
  return null;
}

const withQuery = (target, query) => (query ? `${target}?${query}` : target);

function unwrapGoogle(host, path, query) {
  if (path === '/url') return param(query, 'url', 'q');
  if (path.startsWith('/amp/')) {
    const target = path.slice(5);
    if (target.startsWith('s/')) return withQuery(`https://${target.slice(2)}`, query);
    return target ? withQuery(`http://${target}`, query) : null;
  }
  return null;
}

function unwrapAmpCache(host, path, query) {
  const match = /^\/(?:c|v|i|r|wp|a)\/(s\/)?(.+)$/s.exec(path);
  return match ? withQuery(`${match[1] ? 'https://' : 'http://'}${match[2]}`, query) : null;
}

const FACEBOOK_PATHS = new Set(['/l.php', '/l/', '/', '/flx/warn/', '/sharer.php', '/sharer/sharer.php']);

function unwrapWayback(host, path, query) {
  if (host !== 'web.archive.org' && host !== 'wayback.archive.org') return null;
  const match = /^\/web\/(?:[0-9]{1,14}[a-z_]*|[0-9]{0,14}\*)\/(.+)$/s.exec(path);
  return match ? withQuery(match[1], query) : null;
}

function unwrapArchiveToday(host, path, query) {
  const match = /^\/(?:newest\/|oldest\/|[0-9]{14}\/|[0-9]{4}\.[0-9]{2}\.[0-9]{2}-[0-9]{6}\/|o\/[A-Za-z0-9]+\/)?([Hh][Tt][Tt][Pp][Ss]?:\/.+)$/s.exec(path);
  return match ? withQuery(match[1], query) : null;
}

function unwrapYahoo(host, path) {
  if (!host.endsWith('search.yahoo.com')) return null;
  const start = path.indexOf('/RU=');
  if (start < 0) return null;
  return unquote(path.slice(start + 4).split('/')[0]) || null;
}

function unwrapBing(host, path, query) {
  if (path !== '/ck/a') return null;
  const value = param(query, 'u');
  if (!value || !value.startsWith('a1')) return null;
  try {
    const b64 = value.slice(2).replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return /^https?:\/\//i.test(decoded) ? decoded : null;
  } catch {
    return null;
  }
}

const byPath = (table) => (host, path, query) => (table[path] ? param(query, ...table[path]) : null);

const UNWRAPPERS = {
  'ampproject.org': unwrapAmpCache,
  'bing-amp.com': unwrapAmpCache,
  'facebook.com': (host, path, query) => (FACEBOOK_PATHS.has(path) ? param(query, 'u') : null),
  'messenger.com': (host, path, query) => (FACEBOOK_PATHS.has(path) ? param(query, 'u') : null),
  'instagram.com': (host, path, query) => (FACEBOOK_PATHS.has(path) ? param(query, 'u') : null),
  'outlook.com': (host, path, query) => (host.includes('safelinks') ? param(query, 'url') : null),
  'office365.us': (host, path, query) => (host.includes('safelinks') ? param(query, 'url') : null),
  'archive.org': unwrapWayback,
  'archive.ph': unwrapArchiveToday,
  'archive.today': unwrapArchiveToday,
  'archive.is': unwrapArchiveToday,
  'archive.li': unwrapArchiveToday,
  'archive.vn': unwrapArchiveToday,
  'archive.md': unwrapArchiveToday,
  'archive.fo': unwrapArchiveToday,
  'yahoo.com': unwrapYahoo,
  'bing.com': unwrapBing,
  'umblr.com': byPath({ '/redirect': ['z'] }),
  'reddit.com': (host, path, query) => (host === 'out.reddit.com' ? param(query, 'url') : null),
  'linkedin.com': byPath({ '/redir/redirect': ['url'], '/safety/go': ['url'] }),
  'youtube.com': byPath({ '/redirect': ['q'] }),
  'duckduckgo.com': byPath({ '/l/': ['uddg'], '/l': ['uddg'] }),
  'vk.com': byPath({ '/away.php': ['to'] }),
  'slack-redir.net': byPath({ '/link': ['url'] }),
  'getpocket.com': byPath({ '/redirect': ['url'] }),
  'skimresources.com': byPath({ '/': ['url'] }),
  'redirectingat.com': byPath({ '/': ['url'] }),
  'href.li': (host, path, query) => (query.toLowerCase().startsWith('http') ? unquote(query) : null),
};

const GOOGLE = /^google\.(?:[a-z]{2,3}|co\.[a-z]{2}|com\.[a-z]{2})$/;

function unwrapperFor(domain) {
  return UNWRAPPERS[domain] ?? (GOOGLE.test(domain) ? unwrapGoogle : null);
}

/** Return the target of a wrapper URL (AMP, Google, Facebook, archives…), recursively, or the URL itself. */
export function unwrapUrl(url) {
  let current = url;
  for (let depth = 0; depth <= 5; depth += 1) {
    const host = current.hostname.toLowerCase().replace(/\.+$/, '');
    const unwrap = unwrapperFor(siteDomain(host));
    // The raw path and query, as the server sees them (URL objects keep escapes as typed).
    const target = unwrap ? unwrap(host, current.pathname || '/', current.search.slice(1)) : null;
    if (!target) return current;
    const next = parseHttpUrl(target);
    if (!next) return null;
    current = next;
  }
  return null;
}

// --- Tracking parameters -----------------------------------------------------------------------

// server/urls.py TRACKING_PARAMS and TRACKING_PREFIXES: the server drops them from canonical URLs
// anyway, but some carry a reader's identity (mc_eid is a subscriber's id), so the extension
// removes them before a URL leaves the browser at all.
export const TRACKING_PARAMS = new Set([
  'fbclid', 'gclid', 'gclsrc', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'ttclid',
  'li_fat_id', 'igshid', 'igsh', 'epik', 's_kwcid', 'srsltid', 'mc_cid', 'mc_eid', 'mkt_tok',
  '_hsenc', '_hsmi', 'hsctatracking', 'vero_id', 'oly_anon_id', 'oly_enc_id', 'rb_clickid',
  '_bta_tid', '_bta_c', '_ga', '_gl', 'ref_src', 'ref_url', 'guccounter', 'guce_referrer',
  'guce_referrer_sig', 's_cid', '__twitter_impression', 'cmp', 'cmpid', 'smid', 'smtyp', 'ocid',
  'xtor', 'reflink', 'ncid', 'sr_share', 'soc_src', 'soc_trk', 'trk', 'trkcampaign', 'share_id',
  'usqp',
]);
export const TRACKING_PREFIXES = ['utm_', 'at_', 'ns_', 'pk_', 'mtm_', 'hsa_', '__hs', 'fb_', 'wt.', 'wt_', 'cm_', 'itm_', 'amp_'];

/** Return true for a query parameter name that only tracks the reader or the campaign. */
export function isTrackingParam(name) {
  const key = name.toLowerCase();
  return TRACKING_PARAMS.has(key) || TRACKING_PREFIXES.some((prefix) => key.startsWith(prefix));
}

/** Return the URL without its fragment and without tracking query parameters. */
export function stripTracking(rawUrl) {
  const url = parseHttpUrl(rawUrl);
  if (!url) return null;
  url.hash = '';
  if (url.search) {
    const kept = url.search.slice(1).split('&')
      .filter((pair) => pair && !isTrackingParam(decodeURIComponentSafe(pair.split('=', 1)[0])));
    url.search = kept.length ? `?${kept.join('&')}` : '';
  }
  return url.href;
}

function decodeURIComponentSafe(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// --- The resolver -----------------------------------------------------------------------------
//
// Rule paths are server/urls.py's (its module docstring is the specification): a path is a list
// of segments, each literal or `*`, which stands for any number of whole segments, none included;
// a rule covers a URL whose path starts with segments its path matches. Among one host's matching
// rules the one reaching deepest into the path wins (each `*` covering as few segments as it
// can), then the one with more literal segments, then fewer `*`, then the path first in
// code-point order. Hosts without a `*` rule keep the plain longest-prefix loop.

/**
 * Return a rule path in the server's canonical form as far as the index needs it: lower-case,
 * without trailing slashes or trailing `*` segments (a rule covers everything below it anyway).
 */
export function normalizeRulePath(path) {
  let text = String(path ?? '').toLowerCase();
  for (;;) {
    if (text.endsWith('/')) text = text.slice(0, -1);
    else if (text.endsWith('/*')) text = text.slice(0, -2);
    else return text;
  }
}

/** Order one host's rules for ranking: more literal segments, then fewer `*`, then code points. */
function rankOrder([a], [b]) {
  const key = (path) => {
    const segments = path ? path.slice(1).split('/') : [];
    const stars = segments.filter((segment) => segment === '*').length;
    return [stars - segments.length, stars];
  };
  const [ka, kb] = [key(a), key(b)];
  return ka[0] - kb[0] || ka[1] - kb[1] || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Compile the index's rules into a map host → [path, slug], so that resolving a URL costs a few
 * map lookups however many outlets the index holds. A host's rules are sorted longest prefix
 * first, or, when one of them is a pattern (`ranked` holds those hosts), in tie-break order. The
 * server sends rules already normalised; they are normalised again so hand-written indexes work
 * too.
 */
export function compileIndex(index) {
  const byHost = new Map();
  for (const [host, path, slug] of index?.rules ?? []) {
    const key = normalizeHost(host);
    if (!byHost.has(key)) byHost.set(key, []);
    byHost.get(key).push([normalizeRulePath(path), slug]);
  }
  const ranked = new Set();
  for (const [host, rules] of byHost) {
    if (rules.some(([path]) => path.includes('*'))) {
      rules.sort(rankOrder);
      ranked.add(host);
    } else {
      rules.sort((a, b) => b[0].length - a[0].length);
    }
  }
  return { version: index?.version ?? null, outlets: index?.outlets ?? {}, byHost, ranked };
}

/** Return the hosts to try for a host: itself, then each parent down to its site domain. */
export function candidateHosts(host) {
  const floor = siteDomain(host).length;
  const hosts = [host];
  let current = host;
  while (current.includes('.')) {
    current = current.slice(current.indexOf('.') + 1);
    if (current.length < floor) break;
    hosts.push(current);
  }
  return hosts;
}

/** Return true when a rule's (lower-case) path prefix covers a (lower-case) path at a segment boundary. */
export function pathMatches(prefix, path) {
  return prefix === '' || (path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/'));
}

/**
 * Return how many segments of a (lower-case) path a (canonical) rule path covers, up to its last
 * literal segment, each `*` covering as few as it can; 0 for the empty path, -1 if it does not
 * match. Each run of literal segments after a `*` is placed as early as it fits, which finds the
 * shallowest match if there is one, without backtracking however the pattern is written.
 */
export function ruleDepth(rulePath, path) {
  if (rulePath === '') return 0;
  const rule = rulePath.slice(1).split('/');
  const segments = path.slice(1).split('/');
  let at = 0;
  let i = 0;
  for (; i < rule.length && rule[i] !== '*'; i += 1, at += 1) {
    if (segments[at] !== rule[i]) return -1;
  }
  while (i < rule.length) {
    let to = i + 1;
    while (to < rule.length && rule[to] !== '*') to += 1;
    const run = rule.slice(i + 1, to);
    const fits = (start) => run.every((literal, k) => segments[start + k] === literal);
    let start = at;
    while (start + run.length <= segments.length && !fits(start)) start += 1;
    if (start + run.length > segments.length) return -1;
    at = start + run.length;
    i = to;
  }
  return at;
}

/**
 * Return the slug of the outlet a URL belongs to, or null. Wrappers are unwrapped first; then the
 * exact host is tried, then each parent domain; the first with a matching rule decides. Among
 * its rules the longest matching path prefix wins (case-insensitively), the rule without a path
 * being the host's fallback; at a host with patterns, the rule reaching deepest (`ruleDepth`),
 * ties going to the first in tie-break order.
 */
export function resolveSlug(compiled, rawUrl) {
  const parsed = parseHttpUrl(rawUrl);
  const url = parsed && unwrapUrl(parsed);
  if (!url) return null;
  const host = normalizeHost(url.hostname);
  const path = url.pathname.toLowerCase();
  for (const candidate of candidateHosts(host)) {
    const rules = compiled.byHost.get(candidate);
    if (!rules) continue;
    if (compiled.ranked?.has(candidate)) {
      let best = null;
      let deepest = -1;
      for (const [rulePath, slug] of rules) {
        const depth = ruleDepth(rulePath, path);
        if (depth > deepest) [best, deepest] = [slug, depth];
      }
      if (deepest >= 0) return best;
      continue;
    }
    for (const [prefix, slug] of rules) {
      if (pathMatches(prefix, path)) return slug;
    }
  }
  return null;
}

/** Return `{slug, name, bias, factuality}` for the outlet a URL belongs to, or null. */
export function resolveOutlet(compiled, rawUrl) {
  const slug = resolveSlug(compiled, rawUrl);
  if (!slug) return null;
  const outlet = compiled.outlets[slug];
  return outlet ? { slug, ...outlet } : { slug, name: slug, bias: null, factuality: null };
}

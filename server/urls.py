"""Turn what people paste into one canonical URL, and find the outlet that published it.

Pure Python: no Flask, no network. The rules, in the order they are applied:

**Accepting input.** Surrounding whitespace, ``<…>`` and quotes are dropped, as are tabs and
line breaks anywhere (as browsers do). Data exported from feeds and CSV files often carries
``\\?`` / ``\\&`` escapes and HTML-escaped ``&amp;``; both are undone. A missing scheme means
``https://`` (``bbc.co.uk/news/x``), ``//host`` is accepted, ``http:/host`` and ``http:\\\\host``
are forgiven. Only ``http`` and ``https`` are accepted; anything else (``javascript:``,
``data:``, ``ftp:``, ``mailto:``…) is a :class:`URLError`. Input longer than
:data:`MAX_URL_LENGTH` characters is refused.

**The host** is lower-cased, its trailing dots dropped, internationalised names encoded to
ASCII punycode (UTS #46, non-transitional: what browsers do, so ``straße.de`` stays distinct from
``strasse.de``), user-info dropped, and the default port (80 / 443) dropped; other ports are
kept in the URL but are not part of :attr:`ParsedURL.host`. IP addresses are valid hosts
(local test sites are ``127.0.0.1:8000``); any other host needs a dot, except ``localhost``.

**The path** has ``.`` and ``..`` segments resolved, unsafe characters and non-ASCII
percent-encoded (UTF-8), and percent escapes upper-cased; its case is kept.

**The query** loses empty parameters and tracking parameters (:data:`TRACKING_PARAMS` and any
name starting with one of :data:`TRACKING_PREFIXES`, compared case-insensitively); the other
parameters keep their order. **The fragment** is dropped.

**Wrappers** (redirectors and viewers that carry the real address inside their own URL: the
Google AMP viewer and ``/url?q=``, AMP caches, Facebook / Instagram / Messenger link shims,
Outlook safe links, the Wayback Machine and archive.today, Yahoo / Bing / DuckDuckGo result
links, Tumblr, Reddit, LinkedIn, YouTube, VK, Slack, Pocket and affiliate redirectors) are
unwrapped first, recursively, at most :data:`MAX_UNWRAP_DEPTH` deep. Nothing is ever fetched:
a wrapper whose target is not in its URL (``t.co/…``) is left as it is.

**Matching.** :attr:`ParsedURL.host` drops ``www.``, ``m.``, ``mobile.`` and ``amp.`` prefixes
(never into the registrable domain itself, so ``amp.dev`` stays ``amp.dev``).
:attr:`ParsedURL.domain` is the registrable domain from tldextract's bundled Public Suffix List
snapshot with private suffixes, so each ``*.blogspot.com`` or ``*.github.io`` site is its own
domain; publishing platforms missing from that list (:data:`PLATFORM_DOMAINS`, e.g.
``substack.com``) are treated the same way.

**Rules** (:func:`parse_rule`) are a host and an optional path: ``nytimes.com``,
``bbc.co.uk/sport``, ``nytimes.com/*/opinion``. The host is normalised as a URL's host is for
matching; the path is canonicalised as a URL's path is, lower-cased, without trailing slashes.
A path is a list of segments, each literal text or ``*``, which stands for any number of whole
segments, none included. A rule matches a URL whose path *starts* with segments that the rule's
path matches, compared case-insensitively and whole segment by whole segment: ``/opinion``
matches ``/opinion`` and ``/opinion/x`` but not ``/opinions`` nor ``/2024/05/01/opinion/x``;
``/*/opinion`` matches ``/opinion/x`` and ``/2024/05/01/opinion/x`` but not ``/opinionated/x``
nor ``/2024/05/01/world/opinion-poll``. A ``*`` that is part of a segment (``opinion*``) is
refused, and so are ``**`` and ``*/*`` (one ``*`` already covers any number of segments) and an
empty segment in a pattern; a trailing ``*`` is dropped (a rule covers everything below it
anyway), so ``nytimes.com/*/opinion/*`` is ``nytimes.com/*/opinion`` and ``nytimes.com/*`` is
``nytimes.com``. A canonical path longer than :data:`MAX_RULE_PATH_LENGTH` is refused too. Each
error message says what to write instead.

**Which rule wins.** :class:`OutletResolver` tries the host, then each parent domain down to
the registrable domain (never above it); the first of these with a matching rule decides, so
any rule of ``cooking.nytimes.com``, even its empty-path fallback, beats every rule of
``nytimes.com``. Among the matching rules of one host, the one whose match reaches deepest into
the path wins: the number of the URL's path segments it covers, up to its last literal segment,
each ``*`` covering as few segments as it can; the empty path (the host's fallback) covers none.
For plain prefixes that is the longest prefix. On
``theguardian.com/us-news/commentisfree/2024/x``, ``/*/commentisfree`` (two segments) beats
``/us-news`` (one). Equal depths go to the rule with more literal segments, then to the one with
fewer ``*``, then to the path that comes first in code-point order, so the answer never depends
on the order in which rules were given. The extension's ``shared/resolve.js`` applies the same
rules to the compact outlet index, whose rows carry the canonical path as it is here.
"""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import quote, unquote

import idna
import tldextract

__all__ = [
    "MAX_RULE_PATH_LENGTH",
    "MAX_UNWRAP_DEPTH",
    "MAX_URL_LENGTH",
    "PLATFORM_DOMAINS",
    "SITE_PREFIXES",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "OutletResolver",
    "ParsedURL",
    "URLError",
    "canonicalize",
    "clear_caches",
    "normalize_rule",
    "parse_rule",
    "registrable_domain",
]

T = TypeVar("T")

MAX_URL_LENGTH = 2048
"""Longest input accepted, in characters (after trimming surrounding whitespace)."""

MAX_UNWRAP_DEPTH = 5
"""How many wrappers inside wrappers are unwrapped before giving up."""

MAX_RULE_PATH_LENGTH = 200
"""Longest canonical rule path, in characters: what the ``outlet_rule.path`` column holds."""

TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # Ad and social click identifiers.
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "igsh", "epik", "s_kwcid", "srsltid",
        # Newsletter and marketing tools (Mailchimp, HubSpot, Marketo, Vero, Olytics).
        "mc_cid", "mc_eid", "mkt_tok", "_hsenc", "_hsmi", "hsctatracking", "vero_id",
        "oly_anon_id", "oly_enc_id", "rb_clickid", "_bta_tid", "_bta_c",
        # Google Analytics linker, Twitter embeds, Yahoo consent, Adobe.
        "_ga", "_gl", "ref_src", "ref_url", "guccounter", "guce_referrer",
        "guce_referrer_sig", "s_cid", "__twitter_impression",
        # Publishers' own campaign tags (Guardian CMP, NYT smid, Microsoft ocid, Le Monde
        # xtor, MarketWatch reflink, HuffPost/Yahoo ncid, share tags).
        "cmp", "cmpid", "smid", "smtyp", "ocid", "xtor", "reflink", "ncid", "sr_share",
        "soc_src", "soc_trk", "trk", "trkcampaign", "share_id", "usqp",
    }
)  # fmt: skip
"""Query parameters removed from the canonical URL (compared lower-cased)."""

TRACKING_PREFIXES: tuple[str, ...] = (
    "utm_",  # Google Analytics campaigns (utm_source, utm_medium, …, utm_hp_ref)
    "at_",  # AT Internet / Piano (BBC: at_medium, at_campaign, at_link_id, …)
    "ns_",  # comScore (BBC: ns_mchannel, ns_source, ns_campaign, …)
    "pk_",  # Matomo / Piwik
    "mtm_",  # Matomo
    "hsa_",  # HubSpot ads
    "__hs",  # HubSpot (__hstc, __hssc, __hsfp)
    "fb_",  # Facebook (fb_action_ids, fb_ref, fb_source, …)
    "wt.",  # Webtrends (WT.mc_id)
    "wt_",  # Webtrends
    "cm_",  # IBM Coremetrics (cm_mmc, cm_ven)
    "itm_",  # internal campaign tags (itm_source, itm_medium, …)
    "amp_",  # AMP viewer and cache state (amp_js_v, amp_gsa, amp_r, …)
)
"""Query parameter name prefixes removed from the canonical URL (compared lower-cased)."""

PLATFORM_DOMAINS: frozenset[str] = frozenset(
    {
        "substack.com",
        "wordpress.com",
        "medium.com",
        "tumblr.com",
        "typepad.com",
        "livejournal.com",
        "ghost.io",
        "beehiiv.com",
        "weebly.com",
        "blogger.com",
    }
)
"""Publishing platforms whose subdomains are separate sites but which the Public Suffix List
snapshot does not list as private suffixes (it does list blogspot.com, github.io, …)."""

SITE_PREFIXES: tuple[str, ...] = ("www.", "m.", "mobile.", "amp.")
"""Host prefixes that name the same site, dropped from :attr:`ParsedURL.host`."""


class URLError(ValueError):
    """The input is not an http(s) URL we can read; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class ParsedURL:
    """A canonical URL and the parts used to match it to an outlet."""

    url: str
    """The canonical URL: what was pasted, unwrapped and cleaned."""
    host: str
    """Lower-case ASCII host without port and without ``www.``/``m.``/``mobile.``/``amp.``."""
    path: str
    """The canonical path (always starts with ``/``)."""
    domain: str
    """The registrable domain (``bbc.co.uk``), or the whole site under a private suffix
    (``foo.github.io``); for IP addresses and bare suffixes, the host itself."""

    @property
    def key(self) -> str:
        """Return the article's identity: the canonical URL without scheme and site prefix.

        ``http://bbc.co.uk/x``, ``https://www.bbc.co.uk/x`` and ``https://m.bbc.co.uk/x``
        are one article, though each stays a working link as :attr:`url`.
        """
        authority, _, tail = self.url.partition("://")[2].partition("/")
        colon = authority.rfind(":")
        port = authority[colon:] if colon > authority.rfind("]") else ""
        return f"{self.host}{port}/{tail}"


# --- Input clean-up ---------------------------------------------------------------------------

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_PORT_AFTER_HOST = re.compile(r"[0-9]+(?:[/?#]|$)")
_AUTHORITY_END = re.compile(r"[/?#]")
_BACKSLASH_ESCAPE = re.compile(r"\\([?&=#])")
_LINE_BREAKS = re.compile(r"[\t\n\r]")
_QUERY_OR_FRAGMENT = re.compile(r"[?#]")

# Schemes that look like "host:port" to the missing-scheme rule but are not hosts.
_NOT_WEB_SCHEMES = frozenset(
    {
        "javascript", "vbscript", "data", "mailto", "tel", "sms", "ftp", "ftps", "sftp",
        "file", "about", "blob", "chrome", "view-source", "ws", "wss", "urn", "news", "nntp",
        "irc", "git", "ssh", "magnet", "intent", "market", "geo", "steam", "slack",
    }
)  # fmt: skip

# Characters browsers percent-encode in a path (WHATWG path percent-encode set) and in a query.
# The query set also takes the backslash, so that a canonical URL never carries a "\?" escape
# that a second pass would undo (canonicalize is idempotent).
_PATH_UNSAFE = re.compile(r"[\x00-\x20\"<>`{}\x7f]|[^\x00-\x7f]+")
_QUERY_UNSAFE = re.compile(r"[\x00-\x20\"<>'\\\x7f]|[^\x00-\x7f]+")
_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_HOST_LABELS = re.compile(r"[a-z0-9_\-]+(?:\.[a-z0-9_\-]+)*")


def _percent_encode(match: re.Match[str]) -> str:
    return quote(match.group(0), safe="", errors="strict")


def _upper_escape(match: re.Match[str]) -> str:
    return match.group(0).upper()


def _clean_input(raw: str) -> str:
    text = raw.strip()
    if len(text) >= 2 and (text[0], text[-1]) in (("<", ">"), ('"', '"'), ("'", "'")):
        text = text[1:-1].strip()
    if not text:
        raise URLError("no URL given")
    if len(text) > MAX_URL_LENGTH:
        raise URLError(f"URL longer than {MAX_URL_LENGTH} characters")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise URLError("the URL contains characters that are not valid text") from None
    if "\t" in text or "\n" in text or "\r" in text:
        text = _LINE_BREAKS.sub("", text)
    if "\\" in text:
        text = _BACKSLASH_ESCAPE.sub(r"\1", text)
        # Browsers read any other backslash before the query as a slash.
        end = _QUERY_OR_FRAGMENT.search(text)
        cut = end.start() if end else len(text)
        text = text[:cut].replace("\\", "/") + text[cut:]
    while "&amp;" in text:
        text = text.replace("&amp;", "&")
    return text


def _split(text: str) -> tuple[str, str, str, str]:
    """Split cleaned input into scheme, authority, path and query (the fragment is dropped)."""
    scheme = "https"
    rest = text
    match = _SCHEME.match(text)
    if match is not None:
        name = match.group(1).lower()
        after = text[match.end() :]
        if name in ("http", "https"):
            scheme = name
            rest = after.lstrip("/")
        elif name in _NOT_WEB_SCHEMES or not _PORT_AFTER_HOST.match(after):
            shown = name if len(name) <= 20 else name[:20] + "…"
            raise URLError(f"not an http(s) URL (it starts with '{shown}:')")
        # else: "bbc.co.uk:8080/x" — a host and port without a scheme.
    elif text.startswith("//"):
        rest = text[2:]
    end = _AUTHORITY_END.search(rest)
    if end is None:
        return scheme, rest, "", ""
    authority = rest[: end.start()]
    tail = rest[end.start() :]
    if "#" in tail:
        tail = tail.partition("#")[0]
    path, _, query = tail.partition("?")
    return scheme, authority, path, query


def _split_authority(scheme: str, authority: str) -> tuple[str, str]:
    """Return the raw host and the port to show (``""`` for the scheme's default)."""
    if "@" in authority:
        authority = authority.rpartition("@")[2]
    port = ""
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise URLError("unclosed '[' in the host")
        host, after = authority[: close + 1], authority[close + 1 :]
        if after:
            if not after.startswith(":"):
                raise URLError("unexpected text after the IPv6 address")
            port = after[1:]
    elif ":" in authority:
        host, _, port = authority.rpartition(":")
    else:
        host = authority
    if port:
        if not (port.isascii() and port.isdigit()) or int(port) > 65535:
            raise URLError(f"invalid port ':{port[:10]}'")
        number = int(port)
        port = "" if number == (443 if scheme == "https" else 80) else str(number)
    return host, port


# --- Hosts and domains ------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # The bundled snapshot only: no suffix list download, no disk cache.
    return tldextract.TLDExtract(
        suffix_list_urls=(), include_psl_private_domains=True, cache_dir=None
    )


@functools.lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """Return the registrable domain of a lower-case ASCII host: the site that owns it.

    ``news.bbc.co.uk`` → ``bbc.co.uk``; under a private suffix or publishing platform each site
    stands alone (``foo.blogspot.com``, ``foo.substack.com``). An IP address, ``localhost`` or a
    bare public suffix is returned as it is, so the answer is never empty for a valid host.
    """
    if _is_ip(host):
        return host
    domain = _extractor()(host).top_domain_under_public_suffix or host
    if domain in PLATFORM_DOMAINS and len(host) > len(domain):
        label = host[: -len(domain) - 1].rpartition(".")[2]
        if label + "." not in SITE_PREFIXES:
            domain = f"{label}.{domain}"
    return domain


def _is_ip(host: str) -> bool:
    return host.startswith("[") or (host[-1:].isdigit() and host.replace(".", "").isdigit())


def _to_ascii(host: str) -> str:
    """Encode an internationalised host name as browsers do (UTS #46, non-transitional)."""
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        pass
    # Browsers are laxer than IDNA 2008 (emoji, symbols): fall back to IDNA 2003 per label.
    try:
        return host.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        raise URLError("the host is not a valid international domain name") from None


@functools.lru_cache(maxsize=65536)
def _host_info(raw_host: str) -> tuple[str, str, str]:
    """Return (canonical host, host for matching, registrable domain) of a raw host."""
    host = raw_host
    if "%" in host:
        host = unquote(host, errors="strict")
    if host.startswith("[") and host.endswith("]"):
        try:
            address = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise URLError(f"'{_short(host)}' is not a valid IPv6 address") from None
        host = f"[{address.compressed}]"
        return host, host, host
    host = host.rstrip(".")
    if not host:
        raise URLError("no host in the URL")
    if not host.isascii():
        host = _to_ascii(host).rstrip(".")
    host = host.lower()
    if len(host) > 253 or not _HOST_LABELS.fullmatch(host):
        raise URLError(f"'{_short(host)}' is not a valid host name")
    labels = host.split(".")
    if any(len(label) > 63 for label in labels):
        raise URLError(f"'{_short(host)}' has a label longer than 63 characters")
    if labels[-1].isdigit():
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise URLError(f"'{_short(host)}' is not a valid IP address") from None
        return host, host, host
    if len(labels) == 1 and host != "localhost":
        raise URLError(f"'{_short(host)}' is not a domain name (no dot)")
    domain = registrable_domain(host)
    return host, _match_host(host, domain), domain


def _match_host(host: str, domain: str) -> str:
    """Drop www./m./mobile./amp. prefixes, but never into the registrable domain."""
    stripped = True
    while stripped:
        stripped = False
        for prefix in SITE_PREFIXES:
            if host.startswith(prefix) and len(host) - len(prefix) >= len(domain):
                host = host[len(prefix) :]
                stripped = True
                break
    return host


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# --- Wrappers ---------------------------------------------------------------------------------
# Each unwrapper gets the canonical host, the raw path and the raw query of a URL whose
# registrable domain it is registered for, and returns the wrapped target or None.

_Unwrapper = Callable[[str, str, str], str | None]


def _param(query: str, *names: str) -> str | None:
    """Return the first non-empty value of the named parameters, percent-decoded."""
    found: dict[str, str] = {}
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if key in names and value and key not in found:
            found[key] = value
    for name in names:
        if name in found:
            value = unquote(found[name])
            # Some wrappers encode their target twice.
            if value[:8].lower() in ("http%3a%", "https%3a"):
                value = unquote(value)
            return value
    return None


def _with_query(target: str, query: str) -> str:
    return f"{target}?{query}" if query else target


def _unwrap_google(host: str, path: str, query: str) -> str | None:
    if path == "/url":
        return _param(query, "url", "q")
    if path.startswith("/amp/"):  # AMP viewer: /amp/s/<https target>, /amp/<http target>
        target = path[5:]
        if target.startswith("s/"):
            return _with_query("https://" + target[2:], query)
        return _with_query("http://" + target, query) if target else None
    return None


_AMP_CACHE_PATH = re.compile(r"/(?:c|v|i|r|wp|a)/(s/)?(.+)")


def _unwrap_amp_cache(host: str, path: str, query: str) -> str | None:
    # <publisher-with-dashes>.cdn.ampproject.org/c/s/<target> (also /v/ for the viewer).
    match = _AMP_CACHE_PATH.fullmatch(path)
    if match is None:
        return None
    scheme = "https://" if match.group(1) else "http://"
    return _with_query(scheme + match.group(2), query)


_FACEBOOK_PATHS = frozenset(
    {"/l.php", "/l/", "/", "/flx/warn/", "/sharer.php", "/sharer/sharer.php"}
)


def _unwrap_facebook(host: str, path: str, query: str) -> str | None:
    return _param(query, "u") if path in _FACEBOOK_PATHS else None


def _unwrap_reddit(host: str, path: str, query: str) -> str | None:
    return _param(query, "url") if host == "out.reddit.com" else None


def _unwrap_safelinks(host: str, path: str, query: str) -> str | None:
    return _param(query, "url") if "safelinks" in host else None


_WAYBACK_PATH = re.compile(r"/web/(?:[0-9]{1,14}[a-z_]*|[0-9]{0,14}\*)/(.+)")


def _unwrap_wayback(host: str, path: str, query: str) -> str | None:
    if host not in ("web.archive.org", "wayback.archive.org"):
        return None
    match = _WAYBACK_PATH.fullmatch(path)
    return _with_query(match.group(1), query) if match else None


_ARCHIVE_TODAY_PATH = re.compile(
    r"/(?:newest/|oldest/|[0-9]{14}/|[0-9]{4}\.[0-9]{2}\.[0-9]{2}-[0-9]{6}/|o/[A-Za-z0-9]+/)?"
    r"((?i:https?):/.+)"
)


def _unwrap_archive_today(host: str, path: str, query: str) -> str | None:
    match = _ARCHIVE_TODAY_PATH.fullmatch(path)
    return _with_query(match.group(1), query) if match else None


def _unwrap_yahoo(host: str, path: str, query: str) -> str | None:
    # r.search.yahoo.com/_ylt=…/RV=2/RE=…/RO=10/RU=<encoded target>/RK=2/RS=…
    if not host.endswith("search.yahoo.com"):
        return None
    start = path.find("/RU=")
    if start < 0:
        return None
    value = path[start + 4 :].partition("/")[0]
    return unquote(value) or None


def _unwrap_bing(host: str, path: str, query: str) -> str | None:
    # bing.com/ck/a?…&u=a1<base64url of the target>
    if path != "/ck/a":
        return None
    value = _param(query, "u")
    if not value or not value.startswith("a1"):
        return None
    data = value[2:]
    try:
        decoded = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded if decoded.lower().startswith(("http://", "https://")) else None


def _by_path(path_param: dict[str, tuple[str, ...]]) -> _Unwrapper:
    """An unwrapper for redirectors that take the target in a query parameter on a path."""

    def unwrap(host: str, path: str, query: str) -> str | None:
        names = path_param.get(path)
        return _param(query, *names) if names else None

    return unwrap


def _href_li(host: str, path: str, query: str) -> str | None:
    return unquote(query) if query.lower().startswith("http") else None


_UNWRAPPERS: dict[str, _Unwrapper] = {
    "ampproject.org": _unwrap_amp_cache,
    "bing-amp.com": _unwrap_amp_cache,
    "facebook.com": _unwrap_facebook,
    "messenger.com": _unwrap_facebook,
    "instagram.com": _unwrap_facebook,
    "outlook.com": _unwrap_safelinks,
    "office365.us": _unwrap_safelinks,
    "archive.org": _unwrap_wayback,
    "archive.ph": _unwrap_archive_today,
    "archive.today": _unwrap_archive_today,
    "archive.is": _unwrap_archive_today,
    "archive.li": _unwrap_archive_today,
    "archive.vn": _unwrap_archive_today,
    "archive.md": _unwrap_archive_today,
    "archive.fo": _unwrap_archive_today,
    "yahoo.com": _unwrap_yahoo,
    "bing.com": _unwrap_bing,
    "umblr.com": _by_path({"/redirect": ("z",)}),
    "reddit.com": _unwrap_reddit,
    "linkedin.com": _by_path({"/redir/redirect": ("url",), "/safety/go": ("url",)}),
    "youtube.com": _by_path({"/redirect": ("q",)}),
    "duckduckgo.com": _by_path({"/l/": ("uddg",), "/l": ("uddg",)}),
    "vk.com": _by_path({"/away.php": ("to",)}),
    "slack-redir.net": _by_path({"/link": ("url",)}),
    "getpocket.com": _by_path({"/redirect": ("url",)}),
    "skimresources.com": _by_path({"/": ("url",)}),
    "redirectingat.com": _by_path({"/": ("url",)}),
    "href.li": _href_li,
}


_GOOGLE_DOMAIN = re.compile(r"google\.(?:[a-z]{2,3}|co\.[a-z]{2}|com\.[a-z]{2})")


def _unwrapper_for(domain: str) -> _Unwrapper | None:
    unwrap = _UNWRAPPERS.get(domain)
    if unwrap is None and domain.startswith("google.") and _GOOGLE_DOMAIN.fullmatch(domain):
        return _unwrap_google  # google.com, google.co.uk, google.de, …
    return unwrap


# --- Canonical URLs ---------------------------------------------------------------------------


def _remove_dot_segments(path: str) -> str:
    segments = path.split("/")
    if "." not in segments and ".." not in segments:
        return path
    out: list[str] = []
    for segment in segments[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")
    return "/" + "/".join(out)


def _canonical_path(path: str) -> str:
    if not path:
        return "/"
    if not path.isascii() or _PATH_UNSAFE.search(path):
        path = _PATH_UNSAFE.sub(_percent_encode, path)
    if "%" in path:
        path = _PERCENT_ESCAPE.sub(_upper_escape, path)
    if "/." in path:
        path = _remove_dot_segments(path)
    return path


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _canonical_query(query: str) -> str:
    kept = [pair for pair in query.split("&") if pair and not _is_tracking(pair.partition("=")[0])]
    query = "&".join(kept)
    if not query.isascii() or _QUERY_UNSAFE.search(query):
        query = _QUERY_UNSAFE.sub(_percent_encode, query)
    if "%" in query:
        query = _PERCENT_ESCAPE.sub(_upper_escape, query)
    return query


def canonicalize(raw: str) -> ParsedURL:
    """Return the canonical form of a pasted URL, unwrapped, with its host and domain.

    Raises :class:`URLError` (and nothing else, for any string) when the input is not an
    http(s) URL we can read; the message says what is wrong.
    """
    if not isinstance(raw, str):
        raise URLError("the URL must be text")
    return _canonicalize(raw, 0)


def _canonicalize(raw: str, depth: int) -> ParsedURL:
    scheme, authority, path, query = _split(_clean_input(raw))
    raw_host, port = _split_authority(scheme, authority)
    if not raw_host:
        raise URLError("no host in the URL")
    try:
        host, match_host, domain = _host_info(raw_host)
    except UnicodeError:  # a malformed percent escape in the host
        raise URLError("the host is not valid text") from None

    unwrap = _unwrapper_for(domain)
    if unwrap is not None:
        target = unwrap(host, path or "/", query)
        if target:
            if depth >= MAX_UNWRAP_DEPTH:
                raise URLError(f"more than {MAX_UNWRAP_DEPTH} redirect links inside each other")
            return _canonicalize(target, depth + 1)

    path = _canonical_path(path)
    url = f"{scheme}://{host}:{port}{path}" if port else f"{scheme}://{host}{path}"
    if query:
        query = _canonical_query(query)
        if query:
            url = f"{url}?{query}"
    return ParsedURL(url=url, host=match_host, path=path, domain=domain)


# --- Rules and the resolver -------------------------------------------------------------------


def parse_rule(rule: str) -> tuple[str, str]:
    """Split a rule such as ``nytimes.com/*/opinion`` into its canonical host and path.

    The host is normalised exactly as :func:`canonicalize` normalises hosts for matching
    (so ``www.NYTimes.com`` and ``nytimes.com`` are one rule); the path is ``""`` (the whole
    host) or a prefix or pattern starting with ``/``, in the canonical form
    :func:`normalize_rule` gives it. A scheme and a leading ``*.`` are tolerated; a query,
    fragment, port, user-info or misplaced ``*`` is a :class:`URLError`.
    """
    text = rule.strip()
    if not text:
        raise URLError("empty rule")
    match = _SCHEME.match(text)
    if match is not None and text[match.end() :].startswith("//"):
        if match.group(1).lower() not in ("http", "https"):
            raise URLError("a rule is a host and optional path, such as 'nytimes.com/opinion'")
        text = text[match.end() + 2 :]
    if text.startswith("*."):
        text = text[2:]
    host, slash, path = text.partition("/")
    return normalize_rule(host, slash + path)


def normalize_rule(host: str, path: str) -> tuple[str, str]:
    """Return the canonical ``(host, path)`` of a rule given as its two parts.

    The path is canonicalised like a URL's path, lower-cased and stripped of trailing slashes;
    a pattern also loses a trailing ``*`` (a rule covers everything below it anyway), so a
    path of only ``*`` is the host's fallback ``""``. Two rules that match the same URLs
    therefore have one canonical form, except that ``/*/x`` is kept apart from ``/x``.
    """
    if "?" in path or "#" in path or "?" in host or "#" in host:
        raise URLError("a rule cannot have a query or fragment; give the host and path only")
    if "@" in host:
        raise URLError("a rule cannot have user-info ('…@')")
    if ":" in host and not host.startswith("["):
        raise URLError("a rule matches every port; drop the ':port'")
    if not host.strip():
        raise URLError("a rule needs a host")
    if any(c.isspace() for c in host + path):
        raise URLError("a rule cannot contain spaces")
    try:
        _, match_host, _ = _host_info(host)
    except UnicodeError:
        raise URLError("the host is not valid text") from None
    if not path:
        return match_host, ""
    if not path.startswith("/"):
        path = "/" + path
    path = _canonical_path(path).rstrip("/").lower()
    if "*" in path:
        path = _canonical_pattern(path)
    if len(path) > MAX_RULE_PATH_LENGTH:
        raise URLError(f"a rule's path can be at most {MAX_RULE_PATH_LENGTH} characters")
    return match_host, path


def _canonical_pattern(path: str) -> str:
    """Check a rule path holding ``*`` and return it without trailing ``*`` segments."""
    segments = path[1:].split("/")
    for segment in segments:
        if segment == "**":
            raise URLError(
                "'**' is not needed: '*' already stands for any number of path segments, "
                "as in 'nytimes.com/*/opinion'"
            )
        if "*" in segment and segment != "*":
            raise URLError(
                f"'*' stands for whole path segments, as in 'nytimes.com/*/opinion'; "
                f"'{_short(segment)}' mixes it with text"
            )
        if not segment:
            raise URLError("a pattern cannot have an empty path segment ('//')")
    if "/*/*" in path + "/":
        raise URLError(
            "'*/*' says no more than '*', which already stands for any number of path "
            "segments; write one '*'"
        )
    while segments and segments[-1] == "*":
        segments.pop()
    return "/" + "/".join(segments) if segments else ""


def _pattern_parts(path: str) -> tuple[str, tuple[str, ...]]:
    """Split a canonical rule path into its leading literal part and the runs after each ``*``.

    ``/a/*/b/c/*/d`` → ``("/a", ("/b/c", "/d"))``; a prefix ``/opinion`` → ``("/opinion", ())``.
    """
    parts: list[str] = [""]
    for segment in path[1:].split("/") if path else ():
        if segment == "*":
            parts.append("")
        else:
            parts[-1] += "/" + segment
    return parts[0], tuple(parts[1:])


def _depth(lead: str, runs: tuple[str, ...], path: str) -> int:
    """Return how many segments of a lower-case path a rule covers, or -1 if it does not match.

    That is the segments up to the rule's last literal one, each ``*`` covering as few as it
    can (0 for the fallback). Each run of literal segments after a ``*`` is put at its earliest
    place in the path: if the rule matches at all it matches so, and that match ends earliest.
    A few string searches, without backtracking however the pattern is written.
    """
    end = len(lead)
    if end and (not path.startswith(lead) or (len(path) > end and path[end] != "/")):
        return -1
    for run in runs:  # each starts with "/", so it is found only at a segment boundary
        at = path.find(run, end)
        after = at + len(run)
        while at >= 0 and after < len(path) and path[after] != "/":
            at = path.find(run, at + 1)
            after = at + len(run)
        if at < 0:
            return -1
        end = after
    return path.count("/", 0, end)


def _rank_order(path: str) -> tuple[int, int, str]:
    """Return the tie-break order of a rule path: more literal segments, fewer ``*``, the path."""
    segments = path[1:].split("/") if path else []
    stars = segments.count("*")
    return (stars - len(segments), stars, path)


@dataclass(frozen=True, slots=True)
class _Patterned(Generic[T]):
    """The rules of a host that has patterns: its prefixes and its patterns, ranked together."""

    prefixes: tuple[tuple[str, T], ...]
    """Longest first, as :class:`OutletResolver` keeps them for other hosts."""
    patterns: tuple[tuple[str, tuple[str, ...], T], ...]
    """``(leading literals, the runs after each '*', value)``, in tie-break order."""

    def resolve(self, lowered: str) -> tuple[T] | None:
        """Return ``(value,)`` of the winning rule for a lower-case path, or ``None``.

        The first prefix that covers the path is the deepest; a pattern wins only by reaching
        deeper, since at equal depth a prefix has at least as many literal segments and no
        ``*``; among patterns the first of the deepest, in tie-break order, wins.
        """
        found: tuple[T] | None = None
        deepest = -1
        for prefix, value in self.prefixes:
            if not prefix or (
                lowered.startswith(prefix)
                and (len(lowered) == len(prefix) or lowered[len(prefix)] == "/")
            ):
                found, deepest = (value,), prefix.count("/")
                break
        for lead, runs, value in self.patterns:
            depth = _depth(lead, runs, lowered)
            if depth > deepest:
                found, deepest = (value,), depth
        return found


class OutletResolver(Generic[T]):
    """Map canonical URLs to values (outlet slugs) by host and path rules.

    Lookups are dictionary probes: the host, then each parent domain down to the registrable
    domain. At a host without patterns (most of them) its prefixes are tried longest first and
    the first that covers the path wins, at the cost of a few string comparisons; a host with
    patterns ranks them against its deepest prefix (:class:`_Patterned`).
    """

    __slots__ = ("_hosts", "_patterns", "_size")

    def __init__(self, rules: Iterable[tuple[str, str, T]]) -> None:
        """Build from ``(host, path, value)`` rules, normalising each one.

        Raises :class:`URLError` for an invalid rule and :class:`ValueError` when one rule is
        given two different values.
        """
        table: dict[str, dict[str, T]] = {}
        for raw_host, raw_path, value in rules:
            host, path = normalize_rule(raw_host, raw_path)
            paths = table.setdefault(host, {})
            if path in paths and paths[path] != value:
                raise ValueError(
                    f"rule {host + path!r} is given to both {paths[path]!r} and {value!r}"
                )
            paths[path] = value
        self._hosts: dict[str, tuple[tuple[str | None, T | None], ...]] = {}
        self._patterns: dict[str, _Patterned[T]] = {}
        for host, paths in table.items():
            # Longest prefix first; "" (the host's fallback) matches every path, so it is last.
            prefixes = tuple(
                sorted(
                    ((path, value) for path, value in paths.items() if "*" not in path),
                    key=lambda item: -len(item[0]),
                )
            )
            if len(prefixes) == len(paths):
                self._hosts[host] = prefixes
                continue
            patterns = tuple(
                (*_pattern_parts(path), paths[path])
                for path in sorted((path for path in paths if "*" in path), key=_rank_order)
            )
            self._patterns[host] = _Patterned(prefixes, patterns)
            # This marker, the host's one entry, sends resolve() to the patterns at no cost to
            # the other hosts: it is only looked at where a prefix is empty.
            self._hosts[host] = ((None, None),)
        self._size = sum(len(p) for p in table.values())

    @classmethod
    def from_strings(cls, rules: Iterable[tuple[str, T]]) -> OutletResolver[T]:
        """Build from ``(rule, value)`` pairs such as ``("nytimes.com/opinion", "nyt-op")``."""
        return cls((*parse_rule(rule), value) for rule, value in rules)

    def __len__(self) -> int:
        """Return the number of rules."""
        return self._size

    def resolve(self, parsed: ParsedURL) -> T | None:
        """Return the value of the most specific rule matching ``parsed``, or ``None``."""
        hosts = self._hosts
        host = parsed.host
        floor = len(parsed.domain)
        lowered: str | None = None
        while True:
            prefixes = hosts.get(host)
            if prefixes is not None:
                for prefix, value in prefixes:
                    if not prefix:
                        if prefix is None:  # the host has patterns
                            if lowered is None:
                                lowered = parsed.path.lower()
                            found = self._patterns[host].resolve(lowered)
                            if found is not None:
                                return found[0]
                            break
                        return value
                    if lowered is None:
                        lowered = parsed.path.lower()
                    if lowered.startswith(prefix) and (
                        len(lowered) == len(prefix) or lowered[len(prefix)] == "/"
                    ):
                        return value
            host = host.partition(".")[2]
            if len(host) < floor:
                return None

    def resolve_url(self, raw: str) -> tuple[ParsedURL, T | None]:
        """Canonicalize ``raw`` and resolve it; raises :class:`URLError` for bad input."""
        parsed = canonicalize(raw)
        return parsed, self.resolve(parsed)


def clear_caches() -> None:
    """Forget cached hosts, domains and the suffix list (for tests and benchmarks)."""
    _host_info.cache_clear()
    registrable_domain.cache_clear()
    _extractor.cache_clear()

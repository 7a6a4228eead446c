"""URL canonicalisation and outlet resolution (``server.urls``).

The shared corpus ``tests/data/url_corpus.json`` is the specification both resolvers follow (this
one and the extension's): ``rules`` are ``[host, path, outlet]`` in canonical form (ASCII
punycode host without ``www.``, lower-case path prefix or ``*`` pattern without a trailing slash,
as the outlet index serves them) and each case gives a pasted URL, the outlet it must resolve to
(or ``null``) and its canonical URL.
"""

from __future__ import annotations

import json
import socket
import string
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import tldextract
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import urls
from server.urls import (
    MAX_UNWRAP_DEPTH,
    MAX_URL_LENGTH,
    OutletResolver,
    ParsedURL,
    URLError,
    canonicalize,
    parse_rule,
    registrable_domain,
)

CORPUS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "url_corpus.json").read_text(encoding="utf-8")
)
CORPUS_RULES: list[tuple[str, str, str]] = [(h, p, v) for h, p, v in CORPUS["rules"]]
CORPUS_CASES = CORPUS["cases"]


@pytest.fixture(scope="module")
def resolver() -> OutletResolver[str]:
    """Return a resolver built from the corpus rules."""
    return OutletResolver(CORPUS_RULES)


# --- The shared corpus ------------------------------------------------------------------------


def test_corpus_is_large_and_well_formed() -> None:
    assert len(CORPUS_CASES) >= 220
    urls_seen = [case["url"] for case in CORPUS_CASES]
    assert len(set(urls_seen)) == len(urls_seen), "a URL is listed twice"
    slugs = {rule[2] for rule in CORPUS_RULES}
    for case in CORPUS_CASES:
        assert set(case) <= {"url", "outlet", "canonical", "note"}
        assert case["outlet"] is None or case["outlet"] in slugs, case
        assert case["note"]


def test_corpus_rules_are_canonical() -> None:
    for host, path, _ in CORPUS_RULES:
        assert parse_rule(host + path) == (host, path)


@pytest.mark.parametrize("case", CORPUS_CASES, ids=[case["note"] for case in CORPUS_CASES])
def test_corpus_url_resolves_to_expected_outlet(
    resolver: OutletResolver[str], case: dict[str, Any]
) -> None:
    parsed, outlet = resolver.resolve_url(case["url"])
    assert outlet == case["outlet"]
    if "canonical" in case:
        assert parsed.url == case["canonical"]


@pytest.mark.parametrize("case", CORPUS_CASES, ids=[case["note"] for case in CORPUS_CASES])
def test_corpus_canonical_url_is_a_fixed_point(case: dict[str, Any]) -> None:
    parsed = canonicalize(case["url"])
    assert canonicalize(parsed.url) == parsed


# --- Canonical URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://a.example.com/x?utm_source=tw&utm_medium=social", "https://a.example.com/x"),
        (
            "https://a.example.com/x?id=7&utm_campaign=c&page=2",
            "https://a.example.com/x?id=7&page=2",
        ),
        ("https://a.example.com/x?b=2&a=1", "https://a.example.com/x?b=2&a=1"),
        ("https://a.example.com/x?fbclid=1&gclid=2&dclid=3&msclkid=4", "https://a.example.com/x"),
        ("https://a.example.com/x?mc_cid=1&mc_eid=2&igshid=3&_ga=4", "https://a.example.com/x"),
        ("https://a.example.com/x?ref_src=1&cmpid=2&ocid=3&smid=4", "https://a.example.com/x"),
        ("https://a.example.com/x?at_medium=1&at_campaign=2&sr_share=3", "https://a.example.com/x"),
        ("https://a.example.com/x?Utm_Source=1&FBCLID=2", "https://a.example.com/x"),
        ("https://a.example.com/x?utm=1&ref=2", "https://a.example.com/x?utm=1&ref=2"),
        ("https://a.example.com/x?flag&utm_source=a", "https://a.example.com/x?flag"),
        ("https://a.example.com/x?&&a=1&&", "https://a.example.com/x?a=1"),
        ("https://a.example.com/x?q=a b", "https://a.example.com/x?q=a%20b"),
        ("https://a.example.com/x?q=café", "https://a.example.com/x?q=caf%C3%A9"),
    ],
)
def test_tracking_parameters_are_stripped_and_others_kept_in_order(
    raw: str, canonical: str
) -> None:
    assert canonicalize(raw).url == canonical


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://a.example.com/x#section-2", "https://a.example.com/x"),
        ("https://a.example.com/x?a=1#frag?b=2", "https://a.example.com/x?a=1"),
        ("https://a.example.com#top", "https://a.example.com/"),
        ("https://a.example.com/x#", "https://a.example.com/x"),
    ],
)
def test_fragment_is_dropped(raw: str, canonical: str) -> None:
    assert canonicalize(raw).url == canonical


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("example.com", "https://example.com/"),
        ("Example.COM/Path", "https://example.com/Path"),
        ("http://example.com:80/", "http://example.com/"),
        ("https://example.com:443/", "https://example.com/"),
        ("http://example.com:443/", "http://example.com:443/"),
        ("https://example.com:08080/", "https://example.com:8080/"),
        ("https://example.com:/x", "https://example.com/x"),
        ("https://u:p@example.com/", "https://example.com/"),
        ("https://example.com./", "https://example.com/"),
        ("https://example.com/a/../../b/./c/", "https://example.com/b/c/"),
        ("https://example.com/a/..", "https://example.com/"),
        ("https://example.com/.well-known/x", "https://example.com/.well-known/x"),
        ("https://example.com/%7euser", "https://example.com/%7Euser"),
        ("https://example.com/100%", "https://example.com/100%"),
        ("https://example.com/a\\?b=1", "https://example.com/a?b=1"),
        ("https://example.com/a?b=1&amp;c=2&amp;amp;d=3", "https://example.com/a?b=1&c=2&d=3"),
        ("https://example.com/a?b=c\\d", "https://example.com/a?b=c%5Cd"),
        ("https://exa\nmple.com/a\tb", "https://example.com/ab"),
        ("HTTP://EXAMPLE.COM/", "http://example.com/"),
        ("http://[2001:DB8::0:1]:8080/x", "http://[2001:db8::1]:8080/x"),
        ("https://münchen.de/", "https://xn--mnchen-3ya.de/"),
        ("https://%65xample.com/", "https://example.com/"),
    ],
)
def test_pasted_forms_are_normalised(raw: str, canonical: str) -> None:
    assert canonicalize(raw).url == canonical


@pytest.mark.parametrize(
    ("raw", "host", "domain"),
    [
        ("https://www.bbc.co.uk/news", "bbc.co.uk", "bbc.co.uk"),
        ("https://m.edition.cnn.com/x", "edition.cnn.com", "cnn.com"),
        ("https://www.m.example.com/", "example.com", "example.com"),
        ("https://amp.dev/", "amp.dev", "amp.dev"),
        ("https://www.com/", "www.com", "www.com"),
        ("https://foo.blogspot.com/", "foo.blogspot.com", "foo.blogspot.com"),
        ("https://www.foo.github.io/", "foo.github.io", "foo.github.io"),
        ("https://foo.substack.com/p/x", "foo.substack.com", "foo.substack.com"),
        ("https://www.substack.com/", "substack.com", "substack.com"),
        ("https://a.b.wordpress.com/", "a.b.wordpress.com", "b.wordpress.com"),
        ("https://news.bbc.co.uk./x", "news.bbc.co.uk", "bbc.co.uk"),
        ("http://127.0.0.1:8000/bbc/x", "127.0.0.1", "127.0.0.1"),
        ("http://localhost:5000/", "localhost", "localhost"),
        ("https://co.uk/", "co.uk", "co.uk"),
        ("https://www.SÜDDEUTSCHE.de/", "xn--sddeutsche-9db.de", "xn--sddeutsche-9db.de"),
    ],
)
def test_host_and_domain_for_matching(raw: str, host: str, domain: str) -> None:
    parsed = canonicalize(raw)
    assert (parsed.host, parsed.domain) == (host, domain)


def test_local_test_site_parses_with_ip_host() -> None:
    parsed = canonicalize("127.0.0.1:8000/bbc/x")
    assert parsed == ParsedURL(
        url="https://127.0.0.1:8000/bbc/x", host="127.0.0.1", path="/bbc/x", domain="127.0.0.1"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "no URL given"),
        ("   \n\t ", "no URL given"),
        ("javascript:alert(1)", "not an http(s) URL"),
        ("JavaScript:void(0)", "not an http(s) URL"),
        ("data:text/html;base64,PHNjcmlwdD4=", "not an http(s) URL"),
        ("ftp://ftp.example.com/file", "not an http(s) URL"),
        ("mailto:news@example.com", "not an http(s) URL"),
        ("file:///etc/passwd", "not an http(s) URL"),
        ("chrome-extension://abc/page.html", "not an http(s) URL"),
        ("about:blank", "not an http(s) URL"),
        ("http://", "no host"),
        ("https:///", "no host"),
        ("https://user@/x", "no host"),
        ("https://?q=1", "no host"),
        ("hello world", "not a valid host name"),
        ("just-a-word", "not a domain name"),
        ("https://exa_mple..com/", "not a valid host name"),
        ("https://.example.com/", "not a valid host name"),
        ("https://exa<mple.com/", "not a valid host name"),
        ("https://" + "a" * 64 + ".com/", "longer than 63"),
        ("https://example.com:99999/", "invalid port"),
        ("https://example.com:8o/", "invalid port"),
        ("https://999.1.1.1/", "not a valid IP address"),
        ("https://1.2.3/", "not a valid IP address"),
        ("https://[::g]/", "not a valid IPv6 address"),
        ("https://[::1/", "unclosed"),
        ("https://ex%ffample.com/", "not valid text"),
        ("https://example.com/\ud800", "not valid text"),
        ("https://" + "a" * MAX_URL_LENGTH + ".com/", f"longer than {MAX_URL_LENGTH} characters"),
    ],
)
def test_bad_input_is_rejected_with_a_reason(raw: str, message: str) -> None:
    with pytest.raises(URLError, match=message.replace("(", r"\(").replace(")", r"\)")):
        canonicalize(raw)


def test_url_at_the_length_limit_is_accepted() -> None:
    raw = "https://example.com/" + "a" * (MAX_URL_LENGTH - len("https://example.com/"))
    assert len(raw) == MAX_URL_LENGTH
    assert canonicalize(raw).url == raw


def test_non_text_input_is_a_url_error() -> None:
    with pytest.raises(URLError):
        canonicalize(b"https://example.com/")  # type: ignore[arg-type]


def test_url_error_is_a_value_error() -> None:
    assert issubclass(URLError, ValueError)


# --- Wrappers ---------------------------------------------------------------------------------


def test_amp_cache_url_resolves_to_publisher(resolver: OutletResolver[str]) -> None:
    raw = "https://www-bbc-co-uk.cdn.ampproject.org/c/s/www.bbc.co.uk/news/amp/world-1"
    assert resolver.resolve_url(raw)[1] == "bbc-news"


def test_wrapper_target_loses_its_own_tracking() -> None:
    raw = "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com%2Fa%3Fid%3D1%26fbclid%3Dx"
    assert canonicalize(raw).url == "https://example.com/a?id=1"


def test_nested_wrappers_are_unwrapped_up_to_the_limit() -> None:
    raw = "https://example.com/article"
    for _ in range(MAX_UNWRAP_DEPTH):
        raw = "https://www.google.com/url?q=" + quote(raw, safe="")
    assert canonicalize(raw).url == "https://example.com/article"
    too_deep = "https://www.google.com/url?q=" + quote(raw, safe="")
    with pytest.raises(URLError, match="redirect links"):
        canonicalize(too_deep)


def test_wrapper_pointing_to_a_non_web_url_is_rejected() -> None:
    with pytest.raises(URLError, match="not an http"):
        canonicalize("https://www.google.com/url?q=javascript%3Aalert(1)")


def test_wrapper_without_target_is_kept_as_is() -> None:
    assert canonicalize("https://www.google.com/url?sa=t").url == "https://www.google.com/url?sa=t"


def test_google_lookalike_blog_is_not_unwrapped() -> None:
    raw = "https://google.blogspot.com/url?q=https://www.bbc.co.uk/news"
    assert canonicalize(raw).domain == "google.blogspot.com"


# --- Rules and the resolver -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "parsed"),
    [
        ("nytimes.com", ("nytimes.com", "")),
        ("www.NYTimes.com/Opinion/", ("nytimes.com", "/opinion")),
        ("https://www.nytimes.com/opinion", ("nytimes.com", "/opinion")),
        ("*.example.com", ("example.com", "")),
        ("nytimes.com/", ("nytimes.com", "")),
        ("m.bbc.co.uk/sport", ("bbc.co.uk", "/sport")),
        ("süddeutsche.de", ("xn--sddeutsche-9db.de", "")),
        ("lemonde.fr/société", ("lemonde.fr", "/soci%c3%a9t%c3%a9")),
        ("127.0.0.1/bbc", ("127.0.0.1", "/bbc")),
        ("  bbc.com  ", ("bbc.com", "")),
        ("nytimes.com/*/opinion", ("nytimes.com", "/*/opinion")),
        ("www.nytimes.com/*/Opinion/*", ("nytimes.com", "/*/opinion")),
        ("https://theguardian.com/*/commentisfree/*/", ("theguardian.com", "/*/commentisfree")),
        ("cnn.com/*/opinions", ("cnn.com", "/*/opinions")),
        ("example.com/a/*/b/*/c", ("example.com", "/a/*/b/*/c")),
        ("nytimes.com/*", ("nytimes.com", "")),
        ("lemonde.fr/*/idées", ("lemonde.fr", "/*/id%c3%a9es")),
    ],
)
def test_parse_rule_normalises_like_canonicalize(rule: str, parsed: tuple[str, str]) -> None:
    assert parse_rule(rule) == parsed


@pytest.mark.parametrize(
    "rule",
    ["", "nytimes.com/x?y=1", "nytimes.com#x", "nytimes.com:8080", "u@nytimes.com", "ftp://x.com",
     "not a host", "nytimes", "nytimes.com/a b"],
)  # fmt: skip
def test_parse_rule_rejects_what_is_not_a_host_and_path(rule: str) -> None:
    with pytest.raises(URLError):
        parse_rule(rule)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("nytimes.com/opinion*", "'*' stands for whole path segments"),
        ("nytimes.com/*opinion", "as in 'nytimes.com/*/opinion'; '*opinion' mixes it with text"),
        ("nytimes.com/**/opinion", "'**' is not needed: '*' already stands for any number"),
        ("nytimes.com/*/*/*/opinion", "'*/*' says no more than '*'"),
        ("nytimes.com/opinion/*/*", "write one '*'"),
        ("nytimes.com/*//opinion", "a pattern cannot have an empty path segment ('//')"),
        ("*.nytimes.com*/opinion", "is not a valid host name"),
        ("nytimes.com/*/" + "x" * 200, "a rule's path can be at most 200 characters"),
    ],
)  # fmt: skip
def test_bad_pattern_is_refused_with_what_to_write(rule: str, message: str) -> None:
    with pytest.raises(URLError) as error:
        parse_rule(rule)
    assert message in str(error.value)


NESTED = ["example.com", "example.com/a", "example.com/a/b"]


def make_resolver(*rules: str) -> OutletResolver[str]:
    return OutletResolver.from_strings((rule, rule) for rule in rules)


@pytest.mark.parametrize(
    ("rules", "url", "expected"),
    [
        (NESTED, "example.com/a/b/c", "example.com/a/b"),
        (NESTED, "example.com/a/bc", "example.com/a"),
        (NESTED, "example.com/a", "example.com/a"),
        (["example.com", "example.com/a"], "example.com/ab", "example.com"),
        (["example.com/a"], "example.com/b", None),
        (["example.com/a"], "example.com/A/x", "example.com/a"),
        (["sub.example.com", "example.com"], "deep.sub.example.com/x", "sub.example.com"),
        (["sub.example.com/a", "example.com"], "sub.example.com/b", "example.com"),
        (["sub.example.com", "example.com/a"], "sub.example.com/a", "sub.example.com"),
        (["co.uk"], "bbc.co.uk/news", None),
        (["blogspot.com"], "foo.blogspot.com/x", None),
        (["wordpress.com"], "foo.wordpress.com/x", None),
        (["foo.wordpress.com"], "www.foo.wordpress.com/x", "foo.wordpress.com"),
        (["example.com"], "www.example.com", "example.com"),
        (["www.example.com"], "example.com", "www.example.com"),
        (["127.0.0.1/bbc"], "http://127.0.0.1:9000/bbc/x", "127.0.0.1/bbc"),
        # Patterns: the deepest match wins, whatever kind of rule it is.
        (["example.com/a", "example.com/*/b"], "example.com/a/b/c", "example.com/*/b"),
        (["example.com/a/b", "example.com/*/b"], "example.com/x/b", "example.com/*/b"),
        (["example.com/a/b/c", "example.com/*/b"], "example.com/a/b/c", "example.com/a/b/c"),
        (["example.com", "example.com/*/b"], "example.com/a/c", "example.com"),
        (["example.com/*/b"], "example.com/a/c", None),
        (["example.com/*/b"], "example.com/b", "example.com/*/b"),
        (["example.com/*/b"], "example.com/B/x", "example.com/*/b"),
        (["example.com/*/b/c"], "example.com/b/x/b/c", "example.com/*/b/c"),
        (["example.com/a/*/c"], "example.com/a/c", "example.com/a/*/c"),
        (["example.com/a/*/c"], "example.com/x/a/c", None),
        # Equal depth: more literal segments, then fewer '*', then code-point order.
        (["example.com/a/b", "example.com/*/b"], "example.com/a/b", "example.com/a/b"),
        (["example.com/*/a/b", "example.com/a/*/b"], "example.com/a/b", "example.com/*/a/b"),
        (["example.com/a/*/b", "example.com/*/b"], "example.com/a/b", "example.com/a/*/b"),
        (["example.com/a/b", "example.com/a/*/b"], "example.com/a/b", "example.com/a/b"),
        (["example.com/a/*", "example.com/*/b"], "example.com/a/b", "example.com/*/b"),
        (["example.com/*/b", "example.com/a"], "example.com/a/b", "example.com/*/b"),
        # A host's own rules, even its fallback, beat its parent's patterns.
        (["sub.example.com", "example.com/*/b"], "sub.example.com/a/b", "sub.example.com"),
        (["sub.example.com/*/b", "example.com/a"], "sub.example.com/a/c", "example.com/a"),
    ],
)
def test_most_specific_rule_wins(rules: list[str], url: str, expected: str | None) -> None:
    resolver = make_resolver(*rules)
    found = resolver.resolve(canonicalize(url))
    if expected is None:
        assert found is None
    else:
        assert found == expected


# The path rules of data/outlets.csv and the URL shapes they are for.
REAL_RULES = [
    ("nytimes.com", "new-york-times"),
    ("nytimes.com/*/opinion", "nytimes-opinion"),
    ("theguardian.com", "guardian"),
    ("theguardian.com/*/commentisfree", "guardian-opinion"),
    ("theguardian.com/us-news", "the-guardian-us"),
    ("cnn.com", "cnn"),
    ("cnn.com/*/opinions", "cnn-opinion"),
    ("forbes.com", "forbes"),
    ("forbes.com/sites", "forbes-contributors"),
    ("news.yahoo.com", "yahoo-news"),
    ("yahoo.com/news", "yahoo-news"),
    ("finance.yahoo.com", "yahoo-finance"),
]


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://www.nytimes.com/2024/05/01/opinion/trump-trial.html", "nytimes-opinion"),
        ("https://www.nytimes.com/2024/05/01/Opinion/x.html", "nytimes-opinion"),
        ("https://www.nytimes.com/interactive/2024/05/01/opinion/x.html", "nytimes-opinion"),
        ("https://www.nytimes.com/section/opinion", "nytimes-opinion"),
        ("https://www.nytimes.com/opinion", "nytimes-opinion"),
        ("https://www.nytimes.com/2024/05/01/world/europe/x.html", "new-york-times"),
        ("https://www.nytimes.com/2024/05/01/world/opinion-poll", "new-york-times"),
        ("https://www.nytimes.com/opinionated/x.html", "new-york-times"),
        ("https://www.nytimes.com/2024/05/01/opinions/x.html", "new-york-times"),
        ("https://www.theguardian.com/commentisfree/2024/may/01/x", "guardian-opinion"),
        ("https://www.theguardian.com/us-news/commentisfree/2024/may/01/x", "guardian-opinion"),
        ("https://www.theguardian.com/us-news/2024/may/01/x", "the-guardian-us"),
        ("https://www.theguardian.com/world/2024/may/01/commentisfreedom", "guardian"),
        ("https://edition.cnn.com/2024/05/01/opinions/x/index.html", "cnn-opinion"),
        ("https://www.cnn.com/2024/05/01/politics/opinions-poll/index.html", "cnn"),
        ("https://www.forbes.com/sites/jane/2024/05/01/x/", "forbes-contributors"),
        ("https://www.forbes.com/2024/05/01/sites/x/", "forbes"),
        ("https://www.yahoo.com/news/x-123456789.html", "yahoo-news"),
        ("https://uk.yahoo.com/news/x-123456789.html", "yahoo-news"),
        ("https://www.yahoo.com/newsroom/x", None),
        ("https://sports.yahoo.com/nba/news/x.html", None),
        ("https://finance.yahoo.com/news/x.html", "yahoo-finance"),
    ],
)
def test_path_rules_match_real_url_shapes(url: str, outlet: str | None) -> None:
    resolver = OutletResolver.from_strings(REAL_RULES)
    assert resolver.resolve_url(url)[1] == outlet


SEGMENTS = st.sampled_from(["a", "b", "c"])
PATTERNS = st.lists(st.one_of(SEGMENTS, st.just("*")), min_size=1, max_size=5).filter(
    lambda parts: "*" in parts and "/*/*" not in "/" + "/".join(parts) + "/"
)


def reference_depth(pattern: list[str], path: list[str]) -> int:
    """Return the fewest leading path segments that match the pattern, by brute force."""
    if not pattern:
        return 0
    if pattern[0] == "*":
        depths = [reference_depth(pattern[1:], path[skip:]) for skip in range(len(path) + 1)]
        found = [skip + depth for skip, depth in enumerate(depths) if depth >= 0]
        return min(found, default=-1)
    if path and path[0] == pattern[0]:
        rest = reference_depth(pattern[1:], path[1:])
        return -1 if rest < 0 else rest + 1
    return -1


@settings(max_examples=300, deadline=None)
@given(PATTERNS, st.lists(SEGMENTS, max_size=8))
def test_pattern_covers_the_fewest_segments_it_can(pattern: list[str], path: list[str]) -> None:
    _, canonical = parse_rule("example.com/" + "/".join(pattern))
    resolver = OutletResolver([("example.com", canonical, "x")])
    trimmed = list(pattern)
    while trimmed and trimmed[-1] == "*":
        trimmed.pop()
    expected = reference_depth(trimmed, path) if trimmed else 0
    found = resolver.resolve(canonicalize("example.com/" + "/".join(path)))
    assert found == ("x" if expected >= 0 else None)
    lead, runs = urls._pattern_parts(canonical)
    assert urls._depth(lead, runs, "/" + "/".join(path)) == expected


@settings(max_examples=100, deadline=None)
@given(
    st.lists(PATTERNS.map("/".join), min_size=1, max_size=5, unique=True),
    st.lists(SEGMENTS, max_size=6),
    st.randoms(use_true_random=False),
)
def test_winner_does_not_depend_on_rule_order(
    patterns: list[str], path: list[str], rng: Any
) -> None:
    paths = sorted({parse_rule(f"example.com/{p}")[1] for p in [*patterns, "a", "a/b"]})
    rules = [("example.com", rule_path, rule_path) for rule_path in paths]
    shuffled = list(rules)
    rng.shuffle(shuffled)
    url = canonicalize("example.com/" + "/".join(path))
    assert OutletResolver(rules).resolve(url) == OutletResolver(shuffled).resolve(url)


def test_pattern_matching_is_linear_in_the_path() -> None:
    resolver = OutletResolver.from_strings([("example.com/*/a/*/a/*/a/*/b", "x")])
    parsed = canonicalize("https://example.com/" + "a/" * 1000)
    assert resolver.resolve(parsed) is None  # milliseconds, not the age of the universe


def test_resolver_returns_falsy_values() -> None:
    resolver = OutletResolver([("example.com", "", 0), ("example.com", "/a", 1)])
    assert resolver.resolve(canonicalize("example.com/x")) == 0
    assert resolver.resolve(canonicalize("example.com/a")) == 1


def test_same_rule_given_to_two_outlets_is_an_error() -> None:
    with pytest.raises(ValueError, match="given to both"):
        OutletResolver([("example.com", "", "a"), ("www.example.com", "/", "b")])


def test_repeated_identical_rule_is_harmless() -> None:
    resolver = OutletResolver([("example.com", "", "a"), ("example.com", "", "a")])
    assert len(resolver) == 1


def test_invalid_rule_is_a_url_error() -> None:
    with pytest.raises(URLError):
        OutletResolver([("not a host", "", "a")])


def test_registrable_domain_uses_private_suffixes() -> None:
    assert registrable_domain("forums.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("someone.github.io") == "someone.github.io"
    assert registrable_domain("x.someone.blogspot.com") == "someone.blogspot.com"
    assert registrable_domain("github.io") == "github.io"


# --- Properties -------------------------------------------------------------------------------

URLISH = st.builds(
    lambda a, b, c: a + b + c,
    st.sampled_from(
        ["", "http://", "https://", "//", "HTTP:/", "www.", "127.0.0.1:", "javascript:",
         "https://web.archive.org/web/2020/", "https://www.google.com/url?q=",
         "https://www.google.com/amp/s/", "x.cdn.ampproject.org/c/s/", "l.facebook.com/l.php?u="]
    ),
    st.text(st.sampled_from(list(string.printable) + list("üß。／\\%&#?:@[]é中\u200b"))),
    st.sampled_from(["", "bbc.co.uk", ".com/x?utm_source=a&b=c#f", "&amp;", "\\?a=1", "/%c3"]),
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), URLISH))
def test_canonicalize_raises_only_url_error_and_is_idempotent(raw: str) -> None:
    try:
        parsed = canonicalize(raw)
    except URLError:
        return
    assert canonicalize(parsed.url) == parsed
    assert parsed.url.isascii()
    assert parsed.path.startswith("/")
    assert parsed.host.endswith(parsed.domain)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.text(st.sampled_from(list(string.printable) + list("üß。*%")))))
def test_parse_rule_raises_only_url_error_and_is_idempotent(rule: str) -> None:
    try:
        host, path = parse_rule(rule)
    except URLError:
        return
    assert parse_rule(host + path) == (host, path)


# --- No network -------------------------------------------------------------------------------


def test_building_the_resolver_and_resolving_makes_no_network_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def refuse(name: str) -> Any:
        def blocked(*args: object, **kwargs: object) -> None:
            calls.append(name)
            raise OSError(f"network use in a test: {name}")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    urls.clear_caches()  # force a fresh TLDExtract and a fresh load of its suffix list
    try:
        resolver = OutletResolver(CORPUS_RULES)
        assert resolver.resolve_url("https://news.bbc.co.uk/x")[1] == "bbc-news"
        assert canonicalize("https://x.y.someone.blogspot.com/").domain == "someone.blogspot.com"
        fresh = tldextract.TLDExtract(
            suffix_list_urls=(), include_psl_private_domains=True, cache_dir=None
        )
        assert fresh("a.b.github.io").top_domain_under_public_suffix == "b.github.io"
    finally:
        urls.clear_caches()
    assert calls == []


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("https://www.bbc.co.uk/news/x-1", "bbc.co.uk/news/x-1"),
        ("http://bbc.co.uk/news/x-1?utm_source=rss", "bbc.co.uk/news/x-1"),
        ("https://m.bbc.co.uk/news/x-1#comments", "bbc.co.uk/news/x-1"),
        ("https://amp.theguardian.com/world/x?page=2", "theguardian.com/world/x?page=2"),
        ("127.0.0.1:8000/bbc/x", "127.0.0.1:8000/bbc/x"),
        ("http://[::1]:8080/a", "[::1]:8080/a"),
        ("https://www.nytimes.com:443/2026/x.html", "nytimes.com/2026/x.html"),
    ],
)
def test_key_identifies_an_article_across_scheme_and_site_prefix(raw: str, key: str) -> None:
    assert canonicalize(raw).key == key

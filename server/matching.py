"""Headline normalisation and the in-memory story index.

A story is a set of articles about one event. `StoryIndex` answers "which story is this headline
about?" without ever scanning all stories: an inverted index from informative tokens to articles
gives a few candidate stories, which are then scored against every one of their headlines.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import snowballstemmer
from rapidfuzz import fuzz

# --- normalisation ---------------------------------------------------------------------------

# Curly quotes, primes and the many dashes all become their ASCII forms, so that a headline
# copied from two CMSes normalises to the same text.
_PUNCT = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)

# Outlets that often sign their headlines; matched case-insensitively after a dash, pipe or colon
# at the very end. The generic rule below catches most others.
_KNOWN_OUTLETS = (
    "bbc news",
    "bbc",
    "reuters",
    "the guardian",
    "guardian",
    "npr",
    "ap news",
    "ap",
    "associated press",
    "cnn",
    "cnn politics",
    "fox news",
    "the new york times",
    "nytimes",
    "the washington post",
    "washington post",
    "politico",
    "the hill",
    "axios",
    "bloomberg",
    "cnbc",
    "abc news",
    "cbs news",
    "nbc news",
    "al jazeera",
    "the independent",
    "sky news",
    "usa today",
    "breitbart",
    "the wall street journal",
    "wsj",
    "yahoo news",
    "huffpost",
    "vox",
    "msnbc",
)
_KNOWN_SUFFIX = re.compile(
    r"\s*(?:\s[-|:]|[|:])\s*(?:" + "|".join(re.escape(o) for o in _KNOWN_OUTLETS) + r")\s*$",
    re.IGNORECASE,
)
# "Headline - Some Outlet Name": a spaced dash or pipe followed by at most five words that all
# look like a name (capitalised, digits, or small connecting words).
_GENERIC_SUFFIX = re.compile(r"\s+[-|]\s+([^-|]{1,60})$")
_NAME_WORD = re.compile(r"^(?:[A-Z0-9][\w.'&!]*|the|of|and|&|de|la|le|el|du|der|die|at|on)$")
_TRUNCATION = re.compile(r"\s*(?:\.\.\.|\u2026)\s*$")
# Wire-service slugs and labels before the headline: "UPDATE 7-", "GLOBAL MARKETS-", "VIDEO:".
_SLUG = re.compile(r"^(?:([A-Z][A-Z0-9&/ ]{1,30}?)(?: \d+)?-(?=\S)|([A-Za-z]+): (?=\S))")
_LABELS = frozenset(
    "update updated video watch live breaking exclusive analysis opinion photos report "
    "factbox timeline explainer editorial review forex rpt refile corrected".split()
)
_UPDATE_COUNT = re.compile(r"\s*\(\d{1,2}\)\s*$")  # "… Switches (2)": the second version
_SPACES = re.compile(r"\s+")


def _strip_outlet_suffix(title: str) -> str:
    """Remove a trailing outlet signature (" - BBC News", " | Reuters", ": NPR")."""
    stripped = _KNOWN_SUFFIX.sub("", title)
    if stripped and stripped != title:
        return stripped
    match = _GENERIC_SUFFIX.search(title)
    if match:
        words = match.group(1).split()
        head = title[: match.start()]
        if 0 < len(words) <= 5 and all(_NAME_WORD.match(w) for w in words):
            if len(head.split()) >= 3:
                return head
    return title


def _strip_slug(title: str) -> str:
    """Remove a leading wire slug ("UPDATE 7-", "GLOBAL MARKETS-") or a label ("VIDEO: ")."""
    match = _SLUG.match(title)
    if not match:
        return title
    caps, label = match.groups()
    if caps is not None and " " not in caps and caps.casefold() not in _LABELS:
        return title  # "US-China talks": a compound, not a slug
    if label is not None and label.casefold() not in _LABELS:
        return title  # "Plosser: taper pace…" keeps its speaker
    rest = title[match.end() :]
    return rest if len(rest.split()) >= 3 else title


def normalize_title(title: str) -> str:
    """Return the headline in a canonical form: NFKC, case-folded, ASCII quotes and dashes,
    without an outlet signature or a truncation ellipsis, single-spaced."""
    text = unicodedata.normalize("NFKC", title or "").translate(_PUNCT)
    text = _SPACES.sub(" ", text).strip()
    text = _TRUNCATION.sub("", text)
    text = _UPDATE_COUNT.sub("", text)
    text = _strip_slug(text)
    text = _strip_outlet_suffix(text)
    return _SPACES.sub(" ", text.casefold()).strip()


# A compact English stop list: function words and the headline verbs of saying that carry no
# event information. Names and numbers are never stop words.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can could did do does doing don down during each
    few for from further had has have having he her here hers herself him himself his how i
    if in into is isn it its itself just let me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under
    until up very was wasn we were what when where which while who whom why will with won
    would you your yours yourself yourselves via amid per vs says say said new report reports
    just get gets got may might must shall one ll ve re s t d m o y
    """.split()
)

_ACRONYM = re.compile(r"\b(?:[^\W\d_]\.){2,}")
# "943K", "943,000" and "943 thousand" are one number; so are "$1.2bn" and "1.2 billion".
# Short units only when attached ("10m" is a headline's ten million, "10 m" may be metres).
_MAGNITUDE = re.compile(
    r"(\d+(?:[.,]\d+)*)(?:(k|m|mn|bn|b|tn)|\s?(thousand|million|billion|trillion))\b"
)
_SCALE = {"k": 3, "thousand": 3, "m": 6, "mn": 6, "million": 6, "bn": 9, "b": 9, "billion": 9}
_SCALE |= {"tn": 12, "trillion": 12}


def _expand(match: re.Match[str]) -> str:
    """Write a number with a magnitude word as a plain integer ("1.2bn" → "1200000000")."""
    digits = match.group(1).replace(",", "")
    try:
        value = float(digits) * 10 ** _SCALE[match.group(2) or match.group(3)]
    except ValueError:  # "1.2.3": not one number
        return match.group(0)
    return str(round(value))


_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*")


_ENGLISH = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """Return the Snowball (Porter 2) stem of a word, so that 'castigates', 'castigated' and
    'castigate' meet, and so do 'impeach' and 'impeachment'. Cached: headlines reuse words.

    Measured against a hand-written light stemmer (plurals, -ing, -ed) with
    bench/matching_quality.py: cross-side top-1 0.450 -> 0.456 (200 candidates: 0.684 ->
    0.687), UCI clustering F1 0.841 -> 0.844."""
    if len(word) <= 3 or not word.isalpha():
        return word
    return str(_ENGLISH.stemWord(word))


def tokenize(title: str) -> list[str]:
    """Return the informative tokens of a headline, stemmed, in order (duplicates kept).

    Stop words go; names and numbers stay ("10,000" and "10000" are one token)."""
    text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), normalize_title(title))
    text = _MAGNITUDE.sub(_expand, text)
    out: list[str] = []
    for raw in _TOKEN.findall(text):
        if raw[0].isdigit():
            out.append(raw.replace(",", ""))
            continue
        word = raw[:-2] if raw.endswith("'s") else raw
        word = word.replace("'", "")
        if word in STOP_WORDS or len(word) < 2:
            continue
        out.append(_stem(word))
    return out


# --- the story index -------------------------------------------------------------------------

# Thresholds, chosen on the development files of ../shared/data by bench/matching_quality.py.
#
# CLUSTER_THRESHOLD (joining a story at ingestion) maximises B-cubed F1 when clustering the UCI
# News Aggregator headlines in time order (bench/matching_quality.py --grid): F1 0.82 at 0.30,
# 0.84 at 0.34, 0.85 at 0.36, 0.84 at 0.38 and 0.40, 0.83 at 0.42, 0.78 at 0.46, 0.72 at 0.50,
# where big stories split (recall 0.57). Of the plateau, 0.38 also does well on 30,000 generated
# stories of bench/matching.py (F1 0.855, against 0.839 at 0.36 and 0.809 at 0.34): lower
# thresholds chain stories together.
# MATCH_THRESHOLD (answering a lookup) maximises F0.5 (precision counted twice as much as recall:
# a lookup would rather say "no story" than show the wrong one) in the open-set protocol on the
# AllSides (NeuS) headlines: half the stories indexed, every other headline queried, no times.
# That protocol is the worst case (headlines from opposite sides, years of stories and no time
# window to narrow them): precision there is 0.64 at 0.50, 0.82 at 0.60 and reaches 0.90 only
# at 0.67, where recall is 0.06. A deployment that wants that strictness sets it
# (PARALLAX_MATCH_THRESHOLD; PARALLAX_CLUSTER_THRESHOLD for the other).
CLUSTER_THRESHOLD = 0.38
MATCH_THRESHOLD = 0.50


@dataclass(frozen=True)
class Match:
    """The story a headline was matched to, with a score in 0..1 (1 = same headline)."""

    story_id: int
    score: float


class _Story:
    """The articles of one story, its time span and its token counts (the centroid)."""

    __slots__ = (
        "articles",
        "first",
        "last",
        "counts",
        "numbers",
        "norm",
        "norm_size",
        "norm_stories",
    )

    def __init__(self) -> None:
        self.numbers: set[int] = set()  # the numeric tokens of its headlines
        self.norm = 0.0
        self.norm_size = self.norm_stories = -1
        self.articles: list[int] = []
        self.first = math.inf
        self.last = -math.inf
        self.counts: dict[int, int] = {}


def _epoch(published: datetime | None) -> float:
    """Return seconds since the epoch, NaN for an unknown time (naive datetimes are UTC)."""
    if published is None:
        return math.nan
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return published.timestamp()


class StoryIndex:
    """An in-memory index of headlines grouped into stories.

    Retrieval never scans all stories. An inverted index maps each token to the articles whose
    headline holds it. A query walks its tokens from the rarest up, skips tokens whose posting
    lists are huge, stops after a fixed budget of postings, keeps only articles inside the time
    window (articles without a time match any time), and ranks the stories of the articles found
    by their summed token weight; the best ``max_candidates`` are scored in full. Reading postings
    is most of the cost of ingestion: ``max_postings`` 300 ingests a fifth faster than 600, with
    the same quality on every development file and on 100k generated articles.

    Weights are inverse *story* frequencies learned incrementally from the index itself: a token
    is informative when few stories use it. Counting stories rather than articles keeps the key
    word of a big story ("Gox" in a day of Mt. Gox coverage) heavy while the story grows, and makes
    names and numbers, which are rare across stories, weigh most.

    Scoring a candidate story: for each of its headlines, ``weight * cosine of the weighted token
    sets + (1 - weight) * rapidfuzz ratio`` of the stemmed token strings (the ratio rewards the
    same words in the same order, which the cosine ignores); the story scores its best headline
    plus, when it has several, ``centroid`` times the cosine with its centroid (the square roots
    of the token counts of all its headlines). The centroid term lets a reworded headline join a
    big story that no single headline resembles closely, on the words the story keeps repeating;
    the square root keeps one word the story repeats from dominating it and pulling in every
    headline with that word (with raw counts, generated news at 3,000 articles a day grew
    stories of 1,600 headlines; with roots, 140).

    Time: a story whose articles lie away from the query's time loses score in proportion to the
    gap. A lookup (``match``) loses up to ``decay`` at the edge of the window, gently, since an
    article read some hours after a story's last one is still plainly about it; there the decay
    only prefers the nearer of two similar stories. No development file has timed lookups to
    tune it on: 0.5 keeps a reworded headline of two days later above the match threshold
    (tests/test_matching.py). Joining a story at ingestion (``assign``) loses up to
    ``cluster_decay`` once the gap reaches the story's own pace: ``pace`` times its mean interval
    between articles, at least ``recency`` and at most the window (the window for a story of one
    article). A story told every ten minutes is over after a quiet evening, one told twice a day
    is not, so a new headline goes to a story still being told rather than to an older one on the
    same subject. B-cubed F1 on the UCI file (real, dense coverage of big stories), measured
    before the Snowball stems (which add 0.003): decay over the window as for lookups 0.778; over
    a fixed day 0.814; by pace 0.841 (pace 7–20 and recency 3–12 h all give 0.83–0.84). On the
    stories generated by bench/matching.py at 100k articles it costs 0.814 -> 0.783: their few
    articles are spread evenly over three days, where real coverage comes in bursts.
    ``weight``, ``centroid`` and ``cluster_decay`` were set on the UCI file; its F1 stays at or
    above 0.82 for ``weight`` 0.4–0.6, ``centroid`` 0.6–1.0 and ``cluster_decay`` 0.8–1.0.

    ``article_share`` blends article frequency into the story frequency (0: stories only, the
    best on UCI); raising it guards against common words looking rare once merged into a few
    giant stories.

    ``threshold`` is the score a lookup needs (``match``); ``cluster_threshold`` the score an
    ingested article needs to join a story (``assign``). See the constants above for how both
    were chosen.
    """

    def __init__(
        self,
        *,
        threshold: float = MATCH_THRESHOLD,
        cluster_threshold: float = CLUSTER_THRESHOLD,
        window: timedelta = timedelta(days=3),
        weight: float = 0.5,
        centroid: float = 0.8,
        decay: float = 0.5,
        cluster_decay: float = 0.9,
        pace: float = 10.0,
        recency: timedelta = timedelta(hours=6),
        max_postings: int = 300,
        scan_budget: int = 1_500,
        max_headlines: int = 32,
        max_candidates: int = 8,
        article_share: float = 0.0,
        number_penalty: float = 0.1,
    ) -> None:
        self.article_share = article_share
        self.number_penalty = number_penalty
        self._numeric: set[int] = set()  # token ids that are numbers
        self.threshold = threshold
        self.cluster_threshold = cluster_threshold
        self.window = window.total_seconds()
        self.pace = pace
        self.recency = max(1.0, recency.total_seconds())
        self.weight = weight
        self.centroid = centroid
        self.decay = decay
        self.cluster_decay = cluster_decay
        self.max_postings = max_postings
        self.max_headlines = max_headlines
        self.scan_budget = scan_budget
        self.max_candidates = max_candidates
        self._vocab: dict[str, int] = {}
        self._sdf = array("l")  # stories per token
        self._adf = array("l")  # articles per token
        # token -> internal numbers of its timed articles, always in time order (a late article
        # is inserted in place), so the time window is two binary searches.
        self._postings: list[array[int]] = []
        self._untimed: dict[int, list[int]] = {}  # token -> articles without a time
        self._art_story = array("q")
        self._art_time = array("d")
        self._art_norm = array("d")  # cached squared weight norm of each headline
        self._art_norm_at = array("q")  # the story count when it was computed
        self._art_tokens: list[tuple[int, ...]] = []
        self._art_text: list[str] = []
        self._stories: dict[int, _Story] = {}
        self._by_article_id: dict[int, int] = {}

    def __len__(self) -> int:
        """Return the number of indexed headlines."""
        return len(self._art_tokens)

    @property
    def story_count(self) -> int:
        """Return the number of stories."""
        return len(self._stories)

    def story_of_article(self, article_id: int) -> int | None:
        """Return the story of an article added with an ``article_id``, if any."""
        art = self._by_article_id.get(article_id)
        return None if art is None else self._art_story[art]

    def add(
        self, story_id: int, title: str, published: datetime | None, article_id: int | None = None
    ) -> None:
        """Add a headline to a story (opening the story if it is new)."""
        tokens, text = self._analyse(title)
        self._add_tokens(story_id, tokens, text, _epoch(published), article_id)

    def match(self, title: str, published: datetime | None = None) -> Match | None:
        """Return the best story for a headline if it scores at least ``threshold``."""
        best = self.best(title, published)
        return best if best is not None and best.score >= self.threshold else None

    def best(self, title: str, published: datetime | None = None) -> Match | None:
        """Return the best-scoring candidate story whatever its score (None: no candidate)."""
        return self._best(*self._analyse(title), _epoch(published))

    def assign(
        self,
        title: str,
        published: datetime | None,
        new_story_id: Callable[[], int],
        article_id: int | None = None,
    ) -> tuple[int, Match | None]:
        """Join the best story scoring ``cluster_threshold`` or open a new one; add the headline.

        Returns the story id and the match that was joined (None when a story was opened)."""
        tokens, text = self._analyse(title)
        when = _epoch(published)
        best = self._best(tokens, text, when, clustering=True)
        found = best if best is not None and best.score >= self.cluster_threshold else None
        story_id = found.story_id if found is not None else new_story_id()
        self._add_tokens(story_id, tokens, text, when, article_id)
        return story_id, found

    def _df(self, tid: int) -> float:
        """Return a token's document frequency: its stories plus a share of its other articles.

        Mostly stories, so that a big story's key word stays heavy; partly articles, so that a
        common word cannot look rare by having been merged into a few giant stories."""
        sdf = self._sdf[tid]
        return sdf + self.article_share * (self._adf[tid] - sdf)

    def _idf2(self, df: float) -> float:
        """Return the squared inverse frequency of a token with document frequency ``df``."""
        w = math.log((len(self._stories) + 1) / (df + 0.5))
        return w * w

    def _analyse(self, title: str) -> tuple[list[str], str]:
        """Return a headline's tokens and the text the fuzzy ratio compares."""
        tokens = tokenize(title)
        return tokens, " ".join(tokens)

    def _add_tokens(
        self, story_id: int, tokens: list[str], text: str, when: float, article_id: int | None
    ) -> None:
        art = len(self._art_tokens)
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story()
        vocab, sdf, postings, counts = self._vocab, self._sdf, self._postings, story.counts
        times = self._art_time
        timed = when == when  # not NaN
        ids: list[int] = []
        for tok in dict.fromkeys(tokens):
            tid = vocab.get(tok)
            if tid is None:
                tid = vocab[tok] = len(sdf)
                if tok[0].isdigit():
                    self._numeric.add(tid)
                sdf.append(0)
                self._adf.append(0)
                postings.append(array("l"))
            if timed:
                plist = postings[tid]
                if plist and times[plist[-1]] > when:  # out of order: rare, a memmove in C
                    plist.insert(bisect_right(plist, when, key=times.__getitem__), art)
                else:
                    plist.append(art)
            else:
                self._untimed.setdefault(tid, []).append(art)
            self._adf[tid] += 1
            seen = counts.get(tid, 0)
            if not seen:
                sdf[tid] += 1
            counts[tid] = seen + 1
            ids.append(tid)
        story.numbers.update(tid for tid in ids if tid in self._numeric)
        self._art_tokens.append(tuple(ids))
        self._art_text.append(text)
        self._art_story.append(story_id)
        self._art_time.append(when)
        self._art_norm.append(0.0)
        self._art_norm_at.append(-1)
        if article_id is not None:
            self._by_article_id[article_id] = art
        story.articles.append(art)
        if timed:
            story.first = min(story.first, when)
            story.last = max(story.last, when)

    def _best(
        self, tokens: list[str], text: str, when: float, clustering: bool = False
    ) -> Match | None:
        if not tokens or not self._stories:
            return None
        vocab = self._vocab
        unknown_w2 = self._idf2(0)
        query: dict[int, float] = {}
        qnorm = 0.0
        for tok in dict.fromkeys(tokens):
            tid = vocab.get(tok)
            if tid is None:
                qnorm += unknown_w2  # an unseen word still makes the query less like others
            else:
                w2 = query[tid] = self._idf2(self._df(tid))
                qnorm += w2
        if not query:
            return None
        coarse, hits, shared = self._retrieve(query, when)
        if not coarse:
            return None
        if len(coarse) > self.max_candidates:
            top = heapq.nlargest(self.max_candidates, coarse, key=coarse.__getitem__)
        else:
            top = list(coarse)
        # The query's figures as token ids; one never indexed (-1) agrees with no story.
        figures = {vocab.get(tok, -1) for tok in tokens if tok[0].isdigit()}
        timed = when == when
        decay = self.cluster_decay if clustering else self.decay
        best_sid, best_score = -1, -1.0
        for sid in top:
            story = self._stories[sid]
            score = self._score_story(
                story, hits[sid], shared, query, qnorm, text, best_score, figures
            )
            if decay and timed and story.last >= story.first:
                gap = max(0.0, story.first - when, when - story.last)
                span = self._quiet_span(story) if clustering else self.window
                score *= 1.0 - decay * min(1.0, gap / span)
            if score > best_score:
                best_sid, best_score = sid, score
        return Match(best_sid, round(min(1.0, best_score), 4))

    def _quiet_span(self, story: _Story) -> float:
        """Return how long a story may go quiet before clustering stops feeding it, in seconds:
        ``pace`` times its mean gap between articles, kept within ``recency`` and the window."""
        count = len(story.articles)
        if count < 2:
            return self.window
        gap = (story.last - story.first) / (count - 1)
        return min(self.window, max(self.recency, self.pace * gap))

    def _retrieve(
        self, query: dict[int, float], when: float
    ) -> tuple[dict[int, float], dict[int, list[int]], dict[int, float]]:
        """Return candidate stories with their summed weight of shared tokens.

        Tokens are taken rarest first (fewest postings in the window); a token with more than
        ``max_postings`` in the window, or one that would exceed the ``scan_budget`` of postings
        read, ends the walk: the rarer tokens already read carry the match."""
        postings, times, untimed = self._postings, self._art_time, self._untimed
        timed = when == when
        lo, hi = when - self.window, when + self.window
        spans: list[tuple[int, int, int, int]] = []  # (length, token, start, stop)
        for tid in query:
            plist = postings[tid]
            if not timed:
                spans.append((len(plist), tid, 0, len(plist)))
            else:
                start = bisect_left(plist, lo, key=times.__getitem__)
                stop = bisect_right(plist, hi, lo=start, key=times.__getitem__)
                spans.append((stop - start, tid, start, stop))
        spans.sort()
        budget = self.scan_budget
        seen: dict[int, float] = {}
        get = seen.get  # this loop and the next are the hot path of ingestion: locals only
        for length, tid, start, stop in spans:
            if length > self.max_postings or length > budget:
                break
            budget -= length
            w2 = query[tid]
            if not seen:  # the rarest token: every article is new
                seen.update(dict.fromkeys(postings[tid][start:stop], w2))
            else:
                for art in postings[tid][start:stop]:
                    seen[art] = get(art, 0.0) + w2
            for art in untimed.get(tid, ()):
                seen[art] = get(art, 0.0) + w2
        coarse: dict[int, float] = {}
        hits: dict[int, list[int]] = {}
        story_of, best_of, hits_of = self._art_story, coarse.get, hits.get
        for art, s in seen.items():
            sid = story_of[art]
            if s > best_of(sid, 0.0):
                coarse[sid] = s
            found = hits_of(sid)
            if found is None:
                hits[sid] = [art]
            else:
                found.append(art)
        return coarse, hits, seen

    def _score_story(
        self,
        story: _Story,
        arts: list[int],
        shared: dict[int, float],
        query: dict[int, float],
        qnorm: float,
        text: str,
        floor: float,
        figures: set[int],
    ) -> float:
        """Return the best combined score of a query against every headline of a story.

        Only the headlines retrieval found (``arts``) share a token with the query, and
        retrieval already summed their shared weight (``shared``); every other headline of the
        story scores zero, so scoring these is scoring them all. The fuzzy ratio, the costly
        part, is skipped for a headline that could not lift the story above ``floor`` (the best
        story so far) even with a perfect ratio."""
        bonus = 0.0
        if self.centroid and len(story.articles) > 1:
            counts = story.counts
            common = 0.0
            for tid, w2 in query.items():
                count = counts.get(tid)
                if count:
                    common += math.sqrt(count) * w2
            bonus = self.centroid * common / math.sqrt(qnorm * self._centroid_norm(story))
        # Headlines of one event tend to share its figures; when both sides give figures and
        # none agree ("holds at 4%" / "holds at 3.6%"), it is likely a sibling event. Measured
        # with number_penalty 0.1 against none (bench/matching_quality.py): open-set precision
        # 0.548 -> 0.561, recall at P >= 0.90 0.044 -> 0.052, top-1 unchanged, UCI F1
        # 0.781 -> 0.778; the demo's Bank of England and RBA stories no longer merge.
        if self.number_penalty and figures and story.numbers and story.numbers.isdisjoint(figures):
            bonus -= self.number_penalty
        need = floor - bonus  # what the best headline must exceed for the story to win
        weight, text_of = self.weight, self._art_text
        if len(arts) > self.max_headlines:  # a big story: its headlines sharing the most
            arts = heapq.nlargest(self.max_headlines, arts, key=shared.__getitem__)
        best = 0.0
        for art in arts:
            lexical = weight * shared[art] / math.sqrt(qnorm * self._headline_norm(art))
            if lexical + (1.0 - weight) <= max(best, need):
                continue
            score = lexical + (1.0 - weight) * fuzz.ratio(text, text_of[art]) / 100
            if score > best:
                best = score
        return best + bonus

    def _headline_norm(self, art: int) -> float:
        """Return the squared norm of a headline's weights, cached like `_centroid_norm`."""
        stories = len(self._stories)
        if stories <= self._art_norm_at[art] * 1.1:
            return self._art_norm[art]
        idf2, df = self._idf2, self._df
        norm = sum(idf2(df(tid)) for tid in self._art_tokens[art]) or 1.0
        self._art_norm[art] = norm
        self._art_norm_at[art] = stories
        return norm

    def _centroid_norm(self, story: _Story) -> float:
        """Return the squared norm of a story's centroid, cached.

        Recomputed when the story or the index has grown by a tenth since: weights drift slowly,
        and recomputing on every query would cost a loop over a big story's whole vocabulary."""
        size, stories = len(story.articles), len(self._stories)
        if size <= story.norm_size * 1.1 and stories <= story.norm_stories * 1.1:
            return story.norm
        idf2, df = self._idf2, self._df
        story.norm = sum(count * idf2(df(tid)) for tid, count in story.counts.items())
        story.norm_size, story.norm_stories = size, stories
        return story.norm


# --- whole files: the `parallax stories` commands and the benchmarks -------------------------


class _Article(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def published_at(self) -> datetime | None: ...


class _StoryArticle(_Article, Protocol):
    @property
    def story(self) -> int | str | None: ...


def cluster_records(records: Sequence[_Article], index: StoryIndex | None = None) -> list[int]:
    """Cluster articles into stories in time order, exactly as live ingestion does.

    Articles are assigned oldest first (undated ones last, in input order) through
    `StoryIndex.assign`; the story ids (1, 2, … in order of opening) come back in input order."""
    index = index if index is not None else StoryIndex()

    def time_order(i: int) -> tuple[bool, float, int]:
        published = records[i].published_at
        return (published is None, 0.0 if published is None else _epoch(published), i)

    order = sorted(range(len(records)), key=time_order)
    counter = itertools.count(index.story_count + 1)
    stories = [0] * len(records)
    for i in order:
        record = records[i]
        stories[i], _ = index.assign(record.title, record.published_at, counter.__next__)
    return stories


def match_records(
    story_records: Sequence[_StoryArticle],
    query_records: Sequence[_Article],
    index: StoryIndex | None = None,
) -> list[tuple[int | str | None, float | None]]:
    """Build stories from labelled records and match each query: (story or None, score).

    The score is the best candidate's even when it falls below the threshold (story None), and
    None when no story shares an informative word with the query."""
    index = index if index is not None else StoryIndex()
    labels: dict[int | str | None, int] = {}
    names: list[int | str | None] = []
    for record in story_records:
        sid = labels.get(record.story)
        if sid is None:
            sid = labels[record.story] = len(names)
            names.append(record.story)
        index.add(sid, record.title, record.published_at)
    out: list[tuple[int | str | None, float | None]] = []
    for query in query_records:
        best = index.best(query.title, query.published_at)
        if best is None:
            out.append((None, None))
        elif best.score >= index.threshold:
            out.append((names[best.story_id], best.score))
        else:
            out.append((None, best.score))
    return out

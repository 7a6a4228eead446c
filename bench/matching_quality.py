"""Quality of story matching on real news, ours beside a TF-IDF baseline computed in the same run.

Reads the development files of ../shared/data (or $PARALLAX_SHARED_DATA):

* NeuS with ledes (``neus_story_ledes_dev.csv``: 2,759 AllSides roundups, a left, a center and
  a right article each, headline and the opening of the article): index article ``pos`` 0 of
  each story (headline + lede as description), query the other two:
  - closed set, 200 candidates (the data README's protocol: own story + 199 random), top-1;
  - all 2,759 stories, top-1;
  - open sets, "half the stories indexed": ``pos`` 0 of a fixed random half indexed, every
    other article queried; precision of the returned matches and recall on the queries whose
    story is indexed, at the service's threshold, and the best recall at precision >= 0.95.
    The issue's open set is half of each of the closed set's groups of 200 (TF-IDF: recall
    0.39 at precision 0.95, the issue's figure); the harder one, half of all 2,759 stories
    (TF-IDF 0.04), is reported too.
* dated stream (same file): the stories are given times so that a +-3-day window holds about
  50, 150 or 500 stories (each story's articles within a day of its time); two articles of each
  story are ingested in time order through clustering (``StoryIndex.assign``), the third is
  looked up with its time. Top-1 (the returned story's articles are mostly the true story's),
  precision and recall at the service's threshold, the best recall at precision >= 0.95, and
  stories per true story (how many stories its two ingested articles ended in).
* clustering (UCI News Aggregator, headlines only): ``cluster_records`` in time order; B-cubed
  precision, recall, F1.

The baseline is a plain TF-IDF cosine (scikit-learn's defaults: lower-cased words of two or more
characters, smoothed idf, l2 norm) over headline + the first 300 characters of the description,
a full scan; on UCI, online clustering against TF-IDF story centroids. Its thresholds are picked
with hindsight on the same data (flattering it).

    python bench/matching_quality.py [--quick] [--grid] [--calibrate] [--lexical] [--set NAME=VALUE]
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.matching import (  # noqa: E402
    DESCRIPTION_CHARS,
    MATCH_THRESHOLD,
    StoryIndex,
    cluster_records,
)
from server.records import Record, parse_published  # noqa: E402

NEUS = "neus_story_ledes_dev.csv"
UCI = "uci_news_aggregator_dev.csv"
DENSITIES = (50, 150, 500)


def data_dir() -> Path:
    """Return the shared data folder, or exit with a message saying where it was looked for."""
    env = os.environ.get("PARALLAX_SHARED_DATA")
    path = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"
    missing = [name for name in (NEUS, UCI) if not (path / name).is_file()]
    if missing:
        sys.exit(
            f"matching_quality: {', '.join(missing)} not found in {path}; "
            "set PARALLAX_SHARED_DATA to the folder holding the shared development data"
        )
    return path


@dataclass(frozen=True)
class Doc:
    """One article of the development files: headline, description, time, true story."""

    title: str
    description: str = ""
    published_at: datetime | None = None
    story: int = -1


def load_neus(path: Path) -> list[list[Doc]]:
    """Return the three articles of each story, by position."""
    stories: dict[tuple[str, str], dict[int, tuple[str, str]]] = {}
    with (path / NEUS).open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            key = (row["split"], row["line_no"])
            stories.setdefault(key, {})[int(row["pos"])] = (row["title"], row["lede"] or "")
    out = []
    for s in stories.values():
        if len(s) == 3:
            out.append([Doc(s[p][0], s[p][1], None, len(out)) for p in range(3)])
    return out


def load_uci(path: Path) -> tuple[list[Record], list[str]]:
    """Return the UCI headlines as records (file order) and their gold story ids."""
    records, gold = [], []
    with (path / UCI).open(encoding="utf-8", newline="") as stream:
        for number, row in enumerate(csv.DictReader(stream), start=2):
            records.append(
                Record(
                    id=int(row["ID"]),
                    title=row["TITLE"],
                    url=row["URL"],
                    published_at=parse_published(row["TIMESTAMP"]),
                    outlet=row["PUBLISHER"],
                    line=number,
                )
            )
            gold.append(row["STORY"])
    return records, gold


def bcubed(pred: Sequence[Hashable], gold: Sequence[Hashable]) -> tuple[float, float, float]:
    """Return B-cubed precision, recall and F1 of a clustering against the gold one."""
    in_pred, in_gold, both = Counter(pred), Counter(gold), Counter(zip(pred, gold, strict=True))
    n = len(pred)
    precision = sum(both[(p, g)] / in_pred[p] for p, g in zip(pred, gold, strict=True)) / n
    recall = sum(both[(p, g)] / in_gold[g] for p, g in zip(pred, gold, strict=True)) / n
    return precision, recall, 2 * precision * recall / (precision + recall)


# A result: (score, correct, answerable). Precision counts correct among returned; recall
# counts correct among answerable.
Result = tuple[float, bool, bool]


def pr_at(results: list[Result], threshold: float) -> tuple[float, float]:
    """Return (precision, recall) of results at a threshold."""
    returned = [r for r in results if r[0] >= threshold]
    correct = sum(1 for r in returned if r[1])
    positives = sum(1 for r in results if r[2]) or 1
    return (correct / len(returned) if returned else 1.0), correct / positives


def best_recall_at_precision(
    results: list[Result], target: float = 0.95
) -> tuple[float, float, float]:
    """Return (threshold, precision, recall) with the best recall at precision >= target."""
    best = (1.0, 1.0, 0.0)
    scores = sorted(r[0] for r in results)
    for step in range(0, 401):  # 400 quantiles of the scores (raw ones may exceed 1)
        threshold = scores[min(len(scores) - 1, step * len(scores) // 400)]
        precision, recall = pr_at(results, threshold)
        if precision >= target and recall > best[2]:
            best = (threshold, precision, recall)
    return best


def top1(results: list[Result]) -> float:
    """Return the fraction of answerable queries whose best candidate was right."""
    answerable = [r for r in results if r[2]]
    return sum(1 for r in answerable if r[1]) / len(answerable)


# --- the TF-IDF baseline ---------------------------------------------------------------------

_WORD = re.compile(r"(?u)\b\w\w+\b")


def doc_text(doc: Doc) -> str:
    return doc.title + " " + doc.description[:DESCRIPTION_CHARS]


class Tfidf:
    """scikit-learn's TfidfVectorizer defaults over a fixed corpus, scored through postings."""

    def __init__(self, corpus: Sequence[str]) -> None:
        self.n = len(corpus)
        tfs = [Counter(_WORD.findall(text.lower())) for text in corpus]
        df: Counter[str] = Counter()
        for tf in tfs:
            df.update(tf.keys())
        self.idf = {t: math.log((1 + self.n) / (1 + d)) + 1 for t, d in df.items()}
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, tf in enumerate(tfs):
            vec = {t: c * self.idf[t] for t, c in tf.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for t, v in vec.items():
                postings[t].append((i, v / norm))
        self.postings = {
            t: (np.array([i for i, _ in p]), np.array([v for _, v in p]))
            for t, p in postings.items()
        }

    def scores(self, text: str) -> np.ndarray:
        """Return the cosine of a text with every document of the corpus."""
        tf = Counter(_WORD.findall(text.lower()))
        vec = {t: c * self.idf[t] for t, c in tf.items() if t in self.idf}
        out = np.zeros(self.n)
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        for t, v in vec.items():
            docs, weights = self.postings[t]
            out[docs] += weights * (v / norm)
        return out


# --- NeuS: closed, all-stories and open-set protocols ----------------------------------------

Factory = Callable[[], StoryIndex]


def groups(count: int, size: int = 200, seed: int = 7) -> list[tuple[list[int], list[int]]]:
    """Cut story numbers into random groups of ``size``: (stories indexed, stories queried).

    The last group is topped up with stories of the first, indexed but not queried, so every
    query meets exactly ``size`` candidates: its own story and ``size - 1`` random others."""
    ids = list(range(count))
    random.Random(seed).shuffle(ids)
    out = []
    for start in range(0, count, size):
        queried = ids[start : start + size]
        indexed = queried + [i for i in ids[: size - len(queried)] if i not in queried]
        out.append((indexed, queried))
    return out


def ours_lookup(
    stories: list[list[Doc]], indexed: Sequence[int], queries: list[Doc], make: Factory
) -> list[Result]:
    index = make()
    for sid in indexed:
        doc = stories[sid][0]
        index.add(sid, doc.title, None, description=doc.description)
    members = set(indexed)
    out = []
    for q in queries:
        found = index.best(q.title, None, q.description)
        score = found.score if found else 0.0
        out.append((score, found is not None and found.story_id == q.story, q.story in members))
    return out


def base_lookup(
    stories: list[list[Doc]], indexed: Sequence[int], queries: list[Doc]
) -> list[Result]:
    ids = list(indexed)
    tfidf = Tfidf([doc_text(stories[sid][0]) for sid in ids])
    members = set(ids)
    out = []
    for q in queries:
        scores = tfidf.scores(doc_text(q))
        best = int(scores.argmax())
        out.append((float(scores[best]), ids[best] == q.story, q.story in members))
    return out


def closed_200(stories: list[list[Doc]], make: Factory) -> tuple[float, float]:
    ours: list[Result] = []
    base: list[Result] = []
    for indexed, queried in groups(len(stories)):
        queries = [d for sid in queried for d in stories[sid][1:]]
        ours += ours_lookup(stories, indexed, queries, make)
        base += base_lookup(stories, indexed, queries)
    return top1(ours), top1(base)


def all_stories(stories: list[list[Doc]], make: Factory) -> tuple[float, float]:
    indexed = list(range(len(stories)))
    queries = [d for s in stories for d in s[1:]]
    return top1(ours_lookup(stories, indexed, queries, make)), top1(
        base_lookup(stories, indexed, queries)
    )


def open_200(stories: list[list[Doc]], make: Factory) -> tuple[list[Result], list[Result]]:
    """The issue's open set: the closed set's groups of 200 stories, a fixed random half of each
    group indexed (by its ``pos`` 0 article), every other article of the group looked up (its
    story is indexed for about 40% of them). The TF-IDF baseline's best recall at precision
    >= 0.95 here is 0.39, the figure the issue quotes for "the open set (half the stories
    indexed)"; over all 2,759 stories (`open_set`) it is 0.04."""
    ours: list[Result] = []
    base: list[Result] = []
    for indexed, queried in groups(len(stories)):
        half = set(random.Random(7).sample(indexed, len(indexed) // 2))
        kept = [sid for sid in indexed if sid in half]
        queries = [d for sid in queried for p, d in enumerate(stories[sid]) if p or sid not in half]
        ours += ours_lookup(stories, kept, queries, make)
        base += base_lookup(stories, kept, queries)
    return ours, base


def open_set(stories: list[list[Doc]], make: Factory) -> tuple[list[Result], list[Result]]:
    """The open set over all stories: a fixed random half of the 2,759 indexed, every other
    article looked up; ~1,380 candidates against the 100 of `open_200`."""
    indexed = sorted(random.Random(7).sample(range(len(stories)), len(stories) // 2))
    members = set(indexed)
    queries = [d for s in stories for p, d in enumerate(s) if not (p == 0 and d.story in members)]
    return ours_lookup(stories, indexed, queries, make), base_lookup(stories, indexed, queries)


# --- the dated stream ------------------------------------------------------------------------

START = datetime(2024, 1, 1, tzinfo=UTC)


def dated(stories: list[list[Doc]], density: int, seed: int = 11) -> list[list[Doc]]:
    """Give the stories times: evenly ``density`` per 6 days, in random order; each article
    within a day of its story's time."""
    rng = random.Random(seed)
    order = list(range(len(stories)))
    rng.shuffle(order)
    step = 6 * 86_400 / density
    out: list[list[Doc]] = [[] for _ in stories]
    for rank, sid in enumerate(order):
        centre = START + timedelta(seconds=rank * step)
        out[sid] = [
            Doc(d.title, d.description, centre + timedelta(hours=rng.uniform(-12, 12)), d.story)
            for d in stories[sid]
        ]
    return out


@dataclass
class StreamResult:
    results: list[Result]
    per_true: float
    bcubed: tuple[float, float, float]


def ours_stream(
    stories: list[list[Doc]], density: int, make: Factory, seed: int = 3
) -> StreamResult:
    timed = dated(stories, density)
    rng = random.Random(seed)
    query_pos = [rng.randrange(3) for _ in timed]
    ingest = [d for s, qp in zip(timed, query_pos, strict=True) for p, d in enumerate(s) if p != qp]
    index = make()
    pred = cluster_records(ingest, index)  # type: ignore[arg-type]
    members: dict[int, Counter[int]] = defaultdict(Counter)
    split: dict[int, set[int]] = defaultdict(set)
    for doc, sid in zip(ingest, pred, strict=True):
        members[sid][doc.story] += 1
        split[doc.story].add(sid)
    out = []
    for s, qp in zip(timed, query_pos, strict=True):
        q = s[qp]
        found = index.best(q.title, q.published_at, q.description)
        if found is None:
            out.append((0.0, False, True))
            continue
        sid = index.resolve(found.story_id)
        counts = members.get(sid, Counter())
        # right: the true story holds a strict majority of the story returned (a story that
        # swallowed many true stories is right for none of them)
        right = counts[q.story] * 2 > sum(counts.values())
        out.append((found.score, right, True))
    per_true = sum(len(v) for v in split.values()) / len(split)
    final = [index.resolve(p) for p in pred]
    return StreamResult(out, per_true, bcubed(final, [d.story for d in ingest]))


def base_stream(stories: list[list[Doc]], density: int, seed: int = 3) -> list[Result]:
    """TF-IDF nearest ingested article within +-3 days (gold stories: an oracle clustering)."""
    timed = dated(stories, density)
    rng = random.Random(seed)
    query_pos = [rng.randrange(3) for _ in timed]
    ingest = [d for s, qp in zip(timed, query_pos, strict=True) for p, d in enumerate(s) if p != qp]
    tfidf = Tfidf([doc_text(d) for d in ingest])
    times = np.array([d.published_at.timestamp() for d in ingest])  # type: ignore[union-attr]
    labels = np.array([d.story for d in ingest])
    out = []
    for s, qp in zip(timed, query_pos, strict=True):
        q = s[qp]
        scores = tfidf.scores(doc_text(q))
        scores[np.abs(times - q.published_at.timestamp()) > 3 * 86_400] = -1  # type: ignore[union-attr]
        best = int(scores.argmax())
        out.append((float(scores[best]), bool(labels[best] == q.story), True))
    return out


# --- UCI clustering --------------------------------------------------------------------------


def base_cluster(records: list[Record], threshold: float) -> list[int]:
    """Online clustering in time order against TF-IDF story centroids (idf of the whole file)."""
    order = sorted(range(len(records)), key=lambda i: (records[i].published_at, i))
    tf = [Counter(_WORD.findall(r.title.lower())) for r in records]
    df: Counter[str] = Counter()
    for t in tf:
        df.update(t.keys())
    n = len(records)
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
    centroids: list[dict[str, float]] = []
    postings: dict[str, set[int]] = defaultdict(set)
    stories = [0] * n
    for i in order:
        vec = {t: c * idf[t] for t, c in tf[i].items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vec = {t: v / norm for t, v in vec.items()}
        candidates = set().union(*(postings[t] for t in vec)) if vec else set()
        best, best_score = -1, threshold
        for c in candidates:
            cen = centroids[c]
            cnorm = math.sqrt(sum(v * v for v in cen.values())) or 1.0
            score = sum(v * cen.get(t, 0.0) for t, v in vec.items()) / cnorm
            if score >= best_score:
                best, best_score = c, score
        if best < 0:
            best = len(centroids)
            centroids.append({})
        cen = centroids[best]
        for t, v in vec.items():
            cen[t] = cen.get(t, 0.0) + v
            postings[t].add(best)
        stories[i] = best
    return stories


# --- report ----------------------------------------------------------------------------------


def fmt_pr(results: list[Result], threshold: float) -> str:
    p, r = pr_at(results, threshold)
    return f"P {p:.3f} R {r:.3f} at {threshold:.2f}"


def fmt_best(results: list[Result], target: float = 0.95) -> str:
    t, p, r = best_recall_at_precision(results, target)
    return f"R {r:.3f} at P >= {target} (P {p:.3f}, threshold {t:.3f})"


def fmt_calibration(results: list[Result]) -> str:
    """Return the precision of the answers scoring at least t, for a few t (calibrated: >= t)."""
    cells = []
    for t in (0.5, 0.6, 0.7, 0.8, 0.9):
        returned = [r for r in results if r[0] >= t]
        if returned:
            precision = sum(1 for r in returned if r[1]) / len(returned)
            mark = "" if precision >= t else "!"
            cells.append(f"{t:.1f}: {precision:.3f}{mark} ({len(returned)})")
    return "precision at score >= t: " + ", ".join(cells)


def calibration_table(
    protocols: Sequence[list[Result]], step: float = 0.05
) -> list[tuple[float, float]]:
    """Return (raw score, calibrated score) points: for each bin [raw, raw + step) of score (the
    last open-ended), the least share of right answers of any protocol in it (bins of fewer
    than 20 answers say nothing), made non-decreasing by taking at each point the least of every
    bin at or above it. At any threshold every bin above is then at least as right as the
    calibrated score says, on each protocol, so the answers above are too.

    Of a run of equal points only the last is kept: interpolating up to it stays below the
    share measured (cautious), and strong answers are no longer tied with weak ones."""
    top = max(r[0] for results in protocols for r in results)
    edges = [k * step for k in range(int(top / step) + 1)]
    shares = []
    for k, lo in enumerate(edges):
        last = k == len(edges) - 1
        least = None
        for results in protocols:
            inside = [r for r in results if r[0] >= lo and (last or r[0] < lo + step)]
            if len(inside) >= 20:  # too few answers say nothing; merge into the bin below
                share = sum(1 for r in inside if r[1]) / len(inside)
                least = share if least is None else min(least, share)
        if least is not None:
            shares.append((lo, least))
    points = [
        (round(lo, 2), round(min(p for _, p in shares[k:]), 3)) for k, (lo, _) in enumerate(shares)
    ]
    return [pt for k, pt in enumerate(points) if k + 1 == len(points) or points[k + 1][1] > pt[1]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the stream at 150 and 200-cand.")
    parser.add_argument("--uci", action="store_true", help="only the UCI clustering")
    parser.add_argument("--grid", action="store_true", help="also print threshold grids")
    parser.add_argument("--calibrate", action="store_true", help="print raw-score calibration")
    parser.add_argument(
        "--model", metavar="DIR", help="another static model for the semantic stage"
    )
    parser.add_argument("--lexical", action="store_true", help="without the semantic stage")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a StoryIndex keyword argument (repeatable)",
    )
    args = parser.parse_args()
    options: dict[str, object] = {}
    for item in args.set:
        name, _, value = item.partition("=")
        options[name] = None if value == "None" else float(value)
    if args.model:
        from server.embedding import StaticModel

        options["embedder"] = StaticModel.load(Path(args.model))
    if args.lexical:
        options["embedder"] = None
    if args.calibrate:
        options["calibration"] = ()  # raw scores

    def make() -> StoryIndex:
        return StoryIndex(**options)  # type: ignore[arg-type]

    threshold = make().threshold
    path = data_dir()
    neus = load_neus(path)
    print(f"data: {path} ({len(neus):,} NeuS stories); options {args.set or 'defaults'}")
    t = time.perf_counter()
    if args.uci:
        records, gold = load_uci(path)
        up, ur, uf = bcubed(cluster_records(records, make()), gold)
        print(f"UCI ours P {up:.3f} R {ur:.3f} F1 {uf:.3f}")
        return
    ours, base = closed_200(neus, make)
    print(f"NeuS closed set, 200 candidates, top-1: ours {ours:.3f}  TF-IDF {base:.3f}")
    # the protocols the calibration is fitted on (--calibrate): both open sets and the streams
    # at 50 and 150 stories per window; at 500 no threshold reaches precision 0.95 (the stories
    # ingestion built there hold sibling events), which would cap every score at ~0.91
    fitted: list[list[Result]] = []
    if not args.quick:
        ours, base = all_stories(neus, make)
        print(f"NeuS all {len(neus):,} stories, top-1:     ours {ours:.3f}  TF-IDF {base:.3f}")
        for label, protocol in (
            ("open set (half of each 200 indexed)", open_200),
            (f"open set (half of all {len(neus):,} indexed)", open_set),
        ):
            ours_res, base_res = protocol(neus, make)
            fitted.append(ours_res)
            print(f"NeuS {label}")
            print(f"  ours   {fmt_pr(ours_res, threshold)}; {fmt_best(ours_res)}")
            print(f"  ours   {fmt_calibration(ours_res)}")
            print(f"  TF-IDF {fmt_best(base_res)}")
            if args.grid:
                print("  ours: " + ", ".join(fmt_pr(ours_res, x / 20) for x in range(6, 20)))
    for density in (150,) if args.quick else DENSITIES:
        run = ours_stream(neus, density, make)
        base_res = base_stream(neus, density)
        if density < 500:
            fitted.append(run.results)
        print(f"dated stream, {density} stories per +-3 days (2 ingested, 1 looked up)")
        print(
            f"  ours   top-1 {top1(run.results):.3f}; {fmt_pr(run.results, threshold)}; "
            f"{fmt_best(run.results)}; {run.per_true:.3f} stories per true story; "
            "ingest B-cubed P {:.3f} R {:.3f} F1 {:.3f}".format(*run.bcubed)
        )
        print(f"  ours   {fmt_calibration(run.results)}")
        print(f"  TF-IDF top-1 {top1(base_res):.3f}; {fmt_best(base_res)} (gold stories)")
        if args.grid:
            print("  ours: " + ", ".join(fmt_pr(run.results, x / 20) for x in range(6, 20)))
    if args.calibrate:
        table = calibration_table(fitted)
        print("calibration (raw -> least share right of any protocol in its bin, and above):")
        print("  " + ", ".join(f"({raw:.2f}, {p:.3f})" for raw, p in table))
    if not args.quick:
        records, gold = load_uci(path)
        pred = cluster_records(records, make())
        op, orr, of1 = bcubed(pred, gold)
        grid = [0.2, 0.3, 0.4, 0.5]
        runs = [(th, bcubed(base_cluster(records, th), gold)) for th in grid]
        bth, (bp, br, bf1) = max(runs, key=lambda run: run[1][2])
        print(f"UCI clustering, B-cubed ({len(records):,} headlines, time order)")
        print(
            f"  ours   P {op:.3f} R {orr:.3f} F1 {of1:.3f} (threshold {make().cluster_threshold})"
        )
        print(f"  TF-IDF P {bp:.3f} R {br:.3f} F1 {bf1:.3f} (threshold {bth}, best of {grid})")
        if args.grid:
            for th in (0.3, 0.34, 0.38, 0.42, 0.46):
                res = bcubed(
                    cluster_records(records, StoryIndex(**options, cluster_threshold=th)), gold
                )  # type: ignore[arg-type]
                print(f"  ours at {th:.2f}: P {res[0]:.3f} R {res[1]:.3f} F1 {res[2]:.3f}")
    print(f"({time.perf_counter() - t:.0f} s; match threshold {MATCH_THRESHOLD})")


if __name__ == "__main__":
    main()

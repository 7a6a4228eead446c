"""Quality of story matching on real headlines, ours beside a plain rapidfuzz baseline.

Reads the development files of ../shared/data (or $PARALLAX_SHARED_DATA):

* cross-side (NeuS / AllSides roundups): index headline ``pos`` 0 of every story, match the
  other two against all stories; top-1 accuracy. Also the protocol of the data's README, whose
  published floors it can be compared with: each query against 200 candidate stories, its own
  and 199 random others (the stories are shuffled and cut into groups of 200).
* open set (same file): index ``pos`` 0 of a fixed random half of the stories, query every other
  headline; precision of the returned matches and recall on the queries whose story is indexed,
  at the matcher's threshold, and the best recall at a precision of at least 0.90.
* clustering (UCI News Aggregator): cluster the headlines in time order through
  ``cluster_records`` (what ``parallax stories cluster`` runs); B-cubed precision, recall, F1.

The baseline is rapidfuzz ``token_set_ratio`` on normalised headlines over every headline (a
full scan), with its thresholds picked with hindsight on the same data (flattering it).

    python bench/matching_quality.py [--grid]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Hashable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz, process  # noqa: E402

from server.matching import (  # noqa: E402
    CLUSTER_THRESHOLD,
    MATCH_THRESHOLD,
    StoryIndex,
    cluster_records,
    normalize_title,
)
from server.records import Record, parse_published  # noqa: E402

NEUS = "neus_story_titles_dev.csv"
UCI = "uci_news_aggregator_dev.csv"


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


def load_neus(path: Path) -> list[list[str]]:
    """Return the three headlines of each story, by position."""
    stories: dict[tuple[str, str], dict[int, str]] = {}
    with (path / NEUS).open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            stories.setdefault((row["split"], row["line_no"]), {})[int(row["pos"])] = row["title"]
    return [[s[0], s[1], s[2]] for s in stories.values() if len(s) == 3]


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


def pr_at(results: list[tuple[float, bool, bool]], threshold: float) -> tuple[float, float]:
    """Return (precision, recall) of (score, correct, indexed) results at a threshold."""
    returned = [r for r in results if r[0] >= threshold]
    correct = sum(1 for r in returned if r[1])
    positives = sum(1 for r in results if r[2])
    return (correct / len(returned) if returned else 1.0), correct / positives


def best_recall_at_precision(
    results: list[tuple[float, bool, bool]], target: float = 0.90
) -> tuple[float, float, float]:
    """Return (threshold, precision, recall) with the best recall at precision >= target."""
    best = (1.0, 1.0, 0.0)
    for step in range(0, 101):
        threshold = step / 100
        precision, recall = pr_at(results, threshold)
        if precision >= target and recall > best[2]:
            best = (threshold, precision, recall)
    return best


def best_f05(results: list[tuple[float, bool, bool]]) -> tuple[float, float, float]:
    """Return (threshold, precision, recall) maximising F0.5 (precision weighs double)."""

    def f05(pr: tuple[float, float]) -> float:
        p, r = pr
        return 1.25 * p * r / (0.25 * p + r) if p + r else 0.0

    threshold = max((s / 100 for s in range(101)), key=lambda t: f05(pr_at(results, t)))
    return (threshold, *pr_at(results, threshold))


# --- ours ------------------------------------------------------------------------------------


def ours_cross(stories: list[list[str]]) -> float:
    index = StoryIndex()
    for sid, titles in enumerate(stories):
        index.add(sid, titles[0], None)
    hits = total = 0
    for sid, titles in enumerate(stories):
        for title in titles[1:]:
            found = index.best(title)
            hits += found is not None and found.story_id == sid
            total += 1
    return hits / total


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


def ours_sampled(stories: list[list[str]]) -> float:
    hits = total = 0
    for indexed, queried in groups(len(stories)):
        index = StoryIndex()
        for sid in indexed:
            index.add(sid, stories[sid][0], None)
        for sid in queried:
            for title in stories[sid][1:]:
                found = index.best(title)
                hits += found is not None and found.story_id == sid
                total += 1
    return hits / total


def ours_open(stories: list[list[str]], indexed: set[int]) -> list[tuple[float, bool, bool]]:
    index = StoryIndex()
    for sid in sorted(indexed):
        index.add(sid, stories[sid][0], None)
    results = []
    for sid, titles in enumerate(stories):
        for pos, title in enumerate(titles):
            if pos == 0 and sid in indexed:
                continue
            found = index.best(title)
            score = found.score if found else 0.0
            results.append((score, found is not None and found.story_id == sid, sid in indexed))
    return results


# --- baseline: rapidfuzz token_set_ratio, full scan ------------------------------------------


def base_cross(stories: list[list[str]]) -> float:
    corpus = [normalize_title(t[0]) for t in stories]
    hits = total = 0
    for sid, titles in enumerate(stories):
        for title in titles[1:]:
            found = process.extractOne(normalize_title(title), corpus, scorer=fuzz.token_set_ratio)
            hits += found is not None and found[2] == sid
            total += 1
    return hits / total


def base_sampled(stories: list[list[str]]) -> float:
    hits = total = 0
    for indexed, queried in groups(len(stories)):
        corpus = [normalize_title(stories[sid][0]) for sid in indexed]
        for sid in queried:
            for title in stories[sid][1:]:
                found = process.extractOne(
                    normalize_title(title), corpus, scorer=fuzz.token_set_ratio
                )
                hits += found is not None and indexed[found[2]] == sid
                total += 1
    return hits / total


def base_open(stories: list[list[str]], indexed: set[int]) -> list[tuple[float, bool, bool]]:
    ids = sorted(indexed)
    corpus = [normalize_title(stories[sid][0]) for sid in ids]
    results = []
    for sid, titles in enumerate(stories):
        for pos, title in enumerate(titles):
            if pos == 0 and sid in indexed:
                continue
            found = process.extractOne(normalize_title(title), corpus, scorer=fuzz.token_set_ratio)
            score = found[1] / 100 if found else 0.0
            results.append((score, found is not None and ids[found[2]] == sid, sid in indexed))
    return results


def base_cluster(records: list[Record], threshold: float) -> list[int]:
    """Single-link online clustering in time order: join the most similar earlier headline."""
    order = sorted(range(len(records)), key=lambda i: (records[i].published_at, i))
    seen: list[str] = []
    story_of_seen: list[int] = []
    stories = [0] * len(records)
    counter = itertools.count(1)
    for i in order:
        text = normalize_title(records[i].title)
        found = process.extractOne(
            text, seen, scorer=fuzz.token_set_ratio, score_cutoff=threshold * 100
        )
        stories[i] = story_of_seen[found[2]] if found else next(counter)
        seen.append(text)
        story_of_seen.append(stories[i])
    return stories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", action="store_true", help="also print the threshold grids")
    args = parser.parse_args()
    path = data_dir()
    neus = load_neus(path)
    records, gold = load_uci(path)
    indexed = set(random.Random(7).sample(range(len(neus)), len(neus) // 2))
    print(f"data: {path} ({len(neus):,} NeuS stories, {len(records):,} UCI headlines)")

    t = time.perf_counter()
    cross = ours_cross(neus), base_cross(neus)
    print(f"\ncross-side top-1 (all {len(neus):,} stories)")
    print(f"  ours {cross[0]:.3f}   baseline {cross[1]:.3f}")
    sampled = ours_sampled(neus), base_sampled(neus)
    print("cross-side top-1 (200 candidates: own story + 199 random, the data README's protocol)")
    print(f"  ours {sampled[0]:.3f}   baseline {sampled[1]:.3f}")

    ours_res, base_res = ours_open(neus, indexed), base_open(neus, indexed)
    p, r = pr_at(ours_res, MATCH_THRESHOLD)
    bt, bp, br = best_f05(base_res)
    print("open set (half the stories indexed)")
    print(f"  at the match threshold      ours P {p:.3f} R {r:.3f} (threshold {MATCH_THRESHOLD})")
    print(f"  baseline at its best F0.5        P {bp:.3f} R {br:.3f} (threshold {bt:.2f})")
    ot, op, orr = best_recall_at_precision(ours_res)
    bt, bp, br = best_recall_at_precision(base_res)
    print(f"  best recall at P >= 0.90    ours P {op:.3f} R {orr:.3f} (threshold {ot:.2f})")
    print(f"                          baseline P {bp:.3f} R {br:.3f} (threshold {bt:.2f})")
    if args.grid:
        print(
            "  ours by threshold: "
            + ", ".join(
                f"{th:.2f}: P {pr_at(ours_res, th)[0]:.2f} R {pr_at(ours_res, th)[1]:.2f}"
                for th in (0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
            )
        )
        ft, fp, fr = best_f05(ours_res)
        print(f"  ours best F0.5 at {ft:.2f}: P {fp:.3f} R {fr:.3f}")

    pred = cluster_records(records)
    op, orr, of1 = bcubed(pred, gold)
    grid = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    base_runs = [(th, bcubed(base_cluster(records, th), gold)) for th in grid]
    bth, (bp, br, bf1) = max(base_runs, key=lambda run: run[1][2])
    print("UCI clustering, B-cubed (time order, cluster_records)")
    print(f"  ours     P {op:.3f} R {orr:.3f} F1 {of1:.3f} (threshold {CLUSTER_THRESHOLD})")
    print(f"  baseline P {bp:.3f} R {br:.3f} F1 {bf1:.3f} (threshold {bth}, best of {grid})")
    if args.grid:
        for th in (0.3, 0.34, 0.36, 0.38, 0.4, 0.42, 0.46, 0.5):
            gp, gr, gf = bcubed(cluster_records(records, StoryIndex(cluster_threshold=th)), gold)
            print(f"  ours at {th:.2f}: P {gp:.3f} R {gr:.3f} F1 {gf:.3f}")
    print(f"\n({time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()

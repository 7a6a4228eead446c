"""A static text embedding model (model2vec format) read with numpy, tokenizers and safetensors.

The model shipped in ``data/minilm-static-128/`` was distilled by ``bench/distill.py`` from
all-MiniLM-L6-v2 (Apache-2.0; see the model's README for the attribution): every WordPiece token
has one 128-dimensional row, and a text's embedding is the normalised mean of its tokens' rows,
exactly as model2vec's own ``StaticModel.encode`` computes it. No torch, no model hub: the files
are read from disk, and loading fails with a message naming the folder if they are missing.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "data" / "minilm-static-128"


class ModelError(RuntimeError):
    """The embedding model's files are missing, or its optional libraries are not installed."""


class StaticModel:
    """Token rows and their tokenizer; `embed` returns a unit vector (float32) for a text."""

    def __init__(self, embeddings: Any, tokenizer: Any, unk_id: int | None = None) -> None:
        import numpy as np

        self._np = np
        self.embeddings = np.asarray(embeddings, dtype=np.float32)
        self.tokenizer = tokenizer
        self.unk_id = unk_id
        self.dim = int(self.embeddings.shape[1])

    @classmethod
    def load(cls, path: Path | str = DEFAULT_MODEL) -> StaticModel:
        """Read a model2vec folder (``model.safetensors``, ``tokenizer.json``) from disk."""
        folder = Path(path)
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - the extra is part of the test setup
            raise ModelError(
                f"the semantic stage needs numpy, tokenizers and safetensors ({exc.name} is "
                "missing): pip install 'parallax[semantic]'"
            ) from None
        weights, vocab = folder / "model.safetensors", folder / "tokenizer.json"
        if not weights.is_file() or not vocab.is_file():
            raise ModelError(f"{folder}: model.safetensors or tokenizer.json not found")
        tokenizer = Tokenizer.from_file(str(vocab))
        # model2vec truncates at the model's max_length; headlines never come near it
        unk = json.loads(tokenizer.to_str())["model"].get("unk_token")
        unk_id = tokenizer.token_to_id(unk) if isinstance(unk, str) else None
        return cls(load_file(str(weights))["embeddings"], tokenizer, unk_id)

    def embed(self, text: str) -> Any:
        """Return the unit-length mean of a text's token rows (zeros for an empty text)."""
        return self._embed(text)

    @lru_cache(maxsize=4096)  # noqa: B019 - one model per process; a headline is often re-asked
    def _embed(self, text: str) -> Any:
        np = self._np
        ids = self.tokenizer.encode(text, add_special_tokens=False).ids
        if self.unk_id is not None:
            ids = [i for i in ids if i != self.unk_id]
        if not ids:
            return np.zeros(self.dim, dtype=np.float32)
        vector = self.embeddings[ids].mean(axis=0)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector

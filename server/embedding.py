"""A static text embedding model (model2vec format) read with numpy, tokenizers and safetensors.

The model shipped in ``data/minilm-static-128/`` was distilled by ``bench/distill.py`` from
all-MiniLM-L6-v2 (Apache-2.0; see the model's README for the attribution): every WordPiece token
has one 128-dimensional row, and a text's embedding is the normalised mean of its tokens' rows,
exactly as model2vec's own ``StaticModel.encode`` computes it. No torch, no model hub: the files
are read from disk, and loading fails with a message naming the folder if they are missing.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "data" / "minilm-static-128"

# The characters BERT's normaliser turns into a space (tab, newline, carriage return and
# Unicode's White_Space less the control characters it deletes instead: \v, \f, U+0085).
_SPACE = re.compile("[\t\n\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_CHUNK_CACHE = 200_000  # chunks kept (a few tens of MB at most)


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
        self._chunks: dict[str, tuple[int, ...]] = {}
        config = json.loads(tokenizer.to_str()) if hasattr(tokenizer, "to_str") else {}
        normalizer, pre = config.get("normalizer") or {}, config.get("pre_tokenizer") or {}
        # chunks are exact only for BERT's normaliser and pre-tokeniser (see `token_ids`)
        self._exact_chunks = (
            normalizer.get("type") == "BertNormalizer"
            and normalizer.get("clean_text") is True
            and pre.get("type") == "BertPreTokenizer"
            and not config.get("post_processor")
            and (config.get("padding") or {}).get("strategy", {"Fixed": 0}) == {"Fixed": 0}
        )
        self.max_length: int | None = (config.get("truncation") or {}).get("max_length")

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

    def token_ids(self, text: str) -> list[int]:
        """Return the WordPiece ids of a text, exactly as ``tokenizer.encode`` gives them.

        The tokenizer costs some 0.3 ms a call on ~40 words, so each whitespace-separated chunk
        is encoded once and cached. That is exact for this model's BERT tokenizer: its
        normaliser removes control characters and turns the remaining whitespace (the
        characters of `_SPACE`) into spaces, and nothing after that joins text across a space
        (accents are stripped per character in NFD, where a space is a starter; the
        pre-tokeniser splits on spaces and punctuation; special tokens hold no space), so a
        text's ids are its chunks' ids in order, truncated at the tokenizer's maximum length.
        ``tests/test_embedding.py`` checks it on every headline and lede of ../shared."""
        cache = self._chunks
        ids: list[int] = []
        for chunk in _SPACE.split(text):
            found = cache.get(chunk)
            if found is None:
                if len(cache) >= _CHUNK_CACHE:
                    cache.clear()  # a crude bound: chunks of news text repeat, the rest do not
                found = cache[chunk] = tuple(
                    self.tokenizer.encode(chunk, add_special_tokens=False).ids
                )
            ids += found
        return ids[: self.max_length] if self.max_length is not None else ids

    @lru_cache(maxsize=4096)  # noqa: B019 - one model per process; a headline is often re-asked
    def _embed(self, text: str) -> Any:
        np = self._np
        ids = self.token_ids(text) if self._exact_chunks else self._encode(text)
        if self.unk_id is not None:
            ids = [i for i in ids if i != self.unk_id]
        if not ids:
            return np.zeros(self.dim, dtype=np.float32)
        # the same float32 values as ``embeddings[ids].mean(axis=0)`` and `numpy.linalg.norm`
        # (a sum over rows is sequential in both; float32 division and square root are exact
        # roundings either way), for a third less (16 -> 11 us of ~35 a text): `mean` and
        # `norm` are Python wrappers, and indexing with a list converts it element by element
        vector = np.add.reduce(self.embeddings.take(np.array(ids, dtype=np.intp), axis=0), axis=0)
        vector /= np.float32(len(ids))
        norm = math.sqrt(float(vector @ vector))
        return vector / norm if norm > 0 else vector

    def _encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids)

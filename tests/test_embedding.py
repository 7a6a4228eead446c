"""The static model's cached tokenisation gives the tokenizers library's ids, exactly."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

pytest.importorskip("numpy")
pytest.importorskip("tokenizers")

from server.embedding import StaticModel  # noqa: E402

SHARED_LEDES = Path(__file__).resolve().parents[2] / "shared" / "data" / "neus_story_ledes_dev.csv"

TRICKY = [
    "Trump slams John Kerry for 'shadow diplomacy' on Iran deal",
    "Café São Paulo: Müller's naïve résumé — “quoted” …",
    "tab\tnew\nline\r\nand\u00a0nbsp\u2003em\u3000ideographic\u2028sep",
    "vertical\vtab form\ffeed next\x85line unit\x1fsep nul\x00byte",
    "zero\u200bwidth soft\u00adhyphen replacement\ufffdchar",
    "Chinese 中国经济 and Japanese 東京 text",
    "combining e\u0301 and a lone \u0301accent after a space",
    "emoji 🚀🔥 and symbols $1.2bn 6.9% #tag @user",
    "literal [UNK] [CLS] [SEP][PAD] [MASK]token",
    "x" * 150 + " and supercalifragilisticexpialidocious",
    "  leading and trailing spaces  ",
    "",
]


@pytest.fixture(scope="module")
def model() -> StaticModel:
    return StaticModel.load()


def _library_ids(model: StaticModel, text: str) -> list[int]:
    return list(model.tokenizer.encode(text, add_special_tokens=False).ids)


@pytest.mark.parametrize("text", TRICKY)
def test_cached_token_ids_equal_the_tokenizers_ids(model: StaticModel, text: str) -> None:
    assert model.token_ids(text) == _library_ids(model, text)


def test_cached_token_ids_are_truncated_like_the_tokenizer(model: StaticModel) -> None:
    text = " ".join(f"word{i}" for i in range(600))
    assert model.token_ids(text) == _library_ids(model, text)


def test_embedding_is_the_mean_of_the_library_tokens_rows(model: StaticModel) -> None:
    import numpy as np

    text = "Magnitude 6.9 earthquake strikes off Chile. Tsunami warnings were issued."
    ids = [i for i in _library_ids(model, text) if i != model.unk_id]
    expected = model.embeddings[ids].mean(axis=0)
    expected /= np.linalg.norm(expected)
    assert np.array_equal(model.embed(text), expected)


@pytest.mark.skipif(not SHARED_LEDES.is_file(), reason="../shared/data is not present")
def test_cached_token_ids_equal_the_tokenizers_ids_on_every_neus_headline_and_lede(
    model: StaticModel,
) -> None:
    with SHARED_LEDES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = [row["title"] for row in rows] + [row["lede"] for row in rows]
    texts += [f"{row['title']}. {row['lede'][:300]}" for row in rows]  # as the index embeds
    expected = model.tokenizer.encode_batch(texts, add_special_tokens=False)
    differ = [t for t, e in zip(texts, expected, strict=True) if model.token_ids(t) != e.ids]
    assert len(texts) > 20_000
    assert differ == []


@pytest.mark.skipif(not SHARED_LEDES.is_file(), reason="../shared/data is not present")
def test_embedding_equals_the_mean_of_rows_on_every_neus_headline_and_lede(
    model: StaticModel,
) -> None:
    import numpy as np

    with SHARED_LEDES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = [f"{row['title']}. {row['lede'][:300]}" for row in rows] + [r["title"] for r in rows]
    differ = []
    for text in texts:
        ids = [i for i in model.token_ids(text) if i != model.unk_id]
        expected = model.embeddings[ids].mean(axis=0)
        expected /= np.linalg.norm(expected)
        if not np.array_equal(model.embed(text), expected):
            differ.append(text)
    assert differ == []

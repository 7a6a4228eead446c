"""The rating scales: labels, their order, numeric values, sides and colours.

Every other module (the importer, the API, the coverage split, the extension's
index) takes its labels from here, so a label exists in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    """One step of a scale."""

    label: str
    title: str
    score: float
    color: str


# Political bias on a 7-point scale. Scores run from -3 (far left) to +3 (far right);
# the colours are the ones the extension and the pages use for badges.
BIAS: tuple[Level, ...] = (
    Level("far-left", "Far left", -3.0, "#1d4ed8"),
    Level("left", "Left", -2.0, "#2563eb"),
    Level("lean-left", "Lean left", -1.0, "#60a5fa"),
    Level("center", "Center", 0.0, "#8b5cf6"),
    Level("lean-right", "Lean right", 1.0, "#f87171"),
    Level("right", "Right", 2.0, "#dc2626"),
    Level("far-right", "Far right", 3.0, "#991b1b"),
)

# Factual reporting, best first.
FACTUALITY: tuple[Level, ...] = (
    Level("very-high", "Very high", 5.0, "#15803d"),
    Level("high", "High", 4.0, "#22c55e"),
    Level("mixed", "Mixed", 3.0, "#eab308"),
    Level("low", "Low", 2.0, "#f97316"),
    Level("very-low", "Very low", 1.0, "#dc2626"),
)

# Who owns an outlet, by kind of owner.
OWNERSHIP: dict[str, str] = {
    "corporate": "Media group or listed company",
    "private": "Privately held (family, individual or investors)",
    "nonprofit": "Non-profit or trust",
    "cooperative": "Cooperative of members",
    "public": "Public service broadcaster, editorially independent",
    "state": "State-controlled",
}

CONFIDENCE: tuple[str, ...] = ("high", "medium", "low")

# The three sides a bias split counts: far-left, left and lean-left count as left.
SIDES: tuple[str, ...] = ("left", "center", "right")

BIAS_LABELS: tuple[str, ...] = tuple(level.label for level in BIAS)
FACTUALITY_LABELS: tuple[str, ...] = tuple(level.label for level in FACTUALITY)
_BIAS_BY_LABEL = {level.label: level for level in BIAS}
_FACTUALITY_BY_LABEL = {level.label: level for level in FACTUALITY}


def bias_level(label: str) -> Level:
    """Return the bias level for a label; raise ``KeyError`` for an unknown one."""
    return _BIAS_BY_LABEL[label]


def factuality_level(label: str) -> Level:
    """Return the factuality level for a label; raise ``KeyError`` for an unknown one."""
    return _FACTUALITY_BY_LABEL[label]


def bias_score(label: str) -> float:
    """Return the numeric score (-3 … +3) of a bias label."""
    return _BIAS_BY_LABEL[label].score


def side_of(bias: str | None) -> str | None:
    """Return the side (``left``, ``center``, ``right``) a bias label counts for, or None."""
    if bias is None:
        return None
    score = _BIAS_BY_LABEL[bias].score
    if score < 0:
        return "left"
    if score > 0:
        return "right"
    return "center"


def scales() -> dict[str, object]:
    """Return every scale as plain data, for the API and the extension."""
    return {
        "bias": [vars(level) for level in BIAS],
        "factuality": [vars(level) for level in FACTUALITY],
        "ownership": [{"label": k, "title": v} for k, v in OWNERSHIP.items()],
        "confidence": list(CONFIDENCE),
        "sides": list(SIDES),
    }

"""The rules of curation: what a proposal must say and how many people must approve it (pure).

A proposal changes an outlet only with a public reason of at least a sentence, a list of
evidence, the basis and confidence of the judgement and the methodology version it was
made under. It takes effect when an editor other than its proposer approves it; the moves
readers notice most need two approvers (:func:`approvals_needed`): a bias move of two or
more steps, a far-left or far-right rating, a very-low factuality. Those are the ratings
that most change what a reader concludes, and the ones rating organisations are most often
asked to justify.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import ratings
from .outlet_csv import RATED_FIELDS, OutletRecord, validate_record
from .text import UNSTORABLE

METHODOLOGY_VERSION = "2026.1"
"""The methodology the ratings are made under; a proposal records the one it followed."""

EVIDENCE_KINDS: dict[str, str] = {
    "article-sample": "A sample of the outlet's articles",
    "correction": "A correction or retraction",
    "ownership-filing": "An ownership filing or register entry",
    "fact-check": "A fact-check of the outlet's reporting",
    "provider-page": "A rating organisation's page on the outlet",
}
BASES: dict[str, str] = {
    "editorial-review": "Editorial review of a sample of articles",
    "blind-survey": "Blind survey of readers across the spectrum",
    "third-party-data": "Third-party data (rating organisations, registers)",
    "community-feedback": "Reader feedback, checked by an editor",
}
ROLES: tuple[str, ...] = ("triager", "editor", "admin")
SCOPES: tuple[str, ...] = ("propose", "review")
MIN_REASON_CHARS = 20
MIN_REASON_WORDS = 4
MAX_TEXT = 5000
MAX_EVIDENCE = 20
FAR = {"far-left", "far-right"}
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+\S*$")


class ProposalError(ValueError):
    """A proposal that cannot be taken: ``field`` names the part, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Justification:
    """Why a change is proposed: what is published with it, and the internal note."""

    reason: str
    evidence: list[dict[str, str]] = field(default_factory=list)
    basis: str = "editorial-review"
    confidence: str = "medium"
    methodology: str = METHODOLOGY_VERSION
    note: str | None = None

    def public(self) -> dict[str, Any]:
        """Return what is published with an applied change (never the internal note)."""
        return {
            "reason": self.reason,
            "evidence": [dict(e) for e in self.evidence],
            "basis": self.basis,
            "confidence": self.confidence,
            "methodology": self.methodology,
        }


def _text(value: object, name: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise ProposalError(name, "is required")
        return None
    if not isinstance(value, str):
        raise ProposalError(name, "must be text")
    text = "".join(c for c in value if c in "\n\t" or c.isprintable()).strip()
    if len(text) > MAX_TEXT:
        raise ProposalError(name, f"is longer than {MAX_TEXT} characters")
    return text or None


def parse_justification(data: Mapping[str, Any]) -> Justification:
    """Validate the reason, evidence, basis, confidence and note of a proposal."""
    reason = _text(data.get("reason"), "reason", required=True) or ""
    if len(reason) < MIN_REASON_CHARS or len(reason.split()) < MIN_REASON_WORDS:
        raise ProposalError(
            "reason",
            f"say why in at least a sentence ({MIN_REASON_WORDS} words, "
            f"{MIN_REASON_CHARS} characters); it is published with the change",
        )
    raw_evidence = data.get("evidence") or []
    if not isinstance(raw_evidence, list) or len(raw_evidence) > MAX_EVIDENCE:
        raise ProposalError("evidence", f"must be a list of at most {MAX_EVIDENCE} items")
    evidence = []
    for number, item in enumerate(raw_evidence, 1):
        if not isinstance(item, Mapping):
            raise ProposalError("evidence", f"item {number} must be an object {{url, kind}}")
        url, kind = item.get("url"), item.get("kind") or "article-sample"
        if (
            not isinstance(url, str)
            or len(url) > 2048
            or UNSTORABLE.search(url)
            or not _HTTP_URL.match(url.strip())
        ):
            raise ProposalError("evidence", f"item {number}: url must be an http(s) URL")
        if kind not in EVIDENCE_KINDS:
            raise ProposalError(
                "evidence",
                f"item {number}: kind {kind!r} is not one of {', '.join(EVIDENCE_KINDS)}",
            )
        evidence.append({"url": url.strip(), "kind": str(kind)})
    basis = data.get("basis") or "editorial-review"
    if basis not in BASES:
        raise ProposalError("basis", f"{basis!r} is not one of {', '.join(BASES)}")
    confidence = data.get("confidence") or "medium"
    if confidence not in ratings.CONFIDENCE:
        raise ProposalError(
            "confidence", f"{confidence!r} is not one of {', '.join(ratings.CONFIDENCE)}"
        )
    methodology = _text(data.get("methodology"), "methodology") or METHODOLOGY_VERSION
    if len(methodology) > 40:
        raise ProposalError("methodology", "is longer than 40 characters")
    return Justification(
        reason=reason,
        evidence=evidence,
        basis=str(basis),
        confidence=str(confidence),
        methodology=methodology,
        note=_text(data.get("note"), "note"),
    )


def proposed_record(
    slug: str, current: OutletRecord | None, changes: Mapping[str, Any]
) -> OutletRecord:
    """Return the outlet as it would be with ``changes`` (field → new value), validated.

    ``current`` is None for a new outlet. Fields are named as in the API (``rules`` for
    the CSV's ``domains``); each problem raises :class:`ProposalError` naming the field.
    """
    for name, value in changes.items():
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and UNSTORABLE.search(t) for t in texts):
            raise ProposalError(str(name)[:40], "holds a control character")
    unknown = [name for name in changes if name not in RATED_FIELDS]
    if unknown:
        raise ProposalError(
            "changes", f"unknown field {unknown[0]!r}; fields: {', '.join(RATED_FIELDS)}"
        )
    values: dict[str, Any] = current.values() if current else {"paywall": False}
    values = {**values, **changes, "slug": slug}
    values["domains"] = values.pop("rules", None) or []
    if isinstance(values["domains"], str):
        values["domains"] = values["domains"].split()
    if isinstance(values.get("feeds"), str):
        values["feeds"] = values["feeds"].split()
    record, problems = validate_record(values, "changes")
    if record is None:
        # "changes, column bias: unknown label …" → field bias, the rest as the message.
        first = problems[0].removeprefix("changes, column ")
        name, _, message = first.partition(": ")
        raise ProposalError("rules" if name == "domains" else name, message)
    return record


def approvals_needed(changes: Mapping[str, list[Any]]) -> int:
    """Return how many editors besides the proposer must approve ``{field: [before, after]}``."""
    bias = changes.get("bias")
    if bias:
        before, after = bias
        if after in FAR:
            return 2
        if before and after:
            steps = abs(ratings.bias_score(after) - ratings.bias_score(before))
            if steps >= 2:
                return 2
    factuality = changes.get("factuality")
    if factuality and factuality[1] == "very-low":
        return 2
    return 1

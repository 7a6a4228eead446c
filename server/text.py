"""Text from outside (requests, feeds, files) made safe to store and to show."""

from __future__ import annotations

import re

UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
"""Control characters (tab, newline and carriage return aside) and lone surrogates."""


def plain(text: str) -> str:
    """Return ``text`` without control characters and lone surrogates, stripped.

    PostgreSQL refuses NUL in text, UTF-8 cannot encode a lone surrogate (JSON may carry
    ``"\\ud800"``), and neither belongs in prose. A surrogate pair arrives as one character
    and is kept.
    """
    return UNSTORABLE.sub("", text).strip()

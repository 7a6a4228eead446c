"""Parallax: see a news story from every side.

The package is layered (ARCHITECTURE.md): a pure core (``urls``, ``matching``,
``coverage``, ``ratings``, ``times``, ``text``, ``records``), the store, services, use cases
(``lookup``, ``ingest``, ``starter``) and the edges (the JSON API, the pages, the command
line). Importing the package, or any core module, loads neither Flask nor SQLAlchemy:
:func:`create_app` imports the web stack only when it is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the Flask app (see :func:`server.app.create_app`); ``server:create_app()`` works."""
    from .app import create_app as create

    return create(config)

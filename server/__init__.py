"""Parallax: see a news story from every side.

``create_app`` builds the Flask application: settings, database, CORS, rate limits,
blueprints, error handlers and the command line. Nothing happens at import time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from . import config as settings
from . import db, errors
from .misses import MissCounter
from .outlets import CatalogCache
from .stories import StoryService


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: defaults, then ``PARALLAX_*`` variables, then ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(settings.DEFAULTS)
    app.config.update(settings.from_environment())
    if config:
        app.config.update(config)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    db.init_app(app)
    errors.init_app(app)
    origins = [_origin(o) for o in str(app.config["CORS_ORIGINS"]).split(",") if o.strip()]
    CORS(app, resources={r"/api/*": {"origins": origins}}, vary_header=True)

    # Registered before the limiter: after-request hooks run last-registered first.
    @app.after_request
    def _retry_after_only_when_limited(response: Response) -> Response:
        # flask-limiter sends Retry-After on every answer; it only means something on a 429.
        if response.status_code != 429:
            response.headers.pop("Retry-After", None)
        return response

    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=[app.config["RATE_LIMIT"]],
        storage_uri=app.config["RATE_LIMIT_STORAGE_URL"],
        key_prefix=app.config["RATE_LIMIT_KEY_PREFIX"],
        headers_enabled=True,
    )
    app.extensions["parallax.catalog"] = CatalogCache(float(app.config["CATALOG_TTL"]))
    app.extensions["parallax.misses"] = MissCounter(app.extensions["parallax.engine"])
    app.extensions["parallax.stories"] = StoryService.from_config(app.config)

    from . import api, cli, pages

    limiter.exempt(api.health)

    app.register_blueprint(api.bp)
    app.register_blueprint(api.health)
    app.register_blueprint(pages.bp)
    cli.init_app(app)
    return app


def _origin(text: str) -> str | re.Pattern[str]:
    """Return an exact origin as is and a ``^…$`` pattern compiled."""
    text = text.strip()
    return re.compile(text) if text.startswith("^") else text

"""Every failure as one JSON shape: RFC 9457 problem details for the API.

Views raise :class:`ApiError` (or let Werkzeug raise its HTTP errors); the handlers here
turn them into ``application/problem+json`` with a sentence a person can act on. Pages
outside ``/api`` get the same sentence as an HTML page in the site's own style.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Friendlier sentences than Werkzeug's defaults for the errors clients meet most.
DETAILS = {
    404: "There is nothing at this address. The API lives under /api/v1; see /api/v1/openapi.json.",
    405: "This address does not accept that method; see /api/v1/openapi.json for what it takes.",
    413: "The request body is too large. Send at most {limit} bytes, or split the batch.",
    429: "Too many requests from this client: {limit}. Wait a little and try again.",
}

PAGE = "error.html"  # the site's own template: its styles, header and footer


class ApiError(Exception):
    """An error to answer with a problem document and a 4xx status."""

    def __init__(self, status: int, detail: str, title: str | None = None, **extra: Any):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title
        self.extra = extra


def problem(status: int, detail: str, title: str | None = None, **extra: Any) -> Response:
    """Return a problem-details response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _reason(status),
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path == "/healthz"
        or (
            request.accept_mimetypes.best_match(["application/json", "text/html"])
            == "application/json"
        )
    )


def _render(status: int, detail: str, title: str | None = None, **extra: Any) -> Response:
    if _wants_json():
        return problem(status, detail, title, **extra)
    html = render_template(PAGE, status=status, title=title or _reason(status), detail=detail)
    return Response(html, status=status, mimetype="text/html")


def handle_api_error(error: ApiError) -> Response:
    """Answer an :class:`ApiError`."""
    return _render(error.status, error.detail, error.title, **error.extra)


def handle_http_exception(error: HTTPException) -> Response:
    """Answer a Werkzeug HTTP error with our shape, keeping its headers (Allow, Retry-After)."""
    status = error.code or 500
    detail = DETAILS.get(status, error.description or _reason(status))
    if status == 413:
        from flask import current_app

        detail = detail.format(limit=current_app.config["MAX_CONTENT_LENGTH"])
    elif status == 429:
        detail = detail.format(limit=getattr(error, "description", "") or "rate limit")
    elif status == 400 and error.description:
        detail = error.description
    response = _render(status, detail)
    for name, value in error.get_headers():
        if name.lower() not in {"content-type", "content-length"}:
            response.headers[name] = value
    return response


def handle_database_error(error: OperationalError) -> Response:
    """Answer 503 with Retry-After when SQLite's write lock stayed taken; else as unexpected.

    A long ingest holds the lock for a batch at a time: trying again in a second works.
    """
    if "database is locked" not in str(error.orig):
        return handle_unexpected(error)
    log.warning("database busy on %s %s: answered 503", request.method, request.url_rule)
    response = _render(503, "The database is busy with a large write. Try again in a second.")
    response.headers["Retry-After"] = "1"
    return response


def handle_unexpected(error: Exception) -> Response:
    """Log an unexpected failure and answer 500 without leaking internals."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _render(500, "Something went wrong on our side. It has been logged; please try again.")


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)

"""The JSON API, ``/api/v1``.

How to use it:

- ``GET /api/v1/lookup?url=U&title=T&published=P&description=D`` — who published U and how
  that outlet is rated; with a title (and, better, the article's description and
  publication time) or a URL the service has ingested, the story it belongs to, the other
  coverage and the bias split. ``outlet`` and ``story`` are ``null`` when unknown.
- ``POST /api/v1/lookup`` — ``{"urls": [...]}`` or ``{"items": [{"url", "title",
  "published", "description"}]}``, at most ``MAX_BATCH`` (200); one result per item, in
  order, each an answer or an error. For annotating links, each story is brief (its figures
  and ``links``, not its articles or key points) unless the body says ``"detail": "full"``.
- ``GET /api/v1/outlets`` (``bias``, ``factuality``, ``country``, ``q``, ``page``,
  ``per_page``), ``GET /api/v1/outlets/<slug>``, ``GET /api/v1/outlets/index`` (compact,
  with an ETag: send ``If-None-Match`` and get 304 while nothing changed).
- ``GET /api/v1/stories?q=``, ``GET /api/v1/stories/<id>``, ``GET /api/v1/blindspots``. A
  story merged into another (one event first told as two) answers ``308`` with the kept
  story's address in ``Location``.
- ``POST /api/v1/feedback`` — a reader's disagreement with a rating.
- ``GET /api/v1/scales``, ``GET /api/v1/openapi.json``, ``GET /api/v1/ping``; ``GET /healthz``.

Errors are ``application/problem+json`` with a 4xx status and a ``detail`` sentence.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request, url_for
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response as WerkzeugResponse

from . import browse, ratings
from . import lookup as lookups
from .catalog import dump_index, outlet_json
from .curation import outlet_etag
from .errors import ApiError, problem
from .lookup import BadInput, parse_url
from .models import Feedback, Outlet
from .openapi import spec
from .services import current_catalog, get_services, get_session
from .text import UNSTORABLE, plain

bp = Blueprint("api", __name__, url_prefix="/api/v1")
health = Blueprint("health", __name__)


def _sentence(exc: BadInput) -> str:
    """Say what is wrong with a parameter, naming it as the API does."""
    return f"`{exc.field}`: {exc.message}."


@bp.errorhandler(BadInput)
def _bad_input(exc: BadInput) -> Response:
    return problem(400, _sentence(exc))


def _lookup(
    url: object,
    title: object = None,
    published: object = None,
    description: object = None,
    brief: bool = False,
) -> dict[str, Any]:
    return lookups.lookup(
        get_services(), get_session, url, title, published, description, brief=brief
    )


@bp.get("/lookup")
def lookup() -> Response:
    """Look up one URL (and optionally its headline)."""
    args = request.args
    return jsonify(
        _lookup(args.get("url"), args.get("title"), args.get("published"), args.get("description"))
    )


@bp.post("/lookup")
def lookup_batch() -> Response:
    """Look up many URLs at once, for annotating lists of links."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, 'Send a JSON object such as {"urls": ["https://…"]}.')
    items: list[Any]
    if "items" in body:
        items = body["items"]
    elif "urls" in body:
        items = body["urls"]
    else:
        raise ApiError(400, 'Send the URLs as "urls" (a list of strings) or "items".')
    if not isinstance(items, list):
        raise ApiError(400, "`urls` / `items` must be a list.")
    detail = body.get("detail", "brief")
    if detail not in ("brief", "full"):
        raise ApiError(400, '`detail` must be "brief" or "full".')
    limit = get_services().max_batch
    if len(items) > limit:
        raise ApiError(
            413, f"A batch holds at most {limit} URLs; this one has {len(items)}. Split it."
        )
    results = []
    for item in items:
        if isinstance(item, dict):
            url = item.get("url")
            extra = (item.get("title"), item.get("published"), item.get("description"))
        else:
            url, extra = item, (None, None, None)
        try:
            results.append(_lookup(url, *extra, brief=detail == "brief"))
        except BadInput as exc:
            results.append({"url": url, "error": {"status": 400, "detail": _sentence(exc)}})
    return jsonify({"results": results})


def _choice(name: str, allowed: tuple[str, ...] | list[str]) -> list[str]:
    values = [
        v.strip().lower() for v in request.args.getlist(name) for v in v.split(",") if v.strip()
    ]
    for value in values:
        if value not in allowed:
            raise ApiError(400, f"Unknown {name} {value!r}; use one of: {', '.join(allowed)}.")
    return values


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"`{name}` must be a whole number.") from None
    if not low <= value <= high:
        raise ApiError(400, f"`{name}` must be between {low} and {high}.")
    return value


@bp.get("/outlets")
def outlets() -> Response:
    """List outlets, filtered by bias, factuality, country and text, a page at a time."""
    biases = _choice("bias", ratings.BIAS_LABELS)
    factualities = _choice("factuality", ratings.FACTUALITY_LABELS)
    countries = [c.upper() for c in _choice_free("country")]
    text = plain(request.args.get("q") or "")
    if len(text) > 200:
        raise ApiError(400, "`q` is longer than 200 characters.")
    page = _int_arg("page", 1, 1, 100_000)
    per_page = _int_arg("per_page", 50, 1, 200)
    query = select(Outlet)
    if biases:
        query = query.where(Outlet.bias.in_(biases))
    if factualities:
        query = query.where(Outlet.factuality.in_(factualities))
    if countries:
        query = query.where(Outlet.country.in_(countries))
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(func.lower(Outlet.name).like(like), Outlet.slug.like(like)))
    session = get_session()
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    slugs = session.scalars(
        query.with_only_columns(Outlet.slug)
        .order_by(Outlet.slug)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    cat = current_catalog()
    return jsonify(
        {
            "outlets": [cat.outlets[s] for s in slugs if s in cat.outlets],
            "total": total,
            "page": page,
            "per_page": per_page,
        }
    )


def _choice_free(name: str) -> list[str]:
    values = [v.strip() for v in request.args.getlist(name) for v in v.split(",") if v.strip()]
    for value in values:
        if len(value) != 2 or not value.isascii() or not value.isalpha():
            raise ApiError(
                400, f"`{name}` takes ISO 3166-1 alpha-2 codes such as GB; got {value!r}."
            )
    return values


@bp.get("/outlets/index")
def outlets_index() -> Response:
    """Serve every rule with its outlet's rating, compactly, with an ETag."""
    cat = current_catalog()
    response = Response(dump_index(cat), mimetype="application/json")
    response.set_etag(cat.etag)
    response.headers["Cache-Control"] = "no-cache"
    response.make_conditional(request)
    return response


@bp.get("/outlets/<slug>")
def outlet(slug: str) -> Response:
    """Show one outlet with its rating and the provider ratings behind it."""
    # No slug holds a control character, and PostgreSQL refuses a NUL in a query.
    found = None
    if not UNSTORABLE.search(slug):
        found = get_session().scalar(select(Outlet).where(Outlet.slug == slug.lower()))
    if found is None:
        raise ApiError(404, f"No outlet is called {slug!r}. List them at /api/v1/outlets.")
    body = outlet_json(found)
    body["provider_ratings"] = [
        {
            "provider": p.provider,
            "bias": p.bias,
            "factuality": p.factuality,
            "source_url": p.source_url,
            "rated_on": p.rated_on.isoformat() if p.rated_on else None,
        }
        for p in found.provider_ratings
    ]
    response = jsonify(body)
    response.set_etag(outlet_etag(found.version))  # the write API's If-Match (issue 10)
    return response


@bp.get("/scales")
def scales() -> Response:
    """Serve the rating scales: labels, order, scores and colours."""
    return jsonify(ratings.scales())


@bp.post("/feedback")
def feedback() -> Response:
    """Record a reader's disagreement with an outlet's rating."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, 'Send a JSON object such as {"outlet": "bbc-news", "message": "…"}.')
    message = body.get("message")
    if isinstance(message, str):
        message = plain(message)
    if not isinstance(message, str) or not message or len(message) > 5000:
        raise ApiError(400, "Say what is wrong in `message` (1 to 5000 characters).")
    slug = body.get("outlet")
    session = get_session()
    if slug is not None and (not isinstance(slug, str) or slug not in current_catalog().outlets):
        raise ApiError(404, f"No outlet is called {slug!r}.")
    suggested = body.get("suggested_bias")
    if suggested is not None and suggested not in ratings.BIAS_LABELS:
        raise ApiError(400, f"`suggested_bias` must be one of: {', '.join(ratings.BIAS_LABELS)}.")
    url = body.get("url")
    if url is not None:
        url = parse_url(url).url
    item = Feedback(outlet_slug=slug, url=url, suggested_bias=suggested, message=message)
    session.add(item)
    session.commit()
    response = jsonify({"id": item.id, "status": "received"})
    response.status_code = 201
    return response


@bp.get("/stories")
def stories() -> Response:
    """Search recent stories by words of their headlines."""
    text = plain(request.args.get("q") or "")
    if len(text) > lookups.MAX_TITLE:
        raise ApiError(400, f"`q` is longer than {lookups.MAX_TITLE} characters.")
    limit = _int_arg("limit", 20, 1, 100)
    services, session = get_services(), get_session()
    if not text:
        return jsonify({"stories": browse.recent_stories(session, services.blindspot_rule, limit)})
    # Words go through the story index's retrieval, as the search page does: no table scan.
    index = services.stories.fresh_index() or services.stories.index(session)
    found = browse.search_stories(index, session, services.blindspot_rule, text, 1, limit)
    return jsonify({"stories": found.items})


@bp.get("/stories/<int:story_id>")
def story(story_id: int) -> Response | WerkzeugResponse:
    """Show one story with all its coverage and splits; an absorbed story's id redirects.

    A story merged into another answers 308 with the kept story's address: clients that
    follow redirects (browsers' ``fetch``, the extension) get the kept story, and the new
    address tells any client that stored the old id which one to keep.
    """
    session = get_session()
    kept = lookups.current_story_id(session, story_id)
    if kept != story_id:
        return redirect(url_for("api.story", story_id=kept), code=308)
    body = lookups.story_json(session, story_id, get_services().blindspot_rule)
    if body is None:
        raise ApiError(404, f"There is no story {story_id}. Search them at /api/v1/stories?q=…")
    return jsonify(body)


@bp.get("/blindspots")
def blindspots() -> Response:
    """List recent stories one side of the spectrum is ignoring."""
    limit = _int_arg("limit", 20, 1, 100)
    side = request.args.get("side")
    if side not in (None, "left", "right"):
        raise ApiError(400, "`side` is left or right.")
    rule = get_services().blindspot_rule
    return jsonify({"stories": lookups.blindspots(get_session(), rule, limit, side)})


@bp.get("/openapi.json")
def openapi() -> Response:
    """Serve the OpenAPI 3.1 description of this API."""
    return jsonify(spec())


@bp.get("/ping")
def ping() -> Response:
    """Answer at once: clients check they reach the API (and its CORS and limits) with it."""
    return jsonify({"pong": True})


@health.get("/healthz")
def healthz() -> Response:
    """Say the process is up (no database work: load balancers call this often)."""
    return jsonify({"status": "ok"})

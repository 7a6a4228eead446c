"""The public pages: check any URL in a browser and see the story's coverage.

Server-rendered with Jinja (autoescaped): the page works without JavaScript and shows
the same answer as ``GET /api/v1/lookup``.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, render_template, request
from sqlalchemy import select

from . import lookup as lookups
from . import ratings
from .errors import ApiError
from .models import Outlet, ProviderRating
from .services import get_services, get_session

PROVIDER_NAMES = {"mbfc": "Media Bias/Fact Check", "allsides": "AllSides"}

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """Show the lookup form and, when a URL was given, its answer."""
    url = request.args.get("url", "").strip()
    title = request.args.get("title", "").strip()
    answer, error = None, None
    if url:
        try:
            answer = lookups.lookup(get_services(), get_session, url, title or None)
        except lookups.BadInput as exc:
            error = f"{exc.message[:1].upper()}{exc.message[1:]}."
    rule = get_services().blindspot_rule
    session = get_session()
    others: Sequence[ProviderRating] = []
    if answer and answer["outlet"]:
        others = session.scalars(
            select(ProviderRating)
            .join(Outlet)
            .where(Outlet.slug == answer["outlet"]["slug"])
            .order_by(ProviderRating.provider)
        ).all()
    return render_template(
        "home.html",
        url=url,
        title=title,
        answer=answer,
        error=error,
        others=others,
        recent=[] if answer else lookups.search(session, "", 8),
        blindspots=[] if answer else lookups.blindspots(session, rule, 4),
        bias={level.label: level for level in ratings.BIAS},
        factuality={level.label: level for level in ratings.FACTUALITY},
        ownership=ratings.OWNERSHIP,
        sides=ratings.SIDES,
        provider_names=PROVIDER_NAMES,
    )


@bp.get("/stories/<int:story_id>")
def story(story_id: int) -> str:
    """Show one story with all its coverage."""
    body = lookups.story_json(get_session(), story_id, get_services().blindspot_rule)
    if body is None:
        raise ApiError(404, f"There is no story {story_id}.", "Story not found")
    return render_template(
        "story.html",
        story=body,
        bias={level.label: level for level in ratings.BIAS},
        sides=ratings.SIDES,
    )

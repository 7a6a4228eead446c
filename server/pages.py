"""The public pages: check any URL in a browser and see the story's coverage.

Server-rendered with Jinja (autoescaped): every page works without JavaScript, has a stable
address, and shows the same answers as the JSON API. The views only read their input, call
a use case (:mod:`server.lookup` for a lookup and a story, :mod:`server.browse` for the
lists) and pick a template. Styles and the one script are static files: no inline script or
style, so a strict Content Security Policy holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from . import browse, ratings
from . import lookup as lookups
from .countries import country_name, country_title
from .coverage import lean_sentence
from .errors import ApiError, handle_api_error
from .lookup import BadInput
from .services import current_catalog, get_services, get_session

PROVIDER_NAMES = {"mbfc": "Media Bias/Fact Check", "allsides": "AllSides"}
PER_PAGE = 12  # three rows of the widest grid (3 columns), six of two
OUTLETS_PER_PAGE = 60

bp = Blueprint("pages", __name__)


@bp.errorhandler(BadInput)
def _bad_input(exc: BadInput) -> Response:
    """Answer input a page cannot take with the 400 page and the sentence that says why."""
    sentence = f"{exc.message[:1].upper()}{exc.message[1:]}."
    if isinstance(exc, browse.PageNotFound):
        return handle_api_error(ApiError(404, sentence, "No such page"))
    return handle_api_error(ApiError(400, sentence, "That address is not quite right"))


@bp.context_processor
def _scales() -> dict[str, Any]:
    return {
        "bias": {level.label: level for level in ratings.BIAS},
        "factuality": {level.label: level for level in ratings.FACTUALITY},
        "ownership": ratings.OWNERSHIP,
        "sides": ratings.SIDES,
        "provider_names": PROVIDER_NAMES,
    }


@bp.app_template_filter("country")
def _country(code: str | None) -> str:
    """Name a country inside a sentence ("the United Kingdom")."""
    return country_name(code)


@bp.app_template_filter("country_title")
def _country_title(code: str | None) -> str:
    """Name a country as a heading shows it ("United Kingdom")."""
    return country_title(code)


@bp.app_template_filter("lean")
def _lean(split: dict[str, Any]) -> str | None:
    """Say which side most rated sources are on."""
    return lean_sentence(split)


@bp.app_template_filter("day")
def _day(iso: str | None) -> str:
    """Write an ISO time as a day ("Tuesday, November 4, 2025")."""
    when = _parse(iso)
    return f"{when:%A, %B} {when.day}, {when.year}" if when else ""


@bp.app_template_filter("when")
def _when(iso: str | None) -> str:
    """Write an ISO time briefly ("Nov 4, 14:05 UTC")."""
    when = _parse(iso)
    return f"{when:%b} {when.day}, {when:%H:%M} UTC" if when else ""


def _parse(iso: str | None) -> datetime | None:
    if not iso:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)


def _page() -> int:
    return browse.parse_page(request.args.get("page"))


@bp.get("/")
def home() -> str:
    """Show the lookup form, a lookup's answer when a URL was given, and the top stories."""
    url = request.args.get("url", "").strip()
    title = request.args.get("title", "").strip()
    number = _page()
    answer, error = None, None
    if url:
        try:
            answer = lookups.lookup(get_services(), get_session, url, title or None)
        except BadInput as exc:
            error = f"{exc.message[:1].upper()}{exc.message[1:]}."
    others = []
    if answer and answer["outlet"]:
        others = browse.provider_ratings(get_session(), answer["outlet"]["slug"])
    top = browse.top_stories(get_session(), get_services().blindspot_rule, number, PER_PAGE)
    return render_template(
        "home.html", url=url, title=title, answer=answer, error=error, others=others, top=top
    )


@bp.get("/stories/<int:story_id>")
def story(story_id: int) -> str | WerkzeugResponse:
    """Show one story with all its coverage; an absorbed story's page moved to the kept one's."""
    session = get_session()
    kept = lookups.current_story_id(session, story_id)
    if kept != story_id:
        return redirect(url_for("pages.story", story_id=kept), code=308)
    body = lookups.story_json(session, story_id, get_services().blindspot_rule)
    if body is None:
        raise ApiError(404, f"There is no story {story_id}.", "Story not found")
    return render_template("story.html", story=body)


@bp.get("/blindspots")
def blindspots() -> str:
    """Show the newest blindspots for the left and for the right side by side."""
    session, rule = get_session(), get_services().blindspot_rule
    found = {
        side: browse.blindspot_stories(session, rule, side, 1, 6) for side in ("left", "right")
    }
    return render_template("blindspots.html", found=found)


@bp.get("/blindspots/<any(left, right):side>")
def blindspots_for(side: str) -> str:
    """Show every recent blindspot for one side, newest first, paged."""
    found = browse.blindspot_stories(
        get_session(), get_services().blindspot_rule, side, _page(), PER_PAGE
    )
    return render_template("blindspots_side.html", side=side, found=found)


@bp.get("/local")
def local_picker() -> WerkzeugResponse | str:
    """Show the countries with local stories; a chosen country goes to its own page."""
    chosen = request.args.get("country", "").strip()
    if chosen:
        return redirect(url_for("pages.local", country=browse.parse_country(chosen)))
    countries = browse.local_countries(get_session(), get_services().blindspot_rule)
    return render_template("local.html", countries=countries, country=None, found=None)


@bp.get("/local/<country>")
def local(country: str) -> str:
    """Show the stories first reported from a country or mostly covered from there."""
    code = browse.parse_country(country)
    session, rule = get_session(), get_services().blindspot_rule
    found = browse.local_stories(session, rule, code, _page(), PER_PAGE)
    countries = browse.local_countries(session, rule)
    return render_template("local.html", countries=countries, country=code, found=found)


@bp.get("/search")
def search() -> str:
    """Find stories (through the story index) and outlets by words."""
    text = browse.parse_query(request.args.get("q"))
    number = _page()
    services, session = get_services(), get_session()
    index = services.stories.fresh_index() or services.stories.index(session)
    found = browse.search_stories(index, session, services.blindspot_rule, text, number, PER_PAGE)
    outlets = browse.outlets(current_catalog(), text)[:12] if text and number == 1 else []
    return render_template("search.html", q=text, found=found, outlets=outlets)


@bp.get("/outlets")
def outlets() -> str:
    """List the rated outlets, filtered by words, bias or side, and country."""
    text = browse.parse_query(request.args.get("q"))
    bias = request.args.get("bias", "")
    if bias and bias not in ratings.BIAS_LABELS and bias not in ratings.SIDES:
        raise BadInput("bias", "the bias is a side (left, center, right) or a 7-point label")
    country = request.args.get("country", "")
    if country:
        country = browse.parse_country(country)
    catalog = current_catalog()
    listed = browse.paged(browse.outlets(catalog, text, bias, country), _page(), OUTLETS_PER_PAGE)
    countries = sorted({o["country"] for o in catalog.outlets.values() if o["country"]})
    return render_template(
        "outlets.html", found=listed, q=text, chosen_bias=bias, country=country, countries=countries
    )


@bp.get("/outlets/<slug>")
def outlet(slug: str) -> str:
    """Show an outlet's rating, its basis, what the agencies say and its recent stories."""
    body = current_catalog().outlets.get(slug)
    if body is None:
        raise ApiError(
            404, "No outlet has that name here; see the list of outlets.", "No such outlet"
        )
    session = get_session()
    found = browse.outlet_stories(session, get_services().blindspot_rule, slug, _page(), PER_PAGE)
    return render_template(
        "outlet.html", outlet=body, others=browse.provider_ratings(session, slug), found=found
    )

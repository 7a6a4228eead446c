"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``.

A test compares the routes the app really has with the paths described here, so a new
route cannot go undocumented.
"""

from __future__ import annotations

from typing import Any

from . import ratings


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _problems(*statuses: int) -> dict[str, Any]:
    reasons = {
        400: "The input cannot be read; `detail` says what to change.",
        401: "No valid token: send `Authorization: Bearer plx_…` (see WWW-Authenticate).",
        403: "The token's scope does not allow this, or it is the user's own proposal.",
        404: "Not found.",
        409: "Conflicts with the current state; `changed` or `fields` say what changed.",
        412: "`If-Match` names an outlet version that is no longer current.",
        413: "The body or the batch is too large.",
        414: "The request line is too long for the server (over 8,190 bytes): use POST.",
        422: "The proposal is incomplete or holds an unknown value; `field` names it.",
        429: "Too many requests; see Retry-After.",
        503: "The database is busy with a large write; try again after Retry-After.",
    }
    return {
        str(s): {
            "description": reasons[s],
            "content": {"application/problem+json": {"schema": _ref("Problem")}},
        }
        for s in statuses
    }


def _query(name: str, description: str, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def spec() -> dict[str, Any]:
    """Return the OpenAPI document."""
    nullable_str = {"type": ["string", "null"]}
    outlet_brief = {
        "type": ["object", "null"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "bias": {"enum": [*ratings.BIAS_LABELS, None]},
            "side": {"enum": [*ratings.SIDES, None]},
            "factuality": {"enum": [*ratings.FACTUALITY_LABELS, None]},
            "country": nullable_str,
        },
    }
    schemas: dict[str, Any] = {
        "Problem": {
            "type": "object",
            "required": ["title", "status", "detail"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
            },
        },
        "Outlet": {
            "type": "object",
            "properties": {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "homepage": nullable_str,
                "country": nullable_str,
                "language": nullable_str,
                "bias": {"enum": [*ratings.BIAS_LABELS, None]},
                "bias_score": {"type": ["number", "null"]},
                "side": {"enum": [*ratings.SIDES, None]},
                "factuality": {"enum": [*ratings.FACTUALITY_LABELS, None]},
                "ownership": {"enum": [*ratings.OWNERSHIP, None]},
                "owner": nullable_str,
                "paywall": {"type": "boolean"},
                "basis": nullable_str,
                "confidence": {"enum": [*ratings.CONFIDENCE, None]},
                "reviewed": nullable_str,
                "version": {"type": "integer"},
                "rules": {"type": "array", "items": {"type": "string"}},
                "feeds": {"type": "array", "items": {"type": "string"}},
            },
        },
        "Article": {
            "type": "object",
            "properties": {
                "url": {"type": "string"},
                "title": {"type": "string"},
                "published_at": nullable_str,
                "domain": {"type": "string"},
                "outlet": outlet_brief,
                "demo": {
                    "type": "boolean",
                    "description": "A demo article of the starter data: its address leads nowhere.",
                },
            },
        },
        "StoryBrief": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "article_count": {"type": "integer"},
                "outlet_count": {"type": "integer"},
                "first_seen": nullable_str,
                "last_seen": nullable_str,
            },
        },
        "BiasSplit": {
            "type": "object",
            "properties": {
                "left": {"type": "integer"},
                "center": {"type": "integer"},
                "right": {"type": "integer"},
                "rated": {"type": "integer"},
                "unrated": {"type": "integer"},
                "percent": {"type": "object"},
                "breakdown": {"type": "object"},
            },
        },
        "Story": {
            "allOf": [
                _ref("StoryBrief"),
                {
                    "type": "object",
                    "properties": {
                        "match": {
                            "type": "object",
                            "properties": {
                                "method": {"enum": ["url", "title"]},
                                "score": {"type": "number"},
                            },
                        },
                        "articles": {"type": "array", "items": _ref("Article")},
                        "more_articles": {
                            "description": "In a lookup: articles per side left out of "
                            "`articles` (at most 10 per side are listed; `links` has them all).",
                            "type": "object",
                            "additionalProperties": {"type": "integer"},
                        },
                        "links": {
                            "description": "In a lookup: the story's full coverage, "
                            "as JSON (`api`) and as a page (`page`).",
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                        },
                        "bias_split": _ref("BiasSplit"),
                        "blindspot": {"enum": ["left", "right", None]},
                        "factuality_split": {"type": "object"},
                        "ownership_split": {"type": "object"},
                        "first_reported": {"oneOf": [_ref("Article"), {"type": "null"}]},
                        "countries": {
                            "type": "object",
                            "description": "Distinct outlets per country; `mostly` holds half.",
                            "properties": {
                                "counts": {"type": "object"},
                                "mostly": nullable_str,
                            },
                        },
                        "demo": {"type": "boolean", "description": "Holds demo articles."},
                        "key_points": {
                            "type": "array",
                            "description": "Sentences of the articles' descriptions, extractive.",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "text": {"type": "string"},
                                    "outlets": {"type": "array", "items": {"type": "string"}},
                                },
                            },
                        },
                    },
                },
            ]
        },
        "Lookup": {
            "type": "object",
            "properties": {
                "url": {"type": "string"},
                "canonical_url": {"type": "string"},
                "domain": {"type": "string"},
                "host": {"type": "string"},
                "outlet": {"oneOf": [_ref("Outlet"), {"type": "null"}]},
                "story": {"oneOf": [_ref("Story"), {"type": "null"}]},
            },
        },
    }
    paths: dict[str, Any] = {
        "/api/v1/lookup": {
            "get": {
                "summary": "The outlet and rating of a URL; with a title, its story",
                "parameters": [
                    _query("url", "The article's address (a scheme may be left out).", True),
                    _query("title", "The article's headline, to find its story."),
                    _query(
                        "published",
                        "When the article was published: an ISO 8601 time with a zone "
                        "(2026-11-29T08:00:00Z), a date (2026-11-29: any time that day, in any "
                        "zone) or a local time without a zone (2026-11-29T09:00:00: any zone).",
                    ),
                    _query(
                        "description",
                        "The article's description or opening sentences (og:description), "
                        "at most 2000 characters: it helps find the story.",
                    ),
                ],
                "responses": {
                    "200": _json(_ref("Lookup"), "The answer."),
                    **_problems(400, 414, 429),
                },
            },
            "post": {
                "summary": "Look up to 200 URLs at once",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "urls": {"type": "array", "items": {"type": "string"}},
                                    "items": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "url": {"type": "string"},
                                                "title": {"type": "string"},
                                                "published": {"type": "string"},
                                                "description": {"type": "string"},
                                            },
                                        },
                                    },
                                    "detail": {
                                        "enum": ["brief", "full"],
                                        "default": "brief",
                                        "description": "`brief`: each story without its "
                                        "`articles` and `key_points` (follow `links` for "
                                        "them), for annotating a page of links; `full`: "
                                        "as `GET` answers.",
                                    },
                                },
                            }
                        }
                    }
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "results": {
                                    "type": "array",
                                    "items": {
                                        "anyOf": [
                                            _ref("Lookup"),
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "url": {},
                                                    "error": {"type": "object"},
                                                },
                                                "required": ["error"],
                                            },
                                        ]
                                    },
                                }
                            },
                        },
                        "One result per item, in order: an answer or an error.",
                    ),
                    **_problems(400, 413, 429),
                },
            },
        },
        "/api/v1/outlets": {
            "post": {
                "summary": "Propose a new outlet (scope propose)",
                "security": [{"token": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("NewOutletInput")}},
                },
                "responses": {
                    "201": _json(_ref("Proposal"), "The proposal."),
                    **_problems(401, 403, 409, 422, 429),
                },
            },
            "get": {
                "summary": "List outlets, filtered and paged",
                "parameters": [
                    _query("bias", "Bias labels, comma-separated."),
                    _query("factuality", "Factuality labels, comma-separated."),
                    _query("country", "ISO 3166-1 alpha-2 codes, comma-separated."),
                    _query("q", "Words of the name or slug."),
                    _query("page", "Page number, from 1.", type="integer"),
                    _query("per_page", "Outlets a page (1 to 200).", type="integer"),
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "outlets": {"type": "array", "items": _ref("Outlet")},
                                "total": {"type": "integer"},
                                "page": {"type": "integer"},
                                "per_page": {"type": "integer"},
                            },
                        },
                        "A page of outlets.",
                    ),
                    **_problems(400, 429),
                },
            },
        },
        "/api/v1/outlets/index": {
            "get": {
                "summary": "Every rule with its outlet's rating, compact, with an ETag",
                "parameters": [
                    {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "version": {"type": "string"},
                                "outlets": {"type": "object"},
                                "rules": {
                                    "type": "array",
                                    "items": {"type": "array"},
                                    "description": (
                                        "[host, path, slug] rows. The path is '' (the whole "
                                        "host), a prefix ('/opinion') or a pattern whose '*' "
                                        "stands for any number of whole segments "
                                        "('/*/opinion'); at a host, the rule whose match "
                                        "reaches deepest into the path wins, as server/urls.py "
                                        "specifies."
                                    ),
                                },
                            },
                        },
                        "The index.",
                    ),
                    "304": {"description": "Not modified since the ETag given."},
                    **_problems(429),
                },
            }
        },
        "/api/v1/outlets/{slug}": {
            "get": {
                "summary": "One outlet, with the provider ratings behind it",
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": _json(_ref("Outlet"), "The outlet."), **_problems(404, 429)},
            }
        },
        "/api/v1/scales": {
            "get": {
                "summary": "The rating scales: labels, scores and colours",
                "responses": {"200": _json({"type": "object"}, "The scales.")},
            }
        },
        "/api/v1/feedback": {
            "get": {
                "summary": "Reader feedback by status, grouped by outlet (any token)",
                "security": [{"token": []}],
                "parameters": [_query("status", "new, accepted, declined or duplicate.")],
                "responses": {
                    "200": _json({"type": "object"}, "The feedback."),
                    **_problems(401, 403, 422, 429),
                },
            },
            "post": {
                "summary": "Tell the maintainers a rating looks wrong",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["message"],
                                "properties": {
                                    "outlet": {"type": "string"},
                                    "url": {"type": "string"},
                                    "suggested_bias": {"enum": list(ratings.BIAS_LABELS)},
                                    "message": {"type": "string", "maxLength": 5000},
                                },
                            }
                        }
                    }
                },
                "responses": {
                    "201": _json({"type": "object"}, "Received."),
                    **_problems(400, 404, 413, 429, 503),
                },
            },
        },
        "/api/v1/stories": {
            "get": {
                "summary": "Search recent stories by words of their titles",
                "parameters": [
                    _query("q", "Words that must all appear in the title."),
                    _query("limit", "At most this many (1 to 100).", type="integer"),
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "stories": {"type": "array", "items": _ref("StoryBrief")}
                            },
                        },
                        "Stories, newest first.",
                    ),
                    **_problems(400, 429),
                },
            }
        },
        "/api/v1/stories/{story_id}": {
            "get": {
                "summary": "One story with its coverage, splits and blindspot",
                "description": (
                    "A story can be merged into another when a later article shows the two "
                    "tell one event. The absorbed story's id keeps working: it answers 308 "
                    "with the kept story's address in `Location` (follow it, and keep the "
                    "new id). A lookup never answers with an absorbed story."
                ),
                "parameters": [
                    {
                        "name": "story_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": _json(_ref("Story"), "The story."),
                    "308": {
                        "description": "The story was merged into another: `Location` is "
                        "the kept story's address.",
                        "headers": {
                            "Location": {
                                "description": "/api/v1/stories/{kept story id}",
                                "schema": {"type": "string"},
                            }
                        },
                    },
                    **_problems(404, 429),
                },
            }
        },
        "/api/v1/blindspots": {
            "get": {
                "summary": "Recent stories one side of the spectrum ignores",
                "parameters": [
                    _query("side", "Only stories the left (or right) ignores."),
                    _query("limit", "At most this many (1 to 100).", type="integer"),
                ],
                "responses": {
                    "200": _json({"type": "object"}, "Stories with their split."),
                    **_problems(400, 429),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1.")},
            }
        },
        "/api/v1/ping": {
            "get": {
                "summary": "Answer at once, through the API's CORS and rate limits",
                "responses": {"200": _json({"type": "object"}, "pong"), **_problems(429)},
            }
        },
        "/healthz": {
            "get": {
                "summary": "Liveness",
                "responses": {"200": _json({"type": "object"}, "The process is up.")},
            }
        },
    }
    paths.update(_curation_paths())
    schemas.update(_curation_schemas())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Parallax API",
            "version": "1",
            "description": "Outlet ratings, story matching and coverage splits.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`parallax tokens create NAME --user U --scope propose|review`",
                }
            },
        },
    }


def _path_param(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def _curation_schemas() -> dict[str, Any]:
    """Return the schemas of the write API and the public history (issue 10)."""
    evidence = {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["url"],
            "properties": {"url": {"type": "string"}, "kind": {"type": "string"}},
        },
    }
    justification = {
        "reason": {"type": "string", "description": "Public; at least a sentence."},
        "evidence": evidence,
        "basis": {"type": "string"},
        "confidence": {"enum": list(ratings.CONFIDENCE)},
        "methodology": {"type": "string"},
        "note": {"type": "string", "description": "Internal; never published."},
    }
    return {
        "ProposalInput": {
            "type": "object",
            "required": ["reason"],
            "properties": {
                "changes": {
                    "type": "object",
                    "description": "Field → new value (bias, factuality, rules, feeds, …).",
                },
                "retire": {
                    "type": "boolean",
                    "description": "True instead of `changes`: retire the outlet.",
                },
                **justification,
            },
        },
        "NewOutletInput": {
            "type": "object",
            "required": ["outlet", "reason"],
            "properties": {"outlet": {"type": "object"}, **justification},
        },
        "RevertInput": {
            "type": "object",
            "required": ["reason"],
            "properties": justification,
        },
        "ReviewInput": {"type": "object", "properties": {"note": {"type": "string"}}},
        "Proposal": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "status": {"enum": ["proposed", "applied", "rejected"]},
                "kind": {"type": "string"},
                "outlet": {"type": ["string", "null"]},
                "changes": {"type": "object"},
                "reason": {"type": "string"},
                "evidence": evidence,
                "approvals_needed": {"type": "integer"},
                "approvals": {"type": "array", "items": {"type": "string"}},
                "versions": {"type": "object"},
            },
        },
        "Change": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "changed_at": {"type": "string"},
                "changes": {"type": "object"},
                "reason": {"type": "string"},
                "evidence": evidence,
                "basis": {"type": ["string", "null"]},
                "confidence": {"type": ["string", "null"]},
                "proposer": {"type": ["string", "null"]},
                "approvers": {"type": "array", "items": {"type": "string"}},
            },
        },
    }


def _curation_paths() -> dict[str, Any]:
    """Return the write API's operations and the public history (issue 10)."""
    secured: list[dict[str, list[str]]] = [{"token": []}]

    def body(name: str, required: bool = True) -> dict[str, Any]:
        return {
            "required": required,
            "content": {"application/json": {"schema": _ref(name)}},
        }

    proposal = _json(_ref("Proposal"), "The proposal.")
    return {
        "/api/v1/outlets/{slug}/proposals": {
            "post": {
                "summary": "Propose a change to an outlet (scope propose)",
                "security": secured,
                "parameters": [
                    _path_param("slug"),
                    {"name": "If-Match", "in": "header", "schema": {"type": "string"}},
                ],
                "requestBody": body("ProposalInput"),
                "responses": {"201": proposal, **_problems(401, 403, 404, 412, 422, 429)},
            }
        },
        "/api/v1/outlets/{slug}/history": {
            "get": {
                "summary": "An outlet's applied changes with reasons and evidence (public)",
                "parameters": [_path_param("slug")],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "outlet": {"type": "string"},
                                "changes": {"type": "array", "items": _ref("Change")},
                            },
                        },
                        "Newest first.",
                    ),
                    **_problems(404, 429),
                },
            }
        },
        "/api/v1/proposals": {
            "get": {
                "summary": "Proposals by status",
                "security": secured,
                "parameters": [_query("status", "proposed, applied or rejected.")],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "proposals": {"type": "array", "items": _ref("Proposal")}
                            },
                        },
                        "Open ones oldest first, decided ones newest first.",
                    ),
                    **_problems(401, 403, 422, 429),
                },
            }
        },
        "/api/v1/proposals/{proposal_id}": {
            "get": {
                "summary": "One proposal",
                "security": secured,
                "parameters": [_path_param("proposal_id", "integer")],
                "responses": {"200": proposal, **_problems(401, 403, 404, 429)},
            }
        },
        "/api/v1/proposals/{proposal_id}/approve": {
            "post": {
                "summary": "Approve a proposal (scope review); applied at enough approvals",
                "security": secured,
                "parameters": [_path_param("proposal_id", "integer")],
                "requestBody": body("ReviewInput", required=False),
                "responses": {
                    "200": _json(_ref("Proposal"), "The proposal, with `applied` change ids."),
                    **_problems(401, 403, 404, 409, 422, 429),
                },
            }
        },
        "/api/v1/proposals/{proposal_id}/reject": {
            "post": {
                "summary": "Reject a proposal with a note (scope review)",
                "security": secured,
                "parameters": [_path_param("proposal_id", "integer")],
                "requestBody": body("ReviewInput"),
                "responses": {"200": proposal, **_problems(401, 403, 404, 409, 422, 429)},
            }
        },
        "/api/v1/changes/{change_id}/revert": {
            "post": {
                "summary": "Propose restoring the values an applied change replaced",
                "security": secured,
                "parameters": [_path_param("change_id", "integer")],
                "requestBody": body("RevertInput"),
                "responses": {"201": proposal, **_problems(401, 403, 404, 409, 422, 429)},
            }
        },
        "/api/v1/change-sets/{change_set}/revert": {
            "post": {
                "summary": "Propose reverting a whole change set (an import)",
                "security": secured,
                "parameters": [_path_param("change_set")],
                "requestBody": body("RevertInput"),
                "responses": {"201": proposal, **_problems(401, 403, 404, 409, 422, 429)},
            }
        },
    }

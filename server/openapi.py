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
        404: "Not found.",
        413: "The body or the batch is too large.",
        429: "Too many requests; see Retry-After.",
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
                    _query("published", "When the article was published (ISO 8601)."),
                ],
                "responses": {"200": _json(_ref("Lookup"), "The answer."), **_problems(400, 429)},
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
                                            },
                                        },
                                    },
                                },
                            }
                        }
                    }
                },
                "responses": {
                    "200": _json(
                        {"type": "object", "properties": {"results": {"type": "array"}}},
                        "One result per item, in order: an answer or an error.",
                    ),
                    **_problems(400, 413, 429),
                },
            },
        },
        "/api/v1/outlets": {
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
            }
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
                                "rules": {"type": "array", "items": {"type": "array"}},
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
                    **_problems(400, 404, 413, 429),
                },
            }
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
                "parameters": [
                    {
                        "name": "story_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {"200": _json(_ref("Story"), "The story."), **_problems(404, 429)},
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
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Parallax API",
            "version": "1",
            "description": "Outlet ratings, story matching and coverage splits.",
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }

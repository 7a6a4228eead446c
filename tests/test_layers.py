"""The layers of ``server/`` (ARCHITECTURE.md): each module imports only layers below it.

Read from the source with ``ast``, so an arrow the wrong way fails here before it tangles the
code: an edge importing a use case's caller, a service reaching for the web, the core
pulling in Flask. Within the core and the use cases a module may build on its neighbours
(``records`` reads times with ``times``; ``starter`` loads the demo through ``ingest``), and
the services holder holds the services beside it; edges never import each other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[1] / "server"

LAYERS: dict[str, tuple[str, ...]] = {
    "core": (
        "urls",
        "matching",
        "coverage",
        "countries",
        "ratings",
        "times",
        "text",
        "records",
        "config",
        "outlet_csv",
        "openapi",
        "audit",
        "policy",
        "names",
        "embedding",
    ),
    "store": ("db", "models"),
    "services": (
        "services",
        "catalog",
        "outlets",
        "stories",
        "providers",
        "misses",
        "changelog",
        "accounts",
        "proposals",
    ),
    "use cases": ("lookup", "browse", "ingest", "starter", "curation"),
    "edge support": ("errors", "limiter"),
    "edges": ("api", "pages", "cli", "stories_cli", "curation_api", "maintain", "maintain_cli"),
    "app": ("app",),
    "package": ("__init__",),  # its lazy create_app imports app only when called
}
RANK = {module: rank for rank, modules in enumerate(LAYERS.values()) for module in modules}
LAYER_OF = {module: layer for layer, modules in LAYERS.items() for module in modules}
SIDEWAYS_ALLOWED = {"core", "services", "use cases"}
WEB_STACK = ("flask", "werkzeug", "sqlalchemy")


def _modules() -> list[str]:
    return sorted(p.stem for p in SERVER.glob("*.py"))


def _server_imports(module: str) -> set[str]:
    """Return the ``server`` modules that ``module`` imports, at any depth of its code."""
    tree = ast.parse((SERVER / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:  # from .x import y
                found.add(node.module.split(".")[0])
            elif node.level == 1:  # from . import x, y
                found.update(alias.name for alias in node.names)
            elif node.module and node.module.split(".")[0] == "server":
                parts = node.module.split(".")
                found.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "server" and len(parts) > 1:
                    found.add(parts[1])
    return found - {module}


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m in _modules() if m not in RANK]
    assert not unplaced, (
        f"say which layer these belong to (here and in ARCHITECTURE.md): {unplaced}"
    )


@pytest.mark.parametrize("module", _modules())
def test_imports_point_down(module: str) -> None:
    wrong = []
    for imported in sorted(_server_imports(module)):
        if imported not in RANK:
            continue  # a package such as migrations
        if RANK[imported] > RANK[module]:
            wrong.append(f"{imported} ({LAYER_OF[imported]}) is above {module}")
        elif RANK[imported] == RANK[module] and LAYER_OF[module] not in SIDEWAYS_ALLOWED:
            wrong.append(f"{imported} is beside {module} in the {LAYER_OF[module]} layer")
    assert not wrong, "; ".join(wrong)


def test_the_checker_sees_a_wrong_arrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk finds relative, absolute and nested imports, so a bad arrow cannot hide."""
    (tmp_path / "urls.py").write_text(
        "def f():\n    from .api import bp\n    import server.pages\n    from server import cli\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "SERVER", tmp_path)
    assert _server_imports("urls") == {"api", "pages", "cli"}


@pytest.mark.parametrize("module", LAYERS["core"])
def test_core_module_loads_without_the_web_stack(module: str) -> None:
    code = (
        f"import sys, server.{module}; "
        f"loaded = [m for m in {WEB_STACK!r} if m in sys.modules]; "
        "print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "", f"importing server.{module} loaded {result.stdout}"

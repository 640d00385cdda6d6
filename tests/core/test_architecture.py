"""The core never imports a platform or web library: adapters translate, bot/ decides."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"slack_bolt", "slack_sdk", "telegram", "fastapi", "starlette", "uvicorn", "typer"}
ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_bot_imports_no_platform_library() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN)
        for path in (ROOT / "bot").rglob("*.py")
        if _imports(path) & FORBIDDEN
    }
    assert offenders == {}


def test_bot_never_imports_adapters() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot").rglob("*.py")
        if "adapters" in _imports(path)
    ]
    assert offenders == []


def test_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from slack_bolt.async_app import AsyncApp\nimport telegram.ext\n")
    assert _imports(sample) & FORBIDDEN == {"slack_bolt", "telegram"}


def _features() -> list[Path]:
    return sorted(p for p in (ROOT / "bot" / "features").iterdir() if (p / "__init__.py").exists())


def test_the_kernel_imports_no_feature() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot" / "core").rglob("*.py")
        if any(name.startswith("bot.features") for name in _modules(path))
    ]
    assert offenders == []


def test_every_feature_that_talks_declares_itself() -> None:
    """A feature with a chat side says what it adds in feature.py, and app.py lists it."""
    app = (ROOT / "bot" / "app.py").read_text(encoding="utf-8")
    for folder in _features():
        if (folder / "chat.py").exists() or (folder / "service.py").exists():
            if folder.name == "review":
                continue  # a report staff run from the CLI: nothing to add to chat or jobs
            assert (folder / "feature.py").exists(), folder.name
            assert f"bot.features.{folder.name}.feature import" in app, folder.name


def test_every_feature_model_is_in_the_schema() -> None:
    """Alembic and the migration test read bot/storage/schema.py; a model it misses would be a
    table no migration checks."""
    schema = (ROOT / "bot" / "storage" / "schema.py").read_text(encoding="utf-8")
    for folder in _features():
        if (folder / "models.py").exists():
            assert f"from bot.features.{folder.name} import models" in schema, folder.name


def _modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found

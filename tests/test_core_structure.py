"""The shape of the package: methods plug into the core; imports point one way; SQL stays in db/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from chatbot_agent.api.graphql.schema import build_schema
from chatbot_agent.auth.methods import available, enabled
from chatbot_agent.config import ConfigError, load_settings

PACKAGE = Path(__file__).resolve().parents[1] / "chatbot-agent" / "chatbot_agent"
# A layer may import from the layers after it, never from those before it.
LAYERS = ["cli", "app", "api", "auth.methods", "auth.core", "dbsource", "db", "config", "keys", "logs"]


def _layer(module: str) -> int | None:
    for index, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            return index
    return None


def _imports(path: Path) -> list[str]:
    module = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            found.append(".".join([*base, node.module] if node.module else base))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chatbot_agent."):
            found.append(node.module.removeprefix("chatbot_agent."))
    return found


def test_imports_point_down_the_layers():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        here = _layer(module)
        for target in _imports(path):
            there = _layer(target)
            # a method's graphql.py / rest.py is a transport part: it may use api's shared helpers
            transport_part = module.startswith("auth.methods.") and module.rsplit(".", 1)[-1] in ("graphql", "rest")
            if (
                here is not None
                and there is not None
                and there < here
                and not (transport_part and target.startswith("api"))
            ):
                wrong.append(f"{module} imports {target}")
    assert not wrong, wrong


def test_sql_lives_only_in_db():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(("db/", "dbsource/")):
            continue
        text = path.read_text()
        if any(word in text for word in ("SELECT ", "INSERT INTO", "DELETE FROM", 'UPDATE "', "UPDATE session")):
            offenders.append(rel)
    assert not offenders


def test_every_method_is_one_folder_with_its_descriptor():
    for method in available():
        folder = PACKAGE / Path(*method.package.split(".")[1:])
        assert (folder / "__init__.py").is_file() and (folder / "service.py").is_file(), method.name


def test_a_method_switched_off_has_no_fields(tmp_path):
    everything = build_schema().as_str()
    assert "signUp(" in everything and "requestPasswordReset(" in everything
    core_only = build_schema([]).as_str()
    assert "signUp(" not in core_only and "requestPasswordReset(" not in core_only and "me: User" in core_only
    for method in available():
        # every other method but those that need this one (they would refuse to start without it)
        others = [m.name for m in available() if m.name != method.name and method.name not in m.requires]
        others = others or ["password"]
        chosen = enabled(load_settings(env={"AUTH_METHODS": ",".join(others)}, env_file=None, data_dir=tmp_path))
        assert method.name not in {m.name for m in chosen} or others == ["password"]
    # and a method whose requirement is switched off stops start-up, naming what it needs
    with pytest.raises(ConfigError, match="account needs password"):
        enabled(load_settings(env={"AUTH_METHODS": "email-verification,account"}, env_file=None, data_dir=tmp_path))
    fields = build_schema([m for m in available() if m.name != "account"]).as_str()
    assert "verifyEmail(" in fields and "deleteAccount(" not in fields and "updateProfile(" not in fields

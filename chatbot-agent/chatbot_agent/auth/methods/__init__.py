"""Sign-in methods and account features, one folder each (see README.md beside this file).

`REGISTRY` lists them in the order they are set up; AUTH_METHODS chooses which are served."""

from __future__ import annotations

from importlib import import_module

from ...config import ConfigError, Settings
from .base import Method

REGISTRY: tuple[str, ...] = (
    "password",
    "email_verification",
    "account",
    "passkey",
    "two_factor",
    "magic_link",
    "oauth",
    "audit",
)


def load(folder: str) -> Method:
    method: Method = import_module(f"{__name__}.{folder}").METHOD
    return method


def available() -> list[Method]:
    return [load(folder) for folder in REGISTRY]


def enabled(settings: Settings) -> list[Method]:
    """The methods AUTH_METHODS asks for (all when empty), in registry order; unknown names stop start-up."""
    known = {m.name: m for m in available()}
    wanted = settings.auth_methods or tuple(known)
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ConfigError(f"AUTH_METHODS names unknown method(s) {', '.join(unknown)}; known: {', '.join(known)}")
    chosen = [m for m in known.values() if m.name in wanted and m.enabled_by(settings)]
    names = {m.name for m in chosen}
    for m in chosen:
        missing = [r for r in m.requires if r not in names]
        if missing:
            raise ConfigError(f"AUTH_METHODS: {m.name} needs {', '.join(missing)}")
    return chosen


def migration_sources() -> list[str]:
    """Packages whose `migrations/` folders the migrator applies: the core's, then every method's (tables exist
    whether or not a method is enabled, so switching one on or off never needs a migration)."""
    return ["chatbot_agent.db", *(m.package for m in available())]

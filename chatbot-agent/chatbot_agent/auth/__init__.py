"""Authentication: the core (auth/core) and the sign-in methods that plug into it (auth/methods/<name>/)."""

from __future__ import annotations

from typing import Any

from ..config import Settings
from .core.core import Core
from .methods import enabled
from .methods.base import Method


class Auth:
    """The assembled service: the core plus each enabled method's service as an attribute (`auth.password` …).
    Transports (GraphQL, REST) use this and nothing below it."""

    def __init__(self, core: Core, methods: list[Method]) -> None:
        self.core = core
        self.methods = methods
        self.services: dict[str, Any] = core.services
        for method in methods:
            service = method.service(core)
            self.services[method.name] = service
            setattr(self, method.attr, service)

    def __getattr__(self, name: str) -> Any:  # the services set in __init__; for type checkers
        raise AttributeError(f"no method service {name!r} (is it enabled in AUTH_METHODS?)")

    async def on_startup(self) -> None:
        """Background work of the services (a service may define `on_startup`/`on_shutdown`), once the app runs."""
        for service in self.services.values():
            if hasattr(service, "on_startup"):
                await service.on_startup()

    async def on_shutdown(self) -> None:
        for service in reversed(list(self.services.values())):
            if hasattr(service, "on_shutdown"):
                await service.on_shutdown()

    def has(self, name: str) -> bool:
        return name in self.services

    @classmethod
    def build(cls, core: Core, settings: Settings) -> Auth:
        return cls(core, enabled(settings))

"""What a sign-in method (or account feature) brings to the core: one `Method` in its folder's `__init__.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...config import Settings
from ..core.core import Core


@dataclass(frozen=True)
class Method:
    name: str  # as listed in AUTH_METHODS ("password", "email-verification" …)
    package: str  # the method's folder, as a module path (its graphql.py, rest.py and migrations/ live there)
    service: Callable[[Core], Any]  # builds the method's service on the core (it registers gates and handlers)
    attr: str  # `auth.<attr>` is the service, for transports
    requires: tuple[str, ...] = ()  # methods that must be enabled with this one
    enabled_by: Callable[[Settings], bool] = lambda settings: True  # a further switch of its own (e.g. providers set)

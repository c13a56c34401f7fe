"""Events: what happened, for side effects to subscribe to (mails, audit, metrics) instead of being written inline.

A method emits after its change is committed; handlers run in subscription order and a failing handler is logged,
never raised: the user's action already happened. Handlers that do slow work (SMTP) queue it."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .records import Client, User

log = logging.getLogger(__name__)

# The events of the core and the built-in methods. Methods may emit names of their own ("<method>.<what>").
USER_SIGNED_UP = "user.signed_up"
SIGNED_IN = "session.signed_in"
SIGN_IN_FAILED = "session.sign_in_failed"
SIGNED_OUT = "session.signed_out"
SESSIONS_REVOKED = "session.revoked"
PASSWORD_CHANGED = "password.changed"
PASSWORD_RESET = "password.reset"
PASSWORD_RESET_REQUESTED = "password.reset_requested"
EMAIL_VERIFIED = "user.email_verified"
EMAIL_CHANGED = "user.email_changed"
PROFILE_UPDATED = "user.profile_updated"
ACCOUNT_DELETED = "user.deleted"


@dataclass(frozen=True)
class Event:
    name: str
    user: User | None = None
    client: Client | None = None
    data: dict[str, Any] = field(default_factory=dict)
    user_id: str | None = None  # always set when the event concerns a user (also when only the id is known)


Handler = Callable[[Event], Awaitable[None]]


class Events:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def on(self, name: str, handler: Handler) -> None:
        self._handlers[name].append(handler)

    def on_any(self, handler: Handler) -> None:
        self._handlers["*"].append(handler)

    async def emit(
        self,
        name: str,
        *,
        user: User | None = None,
        user_id: str | None = None,
        client: Client | None = None,
        **data: Any,
    ) -> None:
        event = Event(name, user, client, data, user_id or (user.id if user else None))
        for handler in (*self._handlers.get(name, ()), *self._handlers.get("*", ())):
            try:
                await handler(event)
            except Exception:
                log.exception("handler of %s failed", name)

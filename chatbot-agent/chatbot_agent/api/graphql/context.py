"""Request → GraphQL context: the request's session side (api/session.py) and the assembled service."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...auth import Auth
from ...auth.core.cookies import SessionCookie
from ...auth.core.records import Client
from ..session import RequestSession, client_ip

__all__ = ["Context", "client_ip"]


class Context(RequestSession):
    def __init__(
        self, *, request: Request, response: Response, auth: Auth, cookie: SessionCookie, client: Client
    ) -> None:
        super().__init__(request, response.headers, auth, cookie, client)
        self.response = response

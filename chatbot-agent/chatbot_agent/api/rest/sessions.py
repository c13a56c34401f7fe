"""The routes every deployment has, whatever its sign-in methods: the session (get, sign out, list, revoke) and
Better Auth's /ok and /error."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from starlette.responses import HTMLResponse, Response

from .base import Rest, RestError, route, session_json, user_json


async def ok(rest: Rest) -> dict:
    return {"ok": True}


ERROR_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Error</title><style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}
code{{background:#f3f3f3;padding:.1rem .3rem;border-radius:.2rem}}</style></head>
<body><h1>Something went wrong</h1><p>Error code: <code>{code}</code></p>{description}
<p><a href="{home}">Back to the app</a></p></body></html>
"""


async def error_page(rest: Rest) -> Response:
    """Where Better Auth sends a browser when a link fails and there is no callback URL to go back to."""
    code = rest.request.query_params.get("error") or "UNKNOWN"
    code = code if re.fullmatch(r"[A-Za-z0-9_'-]{1,100}", code) else "UNKNOWN"
    description = rest.request.query_params.get("error_description")
    text = f"<p>{html.escape(description[:500])}</p>" if description else ""
    home = html.escape(rest.settings.frontend_url, quote=True)
    return HTMLResponse(ERROR_PAGE.format(code=html.escape(code), description=text, home=home))


async def get_session(rest: Rest) -> dict | None:
    rest.headers["cache-control"] = "no-store"
    rest.headers["pragma"] = "no-cache"
    principal = await rest.principal()
    if principal is None:
        if rest.session_token is not None:  # a cookie we signed, for a session that is over: drop it
            rest.end_session()
        return None
    session = principal.session
    assert session is not None  # the core's principals carry their session
    return {"session": session_json(session, principal.session_token or session.id), "user": user_json(principal.user)}


async def get_session_by_post(rest: Rest) -> None:
    raise RestError(
        405,
        "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED",
        "POST method requires deferSessionRefresh to be enabled in session config",
    )


async def sign_out(rest: Rest) -> dict:
    await rest.body()
    token = rest.session_token or rest.bearer_session_token
    await rest.auth.core.sign_out(token, rest.client)
    rest.end_session()
    return {"success": True}


async def list_sessions(rest: Rest) -> list[dict]:
    principal = await rest.signed_in()
    current = datetime.now(UTC)
    sessions = await rest.auth.core.sessions.of_user(principal.user.id)
    return [
        session_json(s, principal.session_token if s.id == principal.session_id and principal.session_token else s.id)
        for s in sessions
        if s.expires_at > current
    ]


async def revoke_session(rest: Rest) -> dict:
    """Better Auth's body is `{token}`: the caller's own session token, or the `token` list-sessions answered for
    another session (its id: we cannot know other sessions' tokens). Anything else revokes nothing (still 200)."""
    token = await rest.string("token") or ""
    principal = await rest.signed_in()
    current = token == principal.session_token or token == principal.session_id
    await rest.auth.core.revoke_session(principal, principal.session_id if current else token, rest.client)
    if current:
        rest.end_session()
    return {"status": True}


async def revoke_sessions(rest: Rest) -> dict:
    await rest.body()
    principal = await rest.signed_in()
    await rest.auth.core.revoke_all_sessions(principal, rest.client)
    rest.end_session()
    return {"status": True}


async def revoke_other_sessions(rest: Rest) -> dict:
    await rest.body()
    principal = await rest.signed_in()
    await rest.auth.core.revoke_other_sessions(principal, rest.client)
    return {"status": True}


ROUTES = [
    route("GET", "/ok", ok),
    route("GET", "/error", error_page),
    route("GET", "/get-session", get_session),
    route("POST", "/get-session", get_session_by_post),
    route("POST", "/sign-out", sign_out),
    route("GET", "/list-sessions", list_sessions),
    route("POST", "/revoke-session", revoke_session),
    route("POST", "/revoke-sessions", revoke_sessions),
    route("POST", "/revoke-other-sessions", revoke_other_sessions),
]

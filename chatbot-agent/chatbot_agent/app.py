"""create_app(settings) -> Starlette: /graphql, /health, /.well-known/jwks.json and the built frontend.

The lifespan resolves the database (DATABASE_URL, .mcp.json, or embedded), opens the pool, applies migrations,
starts the mailer and the expiry sweeper, and closes all of it on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL

from .api import rest
from .api.graphql.context import Context
from .api.graphql.schema import build_schema
from .api.session import client_of
from .auth import Auth
from .auth.core.cookies import CookieSpec, SessionCookie
from .auth.core.core import Core
from .auth.core.mail import Mailer
from .auth.core.passwords import PasswordHashing
from .auth.core.session_cache import SessionCache
from .auth.core.tokens import AccessTokens
from .auth.methods import enabled, migration_sources
from .config import Settings
from .db import migrate, upkeep
from .dbsource import dsn
from .dbsource import pool as db_pool
from .http.graphiql import graphiql_routes
from .http.metrics import HttpMetrics, Metrics
from .http.middleware import BodyLimit, CsrfGuard, RequestContext, SecurityHeaders, SessionChanges

log = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 900


class GraphQLView(GraphQL):
    """Strawberry's ASGI view with our context and a faster JSON encoder."""

    def __init__(self, state: AppState, **kwargs) -> None:
        super().__init__(state.schema, **kwargs)
        self.state = state

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        s = self.state
        client = client_of(request, s.settings.trusted_proxy_count)
        return Context(request=request, response=response, auth=s.auth, cookie=s.cookie, client=client)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        # Strict: lone surrogates ("\ud800") are refused as invalid JSON (400), so no string reaches a resolver
        # that cannot be encoded as UTF-8. orjson.JSONDecodeError is a json.JSONDecodeError, as Strawberry expects.
        return orjson.loads(data)


class AppState:
    """Everything a request needs, built once per process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.hashing = PasswordHashing(
            memory_kib=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
            workers=settings.hash_pool_size,
        )
        self.tokens = AccessTokens(
            settings.jwt_private_key,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
            previous_keys=settings.jwt_previous_keys,
        )
        self.cookie = SessionCookie(
            settings.session_secret,
            CookieSpec(
                name=settings.session_cookie_name, secure=settings.secure_cookies, max_age=settings.session_ttl_seconds
            ),
        )
        self.mailer = Mailer(smtp_url=settings.smtp_url, sender=settings.mail_from, timeout=settings.smtp_timeout)
        self.methods = enabled(settings)
        self.metrics = Metrics(settings)
        self.schema = build_schema(
            self.methods,
            max_depth=settings.graphql_max_depth,
            max_tokens=settings.graphql_max_tokens,
            max_aliases=settings.graphql_max_aliases,
            introspection=not settings.production,
            extra_extensions=self.metrics.schema_extensions,
        )
        self.target: dsn.Target | None = None
        self.pool: asyncpg.Pool = None  # type: ignore[assignment]  # set in the lifespan
        self.auth: Auth = None  # type: ignore[assignment]  # set in the lifespan


class SpaFiles(StaticFiles):
    """The built frontend; unknown paths get index.html so client-side routes survive a reload."""

    async def get_response(self, path: str, scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or scope["method"] not in ("GET", "HEAD"):
                raise
            return await super().get_response("index.html", scope)


def create_app(settings: Settings, *, target: dsn.Target | None = None) -> Starlette:
    state = AppState(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.target = target or await dsn.resolve(settings)
        log.info("database: %s (%s)", state.target.source, state.target.redacted)
        state.pool = await db_pool.open_pool(state.target, settings)
        async with state.pool.acquire() as conn:
            await migrate.migrate(conn, migration_sources())
        cache = session_cache(state.target, settings, state.pool)
        core = Core(settings, state.pool, state.hashing, state.tokens, state.mailer, session_cache=cache)
        state.auth = Auth(core, state.methods)
        await state.auth.on_startup()
        state.metrics.watch(core)
        await state.hashing.warm_up()
        state.mailer.start()
        if state.mailer.development:
            log.warning("DEVELOPMENT MODE: no SMTP_URL set; mails (and their links) are written to this log")
        sweeper = asyncio.create_task(_sweep(core), name="expiry-sweeper")
        try:
            yield
        finally:
            sweeper.cancel()
            await state.metrics.stop()
            await state.mailer.stop()  # first: a queued mail job may still emit an event (audit)
            await state.auth.on_shutdown()
            await cache.close()
            await state.pool.close()
            state.hashing.close()

    async def health(request: Request) -> Response:
        try:
            async with asyncio.timeout(2):
                await upkeep.ping(state.pool)
        except Exception as exc:  # noqa: BLE001
            log.error("health check: database unavailable (%s)", type(exc).__name__)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def jwks(request: Request) -> Response:
        return JSONResponse(state.tokens.jwks(), headers={"cache-control": "public, max-age=300"})

    graphql = GraphQLView(state, graphql_ide=None, allow_queries_via_get=False)  # GraphiQL: http/graphiql.py
    routes: list[BaseRoute] = [
        *graphiql_routes(settings),  # before /graphql: its page answers the GETs that ask for HTML
        Route("/health", health),
        Route("/.well-known/jwks.json", jwks),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Mount(rest.PREFIX, rest.RestApp(state, rest.routes_of(state.methods))),
        *state.metrics.routes(),
    ]
    dist = settings.frontend_dist
    if dist is not None and (dist / "index.html").is_file():
        routes.append(Mount("/", SpaFiles(directory=dist, html=True)))
    elif dist is not None:
        log.warning("FRONTEND_DIST=%s has no index.html: serving the API only (build with: make frontend)", dist)

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.auth = state

    async def barrier() -> None:
        if state.auth is not None:
            await state.auth.core.sessions.cache.barrier()

    app.add_middleware(SessionChanges, barrier=barrier)
    app.add_middleware(CsrfGuard, path="/graphql", trusted=settings.allowed_origins, rest_prefix=rest.PREFIX)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    app.add_middleware(RequestContext)
    app.add_middleware(HttpMetrics, metrics=state.metrics)
    return app


def session_cache(target: dsn.Target, settings: Settings, pool: asyncpg.Pool) -> SessionCache:
    """The worker's session cache, listening on a direct connection: Neon's endpoint without -pooler when the DSN
    names the pooler. Behind any other transaction pooler LISTEN cannot work, so the cache stays off."""
    listen_to = target.admin()
    if settings.session_cache_seconds > 0 and listen_to.pooler == "transaction":
        log.info("session cache off: LISTEN needs a direct connection, and the database is behind a transaction pooler")
        return SessionCache(seconds=0, connect=None, db=pool)

    async def connect() -> asyncpg.Connection:
        return await db_pool.connect(listen_to, settings, admin=False)

    return SessionCache(seconds=settings.session_cache_seconds, connect=connect, db=pool)


async def _sweep(core: Core) -> None:
    while True:
        await asyncio.sleep(SWEEP_INTERVAL_SECONDS)
        try:
            removed = await core.delete_expired()
            log.info("expired rows removed", extra=removed)
        except Exception as exc:  # noqa: BLE001
            log.warning("expiry sweep failed (%s)", type(exc).__name__)

"""The Python port of Better Auth (PyPI `better-auth-server`) as a user would deploy it, for `make bench`: FastAPI
under uvicorn (WORKERS processes, uvloop + httptools, the options `chatbot-agent serve` uses), its SQLAlchemy async
adapter on PostgreSQL (asyncpg, a pool of POOL_SIZE per worker), email + password, its rate limiter off. Unlike
node's server it has no `firstName`/`lastName` additional fields: the port's sign-up (1.1.0) does not take
additional fields from the request body, so required ones fail every sign-up; the bench sends them, it ignores them.
Started and stopped by bench/run.py; listens on 127.0.0.1 only.

    bench/better_auth_py/.venv/bin/python bench/better_auth_py/server.py   # env: PORT WORKERS DATABASE_URL ...

Before the workers start, the parent creates the port's tables (its `create_tables`, its own schema) once.
"""

from __future__ import annotations

import asyncio
import logging
import os
from urllib.parse import urlsplit, urlunsplit

from better_auth import BetterAuth, EmailAndPassword, RateLimit
from better_auth.adapters.sqlalchemy import SQLAlchemyAdapter
from better_auth.integrations.fastapi import BetterAuthFastAPI
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

PORT = int(os.environ["PORT"])
BASE_URL = f"http://127.0.0.1:{PORT}"


def sqlalchemy_url(dsn: str) -> str:
    """postgresql://… (libpq form, as the bench hands it out) → postgresql+asyncpg://… for SQLAlchemy."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(scheme="postgresql+asyncpg"))


def make_adapter() -> SQLAlchemyAdapter:
    pool = int(os.environ.get("POOL_SIZE", "10"))
    engine = create_async_engine(sqlalchemy_url(os.environ["DATABASE_URL"]), pool_size=pool, max_overflow=0)
    return SQLAlchemyAdapter(engine)


def make_auth(adapter: SQLAlchemyAdapter) -> BetterAuth:
    return BetterAuth(
        secret=os.environ["BETTER_AUTH_SECRET"],
        base_url=BASE_URL,
        adapter=adapter,
        email_and_password=EmailAndPassword(enabled=True, auto_sign_in=True),
        rate_limit=RateLimit(enabled=False),  # ours runs with its limits raised out of the way (still counted in SQL)
        trusted_origins=[BASE_URL],
    )


def create_app() -> FastAPI:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")  # to the log
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(BetterAuthFastAPI(make_auth(make_adapter())).router)  # /api/auth/*
    return app


async def create_tables() -> None:
    adapter = make_adapter()
    make_auth(adapter)  # hands the adapter its schema
    await adapter.create_tables()
    await adapter.engine.dispose()


def main() -> None:
    import uvicorn

    asyncio.run(create_tables())
    workers = max(1, int(os.environ.get("WORKERS", "1")))
    # The options `chatbot-agent serve` passes (cli.py), so the only difference is the application.
    common = dict(
        host="127.0.0.1",
        port=PORT,
        log_config=None,
        proxy_headers=False,
        server_header=False,
        date_header=True,
        access_log=False,
        loop="uvloop",
        http="httptools",
    )
    if workers == 1:
        uvicorn.run(create_app(), **common)
    else:
        uvicorn.run("server:create_app", factory=True, workers=workers, **common)


if __name__ == "__main__":
    main()

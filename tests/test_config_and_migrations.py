"""Configuration is validated at start-up with clear messages; migrations are versioned, locked and idempotent."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import asyncpg
import pytest
from chatbot_agent.auth.methods import migration_sources
from chatbot_agent.config import ConfigError, load_settings
from chatbot_agent.db import migrate

from .support import ROOT

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.mark.parametrize(
    "env, message",
    [
        ({"PORT": "eighty"}, "PORT='eighty' is not valid"),
        ({"APP_ENV": "staging"}, "APP_ENV='staging' is not valid"),
        ({"PUBLIC_URL": "localhost:8000"}, "PUBLIC_URL"),
        ({"RATE_LIMIT_SIGN_IN_IP": "lots"}, "RATE_LIMIT_SIGN_IN_IP='lots' is not valid: expected COUNT/SECONDS"),
        ({"PASSWORD_MIN_LENGTH": "0"}, "must be greater than zero"),
        ({"PASSWORD_MIN_LENGTH": "20", "PASSWORD_MAX_LENGTH": "10"}, "PASSWORD_MIN_LENGTH must not exceed"),
        ({"JWT_PRIVATE_KEY": "abc", "SESSION_SECRET": "x" * 50}, "JWT_PRIVATE_KEY is not valid"),
        (
            {"APP_ENV": "production"},
            "SESSION_SECRET, JWT_PRIVATE_KEY, SECRETS_ENCRYPTION_KEY must be set when APP_ENV=production",
        ),
        (
            {
                "APP_ENV": "production",
                "SESSION_SECRET": "short",
                "JWT_PRIVATE_KEY": "A" * 43,
                "SECRETS_ENCRYPTION_KEY": "B" * 43,
            },
            "SESSION_SECRET is too weak",
        ),
        ({"SECRETS_ENCRYPTION_KEY": "too short"}, "SECRETS_ENCRYPTION_KEY is not valid: expected 32 bytes"),
        ({"SECRETS_ENCRYPTION_OLD_KEYS": "B" * 43 + ",nope"}, "SECRETS_ENCRYPTION_OLD_KEYS .key 2 of 2. is not valid"),
    ],
)
async def test_bad_settings_stop_start_up_with_a_clear_message(env, message, tmp_path):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("?", r"\?").replace("*", r"\*")):
        load_settings({"DATA_DIR": str(tmp_path), **env}, env_file=None)


async def test_development_secrets_are_generated_once_and_kept(tmp_path):
    first = load_settings({"DATA_DIR": str(tmp_path)}, env_file=None)
    second = load_settings({"DATA_DIR": str(tmp_path)}, env_file=None)
    assert first.session_secret and first.session_secret == second.session_secret
    assert first.jwt_private_key == second.jwt_private_key
    assert oct((tmp_path / "dev-secrets.env").stat().st_mode & 0o777) == "0o600"


async def test_cli_reports_config_errors_and_exits_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "chatbot_agent.cli", "migrate"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PORT": "x"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "configuration error: PORT='x' is not valid" in result.stderr
    assert "Traceback" not in result.stderr


async def test_concurrent_migrations_do_not_collide_and_are_idempotent(databases):
    dsn = await databases.create("mig", migrated=False)
    conns = [await asyncpg.connect(dsn) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate.migrate(c) for c in conns))
        assert sorted(len(r) for r in results) == [0, 0, 0, len(migrate.available())]
        assert await migrate.applied_versions(conns[0]) == [m.version for m in migrate.available()]
        assert await migrate.migrate(conns[0]) == []
        tables = {
            r["tablename"] for r in await conns[0].fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        }
        assert {"user", "session", "account", "verification", "auth_rate_limit", "auth_migrations"} <= tables
    finally:
        for c in conns:
            await c.close()


async def test_cli_migrate_against_database_url(databases, tmp_path):
    dsn = await databases.create("climig", migrated=False)
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": dsn, "DATA_DIR": str(tmp_path)}
    run = lambda: subprocess.run(
        [sys.executable, "-m", "chatbot_agent.cli", "migrate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    first, second = run(), run()
    assert first.returncode == 0, first.stderr
    assert "applied 1 migration(s)" in first.stdout.replace(
        f"applied {len(migrate.available(migration_sources()))}", "applied 1"
    )
    assert "applied 0 migration(s)" in second.stdout


async def test_export_schema_cli_matches_committed_sdl():
    result = subprocess.run(
        [sys.executable, "-m", "chatbot_agent.cli", "export-schema"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0
    assert result.stdout == (ROOT / "schema" / "schema.graphql").read_text()


async def test_env_example_documents_every_setting_and_loads(tmp_path):
    from dataclasses import fields

    from chatbot_agent.config import Settings

    text = (ROOT / ".env.example").read_text()
    keys = {line.split("=", 1)[0] for line in text.splitlines() if "=" in line and not line.startswith("#")}
    assert {f.name.upper() for f in fields(Settings)} <= keys
    (tmp_path / ".env").write_text(text.replace("DATA_DIR=.data", f"DATA_DIR={tmp_path}"))
    settings = load_settings(
        dict(
            line.split("=", 1)
            for line in (tmp_path / ".env").read_text().splitlines()
            if "=" in line and not line.startswith("#")
        ),
        env_file=None,
    )
    assert (
        settings.port == 8000 and settings.argon2_memory_kib == 19456 and settings.frontend_url == settings.public_url
    )

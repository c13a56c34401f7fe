"""Settings are declared once: `.env.example` is rendered from the declarations, and every declaration parses its own
documented default."""

from __future__ import annotations

from dataclasses import fields

import pytest
from chatbot_agent.config import ConfigError, Settings, env_key, load_settings, render_env_example

from .support import ROOT


def test_env_example_is_rendered_from_the_declarations():
    committed = (ROOT / ".env.example").read_text()
    assert committed == render_env_example(), ".env.example is stale: run `chatbot-agent env-example > .env.example`"


def test_every_key_in_env_example_is_a_setting_and_the_reverse():
    keys = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert keys == {env_key(f.name) for f in fields(Settings)}


def test_each_declared_example_value_parses(tmp_path):
    """The value `.env.example` shows for each key is accepted as it stands."""
    env = {}
    for line in render_env_example().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    settings = load_settings(env=env, env_file=None, data_dir=tmp_path)
    assert settings.port == 8000 and settings.rate_limit_sign_in_ip.limit == 30


@pytest.mark.parametrize(
    "key, value",
    [("PORT", "0"), ("AUTH_METHODS", "password,telepathy"), ("RATE_LIMIT_SIGN_IN_IP", "ten"), ("APP_ENV", "staging")],
)
def test_a_bad_value_names_its_key(key, value, tmp_path):
    from chatbot_agent.auth.methods import enabled

    with pytest.raises(ConfigError, match=key):
        enabled(load_settings(env={key: value}, env_file=None, data_dir=tmp_path))

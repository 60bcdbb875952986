"""The ``[sso]`` settings: providers in lab.toml, their client secrets only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w

from labkit.config import ConfigError, load_settings
from labkit.security import content_security_policy
from labkit.sso import origins

PROVIDER = {"name": "govbr", "label": "gov.br", "issuer": "https://sso.acesso.gov.br/", "client_id": "lab"}
SECRET = {"LABKIT_SECRET_KEY": "s" * 32}


def lab_dir(tmp_path: Path, **provider: object) -> Path:
    (tmp_path / "lab.toml").write_text(tomli_w.dumps({"sso": {"providers": [{**PROVIDER, **provider}]}}), encoding="utf-8")
    return tmp_path


def test_a_provider_reads_its_secret_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(lab_dir(tmp_path), {**SECRET, "LABKIT_SSO_GOVBR_CLIENT_SECRET": "shh"})
    provider = settings.sso.providers[0]
    assert provider.issuer == "https://sso.acesso.gov.br" and provider.scopes == ["openid", "email", "profile"]
    assert settings.sso_client_secret(provider) == "shh"
    assert "shh" not in repr(settings)
    assert "form-action 'self' https://sso.acesso.gov.br;" in content_security_policy([], origins(settings))


def test_a_provider_without_its_secret_stops_the_lab(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="LABKIT_SSO_GOVBR_CLIENT_SECRET is not set"):
        load_settings(lab_dir(tmp_path), SECRET)


def test_a_client_secret_in_lab_toml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sso\.providers\[0\]\.client_secret: secrets may not be written"):
        load_settings(lab_dir(tmp_path, client_secret="oops"), SECRET)


@pytest.mark.parametrize(("change", "message"), [
    ({"issuer": "http://sso.example"}, "must be an https:// URL"),
    ({"scopes": ["profile"]}, "must include 'openid' and 'email'"),
    ({"name": "Gov BR"}, "should match pattern"),
])
def test_a_wrong_provider_is_named(tmp_path: Path, change: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(lab_dir(tmp_path, **change), {**SECRET, "LABKIT_SSO_GOVBR_CLIENT_SECRET": "shh"})

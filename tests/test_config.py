"""lab.toml and LABKIT_* variables become one validated Settings object; errors name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from labkit.config import ConfigError, load_settings

SECRET = {"LABKIT_SECRET_KEY": "s" * 32}


def write(folder: Path, text: str) -> Path:
    (folder / "lab.toml").write_text(text, encoding="utf-8")
    return folder


def test_defaults_put_sqlite_inside_the_lab_folder(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), SECRET)
    assert settings.database_url == f"sqlite://{tmp_path}/data/lab.sqlite3"
    assert settings.lab.languages == ["pt-BR", "es", "fr", "en"]


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    write(tmp_path, '[lab]\nname = "MobiLab"\n[database]\nurl = "sqlite://x.db"\n')
    settings = load_settings(tmp_path, {**SECRET, "LABKIT_DATABASE_URL": "postgres://u@h/db",
                                        "LABKIT_LAB_LANGUAGES": "es, en", "LABKIT_SECURITY_HTTPS_ONLY": "true"})
    assert settings.lab.name == "MobiLab"
    assert settings.database_url == "postgres://u@h/db"
    assert settings.lab.languages == ["es", "en"]
    assert settings.security.https_only is True


def test_env_file_supplies_the_secret_and_the_process_environment_wins(tmp_path: Path) -> None:
    write(tmp_path, "")
    (tmp_path / ".env").write_text("# secrets\nLABKIT_SECRET_KEY='from-the-env-file-0123456789'\n")
    assert load_settings(tmp_path, {}).secret_key == "from-the-env-file-0123456789"
    assert load_settings(tmp_path, SECRET).secret_key == "s" * 32


@pytest.mark.parametrize(
    ("toml", "environ", "message"),
    [
        ("[lab\nname=", SECRET, "not valid TOML"),
        ("", {}, "LABKIT_SECRET_KEY is not set"),
        ('[lab]\nsecret_key = "abc"\n', SECRET, "lab.secret_key: secrets may not be written in lab.toml"),
        ('[mail]\npassword = "abc"\n', SECRET, "mail.password: secrets may not be written in lab.toml; set LABKIT_MAIL_PASSWORD"),
        ('[plugin.federation]\nhub_token = "abc"\n', SECRET, "plugin.federation.hub_token: secrets may not be written"),
        ('lab_dir = "/elsewhere"\n', SECRET, "lab.toml: lab_dir: unknown section"),
        ('[lab]\ntimezone = "Mars/Olympus"\n', SECRET, "setting lab.timezone (lab.toml or LABKIT_LAB_TIMEZONE): unknown time zone 'Mars/Olympus'"),
        ('[lab]\ndefault_language = "de"\n', SECRET, "lab.default_language"),
        ('[lab]\ncountry = "Brazil"\n', SECRET, "setting lab.country"),
        ('[database]\nurl = "mysql://x"\n', SECRET, "must start with sqlite:// or postgres://"),
        ('[security]\nmax_body_bytes = -1\n', SECRET, "security.max_body_bytes"),
        ('[lab]\nnmae = "typo"\n', SECRET, "setting lab.nmae"),
        ("", {"LABKIT_SECRET_KEY": "short"}, "setting secret_key (LABKIT_SECRET_KEY): String should have at least 16 characters"),
    ],
)
def test_each_problem_is_one_line_naming_the_key(tmp_path: Path, toml: str, environ: dict[str, str], message: str) -> None:
    write(tmp_path, toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, environ)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_plugin_tables_are_kept_for_the_plugins(tmp_path: Path) -> None:
    write(tmp_path, '[plugin.mapping]\ntile_url = "https://tiles.example/{z}/{x}/{y}.png"\n')
    settings = load_settings(tmp_path, SECRET)
    assert settings.for_plugin("mapping")["tile_url"].startswith("https://tiles.example")
    assert settings.for_plugin("coworking") == {}

"""Lab settings: ``lab.toml`` plus ``LABKIT_*`` environment variables, validated into one object.

Precedence, lowest first: built-in defaults, ``lab.toml``, the lab's ``.env`` file, the process
environment. An environment variable ``LABKIT_<SECTION>_<KEY>`` overrides ``[section] key``
(``LABKIT_DATABASE_URL`` overrides ``[database] url``). Secrets (``LABKIT_SECRET_KEY``,
``LABKIT_MAIL_PASSWORD``, an SSO provider's ``LABKIT_SSO_<NAME>_CLIENT_SECRET``) come from the
environment only; ``lab.toml`` may not hold them.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, available_timezones

import dotenv.parser
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

LANGUAGES = {"pt-BR": "Português (Brasil)", "es": "Español", "fr": "Français", "en": "English"}
"""The languages labkit ships translations for, by tag, with their own names."""

SECRETS = {"secret_key": "LABKIT_SECRET_KEY", "password": "LABKIT_MAIL_PASSWORD",
           "mail_password": "LABKIT_MAIL_PASSWORD", "client_secret": "LABKIT_SSO_<NAME>_CLIENT_SECRET"}
"""Keys that must never be written in lab.toml, with the variable that holds them instead."""
SECTIONS = ("lab", "database", "plugins", "security", "mail", "sso", "storage", "plugin")


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the key and the problem."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LabSection(_Section):
    """``[lab]``: who this lab is."""

    name: str = "Public innovation lab"
    municipality: str = ""
    country: str = Field(default="BR", pattern=r"^[A-Z]{2}$")
    region: str = Field(default="", pattern=r"^([A-Z]{2}-[A-Z0-9]{1,3})?$")
    municipal_code: str = ""
    timezone: str = "UTC"
    default_language: str = "en"
    languages: list[str] = Field(default_factory=lambda: list(LANGUAGES))
    mentor_name: str = ""
    mentor_url: str = ""
    hub_url: str = ""
    base_url: str = "http://127.0.0.1:8000"
    map_tiles: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    """The background tiles of every map of the lab (the Content-Security-Policy allows their origin)."""
    map_attribution: str = "© OpenStreetMap contributors"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like 'America/Sao_Paulo')")
        return value

    @field_validator("default_language")
    @classmethod
    def _known_default(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"{value!r} is not one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [tag for tag in value if tag not in LANGUAGES]
        if unknown or not value:
            raise ValueError(f"each language must be one of {', '.join(LANGUAGES)}; got {value}")
        return value


class DatabaseSection(_Section):
    """``[database]``: where the data lives (relative SQLite paths are inside the lab folder)."""

    url: str = "sqlite://data/lab.sqlite3"

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise ValueError("must start with sqlite:// or postgres://")
        return value


class PluginsSection(_Section):
    """``[plugins]``: which plugins run. ``enabled = ["*"]`` means every installed plugin."""

    enabled: list[str] = Field(default_factory=lambda: ["*"])
    disabled: list[str] = Field(default_factory=list)
    optional: list[str] = Field(default_factory=list)


class SecuritySection(_Section):
    """``[security]``: limits that protect the lab."""

    max_body_bytes: int = Field(default=2_000_000, gt=0)
    session_max_age: int = Field(default=14 * 24 * 3600, gt=0)
    https_only: bool | None = None
    """``Secure`` cookies and HSTS; unset: on when ``[lab] base_url`` is ``https://``."""
    login_attempts: int = Field(default=5, gt=0)
    login_window_seconds: int = Field(default=900, gt=0)
    reset_link_max_age: int = Field(default=3600, gt=0)
    invite_link_max_age: int = Field(default=7 * 24 * 3600, gt=0)
    confirm_link_max_age: int = Field(default=3 * 24 * 3600, gt=0)
    """How long the link that confirms a new account's e-mail address works, in seconds."""
    open_registration: bool = True
    image_sources: list[str] = Field(default_factory=list)
    """Extra origins pages may load images from (a map's tile server, for example)."""


class MailSection(_Section):
    """``[mail]``: SMTP and the outbox. With no ``host`` the messages are written to the log instead."""

    host: str = ""
    port: int = 587
    username: str = ""
    sender: str = "lab@localhost"
    starttls: bool = True
    timeout_seconds: float = Field(default=20, gt=0)
    worker: bool = True
    """Deliver the outbox inside ``labkit serve``; turn off when ``labkit mail send`` runs from cron."""
    poll_seconds: float = Field(default=30, gt=0)
    """How often the worker looks for due messages (it also wakes when this process queues one)."""
    max_attempts: int = Field(default=6, gt=0)
    retry_seconds: float = Field(default=60, gt=0)
    """The wait before the first retry; it doubles after each failed attempt (at most a day)."""


class SsoProvider(_Section):
    """One ``[[sso.providers]]`` table: an OpenID Connect provider people may sign in with."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")
    """A short slug (``govbr``): it is part of the redirect URI and of the secret's variable."""
    label: str = Field(min_length=1, max_length=80)
    """What the sign-in button says after "Sign in with"."""
    issuer: str
    """The provider's issuer URL; its discovery document is ``<issuer>/.well-known/openid-configuration``."""
    client_id: str = Field(min_length=1)
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"])

    @field_validator("issuer")
    @classmethod
    def _https(cls, value: str) -> str:
        if not re.match(r"^(https://[^/?#]+|http://(127\.0\.0\.1|localhost)(:\d+)?)(/[^?#]*)?$", value):
            raise ValueError("must be an https:// URL (http:// only on 127.0.0.1 or localhost, for tests)")
        return value.rstrip("/")

    @field_validator("scopes")
    @classmethod
    def _openid(cls, value: list[str]) -> list[str]:
        if "openid" not in value or "email" not in value:
            raise ValueError(f"must include 'openid' and 'email'; got {value}")
        return value

    @property
    def secret_variable(self) -> str:
        """The environment variable that holds this provider's client secret."""
        return f"LABKIT_SSO_{self.name.upper().replace('-', '_')}_CLIENT_SECRET"


class SsoSection(_Section):
    """``[sso]``: single sign-on with OpenID Connect providers (none by default)."""

    providers: list[SsoProvider] = Field(default_factory=list)

    @field_validator("providers")
    @classmethod
    def _unique(cls, value: list[SsoProvider]) -> list[SsoProvider]:
        names = [provider.name for provider in value]
        if len(names) != len(set(names)):
            raise ValueError(f"each provider needs its own name; got {names}")
        return value


class StorageSection(_Section):
    """``[storage]``: where uploaded files and images are kept (:mod:`labkit.storage`)."""

    backend: Literal["local"] = "local"
    """``local``: the lab folder's ``uploads/``."""


class Settings(BaseModel):
    """Every setting of one lab. Build it with :func:`load_settings`."""

    model_config = ConfigDict(extra="forbid")

    lab_dir: Path
    secret_key: str = Field(min_length=16)
    mail_password: str = ""
    lab: LabSection = Field(default_factory=LabSection)
    database: DatabaseSection = Field(default_factory=DatabaseSection)
    plugins: PluginsSection = Field(default_factory=PluginsSection)
    security: SecuritySection = Field(default_factory=SecuritySection)
    mail: MailSection = Field(default_factory=MailSection)
    sso: SsoSection = Field(default_factory=SsoSection)
    storage: StorageSection = Field(default_factory=StorageSection)
    plugin: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """``[plugin.<slug>]`` tables as written; plugins read them validated by their settings model
    (``labkit_settings``), through ``ctx.plugin_settings(slug)`` or ``Plugins.settings_of(slug)``."""
    plugin_environment: dict[str, str] = Field(default_factory=dict, repr=False)
    """The ``LABKIT_PLUGIN_*`` variables of the environment and ``.env``, which override those tables."""
    sso_environment: dict[str, str] = Field(default_factory=dict, repr=False)
    """The ``LABKIT_SSO_*`` variables of the environment and ``.env`` (the providers' client secrets)."""

    @property
    def database_url(self) -> str:
        """The database URL with a relative SQLite path resolved inside the lab folder."""
        url = self.database.url
        if url.startswith("sqlite://") and not url.startswith("sqlite:///") and url != "sqlite://:memory:":
            return "sqlite://" + str(self.lab_dir / url.removeprefix("sqlite://"))
        return url

    @property
    def zone(self) -> ZoneInfo:
        """The lab's time zone."""
        return ZoneInfo(self.lab.timezone)

    @property
    def https(self) -> bool:
        """Whether the lab is served over HTTPS only (``Secure`` cookies, HSTS): ``[security]
        https_only``, or when unset, whether ``[lab] base_url`` is ``https://``."""
        if self.security.https_only is not None:
            return self.security.https_only
        return self.lab.base_url.startswith("https://")

    def sso_client_secret(self, provider: SsoProvider) -> str:
        """The client secret of ``provider``, from its ``LABKIT_SSO_<NAME>_CLIENT_SECRET`` variable."""
        return self.sso_environment.get(provider.secret_variable, "")

    def for_plugin(self, slug: str) -> dict[str, Any]:
        """The ``[plugin.<slug>]`` table (empty when absent)."""
        return self.plugin.get(slug, {})


def read_env_file(path: Path) -> dict[str, str]:
    """Read the ``KEY=VALUE`` lines of a ``.env`` file with python-dotenv's parser (comments,
    quotes, ``export``); a line it cannot read is a :class:`ConfigError` naming the line, not skipped."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    with path.open(encoding="utf-8") as stream:
        for binding in dotenv.parser.parse_stream(stream):
            if binding.error or (binding.key is not None and binding.value is None):
                raise ConfigError(f"{path}: line {binding.original.line}: expected KEY=VALUE")
            if binding.key is not None and binding.value is not None:
                values[binding.key] = binding.value
    return values


def _overlay_environment(data: dict[str, Any], environ: dict[str, str]) -> None:
    """Apply ``LABKIT_<SECTION>_<KEY>`` variables that name a known setting (others are ignored)."""
    sections = {name: field.annotation for name, field in Settings.model_fields.items()
                if isinstance(field.annotation, type) and issubclass(field.annotation, _Section)}
    for name, value in environ.items():
        if not name.startswith("LABKIT_"):
            continue
        rest = name.removeprefix("LABKIT_").lower()
        if rest in ("secret_key", "mail_password"):
            data[rest] = value
            continue
        section, _, key = rest.partition("_")
        if section in sections and key in sections[section].model_fields:
            target = data.setdefault(section, {})
            target[key] = _env_value(section, key, value)


def _env_value(section: str, key: str, value: str) -> Any:
    if section == "plugins" or key in ("languages", "image_sources"):
        return [item.strip() for item in value.split(",") if item.strip()]
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _check_file(data: dict[str, Any], where: str = "") -> None:
    """Refuse secrets and unknown top-level keys in lab.toml, naming the key."""
    for key, value in data.items():
        if not where and key not in SECTIONS:
            raise ConfigError(f"lab.toml: {key}: unknown section; use one of [{'], ['.join(SECTIONS[:-1])}] or [plugin.<slug>]")
        if isinstance(value, dict):
            _check_file(value, f"{where}{key}.")
        elif isinstance(value, list) and all(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                _check_file(item, f"{where}{key}[{index}].")
        elif key in SECRETS or "token" in key:
            variable = SECRETS.get(key, "an environment variable")
            raise ConfigError(
                f"lab.toml: {where}{key}: secrets may not be written in lab.toml; "
                f"set {variable} in the environment or the lab's .env file instead"
            )


def load_settings(lab_dir: str | Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Load and validate the settings of the lab in ``lab_dir`` (default: ``LABKIT_LAB_DIR`` or
    the current folder). Raise :class:`ConfigError` with one readable line on any problem."""
    environ = dict(os.environ if environ is None else environ)
    lab_path = Path(lab_dir or environ.get("LABKIT_LAB_DIR") or ".").resolve()
    toml_path = lab_path / "lab.toml"
    data: dict[str, Any] = {}
    if toml_path.is_file():
        try:
            data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{toml_path}: not valid TOML: {error}") from None
    _check_file(data)
    environ = {**read_env_file(lab_path / ".env"), **environ}
    _overlay_environment(data, environ)
    data["plugin_environment"] = {k: v for k, v in environ.items() if k.startswith("LABKIT_PLUGIN_")}
    data["sso_environment"] = {k: v for k, v in environ.items() if k.startswith("LABKIT_SSO_")}
    if "secret_key" not in data:
        raise ConfigError(
            "LABKIT_SECRET_KEY is not set: put a long random value in the environment or the "
            "lab's .env file (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    try:
        settings = Settings(lab_dir=lab_path, **data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = [str(part) for part in first["loc"]]
        env_name = "LABKIT_" + "_".join(loc).upper()
        where = env_name if loc[0] in SECRETS else f"lab.toml or {env_name}"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"setting {'.'.join(loc)} ({where}): {message}") from None
    for provider in settings.sso.providers:
        if not settings.sso_client_secret(provider):
            raise ConfigError(f"{provider.secret_variable} is not set: put the client secret that the provider "
                              f"{provider.label!r} gave the lab in the environment or the lab's .env file")
    return settings

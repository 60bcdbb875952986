"""Typed plugin settings: each plugin's ``[plugin.<slug>]`` table, validated by the plugin's model.

A plugin returns a pydantic model class from ``labkit_settings``; the core validates the table of
``lab.toml`` against it when the plugins are loaded (so ``labkit check``, ``labkit serve`` and
every command stop with one line naming the key on a typo or a bad value). Environment variables
``LABKIT_PLUGIN_<SLUG>_<KEY>`` (or the lab's ``.env``) override a key; fields typed
:class:`pydantic.SecretStr` are secrets and may come only from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from labkit.config import ConfigError, Settings


class PluginSettings(BaseModel):
    """Base class for a plugin's settings model: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _is_secret(field: Any) -> bool:
    return field.annotation is SecretStr or SecretStr in getattr(field.annotation, "__args__", ())


def env_name(slug: str, key: str) -> str:
    """The environment variable that sets ``[plugin.<slug>] key``."""
    return f"LABKIT_PLUGIN_{slug}_{key}".upper().replace("-", "_")


def validate(slug: str, model: type[BaseModel], table: Mapping[str, Any], environ: Mapping[str, str]) -> BaseModel:
    """``[plugin.<slug>]`` (``table``) with the environment's overrides, validated by ``model``;
    a :class:`ConfigError` naming the key otherwise."""
    data = dict(table)
    for key, field in model.model_fields.items():
        variable = env_name(slug, key)
        if _is_secret(field) and key in data:
            raise ConfigError(f"lab.toml: [plugin.{slug}] {key}: secrets may not be written in lab.toml; "
                              f"set {variable} in the environment or the lab's .env file instead")
        if variable in environ:
            data[key] = environ[variable]
    unknown = sorted(set(data) - set(model.model_fields))
    if unknown:
        known = ", ".join(sorted(model.model_fields)) or "none"
        raise ConfigError(f"lab.toml: [plugin.{slug}] {unknown[0]}: unknown setting (known: {known})")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"setting [plugin.{slug}] {key} (lab.toml or {env_name(slug, key)}): {message}") from None


def load_all(settings: Settings, models: list[tuple[str, type[BaseModel]]], loaded: Iterable[str]) -> dict[str, BaseModel]:
    """Every loaded plugin's validated settings, by slug. A table for a loaded plugin that declares
    no settings is refused; one for a plugin that is not loaded is kept for when it is."""
    declared = dict(models)
    for slug in loaded:
        if slug not in declared and settings.for_plugin(slug):
            key = next(iter(settings.for_plugin(slug)))
            raise ConfigError(f"lab.toml: [plugin.{slug}] {key}: unknown setting (plugin {slug!r} takes no settings)")
    return {slug: validate(slug, model, settings.for_plugin(slug), settings.plugin_environment)
            for slug, model in declared.items()}

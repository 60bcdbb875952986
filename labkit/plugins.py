"""Finding, loading and calling plugins.

Plugins are found three ways, in this order: the built-in ones (entry points of the labkit
distribution), installed third-party packages (entry-point group ``labkit``), and the files or
packages in the lab's ``plugins/`` folder. ``[plugins]`` in ``lab.toml`` enables and disables
them. The core itself is registered first as the plugin ``labkit``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import sys
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pluggy

from labkit import hookspecs
from labkit.config import Settings
from labkit.hooktypes import PluginInfo

T = TypeVar("T")
CORE = "labkit"
HOOK_NAMES = frozenset(name for name in vars(hookspecs) if name.startswith("labkit_"))


class PluginError(Exception):
    """A plugin could not be loaded; the message names the plugin and the reason."""


@dataclass
class LoadedPlugin:
    """One plugin as loaded: its slug, module, where it came from and what it says of itself."""

    slug: str
    module: ModuleType
    source: str
    info: PluginInfo
    hooks: list[str] = field(default_factory=list)

    @property
    def directory(self) -> Path | None:
        """The plugin's package folder (where ``templates/``, ``static/``, ``locale/`` live)."""
        if not hasattr(self.module, "__path__"):
            return None
        return Path(next(iter(self.module.__path__)))


@dataclass(frozen=True)
class Discovered:
    """A plugin found but not yet imported."""

    slug: str
    source: str
    load: Any  # a callable returning the module


async def await_me_maybe(value: T | Awaitable[T]) -> T:
    """Return ``value``, awaiting it first when a hook returned an awaitable."""
    if inspect.isawaitable(value):
        return await value
    return value


def discover(settings: Settings) -> list[Discovered]:
    """List the plugins available to this lab, built-in first, then installed, then lab-local."""
    found: list[Discovered] = []
    entry_points = sorted(
        importlib.metadata.entry_points(group="labkit"),
        key=lambda ep: (ep.dist is None or ep.dist.name != "labkit", ep.name),
    )
    for ep in entry_points:
        if ep.dist is not None and ep.dist.name == "labkit":
            source = "built-in"
        else:
            source = f"installed ({ep.dist.name} {ep.dist.version})" if ep.dist else "installed"
        found.append(Discovered(ep.name, source, ep.load))
    local_dir = settings.lab_dir / "plugins"
    if local_dir.is_dir():
        for path in sorted(local_dir.iterdir()):
            is_module = path.suffix == ".py" and not path.name.startswith("_")
            is_package = (path / "__init__.py").is_file()
            if is_module or is_package:
                name = path.stem if is_module else path.name
                slug = name.removeprefix("labkit_")
                found.append(Discovered(slug, f"lab ({path})", _local_loader(local_dir, name)))
    return found


def _local_loader(folder: Path, name: str) -> Any:
    def load() -> ModuleType:
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
        return importlib.import_module(name)

    return load


def _is_enabled(slug: str, settings: Settings) -> bool:
    wanted = settings.plugins.enabled
    return ("*" in wanted or slug in wanted) and slug not in settings.plugins.disabled


class Plugins:
    """The loaded plugins of one lab and the pluggy manager that calls their hooks."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.manager = pluggy.PluginManager("labkit")
        self.manager.add_hookspecs(hookspecs)
        self.loaded: dict[str, LoadedPlugin] = {}
        self.failed: dict[str, str] = {}
        from labkit import core_plugin

        self._register(CORE, core_plugin, "core")
        available = discover(settings)
        slugs = [item.slug for item in available]
        duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        if duplicates:
            sources = " and ".join(item.source for item in available if item.slug == duplicates[0])
            raise PluginError(f"plugin {duplicates[0]!r} is provided twice ({sources}); uninstall or rename one")
        for missing in sorted(set(settings.plugins.enabled) - set(slugs) - {"*"}):
            raise PluginError(f"plugin {missing!r} is enabled ([plugins] enabled) but is not installed")
        for item in available:
            if _is_enabled(item.slug, settings):
                self._load(item)
        self._check_dependencies()
        self.order = self._dependency_order()
        self.settings_models = self._settings_models()

    def _settings_models(self) -> dict[str, Any]:
        """Each plugin's validated ``[plugin.<slug>]`` settings (a ConfigError names a wrong key)."""
        from labkit import plugin_settings

        models = self.results("labkit_settings")
        return plugin_settings.load_all(self.settings, models, self.loaded)

    def settings_of(self, slug: str) -> Any:
        """The validated settings of plugin ``slug`` (the model its ``labkit_settings`` hook returned)."""
        return self.settings_models[slug]

    def _load(self, item: Discovered) -> None:
        try:
            module = item.load()
        except Exception as error:  # any import failure is reported, never a traceback
            reason = f"plugin {item.slug!r} ({item.source}) failed to import: {type(error).__name__}: {error}"
            if item.slug in self.settings.plugins.optional:
                self.failed[item.slug] = reason
                return
            raise PluginError(reason) from None
        self._register(item.slug, module, item.source)

    def _register(self, slug: str, module: ModuleType, source: str) -> None:
        unknown = sorted(
            name for name in dir(module) if name.startswith("labkit_") and name not in HOOK_NAMES
        )
        if unknown:
            raise PluginError(f"plugin {slug!r} defines unknown hook {unknown[0]!r}")
        undecorated = sorted(name for name in HOOK_NAMES
                             if callable(getattr(module, name, None)) and not hasattr(getattr(module, name), "labkit_impl"))
        if undecorated:
            raise PluginError(f"plugin {slug!r}: {undecorated[0]} lacks the @hookimpl decorator")
        try:
            self.manager.register(module, name=slug)
            self.manager.check_pending()
        except pluggy.PluginValidationError as error:
            self.manager.unregister(name=slug)
            raise PluginError(f"plugin {slug!r}: {' '.join(str(error).split())}") from None
        hooks = sorted(caller.name for caller in self.manager.get_hookcallers(module) or [])
        if "labkit_plugin_info" not in hooks:
            raise PluginError(f"plugin {slug!r} does not implement labkit_plugin_info")
        info = module.labkit_plugin_info()
        self.loaded[slug] = LoadedPlugin(slug, module, source, info, hooks)

    def _check_dependencies(self) -> None:
        for plugin in self.loaded.values():
            for dependency in plugin.info.depends_on:
                if dependency not in self.loaded:
                    raise PluginError(
                        f"plugin {plugin.slug!r} needs plugin {dependency!r}, which is not enabled"
                    )

    def _dependency_order(self) -> list[LoadedPlugin]:
        """The plugins in dependency order (a plugin after those it depends on), core first."""
        done: list[str] = []

        def visit(slug: str, trail: tuple[str, ...]) -> None:
            if slug in done:
                return
            if slug in trail:
                raise PluginError(f"plugins depend on each other in a cycle: {' -> '.join(trail + (slug,))}")
            for dependency in self.loaded[slug].info.depends_on:
                visit(dependency, trail + (slug,))
            done.append(slug)

        for slug in self.loaded:
            visit(slug, ())
        return [self.loaded[slug] for slug in done]

    def implementations(self, hook: str) -> list[tuple[str, Any]]:
        """``(slug, function)`` for each plugin implementing ``hook``, in plugin order.

        Call ``function(**kwargs)`` yourself when each plugin's failure must be handled apart
        (events, indicators); otherwise use :meth:`results`.
        """
        caller = getattr(self.manager.hook, hook)
        by_plugin = {impl.plugin_name: impl for impl in caller.get_hookimpls()}
        return [(plugin.slug, _bind(by_plugin[plugin.slug])) for plugin in self.order if plugin.slug in by_plugin]

    def results(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook`` on each plugin that implements it, in plugin order, as ``(slug, result)``.

        Results may be awaitables; use :meth:`aresults` to have them awaited.
        """
        return [(slug, function(**kwargs)) for slug, function in self.implementations(hook)]

    def declared(self, hook: str, convention: Any) -> list[tuple[str, Any]]:
        """``(slug, value)`` for each plugin: its ``hook``'s result when it implements the hook,
        else ``convention(plugin)`` — what its package's layout says (plugins where that is
        ``None`` are left out). This is how models, migrations and routes need no glue code."""
        implemented = dict(self.results(hook))
        out = []
        for plugin in self.order:
            value = implemented[plugin.slug] if plugin.slug in implemented else convention(plugin)
            if value is not None:
                out.append((plugin.slug, value))
        return out

    async def aresults(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Like :meth:`results`, awaiting each result that is awaitable."""
        return [(slug, await await_me_maybe(function(**kwargs))) for slug, function in self.implementations(hook)]


def submodule(plugin: LoadedPlugin, name: str) -> str | None:
    """The dotted name of module ``name`` in the plugin's package (``labkit_x.models``), if it exists."""
    if plugin.directory is None:
        return None
    dotted = f"{plugin.module.__name__}.{name}"
    return dotted if importlib.util.find_spec(dotted) is not None else None


def by_convention(plugin: LoadedPlugin) -> list[str]:
    """The modules the core takes from the plugin's package layout for hooks it does not implement."""
    wanted = {"models": ("labkit_models",), "routes": ("labkit_routes", "labkit_api_routes")}
    return [module for name, hooks in wanted.items()
            if not set(hooks) <= set(plugin.hooks) and (module := submodule(plugin, name)) is not None]


def conventional_models(plugin: LoadedPlugin) -> Any:
    """``Models`` for a package with ``models.py`` (and ``migrations/``), when ``labkit_models`` is absent."""
    models = submodule(plugin, "models")
    if models is None:
        return None
    from labkit.hooktypes import Models

    return Models(modules=(models,), migrations=f"{plugin.module.__name__}.migrations")


def conventional_routes(attribute: str) -> Any:
    """A convention reading list ``attribute`` (``pages`` or ``api``) of the package's ``routes`` module."""

    def routes_of(plugin: LoadedPlugin) -> Any:
        module = submodule(plugin, "routes")
        return getattr(importlib.import_module(module), attribute, None) if module else None

    return routes_of


def _bind(impl: Any) -> Any:
    """A function that takes the hook's keyword arguments and passes on those ``impl`` accepts."""

    def call(**kwargs: Any) -> Any:
        return impl.function(**{name: kwargs[name] for name in impl.argnames})

    return call

"""Plugins are found as entry points or in a lab's plugins/ folder, enabled by lab.toml, and a
broken one is named with its reason."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from labkit.config import load_settings
from labkit.plugins import PluginError, Plugins, by_convention
from labkit.testing import write_lab

from .conftest import HELLO

GOOD = '''
from labkit import PluginInfo, hookimpl

@hookimpl
def labkit_plugin_info():
    return PluginInfo(title="{title}", version="2.0", depends_on={depends})
'''


def make(tmp_path: Path, plugins: dict[str, str], enabled: list[str] | None = None, **section: Any) -> Plugins:
    folder = tmp_path / "lab"
    slugs = [name.removeprefix("labkit_") for name in plugins]
    write_lab(folder, enabled if enabled is not None else slugs, {"plugins": section})
    (folder / "plugins").mkdir(exist_ok=True)
    for name, source in plugins.items():
        (folder / "plugins" / f"{name}.py").write_text(textwrap.dedent(source))
    return Plugins(load_settings(folder))


def good(title: str = "Good", depends: tuple[str, ...] = ()) -> str:
    return GOOD.format(title=title, depends=depends)


def test_lab_local_plugins_are_loaded_with_their_source_and_hooks(tmp_path: Path) -> None:
    plugins = make(tmp_path, {"labkit_budget": good("Budget")}, enabled=["budget"])
    budget = plugins.loaded["budget"]
    assert budget.info.title == "Budget" and budget.info.version == "2.0"
    assert budget.source.startswith("lab (") and budget.hooks == ["labkit_plugin_info"]
    assert [p.slug for p in plugins.order] == ["labkit", "budget"]


def test_disabled_plugins_are_not_loaded(tmp_path: Path) -> None:
    plugins = make(tmp_path, {"one": good(), "two": good()}, disabled=["two"])
    assert set(plugins.loaded) == {"labkit", "one"}


def test_a_misspelled_hook_is_an_error_at_load(tmp_path: Path) -> None:
    source = good() + "\n@hookimpl\ndef labkit_rotes():\n    return []\n"
    with pytest.raises(PluginError, match="plugin 'typo' defines unknown hook 'labkit_rotes'"):
        make(tmp_path, {"typo": source})


def test_an_undecorated_hook_with_a_wrong_name_is_caught_too(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="unknown hook 'labkit_navigation'"):
        make(tmp_path, {"typo2": good() + "\ndef labkit_navigation(request):\n    return []\n"})


def test_a_hook_with_an_unknown_argument_is_refused(tmp_path: Path) -> None:
    source = good() + "\n@hookimpl\ndef labkit_nav(request, colour):\n    return []\n"
    with pytest.raises(PluginError, match="plugin 'odd'.*colour"):
        make(tmp_path, {"odd": source})


def test_an_import_failure_names_the_plugin_and_the_reason(tmp_path: Path) -> None:
    with pytest.raises(PluginError) as caught:
        make(tmp_path, {"broken": "import not_a_module_anywhere\n"})
    assert str(caught.value).startswith("plugin 'broken' (lab (")
    assert "ModuleNotFoundError: No module named 'not_a_module_anywhere'" in str(caught.value)


def test_an_optional_plugin_that_fails_is_skipped_and_reported(tmp_path: Path) -> None:
    plugins = make(tmp_path, {"broken": "raise RuntimeError('no printer')\n", "fine": good()},
                   optional=["broken"])
    assert "fine" in plugins.loaded and "broken" not in plugins.loaded
    assert "RuntimeError: no printer" in plugins.failed["broken"]


def test_a_missing_dependency_is_named(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="plugin 'child' needs plugin 'parent', which is not enabled"):
        make(tmp_path, {"child": good(depends=("parent",))})


def test_dependencies_come_first_in_order(tmp_path: Path) -> None:
    plugins = make(tmp_path, {"a_child": good(depends=("z_parent",)), "z_parent": good()},
                   enabled=["a_child", "z_parent"])
    assert [p.slug for p in plugins.order] == ["labkit", "z_parent", "a_child"]


def test_enabling_a_plugin_that_is_not_installed_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match=r"plugin .ghost. is enabled \(\[plugins\] enabled\) but is not installed"):
        make(tmp_path, {}, enabled=["ghost"])


def test_a_plugin_without_info_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="does not implement labkit_plugin_info"):
        make(tmp_path, {"bare": "x = 1\n"})


def test_installed_plugins_are_found_through_the_entry_point_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    dist = site / "labkit_hello-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: labkit-hello\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[labkit]\nhello = labkit_hello\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(HELLO.parent))
    plugins = make(tmp_path, {}, enabled=["hello"])
    hello = plugins.loaded["hello"]
    assert hello.source == "installed (labkit-hello 0.1.0)"
    assert "labkit_nav" in hello.hooks and "labkit_permissions" in hello.hooks
    # its models and routes need no hook: the core takes them from the package's layout
    assert by_convention(hello) == ["labkit_hello.models", "labkit_hello.routes"]


def test_a_hook_without_the_decorator_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="plugin 'plain': labkit_nav lacks the @hookimpl decorator"):
        make(tmp_path, {"plain": good() + "\ndef labkit_nav(request):\n    return []\n"})

"""``labkit plugin new NAME``: start a plugin project outside labkit's repository.

The project comes from the ``cookiecutter-plugin`` template shipped in the package: a
``pyproject.toml`` with the ``labkit`` entry point, a package ``labkit_<slug>`` with a model and
its migration, a page, an API route, a navigation entry, a permission and catalogs for pt_BR, es,
fr and en, and a test that uses labkit's test kit and passes as generated. The catalogs are
brought up to date with the project's own messages (its title) right after rendering.
"""

from __future__ import annotations

import json
import re
import tempfile
from importlib.metadata import entry_points
from pathlib import Path

import click

from labkit import i18n_tools
from labkit.scaffold import ScaffoldError, shipped_template

NAME = re.compile(r"[a-z][a-z0-9-]{0,40}")


def plugin_slug(name: str) -> str:
    """The slug of plugin project ``name``: ``labkit-budget-watch`` -> ``budget_watch``."""
    return name.removeprefix("labkit-").replace("-", "_")


def new_plugin(name: str, parent: Path, *, title: str = "", description: str = "", author: str = "") -> Path:
    """Write plugin project ``name`` in ``parent``; return its folder."""
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.main import cookiecutter

    if not NAME.fullmatch(name) or not re.fullmatch(r"[a-z][a-z0-9_]*", plugin_slug(name)):
        raise ScaffoldError(f"{name!r}: a plugin name is lowercase letters, digits and hyphens, "
                            "starting with a letter (e.g. budget-watch)")
    slug = plugin_slug(name)
    taken = {ep.name for ep in entry_points(group="labkit")}
    if slug in taken:
        raise ScaffoldError(f"{name!r}: the slug {slug!r} is already used by an installed plugin; choose another name")
    target = parent / name
    if target.exists():
        raise ScaffoldError(f"{target} already exists; choose another name or folder")
    answers = {"name": name, "slug": slug, **{key: value for key, value in
                                (("title", title), ("description", description), ("author", author)) if value}}
    with tempfile.TemporaryDirectory(prefix="labkit-plugin-") as scratch:
        config = Path(scratch) / "cookiecutter.yaml"
        config.write_text(f"cookiecutters_dir: {json.dumps(scratch)}\nreplay_dir: {json.dumps(scratch)}\n",
                          encoding="utf-8")
        try:
            made = Path(cookiecutter(str(shipped_template("plugin")), no_input=True, extra_context=answers,
                                     output_dir=str(parent), config_file=str(config)))
        except CookiecutterException as error:
            raise ScaffoldError(f"the plugin template could not be used: {error}") from None
    i18n_tools.update(made / f"labkit_{slug}")
    return made


@click.group()
def plugin() -> None:
    """Plugin projects: start one outside labkit's repository."""


@plugin.command("new")
@click.argument("name")
@click.option("--title", default="", help="Title shown in the lab's navigation (default: from NAME).")
@click.option("--description", default="", help="One sentence saying what the plugin does.")
@click.option("--author", default="", help="A person or an organisation.")
@click.option("--directory", "parent", default=".", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the project folder (default: here).")
def new_command(name: str, title: str, description: str, author: str, parent: Path) -> None:
    """Start plugin project NAME (e.g. budget-watch): a package with a model, a migration, a page,
    an API route, a navigation entry, a permission, catalogs and a passing test."""
    from labkit.cli import fail

    try:
        made = new_plugin(name, parent, title=title, description=description, author=author)
    except ScaffoldError as error:
        fail(str(error))
        return
    slug = plugin_slug(name)
    click.echo(f"plugin project ready in {made} (slug {slug!r}, package labkit_{slug})")
    click.echo(f'next: cd {made} && pip install -e ".[test]" && pytest')

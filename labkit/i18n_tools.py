"""``labkit i18n extract|update|compile``: the translation catalogs of a plugin or a lab folder.

A *plugin package* (a folder with ``__init__.py``) keeps its catalogs in ``<package>/locale``;
its messages come from its Python files and its ``templates/``. A *lab folder* (with
``lab.toml``) keeps catalogs for its own templates in ``<lab>/locale`` (its plugins in
``plugins/`` are packages of their own). The extraction rules are labkit's, in :data:`METHOD_MAP`
(Babel's Python API; no ``babel.cfg`` needed): the keywords ``N_``, ``gettext``, ``ngettext``
besides Babel's own (``_``...), no source locations, sorted output, as labkit's catalogs are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LANGUAGES = ("pt_BR", "es", "fr", "en")
"""The catalogs every package keeps (``en`` may stay empty: messages are written in English)."""
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS_MAP = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "gettext": None, "ngettext": (1, 2)}
SKIPPED = {"tests", "migrations", "plugins", "data", "deploy", "static", "locale", "build", "dist"}
"""Folders never searched for messages (a lab's ``plugins/`` hold packages with their own catalogs)."""


class I18nError(Exception):
    """The folder cannot be handled as asked; the message says why, in one line."""


def package_dir(target: Path) -> Path:
    """The folder whose catalogs ``target`` means: a lab folder, a package, or a plugin project
    holding exactly one package (``labkit_<slug>/``)."""
    target = target.resolve()
    if not target.is_dir():
        raise I18nError(f"{target} is not a folder")
    if (target / "lab.toml").is_file() or (target / "__init__.py").is_file():
        return target
    packages = [path for path in sorted(target.iterdir())
                if (path / "__init__.py").is_file() and path.name not in SKIPPED]
    if len(packages) == 1:
        return packages[0]
    raise I18nError(f"{target} is not a lab folder or a Python package; name the package folder "
                    "(e.g. labkit i18n update labkit_budget)")


def _searched(package: Path, folder: str) -> bool:
    """Whether extraction descends into ``folder`` (a path inside ``package``)."""
    parts = Path(folder).relative_to(package).parts
    return not any(part in SKIPPED or part.startswith((".", "_")) for part in parts)


def messages(package: Path) -> Catalog:
    """The marked messages of ``package``'s code and templates (nothing is written)."""
    catalog = Catalog(project=package.name)
    for filename, lineno, message, comments, context in extract_from_dir(
            package, METHOD_MAP, OPTIONS_MAP, KEYWORDS, callback=None, strip_comment_tags=True,
            directory_filter=lambda folder: _searched(package, folder)):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def extract(package: Path) -> Catalog:
    """Extract the marked messages of ``package`` into ``<package>/locale/messages.pot``."""
    catalog = messages(package)
    (package / "locale").mkdir(exist_ok=True)
    with open(package / "locale" / "messages.pot", "wb") as handle:
        write_po(handle, catalog, no_location=True, sort_output=True)
    return catalog


def _po_files(package: Path) -> Iterator[tuple[str, Path]]:
    for language in LANGUAGES:
        yield language, package / "locale" / language / "LC_MESSAGES" / "messages.po"


def update(package: Path) -> list[Path]:
    """Extract, then bring each language's ``messages.po`` up to date (new messages added with an
    empty translation, removed ones marked obsolete, no fuzzy guessing), creating missing ones."""
    template = extract(package)
    written = []
    for language, path in _po_files(package):
        if path.is_file():
            with open(path, "rb") as handle:
                catalog = read_po(handle, locale=language)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            catalog = Catalog(locale=language, project=package.name, fuzzy=False)
            catalog.update(template, no_fuzzy_matching=True)
            path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            write_po(handle, catalog, no_location=True, sort_output=True)
        written.append(path)
    return written


def compile_catalogs(package: Path) -> list[Path]:
    """Write ``messages.mo`` beside each ``messages.po`` (optional: labkit reads ``.po`` files too)."""
    written = []
    for language, path in _po_files(package):
        if path.is_file():
            with open(path, "rb") as handle:
                catalog = read_po(handle, locale=language)
            with open(path.with_suffix(".mo"), "wb") as handle:
                write_mo(handle, catalog)
            written.append(path.with_suffix(".mo"))
    if not written:
        raise I18nError(f"{package / 'locale'} holds no catalog; run `labkit i18n update {package}` first")
    return written


# --------------------------------------------------------------------------- commands


@click.group()
def i18n() -> None:
    """Translation catalogs of a plugin package or a lab folder (pt_BR, es, fr, en)."""


def _run(action: str, folder: Path) -> None:
    from labkit.cli import fail

    try:
        package = package_dir(folder)
        if action == "extract":
            count = len(extract(package))
            click.echo(f"{count} messages extracted to {package / 'locale' / 'messages.pot'}")
        elif action == "update":
            paths = update(package)
            click.echo(f"updated {len(paths)} catalogs in {package / 'locale'}; fill the empty msgstr entries")
        else:
            paths = compile_catalogs(package)
            click.echo(f"compiled {len(paths)} catalogs in {package / 'locale'}")
    except I18nError as error:
        fail(str(error))


FOLDER = click.argument("folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))


@i18n.command("extract")
@FOLDER
def extract_command(folder: Path) -> None:
    """Extract the messages of FOLDER (default: here) into locale/messages.pot."""
    _run("extract", folder)


@i18n.command("update")
@FOLDER
def update_command(folder: Path) -> None:
    """Extract, then update (or create) FOLDER's catalogs for pt_BR, es, fr and en."""
    _run("update", folder)


@i18n.command("compile")
@FOLDER
def compile_command(folder: Path) -> None:
    """Compile FOLDER's catalogs to .mo files (optional: labkit reads .po files too)."""
    _run("compile", folder)

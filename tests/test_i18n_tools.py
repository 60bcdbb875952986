"""`labkit i18n extract|update|compile` on a plugin package and on a lab folder: new messages
reach every catalog, existing translations stay, compiled catalogs translate; a folder that is
neither is refused in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from labkit.cli import cli

from .conftest import HELLO


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["i18n", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def catalog(path: Path, language: str):
    with open(path, "rb") as handle:
        return read_po(handle, locale=language)


def test_update_adds_a_new_message_everywhere_and_keeps_translations(tmp_path: Path) -> None:
    package = shutil.copytree(HELLO, tmp_path / "labkit_hello", ignore=shutil.ignore_patterns("__pycache__"))
    routes = package / "routes.py"
    text = routes.read_text(encoding="utf-8")
    assert 'N_("Thank you for your greeting!")' in text
    routes.write_text(text.replace('N_("Thank you for your greeting!")', 'N_("Thank you, neighbour!")'), encoding="utf-8")
    code, out, _ = run("update", str(package))
    assert code == 0 and "updated 4 catalogs" in out
    pot = (package / "locale" / "messages.pot").read_text(encoding="utf-8")
    assert 'msgid "Thank you, neighbour!"' in pot and "Thank you for your greeting!" not in pot
    assert "#:" not in pot, "source locations are left out, as in labkit's own catalogs"
    for language in ("pt_BR", "es", "fr", "en"):
        messages = catalog(package / "locale" / language / "LC_MESSAGES" / "messages.po", language)
        assert messages["Thank you, neighbour!"].string == ""
        assert "Thank you for your greeting!" in messages.obsolete
    assert catalog(package / "locale" / "pt_BR" / "LC_MESSAGES" / "messages.po", "pt_BR")["Greetings"].string == "Saudações"


def test_compile_writes_catalogs_that_translate(tmp_path: Path) -> None:
    package = shutil.copytree(HELLO, tmp_path / "labkit_hello", ignore=shutil.ignore_patterns("__pycache__"))
    code, out, _ = run("compile", str(package))
    assert code == 0 and "compiled 4 catalogs" in out
    with open(package / "locale" / "fr" / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        assert read_mo(handle)["Greetings"].string == catalog(
            package / "locale" / "fr" / "LC_MESSAGES" / "messages.po", "fr")["Greetings"].string != ""


def test_a_lab_folder_gets_catalogs_for_its_own_templates_only(tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    (lab / "templates").mkdir(parents=True)
    (lab / "lab.toml").write_text("[lab]\nname = \"Lab\"\n", encoding="utf-8")
    (lab / "templates" / "home.html").write_text('<p>{{ _("Welcome to our lab") }}</p>\n', encoding="utf-8")
    (lab / "plugins" / "visit" / "templates").mkdir(parents=True)
    (lab / "plugins" / "visit" / "__init__.py").write_text('_("A plugin message")\n', encoding="utf-8")
    code, _, _ = run("update", str(lab))
    assert code == 0
    pot = (lab / "locale" / "messages.pot").read_text(encoding="utf-8")
    assert 'msgid "Welcome to our lab"' in pot and "A plugin message" not in pot
    assert (lab / "locale" / "pt_BR" / "LC_MESSAGES" / "messages.po").is_file()


def test_a_project_folder_means_its_one_package_and_anything_else_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "labkit-hello"
    shutil.copytree(HELLO, project / "labkit_hello", ignore=shutil.ignore_patterns("__pycache__"))
    code, out, _ = run("extract", str(project))
    assert code == 0 and str(project / "labkit_hello" / "locale" / "messages.pot") in out
    (tmp_path / "empty").mkdir()
    code, _, err = run("update", str(tmp_path / "empty"))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "is not a lab folder or a Python package" in lines[0]

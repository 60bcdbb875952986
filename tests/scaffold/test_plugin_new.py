"""`labkit plugin new`: a plugin project made outside the repository installs with pip, and the
test it is generated with passes against this labkit (on SQLite, and on PostgreSQL when
LABKIT_TEST_DATABASE_URL is set); wrong names are refused in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import assert_one_line_error, run_cli


def test_a_new_plugin_installs_and_its_generated_tests_pass(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    made = run_cli("plugin", "new", "budget-watch", "--title", "Budget watch")
    assert made.returncode == 0, made.stderr
    assert "plugin project ready in" in made.stdout and "slug 'budget_watch'" in made.stdout
    project = tmp_path / "budget-watch"
    package = project / "labkit_budget_watch"
    assert 'budget_watch = "labkit_budget_watch"' in (project / "pyproject.toml").read_text(encoding="utf-8")
    assert {"models.py", "actions.py", "pages.py", "routes.py", "migrations/0001_initial.py", "templates/budget_watch/page.html",
            "locale/messages.pot", "locale/pt_BR/LC_MESSAGES/messages.po"} <= {
        str(path.relative_to(package)) for path in package.rglob("*") if path.is_file()}
    catalog = (package / "locale" / "es" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert 'msgid "Budget watch"' in catalog, "the project's own title was extracted into its catalogs"
    assert 'msgstr "Todavía no hay notas."' in catalog

    site = tmp_path / "site"  # a real pip install of the project, beside this labkit
    install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                              "--no-deps", "--target", str(site), str(project)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
                           capture_output=True, text=True, timeout=300,
                           env={**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"})
    assert tests.returncode == 0 and "8 passed" in tests.stdout, tests.stdout + tests.stderr


def test_a_wrong_or_taken_name_is_refused_in_one_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(run_cli("plugin", "new", "Budget Watch"), "a plugin name is lowercase letters")
    assert_one_line_error(run_cli("plugin", "new", "mapping"), "the slug 'mapping' is already used")
    (tmp_path / "taken").mkdir()
    assert_one_line_error(run_cli("plugin", "new", "taken"), "already exists")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["taken"]

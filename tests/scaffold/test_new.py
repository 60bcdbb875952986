"""`labkit new`: a lab baked from the built-in template checks, starts, serves its home page and
runs its own plugin's test; every option lands in the lab; bad answers leave nothing behind;
nothing is written to the home directory (the `home` fixture checks it after every test)."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest

from labkit.scaffold import ScaffoldError, bake

from .conftest import assert_one_line_error, labkit, run_cli, running, stopwatch

FAST = ["--set", "modules=onboarding"]
"""Most tests switch on only the onboarding module: the lab is the subject, not the modules."""

NO_DATABASE = {"modules": "onboarding", "database_url": "postgres://lab@127.0.0.1:9/lab"}
"""For tests about the files only: nothing listens there, so the lab is written without migrating."""


def read_toml(lab: Path) -> dict:
    return tomllib.loads((lab / "lab.toml").read_text(encoding="utf-8"))


async def test_defaults_make_a_lab_that_checks_serves_and_runs_its_plugin_test(labs: Path) -> None:
    elapsed = stopwatch()
    made = labkit("new", "--no-input", "my-lab", cwd=labs)
    assert made.returncode == 0, made.stderr
    lab = labs / "my-lab"
    async with running(lab) as client:
        home = await client.get("/", headers={"Accept-Language": "pt-BR"})
        first_page = elapsed()
        assert home.status_code == 200
        assert "Laboratório de Inovação Pública" in home.text
    print(f"\nlabkit new --no-input (all default modules) to first page: {first_page:.2f} s")
    assert "sign in as admin@example.org with password " in made.stdout
    assert [p.name for p in labs.iterdir()] == ["my-lab"], "a staging folder was left behind"

    settings = read_toml(lab)
    assert settings["lab"]["country"] == "BR" and settings["lab"]["region"] == "BR-SP"
    assert settings["lab"]["timezone"] == "America/Sao_Paulo" and settings["lab"]["default_language"] == "pt-BR"
    assert settings["plugins"]["enabled"] == ["mapping", "people", "participation", "coworking", "challenges",
                                              "indicators", "onboarding", "visit"]
    assert settings["database"]["url"] == "sqlite://data/lab.sqlite3"
    text = (lab / "lab.toml").read_text(encoding="utf-8")
    env = (lab / ".env").read_text(encoding="utf-8")
    secret = next(line.split("=", 1)[1] for line in env.splitlines() if line.startswith("LABKIT_SECRET_KEY="))
    assert len(secret) >= 40 and secret not in text
    assert stat.S_IMODE((lab / ".env").stat().st_mode) == 0o600
    assert (lab / "README.md").is_file() and not list(lab.glob("README.*.md"))
    assert "- [ ] " in (lab / "MENTORING.md").read_text(encoding="utf-8") and not list(lab.glob("MENTORING.*.md"))
    assert {"deploy/my-lab.service".replace("my-lab", made_slug(lab)), "static/lab.css", "static/logo.svg",
            "templates/README.md", "plugins/visit/tests/test_visit.py", ".env.example"} <= files(lab)

    check = labkit("--lab", str(lab), "check", cwd=labs)
    assert check.returncode == 0 and "all checks passed" in check.stdout, check.stderr

    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=lab,
                           capture_output=True, text=True, timeout=180,
                           env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert tests.returncode == 0 and "3 passed" in tests.stdout, tests.stdout + tests.stderr


def made_slug(lab: Path) -> str:
    return next(p.stem for p in (lab / "deploy").glob("*.service"))


def files(lab: Path) -> set[str]:
    return {str(p.relative_to(lab)) for p in lab.rglob("*") if p.is_file()}


async def test_the_lab_brand_overrides_the_core_logo_and_colours(labs: Path) -> None:
    made = await asyncio.to_thread(run_cli, "new", "--no-input", "lab", *FAST)  # it runs its own event loop
    assert made.returncode == 0, made.stderr
    async with running(labs / "lab") as client:
        logo = await client.get("/static/logo.svg")
        css = await client.get("/static/lab.css")
    assert logo.status_code == 200 and "replace static/logo.svg with your own" in logo.text
    assert css.status_code == 200 and "--lab-primary:" in css.text


@pytest.mark.parametrize(("language", "readme_word", "mentoring_word"), [
    ("pt-BR", "Backup", "Mês 1"),
    ("es", "Copia de seguridad", "Mes 1"),
    ("fr", "Sauvegarde", "Mois 1"),
    ("en", "Back up", "Month 1"),
])
def test_the_default_language_picks_readme_and_mentoring_plan(labs: Path, language: str, readme_word: str,
                                                              mentoring_word: str) -> None:
    lab = bake(None, labs / "lab", no_input=True, answers={**NO_DATABASE, "default_language": language}).path
    assert readme_word in (lab / "README.md").read_text(encoding="utf-8")
    assert mentoring_word in (lab / "MENTORING.md").read_text(encoding="utf-8")
    settings = read_toml(lab)["lab"]
    assert settings["default_language"] == language and settings["languages"][0] == language
    assert sorted(settings["languages"]) == sorted(["pt-BR", "es", "fr", "en"])


def test_every_answer_lands_in_lab_toml(labs: Path) -> None:
    answers = {
        "lab_name": 'LabX "Lisboa"', "lab_slug": "labx-lisboa", "municipality": "Lisboa", "country": "PT",
        "region": "PT-11", "municipal_code": "1106", "default_language": "en", "other_languages": "pt-BR",
        "modules": "onboarding, mapping, indicators", "base_url": "https://labx.example.org",
        "mentor_name": "Thinkia", "mentor_url": "https://thinkia.example.org", "hub_url": "https://hub.example.org",
        "admin_email": "equipa@labx.example.org",
    }
    made = bake(None, None, no_input=True, answers=answers)
    assert made.path == labs / "labx-lisboa" and made.admin_email == "equipa@labx.example.org"
    lab = read_toml(made.path)
    assert lab["lab"] == {
        "name": 'LabX "Lisboa"', "municipality": "Lisboa", "country": "PT", "region": "PT-11", "municipal_code": "1106",
        "timezone": "Europe/Lisbon", "default_language": "en", "languages": ["en", "pt-BR"],
        "base_url": "https://labx.example.org", "mentor_name": "Thinkia", "mentor_url": "https://thinkia.example.org",
    }
    assert lab["plugin"]["indicators"] == {"hub_url": "https://hub.example.org"}
    assert lab["plugins"]["enabled"] == ["onboarding", "mapping", "indicators", "visit"]
    assert "labx.example.org" in (made.path / "deploy" / "nginx-labx-lisboa.conf").read_text(encoding="utf-8")
    assert "Thinkia" in (made.path / "MENTORING.md").read_text(encoding="utf-8")


def test_time_zone_follows_the_country_unless_answered(labs: Path) -> None:
    ecuador = bake(None, labs / "ec", no_input=True, answers={**NO_DATABASE, "country": "EC", "region": "EC-P",
                                                              "municipal_code": "170150"}).path
    assert read_toml(ecuador)["lab"]["timezone"] == "America/Guayaquil"
    chosen = bake(None, labs / "tz", no_input=True, answers={**NO_DATABASE, "timezone": "America/Manaus"}).path
    assert read_toml(chosen)["lab"]["timezone"] == "America/Manaus"


async def _postgres(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def test_a_postgres_url_with_a_password_goes_to_env_not_lab_toml(labs: Path) -> None:
    server = os.environ.get("LABKIT_TEST_DATABASE_URL")
    name = f"labkit_new_{uuid.uuid4().hex[:10]}"
    if server:  # a real server: the new lab gets its own database and is migrated at once
        asyncio.run(_postgres(server, f'CREATE DATABASE "{name}"'))
        target = f"{server.rsplit('/', 1)[0]}/{name}"
    else:  # nothing listens there: the lab is still made, with a note to migrate later
        target = "postgres://labkit:s3cret@127.0.0.1:9/lab"
    try:
        made = bake(None, labs / "pg", no_input=True, answers={"modules": "onboarding", "database_url": target})
    finally:
        if server:
            asyncio.run(_postgres(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    text = (made.path / "lab.toml").read_text(encoding="utf-8")
    env = (made.path / ".env").read_text(encoding="utf-8")
    userinfo = target.split("://", 1)[1].split("/", 1)[0]
    if "@" in userinfo and ":" in userinfo.split("@", 1)[0]:
        assert target not in text and f"LABKIT_DATABASE_URL={target}" in env
    else:
        assert f'url = "{target}"' in text
    if server:
        assert made.notes == ["database migrated", "administrator admin@example.org created"]
    else:
        assert made.notes[0].startswith("warning: the database did not answer") and not made.admin_password


@pytest.mark.parametrize(("key", "value", "message"), [
    ("country", "XX", "country: 'XX' is not an ISO 3166-1 alpha-2 country code"),
    ("country", "br", "did you mean 'BR'?"),
    ("region", "PT-11", "region: 'PT-11' is not in country 'BR'"),
    ("region", "BR-ZZ", "region: 'BR-ZZ' is not a subdivision of BR"),
    ("municipal_code", "355", "municipal_code: '355' is not valid in BR"),
    ("timezone", "America/Atlantis", "timezone: 'America/Atlantis' is not a known time zone"),
    ("other_languages", "es, de", "other_languages: 'de' is not one of"),
    ("modules", "onboarding, teleport", "modules: 'teleport' is not a module"),
    ("mentor_url", "ftp://mentor.example.org", "mentor_url: 'ftp://mentor.example.org' is not a web address"),
    ("hub_url", "javascript:alert(1)", "hub_url: 'javascript:alert(1)' is not a web address"),
    ("database_url", "mysql://db/lab", "database_url: 'mysql://db/lab' must start with sqlite:// or postgres://"),
    ("database_url", "postgres://host-only", "needs a host and a database name"),
    ("admin_email", "not-an-email", "admin_email: 'not-an-email' is not an e-mail address"),
    ("lab_name", "", "lab_name: give the lab a name"),
    ("municipality", "Line\nbreak", "municipality: the answer may not hold line breaks"),
    ("default_language", "de", "de provided for choice variable default_language"),
])
def test_a_bad_answer_is_refused_with_one_message_and_nothing_is_written(labs: Path, key: str, value: str,
                                                                         message: str) -> None:
    with pytest.raises(ScaffoldError) as refused:
        bake(None, labs / "lab", no_input=True, answers={"modules": "onboarding", key: value})
    assert message in str(refused.value)
    assert list(labs.iterdir()) == []


def test_the_command_refuses_in_one_line_with_exit_2_and_leaves_no_folder(labs: Path) -> None:
    result = labkit("new", "--no-input", "lab", "--set", "country=XX", *FAST, cwd=labs)
    assert_one_line_error(result, "country: 'XX' is not an ISO 3166-1 alpha-2 country code")
    assert list(labs.iterdir()) == []
    unknown = run_cli("new", "--no-input", "lab", "--set", "colour=red")
    assert_one_line_error(unknown, "--set colour: the template asks no such question")
    malformed = run_cli("new", "--no-input", "lab", "--set", "country")
    assert_one_line_error(malformed, "write it as KEY=VALUE")
    (labs / "taken").mkdir()
    (labs / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    taken = run_cli("new", "--no-input", "taken", *FAST)
    assert_one_line_error(taken, "already exists and is not empty")
    assert [p.name for p in (labs / "taken").iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in labs.iterdir()) == ["taken"]


def test_interactive_answers_are_asked_with_human_questions(labs: Path) -> None:
    # lab_name, then Enter (the default) for every other question
    answers = "Pátio Digital\n" + "\n" * 8 + "onboarding\n" + "\n" * 6
    result = labkit("new", "lab", cwd=labs, input=answers)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "What is the lab called?" in result.stdout and "Main language of the lab" in result.stdout
    lab = read_toml(labs / "lab")
    assert lab["lab"]["name"] == "Pátio Digital" and lab["plugins"]["enabled"] == ["onboarding", "visit"]


def test_a_local_template_of_a_mentor_is_used_instead_of_the_built_in_one(labs: Path, tmp_path: Path) -> None:
    import shutil

    from labkit.scaffold import builtin_template

    mentor = tmp_path / "mentor-template"
    shutil.copytree(builtin_template(), mentor)
    (mentor / "{{cookiecutter.lab_slug}}" / "static" / "lab.css").write_text(":root { --lab-primary: #006b3f; }\n",
                                                                             encoding="utf-8")
    result = run_cli("new", "--no-input", "--template", str(mentor), "lab", *FAST)
    assert result.returncode == 0, result.stderr
    assert "#006b3f" in (labs / "lab" / "static" / "lab.css").read_text(encoding="utf-8")
    missing = run_cli("new", "--no-input", "--template", str(tmp_path), "other")
    assert_one_line_error(missing, "is not a lab template")


def test_a_trainer_can_still_run_cookiecutter_on_the_template_directly(labs: Path, tmp_path: Path) -> None:
    from labkit.scaffold import builtin_template

    trainer = {**os.environ, "HOME": str(tmp_path / "trainer-home")}  # cookiecutter keeps replay files there

    def cookiecutter(*answers: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cookiecutter", "--no-input", str(builtin_template()),
                               "modules=onboarding", *answers], cwd=labs, capture_output=True, text=True,
                              timeout=180, env=trainer)

    refused = cookiecutter("country=XX", "lab_name=Refused Lab")
    assert refused.returncode != 0 and "country: 'XX' is not an ISO 3166-1 alpha-2 country code" in refused.stderr
    assert list(labs.iterdir()) == []
    made = cookiecutter("lab_name=Trainer Lab")
    assert made.returncode == 0, made.stderr
    assert "database migrated" in made.stdout and "sign in as admin@example.org" in made.stdout
    assert (labs / "trainer-lab" / ".env").is_file() and (labs / "trainer-lab" / "README.md").is_file()

"""``labkit new`` and ``labkit template export``: how a new lab starts, and how a lab trains the next.

``labkit new`` renders a cookiecutter template (the built-in ``cookiecutter-lab``, shipped in the
package, or a mentor lab's own with ``--template``) into a staging folder, then, in this process
(:mod:`labkit.lab_setup`), checks every answer, writes a secret key to ``.env``, migrates the
database and creates the first administrator; only a finished lab is moved into place.
``labkit template export`` turns a running lab into such a template (its branding, modules,
settings, own plugins and mentoring plan, without data or secrets), with the lab recorded as the
mentor of the labs made from it: the trainer-of-trainers chain, in software.

Nothing is written to the home directory: cookiecutter's configuration, replay files and clones
of remote templates live in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click
import tomli_w

from labkit import lab_setup

PACKAGE_DIR = Path(__file__).resolve().parent

PROJECT = "{{cookiecutter.lab_slug}}"
LOCAL_PLUGIN_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
EXPORTED_SECTIONS = ("security",)
"""lab.toml sections a template passes on besides ``[plugin.*]`` (never [lab], [database], [mail])."""


class ScaffoldError(Exception):
    """A lab or a template cannot be made as asked; the message says why, in one line."""


@dataclass
class NewLab:
    """What ``labkit new`` made."""

    path: Path
    admin_email: str = ""
    admin_password: str = ""
    notes: list[str] = field(default_factory=list)


def shipped_template(name: str) -> Path:
    """The folder of a template labkit ships (``"lab"`` or ``"plugin"``): ``labkit/_templates/NAME``
    in an installed wheel, ``cookiecutter-NAME/`` at the top of a checkout (an editable install)."""
    for folder in (PACKAGE_DIR / "_templates" / name, PACKAGE_DIR.parent / f"cookiecutter-{name}"):
        if (folder / "cookiecutter.json").is_file():
            return folder
    raise ScaffoldError(f"the built-in {name} template is missing (looked in {PACKAGE_DIR / '_templates'}); "
                        "reinstall labkit")


def builtin_template() -> Path:
    """The folder of the built-in lab template (``LABKIT_TEMPLATE_DIR`` overrides it)."""
    override = os.environ.get("LABKIT_TEMPLATE_DIR")
    if not override:
        return shipped_template("lab")
    if not (Path(override) / "cookiecutter.json").is_file():
        raise ScaffoldError(f"LABKIT_TEMPLATE_DIR={override} is not a lab template (it has no cookiecutter.json)")
    return Path(override)


def parse_assignments(assignments: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``("country=PT", ...)`` -> ``{"country": "PT"}``; a malformed item is an error."""
    values: dict[str, str] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not re.fullmatch(r"[a-z][a-z0-9_]*", key.strip()):
            raise ScaffoldError(f"--set {item!r}: write it as KEY=VALUE, e.g. --set country=PT")
        values[key.strip()] = value.strip()
    return values


def _questions(template: str) -> list[str] | None:
    """The questions of a local template (None for a remote one, not fetched yet)."""
    path = Path(template).expanduser()
    manifest = path / "cookiecutter.json"
    if not manifest.is_file():
        if path.exists():
            raise ScaffoldError(f"{template} is not a lab template (it has no cookiecutter.json)")
        return None
    try:
        context = json.loads(manifest.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ScaffoldError(f"{manifest}: not valid JSON: {error}") from None
    return [key for key in context if not key.startswith("_")]


def _default_answers(answers: dict[str, str], questions: list[str] | None, port: int | None) -> dict[str, str]:
    """``answers`` completed with what the surroundings say: the address from ``--port`` and the
    database of an exported ``LABKIT_DATABASE_URL`` (each only when not answered already)."""
    defaults = {"base_url": f"http://127.0.0.1:{port}" if port else "",
                "database_url": os.environ.get("LABKIT_DATABASE_URL", "")}
    wanted = {key: value for key, value in defaults.items()
              if value and key not in answers and (questions is None or key in questions)}
    return {**answers, **wanted}


def _rendered_answers(replay_dir: Path) -> dict[str, Any]:
    """The answers cookiecutter rendered the template with (it records them as a replay file)."""
    replays = list(replay_dir.glob("*.json"))
    if len(replays) != 1:
        raise ScaffoldError("the template could not be used: cookiecutter recorded no answers")
    return json.loads(replays[0].read_text(encoding="utf-8"))["cookiecutter"]


def bake(template: str | None = None, directory: Path | None = None, *, no_input: bool = False,
         answers: dict[str, str] | None = None, checkout: str | None = None, port: int | None = None) -> NewLab:
    """Make a lab from ``template`` (default: the built-in one) in ``directory`` (default: a
    folder named after the lab's slug in the current folder). Nothing is left behind on failure.

    cookiecutter only renders the files (the template's own hooks are skipped); the answers are
    then checked and the lab finished in this process (:mod:`labkit.lab_setup`), in an event loop
    of its own: call it from synchronous code (``asyncio.to_thread`` from a coroutine)."""
    from cookiecutter.exceptions import CookiecutterException, OutputDirExistsException
    from cookiecutter.main import cookiecutter

    template = template or str(builtin_template())
    questions = _questions(template)
    answers = _default_answers(dict(answers or {}), questions, port)
    if questions is not None:
        unknown = sorted(set(answers) - set(questions))
        if unknown:
            raise ScaffoldError(f"--set {unknown[0]}: the template asks no such question "
                                f"(it asks: {', '.join(questions)})")
    target = directory.resolve() if directory else None
    if target is not None and target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} already exists and is not empty; choose another folder")
    parent = target.parent if target else Path.cwd()
    parent.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="labkit-new-") as scratch:
        work = Path(scratch)
        config = work / "cookiecutter.yaml"
        config.write_text(
            f"cookiecutters_dir: {json.dumps(str(work / 'templates'))}\n"
            f"replay_dir: {json.dumps(str(work / 'replay'))}\n", encoding="utf-8")
        staging = Path(tempfile.mkdtemp(prefix=".labkit-new-", dir=parent))
        made: Path | None = None
        try:
            try:
                made = Path(cookiecutter(template, checkout=checkout, no_input=no_input, extra_context=answers,
                                         output_dir=str(staging), config_file=str(config), accept_hooks=False))
                rendered = _rendered_answers(work / "replay")
                lab_setup.validate(rendered)
                for cache in list(made.rglob("__pycache__")):  # compiled by pip in an installed template
                    shutil.rmtree(cache)
                result = asyncio.run(lab_setup.finish(made, rendered, dict(os.environ)))
            except lab_setup.Refused as error:
                raise ScaffoldError(str(error)) from None
            except OutputDirExistsException as error:
                raise ScaffoldError(f"the lab folder already exists: {error}") from None
            except CookiecutterException as error:
                raise ScaffoldError(f"the template could not be used: {error}") from None
            except ValueError as error:  # an answer that is not one of a question's choices
                raise ScaffoldError(str(error)) from None
            except (KeyboardInterrupt, click.exceptions.Abort, EOFError):
                raise ScaffoldError("cancelled; nothing was written") from None
            final = target or parent / made.name
            if final.exists():
                if any(final.iterdir()):
                    raise ScaffoldError(f"{final} already exists; choose another folder")
                final.rmdir()
            made.rename(final)
        finally:
            if made is not None and made.exists() and staging not in made.parents:
                shutil.rmtree(made, ignore_errors=True)  # a slug that led outside the staging folder
            shutil.rmtree(staging, ignore_errors=True)
    return NewLab(final, result.get("admin_email", ""), result.get("admin_password", ""), list(result.get("notes", [])))


async def load_demo_data(lab_dir: Path, email: str) -> str:
    """Fill a new lab with every enabled plugin's demo data (as ``labkit demo`` does) and give
    its administrator ``email`` a fresh password, returned."""
    from labkit import db
    from labkit.config import load_settings
    from labkit.models import Person
    from labkit.people import create_admin
    from labkit.plugins import Plugins, await_me_maybe

    settings = load_settings(lab_dir, lab_setup.lab_environment(dict(os.environ)))
    plugins = Plugins(settings)
    await db.migrate(settings, plugins)
    password = secrets.token_urlsafe(12)
    await create_admin(settings, plugins, email=email, name="Administrator", password=password)
    async with db.open_database(settings, plugins):
        if await Person.all().count() == 1:  # only the administrator: a fresh lab
            for _slug, result in plugins.results("labkit_demo_data", settings=settings):
                await await_me_maybe(result)
    return password


# --------------------------------------------------------------------------- export


def _without_hub(slug: str, table: dict[str, Any]) -> dict[str, Any]:
    """A plugin table to hand on to a new lab: the hub's address is asked anew (``hub_url``)."""
    return {k: v for k, v in table.items() if not (slug == "indicators" and k == "hub_url")}


def _toml_table(name: str, values: dict[str, Any]) -> str:
    """``values`` as the TOML table ``[name]`` (tables inside it as ``[name.key]``)."""
    return tomli_w.dumps({name: values}).strip()


def _jinja_literal(text: str) -> str:
    """``text`` as a Jinja template that renders to itself."""
    return "{% raw %}" + text.replace("{% endraw %}", "{% endraw %}{{ '{% endraw %}' }}{% raw %}") + "{% endraw %}" if text else ""


def templatize(text: str, variables: dict[str, str]) -> str:
    """Turn ``text`` into a Jinja template where each literal key of ``variables`` becomes that
    cookiecutter variable (longest first); everything else renders unchanged."""
    wanted = sorted((literal for literal in variables if literal), key=len, reverse=True)
    if not wanted:
        return _jinja_literal(text)
    pattern = re.compile("|".join(re.escape(literal) for literal in wanted))
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(_jinja_literal(text[last:match.start()]))
        parts.append(f"{{{{ cookiecutter.{variables[match.group()]} }}}}")
        last = match.end()
    parts.append(_jinja_literal(text[last:]))
    return "".join(parts)


def _lineage(lab_toml: str) -> str:
    match = re.search(r"^# Trainer-of-trainers chain: (.+)$", lab_toml, re.MULTILINE)
    return match.group(1).strip() if match else ""


def export_template(lab_dir: Path, output: Path) -> Path:
    """Write a cookiecutter template of the lab in ``lab_dir`` to ``output``; return ``output``."""
    from labkit.config import load_settings
    from labkit.plugins import discover

    lab_dir = lab_dir.resolve()
    if not (lab_dir / "lab.toml").is_file():
        raise ScaffoldError(f"{lab_dir} is not a lab folder (no lab.toml); use --lab DIR")
    output = output.resolve()
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise ScaffoldError(f"{output} already exists and is not empty; choose another folder")
    if output == lab_dir or lab_dir in output.parents:
        raise ScaffoldError("write the template outside the lab folder")
    settings = load_settings(lab_dir)
    lab = settings.lab
    raw_toml = (lab_dir / "lab.toml").read_text(encoding="utf-8")
    written = tomllib.loads(raw_toml)

    found = discover(settings)
    local = [item.slug for item in found if item.source.startswith("lab (")]
    enabled = settings.plugins.enabled
    modules = [item.slug for item in found if not item.source.startswith("lab (")
               and ("*" in enabled or item.slug in enabled) and item.slug not in settings.plugins.disabled]
    local = [slug for slug in local if ("*" in enabled or slug in enabled) and slug not in settings.plugins.disabled]

    source = builtin_template()
    if output.exists():
        output.rmdir()
    try:
        shutil.copytree(source, output, ignore=LOCAL_PLUGIN_IGNORE)
        project = output / PROJECT
        for name in ("templates", "static", "plugins", "locale"):
            shutil.rmtree(project / name, ignore_errors=True)
            if (lab_dir / name).is_dir():
                shutil.copytree(lab_dir / name, project / name, ignore=LOCAL_PLUGIN_IGNORE)
            elif name == "plugins":
                (project / name).mkdir()
                (project / name / ".gitkeep").write_text("", encoding="utf-8")
        mentoring = lab_dir / "MENTORING.md"
        if mentoring.is_file():
            for variant in project.glob("MENTORING.*.md"):
                variant.unlink()
            replacements = {lab.name: "lab_name"}
            if lab.mentor_name:
                replacements[lab.mentor_name] = "mentor_name"
            (project / "MENTORING.md").write_text(
                templatize(mentoring.read_text(encoding="utf-8"), replacements), encoding="utf-8")

        manifest_path = output / "cookiecutter.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        other = [tag for tag in lab.languages if tag != lab.default_language]
        chain = f"{lab.name} ({lab.base_url})"
        upstream = _lineage(raw_toml) or (f"{lab.mentor_name} ({lab.mentor_url})" if lab.mentor_name else "")
        manifest.update({
            "lab_name": "",
            "municipality": "",
            "municipal_code": "",
            "country": lab.country,
            "region": lab.region,
            "default_language": [lab.default_language] + [t for t in manifest["default_language"] if t != lab.default_language],
            "other_languages": ", ".join(other),
            "timezone": lab.timezone,
            "modules": ", ".join(modules),
            "mentor_name": lab.name,
            "mentor_url": lab.base_url,
            "hub_url": written.get("plugin", {}).get("indicators", {}).get("hub_url") or lab.hub_url,
            "_local_plugins": ", ".join(local),
            "_lineage": chain + (f" ← {upstream}" if upstream else ""),
            "_extra_toml": "\n\n".join(
                [_toml_table(name, written[name]) for name in EXPORTED_SECTIONS if written.get(name)]
                + [_toml_table("plugin", {slug: _without_hub(slug, table)})
                   for slug, table in written.get("plugin", {}).items()
                   if isinstance(table, dict) and _without_hub(slug, table)]),
        })
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (output / "README.md").write_text(
            f"# Lab template of {lab.name}\n\n"
            f"Made with `labkit template export` on {date.today().isoformat()} from {lab.name} "
            f"({lab.base_url}). It holds the lab's branding, modules, settings, own plugins and "
            "mentoring plan, without data or secrets. Start a new lab from it with\n\n"
            f"    labkit new --template {output.name} my-lab\n\n"
            f"The new lab records {lab.name} as its mentor (mentor_name and mentor_url in its lab.toml), "
            "which is what the federation hub's trainer-of-trainers tree shows.\n"
            f"\nTrainer-of-trainers chain, nearest first: {manifest['_lineage']}\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(output, ignore_errors=True)
        raise
    return output


# --------------------------------------------------------------------------- commands


def _fail(message: str) -> None:
    click.echo(f"labkit: error: {message}", err=True)
    sys.exit(2)


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-input", is_flag=True, help="Ask nothing: use the defaults and the --set answers.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="Answer a question of the template (repeatable), e.g. --set country=PT.")
@click.option("--demo", is_flag=True, help="Also load sample data and print the administrator's sign-in.")
@click.option("--template", "template_source", metavar="PATH_OR_URL",
              help="A mentor lab's template (a folder, or a git URL) instead of the built-in one.")
@click.option("--checkout", metavar="REF", help="Branch, tag or commit of a git template.")
@click.option("--port", type=click.IntRange(1, 65535),
              help="The port you will serve the lab on: the public address defaults to http://127.0.0.1:PORT.")
def new(directory: Path | None, no_input: bool, assignments: tuple[str, ...], demo: bool,
        template_source: str | None, checkout: str | None, port: int | None) -> None:
    """Make a new lab in DIRECTORY (default: a folder named after the lab), ready to serve."""
    try:
        made = bake(template_source, directory, no_input=no_input, answers=parse_assignments(assignments),
                    checkout=checkout, port=port)
        password = made.admin_password
        if demo and made.admin_email:
            password = asyncio.run(load_demo_data(made.path, made.admin_email))
    except ScaffoldError as error:
        _fail(str(error))
        return
    except Exception as error:  # noqa: BLE001 - a config, plugin or database problem of the new lab
        from labkit.cli import EXPECTED_ERRORS

        if isinstance(error, EXPECTED_ERRORS):
            _fail(str(error))
        raise
    for note in made.notes:
        click.echo(note)
    where = os.path.relpath(made.path)
    click.echo(f"lab ready in {where}" + (" with demo data" if demo else ""))
    if made.admin_email and password:
        click.echo(f"sign in as {made.admin_email} with password {password} (change it on your account page)")
    serve = f"labkit --lab {where} serve" + (f" --port {port}" if port else "")
    click.echo(f"next: {serve}   (then open http://127.0.0.1:{port or 8000}/)")


@click.group()
def template() -> None:
    """Lab templates: hand your lab's way of working to the next lab you train."""


@template.command("export")
@click.argument("output", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lab", "lab_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="The lab to export (default: labkit's --lab, $LABKIT_LAB_DIR or the current folder).")
@click.pass_context
def export(ctx: click.Context, output: Path, lab_dir: Path | None) -> None:
    """Write this lab's template to OUTPUT: branding, modules, settings, own plugins and mentoring
    plan, without data or secrets; labs made from it name this lab as their mentor."""
    from labkit.config import ConfigError
    from labkit.plugins import PluginError

    root = ctx.find_root().obj
    folder = lab_dir or getattr(root, "lab_dir", None) or Path(os.environ.get("LABKIT_LAB_DIR") or ".")
    try:
        written = export_template(Path(folder), output)
    except (ScaffoldError, ConfigError, PluginError) as error:
        _fail(str(error))
        return
    click.echo(f"template written to {os.path.relpath(written)}")
    click.echo(f"start a lab from it: labkit new --template {os.path.relpath(written)} NEW_LAB_DIR")

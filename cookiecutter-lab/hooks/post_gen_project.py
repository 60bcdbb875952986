"""Finish the new lab: texts in its language, a secret key in .env, a migrated database and the
first administrator, so that `labkit serve` works at once.

Runs inside the new lab folder. A failure exits non-zero, and cookiecutter removes the folder.
When ``labkit new`` runs the template (LABKIT_HOOK_REPORT is set), the results and any error go
to that file for labkit to print; otherwise they are printed here.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
from pathlib import Path

ANSWERS = json.loads(r'''{{ cookiecutter | jsonify }}''')
LANGUAGES = ("pt-BR", "es", "fr", "en")
LOCALISED = ("README", "MENTORING")
REPORT = os.environ.get("LABKIT_HOOK_REPORT")


class Failed(Exception):
    """The lab cannot be finished; the message says why."""


def pick_language(lab: Path, language: str) -> None:
    """Keep README.md and MENTORING.md in the lab's language (English when there is none)."""
    for name in LOCALISED:
        variants = {tag: lab / f"{name}.{tag}.md" for tag in LANGUAGES}
        target = lab / f"{name}.md"
        if not target.exists():
            chosen = variants[language] if variants[language].exists() else variants["en"]
            if chosen.exists():
                chosen.rename(target)
        for path in variants.values():
            if path.exists():
                path.unlink()


def database_has_password(url: str) -> bool:
    userinfo = url.split("://", 1)[-1].split("/", 1)[0]
    return "@" in userinfo and ":" in userinfo.split("@", 1)[0]


def write_env(lab: Path, answers: dict) -> None:
    """Secrets go into .env (readable by the owner only), never into lab.toml."""
    lines = [
        "# Secrets of this lab. Keep this file out of version control and backups you share.",
        f"LABKIT_SECRET_KEY={secrets.token_urlsafe(48)}",
    ]
    if database_has_password(answers["database_url"]):
        lines.append(f"LABKIT_DATABASE_URL={answers['database_url']}")
    env = lab / ".env"
    env.touch(mode=0o600)
    env.chmod(0o600)
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def migrate_and_admin(lab: Path, email: str, password: str) -> list[str]:
    """Apply the migrations and create the first administrator; return what was done."""
    from labkit import db
    from labkit.config import ConfigError, load_settings
    from labkit.people import create_admin
    from labkit.plugins import PluginError, Plugins

    environ = {key: value for key, value in os.environ.items() if not key.startswith("LABKIT_")}
    try:
        settings = load_settings(lab, environ)
        plugins = Plugins(settings)
    except (ConfigError, PluginError) as error:
        raise Failed(str(error)) from None
    try:
        await db.migrate(settings, plugins)
    except db.DatabaseError as error:
        if settings.database_url.startswith("sqlite"):
            raise Failed(f"the database could not be migrated: {error}") from None
        return [f"warning: the database did not answer ({error}); once it does, run "
                f"`labkit --lab {lab.name} migrate` and `labkit --lab {lab.name} createadmin --email {email}`"]
    await create_admin(settings, plugins, email=email, name="Administrator", password=password)
    return ["database migrated", f"administrator {email} created"]


def main() -> int:
    lab = Path.cwd()
    result: dict = {}
    try:
        pick_language(lab, ANSWERS["default_language"])
        write_env(lab, ANSWERS)
        password = os.environ.get("LABKIT_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        try:
            import labkit  # noqa: F401
        except ImportError:
            result["notes"] = ["labkit is not installed in this Python: install it, then run "
                               f"`labkit --lab {lab.name} migrate` and `labkit --lab {lab.name} createadmin`"]
        else:
            result["notes"] = asyncio.run(migrate_and_admin(lab, ANSWERS["admin_email"], password))
            if "database migrated" in result["notes"]:
                result["admin_email"], result["admin_password"] = ANSWERS["admin_email"], password
    except Failed as error:
        result = {"error": str(error)}
    if REPORT:
        with open(REPORT, "w", encoding="utf-8") as handle:
            json.dump(result, handle)
    elif "error" in result:
        print(f"error: {result['error']}", file=sys.stderr)
    else:
        for note in result.get("notes", []):
            print(note)
        if "admin_password" in result:
            print(f"sign in as {result['admin_email']} with password {result['admin_password']} "
                  "and change it on your account page")
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())

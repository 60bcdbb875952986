"""The ``labkit`` command line. Every failure is one line on stderr and a non-zero exit."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import click

from labkit import __version__, db, maps, runtime
from labkit.app import create_app
from labkit.config import ConfigError, Settings, load_settings
from labkit.people import AccountError, create_admin
from labkit.plugins import PluginError, Plugins, by_convention
from labkit.production import address_mismatch, production_problems
from labkit.storage import StorageError

EXPECTED_ERRORS = (ConfigError, PluginError, db.DatabaseError, AccountError, StorageError)


class LabContext:
    """The lab a command works on, loaded on first use."""

    def __init__(self, lab_dir: str | None) -> None:
        self.lab_dir = Path(lab_dir or os.environ.get("LABKIT_LAB_DIR") or ".").resolve()
        self._settings: Settings | None = None
        self._plugins: Plugins | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            if not (self.lab_dir / "lab.toml").is_file():
                raise ConfigError(f"{self.lab_dir} is not a lab folder (no lab.toml); use --lab DIR or `labkit new`")
            self._settings = load_settings(self.lab_dir)
        return self._settings

    @property
    def plugins(self) -> Plugins:
        if self._plugins is None:
            self._plugins = Plugins(self.settings)
        return self._plugins


pass_lab = click.make_pass_decorator(LabContext)


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run an async task from a command."""
    return asyncio.run(coroutine)


def fail(message: str, code: int = 2) -> None:
    """Print ``labkit: error: message`` and exit with ``code``."""
    click.echo(f"labkit: error: {message}", err=True)
    sys.exit(code)


class LabkitGroup(click.Group):
    """A click group that turns expected errors into one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EXPECTED_ERRORS as error:
            fail(str(error))


@click.group(cls=LabkitGroup)
@click.version_option(__version__, prog_name="labkit")
@click.option("--lab", "lab_dir", metavar="DIR", help="The lab folder (default: $LABKIT_LAB_DIR or the current folder).")
@click.pass_context
def cli(ctx: click.Context, lab_dir: str | None) -> None:
    """Run and manage a labkit lab."""
    ctx.obj = LabContext(lab_dir)


@cli.command()
@pass_lab
def migrate(lab: LabContext) -> None:
    """Apply every pending database migration (core first, then plugins)."""

    def progress(event: str, app: str, name: str) -> None:
        if event == "apply_done":
            click.echo(f"applied {app}.{name}")

    run(db.migrate(lab.settings, lab.plugins, progress=progress))
    click.echo("database is up to date")


@cli.command()
@click.argument("plugin")
@pass_lab
def makemigrations(lab: LabContext, plugin: str) -> None:
    """Write a migration for PLUGIN's model changes (for plugin authors)."""
    if plugin not in lab.plugins.loaded:
        fail(f"no plugin {plugin!r} is loaded in this lab")
    written = run(db.make_migrations(lab.settings, lab.plugins, plugin))
    for path in written:
        click.echo(f"wrote {path}")
    if not written:
        click.echo(f"no changes in {plugin}'s models")


@cli.command()
@pass_lab
def plugins(lab: LabContext) -> None:
    """List the loaded plugins, where each came from, its version and its hooks."""
    for plugin in lab.plugins.order:
        click.echo(f"{plugin.slug}  {plugin.info.version}  {plugin.source}")
        click.echo(f"    {plugin.info.title}: {', '.join(plugin.hooks)}")
        derived = by_convention(plugin)
        if derived:
            click.echo(f"    by convention: {', '.join(derived)}")
    for slug, reason in lab.plugins.failed.items():
        click.echo(f"{slug}  NOT LOADED (optional): {reason}")


@cli.command()
@click.option("--production", is_flag=True, help="Also list what a public lab must not run with.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="The workers the lab is meant to serve with (for --production).")
@pass_lab
def check(lab: LabContext, production: bool, workers: int) -> None:
    """Check the configuration, plugins, database and migrations; exit 1 with the reasons."""
    problems: list[str] = []
    try:
        settings, plugins = lab.settings, lab.plugins
        create_app(settings, plugins)
    except (ConfigError, PluginError, StorageError) as error:
        fail(str(error), code=1)
    click.echo(f"configuration: ok ({settings.lab_dir / 'lab.toml'})")
    click.echo(f"plugins: {', '.join(p.slug for p in plugins.order)}")
    problems += [f"optional plugin not loaded: {reason}" for reason in plugins.failed.values()]
    try:
        pending = run(db.pending_migrations(settings, plugins))
        click.echo("database: reachable")
        if pending:
            problems.append(f"{len(pending)} migration(s) not applied ({', '.join(pending)}): run `labkit migrate`")
    except db.DatabaseError as error:
        problems.append(str(error))
    try:
        click.echo(f"storage: writable ({run(probe(settings))})")
    except StorageError as error:
        problems.append(f"storage: {error}")
    if production:
        problems += [str(finding) for finding in production_problems(settings, workers)]
    if unreachable := maps.unreachable_tile_server(settings):
        click.echo(f"warning: the map tile server cannot be reached from here ({unreachable}); "
                   "maps show their markers without a background", err=True)
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo("all checks passed")


@cli.command()
@click.option("--email", required=True, help="The administrator's e-mail address.")
@click.option("--name", default="Administrator", show_default=True)
@click.option("--password", envvar="LABKIT_ADMIN_PASSWORD", prompt=True, hide_input=True,
              confirmation_prompt=True, help="Read from $LABKIT_ADMIN_PASSWORD when set.")
@pass_lab
def createadmin(lab: LabContext, email: str, name: str, password: str) -> None:
    """Create an administrator account (or make an existing account admin)."""
    created = run(create_admin(lab.settings, lab.plugins, email=email, name=name, password=password))
    click.echo(f"{'created' if created else 'promoted'} administrator {email.lower()}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--reload", is_flag=True, help="Restart when code changes (development).")
@click.option("--migrate", "apply_migrations", is_flag=True, help="Apply pending migrations first.")
@pass_lab
def serve(lab: LabContext, host: str, port: int, workers: int, reload: bool, apply_migrations: bool) -> None:
    """Serve the lab with uvicorn."""
    serve_lab(lab.settings, lab.plugins, host=host, port=port, workers=workers, reload=reload,
              apply_migrations=apply_migrations)


def serve_lab(settings: Settings, plugins: Plugins, *, host: str, port: int, workers: int = 1,
              reload: bool = False, apply_migrations: bool = False) -> None:
    """Check the database, then run uvicorn on the lab (used by ``serve`` and ``demo``)."""
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    if apply_migrations:
        run(db.migrate(settings, plugins))
    pending = run(db.pending_migrations(settings, plugins))
    if pending:
        fail(f"{len(pending)} migration(s) not applied: run `labkit migrate` (or serve --migrate)")
    create_app(settings, plugins)  # a plugin's bad declaration fails here, as one line, not in a worker
    os.environ["LABKIT_LAB_DIR"] = str(settings.lab_dir)
    log_config = {**LOGGING_CONFIG, "loggers": {**LOGGING_CONFIG["loggers"],
                                                "labkit": {"handlers": ["default"], "level": "INFO"}}}
    if mismatch := address_mismatch(settings, host, port):
        click.echo(mismatch, err=True)
    click.echo(f"serving {settings.lab.name} on http://{host}:{port}/")
    uvicorn.run("labkit.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers if not reload else None, reload=reload, proxy_headers=True,
                log_level="info", log_config=log_config)


@cli.command()
@click.argument("directory", default="demo-lab", type=click.Path(file_okay=False))
@click.option("--serve/--no-serve", "then_serve", default=True, help="Serve the demo lab afterwards.")
@click.option("--port", default=8000, show_default=True, type=int)
def demo(directory: str, then_serve: bool, port: int) -> None:
    """Make a demo lab in DIRECTORY with every built-in plugin and sample data, and serve it."""
    from labkit.demo import make_demo_lab

    settings, plugins, password = run(make_demo_lab(Path(directory)))
    click.echo(f"demo lab ready in {settings.lab_dir}")
    click.echo(f"sign in as admin@demo.lab with password {password}")
    if then_serve:
        serve_lab(settings, plugins, host="127.0.0.1", port=port)


def _lab_option(argv: list[str]) -> str | None:
    """The ``--lab DIR`` or ``--lab=DIR`` given before the command, if any."""
    for index, arg in enumerate(argv):
        if arg == "--lab" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lab="):
            return arg.removeprefix("--lab=")
    return None


from labkit.authoring import plugin as plugin_group  # noqa: E402  (commands that need no lab yet)
from labkit.cli_mail import mail  # noqa: E402
from labkit.cli_storage import probe, storage_group  # noqa: E402
from labkit.i18n_tools import i18n  # noqa: E402
from labkit.scaffold import new, template  # noqa: E402

cli.add_command(new)
cli.add_command(template)
cli.add_command(plugin_group)
cli.add_command(i18n)
cli.add_command(mail)
cli.add_command(storage_group)


def _add_plugin_commands(argv: list[str]) -> None:
    lab = LabContext(_lab_option(argv))
    if not (lab.lab_dir / "lab.toml").is_file():
        return
    try:
        lab.plugins.manager.hook.labkit_cli(cli=cli)
    except EXPECTED_ERRORS:
        return  # the command that needs the lab reports the problem itself


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``labkit`` console script."""
    _add_plugin_commands(sys.argv[1:] if argv is None else argv)
    runtime.tune_garbage_collection()
    cli.main(args=argv, prog_name="labkit")



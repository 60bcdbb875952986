"""``labkit federation members import|export|token``: the hub's registry from the command line.

:data:`federation_group` is the ``labkit federation`` command group; other modules of the plugin
attach their commands to it (``labkit federation harvest``).
"""

from __future__ import annotations

from pathlib import Path

import click

from labkit import db
from labkit.cli import LabContext, fail, pass_lab, run

from labkit_federation import registry
from labkit_federation.models import Member


@click.group("federation")
def federation_group() -> None:
    """Run a federation hub: its registry of member labs, harvests and pushes."""


@federation_group.group("members")
def members() -> None:
    """Import, export the registry of member labs; issue their tokens."""


@members.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change; save nothing.")
@pass_lab
def import_members(lab: LabContext, file: Path, dry_run: bool) -> None:
    """Import FILE (CSV) into the registry: every row is checked, then all are saved or none."""

    async def go() -> registry.RegistryImport:
        async with db.open_database(lab.settings, lab.plugins):
            return await registry.import_csv(file.read_bytes(), dry_run=dry_run)

    report = run(go())
    if not report.ok:
        for message in report.messages():
            click.echo(message, err=True)
        fail(f"{file.name}: nothing was imported ({len(report.messages())} error(s))")
    counts = ", ".join(f"{report.count(a)} {label}" for a, label in (
        ("create", "new"), ("update", "updated"), ("unchanged", "unchanged")))
    click.echo(f"{'dry run, nothing saved' if dry_run else 'imported'}: {counts}")


@members.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_lab
def export_members(lab: LabContext, file: Path | None) -> None:
    """Write the registry as CSV to FILE (default: the standard output)."""

    async def go() -> str:
        async with db.open_database(lab.settings, lab.plugins):
            return await registry.export_csv()

    if file is not None and not file.parent.is_dir():
        fail(f"folder {file.parent} does not exist")
    text = run(go())
    if file is None:
        click.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")
        click.echo(f"wrote {file} ({text.count(chr(10)) - 1} members)", err=True)


@members.command("token")
@click.argument("code")
@click.option("--revoke", is_flag=True, help="Withdraw the member's token instead of issuing a new one.")
@pass_lab
def token(lab: LabContext, code: str, revoke: bool) -> None:
    """Issue a new push token for the member CODE (shown once; the previous one stops working)."""

    async def go() -> str | None:
        async with db.open_database(lab.settings, lab.plugins):
            member = await Member.get_or_none(code=code)
            if member is None:
                return None
            if revoke:
                await registry.revoke_token(member)
                return ""
            return await registry.issue_token(member)

    issued = run(go())
    if issued is None:
        fail(f"there is no member {code!r} in the registry")
    elif revoke:
        click.echo(f"token of {code} revoked")
    else:
        click.echo(issued)
        click.echo(f"This is {code}'s token; it is shown only now. Give it to the lab: it sets LABKIT_PLUGIN_INDICATORS_HUB_TOKEN.",
                   err=True)


def register(cli: click.Group) -> None:
    """Add ``labkit federation`` to the ``labkit`` command line."""
    cli.add_command(federation_group)

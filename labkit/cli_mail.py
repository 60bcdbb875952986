"""``labkit mail``: deliver the outbox from the command line (for cron) and see what waits in it."""

from __future__ import annotations

from collections import Counter

import click

from labkit import db, i18n, outbox, templating
from labkit.cli import LabContext, run
from labkit.models import OutboxMessage

pass_lab = click.make_pass_decorator(LabContext)


@click.group()
def mail() -> None:
    """The lab's outgoing e-mail."""


@mail.command()
@pass_lab
def send(lab: LabContext) -> None:
    """Deliver every due message in the outbox, then stop (run it from cron when ``[mail] worker`` is off)."""
    catalogs = i18n.load_catalogs(templating.locale_dirs(lab.settings, lab.plugins))

    async def deliver() -> tuple[Counter[str] | None, dict[str, int]]:
        async with db.open_database(lab.settings, lab.plugins):
            done = await outbox.deliver_pass(lab.settings, catalogs)
            return done, {status: await OutboxMessage.filter(status=status).count() for status in ("queued", "failed")}

    done, waiting = run(deliver())
    if done is None:
        click.echo("another worker is delivering the outbox right now; nothing to do")
        return
    click.echo(f"{done['sent']} sent, {done['logged']} logged, {done['queued']} to retry later, {done['failed']} failed "
               f"(now {waiting['queued']} queued, {waiting['failed']} failed in the outbox)")

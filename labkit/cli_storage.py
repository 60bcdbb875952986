"""``labkit storage``: see where the lab keeps its files and copy them from one backend to the other.

Moving a lab to a shared bucket (or back to its folder) is two steps: ``labkit storage migrate
--to s3`` copies every file, then ``[storage] backend`` is switched and the lab restarted. The copy
may be run again at any time: a file already there with the same content is skipped, so an
interrupted copy resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections import Counter
from collections.abc import Callable

import click

from labkit.cli import LabContext, fail, run
from labkit.config import Settings
from labkit.storage import BACKENDS, Storage, StorageError, check_key, open_storage

pass_lab = click.make_pass_decorator(LabContext)


async def probe(settings: Settings, backend: str | None = None) -> str:
    """Write, read back and remove a file in the lab's storage (or ``backend``); its description."""
    store = open_storage(settings, backend)
    try:
        await store.probe()
    finally:
        await store.close()
    return str(store)


async def copy_files(source: Storage, target: Storage, warn: Callable[[str], None]) -> Counter[str]:
    """Copy every file of ``source`` to ``target``, each checked by size and SHA-256 after it is
    written; a file already in ``target`` with the same content is ``skipped``. A file in the lab's
    folder that labkit did not store (a name it would never make) is ``ignored`` with a warning."""
    counts: Counter[str] = Counter(copied=0, skipped=0)
    async for key in source.keys():
        try:
            check_key(key)
        except ValueError:
            warn(f"ignored {key!r}: not a file labkit stored")
            counts["ignored"] += 1
            continue
        data = await source.get(key)
        digest = hashlib.sha256(data).digest()
        if await target.exists(key) and hashlib.sha256(await target.get(key)).digest() == digest:
            counts["skipped"] += 1
            continue
        await target.put(key, data, media_type=mimetypes.guess_type(key)[0] or "application/octet-stream")
        copy = await target.get(key)
        if len(copy) != len(data) or hashlib.sha256(copy).digest() != digest:
            raise StorageError(f"the copy of {key} in {target} differs from the original; run the migration again")
        counts["copied"] += 1
    return counts


@click.group("storage")
def storage_group() -> None:
    """Where the lab keeps uploaded files and images ([storage] in lab.toml)."""


@storage_group.command()
@click.option("--to", "target", type=click.Choice(BACKENDS), required=True, help="The backend to copy the files to.")
@click.option("--from", "source", type=click.Choice(BACKENDS), help="The backend to copy from (default: the one in use).")
@pass_lab
def migrate(lab: LabContext, target: str, source: str | None) -> None:
    """Copy every file to the other backend (then set [storage] backend and restart the lab)."""
    settings = lab.settings
    source = source or settings.storage.backend
    if source == target:
        fail(f"the files are already in the {target} storage: choose --to {next(b for b in BACKENDS if b != target)}")

    try:
        origin, destination = open_storage(settings, source), open_storage(settings, target)
    except StorageError as error:
        fail(str(error), code=1)

    async def copy() -> Counter[str]:
        try:
            return await copy_files(origin, destination, lambda line: click.echo(f"warning: {line}", err=True))
        finally:
            await origin.close()
            await destination.close()

    try:
        counts = run(copy())
    except StorageError as error:
        fail(f"{error} (the files copied so far stay: run the migration again to resume)", code=1)
    click.echo(f"{counts['copied']} copied, {counts['skipped']} already there"
               + (f", {counts['ignored']} ignored" if counts["ignored"] else "") + f" (from {origin} to {destination})")
    if settings.storage.backend != target:
        click.echo(f'next: set backend = "{target}" in the [storage] table of lab.toml and restart the lab')

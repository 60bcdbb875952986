"""A real lab folder with its demo data, for the tests that serve it with ``labkit serve`` and
harvest it from a hub (tests/federation/test_real_lab.py, tests/training/test_hub_tree.py)."""

from __future__ import annotations

from pathlib import Path

from tortoise.context import TortoiseContext

from labkit import auth, db, verification
from labkit.config import load_settings
from labkit.models import Person
from labkit.plugins import Plugins, await_me_maybe
from labkit.testing import write_lab

MOBILAB = {"name": "MobiLab", "municipality": "São Paulo", "municipal_code": "3550308", "country": "BR",
           "region": "BR-SP", "timezone": "America/Sao_Paulo"}
"""The lab section of São Paulo's lab (its code is BR-3550308)."""


async def demo_lab(folder: Path, modules: list[str]) -> None:
    """Write a lab folder with ``modules``, migrate its SQLite database, add an administrator (with
    a confirmed address) and load every module's demo data."""
    write_lab(folder, modules, {"lab": MOBILAB})
    settings = load_settings(folder, {})
    plugins = Plugins(settings)
    await db.migrate(settings, plugins)
    async with TortoiseContext() as context:
        await context.init(config=db.tortoise_config(settings, plugins))
        admin = await Person.create(email="admin@mobilab.example", name="Admin", role="admin",
                                    password_hash=auth.hash_password("correct horse battery staple"))
        await verification.grant(admin, verification.EMAIL)
        for _slug, result in plugins.results("labkit_demo_data", settings=settings):
            await await_me_maybe(result)

"""``labkit demo``: a lab folder with every installed plugin, migrated and filled with samples."""

from __future__ import annotations

import secrets
from pathlib import Path

from labkit import consent, db, verification
from labkit.config import Settings, load_settings
from labkit.models import Person
from labkit.people import create_admin
from labkit.plugins import Plugins, await_me_maybe

DEMO_TOML = """\
# A demo lab made by `labkit demo`. Edit freely; secrets live in .env, never here.
[lab]
name = "Demo Lab"
municipality = "São Paulo"
country = "BR"
region = "BR-SP"
municipal_code = "3550308"
timezone = "America/Sao_Paulo"
default_language = "pt-BR"
languages = ["pt-BR", "es", "fr", "en"]

[plugins]
enabled = ["*"]
"""


SAMPLE_PEOPLE = (
    ("Ana Souza", "ana.souza"), ("Bruno Lima", "bruno.lima"), ("Carla Mendes", "carla.mendes"),
    ("Diego Santos", "diego.santos"), ("Elisa Rocha", "elisa.rocha"), ("Felipe Araújo", "felipe.araujo"),
    ("Gabriela Costa", "gabriela.costa"), ("Hugo Ferreira", "hugo.ferreira"), ("Isabela Nunes", "isabela.nunes"),
    ("João Pereira", "joao.pereira"), ("Larissa Gomes", "larissa.gomes"), ("Marcos Oliveira", "marcos.oliveira"),
)
"""The demo's residents: every plugin's sample data shares them, so one person appears in several modules."""


async def demo_resident(name: str, email: str, locale: str | None = None) -> Person:
    """The demo's member with this e-mail, created on first use with a confirmed address, the lab's
    current terms accepted and no password (nobody can sign in as them)."""
    person, created = await Person.get_or_create(email=email, defaults={"name": name, "role": "member",
                                                                        "password_hash": "", "locale": locale})
    if created:
        await verification.grant(person, verification.EMAIL)
        await consent.accept_current(person)
    return person


async def sample_people(count: int = 8) -> list[Person]:
    """The first ``count`` sample residents (at most 12), created on first use, for a plugin's
    ``labkit_demo_data``: use them as authors, voters, bookers and team members so that the demo's
    indicators count one person across modules (see :func:`demo_resident`)."""
    return [await demo_resident(name, f"{handle}@demo.lab") for name, handle in SAMPLE_PEOPLE[:count]]


async def make_demo_lab(folder: Path) -> tuple[Settings, Plugins, str]:
    """Create (or refresh) a demo lab in ``folder``; return its settings, plugins and the admin's
    password. Sample data is loaded only into an empty database, so running it twice is safe."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "lab.toml").exists():
        (folder / "lab.toml").write_text(DEMO_TOML, encoding="utf-8")
    env_file = folder / ".env"
    if not env_file.exists():
        env_file.write_text(f"LABKIT_SECRET_KEY={secrets.token_urlsafe(48)}\n", encoding="utf-8")
        env_file.chmod(0o600)
    settings = load_settings(folder)
    plugins = Plugins(settings)
    await db.migrate(settings, plugins)
    password = secrets.token_urlsafe(9)
    await create_admin(settings, plugins, email="admin@demo.lab", name="Demo Admin", password=password)
    async with db.open_database(settings, plugins):
        if await Person.all().count() == 1:  # only the admin: a fresh lab
            for _slug, result in plugins.results("labkit_demo_data", settings=settings):
                await await_me_maybe(result)
    return settings, plugins, password

"""``labkit demo``: a lab folder with every installed plugin, migrated and filled with samples."""

from __future__ import annotations

import asyncio
import io
import secrets
import zlib
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from labkit import consent, db, images, imaging, verification
from labkit.config import Settings, load_settings
from labkit.models import Person
from labkit.people import create_admin
from labkit.plugins import Plugins, await_me_maybe
from labkit.storage import open_storage
from labkit.text import fold

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


PICTURE_COLOURS = ((0x1B, 0x5E, 0x20), (0x0D, 0x47, 0xA1), (0x88, 0x0E, 0x4F), (0xBF, 0x36, 0x0C),
                   (0x4A, 0x14, 0x8C), (0x00, 0x60, 0x64), (0x3E, 0x27, 0x23), (0x37, 0x47, 0x4F))
"""The background colours of the demo's pictures (white initials read well on each)."""


def initials_picture(label: str, size: tuple[int, int] = (240, 240)) -> bytes:
    """A PNG with the initials of ``label`` (its first two words of three letters or more, without
    accents) in white on a colour picked from ``label``: the demo's logos, photos and covers, drawn
    on the spot (nothing is fetched)."""
    words = fold(label).split()
    initials = "".join(word[0] for word in [w for w in words if len(w) > 2] or words)[:2].upper() or "?"
    width, height = size
    picture = Image.new("RGB", size, PICTURE_COLOURS[zlib.crc32(label.encode()) % len(PICTURE_COLOURS)])
    font = ImageFont.load_default(size=min(width, height) * 0.4)
    ImageDraw.Draw(picture).text((width / 2, height / 2), initials, fill="white", anchor="mm", font=font)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


async def sample_pictures(settings: Settings, role: str, pictures: Iterable[tuple[images.Owner, str, str]],
                          size: tuple[int, int] = (240, 240)) -> None:
    """Give each ``(owner, label, alt)`` a ``role`` picture of ``label``'s initials
    (:func:`initials_picture`) described by ``alt``, stored like an upload, for a plugin's
    ``labkit_demo_data``. The pictures are made side by side in the image pool."""
    pictures = list(pictures)
    made = await asyncio.gather(*(imaging.process_async(initials_picture(label, size)) for _, label, _ in pictures))
    storage = open_storage(settings)
    try:
        for (owner, _, alt), renditions in zip(pictures, made, strict=True):
            await images.store_in(storage, owner, role, images.Prepared(renditions, alt), None)
    finally:
        await storage.close()


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

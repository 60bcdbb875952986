"""Every message of the core and of each built-in plugin is in that package's catalogs and
translated for pt_BR, es and fr, so a visitor who chose one of them never meets a sentence left
in English because a catalog was not updated (``labkit i18n update <package>``, then fill it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from labkit.i18n_tools import messages

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [ROOT / "labkit", *sorted((ROOT / "plugins").glob("labkit_*"))]
LANGUAGES = ("pt_BR", "es", "fr")


def _translated(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.name)
def test_every_message_of_a_package_is_translated(package: Path) -> None:
    source = [message for message in messages(package) if message.id]
    assert source, f"{package.name}: no message found (wrong folder?)"
    for language in LANGUAGES:
        with (package / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
            catalog = read_po(file)
        missing = [message.id for message in source if not _translated(catalog.get(message.id, message.context))]
        assert not missing, f"{package.name}, {language}: {len(missing)} untranslated, first {missing[:3]}"

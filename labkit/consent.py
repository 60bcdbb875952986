"""Consent: the lab's terms of use and privacy notice, versioned, and who accepted which version.

The admin publishes a text of each kind (``"terms"``, ``"privacy"``) in Markdown, one body per
language the lab offers (:func:`publish`); every publication is a new version and the older ones
stay. A person accepts the current versions when registering, or on ``/account/consent``
(:func:`accept`). While a published version waits for a person's acceptance (:func:`pending`), the
core refuses their actions with a 403 of kind ``consent-required`` (:func:`required`); reading
stays open, and so do their account's own pages (profile, export, deletion).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from tortoise.exceptions import IntegrityError
from tortoise.functions import Max
from tortoise.transactions import in_transaction

from labkit.actions import Refused
from labkit.i18n import N_
from labkit.models import LEGAL_KINDS, Consent, LegalText, Person

KINDS: tuple[str, ...] = LEGAL_KINDS
MAX_BODY = 100_000
"""The longest text of one language (characters)."""


def required() -> Refused:
    """The refusal of an action while the person has not accepted the current texts (403 ``consent-required``)."""
    return Refused(N_("The lab's terms of use or privacy notice changed. Read and accept them to go on."), 403,
                   kind="consent-required")


def consent_url(next_url: str = "/") -> str:
    """The acceptance page, sending the person on to ``next_url`` afterwards."""
    return "/account/consent?next=" + quote(next_url, safe="/")


async def current_versions() -> dict[str, int]:
    """The latest published version of each kind (a kind never published is absent)."""
    rows = await LegalText.annotate(latest=Max("version")).group_by("kind").values_list("kind", "latest")
    return {str(kind): int(latest) for kind, latest in rows}


async def pending(person: Person | None) -> frozenset[str]:
    """The kinds whose current version ``person`` has not accepted (none for nobody)."""
    if person is None:
        return frozenset()
    current = await current_versions()
    if not current:
        return frozenset()
    accepted = await Consent.filter(person_id=person.id, kind__in=list(current)).values_list("kind", "version")
    return frozenset(kind for kind, version in current.items() if (kind, version) not in set(accepted))


async def accept(person: Person, versions: Mapping[str, int]) -> None:
    """Record that ``person`` accepted these ``{kind: version}`` (an acceptance already recorded is kept)."""
    for kind, version in versions.items():
        try:
            await Consent.get_or_create(person_id=person.id, kind=kind, version=version)
        except IntegrityError:  # the same acceptance, recorded at the same moment by another request
            pass


async def accept_current(*people: Person) -> None:
    """Record that ``people`` accepted the current versions (test and demo people, made in bulk)."""
    current = await current_versions()
    await Consent.bulk_create([Consent(person_id=person.id, kind=kind, version=version)
                               for person in people for kind, version in current.items()])


async def current_text(kind: str, language: str, default: str) -> LegalText | None:
    """The current version of ``kind`` in ``language``, else in the lab's ``default`` language,
    else in any language it was published in; ``None`` before the first publication."""
    version = (await current_versions()).get(kind)
    if version is None:
        return None
    texts = {text.language: text for text in await LegalText.filter(kind=kind, version=version).order_by("language")}
    return texts.get(language) or texts.get(default) or next(iter(texts.values()))


async def publish(kind: str, bodies: Mapping[str, str], by: Person | None) -> int:
    """Publish a new version of ``kind`` with a body per language (empty ones are left out: those
    languages show the default's); its number. Refuses (409) when another version was published
    at the same moment."""
    assert kind in KINDS
    try:
        async with in_transaction():
            latest = (await current_versions()).get(kind, 0)
            await LegalText.bulk_create([
                LegalText(kind=kind, version=latest + 1, language=language, body=body.strip(),
                          published_by_id=by.id if by else None)
                for language, body in bodies.items() if body.strip()])
    except IntegrityError:
        raise Refused(N_("Another version was published at the same moment. Check it and try again."), 409,
                      kind="conflict") from None
    return latest + 1

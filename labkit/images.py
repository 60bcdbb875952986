"""Images of any record — an organisation's logo, a space's photo, a challenge's cover, the lab's
own logo — for a plugin in a few lines.

An action that edits a record takes the image with its description in its input
(:data:`ImageUpload`, :data:`ImageAlt`) and hands them to :func:`attach`: the picture is checked
and cleaned by :mod:`labkit.imaging`, stored in the lab's storage (:mod:`labkit.storage`) under a
key labkit makes (``images/<random>/<width>.webp``), and recorded in the core's
:class:`~labkit.models.Image` table against the record (``owner``) and a ``role`` (``"logo"``).
A replaced image gets a new key and its old files are deleted, so the files can be cached
forever. Pages read the images of a page of cards with one query (:func:`of`), show them with
the ``_images.html`` macros, and the API with :func:`as_json`. The files are served at
``/media/<random>/<width>.webp`` (:mod:`labkit.views.media`).

The permission of the action that calls :func:`attach` is the image's: only who may edit the
record may change its picture.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, StringConstraints
from pydantic.json_schema import SkipJsonSchema
from starlette.datastructures import UploadFile
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from labkit import imaging
from labkit.actions import Context, Refused, invalid
from labkit.errors import log
from labkit.i18n import N_
from labkit.models import Image
from labkit.storage import Storage, StorageError, storage_of
from labkit.uploads import UploadError, read_limited

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.types import ASGIApp, Receive, Scope, Send

ALT_MAX = 250
"""The longest description (alt text) of an image."""
LAB = ("labkit.lab", 0)
"""The owner of the lab's own pictures (its logo)."""
Owner = Model | tuple[str, int]
"""A record that has images: a model instance, or ``(owner_kind, owner_id)``."""


def _upload_or_none(value: Any) -> Any:
    if value is None or value == "" or (isinstance(value, UploadFile) and not value.filename):
        return None  # a file input left empty
    if isinstance(value, UploadFile):
        return value
    raise ValueError(N_("Send the image as a file, from a form."))


class _ImageFile:
    """The mark of an :data:`ImageUpload` field, which :func:`file_fields` looks for."""


ImageUpload = Annotated[SkipJsonSchema[Any], BeforeValidator(_upload_or_none), _ImageFile()]
"""An input field that takes an image file from a form, or from a ``multipart/form-data`` body
sent to the action's API route (``None`` when none was chosen)::

    logo: ImageUpload = None
"""
ImageAlt = Annotated[str, StringConstraints(strip_whitespace=True, max_length=ALT_MAX)]
"""An input field for an image's description (required by :func:`attach` with a new image)::

    logo_alt: ImageAlt = ""
"""


def file_fields(model: type[BaseModel] | None) -> tuple[str, ...]:
    """The names of the :data:`ImageUpload` fields of ``model`` (an action's input): the fields a
    form, or an API client, sends as files."""
    if model is None:
        return ()
    return tuple(name for name, info in model.model_fields.items()
                 if any(isinstance(mark, _ImageFile) for mark in info.metadata))


def owner_kind(owner: Owner | type[Model]) -> str:
    """The kind of an owner: ``"<app>.<model name in lower case>"`` (``"mapping.organisation"``)."""
    if isinstance(owner, tuple):
        return owner[0]
    model = owner if isinstance(owner, type) else type(owner)
    return f"{model._meta.app}.{model.__name__.lower()}"


def _owner(owner: Owner) -> tuple[str, int]:
    return owner if isinstance(owner, tuple) else (owner_kind(owner), int(owner.pk))


def files_of(image: Image) -> list[str]:
    """The storage keys of an image's files."""
    return [f"{image.key}/{width}.webp" for width in image.widths]


async def _delete_files(storage: Storage, keys: Iterable[str]) -> None:
    """Delete files that no row names any longer; a storage that fails is logged (the files stay,
    unreachable: nothing links to them)."""
    for key in keys:
        try:
            await storage.delete(key)
        except StorageError as error:
            log.warning("could not delete the image file %s: %s", key, error)


async def _store(storage: Storage, renditions: list[imaging.Rendition]) -> str:
    """Put every rendition under a new key, all or nothing; returns the key."""
    key = f"images/{secrets.token_hex(16)}"
    stored = []
    try:
        for rendition in renditions:
            name = f"{key}/{rendition.width}.webp"
            await storage.put(name, rendition.data, media_type="image/webp")
            stored.append(name)
    except StorageError as error:
        log.error("could not store an image: %s", error)
        for name in stored:
            with contextlib.suppress(StorageError):
                await storage.delete(name)
        raise Refused(N_("The image could not be stored: the lab's storage is not answering. Nothing was saved; "
                         "try again in a moment."), 503, kind="storage-unavailable") from None
    return key


async def _record(kind: str, owner_id: int, role: str, values: dict[str, Any]) -> tuple[Image, list[str]]:
    """Create or replace the row of ``(kind, owner_id, role)``; returns it and the old files."""
    for _attempt in range(2):
        try:
            async with in_transaction():
                current = await Image.select_for_update().get_or_none(owner_kind=kind, owner_id=owner_id, role=role)
                if current is None:
                    return await Image.create(owner_kind=kind, owner_id=owner_id, role=role, **values), []
                old = files_of(current)
                await current.update_from_dict(values).save()
                return current, old
        except IntegrityError:  # another request created the row at the same moment: replace it
            continue
    raise Refused(N_("The image was changed by someone else at the same moment. Try again."), 409, kind="conflict")


@dataclass(frozen=True)
class Prepared:
    """An upload checked and made into its clean sizes (:func:`prepare`), not stored yet."""

    renditions: list[imaging.Rendition]
    alt: str


async def prepare(upload: Any, alt: str, field: str) -> Prepared | None:
    """Read and check an image field of a form (``None`` when no file was chosen): the file must be
    a picture labkit takes and come with a description. Refuses against ``field`` (413 for a file
    over :data:`~labkit.imaging.MAX_BYTES`, 422 for one that is not a picture labkit takes) or
    ``<field>_alt`` (422); a page shows either as the form again with its message (422). Call it
    before creating the record the image belongs to, so that a refused picture leaves no record
    behind; then give the result to :func:`attach`."""
    if upload is None:
        return None
    alt = (alt or "").strip()[:ALT_MAX]
    if not alt:
        raise invalid(f"{field}_alt", N_("Describe the image for people who cannot see it."))
    try:
        data = await read_limited(upload, imaging.MAX_BYTES)
    except UploadError as error:
        raise _refused(error, field, 413, "too-large") from None
    try:
        return Prepared(await imaging.process_async(data), alt)
    except UploadError as error:
        raise _refused(error, field, 422, "validation") from None


def _refused(error: UploadError, field: str, status: int, kind: str) -> Refused:
    return Refused(error.message, status, kind=kind, errors={field: error.message}, **error.values)


async def store(app: Starlette, owner: Owner, role: str, prepared: Prepared, person_id: int | None) -> Image:
    """Keep ``prepared`` as the ``role`` image of ``owner``, replacing the one it had (whose files
    are then deleted). Refuses (503) when the storage fails: then nothing is kept."""
    return await store_in(storage_of(app), owner, role, prepared, person_id)


async def store_in(storage: Storage, owner: Owner, role: str, prepared: Prepared, person_id: int | None) -> Image:
    """:func:`store` into ``storage``, for code that runs without a lab's app (``labkit demo``'s
    sample pictures); a page or an action calls :func:`attach` or :func:`store`."""
    renditions = prepared.renditions
    key = await _store(storage, renditions)
    largest = renditions[-1]
    values = {"key": key, "alt": prepared.alt, "width": largest.width, "height": largest.height,
              "widths": [r.width for r in renditions], "uploaded_by_id": person_id}
    kind, owner_id = _owner(owner)
    try:
        image, old = await _record(kind, owner_id, role, values)
    except BaseException:
        await _delete_files(storage, [f"{key}/{r.width}.webp" for r in renditions])
        raise
    await _delete_files(storage, old)
    return image


async def attach(ctx: Context, owner: Owner, role: str, upload: Any, alt: str, *, remove: bool = False,
                 field: str | None = None) -> Image | None:
    """Apply an image field of a submitted form to ``owner``: keep a new picture (``upload``, a
    file from the form or what :func:`prepare` made of it) with its description ``alt``, change
    only the description, or ``remove`` the picture.

    Call it in the handler of the action that edits ``owner``, after its own checks: that
    action's permission is the image's. ``field`` is the input's field name (default ``role``);
    problems are refused against it (a file that is not an image, too large) or against
    ``<field>_alt`` (a new picture without a description), with status 422. Returns the image the
    owner now has for ``role``, or ``None``.
    """
    prepared = upload if isinstance(upload, Prepared) else await prepare(upload, alt, field or role)
    kind, owner_id = _owner(owner)
    if prepared is not None:
        return await store(ctx.app, (kind, owner_id), role, prepared, ctx.person.id if ctx.person else None)
    alt = (alt or "").strip()[:ALT_MAX]
    current = await Image.get_or_none(owner_kind=kind, owner_id=owner_id, role=role)
    if current is not None and remove:
        await remove_all(ctx.app, kind, [owner_id], role)
        return None
    if current is not None and alt and alt != current.alt:
        current.alt = alt
        await current.save(update_fields=["alt"])
    return current


async def remove_all(app: Starlette, kind: str, owner_ids: Iterable[int], role: str | None = None) -> int:
    """Delete the images (of ``role``, or all) of the owners of ``kind`` with ``owner_ids``, and
    their files; returns how many. Call it when records that have images are deleted."""
    query = Image.filter(owner_kind=kind, owner_id__in=list(owner_ids))
    if role is not None:
        query = query.filter(role=role)
    found = await query
    if not found:
        return 0
    await Image.filter(id__in=[image.id for image in found]).delete()
    await _delete_files(storage_of(app), [key for image in found for key in files_of(image)])
    return len(found)


async def remove(app: Starlette, owner: Owner, role: str | None = None) -> int:
    """Delete the images (of ``role``, or all) of ``owner`` and their files."""
    kind, owner_id = _owner(owner)
    return await remove_all(app, kind, [owner_id], role)


async def of(kind: str | type[Model], owner_ids: Iterable[int], role: str) -> dict[int, Image]:
    """``{owner id: image}`` for the ``role`` images of many owners of ``kind``, in one query
    (a page of cards)."""
    ids = list(dict.fromkeys(owner_ids))
    if not ids:
        return {}
    kind = kind if isinstance(kind, str) else owner_kind(kind)
    return {image.owner_id: image for image in await Image.filter(owner_kind=kind, owner_id__in=ids, role=role)}


async def one(owner: Owner, role: str) -> Image | None:
    """The ``role`` image of ``owner``, or ``None``."""
    kind, owner_id = _owner(owner)
    return await Image.get_or_none(owner_kind=kind, owner_id=owner_id, role=role)


class ImageSize(BaseModel):
    """One file of an image."""

    width: int
    url: str


class ImageOut(BaseModel):
    """An image as the JSON API gives it: its description, its size and a URL per width."""

    alt: str
    width: int
    height: int
    url: str
    sizes: list[ImageSize]


def as_json(image: Image | None, base_url: str = "") -> dict[str, Any] | None:
    """The :class:`ImageOut` of ``image`` (``None`` without one); URLs start with ``base_url``."""
    if image is None:
        return None
    base = base_url.rstrip("/")
    return {"alt": image.alt, "width": image.width, "height": image.height, "url": base + image.src,
            "sizes": [{"width": width, "url": base + image.url(width)} for width in image.widths]}


def form_body_limit(app: Starlette) -> int:
    """The body limit of a form that carries an image: the lab's, or an image and some text."""
    return max(app.state.settings.security.max_body_bytes, imaging.MAX_BYTES + 200_000)


def accepting_images(route: Any) -> Any:
    """``route`` (a form page) with a body limit large enough for an image (:func:`form_body_limit`)."""
    route.max_body_bytes = form_body_limit
    return route


async def personal_data(person_id: int) -> list[dict[str, Any]]:
    """What a person's data export says about the images they uploaded."""
    return [{"of": image.owner_kind, "id": image.owner_id, "role": image.role, "alt": image.alt,
             "uploaded_at": image.created_at.isoformat()}
            for image in await Image.filter(uploaded_by_id=person_id).order_by("created_at", "id")]


# ------------------------------------------------------------------------ the lab's own logo

NO_HEADER = ("/api/", "/static/", "/media/", "/healthz")
"""Paths whose answers have no page header, so no logo to read."""


class LabLogoMiddleware:
    """Reads the lab's logo into ``request.state.lab_logo`` before each page (its header shows
    it): one row found through its unique index, as cheap as reading a revision number, so a logo
    changed through any worker shows on every worker's next page. The API, static files and
    images skip it. A failed read is logged and the page goes on without the logo."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(NO_HEADER):
            try:
                logo = await one(LAB, "logo")
            except Exception:  # the page matters more than its logo
                log.exception("could not read the lab's logo")
                logo = None
            scope.setdefault("state", {})["lab_logo"] = logo
        await self.app(scope, receive, send)


def lab_logo(request: Request) -> Image | None:
    """The lab's logo as read for this request (see :class:`LabLogoMiddleware`)."""
    return getattr(request.state, "lab_logo", None)

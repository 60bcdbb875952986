"""Images on the web: the files at ``/media/<random>/<width>.webp`` and the admin's page of the
lab's own logo (``/admin/logo``), shown in every page's header."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import images
from labkit.action_routes import ActionPage
from labkit.actions import Context, action
from labkit.i18n import N_, gettext
from labkit.models import Image
from labkit.storage import MissingFile, StorageError, storage_of
from labkit.web import Problem

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
CACHE_FOREVER = "public, max-age=31536000, immutable"
"""A file's address changes whenever its image does, so browsers and proxies may keep it for good."""


async def serve(request: Request) -> Response:
    """An image file, by the key labkit gave it; 404 for any other address."""
    token, width = request.path_params["token"], request.path_params["width"]
    if not _TOKEN.match(token) or not 0 < width <= 10_000:
        raise Problem(404, gettext("This page does not exist."), kind="not-found")
    try:
        data = await storage_of(request.app).get(f"images/{token}/{width}.webp")
    except MissingFile:
        raise Problem(404, gettext("This page does not exist."), kind="not-found") from None
    except StorageError:
        raise Problem(503, gettext("The image cannot be read right now. Try again in a moment."),
                      kind="storage-unavailable") from None
    return Response(data, media_type="image/webp", headers={
        "Cache-Control": CACHE_FOREVER, "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox"})


class LabLogoIn(BaseModel):
    """The lab's logo: a new picture and its description, a new description, or removal."""

    logo: images.ImageUpload = None
    logo_alt: images.ImageAlt = ""
    logo_remove: bool = False


@action("labkit.set_logo", input=LabLogoIn, permission="labkit.manage_appearance")
async def set_logo(ctx: Context, data: LabLogoIn) -> Image | None:
    """Change, describe or remove the lab's logo."""
    return await images.attach(ctx, images.LAB, "logo", data.logo, data.logo_alt, remove=data.logo_remove)


async def _logo_page(request: Request) -> dict[str, Any]:
    return {"current": await images.one(images.LAB, "logo")}


routes = [
    Route("/media/{token}/{width:int}.webp", serve, name="media"),
    images.accepting_images(ActionPage(
        "/admin/logo", set_logo, name="lab_logo", template="admin/logo.html", context=_logo_page,
        success=lambda ctx, image: ctx.url_for("lab_logo"), message=N_("Saved."))),
]

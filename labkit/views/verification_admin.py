"""Staff's side of verifications: mark people verified by hand, upload the census list."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth, verification
from labkit.csv_import import read_csv
from labkit.i18n import gettext
from labkit.models import CensusEntry
from labkit.uploads import UploadError, read_limited
from labkit.views.admin import back_with_errors, person_and_form
from labkit.web import flash, redirect, render

CENSUS_MAX_BYTES = 20_000_000
CENSUS_MAX_ROWS = 500_000


class VerificationForm(BaseModel):
    kind: Literal[verification.GRANTABLE_BY_STAFF]  # type: ignore[valid-type]
    granted: bool = False


async def set_verification(request: Request) -> Response:
    """Mark a person's address confirmed or their account checked by staff, or take it back."""
    me = auth.require_write(request, "labkit.verify_people")
    person, form = await person_and_form(request, VerificationForm)
    if not form.ok:
        return back_with_errors(request, form)
    if form.data.granted:
        await verification.grant(person, form.data.kind, by=me, detail=gettext("marked by %(name)s", name=me.name))
        flash(request, gettext("%(name)s: %(what)s.", name=person.name, what=verification.label(form.data.kind)))
    else:
        await verification.revoke(person, form.data.kind)
        flash(request, gettext("%(name)s no longer has: %(what)s.", name=person.name, what=verification.label(form.data.kind)))
    return redirect("/admin/people")


async def census_upload(request: Request) -> Response:
    """Upload the census list: a CSV file with an ``identifier`` column. Only a keyed hash of each
    normalised identifier is stored; the file itself is not kept."""
    auth.require_write(request, "labkit.verify_people")
    context = {"entries": await CensusEntry.all().count(),
               "claimed": await CensusEntry.exclude(claimed_by_id=None).count(), "errors": []}
    if request.method == "GET":
        return render(request, "admin/census.html", context)
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, "admin/census.html", {**context, "errors": [gettext("Choose a CSV file.")]}, status=422)
    try:
        content = await read_limited(upload, CENSUS_MAX_BYTES)
    except UploadError as error:
        return render(request, "admin/census.html", {**context, "errors": [error.text()]}, status=413)
    table = read_csv(content, columns=["identifier"], required=["identifier"], max_rows=CENSUS_MAX_ROWS)
    if table.errors:
        return render(request, "admin/census.html", {**context, "errors": table.errors}, status=422)
    secret = request.app.state.settings.secret_key
    digests = {verification.census_digest(secret, row.cells["identifier"]) for row in table.rows
               if not row.problem and verification.normalise_identifier(row.cells["identifier"])}
    added = await verification.add_census(digests)
    flash(request, gettext("%(added)s new identifiers added to the census list (%(read)s read).",
                           added=added, read=len(digests)))
    return redirect("/admin/census")


routes = [
    Route("/admin/people/{person_id:int}/verification", set_verification, methods=["POST"], name="set_verification"),
    Route("/admin/census", census_upload, methods=["GET", "POST"], name="census_upload"),
]

"""The lab's logo across processes: the lab served in the test and a second, real ``labkit serve``
process on the same database and files. A logo uploaded, replaced or removed through the first
shows on the second's very next page, with no waiting."""

from __future__ import annotations

import httpx

from labkit.models import Image
from labkit.testing_server import LabServer

from tests.core.test_images import png, upload_logo


async def test_a_logo_changed_through_one_process_shows_on_the_others_next_page(make_lab) -> None:
    lab = await make_lab(plugins=[])
    admin = await lab.login_as("admin")
    env = {"LABKIT_DATABASE_URL": lab.settings.database_url}
    with LabServer.start(lab.settings.lab_dir, env=env, log_name="other.log") as other:
        async with httpx.AsyncClient(base_url=other.url) as visitor:
            assert "/static/logo.svg" in (await visitor.get("/")).text, "no logo yet: the lab folder's default"

            assert (await upload_logo(admin, png())).status_code == 303
            first = await Image.get(role="logo")
            home = (await visitor.get("/")).text
            assert f'src="{first.url(160)}"' in home
            assert (await visitor.get(first.url(160))).status_code == 200, "the files are shared too"

            assert (await upload_logo(admin, png((400, 100)))).status_code == 303
            second = await Image.get(role="logo")
            home = (await visitor.get("/")).text
            assert second.key != first.key and f'src="{second.url(160)}"' in home and first.key not in home

            removed = await admin.post("/admin/logo", data={"csrf_token": await admin.csrf_token(), "logo_remove": "on"})
            assert removed.status_code == 303 and not await Image.exists(role="logo")
            home = (await visitor.get("/")).text
            assert second.key not in home and "/static/logo.svg" in home

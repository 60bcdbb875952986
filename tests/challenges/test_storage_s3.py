"""Challenge attachments in a shared bucket (moto's S3 server on loopback): two ``labkit serve``
processes serve each other's uploads, and a storage that is down refuses a submission whole."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

from labkit.testing import LabClient, RunningLab
from labkit.testing_server import LabServer, free_port

from tests.challenges.conftest import make_challenge, make_submission, make_team
from tests.challenges.test_teams_and_submissions import PDF, PNG, SOLUTION
from tests.conftest import S3Server

LabMaker = Callable[..., Awaitable[RunningLab]]


async def s3_lab(make_lab: LabMaker, storage: dict[str, object]) -> RunningLab:
    return await make_lab(plugins=["challenges"], settings={"storage": storage})


async def test_two_labkit_serve_processes_serve_each_others_uploads(
        make_lab: LabMaker, s3_server: S3Server, s3_credentials: dict[str, str]) -> None:
    from labkit_challenges.models import Attachment

    bucket = s3_server.new_bucket()
    lab = await s3_lab(make_lab, s3_server.settings(bucket))
    challenge = await make_challenge("open")
    member = await lab.login_as("member")
    await make_team(challenge, member.person)  # type: ignore[attr-defined]
    environment = {"LABKIT_DATABASE_URL": lab.settings.database_url}
    first, second = await asyncio.gather(
        asyncio.to_thread(LabServer.start, lab.settings.lab_dir, env=environment, log_name="first.log"),
        asyncio.to_thread(LabServer.start, lab.settings.lab_dir, env=environment, log_name="second.log"))
    try:
        clients = [LabClient(base_url=server.url, cookies=member.cookies, timeout=30) for server in (first, second)]
        url = f"/challenges/{challenge.id}/submission"
        saved = await clients[0].submit(url, SOLUTION, files={"attachments": ("plano.pdf", PDF, "application/pdf")})
        assert saved.status_code == 303, saved.text
        again = await clients[1].submit(url, SOLUTION, files={"attachments": ("foto.png", PNG, "image/png")})
        assert again.status_code == 303, again.text
        files = await Attachment.all().order_by("id")
        assert [file.original_name for file in files] == ["plano.pdf", "foto.png"]
        assert s3_server.objects(bucket) == {f"challenges/{files[0].stored_name}": PDF,
                                             f"challenges/{files[1].stored_name}": PNG}
        assert not (lab.settings.lab_dir / "uploads").exists()
        for client, file, content in ((clients[1], files[0], PDF), (clients[0], files[1], PNG)):
            download = await client.get(f"/challenges/{challenge.id}/submissions/{file.submission_id}/attachments/{file.id}")
            assert download.status_code == 200 and download.content == content
            assert download.headers["content-disposition"].startswith("attachment;")
            assert download.headers["x-content-type-options"] == "nosniff"
            assert "sandbox" in download.headers["content-security-policy"]
        for client in clients:
            await client.aclose()
        for server in (first, second):  # Ctrl-C: each stops cleanly, its storage client closed
            server.process.send_signal(signal.SIGINT)
            assert await asyncio.to_thread(server.process.wait, 20) == 0, server.log()
    finally:
        first.stop()
        second.stop()


async def test_a_storage_that_is_down_refuses_the_submission_and_keeps_nothing(
        make_lab: LabMaker, s3_server: S3Server, s3_credentials: dict[str, str]) -> None:
    from labkit_challenges.models import Attachment, Submission

    lab = await s3_lab(make_lab, s3_server.settings("lab-files", endpoint_url=f"http://127.0.0.1:{free_port()}"))
    challenge = await make_challenge("open")
    member = await lab.login_as("member")
    await make_team(challenge, member.person)  # type: ignore[attr-defined]
    url = f"/challenges/{challenge.id}/submission"
    page = await member.submit(url, SOLUTION, files=[("attachments", ("plano.pdf", PDF, "application/pdf")),
                                                     ("attachments", ("foto.png", PNG, "image/png"))])
    assert page.status_code == 422  # the form again, with the reason beside the files
    assert "the lab&#39;s file storage is not answering. Nothing was saved" in page.text
    assert "Travessia Segura" in page.text  # the form keeps what the person typed
    assert await Submission.all().count() == 0 and await Attachment.all().count() == 0


async def test_a_download_while_the_storage_is_down_is_a_clear_503(
        make_lab: LabMaker, s3_server: S3Server, s3_credentials: dict[str, str]) -> None:
    from labkit_challenges.models import Attachment

    lab = await s3_lab(make_lab, s3_server.settings("lab-files", endpoint_url=f"http://127.0.0.1:{free_port()}"))
    challenge = await make_challenge("open")
    member = await lab.login_as("member")
    team = await make_team(challenge, member.person)  # type: ignore[attr-defined]
    submission = await make_submission(challenge, team)
    file = await Attachment.create(submission=submission, stored_name="0" * 32 + ".pdf", original_name="a.pdf",
                                   file_type="pdf", media_type="application/pdf", size=3, sha256="0" * 64)
    page = await member.get(f"/challenges/{challenge.id}/submissions/{submission.id}/attachments/{file.id}")
    assert page.status_code == 503 and "The lab&#39;s files cannot be reached right now." in page.text
    assert "Traceback" not in page.text


async def test_concurrent_first_submissions_leave_no_object_without_its_row(
        make_lab: LabMaker, s3_server: S3Server, s3_credentials: dict[str, str]) -> None:
    from labkit_challenges.models import Attachment

    bucket = s3_server.new_bucket()
    lab = await s3_lab(make_lab, s3_server.settings(bucket))
    challenge = await make_challenge("open")
    mates = [await lab.login_as("member") for _ in range(4)]
    await make_team(challenge, *(mate.person for mate in mates))  # type: ignore[attr-defined]
    url = f"/challenges/{challenge.id}/submission"
    answers = await asyncio.gather(*(
        mate.submit(url, SOLUTION, files={"attachments": (f"parte-{index}.pdf", PDF, "application/pdf")})
        for index, mate in enumerate(mates)))
    assert {answer.status_code for answer in answers} <= {303, 409, 422}
    # whichever of them lost the race to create the submission, its file went with it
    rows = {f"challenges/{file.stored_name}" for file in await Attachment.all()}
    assert rows and set(s3_server.objects(bucket)) == rows

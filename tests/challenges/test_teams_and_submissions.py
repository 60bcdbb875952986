"""Teams form through signed invitation links and submit open solutions until the deadline (server time)."""

from __future__ import annotations

import io
import re
import zipfile

from labkit.testing import RunningLab

from tests.challenges.conftest import make_challenge, make_submission, make_team, set_phase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

SOLUTION = {"title": "Travessia Segura", "summary": "Mapa de calor de sinistros perto das escolas.",
            "description": "Usa dados do **Infosiga**.", "code_url": "https://example.org/code",
            "prototype_url": "https://example.org/app", "licence": "MIT"}


def invite_link(page: str) -> str:
    match = re.search(r'id="invite-link"[^>]*value="[^"]*(/challenges/join/[^"]+)"', page)
    assert match, "no invitation link on the team page"
    return match.group(1)


async def test_a_team_forms_invites_by_link_and_submits(clab: RunningLab) -> None:
    from labkit_challenges.models import Submission, TeamMember

    challenge = await make_challenge("open")
    lead = await clab.login_as("member")
    refused = await lead.submit(f"/challenges/{challenge.id}/teams/new", {"name": "Equipe Azul"})
    assert refused.status_code == 422 and "You must accept the code of conduct to take part." in refused.text
    created = await lead.submit(f"/challenges/{challenge.id}/teams/new", {"name": "Equipe Azul", "accept_conduct": "1"})
    assert created.status_code == 303
    team_page = await lead.get(f"/challenges/{challenge.id}/team")
    assert "Equipe Azul" in team_page.text and "Lead" in team_page.text
    link = invite_link(team_page.text)

    mate = await clab.login_as("member")
    join_page = await mate.get(link)
    assert join_page.status_code == 200 and "Respeito acima de tudo." in join_page.text
    joined = await mate.submit(link, {"accept_conduct": "1"})
    assert joined.status_code == 303
    roles = {m.person_id: m.role for m in await TeamMember.filter(challenge=challenge)}
    assert roles == {lead.person.id: "lead", mate.person.id: "member"}

    sent = await mate.submit(f"/challenges/{challenge.id}/submission", SOLUTION)
    assert sent.status_code == 303
    submission = await Submission.get(challenge=challenge)
    assert submission.licence == "MIT" and submission.status == "submitted"
    # the lead edits what the member submitted: one submission per team, editable by all its members
    edited = await lead.submit(f"/challenges/{challenge.id}/submission", {**SOLUTION, "title": "Travessia Segura 2"})
    assert edited.status_code == 303
    assert (await Submission.get(id=submission.id)).title == "Travessia Segura 2"
    assert await Submission.filter(challenge=challenge).count() == 1
    page = await lead.get(f"/challenges/{challenge.id}/submissions/{submission.id}")
    assert "<strong>Infosiga</strong>" in page.text
    api = await mate.put(f"/api/v1/challenges/{challenge.id}/submission", json={**SOLUTION, "licence": "CC-BY-4.0"},
                         headers={"X-CSRF-Token": await mate.csrf_token()})
    assert api.status_code == 200 and api.json()["licence"] == "CC-BY-4.0"
    assert api.json()["team"] == "Equipe Azul" and sorted(api.json()["members"]) == sorted([lead.person.name, mate.person.name])
    bad = await mate.put(f"/api/v1/challenges/{challenge.id}/submission", json={**SOLUTION, "code_url": "ftp:/x"},
                         headers={"X-CSRF-Token": await mate.csrf_token()})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "code_url"


async def test_invitation_links_are_signed_and_die_when_renewed(clab: RunningLab) -> None:
    challenge = await make_challenge("open")
    lead = await clab.login_as("member")
    await lead.submit(f"/challenges/{challenge.id}/teams/new", {"name": "Equipe Azul", "accept_conduct": "1"})
    link = invite_link((await lead.get(f"/challenges/{challenge.id}/team")).text)
    mate = await clab.login_as("member")
    forged = await mate.get(link[:-3] + "abc")
    assert forged.status_code == 404
    assert (await lead.submit(f"/challenges/{challenge.id}/team/invite")).status_code == 303
    stale = await mate.submit(link, {"accept_conduct": "1"})
    assert stale.status_code == 404 and "not valid any more" in stale.text


async def test_a_full_team_refuses_and_a_person_is_in_one_team_per_challenge(clab: RunningLab) -> None:
    from labkit_challenges.models import TeamMember

    challenge = await make_challenge("open", max_team_size=2)
    lead = await clab.login_as("member")
    await lead.submit(f"/challenges/{challenge.id}/teams/new", {"name": "Equipe Azul", "accept_conduct": "1"})
    link = invite_link((await lead.get(f"/challenges/{challenge.id}/team")).text)
    second = await clab.login_as("member")
    assert (await second.submit(link, {"accept_conduct": "1"})).status_code == 303
    third = await clab.login_as("member")
    full = await third.submit(link, {"accept_conduct": "1"})
    assert full.status_code == 409 and "This team is full (2 people at most)." in full.text
    again = await second.submit(f"/challenges/{challenge.id}/teams/new", {"name": "Outra", "accept_conduct": "1"})
    assert again.status_code == 409 and "already in a team" in again.text
    assert await TeamMember.filter(challenge=challenge).count() == 2


async def test_leaving_passes_the_lead_on_and_a_lead_manages_roles(clab: RunningLab) -> None:
    from labkit_challenges.models import TeamMember

    challenge = await make_challenge("open")
    lead, mate = await clab.login_as("member"), await clab.login_as("member")
    team = await make_team(challenge, lead.person, mate.person)
    other = await TeamMember.get(team=team, person=mate.person)
    refused = await mate.submit(f"/challenges/{challenge.id}/team/members/{(await TeamMember.get(person=lead.person)).id}/remove")
    assert refused.status_code == 303
    assert "Only a team lead can remove members." in (await mate.get(f"/challenges/{challenge.id}/team")).text
    assert await TeamMember.filter(team=team).count() == 2
    promoted = await lead.submit(f"/challenges/{challenge.id}/team/members/{other.id}/role", {"role": "lead"})
    assert promoted.status_code == 303 and (await TeamMember.get(id=other.id)).role == "lead"
    await TeamMember.filter(id=other.id).update(role="member")
    assert (await lead.submit(f"/challenges/{challenge.id}/team/leave")).status_code == 303
    assert (await TeamMember.get(id=other.id)).role == "lead"
    assert not await TeamMember.exists(person=lead.person)


async def test_a_submission_after_the_deadline_is_refused_and_nothing_changes(clab: RunningLab) -> None:
    from labkit_challenges.models import Submission

    challenge = await make_challenge("open")
    member = await clab.login_as("member")
    team = await make_team(challenge, member.person)
    submission = await make_submission(challenge, team)
    await set_phase(challenge, "closed")
    late = await member.submit(f"/challenges/{challenge.id}/submission", {**SOLUTION, "title": "Late change"})
    assert late.status_code == 409
    assert "The deadline for submissions has passed" in late.text
    assert (await Submission.get(id=submission.id)).title == "Travessia Segura"
    withdraw = await member.submit(f"/challenges/{challenge.id}/submission/withdraw")
    assert withdraw.status_code == 303 and (await Submission.get(id=submission.id)).status == "submitted"
    api = await member.put(f"/api/v1/challenges/{challenge.id}/submission", json=SOLUTION,
                           headers={"X-CSRF-Token": await member.csrf_token()})
    assert api.status_code == 409 and api.headers["content-type"] == "application/problem+json"
    assert "deadline" in api.json()["detail"]


async def test_the_call_must_be_open_and_the_licence_one_of_the_challenge(clab: RunningLab) -> None:
    from labkit_challenges.models import Submission

    challenge = await make_challenge("announced", licences=["CC-BY-4.0"], default_licence="CC-BY-4.0")
    member = await clab.login_as("member")
    await make_team(challenge, member.person)
    early = await member.submit(f"/challenges/{challenge.id}/submission", {**SOLUTION, "licence": "CC-BY-4.0"})
    assert early.status_code == 409 and "not open yet" in early.text
    await set_phase(challenge, "open")
    missing = await member.submit(f"/challenges/{challenge.id}/submission", {**SOLUTION, "licence": ""})
    assert missing.status_code == 422 and "This field is required." in missing.text
    wrong = await member.submit(f"/challenges/{challenge.id}/submission", SOLUTION)
    assert wrong.status_code == 422 and "Choose one of the licences this challenge accepts." in wrong.text
    assert 'value="Travessia Segura"' in wrong.text, "the form keeps what was typed"
    assert await Submission.all().count() == 0


async def test_withdrawing_and_submitting_again_before_the_deadline(clab: RunningLab) -> None:
    from labkit_challenges.models import Submission

    challenge = await make_challenge("open")
    member = await clab.login_as("member")
    team = await make_team(challenge, member.person)
    submission = await make_submission(challenge, team)
    assert (await member.submit(f"/challenges/{challenge.id}/submission/withdraw")).status_code == 303
    assert (await Submission.get(id=submission.id)).status == "withdrawn"
    await member.submit(f"/challenges/{challenge.id}/submission", SOLUTION)
    assert (await Submission.get(id=submission.id)).status == "submitted"


async def test_a_member_of_another_team_cannot_touch_a_submission(clab: RunningLab) -> None:
    from labkit_challenges.models import Attachment, Submission

    challenge = await make_challenge("open")
    owner, intruder = await clab.login_as("member"), await clab.login_as("member")
    mine = await make_submission(challenge, await make_team(challenge, owner.person))
    await owner.submit(f"/challenges/{challenge.id}/submission", SOLUTION,
                       files={"attachments": ("plano.pdf", PDF, "application/pdf")})
    attachment = await Attachment.get(submission=mine)
    await make_team(challenge, intruder.person, name="Equipe Verde")
    removed = await intruder.submit(f"/challenges/{challenge.id}/submission/attachments/{attachment.id}/delete")
    assert removed.status_code == 404
    assert await Attachment.exists(id=attachment.id)
    # the intruder's form and API only ever reach their own team's submission
    await intruder.submit(f"/challenges/{challenge.id}/submission", {**SOLUTION, "title": "Intruder"})
    assert (await Submission.get(id=mine.id)).title == SOLUTION["title"]
    assert await Submission.filter(challenge=challenge).count() == 2
    # during the call a submission is visible to its team only, not to other teams or the public
    assert (await intruder.get(f"/challenges/{challenge.id}/submissions/{mine.id}")).status_code == 404
    assert (await intruder.get(f"/challenges/{challenge.id}/submissions/{mine.id}/attachments/{attachment.id}")).status_code == 404
    assert (await clab.client().get(f"/api/v1/challenges/{challenge.id}/submissions")).json()["items"] == []


async def test_attachments_are_checked_by_content_and_size_and_nothing_is_half_saved(clab: RunningLab) -> None:
    from labkit_challenges.models import Attachment, Submission

    challenge = await make_challenge("open")
    member = await clab.login_as("member")
    await make_team(challenge, member.person)
    uploads = clab.settings.lab_dir / "uploads" / "challenges"
    url = f"/challenges/{challenge.id}/submission"

    forbidden = await member.submit(url, SOLUTION, files={"attachments": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert forbidden.status_code == 422 and "Files of this type are not accepted." in forbidden.text
    disguised = await member.submit(url, SOLUTION, files={"attachments": ("page.pdf", b"<html><script>", "application/pdf")})
    assert disguised.status_code == 422 and "does not match its type (PDF)" in disguised.text
    big = await member.submit(url, SOLUTION, files={"attachments": ("big.pdf", PDF + b"0" * 1_600_000, "application/pdf")})
    assert big.status_code in (413, 422)
    # one good file and one bad one: neither is kept, and the submission is not created either
    mixed = await member.submit(url, SOLUTION, files=[("attachments", ("ok.png", PNG, "image/png")),
                                                      ("attachments", ("bad.jpg", b"not a jpeg", "image/jpeg"))])
    assert mixed.status_code == 422
    assert await Submission.all().count() == 0 and await Attachment.all().count() == 0
    assert not uploads.exists() or not any(uploads.iterdir())

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    good = await member.submit(url, SOLUTION, files=[("attachments", ("Relatório final.odt", buffer.getvalue(), "x/y")),
                                                     ("attachments", ("foto.png", PNG, "image/png"))])
    assert good.status_code == 303
    files = await Attachment.all().order_by("id")
    assert [(f.original_name, f.file_type) for f in files] == [("Relatório final.odt", "odt"), ("foto.png", "png")]
    assert sorted(p.name for p in uploads.iterdir()) == sorted(f.stored_name for f in files)
    download = await member.get(f"/challenges/{challenge.id}/submissions/{files[0].submission_id}/attachments/{files[0].id}")
    assert download.status_code == 200 and download.content == buffer.getvalue()
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "Relat%C3%B3rio%20final.odt" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"

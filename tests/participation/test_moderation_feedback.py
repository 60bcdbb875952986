"""Moderation (reports, hiding with a reason, blocking) and feedback (answers, results, notifications)."""

from __future__ import annotations

from labkit.auth import create_token
from labkit.models import Notification, Person
from labkit.notifications import shown
from labkit.testing import RunningLab

from .conftest import proposal_of

EN = {"Accept-Language": "en"}


async def test_report_once_hide_with_a_reason_and_comments_close(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Comment, Flag

    process = await make_process("proposals")
    spammer = await plab.person("member", name="Spammer")
    proposal = await proposal_of(process, spammer, title="Buy cheap watches", body="Visit my shop for cheap watches!")
    reporter = await plab.login_as("member")
    form = {"target": "proposal", "target_id": str(proposal.id), "reason": "Advertising",
            "next": f"/participation/proposals/{proposal.id}"}
    assert (await reporter.submit("/participation/flag", form)).status_code == 303
    again = await reporter.submit("/participation/flag", form)
    page = await reporter.get(again.headers["location"], headers=EN)
    assert "You already reported this. The moderators will look at it." in page.text
    assert await Flag.all().count() == 1

    member_hide = await reporter.submit("/participation/moderation/hide",
                                        {"target": "proposal", "target_id": str(proposal.id), "reason": "Spam"})
    assert member_hide.status_code == 403
    staff = await plab.login_as("staff")
    queue = await staff.get("/participation/moderation", headers=EN)
    assert "Buy cheap watches" in queue.text and "Advertising" in queue.text
    hidden = await staff.submit("/participation/moderation/hide",
                                {"target": "proposal", "target_id": str(proposal.id), "reason": "Advertising is not allowed"})
    assert hidden.status_code == 303
    public = await plab.client().get(f"/participation/proposals/{proposal.id}", headers=EN)
    assert "Hidden by moderation: Advertising is not allowed" in public.text
    assert "cheap watches!" not in public.text
    listing = await plab.client().get(f"/participation/processes/{process.id}", headers=EN)
    assert "Hidden by moderation: Advertising is not allowed" in listing.text and "Buy cheap watches" not in listing.text
    api = await plab.client().get(f"/api/v1/participation/proposals/{proposal.id}")
    assert api.json()["hidden"] is True and api.json()["title"] == "" and api.json()["author"] == ""

    comment = await reporter.submit(f"/participation/proposals/{proposal.id}/comments", {"body": "I agree, it is spam"},
                                    headers=EN)
    assert comment.status_code == 422
    assert "This proposal was hidden by moderation: comments are closed." in comment.text
    assert await Comment.all().count() == 0
    assert (await staff.submit("/participation/moderation/hide", {"action": "unhide", "target": "proposal",
                                                                 "target_id": str(proposal.id)})).status_code == 303
    assert "Buy cheap watches" in (await plab.client().get(f"/participation/proposals/{proposal.id}")).text


async def test_a_hidden_comment_shows_its_reason_and_takes_no_replies(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Comment

    process = await make_process("proposals")
    author = await plab.person("member")
    proposal = await proposal_of(process, author)
    rude = await Comment.create(process_id=process.id, proposal_id=proposal.id, author_id=author.id, body="Insults here")
    moderator = plab.client(token=await create_token(await plab.person("staff"), "t"))
    response = await moderator.post("/api/v1/participation/moderation/hide",
                                    json={"target": "comment", "target_id": rude.id, "reason": "Personal attack"})
    assert response.status_code == 200
    page = await plab.client().get(f"/participation/proposals/{proposal.id}", headers=EN)
    assert "Hidden by moderation: Personal attack" in page.text and "Insults here" not in page.text
    member = plab.client(token=await create_token(await plab.person("member"), "t"))
    reply = await member.post(f"/api/v1/participation/proposals/{proposal.id}/comments",
                              json={"body": "Replying anyway", "parent_id": rude.id}, headers=EN)
    assert reply.status_code == 409
    assert reply.json()["detail"] == "This comment was hidden by moderation: you cannot reply to it."


async def test_staff_block_an_account_and_its_sessions_end(plab: RunningLab, make_process) -> None:
    process = await make_process("support")
    troll = await plab.login_as("member")
    proposal = await proposal_of(process, troll.person)
    assert (await troll.get("/account")).status_code == 200
    staff = await plab.login_as("staff")
    blocked = await staff.submit("/participation/moderation/block", {"person_id": str(troll.person.id)})
    assert blocked.status_code == 303
    person = await Person.get(id=troll.person.id)
    assert person.is_active is False and person.session_version == 2
    assert (await troll.get("/account")).status_code == 303  # signed out
    refused = await troll.submit(f"/participation/proposals/{proposal.id}/support")
    assert refused.headers["location"].startswith("/account/login")
    other_staff = await plab.person("staff")
    not_staff = await staff.submit("/participation/moderation/block", {"person_id": str(other_staff.id)})
    refusal = (await staff.get(not_staff.headers["location"], headers=EN)).text
    assert "Only members&#39; accounts can be blocked here." in refusal
    assert (await Person.get(id=other_staff.id)).is_active
    member = await plab.login_as("member")
    assert (await member.submit("/participation/moderation/block", {"person_id": str(other_staff.id)})).status_code == 403


async def test_staff_answer_is_shown_and_followers_are_notified(plab: RunningLab, make_process) -> None:
    process = await make_process("support")
    author = await plab.person("member")
    author.locale = "pt-BR"  # each person is told in their own language
    await author.save()
    follower = await plab.login_as("member")
    assert (await follower.submit(f"/participation/processes/{process.id}/follow")).status_code == 303
    bystander = await plab.person("member")
    proposal = await proposal_of(process, author, title="Fruit every day")
    staff = await plab.login_as("staff")
    url = f"/participation/proposals/{proposal.id}"
    empty = await staff.submit(url + "/answer", {"status": "accepted", "text": ""}, headers=EN)
    assert empty.status_code == 422 and "This field is required." in empty.text
    member_answer = await follower.submit(url + "/answer", {"status": "accepted", "text": "I accept my own idea."})
    assert member_answer.status_code == 403
    answered = await staff.submit(url + "/answer", {"status": "accepted",
                                                    "text": "Fruit will be served daily from next term."})
    assert answered.status_code == 303
    page = await plab.client().get(url, headers=EN)
    assert "Accepted" in page.text and "Fruit will be served daily from next term." in page.text
    for person in (author, follower.person):
        notes = await Notification.filter(person_id=person.id)
        assert [n.url for n in notes] == [url]
        assert "Fruit every day" in shown(notes[0], person.locale or "en")
    assert shown(await Notification.get(person_id=author.id), "pt-BR") == \
        "O laboratório respondeu à proposta “Fruit every day”: Aceita."
    assert shown(await Notification.get(person_id=follower.person.id), "en").endswith(": Accepted.")
    assert await Notification.filter(person_id=bystander.id).count() == 0
    inbox = await follower.get("/account/notifications", headers=EN)
    assert "Fruit every day" in inbox.text


async def test_results_are_published_once_and_followers_are_told(plab: RunningLab, make_process) -> None:
    process = await make_process("results")
    follower = await plab.login_as("member")
    await follower.submit(f"/participation/processes/{process.id}/follow")
    accepted = await proposal_of(process, follower.person, title="Accepted idea", answer_status="accepted",
                                 answer_text="Done.")
    await proposal_of(process, follower.person, title="Unanswered idea")
    staff = await plab.login_as("staff")
    url = f"/participation/processes/{process.id}/results"
    assert (await follower.submit(url, {"results_text": "We will do these things."})).status_code == 403
    assert (await staff.submit(url, {"results_text": "We will do the accepted ideas this year."})).status_code == 303
    assert (await staff.submit(url, {"results_text": "We will do the accepted ideas this year (fixed)."})).status_code == 303
    page = await plab.client().get(url, headers=EN)
    assert "We will do the accepted ideas this year (fixed)." in page.text
    assert page.text.index("Accepted proposals") < page.text.index("Accepted idea") < page.text.index("Unanswered idea")
    notes = await Notification.filter(person_id=follower.person.id)
    assert [n.url for n in notes] == [url]  # told once, not at every correction
    assert accepted.id

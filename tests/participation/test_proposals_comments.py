"""Proposals and comments: sending, editing one's own, replies, rate limits, and bad input."""

from __future__ import annotations

from labkit.auth import create_token
from labkit.testing import RunningLab

from .conftest import proposal_of

EN = {"Accept-Language": "en"}


async def test_a_member_sends_a_proposal_and_follows_the_consultation(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Follow, Proposal

    process = await make_process("proposals", categories=["Menu", "Access"])
    member = await plab.login_as("member")
    form = await member.get(f"/participation/processes/{process.id}/proposals/new", headers=EN)
    assert form.status_code == 200 and 'for="field-title"' in form.text and "Choose a category" in form.text
    response = await member.submit(f"/participation/processes/{process.id}/proposals/new", {
        "title": "Fruit every day", "body": "Serve fruit from family farms at every meal.", "category": "Menu",
        "location": "EMEF Jardim Ângela", "latitude": "-23.7", "longitude": "-46.77"})
    assert response.status_code == 303
    proposal = await Proposal.get(title="Fruit every day")
    assert proposal.author_id == member.person.id and proposal.latitude == -23.7
    assert await Follow.filter(process_id=process.id, person_id=member.person.id).exists()
    page = await plab.client().get(response.headers["location"], headers=EN)
    assert "Fruit every day" in page.text and "EMEF Jardim Ângela" in page.text


async def test_bad_proposals_are_refused_with_messages_and_keep_the_input(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Proposal

    process = await make_process("proposals", categories=["Menu"])
    member = await plab.login_as("member")
    url = f"/participation/processes/{process.id}/proposals/new"
    short = await member.submit(url, {"title": "Hi", "body": "Too short", "category": "Menu"}, headers=EN)
    assert short.status_code == 422
    assert "Enter at least 5 characters." in short.text and "Enter at least 15 characters." in short.text
    assert 'value="Hi"' in short.text
    category = await member.submit(url, {"title": "A good title", "body": "A body long enough to pass.",
                                         "category": "Weapons"}, headers=EN)
    assert category.status_code == 422 and "Choose one of the options." in category.text
    half = await member.submit(url, {"title": "A good title", "body": "A body long enough to pass.",
                                     "category": "Menu", "latitude": "10"}, headers=EN)
    assert half.status_code == 422 and "Give both latitude and longitude, or neither." in half.text
    assert await Proposal.all().count() == 0


async def test_only_the_author_edits_and_only_during_the_proposals_phase(plab: RunningLab, make_process) -> None:
    process = await make_process("proposals")
    author = await plab.login_as("member")
    proposal = await proposal_of(process, author.person)
    url = f"/participation/proposals/{proposal.id}/edit"
    edited = await author.submit(url, {"title": "Fresh fruit, every day", "body": "Updated: fruit at every meal."})
    assert edited.status_code == 303
    await proposal.refresh_from_db()
    assert proposal.title == "Fresh fruit, every day"
    other = await plab.login_as("member")
    refused = await other.submit(url, {"title": "Vandalised title", "body": "Someone else's words here."})
    assert refused.status_code == 303
    assert "Only the author can edit this proposal." in (await other.get(refused.headers["location"], headers=EN)).text
    api = plab.client(token=await create_token(other.person, "t"))
    put = await api.put(f"/api/v1/participation/proposals/{proposal.id}",
                        json={"title": "Vandalised title", "body": "Someone else's words here."}, headers=EN)
    assert put.status_code == 403 and put.json()["detail"] == "Only the author can edit this proposal."
    await proposal.refresh_from_db()
    assert proposal.title == "Fresh fruit, every day"


async def test_comments_and_replies_form_a_thread(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Comment

    process = await make_process("proposals")
    proposal = await proposal_of(process, await plab.person("member"))
    member = await plab.login_as("member")
    url = f"/participation/proposals/{proposal.id}"
    first = await member.submit(url + "/comments", {"body": "The fruit arrives unripe at our school."})
    assert first.status_code == 303
    parent = await Comment.get(body="The fruit arrives unripe at our school.")
    reply = await member.submit(url + "/comments", {"body": "Deliveries twice a week would help.",
                                                    "parent_id": str(parent.id)})
    assert reply.status_code == 303 and reply.headers["location"].endswith(f"#comment-{parent.id + 1}")
    page = await plab.client().get(url, headers=EN)
    assert page.text.index("The fruit arrives unripe") < page.text.index("Deliveries twice a week")
    assert (await Comment.get(body="Deliveries twice a week would help.")).parent_id == parent.id
    empty = await member.submit(url + "/comments", {"body": ""}, headers=EN)
    assert empty.status_code == 422 and "This field is required." in empty.text
    on_process = await member.submit(f"/participation/processes/{process.id}/comments",
                                     {"body": "Can we have a hearing on Saturday?"})
    assert on_process.status_code == 303
    assert "Can we have a hearing on Saturday?" in (await plab.client().get(f"/participation/processes/{process.id}")).text


async def test_posting_too_often_is_throttled(make_lab, make_process) -> None:
    from labkit_participation.models import Comment

    lab = await make_lab(plugins=["participation"],
                         settings={"plugin.participation": {"comments_per_10_minutes": 2, "proposals_per_hour": 1}})
    process = await make_process("proposals")
    proposal = await proposal_of(process, await lab.person("member"))
    member = await lab.login_as("member")
    for text in ("First comment here", "Second comment here"):
        assert (await member.submit(f"/participation/proposals/{proposal.id}/comments", {"body": text})).status_code == 303
    third = await member.submit(f"/participation/proposals/{proposal.id}/comments", {"body": "Third one"}, headers=EN)
    assert third.status_code == 422
    assert "You are posting too often. Wait a few minutes and try again." in third.text
    assert await Comment.all().count() == 2
    url = f"/participation/processes/{process.id}/proposals/new"
    assert (await member.submit(url, {"title": "One proposal", "body": "A body long enough to pass."})).status_code == 303
    again = await member.submit(url, {"title": "Two proposals", "body": "A body long enough to pass."}, headers=EN)
    assert again.status_code == 422 and "You are posting too often." in again.text

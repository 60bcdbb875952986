"""Surveys (one response per person, typed answers, aggregates) and hearings (registration with
seats, iCalendar, attendance in the indicators)."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from labkit.auth import create_token, participant_id
from labkit.periods import Period
from labkit.testing import RunningLab
from labkit.timezones import now

from .conftest import proposal_of

EN = {"Accept-Language": "en"}
QUESTIONS = ("single: How often do you eat at school? | Every day | Sometimes | Never\n"
             "multiple: What should improve? | Variety | Temperature | Fruit\n"
             "text optional: Anything else?")


async def _survey(plab: RunningLab, process) -> tuple:
    from labkit_participation.models import Question, Survey

    staff = await plab.login_as("staff")
    created = await staff.submit(f"/participation/processes/{process.id}/surveys/new",
                                 {"title": "School meals today", "questions": QUESTIONS})
    assert created.status_code == 303, created.text
    survey = await Survey.get(title="School meals today")
    return survey, await Question.filter(survey_id=survey.id)


async def test_a_survey_is_answered_once_and_published_as_counts(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import SurveyResponse

    process = await make_process("proposals")
    survey, (single, multiple, text) = await _survey(plab, process)
    assert (single.kind, multiple.kind, text.kind, text.required) == ("single", "multiple", "text", False)
    member = await plab.login_as("member")
    url = f"/participation/surveys/{survey.id}"
    missing = await member.submit(url, {f"q{multiple.id}": "Fruit"}, headers=EN)
    assert missing.status_code == 422 and "Answer this question." in missing.text
    assert 'value="Fruit" checked' in missing.text  # what was chosen is kept
    answered = await member.post(url, data={"csrf_token": await member.csrf_token(), f"q{single.id}": "Every day",
                                            f"q{multiple.id}": ["Fruit", "Variety"], f"q{text.id}": "Tasty!"})
    assert answered.status_code == 303
    again = await member.submit(url, {f"q{single.id}": "Never", f"q{multiple.id}": "Fruit"}, headers=EN)
    assert again.status_code == 422 and "You already answered this survey. Thank you!" in again.text
    assert await SurveyResponse.filter(survey_id=survey.id).count() == 1
    results = (await plab.client().get(f"/api/v1/participation/surveys/{survey.id}/results")).json()
    assert results["responses"] == 1
    assert results["questions"][0]["options"] == [{"option": "Every day", "count": 1}, {"option": "Sometimes", "count": 0},
                                                  {"option": "Never", "count": 0}]
    assert results["questions"][1]["options"][0] == {"option": "Variety", "count": 1}
    assert "Tasty!" not in str(results) and member.person.name not in str(results)


async def test_survey_answers_of_the_wrong_type_are_refused(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import SurveyResponse

    process = await make_process("proposals")
    survey, (single, multiple, text) = await _survey(plab, process)
    api = plab.client(token=await create_token(await plab.person("member"), "t"))
    url = f"/api/v1/participation/surveys/{survey.id}/responses"
    wrong = await api.post(url, json={"answers": {str(single.id): ["Every day", "Never"], str(multiple.id): "Fruit",
                                                  str(text.id): 42}}, headers=EN)
    assert wrong.status_code == 422
    errors = {e["field"]: e["message"] for e in wrong.json()["errors"]}
    assert errors == {f"q{single.id}": "This question takes one choice, given as text.",
                      f"q{multiple.id}": "This question takes a list of choices.",
                      f"q{text.id}": "This question takes a text answer."}
    unknown = await api.post(url, json={"answers": {str(single.id): "Always", str(multiple.id): ["Fruit"]}}, headers=EN)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["message"] == "Choose one of the options."
    assert await SurveyResponse.all().count() == 0
    good = await api.post(url, json={"answers": {str(single.id): "Never", str(multiple.id): ["Fruit"]}})
    assert good.status_code == 201
    bad_survey = await (await plab.login_as("staff")).submit(
        f"/participation/processes/{process.id}/surveys/new", {"title": "Broken", "questions": "single: Only one | A"},
        headers=EN)
    assert bad_survey.status_code == 422 and "Line 1: give at least two options separated by |." in bad_survey.text


async def test_staff_schedule_a_hearing_in_local_time_with_a_calendar(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Meeting

    process = await make_process("proposals")
    staff = await plab.login_as("staff")
    url = f"/participation/processes/{process.id}/meetings/new"
    bad = await staff.submit(url, {"kind": "hearing", "title": "Hearing", "starts_at": "2031-05-10T10:00",
                                   "ends_at": "2031-05-10T09:00"}, headers=EN)
    assert bad.status_code == 422
    assert "Give a place, an online link, or both." in bad.text
    bad = await staff.submit(url, {"kind": "hearing", "title": "Hearing", "starts_at": "2031-05-10T10:00",
                                   "ends_at": "2031-05-10T09:00", "place": "City hall"}, headers=EN)
    assert bad.status_code == 422 and "The end must come after the start." in bad.text
    created = await staff.submit(url, {"kind": "hearing", "title": "Public hearing on school meals",
                                       "starts_at": "2031-05-10T10:00", "ends_at": "2031-05-10T12:00",
                                       "place": "Câmara Municipal", "seats": "50", "agenda": "1. Diagnosis"})
    assert created.status_code == 303
    meeting = await Meeting.get(title="Public hearing on school meals")
    assert meeting.starts_at == datetime(2031, 5, 10, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo
    single = await plab.client().get(f"/participation/meetings/{meeting.id}/event.ics")
    assert single.headers["content-type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(single.content).walk("VEVENT")[0]
    assert str(event["summary"]) == "Public hearing on school meals"
    assert event.decoded("dtstart") == datetime(2031, 5, 10, 13, 0, tzinfo=UTC)
    assert str(event["location"]) == "Câmara Municipal"
    feed = await plab.client().get(f"/participation/processes/{process.id}/calendar.ics")
    assert len(icalendar.Calendar.from_ical(feed.content).walk("VEVENT")) == 1
    everything = await plab.client().get("/participation/calendar.ics")
    assert "Public hearing on school meals" in everything.text


async def test_registration_holds_the_seats_and_attendance_feeds_the_indicators(plab: RunningLab, make_process) -> None:
    from labkit_participation import service
    from labkit_participation.models import Meeting, Registration

    process = await make_process("proposals")
    start = now() + timedelta(days=2)
    meeting = await Meeting.create(process_id=process.id, title="Hearing", starts_at=start,
                                   ends_at=start + timedelta(hours=2), place="City hall", seats=1)
    first = await plab.login_as("member")
    url = f"/participation/meetings/{meeting.id}/registration"
    assert (await first.submit(url)).status_code == 303
    second = await plab.login_as("member")
    full = await second.submit(url)
    assert "All seats are taken." in (await second.get(full.headers["location"], headers=EN)).text
    assert await Registration.filter(meeting_id=meeting.id).count() == 1
    # Staff write the record: 40 people came, most without an account.
    staff = await plab.login_as("staff")
    negative = await staff.submit(f"/participation/meetings/{meeting.id}/record", {"attendance_count": "-3"}, headers=EN)
    assert negative.status_code == 422 and "Enter a number of at least 0." in negative.text
    assert (await staff.submit(f"/participation/meetings/{meeting.id}/record",
                               {"attendance_count": "40", "minutes": "People asked for fruit."})).status_code == 303
    period = Period.parse(f"{start.astimezone(plab.settings.zone):%Y-%m}")
    results = dict(plab.plugins.results("labkit_indicators", period=period))
    contributions = await results["participation"]
    assert [(c.indicator, c.value, c.breakdown) for c in contributions] == [
        ("participants", 40, {"kind": "hearing_attendance"})]
    proposal = await proposal_of(process, second.person)
    assert proposal.id
    people = await service.participants_in(Period.parse(f"{now().astimezone(plab.settings.zone):%Y-%m}"), "America/Sao_Paulo")
    assert participant_id(first.person.id) in people and participant_id(second.person.id) in people
    assert participant_id(staff.person.id) not in people


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"), reason="concurrency needs PostgreSQL")
async def test_simultaneous_registrations_never_exceed_the_seats(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Meeting, Registration

    process = await make_process("proposals")
    start = now() + timedelta(days=2)
    meeting = await Meeting.create(process_id=process.id, title="Hearing", starts_at=start,
                                   ends_at=start + timedelta(hours=2), place="City hall", seats=5)
    tokens = [await create_token(await plab.person("member"), "t") for _ in range(15)]
    responses = await asyncio.gather(*(plab.client(token=t).post(
        f"/api/v1/participation/meetings/{meeting.id}/registration", headers=EN) for t in tokens))
    assert sorted(r.status_code for r in responses) == [201] * 5 + [409] * 10
    assert {r.json()["detail"] for r in responses if r.status_code == 409} == {"All seats are taken."}
    assert await Registration.filter(meeting_id=meeting.id).count() == 5

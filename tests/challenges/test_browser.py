"""In a real headless Chromium: a team forms, a mate joins by the invitation link and submits with
an attachment; then a juror scores the submission."""

from __future__ import annotations

import pytest

from labkit.testing import PASSWORD, RunningLab

from tests.challenges.conftest import make_challenge, set_phase

pytestmark = pytest.mark.browser


async def sign_in(page, lab: RunningLab, person) -> None:
    await page.context.clear_cookies()
    await page.goto(lab.url + "/account/login")
    await page.get_by_label("E-mail").fill(person.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lab.url + "/")


async def test_a_team_joins_and_submits_and_a_juror_scores(clab: RunningLab, browser_page, tmp_path) -> None:
    from labkit_challenges.models import Assignment, Criterion, Juror, Score, Submission

    page = browser_page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    challenge = await make_challenge("open", title="Dados de mobilidade para São Paulo")
    criteria = [await Criterion.create(challenge=challenge, name="Impacto", weight=3, position=0),
                await Criterion.create(challenge=challenge, name="Viabilidade", weight=1, position=1)]
    lead = await clab.person("member", name="Ana")
    mate = await clab.person("member", name="Bruno")
    juror_person = await clab.person("member", name="Zélia")
    juror = await Juror.create(challenge=challenge, person=juror_person)

    await sign_in(page, clab, lead)
    await page.goto(clab.url + "/challenges/")
    await page.get_by_role("link", name="Dados de mobilidade para São Paulo").click()
    await page.get_by_role("link", name="Form a team").click()
    await page.get_by_label("Team name").fill("Equipe Travessia")
    await page.get_by_label("I accept the code of conduct").check()
    await page.get_by_role("button", name="Create the team").click()
    await page.wait_for_url(f"{clab.url}/challenges/{challenge.id}/team")
    link = await page.get_by_label("Invitation link").input_value()
    assert "/challenges/join/" in link

    await sign_in(page, clab, mate)
    await page.goto(clab.url + link[link.index("/challenges/join/"):])
    await page.get_by_label("I accept the code of conduct").check()
    await page.get_by_role("button", name="Join the team").click()
    await page.wait_for_url(f"{clab.url}/challenges/{challenge.id}/team")
    assert await page.get_by_role("cell", name="Bruno").is_visible() or await page.get_by_text("Bruno").first.is_visible()
    await page.get_by_role("link", name="Submit your solution").click()
    await page.get_by_label("Title").fill("Travessia Segura")
    await page.get_by_label("Summary").fill("Mapa das travessias mais perigosas perto das escolas.")
    await page.get_by_label("Link to the prototype").fill("https://travessia.example.org")
    await page.get_by_label("Licence of your solution").select_option("Apache-2.0")
    plan = tmp_path / "plano.pdf"
    plan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    await page.get_by_label("Attachments").set_input_files(str(plan))
    await page.get_by_role("button", name="Submit").click()
    await page.wait_for_selector("h1:has-text('Travessia Segura')")
    assert await page.get_by_role("link", name="plano.pdf").is_visible()
    submission = await Submission.get(challenge=challenge)
    assert submission.licence == "Apache-2.0"

    await set_phase(challenge, "evaluation")
    await Assignment.create(juror=juror, submission=submission)
    await sign_in(page, clab, juror_person)
    await page.goto(f"{clab.url}/challenges/{challenge.id}")
    await page.get_by_role("link", name="Your jury assignments").click()
    await page.get_by_role("link", name="Travessia Segura").click()
    await page.get_by_label("Score (0 to 10)").nth(0).fill("9")
    await page.get_by_label("Score (0 to 10)").nth(1).fill("7")
    await page.get_by_label("Comment").nth(0).fill("Muito útil para as subprefeituras.")
    await page.get_by_role("button", name="Save the scores").click()
    await page.wait_for_url(f"{clab.url}/challenges/{challenge.id}/jury")
    assert await page.get_by_text("Your scores were saved.").is_visible()
    values = {s.criterion_id: s.value for s in await Score.filter(juror=juror)}
    assert values == {criteria[0].id: 9, criteria[1].id: 7}
    assert not errors, errors

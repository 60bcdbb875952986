"""The profile in the data export and in account deletion; hostile text is escaped everywhere; bad
input comes back as messages."""

from __future__ import annotations

import json

from labkit.testing import PASSWORD, RunningLab

from labkit_people.models import Profile
from tests.people.conftest import write_profile

XSS = '<script>alert(1)</script>'


async def test_the_export_includes_the_profile_and_deleting_the_account_removes_it(people_lab: RunningLab) -> None:
    member = await people_lab.login_as("member")
    profile = await write_profile(member, name="Ana Exporta", looking_for_team="1")
    exported = json.loads((await member.get("/account/export")).text)["people"]["profile"]
    assert exported["name"] == "Ana Exporta" and exported["published"] is True and exported["skills"] == ["gis"]
    assert exported["tags"] == ["qgis", "mapas"] and exported["looking_for_team"] is True

    assert (await member.submit("/account/delete", {"password": PASSWORD})).status_code == 303
    assert not await Profile.exists(id=profile.id)
    visitor = people_lab.client()
    assert (await visitor.get(f"/people/{profile.id}")).status_code == 404
    assert "Ana Exporta" not in (await visitor.get("/api/v1/people/popolo.json")).text


async def test_hostile_text_is_escaped_or_refused(people_lab: RunningLab) -> None:
    member = await people_lab.login_as("member")
    for field, value in (("bio", XSS), ("tags", XSS), ("name", XSS), ("links", "javascript:alert(1)"),
                         ("links", 'https://x.example.org/"><script>'), ("region", "zona leste<b>")):
        response = await member.submit("/people/me", {"name": "Ana", field: value})
        assert response.status_code == 422, (field, value)
        assert "<script>alert" not in response.text and 'class="field-error"' in response.text
        assert "[&#39;" not in response.text, "a list comes back as the text that was typed"
    # Markdown in the bio is the core's safe subset: a link's javascript: address and raw HTML never survive
    await write_profile(member, name="Ana & Co", bio="[clique](javascript:alert(1)) **forte** &lt;img src=x onerror=alert(1)&gt;",
                        tags="a&b, \"quoted\"")
    profile = await Profile.get(person_id=member.person.id)
    page = (await people_lab.client().get(f"/people/{profile.id}")).text
    bio = page[page.index('<div class="people-bio">'):]
    bio = bio[:bio.index("</div>")]
    assert "javascript:" not in bio and "<strong>forte</strong>" in bio and "<img" not in bio and "&lt;img" in bio
    assert "Ana &amp; Co" in page and "#a&amp;b" in page and "#&#34;quoted&#34;" in page


async def test_limits_on_tags_links_and_choices(people_lab: RunningLab) -> None:
    member = await people_lab.login_as("member")
    cases = {
        "tags": ", ".join(f"t{n}" for n in range(11)),
        "links": "\n".join(f"https://example.org/{n}" for n in range(6)),
        "bio": "x" * 1001,
    }
    for field, value in cases.items():
        response = await member.submit("/people/me", {"name": "Ana", field: value})
        assert response.status_code == 422, field
    long_tag = await member.submit("/people/me", {"name": "Ana", "tags": "x" * 31})
    assert "at most 30 characters" in long_tag.text
    unknown = await member.submit("/people/me", {"name": "Ana", "skills": ["cooking"]})
    assert unknown.status_code == 422 and "lab&#39;s list" in unknown.text
    api = await member.put("/api/v1/people/me", json={"name": "Ana", "links": ["ftp://example.org"]},
                           headers={"X-CSRF-Token": await member.csrf_token()})
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/problem+json")
    saved = await member.put("/api/v1/people/me", json={"name": "Ana", "tags": ["  Dados   Abertos ", "dados abertos"]},
                             headers={"X-CSRF-Token": await member.csrf_token()})
    assert saved.status_code == 200 and saved.json()["tags"] == ["dados abertos"] and saved.json()["published"] is False


async def test_staff_keep_the_list_and_members_cannot(people_lab: RunningLab) -> None:
    member = await people_lab.login_as("member")
    assert (await member.get("/people/topics")).status_code == 403
    assert (await member.submit("/people/topics", {"key": "design", "name_en": "Design"})).status_code == 403
    staff = await people_lab.login_as("staff")
    added = await staff.submit("/people/topics", {"key": "design", "name_en": "Design", "name_pt_BR": "Projeto"})
    assert added.status_code == 303
    assert (await staff.submit("/people/topics", {"key": "design", "name_en": "Again"})).status_code == 422
    assert (await staff.submit("/people/topics", {"key": "Bad Key", "name_en": "x"})).status_code == 422
    assert (await staff.submit("/people/topics", {"key": "nameless"})).status_code == 422
    topics = (await people_lab.client().get("/api/v1/people/topics", headers={"Accept-Language": "pt-BR"})).json()
    assert {"key": "design", "name": "Projeto"} in topics["items"]

    await write_profile(member, skills=["gis"], interests=["open-data"])
    from labkit_people.models import Topic

    gis = await Topic.get(key="gis")
    renamed = await staff.submit(f"/people/topics/{gis.id}", {"key": "geo", "name_en": "Geography"})
    assert renamed.status_code == 303
    found = (await people_lab.client().get("/api/v1/people/", params={"q": "geography"})).json()
    assert found["total"] == 1, "a renamed topic is found under its new name"
    assert (await staff.submit(f"/people/topics/{gis.id}/delete")).status_code == 303
    profile = (await member.get("/api/v1/people/me")).json()
    assert profile["skills"] == [] and profile["interests"] == [{"key": "open-data", "name": "Open data"}]
    assert (await people_lab.client().get("/api/v1/people/", params={"q": "geography"})).json()["total"] == 0

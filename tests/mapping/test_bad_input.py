"""Bad input on the public form and the API gets a precise message, and nothing is half-saved:
coordinates out of range, possible duplicates, oversized text, HTML or script, spam and floods."""

from __future__ import annotations

from labkit.auth import create_token
from labkit.testing import RunningLab

from .conftest import org


async def _count() -> int:
    from labkit_mapping.models import Organisation, Proposal

    return await Organisation.all().count() + await Proposal.all().count()


BAD_INPUT = [
    ({"latitude": "95"}, "Latitude must be between -90 and 90 degrees."),
    ({"longitude": "-181.5"}, "Longitude must be between -180 and 180 degrees."),
    ({"latitude": "abc"}, "Enter a number."),
    ({"longitude": None}, "Give both latitude and longitude, or neither."),
    ({"description": "x" * 5001}, "Enter at most 5000 characters."),
    ({"name": "<b>Coletivo</b>"}, "HTML tags are not allowed here"),
    ({"description": "Olá <script>alert(1)</script>"}, "HTML tags are not allowed here"),
    ({"address": "<img src=x onerror=alert(1)>"}, "HTML tags are not allowed here"),
    ({"website": "javascript:alert(1)"}, "Enter a full web address starting with http:// or https://."),
    ({"kind": "cult"}, "Choose one of the options."),
    ({"founding_year": "1700"}, "Enter a founding year between 1800 and this year."),
    ({"region": "zona leste"}, "A region code has letters, digits"),
    ({"contact_email": "not-an-address"}, "Enter a valid e-mail address."),
]


async def test_the_form_names_each_problem_and_saves_nothing(map_lab: RunningLab) -> None:
    client = map_lab.client()
    for fields, message in BAD_INPUT:
        response = await client.submit("/mapping/propose", org(**fields))
        assert response.status_code == 422, fields
        assert message in response.text, fields
        assert "<script>alert" not in response.text and "<img src=x" not in response.text
    assert await _count() == 0


async def test_the_submitted_values_are_kept_escaped_when_the_form_comes_back(map_lab: RunningLab) -> None:
    response = await map_lab.client().submit("/mapping/propose", org(latitude="95", note="<script>x</script>"))
    assert response.status_code == 422
    assert "<script>x</script>" not in response.text
    assert 'value="Coletivo Código Aberto"' in response.text


async def test_a_duplicate_website_warns_with_a_link_and_can_be_confirmed(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Organisation, Proposal

    staff = await map_lab.login_as("staff")
    existing = (await staff.submit("/mapping/propose", org())).headers["location"]
    visitor = map_lab.client()
    again = await visitor.submit("/mapping/propose", org(name="Outro Nome Qualquer",
                                                         website="http://www.CodigoAberto.example.org/sobre"))
    assert again.status_code == 409
    assert "This organisation may already be in the directory" in again.text
    assert f'href="{existing}"' in again.text and "same website" in again.text
    assert await Proposal.all().count() == 0
    confirmed = await visitor.submit("/mapping/propose", org(name="Outro Nome Qualquer",
                                                             website="http://www.CodigoAberto.example.org/sobre",
                                                             confirm_duplicate="1"))
    assert confirmed.status_code == 303
    proposal = await Proposal.get()
    assert proposal.duplicates_confirmed == [int(existing.rsplit("/", 1)[1])]
    assert await Organisation.filter(status="proposed").count() == 1
    queue = await staff.get("/mapping/moderation")
    assert "possible duplicate" in queue.text


async def test_a_near_identical_name_without_accents_is_a_possible_duplicate(map_lab: RunningLab) -> None:
    staff = await map_lab.login_as("staff")
    await staff.submit("/mapping/propose", org())
    response = await map_lab.client().submit("/mapping/propose", org(name="coletivo codigo aberto!", website=""))
    assert response.status_code == 409
    assert "almost the same name" in response.text
    different = await map_lab.client().submit("/mapping/propose", org(name="Coletivo Dados Abertos", website=""))
    assert different.status_code == 303


async def test_the_honeypot_silently_drops_spam(map_lab: RunningLab) -> None:
    response = await map_lab.client().submit("/mapping/propose", org(homepage="http://spam.example"))
    assert response.status_code == 303
    assert await _count() == 0


async def test_public_proposals_are_rate_limited_per_address(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Proposal

    client = map_lab.client()
    for number, name in enumerate(["Rede Periférica", "Horta Conectada", "Juventude Hacker"]):
        sent = await client.submit("/mapping/propose", org(name=name, website=f"https://g{number}.example.org"))
        assert sent.status_code == 303
    flood = await map_lab.client().submit("/mapping/propose", org(name="Mais um grupo", website="https://mais.example.org"))
    assert flood.status_code == 429
    assert "You have sent many proposals in the last hour" in flood.text
    assert await Proposal.all().count() == 3
    staff = await map_lab.login_as("staff")
    assert (await staff.submit("/mapping/propose", org(name="Mais um grupo", website="https://mais.example.org"))).status_code == 303


async def test_the_api_answers_problems_with_the_field_and_saves_nothing(map_lab: RunningLab) -> None:
    token = await create_token(await map_lab.person("staff"), "script")
    api = map_lab.client(token=token)
    body = {"name": "Coletivo", "kind": "collective", "latitude": -123.0, "longitude": 10.0}
    response = await api.post("/api/v1/mapping/organisations", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [{"field": "latitude", "message": "Latitude must be between -90 and 90 degrees."}]
    too_long = await api.post("/api/v1/mapping/organisations", json={"name": "Coletivo", "kind": "ngo", "description": "é" * 5001})
    assert too_long.json()["errors"][0]["field"] == "description"
    unknown = await api.post("/api/v1/mapping/organisations", json={"name": "Coletivo", "kind": "ngo", "colour": "red"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "colour"
    assert await _count() == 0

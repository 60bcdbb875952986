"""The core's filter form (``filter_form`` in ``_forms.html``) on the directories of mapping, people
and participation, the federation's pickers, the indicators' year and the administration's people
list, fetched over HTTP: a GET form, a label for every input, the chosen values kept, an "All"
choice, a submit button, a "Clear filters" link only while a filter is set, the list really
narrowed; and in a real Chromium, used with the keyboard alone."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest

from labkit.timezones import now

from labkit_federation import demo as federation_demo
from labkit_people.models import Topic
from tests.people.conftest import write_profile

DAY = timedelta(days=1)


class FilterForm(HTMLParser):
    """The first ``role="search"`` form of a page: its controls, labels, options and links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.form: dict[str, str] | None = None
        self.inside = False
        self.controls: list[dict[str, Any]] = []
        self.labelled: set[str] = set()
        self.links: list[str] = []
        self.buttons: list[str] = []
        self._label_depth = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and found.get("role") == "search" and self.form is None:
            self.form, self.inside = found, True
        if not self.inside:
            return
        if tag == "label":
            self._label_depth += 1
            if "for" in found:
                self.labelled.add(found["for"])
        elif tag in ("input", "select"):
            self.controls.append({**found, "tag": tag, "wrapped": self._label_depth > 0, "options": []})
        elif tag == "option":
            self.controls[-1]["options"].append(found)
        elif tag == "a":
            self.links.append(found["href"])
        elif tag == "button":
            self.buttons.append(found.get("type", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "label" and self.inside:
            self._label_depth -= 1

    def control(self, name: str) -> dict[str, Any]:
        """The control named ``name``."""
        return next(control for control in self.controls if control["name"] == name)

    def selected(self, name: str) -> str | None:
        """The value chosen in the select ``name``."""
        chosen = [option["value"] for option in self.control(name)["options"] if "selected" in option]
        return chosen[0] if chosen else None


def check_accessible(form: FilterForm, action: str) -> None:
    """A GET form to ``action``, a label for every visible input, one submit button."""
    assert form.form is not None and form.form["method"] == "get" and form.form["action"] == action
    for control in form.controls:
        if control.get("type") != "hidden":
            assert control["wrapped"] or control["id"] in form.labelled, f"{control['name']} has a label"
    assert form.buttons == ["submit"]


async def filter_form(client: Any, url: str) -> FilterForm:
    """The filter form of the page at ``url``, fetched by ``client``."""
    page = await client.get(url)
    assert page.status_code == 200, page.text
    return FilterForm(page.text)


async def test_the_three_directories_share_one_accessible_filter_form(make_lab) -> None:
    from labkit_participation.models import Process

    lab = await make_lab(plugins=["mapping", "people", "participation"])
    await Topic.create(key="gis", names={"en": "GIS"})
    await write_profile(await lab.login_as("member"), interests=[])
    start = now()
    process = await Process.create(title="Escolas", summary="A consultation", published=True, categories=["Saúde", "Escolas"],
                                   information_starts_at=start - DAY, proposals_starts_at=start - DAY,
                                   support_starts_at=start + DAY, results_starts_at=start + 2 * DAY)

    people = await filter_form(lab.client(), "/people/?skill=gis&region=zona-leste&looking=1&q=ana")
    check_accessible(people, "/people/")
    assert [c["name"] for c in people.controls] == ["q", "skill", "interest", "region", "looking"]
    assert people.control("q")["value"] == "ana" and "checked" in people.control("looking")
    assert people.selected("skill") == "gis" and people.selected("region") == "zona-leste"
    assert people.control("interest")["options"][0] == {"value": ""}, "an empty 'any' choice comes first"
    assert people.links == ["/people/"], "a link clears the filters"
    assert (await filter_form(lab.client(), "/people/")).links == [], "nothing to clear"
    tagged = await filter_form(lab.client(), "/people/?tag=qgis")
    assert tagged.control("tag")["type"] == "hidden" and tagged.links == ["/people/"]

    orgs = await filter_form(lab.client(), "/mapping/?kind=ngo&partner=1")
    check_accessible(orgs, "/mapping/")
    assert [c["name"] for c in orgs.controls] == ["q", "kind", "topic", "practice", "region", "seal", "partner"]
    assert orgs.selected("kind") == "ngo" and "checked" in orgs.control("partner")
    assert orgs.links == ["/mapping/"]
    assert (await filter_form(lab.client(), "/mapping/map")).links == [], "the map's own 'located' filter is not the person's"
    in_portuguese = (await lab.client().get("/mapping/?kind=ngo", headers={"Accept-Language": "pt-BR"})).text
    assert ">Filtrar</button>" in in_portuguese and ">Limpar filtros</a>" in in_portuguese

    url = f"/participation/processes/{process.id}"
    proposals = await filter_form(lab.client(), f"{url}?category=Escolas&sort=newest")
    check_accessible(proposals, url)
    assert proposals.selected("category") == "Escolas" and proposals.selected("sort") == "newest"
    assert [o["value"] for o in proposals.control("category")["options"]] == ["", "Saúde", "Escolas"]
    assert proposals.links == [url]
    assert (await filter_form(lab.client(), f"{url}?sort=title")).links == [], "an order is not a filter"


def lab_codes(html: str) -> set[str]:
    """The member labs a federation page lists (the first link of each table row)."""
    return set(re.findall(r'<th scope="row"><a href="/federation/labs/([^"]+)"', html))


async def test_the_federation_pages_filter_with_the_core_form(make_lab) -> None:
    lab = await make_lab(plugins=["federation"])
    await federation_demo.create(lab.settings)
    visitor = lab.client()

    directory = await filter_form(visitor, "/federation/labs/?q=janeiro&region=BR")
    check_accessible(directory, "/federation/labs/")
    assert [c["name"] for c in directory.controls] == ["q", "region"]
    assert directory.control("q")["value"] == "janeiro" and directory.selected("region") == "BR"
    assert directory.control("q")["aria-describedby"] == "hint-filter-q", "the hint is tied to the box"
    assert directory.links == ["/federation/labs/"]
    assert lab_codes((await visitor.get("/federation/labs/?q=janeiro&region=BR")).text) == {"BR-3304557"}
    assert lab_codes((await visitor.get("/federation/labs/?q=janeiro&region=PT")).text) == set()
    assert (await filter_form(visitor, "/federation/labs/")).links == []

    overview = await filter_form(visitor, "/federation/")
    check_accessible(overview, "/federation/")
    quarter = overview.selected("period")
    assert quarter and re.fullmatch(r"\d{4}-Q\d", quarter) and overview.links == [], "a period is not a filter"
    in_sp = await filter_form(visitor, f"/federation/?period={quarter}&region=BR/BR-SP")
    assert in_sp.control("region") == {"type": "hidden", "name": "region", "value": "BR/BR-SP", "tag": "input",
                                       "wrapped": False, "options": []}, "the region drilled into is kept"

    url = f"/federation/completeness?period={quarter}&region=BR&status=failed"
    completeness = await filter_form(visitor, url)
    check_accessible(completeness, "/federation/completeness")
    assert [c["name"] for c in completeness.controls] == ["period", "region", "status"]
    assert (completeness.selected("period"), completeness.selected("region"), completeness.selected("status")) \
        == (quarter, "BR", "failed")
    assert [o["value"] for o in completeness.control("status")["options"]] == \
        ["", "on_time", "late", "failed", "missing", "pending"]
    assert completeness.links == ["/federation/completeness"]
    assert lab_codes((await visitor.get(url)).text) == {"BR-1302603", "BR-1501402"}

    staff = await lab.login_as("staff")
    registry = await filter_form(staff, "/federation/registry?q=janeiro")
    check_accessible(registry, "/federation/registry")
    assert registry.control("q")["value"] == "janeiro" and registry.links == ["/federation/registry"]
    assert lab_codes((await staff.get("/federation/registry?q=janeiro")).text) == {"BR-3304557"}


async def test_the_indicators_year_and_the_people_list_use_the_core_form(make_lab) -> None:
    lab = await make_lab(plugins=["indicators"])
    staff = await lab.login_as("staff")
    dashboard = await filter_form(staff, "/indicators/?year=2024")
    check_accessible(dashboard, "/indicators/")
    assert dashboard.selected("year") == "2024" and dashboard.links == []
    assert "<h1>Indicators 2024</h1>" in (await staff.get("/indicators/?year=2024")).text

    admin = await lab.login_as("admin")
    await lab.person("member", name="Zélia Quintana")
    people = await filter_form(admin, "/admin/people?q=Quintana")
    check_accessible(people, "/admin/people")
    assert people.control("q")["value"] == "Quintana" and people.links == ["/admin/people"]
    found = (await admin.get("/admin/people?q=Quintana")).text
    assert "Zélia Quintana" in found and "1 person" in found
    assert "Zélia Quintana" not in (await admin.get("/admin/people?q=nobody-is-called-this")).text
    assert (await filter_form(admin, "/admin/people")).links == []


@pytest.mark.browser
async def test_filtering_the_people_directory_with_the_keyboard_alone(make_lab, browser_page) -> None:
    lab = await make_lab(plugins=["people"])
    await Topic.create(key="gis", names={"en": "GIS"})
    await Topic.create(key="python", names={"en": "Python"})
    await write_profile(await lab.login_as("member"), name="Ana Mapas", skills=["gis"], interests=[])
    await write_profile(await lab.login_as("member"), name="Bia Código", skills=["python"], interests=[], region="centro")
    page = browser_page
    await page.goto(lab.url + "/people/")
    assert await page.get_by_role("link", name="Clear filters").count() == 0

    await page.get_by_role("searchbox", name="Search").focus()
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "filter-skill"
    await page.keyboard.press("ArrowDown")  # from "Any skill" to the first skill, GIS
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Enter")  # Enter in the search box sends the form
    await page.wait_for_url(lab.url + "/people/?q=&skill=gis&interest=&region=")
    assert await page.get_by_role("link", name="Ana Mapas").is_visible()
    assert await page.get_by_role("link", name="Bia Código").count() == 0
    assert await page.get_by_label("Knows").input_value() == "gis", "the choice is kept"

    clear = page.get_by_role("link", name="Clear filters")
    assert await clear.is_visible()
    await clear.focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(lab.url + "/people/")
    assert await page.get_by_role("link", name="Bia Código").is_visible()

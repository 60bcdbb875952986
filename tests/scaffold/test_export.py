"""`labkit template export`: a lab hands its template to the next lab, which names it as mentor,
inherits its branding, modules, settings, own plugins and mentoring plan, and none of its data or
secrets."""

from __future__ import annotations

import tomllib
from pathlib import Path

from labkit.scaffold import bake

from .conftest import assert_one_line_error, run_cli


def test_a_baked_lab_exports_its_template_and_a_second_lab_names_it_as_mentor(labs: Path) -> None:
    first = bake(None, labs / "first", no_input=True, answers={
        "lab_name": "MobiLab", "modules": "onboarding, indicators", "base_url": "https://mobilab.example.org",
        "mentor_name": "LabX", "mentor_url": "https://labx.example.org", "default_language": "en",
        "hub_url": "https://hub.example.org"}).path
    (first / "static" / "lab.css").write_text(":root { --lab-primary: #7a1f3d; }\n", encoding="utf-8")
    with (first / "lab.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[security]\nopen_registration = false\n')
    plan = (first / "MENTORING.md").read_text(encoding="utf-8")
    (first / "MENTORING.md").write_text(plan + "\n## What MobiLab learnt\n- [ ] Invite LabX to the final demo day {{ not jinja }} <!-- extra -->\n",
                                        encoding="utf-8")

    exported = run_cli("--lab", str(first), "template", "export", str(labs / "mobilab-template"))
    assert exported.returncode == 0, exported.stderr
    template = labs / "mobilab-template"
    names = {str(p.relative_to(template)) for p in template.rglob("*")}
    assert not [n for n in names if n.endswith((".env", ".sqlite3")) or "/data" in n], names
    assert "{{cookiecutter.lab_slug}}/plugins/visit/__init__.py" in names

    second = run_cli("new", "--no-input", "--template", str(template), "second",
                    "--set", "lab_name=Pátio Digital", "--set", "municipality=São Paulo")
    assert second.returncode == 0, second.stderr
    lab = labs / "second"
    settings = tomllib.loads((lab / "lab.toml").read_text(encoding="utf-8"))
    assert settings["lab"]["mentor_name"] == "MobiLab"
    assert settings["lab"]["mentor_url"] == "https://mobilab.example.org"
    assert settings["lab"]["name"] == "Pátio Digital" and "hub_url" not in settings["lab"]
    assert settings["plugin"]["indicators"]["hub_url"] == "https://hub.example.org"
    assert settings["lab"]["default_language"] == "en"
    assert settings["plugins"]["enabled"] == ["indicators", "onboarding", "visit"]
    assert settings["security"]["open_registration"] is False
    text = (lab / "lab.toml").read_text(encoding="utf-8")
    assert "Trainer-of-trainers chain: MobiLab (https://mobilab.example.org) ← LabX (https://labx.example.org)" in text
    assert "#7a1f3d" in (lab / "static" / "lab.css").read_text(encoding="utf-8")
    mentoring = (lab / "MENTORING.md").read_text(encoding="utf-8")
    assert "Mentoring plan of Pátio Digital" in mentoring and "Mentor lab: **MobiLab**" in mentoring
    assert "Invite MobiLab to the final demo day {{ not jinja }}" in mentoring
    secret_first = (first / ".env").read_text(encoding="utf-8")
    assert (lab / ".env").read_text(encoding="utf-8") != secret_first
    check = run_cli("--lab", str(lab), "check")
    assert check.returncode == 0, check.stderr

    # the second lab trains a third: the chain grows by one
    assert run_cli("--lab", str(lab), "template", "export", str(labs / "t2")).returncode == 0
    third = run_cli("new", "--no-input", "--template", str(labs / "t2"), "third", "--set", "lab_name=Terceiro",
                   "--set", "municipality=Santos", "--set", "municipal_code=3548500")
    assert third.returncode == 0, third.stderr
    chain = (labs / "third" / "lab.toml").read_text(encoding="utf-8")
    assert "Pátio Digital (http://127.0.0.1:8000) ← MobiLab (https://mobilab.example.org) ← LabX" in chain


def test_a_template_from_a_mentor_asks_the_new_lab_its_own_name(labs: Path) -> None:
    bake(None, labs / "first", no_input=True, answers={"modules": "onboarding"})
    assert run_cli("template", "export", "--lab", "first", "tpl").returncode == 0
    refused = run_cli("new", "--no-input", "--template", "tpl", "second")
    assert_one_line_error(refused, "lab_name: give the lab a name")
    assert sorted(p.name for p in labs.iterdir()) == ["first", "tpl"]


def test_export_refuses_a_folder_that_is_not_a_lab_or_an_existing_output(labs: Path) -> None:
    assert_one_line_error(run_cli("template", "export", "--lab", str(labs), "out"), "is not a lab folder")
    bake(None, labs / "first", no_input=True, answers={"modules": "onboarding"})
    (labs / "out").mkdir()
    (labs / "out" / "keep.txt").write_text("x", encoding="utf-8")
    assert_one_line_error(run_cli("template", "export", "--lab", "first", "out"), "already exists and is not empty")
    assert_one_line_error(run_cli("template", "export", "--lab", "first", "first/inside"),
                          "write the template outside the lab folder")

"""The registry: CSV import all or nothing with errors naming row and column, export that imports
back unchanged, member tokens stored hashed; the same from the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from labkit.cli import cli as labkit_cli
from labkit.testing import RunningLab

from labkit_federation import registry
from labkit_federation.models import Member

HEADER = "code,name,kind,municipality,region_path,url,latitude,longitude,joined_on,mentor_code,trained_on,programme,active\n"
GOOD = HEADER + (
    "BR-SP,Rede Paulista,hub,,BR,https://rede.sp.example/api/v1/federation/indicators,,,2023-01-10,,,,yes\n"
    "BR-3550308,MobiLab,lab,São Paulo,BR/BR-SP,https://mobilab.example/api/v1/indicators/,-23.55,-46.63,2023-02-01,,,,yes\n"
    "BR-3509502,Campinas Lab,lab,Campinas,BR/BR-SP,http://campinas.example/api/v1/indicators/,-22.9,-47.06,2024-05-01,"
    "BR-3550308,2024-03-15,Formação de formadores 2024,yes\n"
    "BR-3304557,Lab Rio,lab,Rio de Janeiro,BR/BR-RJ,,,,,BR-3509502,2025-01-20,Formação 2025,no\n"
)


@pytest.fixture
async def hub(make_lab) -> RunningLab:
    return await make_lab(plugins=["federation"])


async def test_import_export_round_trip_and_dry_run(hub: RunningLab) -> None:
    dry = await registry.import_csv(GOOD.encode(), dry_run=True)
    assert dry.ok and not dry.saved and dry.count("create") == 4 and await Member.all().count() == 0
    saved = await registry.import_csv(GOOD.encode())
    assert saved.saved and saved.as_dict()["summary"] == {"create": 4, "update": 0, "unchanged": 0, "error": 0}
    rio = await Member.get(code="BR-3304557").prefetch_related("mentor")
    assert (rio.mentor.code, rio.trained_on, rio.programme, rio.active) == ("BR-3509502", date(2025, 1, 20), "Formação 2025", False)
    mobilab = await Member.get(code="BR-3550308")
    assert (mobilab.latitude, mobilab.region_path, mobilab.kind) == (-23.55, "BR/BR-SP", "lab")

    exported = await registry.export_csv()
    assert exported.splitlines()[0] == HEADER.strip()
    assert "BR-3509502,Campinas Lab,lab,Campinas,BR/BR-SP,http://campinas.example/api/v1/indicators/,-22.9,-47.06," \
           "2024-05-01,BR-3550308,2024-03-15,Formação de formadores 2024,yes" in exported
    again = await registry.import_csv(exported.encode())
    assert again.as_dict()["summary"] == {"create": 0, "update": 0, "unchanged": 4, "error": 0}
    renamed = await registry.import_csv(exported.replace("Lab Rio", "LabRio").encode())
    assert renamed.count("update") == 1 and (await Member.get(code="BR-3304557")).name == "LabRio"


async def test_a_file_with_any_error_saves_nothing_and_names_row_and_column(hub: RunningLab) -> None:
    bad = HEADER + (
        "BR-1,Um,lab,,BR/BR-SP,ftp://one.example/doc,,,,,,,yes\n"
        "BR-2,Dois,lab,,BR/BR-SP,,91,10,,,,,maybe\n"
        "BR-3,Três,lab,,,,,,2024-13-01,BR-9,,,yes\n"
        "BR-1,Um de novo,lab,,,,,,,,,,yes\n"
        "BR-4,Quatro,lab,,,,,,,BR-5,,,yes\n"
        "BR-5,Cinco,lab,,,,,,,BR-4,,,yes\n"
        "BR-6,Seis,lab,,,,,,,,,,yes\n"
    )
    report = await registry.import_csv(bad.encode())
    assert not report.ok and not report.saved and await Member.all().count() == 0
    messages = report.messages()
    assert "row 2, url: Enter a full web address starting with http:// or https://." in messages
    assert any(m.startswith("row 3, latitude:") for m in messages)
    assert "row 3, active: write yes or no." in messages
    assert any(m.startswith("row 4, joined_on:") for m in messages)
    assert "row 5, code: BR-1 is already on row 2." in messages
    assert any(m.startswith("row 6, mentor_code:") and "loop" in m for m in messages)
    assert report.count("error") == 5 and report.count("create") == 2  # the loop is named once
    assert (await registry.import_csv(b"code;nome\nBR-1;x\n")).errors == [
        "Unknown columns: nome. The columns are: " + ", ".join(registry.CSV_COLUMNS) + ".",
        "Missing required columns: name."]
    assert "not UTF-8" in (await registry.import_csv("code,name\nBR-1,S\xe3o\n".encode("latin-1"))).errors[0]


async def test_tokens_are_shown_once_and_stored_hashed(hub: RunningLab) -> None:
    lab = await Member.create(code="BR-3550308", name="MobiLab")
    token = await registry.issue_token(lab)
    assert token.startswith("lkm_") and len(token) > 40
    stored = await Member.get(id=lab.id)
    assert stored.token_hash == registry.token_digest(token) and token not in stored.token_hash
    assert (await registry.member_for_token(token)).code == "BR-3550308"
    second = await registry.issue_token(lab)
    assert await registry.member_for_token(token) is None and (await registry.member_for_token(second)).id == lab.id
    await registry.revoke_token(lab)
    assert await registry.member_for_token(second) is None
    assert await registry.member_for_token("") is None and await registry.member_for_token("lk_" + second[4:]) is None


def test_the_command_line_imports_exports_and_issues_tokens(tmp_path: Path) -> None:
    from labkit.testing import write_lab

    folder = tmp_path / "hub"
    write_lab(folder, ["federation"])
    runner = CliRunner()
    from labkit import cli as cli_module

    cli_module._add_plugin_commands(["--lab", str(folder)])

    def labkit(*args: str):
        return runner.invoke(labkit_cli, ["--lab", str(folder), *args], catch_exceptions=False)

    assert labkit("migrate").exit_code == 0
    source = tmp_path / "members.csv"
    source.write_text(GOOD, encoding="utf-8")
    dry = labkit("federation", "members", "import", str(source), "--dry-run")
    assert dry.exit_code == 0 and "dry run, nothing saved: 4 new" in dry.output
    assert labkit("federation", "members", "import", str(source)).exit_code == 0
    out = tmp_path / "out.csv"
    assert labkit("federation", "members", "export", str(out)).exit_code == 0
    assert out.read_text().count("\n") == 5
    issued = labkit("federation", "members", "token", "BR-3550308")
    assert issued.exit_code == 0 and issued.stdout.strip().startswith("lkm_")
    missing = labkit("federation", "members", "token", "XX-1")
    assert missing.exit_code == 2 and "there is no member 'XX-1'" in missing.output
    broken = tmp_path / "broken.csv"
    broken.write_text(HEADER + "BR-9,Nove,lab,,,gopher://x,,,,,,,yes\n", encoding="utf-8")
    refused = labkit("federation", "members", "import", str(broken))
    assert refused.exit_code == 2 and "row 2, url:" in refused.output and "nothing was imported" in refused.output

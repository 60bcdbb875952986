"""CSV import: staff only, a dry run with a report row by row, all or nothing, precise messages
for wrong columns, bad encodings and invalid rows; export then import gives the same organisations."""

from __future__ import annotations

import csv
import io

from labkit.testing import LabClient, RunningLab

HEADER = "name,kind,topics,practices,website,latitude,longitude,region,wants_partnership,founding_year\n"
GOOD = HEADER + (
    "Coletivo Código Aberto,collective,educação; software livre,free-software,https://codigo.example.org,-23.55,-46.63,centro,sim,2015\n"
    "Mobi Rotas,startup,mobilidade urbana,open-data; free-software,https://mobi.example.org,-23.56,-46.69,zona-oeste,no,\n"
)


async def _send(client: LabClient, content: bytes, mode: str = "dry-run"):
    return await client.post("/mapping/import", data={"csrf_token": await client.csrf_token(), "mode": mode},
                             files={"file": ("organisations.csv", content, "text/csv")})


async def _count() -> int:
    from labkit_mapping.models import Organisation

    return await Organisation.all().count()


async def test_a_dry_run_reports_each_row_and_saves_nothing_then_the_import_saves_all(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Change, Organisation

    staff = await map_lab.login_as("staff")
    dry = await _send(staff, GOOD.encode())
    assert dry.status_code == 200
    assert "Dry run: the file is valid. 2 would be added" in dry.text
    assert await _count() == 0
    done = await _send(staff, GOOD.encode(), "import")
    assert done.status_code == 200 and "Imported: 2 added" in done.text
    mobi = await Organisation.get(name="Mobi Rotas")
    assert (mobi.status, mobi.source, mobi.practice_list, mobi.wants_partnership) == ("published", "import", ["free-software", "open-data"], False)
    assert (await Organisation.get(name="Coletivo Código Aberto")).wants_partnership is True
    assert await Change.filter(action="imported").count() == 2


async def test_invalid_rows_are_named_and_nothing_is_imported(map_lab: RunningLab) -> None:
    staff = await map_lab.login_as("staff")
    content = GOOD + (
        "Grupo Sem Tipo,,,,,,,,,\n"
        "Grupo Longe,ngo,,,,-95,10,,,\n"
        "<script>alert(1)</script>,ngo,,,,,,,,\n"
        "Grupo Prático,company,,open-everything,,,,,talvez,\n"
        "coletivo codigo aberto,collective,,,,,,,,\n"
    )
    response = await _send(staff, content.encode(), "import")
    assert response.status_code == 422
    text = response.text
    assert "Nothing was imported" in text
    for row, message in [(4, "kind: This field is required."), (5, "latitude: Latitude must be between -90 and 90 degrees."),
                         (6, "name: HTML tags are not allowed here"), (7, "practices: Choose practices from the list"),
                         (7, "wants_partnership: write yes or no."), (8, "name: the same organisation is already on row 2.")]:
        assert f"<th scope=\"row\">{row}</th>" in text
        assert message in text, message
    assert "<script>alert(1)</script>" not in text
    assert await _count() == 0


async def test_wrong_columns_and_bad_encodings_get_precise_messages(map_lab: RunningLab) -> None:
    staff = await map_lab.login_as("staff")
    wrong = await _send(staff, b"nome,tipo\nColetivo,collective\n")
    assert wrong.status_code == 422
    assert "Unknown columns: nome, tipo." in wrong.text and "Missing required columns: name, kind." in wrong.text
    latin1 = await _send(staff, GOOD.encode("latin-1"))
    assert latin1.status_code == 422
    assert "The file is not UTF-8 text (byte 0xf3 on line 2)" in latin1.text
    empty = await _send(staff, HEADER.encode())
    assert "The file has a header but no rows." in empty.text
    ragged = await _send(staff, (HEADER + "A,ngo,,,,,,,,,extra\n").encode())
    assert "This row has more cells than the header has columns." in ragged.text
    missing = await staff.post("/mapping/import", data={"csrf_token": await staff.csrf_token(), "mode": "import"})
    assert missing.status_code == 422 and "Choose a CSV file." in missing.text
    assert await _count() == 0


async def test_only_staff_with_the_permission_import(map_lab: RunningLab) -> None:
    member = await map_lab.login_as("member")
    assert (await _send(member, GOOD.encode(), "import")).status_code == 403
    assert (await member.get("/mapping/import")).status_code == 403
    assert await _count() == 0


async def test_export_then_import_gives_the_same_organisations(map_lab: RunningLab) -> None:
    from labkit_mapping import demo
    from labkit_mapping.models import Organisation

    await demo.load(map_lab.settings)
    exported = (await map_lab.client().get("/mapping/export.csv")).text
    assert len(list(csv.DictReader(io.StringIO(exported)))) == 40

    staff = await map_lab.login_as("staff")
    again = await _send(staff, exported.encode(), "import")
    assert again.status_code == 200 and "0 added, 0 updated, 40 unchanged" in again.text

    await Organisation.all().delete()  # as in a new lab
    imported = await _send(staff, exported.encode(), "import")
    assert imported.status_code == 200, imported.text
    assert "40 added" in imported.text
    after = list(csv.DictReader(io.StringIO((await map_lab.client().get("/mapping/export.csv")).text)))
    before = list(csv.DictReader(io.StringIO(exported)))
    assert any(row["seals"] for row in before) and not any(row["seals"] for row in after), \
        "the seals column is exported, and ignored by the import (the team grants seals)"
    assert [{k: v for k, v in row.items() if k != "seals"} for row in after] == \
        [{k: v for k, v in row.items() if k != "seals"} for row in before]

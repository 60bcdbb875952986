"""Indicators documents for the federation tests, built with the core format's own writer."""

from __future__ import annotations

from typing import Any

from labkit import Period
from labkit.indicator_format import ALL, Row, period_entry
from labkit.indicator_format.versions import BASE_URL

Figures = dict[str, dict[str, Any]]
"""``{"2025-Q1": {"projects": 3, "participants": 40, "participants:registered": 35}}``; a value of
``None`` is a suppressed figure; ``"name:kind"`` keys add a kind cell, ``"name@module"`` a module cell."""


def rows(code: str, figures: Figures, status: str = "published") -> list[Row]:
    out = []
    for period, values in figures.items():
        p = Period.parse(period)
        for key, value in values.items():
            name, module, kind = key, ALL, ALL
            if ":" in key:
                name, kind = key.split(":")
            elif "@" in key:
                name, module = key.split("@")
            out.append(Row(code, name, p.frequency, period, module, kind, value, value is None, status))
    return out


def periods(code: str, figures: Figures, status: str = "published") -> list[dict[str, Any]]:
    all_rows = rows(code, figures, status)
    return [period_entry(Period.parse(period), status, [r for r in all_rows if r.period == period],
                         published_at="2025-07-02T12:00:00Z" if status == "published" else None)
            for period in figures]


def lab_info(code: str, name: str | None = None, **extra: str) -> dict[str, Any]:
    return {"code": code, "name": name or f"Lab {code}", "municipality": "", "municipal_code": code.split("-")[-1],
            "country": code[:2], "region": extra.pop("region", ""), "timezone": "UTC", "mentor_url": "",
            "base_url": "https://lab.example", **extra}


def document(code: str, figures: Figures, *, version: str = "1.1", status: str = "published",
             kind: str = "lab", members: dict[str, Figures] | None = None, name: str | None = None) -> dict[str, Any]:
    lab = lab_info(code, name)
    if version != "1.0":
        lab["kind"] = kind
    out: dict[str, Any] = {"schema": BASE_URL + version, "version": version, "generated_at": "2025-07-02T12:00:00Z",
                           "lab": lab, "indicators": [], "periods": periods(code, figures, status)}
    if version == "1.0":  # 1.0 requires what 1.1 made optional
        for item in out["periods"]:
            item.update(suppression={"threshold": 5, "applies_to": ["participants"]}, failures=[], computed_at=None)
    if members is not None:
        out["members"] = [{"lab": {"code": member, "name": f"Lab {member}", "country": member[:2]},
                           "periods": periods(member, member_figures, status)}
                          for member, member_figures in members.items()]
    return out

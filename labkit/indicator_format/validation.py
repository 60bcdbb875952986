"""Is a document acceptable? The JSON Schema of its version, then the checks a schema cannot say.

Speed matters (a national hub checks thousands of documents in a harvest): the schema is first
checked by ``jsonschema-rs`` (compiled, about 0.03 ms for a lab's document, against 11 ms for the
pure-Python ``jsonschema``). Only a document it finds invalid goes through ``jsonschema``, whose
messages name each problem's place (``periods[0].observations[2].value``) as they always did.
``jsonschema-rs`` is at least as strict (it also checks ``date-time`` formats, and its ``$``
does not accept a trailing newline), and ``jsonschema`` has the last word: a document is refused
only for a problem ``jsonschema`` reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

import jsonschema
import jsonschema_rs

from labkit.indicator_format.http import dumps
from labkit.indicator_format.indicators import FORMATS
from labkit.indicator_format.problems import Problem, json_path
from labkit.indicator_format.versions import UnsupportedVersion, schema, version_of
from labkit.periods import Period

MAX_PROBLEMS = 50
"""More problems than this are summed up in one last line (a broken document is not a report)."""
MAX_PERIODS = 1000
"""Periods in one document or one member (a century of months, quarters and years)."""
MAX_MEMBERS = 100_000
"""Member labs in a hub document (Brazil has 5,570 municipalities)."""
MAX_CELLS = 500
"""Cells in one breakdown."""


@cache
def _validator(version: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(version), format_checker=jsonschema.FormatChecker())


@cache
def _fast_validator(version: str) -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(schema(version), validate_formats=True)


def latest_today() -> date:
    """Today's date where it is latest on Earth (UTC+14): a period that started anywhere is not future."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def validate(document: Any, *, today: date | None = None) -> list[Problem]:
    """Every problem of ``document`` ([] means valid).

    The declared version must be one this code reads (see :mod:`.versions`); the document must
    match that version's JSON Schema; then: counts are non-negative integers (not 3.0 or true),
    no period starts after ``today`` (default: the latest date anywhere on Earth), each period's
    code agrees with its frequency, start and end, each period has one observation per indicator,
    no period or member is given twice, a member is not the document's own lab, and the sizes
    stay within bounds.
    """
    if not isinstance(document, dict):
        return [Problem("", "the document is not a JSON object")]
    try:
        version = version_of(document)
    except UnsupportedVersion as error:
        return [Problem("version", str(error))]
    problems: list[Problem] = []
    errors = [] if _fast_validator(version.number).is_valid(document) else sorted(
        _validator(version.number).iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    for found in errors:
        problems.append(Problem(json_path(found.absolute_path), _message(found)))
        if len(problems) > MAX_PROBLEMS:
            break
    if not problems:
        problems.extend(_semantics(document, today or latest_today()))
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS] + [Problem("", f"and {extra} more problem(s) not listed")]
    return problems


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown field(s)")
    if error.validator == "const" and list(error.absolute_path) == ["schema"]:
        return f"the schema must be {error.validator_value!r} for this version"
    return error.message[:300]


def _control_characters(value: Any, where: list[str | int]) -> Iterator[Problem]:
    """Text with a NUL character cannot be stored (PostgreSQL refuses it) nor shown safely."""
    if isinstance(value, str):
        if "\x00" in value:
            yield Problem(json_path(where), "the text contains a NUL character")
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                yield Problem(json_path(where), "a field name contains a NUL character")
            yield from _control_characters(item, [*where, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _control_characters(item, [*where, index])


def _semantics(document: dict[str, Any], today: date) -> Iterator[Problem]:
    if b"\\u0000" in dumps(document):  # rare: only then is the document walked to say where
        yield from _control_characters(document, [])
    own = document["lab"]["code"]
    yield from _periods(document["periods"], "periods", today)
    members = document.get("members", [])
    if len(members) > MAX_MEMBERS:
        yield Problem("members", f"more than {MAX_MEMBERS} members")
        return
    seen: dict[str, int] = {}
    for index, member in enumerate(members):
        code = member["lab"]["code"]
        where = f"members[{index}].lab.code"
        if code == own:
            yield Problem(where, f"{code} is the document's own lab: a hub's own figures are its top-level periods")
        elif code in seen:
            yield Problem(where, f"{code} is given twice (also members[{seen[code]}])")
        seen.setdefault(code, index)
        yield from _periods(member["periods"], f"members[{index}].periods", today)


@lru_cache(maxsize=1024)
def _calendar(code: str) -> tuple[Period, str, str]:
    """A period code's :class:`Period`, first and last day (ISO): every document of a harvest
    names the same few periods. Raises ``ValueError`` for a code that is not a period."""
    period = Period.parse(code)
    return period, period.start.isoformat(), (period.end - timedelta(days=1)).isoformat()


def _periods(periods: list[dict[str, Any]], where: str, today: date) -> Iterator[Problem]:
    if len(periods) > MAX_PERIODS:
        yield Problem(where, f"more than {MAX_PERIODS} periods")
        return
    seen: dict[str, int] = {}
    for index, item in enumerate(periods):
        here = f"{where}[{index}]"
        code = item["period"]
        try:
            period, first, last = _calendar(code)
        except ValueError:
            yield Problem(f"{here}.period", f"{code!r} is not a period")
            continue
        if code in seen:
            yield Problem(f"{here}.period", f"period {code} is given twice (also {where}[{seen[code]}])")
        seen.setdefault(code, index)
        if item["frequency"] != period.frequency:
            yield Problem(f"{here}.frequency", f"period {code} has frequency {period.frequency}, not {item['frequency']}")
        if item["start"] != first:
            yield Problem(f"{here}.start", f"period {code} starts on {first}, not {item['start']}")
        if item["end"] != last:
            yield Problem(f"{here}.end", f"period {code} ends on {last} (its last day), not {item['end']}")
        if period.start > today:
            yield Problem(f"{here}.period", f"period {code} is in the future (it starts on {period.start.isoformat()})")
        indicators: dict[str, int] = {}
        for position, observation in enumerate(item["observations"]):
            name = observation["indicator"]
            obs_where = f"{here}.observations[{position}]"
            if name in indicators:
                yield Problem(f"{obs_where}.indicator", f"{name} is given twice (also observations[{indicators[name]}])")
            indicators.setdefault(name, position)
            expected = FORMATS[name].temporal_aggregation
            if observation["temporal_aggregation"] != expected:
                yield Problem(f"{obs_where}.temporal_aggregation", f"{name} aggregates as {expected}")
            if not _is_count(observation["value"]):
                yield _not_a_count(observation["value"], f"{obs_where}.value")
            for dimension, cells in observation["breakdowns"].items():
                yield from _cells(cells, f"{obs_where}.breakdowns.{dimension}", dimension)


def _cells(cells: list[dict[str, Any]], where: str, dimension: str) -> Iterator[Problem]:
    """One breakdown's cells: each member once, each value a count. The common case (all good) is
    checked without naming a path; only a breakdown with a problem is walked to say where."""
    if len(cells) > MAX_CELLS:
        yield Problem(where, f"more than {MAX_CELLS} cells")
        return
    members = {cell["member"] for cell in cells}
    if len(members) == len(cells) and all(_is_count(cell["value"]) for cell in cells):
        return
    members.clear()
    for index, cell in enumerate(cells):
        if cell["member"] in members:
            yield Problem(f"{where}[{index}].member", f"{cell['member']} is given twice in {dimension}")
        members.add(cell["member"])
        if not _is_count(cell["value"]):
            yield _not_a_count(cell["value"], f"{where}[{index}].value")


MAX_COUNT = 2**31 - 1
"""The largest count (what a database INTEGER column holds; far more than any lab counts)."""


def _is_count(value: Any) -> bool:
    """A figure is ``None`` (suppressed) or a whole number from 0 to :data:`MAX_COUNT`: JSON
    Schema calls 3.0 an integer; a count is written 3. (Checked inline, once per figure.)"""
    return value is None or (type(value) is int and 0 <= value <= MAX_COUNT)


def _not_a_count(value: Any, where: str) -> Problem:
    """The problem with a figure that is not a count (:func:`_is_count`)."""
    if type(value) is not int or value < 0:
        return Problem(where, f"{value!r} is not a non-negative whole number")
    return Problem(where, f"{value} is larger than {MAX_COUNT}, the largest count")

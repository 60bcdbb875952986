"""Schemathesis against the lab's own OpenAPI document: every operation, three callers.

The operations come from ``/api/v1/openapi.json`` itself (and the test checks that the document
lists every ``ApiRoute`` the app serves), so an endpoint added by a plugin later is fuzzed without
touching this file. Each operation gets ``LABKIT_FUZZ_EXAMPLES`` (default 10) generated requests,
valid and invalid ones alike, as an anonymous visitor, with a member's API token and with an
admin's, against a lab holding every plugin's demo records. Every answer must:

- not be a 5xx;
- have a documented status code, and a success (2xx) must be the one the route declares rather
  than fall through to the ``default`` problem response;
- have a documented content type;
- match the schema declared for its status (the route's response model, or the Problem schema).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import requests
import schemathesis
from hypothesis import Phase, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from labkit.api import _walk
from labkit.testing import RunningLab

from tests.proof.fuzz_support import examples, fuzz_settings, seeded_lab

DEFAULT_EXAMPLES = 10


class UndeclaredSuccess(AssertionError):
    """A 2xx answer whose status the operation does not declare (only ``default`` matched it)."""


def success_status_declared(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 2xx must be the operation's declared success status: ``default`` documents problems only."""
    if 200 <= response.status_code < 300 and str(response.status_code) not in case.operation.responses.status_codes:
        declared = [code for code in case.operation.responses.status_codes if code != "default"]
        raise UndeclaredSuccess(f"{case.operation.label} answered {response.status_code}, declares {declared}")
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          success_status_declared]


def fuzz(base_url: str, ways: dict[str, str | None]) -> tuple[Counter[str], list[str]]:
    """Run every operation of the document for each way of calling; the cases run per way and
    the failures (way, operation, what was wrong), all of them, not just the first."""
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", timeout=30)
    operations = []
    failures: list[str] = []
    for result in schema.get_all_operations():
        try:
            operations.append(result.ok())
        except Exception as error:  # the document itself is broken for this operation
            failures.append(f"invalid operation in the document: {error}")
    cases: Counter[str] = Counter()
    for way, token in ways.items():
        session = requests.Session()
        if token:
            session.headers["Authorization"] = f"Bearer {token}"
        for operation in operations:
            strategy = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                                 operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

            @fuzz_settings(DEFAULT_EXAMPLES, phases=[Phase.explicit, Phase.generate])
            @given(case=strategy)
            def run(case: schemathesis.Case) -> None:  # called at once below, in this iteration
                cases[way] += 1  # noqa: B023
                case.call_and_validate(base_url=base_url, session=session, checks=CHECKS, timeout=30,  # noqa: B023
                                       allow_redirects=False)

            try:
                run()
            except BaseException as error:  # noqa: BLE001 - a failed property, reported with the others
                if isinstance(error, (KeyboardInterrupt, SystemExit)):
                    raise
                failures.append(f"[{way}] {operation.label}: {type(error).__name__}: {str(error)[:1500]}")
        session.close()
    return cases, failures


async def test_every_api_operation_holds_under_fuzzing(make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    seeded = await seeded_lab(make_lab)
    lab = seeded.lab
    document = (await lab.client().get("/api/v1/openapi.json")).json()
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    served = {(method, path.replace(":int", "").replace(":str", "").replace(":path", ""))
              for path, _name, route in _walk(lab.app.routes) for method in route.methods or [] if method != "HEAD"}
    assert served <= documented, f"API routes missing from the OpenAPI document: {sorted(served - documented)}"

    started = time.monotonic()
    ways = {"anonymous": None, "member": seeded.tokens["member"], "admin": seeded.tokens["admin"]}
    cases, failures = await asyncio.to_thread(fuzz, lab.url, ways)
    elapsed = time.monotonic() - started
    print(f"\nschemathesis: {len(documented)} operations, {dict(cases)} = {sum(cases.values())} cases "
          f"in {elapsed:.1f}s (LABKIT_FUZZ_EXAMPLES={examples(DEFAULT_EXAMPLES)})")
    assert not failures, f"{len(failures)} failing operation(s):\n\n" + "\n\n".join(failures)
    for way in ways:
        assert cases[way] >= len(documented), f"{way}: only {cases[way]} cases for {len(documented)} operations"

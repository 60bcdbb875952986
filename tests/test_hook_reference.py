"""The hook reference in the docs names every hook of hookspecs.py with its exact signature."""

from __future__ import annotations

import inspect
import re

from labkit import hookspecs

from .conftest import ROOT


def documented() -> dict[str, str]:
    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    return {match.group(1): match.group(2) for match in re.finditer(r"^### `(labkit_\w+)\(([^)]*)\)`", text, re.M)}


def test_every_hook_is_in_the_reference_with_its_signature() -> None:
    specs = {name: ", ".join(inspect.signature(fn).parameters)
             for name, fn in vars(hookspecs).items() if name.startswith("labkit_")}
    docs = documented()
    missing = sorted(set(specs) - set(docs))
    assert not missing, f"hooks missing from docs/hooks.md: {missing}"
    wrong = {name: (docs[name], specs[name]) for name in specs if docs[name] != specs[name]}
    assert not wrong, f"signatures differ (docs, code): {wrong}"
    assert not set(docs) - set(specs), f"docs/hooks.md documents hooks that do not exist: {sorted(set(docs) - set(specs))}"


def test_every_hook_has_a_docstring() -> None:
    for name, fn in vars(hookspecs).items():
        if name.startswith("labkit_"):
            assert fn.__doc__ and len(fn.__doc__.strip()) > 40, name

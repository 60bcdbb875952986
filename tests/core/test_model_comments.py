"""Model classes keep their `#:` field comments as descriptions (labkit.model_comments only skips
the source search for modules that hold none)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def load(path: Path, source: str):
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[path.stem]
    return module


def test_a_field_comment_still_becomes_its_description_and_none_is_made_up(tmp_path: Path) -> None:
    described = load(tmp_path / "described_models.py", (
        "from tortoise import fields\nfrom tortoise.models import Model\n\n\n"
        "class Lamp(Model):\n    id = fields.IntField(primary_key=True)\n"
        "    #: The colour of the light\n    colour = fields.CharField(max_length=20)\n"))
    plain = load(tmp_path / "plain_models.py", (
        "from tortoise import fields\nfrom tortoise.models import Model\n\n\n"
        "class Chair(Model):\n    id = fields.IntField(primary_key=True)\n"
        "    # an ordinary comment\n    colour = fields.CharField(max_length=20)\n"))
    assert described.Lamp._meta.fields_map["colour"].description == "The colour of the light"
    assert plain.Chair._meta.fields_map["colour"].description is None

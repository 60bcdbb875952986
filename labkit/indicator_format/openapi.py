"""The indicators document as pydantic models, for the OpenAPI description of the endpoints that
serve it (a lab's ``/api/v1/indicators/``, a hub's ``/api/v1/federation/indicators``).

They describe the top level only; the JSON Schema (:func:`labkit.indicator_format.schema`) is the
full contract.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class DocumentOut(BaseModel):
    """A lab's indicators document; see its JSON Schema at ``schema.json`` beside it."""

    schema_: str = Field(alias="schema")
    version: str
    generated_at: str
    lab: dict[str, Any]
    indicators: list[dict[str, Any]]
    periods: list[dict[str, Any]]


class HubDocumentOut(DocumentOut):
    """A hub's document (version 1.1): its totals, and every member lab's rows in ``members``."""

    members: list[dict[str, Any]]

"""What staff send to tick or untick a milestone (pages and API alike)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TickIn(BaseModel):
    """Mark a milestone done (with an optional note: what was delivered, where the evidence is)
    or not done."""

    model_config = ConfigDict(extra="forbid")

    done: bool = True
    note: str = Field(default="", max_length=500)


class ItemOut(BaseModel):
    key: str
    section: str
    text: str
    done: bool
    checked_in_file: bool
    done_by: str | None = None
    done_at: str | None = None
    note: str = ""


class ChecklistOut(BaseModel):
    title: str
    done: int
    total: int
    items: list[ItemOut]

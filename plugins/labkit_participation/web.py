"""Reading a record for a page: a refusal of the rules (a consultation that does not exist, a
draft shown to someone who may not see it) becomes the page's error."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from labkit.action_routes import problem
from labkit.actions import Refused

T = TypeVar("T")


async def found(awaitable: Awaitable[T]) -> T:
    """The record ``awaitable`` loads, or the page's 404 when a rule refused it."""
    try:
        return await awaitable
    except Refused as refusal:
        raise problem(refusal) from None

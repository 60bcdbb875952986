"""The ``[plugin.challenges]`` table of ``lab.toml``: the limits on a submission's attachments.

Every key has a default, so a lab needs no table at all; an unknown key (``max_attachmentz``) or
a bad value stops ``labkit check`` and start-up with one line naming it.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from labkit import uploads
from labkit.plugin_settings import PluginSettings

ALLOWED_TYPES = ("pdf", "png", "jpg", "gif", "webp", "zip", "odt", "ods", "odp", "txt")


class ChallengesSettings(PluginSettings):
    """``attachment_types``: the file types a submission may attach (``labkit.uploads`` names);
    ``max_attachment_bytes``: the size limit of one file; ``max_attachments``: files per submission."""

    attachment_types: tuple[str, ...] = ALLOWED_TYPES
    max_attachment_bytes: int = Field(default=1_500_000, gt=0)
    max_attachments: int = Field(default=5, ge=0)

    @field_validator("attachment_types")
    @classmethod
    def _known_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in value if name not in uploads.FILE_TYPES]
        if unknown:
            raise ValueError(f"unknown file type {unknown[0]!r} (known: {', '.join(sorted(uploads.FILE_TYPES))})")
        return value

"""Where a lab keeps the files people upload: one interface, chosen in ``[storage]``.

Plugins never touch the file system for uploads: they hand checked bytes to the lab's
:class:`Storage` (``storage_of(app)``) under a *key* that labkit made, keep the key in their own
table, and read the bytes back to serve them. A key is a short path of lower-case segments
(``challenges/3f9a….pdf``, ``images/1c2e…/480.webp``): :func:`check_key` refuses anything else,
so a name chosen by a visitor can never reach a folder or an object it should not.

The default backend, :class:`LocalStorage`, keeps the files in the lab folder under
``uploads/``. Writes are atomic (a temporary file, then a rename): a reader sees the whole file or
none. A lab served by several machines chooses a backend they share (``[storage] backend``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

_SEGMENT = r"[a-z0-9][a-z0-9_.-]{0,127}"
_KEY = re.compile(rf"^{_SEGMENT}(/{_SEGMENT}){{0,7}}$")


class StorageError(RuntimeError):
    """The storage cannot be used right now (a server down, a full disk, a refused credential).

    The message is one readable sentence for the log or the command line; nothing was half-stored.
    """


class MissingFile(LookupError):
    """No file is stored under this key."""


def check_key(key: str) -> str:
    """Return ``key`` when it is a key labkit makes (lower-case segments joined by ``/``, no
    ``..``), else raise ``ValueError``."""
    if not isinstance(key, str) or not _KEY.match(key) or any(part.strip(".") == "" for part in key.split("/")):
        raise ValueError(f"not a storage key: {key!r}")
    return key


def new_key(area: str, extension: str) -> str:
    """A fresh random key under ``area`` (``"challenges"``) ending in ``.extension``."""
    return check_key(f"{area}/{secrets.token_hex(16)}.{extension}")


class Storage(ABC):
    """A place for a lab's uploaded files, addressed by key. Every method is safe to call
    concurrently; a backend that cannot answer raises :class:`StorageError`."""

    name: str = ""
    """The backend's name in ``[storage] backend``."""

    @abstractmethod
    async def put(self, key: str, data: bytes, *, media_type: str) -> None:
        """Store ``data`` under ``key`` (replacing what was there), all or nothing."""

    @abstractmethod
    async def get(self, key: str) -> bytes:
        """The bytes stored under ``key``; :class:`MissingFile` when there are none."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the file under ``key`` (no error when it is already gone)."""

    @abstractmethod
    async def exists(self, key: str) -> bool:
        """Whether a file is stored under ``key``."""

    @abstractmethod
    def keys(self, prefix: str = "") -> AsyncIterator[str]:
        """Every stored key that starts with ``prefix``, in no promised order."""

    async def close(self) -> None:  # noqa: B027 - most backends hold nothing to release
        """Release connections (the app calls it at shutdown)."""


class LocalStorage(Storage):
    """Files in a folder of the lab (``<lab>/uploads`` by default), one file per key."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, key: str) -> Path:
        """The file that holds ``key`` (checked, inside :attr:`root`)."""
        return self.root.joinpath(*check_key(key).split("/"))

    async def put(self, key: str, data: bytes, *, media_type: str) -> None:
        """Write to a temporary file beside the target, flush it to disk, then rename it."""
        await asyncio.to_thread(self._put, self.path_of(key), data)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except OSError as error:
            raise StorageError(f"the lab's upload folder {path.parent} cannot be written: {error.strerror}") from None
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)

    async def get(self, key: str) -> bytes:
        """Read the whole file."""
        path = self.path_of(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise MissingFile(key) from None
        except OSError as error:
            raise StorageError(f"the lab's upload folder cannot be read: {error.strerror}") from None

    async def delete(self, key: str) -> None:
        """Unlink the file."""
        try:
            self.path_of(key).unlink(missing_ok=True)
        except OSError as error:
            raise StorageError(f"the lab's upload folder cannot be changed: {error.strerror}") from None

    async def exists(self, key: str) -> bool:
        """Whether the file is there."""
        return self.path_of(key).is_file()

    async def keys(self, prefix: str = "") -> AsyncIterator[str]:
        """Walk the folder (temporary files of writes in progress are skipped)."""
        if not self.root.is_dir():
            return
        for folder, _, files in os.walk(self.root):
            relative = Path(folder).relative_to(self.root).as_posix()
            for name in sorted(files):
                key = name if relative == "." else f"{relative}/{name}"
                if not name.startswith(".") and key.startswith(prefix):
                    yield key


def open_storage(settings: Any) -> Storage:
    """The storage ``settings`` (:class:`labkit.config.Settings`) choose in ``[storage]``."""
    return LocalStorage(settings.lab_dir / "uploads")


def storage_of(app: Any) -> Storage:
    """The storage of a running lab (``request.app``), opened when the app was built."""
    return app.state.storage

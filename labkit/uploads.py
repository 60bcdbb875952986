"""File uploads people attach to their contributions: checked, stored safely, served as downloads.

A plugin accepts a file with :func:`store` (the type is checked by its content — the magic bytes
— and not only by its name; the size is capped; nothing is left on disk when it is refused), keeps
the returned :class:`StoredFile` fields in its own table, and serves it back with
:func:`download_response` from a route that has checked the visitor may see it.

Files are kept in the lab's :mod:`labkit.storage` (the lab folder's ``uploads/`` or a shared
bucket) under the key ``<area>/<random>.<ext>``, so a name chosen by a visitor never reaches a
folder or an object. Downloads are always ``attachment`` with ``X-Content-Type-Options: nosniff``
and a sandboxing CSP, so an uploaded file cannot run as a page of the lab.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from labkit.i18n import N_, gettext
from labkit.storage import Storage, check_key, new_key

CHUNK = 64 * 1024
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{1,5}$")


class UploadError(ValueError):
    """A file was refused. ``message`` is a sentence marked with ``N_``; :meth:`text` translates it."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values

    def text(self) -> str:
        """The reason, in the current request's language."""
        return gettext(self.message, **self.values)


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _zip_member(data: bytes, name: str, limit: int = 200) -> bytes | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(name) as member:
            return member.read(limit)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None


def _is_zip(data: bytes) -> bool:
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06")) and _zip_names(data) is not None


def _odf(mimetype: str) -> Callable[[bytes], bool]:
    def check(data: bytes) -> bool:
        return _is_zip(data) and _zip_member(data, "mimetype") == mimetype.encode()
    return check


def _ooxml(folder: str) -> Callable[[bytes], bool]:
    def check(data: bytes) -> bool:
        names = (_zip_names(data) if data.startswith(b"PK\x03\x04") else None) or []
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
    return check


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class FileType:
    """A kind of file people may upload: its name, file-name extensions, media type and the check
    its content must pass."""

    name: str
    extensions: tuple[str, ...]
    media_type: str
    check: Callable[[bytes], bool]


FILE_TYPES: dict[str, FileType] = {t.name: t for t in (
    FileType("pdf", ("pdf",), "application/pdf", lambda d: d.startswith(b"%PDF-")),
    FileType("png", ("png",), "image/png", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    FileType("jpg", ("jpg", "jpeg"), "image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    FileType("gif", ("gif",), "image/gif", lambda d: d.startswith((b"GIF87a", b"GIF89a"))),
    FileType("webp", ("webp",), "image/webp", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP"),
    FileType("zip", ("zip",), "application/zip", _is_zip),
    FileType("odt", ("odt",), "application/vnd.oasis.opendocument.text", _odf("application/vnd.oasis.opendocument.text")),
    FileType("ods", ("ods",), "application/vnd.oasis.opendocument.spreadsheet",
             _odf("application/vnd.oasis.opendocument.spreadsheet")),
    FileType("odp", ("odp",), "application/vnd.oasis.opendocument.presentation",
             _odf("application/vnd.oasis.opendocument.presentation")),
    FileType("docx", ("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ooxml("word/")),
    FileType("xlsx", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ooxml("xl/")),
    FileType("pptx", ("pptx",), "application/vnd.openxmlformats-officedocument.presentationml.presentation", _ooxml("ppt/")),
    FileType("txt", ("txt", "md"), "text/plain; charset=utf-8", _is_text),
    FileType("csv", ("csv",), "text/csv; charset=utf-8", _is_text),
)}
"""The file types labkit knows how to recognise by content. Plugins allow a subset of them."""

ZIP_BASED = {"zip", "odt", "ods", "odp", "docx", "xlsx", "pptx"}


@dataclass(frozen=True)
class StoredFile:
    """A file kept in the lab's storage under ``<area>/<stored_name>``: keep these fields in the
    plugin's own table."""

    stored_name: str
    original_name: str
    file_type: str
    media_type: str
    size: int
    sha256: str


def key_of(area: str, stored_name: str) -> str:
    """The storage key of a stored file, refusing any name that :func:`save` did not make."""
    if not _STORED_NAME.match(stored_name or ""):
        raise ValueError("not a stored file name")
    return check_key(f"{area}/{stored_name}")


def clean_filename(name: str, max_length: int = 150) -> str:
    """A file name safe to show and to offer back in a download: no folders, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".") or "file"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: max_length - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:max_length]
    return name


def extension_of(name: str) -> str:
    """The lower-case extension of ``name`` without the dot (``""`` when it has none)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def describe(allowed: Iterable[str]) -> str:
    """``"PDF, PNG, JPG"``: the allowed types for a form's hint."""
    return ", ".join(name.upper() for name in allowed)


def identify(data: bytes, filename: str, allowed: Iterable[str]) -> FileType:
    """The type of ``data`` named ``filename`` among ``allowed``, or :class:`UploadError`.

    The extension picks the claimed type; the content must then pass that type's check, so a
    renamed executable or page is refused.
    """
    allowed = list(allowed)
    extension = extension_of(filename)
    claimed = next((FILE_TYPES[name] for name in allowed if extension in FILE_TYPES[name].extensions), None)
    if claimed is None:
        raise UploadError(N_("Files of this type are not accepted. Accepted types: %(types)s."), types=describe(allowed))
    if not data:
        raise UploadError(N_("The file is empty."))
    if not claimed.check(data):
        raise UploadError(N_("The content of the file does not match its type (%(type)s)."), type=claimed.name.upper())
    return claimed


def format_size(size: int) -> str:
    """A size for people: ``"2 MB"``, ``"300 KB"``."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.3g} MB"
    return f"{max(1, round(size / 1000))} KB"


async def read_limited(upload: Any, max_bytes: int) -> bytes:
    """Read an uploaded file (a Starlette ``UploadFile``) but never more than ``max_bytes``."""
    chunks, size = [], 0
    while True:
        chunk = await upload.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise UploadError(N_("The file is too large: the limit is %(limit)s."), limit=format_size(max_bytes))
        chunks.append(chunk)
    return b"".join(chunks)


async def check(upload: Any, *, allowed: Iterable[str], max_bytes: int) -> tuple[bytes, FileType, str]:
    """Read and check an upload without storing it: ``(content, type, clean original name)``."""
    filename = clean_filename(getattr(upload, "filename", "") or "")
    data = await read_limited(upload, max_bytes)
    return data, identify(data, filename, allowed), filename


async def save(storage: Storage, area: str, data: bytes, file_type: FileType, original_name: str) -> StoredFile:
    """Keep checked content under a new random name in ``area`` (whole or not at all); a storage
    that cannot take it raises :class:`~labkit.storage.StorageError`."""
    key = new_key(area, file_type.extensions[0])
    await storage.put(key, data, media_type=file_type.media_type)
    return StoredFile(stored_name=key.rpartition("/")[2], original_name=original_name, file_type=file_type.name,
                      media_type=file_type.media_type, size=len(data), sha256=hashlib.sha256(data).hexdigest())


async def store(storage: Storage, area: str, upload: Any, *, allowed: Iterable[str], max_bytes: int) -> StoredFile:
    """Check an upload (type by content, size) and keep it; raise :class:`UploadError` otherwise.

    When the plugin's own database write fails afterwards, call :func:`delete` so that nothing
    is left half-saved.
    """
    data, file_type, filename = await check(upload, allowed=allowed, max_bytes=max_bytes)
    return await save(storage, area, data, file_type, filename)


async def delete(storage: Storage, area: str, stored_name: str) -> None:
    """Remove a stored file (no error when it is already gone or the name is not a stored one)."""
    try:
        key = key_of(area, stored_name)
    except ValueError:
        return
    await storage.delete(key)


def content_disposition(filename: str) -> str:
    """An ``attachment`` header value with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r'[^A-Za-z0-9._ -]', "_", ascii_name).strip() or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def download_response(storage: Storage, area: str, stored_name: str, original_name: str,
                            media_type: str) -> Response:
    """Serve a stored file as a download. Call it only after checking the visitor may see it.

    Raises :class:`~labkit.storage.MissingFile` when the file is missing, ``ValueError`` for a name
    that is not a stored one, :class:`~labkit.storage.StorageError` when the storage cannot answer.
    """
    data = await storage.get(key_of(area, stored_name))
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": content_disposition(clean_filename(original_name)),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    })

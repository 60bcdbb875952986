"""The ``s3`` storage backend: a bucket of S3-compatible object storage that several servers share.

It speaks the S3 protocol through `obstore <https://developmentseed.org/obstore/>`_ (Rust's
``object_store`` crate: natively async, one wheel without dependencies, path-style or virtual-hosted
addressing for MinIO, Garage, Ceph or Amazon S3, request time-outs and bounded retries). It is
imported only when ``[storage] backend = "s3"`` or ``labkit storage migrate`` asks for it, and it
needs the ``labkit[s3]`` extra.

A single ``PUT`` stores an object whole or not at all, so a reader never sees half a file. Every
failure of the service (down, too slow, a refused credential, a missing bucket) becomes a
:class:`~labkit.storage.StorageError` with one sentence that names the server, never the client's
debug dump; a key that is not there is :class:`~labkit.storage.MissingFile`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import obstore
from obstore.exceptions import BaseError, PermissionDeniedError, UnauthenticatedError
from obstore.store import S3Store

from labkit.storage import MissingFile, Storage, StorageError, check_key

_FAILURES = (OSError, BaseError)
"""What obstore raises: ``FileNotFoundError`` for a 404, its ``BaseError`` family for the rest."""
_CREDENTIALS_REFUSED = ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403 Forbidden")


class S3Storage(Storage):
    """Files as objects of one bucket (under ``[storage] prefix`` when set), one object per key."""

    name = "s3"

    def __init__(self, section: Any) -> None:
        """Configure the client from a :class:`labkit.config.StorageSection`; nothing is sent yet."""
        if problem := section.s3_problem():
            raise StorageError(problem)
        self.bucket = section.bucket
        self.where = section.endpoint_url.rstrip("/") or f"Amazon S3 ({section.region})"
        timeout = timedelta(seconds=section.timeout_seconds)
        config: dict[str, Any] = {
            "region": section.region,
            "access_key_id": section.access_key_id,
            "secret_access_key": section.secret_access_key,
            "virtual_hosted_style_request": section.addressing == "virtual",
        }
        if section.endpoint_url:
            config["endpoint"] = section.endpoint_url.rstrip("/")
        self.store = S3Store(
            section.bucket,
            prefix=section.prefix or None,
            config=config,  # type: ignore[arg-type]
            client_options={"allow_http": True, "timeout": timeout,
                            "connect_timeout": min(timeout, timedelta(seconds=5))},
            retry_config={"max_retries": 2, "retry_timeout": timeout},
        )

    async def close(self) -> None:
        """Drop the client and its connection pool: obstore's HTTP threads must not outlive the
        interpreter (a client still holding connections at exit aborts the process)."""
        del self.store

    def __str__(self) -> str:
        return f"the bucket {self.bucket!r} at {self.where}"

    def _failure(self, error: Exception, doing: str) -> StorageError:
        """One readable sentence for what the service answered (its debug dump goes nowhere)."""
        text = str(error)
        if "NoSuchBucket" in text:
            return StorageError(f"the bucket {self.bucket!r} does not exist on {self.where}")
        if isinstance(error, (PermissionDeniedError, UnauthenticatedError)) or any(
                code in text for code in _CREDENTIALS_REFUSED):
            return StorageError(f"{self.where} refused the lab's credentials for the bucket {self.bucket!r} "
                                "(LABKIT_STORAGE_ACCESS_KEY_ID, LABKIT_STORAGE_SECRET_ACCESS_KEY)")
        if "HTTP error" in text or "timed out" in text.lower():
            return StorageError(f"the object storage at {self.where} cannot be reached or did not answer in time "
                                f"(while trying to {doing})")
        summary = text.split("\n", 1)[0].split(": Error performing", 1)[0][:200]
        return StorageError(f"the object storage at {self.where} could not {doing}: {summary}")

    async def put(self, key: str, data: bytes, *, media_type: str) -> None:
        """One ``PUT`` of the whole object, with its media type."""
        try:
            await obstore.put_async(self.store, check_key(key), data, use_multipart=False,
                                    attributes={"Content-Type": media_type})
        except _FAILURES as error:
            raise self._failure(error, f"store {key}") from None

    async def get(self, key: str) -> bytes:
        """The whole object."""
        try:
            result = await obstore.get_async(self.store, check_key(key))
            return bytes(await result.bytes_async())
        except FileNotFoundError as error:
            if "NoSuchBucket" in str(error):
                raise self._failure(error, f"read {key}") from None
            raise MissingFile(key) from None
        except _FAILURES as error:
            raise self._failure(error, f"read {key}") from None

    async def delete(self, key: str) -> None:
        """Remove the object (S3 answers the same when it was already gone)."""
        try:
            await obstore.delete_async(self.store, check_key(key))
        except FileNotFoundError:
            return
        except _FAILURES as error:
            raise self._failure(error, f"remove {key}") from None

    async def exists(self, key: str) -> bool:
        """A ``HEAD`` of the object."""
        try:
            await obstore.head_async(self.store, check_key(key))
        except FileNotFoundError:
            return False
        except _FAILURES as error:
            raise self._failure(error, f"look for {key}") from None
        return True

    async def keys(self, prefix: str = "") -> AsyncIterator[str]:
        """List the bucket under the folder part of ``prefix`` (S3 lists by whole path segments),
        keeping the keys that start with ``prefix``."""
        folder = prefix.rpartition("/")[0] or None
        try:
            async for batch in obstore.list(self.store, prefix=folder):
                for meta in batch:
                    if meta["path"].startswith(prefix):
                        yield meta["path"]
        except _FAILURES as error:
            raise self._failure(error, "list the bucket") from None

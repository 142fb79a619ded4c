"""S3-compatible buckets: where one is (``s3://bucket/prefix``), how to reach it, and the few calls
balita makes (read, write, delete), each failure one line.

Endpoint, region and profile come from the standard AWS variables first (``AWS_ENDPOINT_URL``,
``AWS_REGION``, ``AWS_PROFILE``), then ``[s3]`` in balita.toml; credentials only from the AWS
chain (variables, shared files, profiles, SSO, the machine's role), never from balita.toml.
Writes can be conditional (``If-Match`` / ``If-None-Match``): a refused condition is a
:class:`Conflict`, so two writers of the same object find out instead of overwriting each other.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from balita_cli.config import S3
from balita_cli.errors import BalitaError, Conflict, InvalidInput

SCHEME = "s3://"
# S3's rules for a bucket name: 3-63 lower-case letters, digits, dots and hyphens.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_UNSAFE_KEY = re.compile(r"[\x00-\x1f\x7f\\]")
ADDRESSING_STYLES = ("path", "virtual", "auto")
DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes
MISSING = ("404", "NoSuchKey", "NotFound")
REFUSED_CONDITION = ("412", "PreconditionFailed", "409", "ConditionalRequestConflict")


class BucketError(BalitaError):
    """A bucket that cannot be reached, or a request it refused."""


def is_bucket_url(text: str) -> bool:
    return text.startswith(SCHEME)


def check_key_part(relative: str) -> str:
    """A path below the prefix: plain parts, no control characters or backslashes."""
    parts = relative.split("/")
    if not relative or _UNSAFE_KEY.search(relative) or any(part in ("", ".", "..") for part in parts):
        raise InvalidInput(f"not a plain object path: {relative[:120]!r}")
    return relative


@dataclass(frozen=True)
class BucketUrl:
    """``s3://bucket/prefix``: the prefix is empty or ends with ``/``."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, text: str) -> BucketUrl:
        if not is_bucket_url(text):
            raise InvalidInput(f"not a bucket URL (s3://bucket/prefix): {text[:120]!r}")
        bucket, _, prefix = text[len(SCHEME) :].partition("/")
        if not _BUCKET.fullmatch(bucket) or ".." in bucket:
            raise InvalidInput(f"not a bucket name: {bucket[:80]!r} (3-63 lower-case letters, digits, '.' and '-')")
        prefix = prefix.strip("/")
        if prefix:
            check_key_part(prefix)
        return cls(bucket, f"{prefix}/" if prefix else "")

    def key(self, relative: str) -> str:
        return self.prefix + check_key_part(relative)

    def __str__(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    etag: str


def client_settings(s3: S3) -> dict[str, Any]:
    """The client's endpoint, region and profile: the AWS variables, else ``[s3]``."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or s3.endpoint_url
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or s3.region or "us-east-1"
    profile = os.environ.get("AWS_PROFILE") or s3.profile
    style = s3.addressing_style or ("path" if endpoint else "auto")
    if style not in ADDRESSING_STYLES:
        raise InvalidInput(f"[s3] addressing_style must be one of {', '.join(ADDRESSING_STYLES)}, not {style!r}")
    if endpoint and not re.fullmatch(r"https?://[^\s/]+/?", endpoint):
        raise InvalidInput(f"not an S3 endpoint URL (http(s)://host[:port]): {endpoint[:120]!r}")
    return {"endpoint_url": endpoint or None, "region": region, "profile": profile or None, "style": style}


class Bucket:
    """One bucket and prefix, reached with boto3 (made when first used: ``--help`` loads none)."""

    def __init__(self, url: BucketUrl, s3: S3) -> None:
        self.url = url
        self.settings = client_settings(s3)
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError

            config = Config(
                s3={"addressing_style": self.settings["style"]},
                retries={"mode": "standard", "max_attempts": 5},
                connect_timeout=10,
                read_timeout=60,
                max_pool_connections=16,
                # Checksums only where an operation requires one: S3-compatible servers that
                # predate the newer checksum headers refuse them.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            try:
                session = boto3.session.Session(profile_name=self.settings["profile"])
                self._client = session.client(
                    "s3", endpoint_url=self.settings["endpoint_url"], region_name=self.settings["region"], config=config
                )
            except BotoCoreError as exc:
                raise BucketError(f"cannot open {self.url}: {exc}") from None
        return self._client

    def read(self, relative: str) -> StoredObject | None:
        """The object's bytes and ETag; None when there is none."""
        key = self.url.key(relative)
        with self._failures(key, missing_ok=True) as found:
            answer = self.client.get_object(Bucket=self.url.bucket, Key=key)
            found.append(StoredObject(answer["Body"].read(), answer["ETag"]))
        return found[0] if found else None

    def exists(self, relative: str) -> bool:
        key = self.url.key(relative)
        with self._failures(key, missing_ok=True) as found:
            self.client.head_object(Bucket=self.url.bucket, Key=key)
            found.append(True)
        return bool(found)

    def download(self, relative: str) -> bytes | None:
        stored = self.read(relative)
        return stored.data if stored is not None else None

    def write(
        self,
        relative: str,
        data: bytes,
        *,
        content_type: str,
        cache_control: str = "",
        redirect: str = "",
        if_match: str = "",
        if_absent: bool = False,
    ) -> str:
        """Put the object; with ``if_match`` (an ETag) or ``if_absent`` only on that condition
        (a :class:`Conflict` otherwise). Returns the new ETag."""
        key = self.url.key(relative)
        extra: dict[str, Any] = {}
        if cache_control:
            extra["CacheControl"] = cache_control
        if redirect:
            extra["WebsiteRedirectLocation"] = redirect
        if if_match:
            extra["IfMatch"] = if_match
        elif if_absent:
            extra["IfNoneMatch"] = "*"
        with self._failures(key):
            answer = self.client.put_object(
                Bucket=self.url.bucket, Key=key, Body=data, ContentType=content_type, **extra
            )
        return str(answer.get("ETag", ""))

    def delete(self, relatives: Sequence[str]) -> None:
        """Delete these objects (one request per thousand); one already gone is no error."""
        keys = [self.url.key(relative) for relative in relatives]
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start : start + DELETE_BATCH]
            with self._failures(batch[0]):
                answer = self.client.delete_objects(
                    Bucket=self.url.bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
                )
            errors = [error for error in answer.get("Errors", []) if error.get("Code") not in MISSING]
            if errors:
                first = errors[0]
                raise BucketError(
                    f"cannot delete {SCHEME}{self.url.bucket}/{first.get('Key')}: "
                    f"{first.get('Code')} ({first.get('Message', '')})"
                )

    def keys(self) -> Iterator[str]:
        """Every object under the prefix, relative to it (a full listing: for checks, not deploys)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.url.bucket, Prefix=self.url.prefix)
        with self._failures(self.url.prefix or "/"):
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.url.prefix) :]

    def _failures(self, key: str, *, missing_ok: bool = False) -> _Failures:
        return _Failures(self, key, missing_ok)


class _Failures:
    """Turns boto3's exceptions into one-line errors (a missing object, when allowed, into nothing)."""

    def __init__(self, bucket: Bucket, key: str, missing_ok: bool) -> None:
        self.where = f"{SCHEME}{bucket.url.bucket}/{key}"
        self.endpoint = bucket.settings["endpoint_url"] or "AWS"
        self.missing_ok = missing_ok
        self.found: list[Any] = []

    def __enter__(self) -> list[Any]:
        return self.found

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _trace: Any) -> bool:
        if exc is None:
            return False
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        if isinstance(exc, NoCredentialsError):
            raise BucketError(
                f"no credentials for {self.where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "or AWS_PROFILE ([s3] profile in balita.toml)"
            ) from None
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
            if self.missing_ok and (code in MISSING or status == "404"):
                return True
            if code in REFUSED_CONDITION or status in ("412",):
                raise Conflict(f"{self.where} was changed by someone else meanwhile ({code or status})") from None
            message = str(error.get("Message", "")) or status
            raise BucketError(f"{self.where}: {code or status} ({message})") from None
        if isinstance(exc, BotoCoreError):
            raise BucketError(f"cannot reach {self.endpoint} for {self.where}: {exc}") from None
        return False

"""Standard Webhooks signatures (https://www.standardwebhooks.com): what a receiver checks with
any of the reference libraries.

A secret is ``whsec_`` and the base64 of 24 to 64 random bytes, one per destination. Each request
carries ``webhook-id`` (the same for every try of one event to one destination, so a receiver can
drop what it has seen), ``webhook-timestamp`` (the try's Unix time, which the receiver compares
with its clock) and ``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256, keyed with the
decoded secret, of ``<id>.<timestamp>.<body>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from balita_cli.errors import InvalidInput

PREFIX = "whsec_"
NEW_SECRET_BYTES = 32
SMALLEST, LARGEST = 24, 64  # bytes of a key, as the specification asks


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(NEW_SECRET_BYTES)).decode("ascii")


def check_secret(text: str) -> str:
    """A ``whsec_`` secret as given (surrounding space and a final newline dropped), or one line
    saying what is wrong with it: never the secret itself."""
    secret = text.strip()
    if not secret.startswith(PREFIX):
        raise InvalidInput(f"a secret starts with {PREFIX} followed by base64 (balita makes one when none is given)")
    try:
        key = base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"the secret is not {PREFIX} followed by base64") from None
    if not SMALLEST <= len(key) <= LARGEST:
        raise InvalidInput(f"the secret holds {len(key)} bytes; a key of {SMALLEST} to {LARGEST} bytes is needed")
    return secret


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = message_id.encode("ascii") + b"." + str(timestamp).encode("ascii") + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of a signed request."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }

"""Admin PIN hashing: scrypt with a random salt, so a copied database does not reveal the PIN."""
from __future__ import annotations

import hashlib
import hmac
import os

from .errors import FaceGateError

MIN_PIN_LENGTH = 4
# scrypt cost: ~16 MiB and tens of milliseconds per try, which makes guessing a short PIN from a
# stolen hash slow while a kiosk check stays instant.
_N, _R, _P, _DKLEN = 2**14, 8, 1, 32


def _derive(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_DKLEN, maxmem=2**26)


def hash_pin(pin: str) -> str:
    """A self-describing string 'scrypt$n$r$p$salt$hash' to store in Settings.admin_pin_hash."""
    if len(pin) < MIN_PIN_LENGTH:
        raise FaceGateError(f"the PIN must have at least {MIN_PIN_LENGTH} characters")
    salt = os.urandom(16)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${_derive(pin, salt, _N, _R, _P).hex()}"


def verify_pin(pin: str, stored: str | None) -> bool:
    """True only if pin matches stored; a missing or malformed hash never matches."""
    try:
        scheme, n, r, p, salt, expected = (stored or "").split("$")
        if scheme != "scrypt":
            return False
        actual = _derive(pin, bytes.fromhex(salt), int(n), int(r), int(p))
        return hmac.compare_digest(actual, bytes.fromhex(expected))
    except ValueError:
        return False

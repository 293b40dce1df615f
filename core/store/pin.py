"""Admin PIN: scrypt with a random salt (a copied database does not reveal the PIN), and a back-off
that doubles after a few wrong tries, kept in the database so a restart does not reset it."""

from __future__ import annotations

import hashlib
import hmac
import math
import os
from datetime import UTC, datetime

from core.errors import FaceGateError, StoreError

MIN_PIN_LENGTH = 6
FREE_TRIES = 3  # wrong PINs in a row before the back-off starts
FIRST_WAIT_S = 5.0
MAX_WAIT_S = 3600.0
# scrypt cost: ~16 MiB and tens of milliseconds per try, which makes guessing a PIN from a stolen
# hash slow while a kiosk check stays instant.
_N, _R, _P, _DKLEN = 2**14, 8, 1, 32


class PinRefused(FaceGateError):
    """A wrong PIN, or a try made while the back-off still runs."""


def _derive(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_DKLEN, maxmem=2**26)


def hash_pin(pin: str) -> str:
    """A self-describing string 'scrypt$n$r$p$salt$hash' to store in Settings.admin_pin_hash."""
    if len(pin) < MIN_PIN_LENGTH or not (pin.isascii() and pin.isdigit()):
        raise FaceGateError(f"the PIN must be at least {MIN_PIN_LENGTH} digits")
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    if steps <= {0} or steps == {1} or steps == {-1}:
        # The first PINs anyone tries (000000, 123456, 654321): the back-off allows only a few guesses.
        raise FaceGateError("that PIN is easy to guess (one digit repeated, or digits in a row): choose another")
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


def wait_after(failures: int) -> float:
    """Seconds the next try is refused after `failures` wrong PINs in a row: none for the first
    FREE_TRIES - 1, then FIRST_WAIT_S doubling with each further one, at most MAX_WAIT_S."""
    if failures < FREE_TRIES:
        return 0.0
    return min(FIRST_WAIT_S * 2 ** (failures - FREE_TRIES), MAX_WAIT_S)


def check_pin(store, pin: str, actor: str = "kiosk") -> None:
    """Passes when no PIN is set or pin is right; PinRefused (audited) otherwise, or while the
    back-off from earlier wrong tries runs (checked before the PIN, so waiting is the only way).
    StoreError, without checking the PIN, where the try cannot be recorded (a read-only database):
    a try nobody counts would be a free guess."""
    try:
        ok, state = store.pin_try(lambda stored: verify_pin(pin, stored), wait_after, actor=actor)
    except StoreError as exc:
        raise StoreError(f"cannot record a PIN try, so the PIN was not checked: {exc}") from exc
    if ok:
        return
    if ok is None:
        assert state.locked_until is not None  # pin_try answers None only while the back-off runs
        left = math.ceil((state.locked_until - datetime.now(UTC)).total_seconds())
        raise PinRefused(f"too many wrong PINs: try again in {max(left, 1)} s")
    wait = wait_after(state.failures)
    raise PinRefused(f"Wrong PIN; try again in {math.ceil(wait)} s." if wait else "Wrong PIN.")

"""Face data at rest: AES-GCM with a key kept outside the database.

The key is 32 random bytes in a file (mode 0600) in the user config folder, or at FACEGATE_KEY_FILE
for a site whose kiosks share one key. The database keeps only a fingerprint of it, so a wrong or
missing key is told apart from damaged data. Only core.store.keys calls this module.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.errors import FaceGateError

KEY_BYTES = 32
NONCE_BYTES = 12
MAGIC = b"FGE1"  # marks a sealed value; a JPEG starts with FF D8 and an embedding is length 4 * dim
OVERHEAD = len(MAGIC) + NONCE_BYTES + 16  # the GCM tag
log = logging.getLogger(__name__)


class KeyFileError(FaceGateError):
    """The face-data key is missing, unreadable or not the one the database was sealed with."""


def fingerprint(key: bytes) -> str:
    """What the database stores to recognise its key; reveals nothing about a 256-bit random key."""
    return hashlib.sha256(b"facegate-key-id" + key).hexdigest()[:32]


def read_key(path: Path) -> bytes | None:
    """The key at path, None when there is no file; KeyFileError when it cannot be used."""
    try:
        key = path.read_bytes()
        _check_mode(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KeyFileError(f"cannot read the face-data key file {path}: {exc.strerror}") from exc
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"the face-data key file {path} is not a FaceGate key ({len(key)} bytes, need {KEY_BYTES})")
    return key


def _check_mode(path: Path) -> None:
    """As ssh treats a private key: refused when others may write it (they could swap in their own
    key), warned about when others may read it or it is a link (whoever controls the link chooses the key)."""
    if os.name != "posix":  # Windows keeps access in ACLs, which the mode does not show
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise KeyFileError(
            f"the face-data key file {path} is refused: others may write it (mode {stat.S_IMODE(mode):o}); "
            f"make it private: chmod 600 {path}"
        )
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        log.warning("the face-data key file %s is not private: others may read it; chmod 600 %s", path, path)
    if path.is_symlink():
        log.warning("the face-data key file %s is a symbolic link to %s", path, path.resolve())


def create_key(path: Path) -> bytes:
    """A new random key written with mode 0600 (O_EXCL: never overwrites a key someone else made)."""
    return write_key(path, os.urandom(KEY_BYTES))


def write_key(path: Path, key: bytes) -> bytes:
    """key written to path with mode 0600, unless a key is there already (O_EXCL: never overwritten);
    returns the key the file holds now."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        existing = read_key(path)  # another process made it first
        assert existing is not None
        return existing
    except OSError as exc:
        raise KeyFileError(
            f"cannot create the face-data key file {path}: {exc.strerror}; set FACEGATE_KEY_FILE to a writable path"
        ) from exc
    with os.fdopen(fd, "wb") as f:
        f.write(key)
        f.flush()
        os.fsync(f.fileno())
    return key


@dataclass(frozen=True)
class Sealer:
    """Encrypts and decrypts values; aad (core.store.keys) binds each to its place, so none can be moved."""

    key: bytes

    def seal(self, data: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return MAGIC + nonce + AESGCM(self.key).encrypt(nonce, data, aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        if not is_sealed(sealed):
            return sealed  # not yet sealed: the Store seals such rows when it opens the database
        nonce = sealed[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
        try:
            return AESGCM(self.key).decrypt(nonce, sealed[len(MAGIC) + NONCE_BYTES :], aad)
        except InvalidTag as exc:
            raise KeyFileError(
                "face data does not decrypt with this key: it was damaged, moved to another row, or sealed with another key"
            ) from exc

    @property
    def id(self) -> str:
        return fingerprint(self.key)


def is_sealed(value: bytes) -> bool:
    return value[: len(MAGIC)] == MAGIC and len(value) >= OVERHEAD

"""Width and height from an image file's header, read before anything is decoded.

A 430 KB PNG can declare 20000x20000 pixels and cost gigabytes to decode; reading its size first
lets the loader refuse it. Covers the formats FaceGate reads (JPEG, PNG, BMP, WebP, TIFF).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Header:
    format: str
    width: int
    height: int
    # False when a PNG or JPEG lacks its end marker: cut short. The decoders would print their
    # complaints about such a file straight to the terminal, so the loader refuses it first.
    complete: bool = True


class UnknownFormat(ValueError):
    """The bytes do not start like any format FaceGate reads."""


class BadHeader(ValueError):
    """The bytes start like a known format but its header is cut short or malformed."""


FORMATS = "JPEG, PNG, BMP, WebP or TIFF"


def read_header(data: bytes) -> Header:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return replace(_png(data), complete=data.rfind(b"IEND") >= 0)
    if data.startswith(b"\xff\xd8"):
        return replace(_jpeg(data), complete=data.rfind(b"\xff\xd9") >= 0)
    if data.startswith(b"BM"):
        return _bmp(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _webp(data)
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return _tiff(data)
    raise UnknownFormat(f"not a {FORMATS} file")


def _unpack(fmt: str, data: bytes, offset: int) -> tuple[int, ...]:
    try:
        return struct.unpack_from(fmt, data, offset)
    except struct.error:
        raise BadHeader("its header is cut short") from None


def _png(data: bytes) -> Header:
    if data[12:16] != b"IHDR":
        raise BadHeader("PNG without an IHDR header")
    width, height = _unpack(">II", data, 16)
    return Header("PNG", width, height)


# Start-of-frame markers carry the size; C4 (Huffman tables), C8 (reserved) and CC (arithmetic
# coding) share the range but are not frames.
_JPEG_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers that stand alone, without a length.
_JPEG_STANDALONE = set(range(0xD0, 0xD9)) | {0x01}


def _jpeg(data: bytes) -> Header:
    offset = 2
    while True:
        # Any number of 0xFF fill bytes may precede a marker.
        while offset < len(data) and data[offset] == 0xFF:
            offset += 1
        if offset >= len(data):
            raise BadHeader("JPEG ends before its frame header")
        marker = data[offset]
        offset += 1
        if marker in _JPEG_STANDALONE:
            continue
        if marker == 0xD9 or marker == 0xDA:
            raise BadHeader("JPEG has no frame header before its image data")
        (length,) = _unpack(">H", data, offset)
        if marker in _JPEG_FRAMES:
            height, width = _unpack(">HH", data, offset + 3)
            return Header("JPEG", width, height)
        if length < 2:
            raise BadHeader("JPEG segment with an impossible length")
        offset += length


def _bmp(data: bytes) -> Header:
    (header_size,) = _unpack("<I", data, 14)
    if header_size == 12:  # the old OS/2 header: 16-bit sizes
        width, height = _unpack("<HH", data, 18)
    else:
        width, height = _unpack("<ii", data, 18)
    # A negative height means rows are stored top-down.
    return Header("BMP", abs(width), abs(height))


def _webp(data: bytes) -> Header:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise BadHeader("WebP (lossy) without a frame start code")
        width, height = _unpack("<HH", data, 26)
        return Header("WebP", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        (bits,) = _unpack("<I", data, 21)
        return Header("WebP", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        raw = data[24:30]
        if len(raw) < 6:
            raise BadHeader("its header is cut short")
        width = int.from_bytes(raw[:3], "little") + 1
        height = int.from_bytes(raw[3:], "little") + 1
        return Header("WebP", width, height)
    raise BadHeader(f"WebP with an unknown first chunk {chunk!r}")


def _tiff(data: bytes) -> Header:
    order = "<" if data[:2] == b"II" else ">"
    (ifd,) = _unpack(order + "I", data, 4)
    (count,) = _unpack(order + "H", data, ifd)
    size: dict[int, int] = {}
    for entry in range(count):
        tag, kind = _unpack(order + "HH", data, ifd + 2 + 12 * entry)
        if tag in (256, 257):
            # SHORT values sit in the first two bytes of the value field, LONG in all four.
            (size[tag],) = _unpack(order + ("H" if kind == 3 else "I"), data, ifd + 2 + 12 * entry + 8)
    if 256 not in size or 257 not in size:
        raise BadHeader("TIFF without its width and height tags")
    return Header("TIFF", size[256], size[257])

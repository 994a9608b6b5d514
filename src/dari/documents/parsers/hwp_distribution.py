"""배포용 (distribution) HWP documents: the body sits in encrypted `ViewText/SectionN` streams.

Each stream starts with a `HWPTAG_DISTRIBUTE_DOC_DATA` record of 256 bytes, scrambled with the
MSVC `rand()` sequence seeded by its first four bytes; once unscrambled, 16 bytes at offset
`4 + (seed & 0xF)` are the AES-128 key for the rest of the stream (ECB). The result is the
ordinary (possibly compressed) section. Anything that does not decode into valid records
fails with a reason instead of producing garbage text.
"""

from __future__ import annotations

import struct

from dari.documents.parsers.base import ParseError
from dari.documents.parsers.hwp_records import TAG_DISTRIBUTE_DOC_DATA

_FAILED = (
    "The 배포용 (distribution) HWP document could not be decrypted; open it in 한글 and save a "
    "normal copy (다른 이름으로 저장) to upload."
)


def _msvc_rand(seed: int) -> object:
    state = seed & 0xFFFFFFFF

    def rand() -> int:
        nonlocal state
        state = (state * 214013 + 2531011) & 0xFFFFFFFF
        return (state >> 16) & 0x7FFF

    return rand


def distribution_key(payload: bytes) -> bytes:
    """The AES key hidden in the 256-byte distribution record."""
    if len(payload) != 256:
        raise ParseError("encrypted", _FAILED)
    (seed,) = struct.unpack_from("<I", payload, 0)
    rand = _msvc_rand(seed)
    decoded = bytearray(payload)
    key_byte, remaining = 0, 0
    for index in range(256):
        if remaining == 0:
            key_byte = rand() & 0xFF  # type: ignore[operator]
            remaining = (rand() & 0xF) + 1  # type: ignore[operator]
        if index >= 4:
            decoded[index] ^= key_byte
        remaining -= 1
    offset = 4 + (seed & 0xF)
    return bytes(decoded[offset : offset + 16])


def decrypt_view_text(raw: bytes, stream: str) -> bytes:
    """Decrypt one ViewText section; raises `ParseError("encrypted")` when that is impossible."""
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:  # pragma: no cover - cryptography ships with the auth dependencies
        raise ParseError("encrypted", _FAILED) from None
    if len(raw) < 4 + 256:
        raise ParseError("encrypted", _FAILED)
    (header,) = struct.unpack_from("<I", raw, 0)
    tag, size = header & 0x3FF, header >> 20
    if tag != TAG_DISTRIBUTE_DOC_DATA or size != 256:
        raise ParseError("encrypted", _FAILED)
    key = distribution_key(raw[4:260])
    body = raw[260:]
    body = body[: len(body) - len(body) % 16]
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305 - the format's
    return decryptor.update(body) + decryptor.finalize()

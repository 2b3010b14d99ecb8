"""Compression as cluster-glue's `cl_compress.c` and its zlib/bz2 plugins do it.

* zlib: `compress()` (RFC 1950 stream, default level) — Python's `zlib.compress`
  produces the identical bytes.
* bz2: `BZ2_bzBuffToBuffCompress(..., blockSize100k=1, verbosity=0, workFactor=30)`.

Whole-message ("traditional") compression replaces a message by one with exactly two
fields, `(1)_compressed_payload` and `(0)_compression_algorithm`; the payload is the
classic text of the original message plus its terminating NUL (netstring without
trailer when the message has struct/compressed fields). Field-level compression
(type 4) stores the compressed wire form of the nested message, and the parent
message names the algorithm in its `_compression_algorithm` field.

Decompression is bounded: output beyond the limit is never produced.
"""

from __future__ import annotations

import bz2
import zlib

from .errors import DecodeError, DropReason, EncodeError
from .message import Field, FieldType, Message

COMPRESSED_FIELD = "_compressed_payload"
COMPRESS_NAME = "_compression_algorithm"
ALGORITHMS = ("zlib", "bz2")
DEFAULT_ALGORITHM = "zlib"
DEFAULT_THRESHOLD_KIB = 2  # ha.cf compression_threshold default


def needs_compression(encoded_len: int, threshold: int | None) -> bool:
    """cl_msg.c msg2wirefmt_ll: compress when the plain encoding is longer than the threshold."""
    return threshold is not None and encoded_len > threshold


def envelope(payload: bytes, algorithm: str = DEFAULT_ALGORITHM) -> Message:
    """cl_compressmsg: the two-field message that carries a compressed one."""
    return Message(
        [
            Field(COMPRESSED_FIELD, compress(payload, algorithm), FieldType.BINARY),
            Field(COMPRESS_NAME, algorithm, FieldType.STRING),
        ]
    )


def compress(data: bytes, algorithm: str = DEFAULT_ALGORITHM) -> bytes:
    if algorithm == "zlib":
        return zlib.compress(data)
    if algorithm == "bz2":
        return bz2.compress(data, 1)
    raise EncodeError(f"unknown compression algorithm {algorithm!r}")


def decompress(data: bytes, algorithm: str, limit: int) -> bytes:
    """Inflate `data`, refusing to produce more than `limit` bytes."""
    if algorithm == "zlib":
        zd = zlib.decompressobj()
        try:
            out = zd.decompress(data, limit + 1)
        except zlib.error as exc:
            raise DecodeError(DropReason.BAD_COMPRESSION, str(exc)) from None
        if len(out) > limit or zd.unconsumed_tail:
            raise DecodeError(DropReason.DECOMPRESSED_TOO_BIG, f"more than {limit} bytes")
        if not zd.eof or zd.unused_data:
            raise DecodeError(DropReason.BAD_COMPRESSION, "truncated or trailing zlib data")
        return out
    if algorithm == "bz2":
        bd = bz2.BZ2Decompressor()
        try:
            out = bd.decompress(data, limit + 1)
        except (OSError, EOFError, ValueError) as exc:
            raise DecodeError(DropReason.BAD_COMPRESSION, str(exc)) from None
        if len(out) > limit or (not bd.eof and not bd.needs_input):
            raise DecodeError(DropReason.DECOMPRESSED_TOO_BIG, f"more than {limit} bytes")
        if not bd.eof or bd.unused_data:
            raise DecodeError(DropReason.BAD_COMPRESSION, "truncated or trailing bz2 data")
        return out
    raise DecodeError(DropReason.UNKNOWN_COMPRESSION, repr(algorithm)[:40])

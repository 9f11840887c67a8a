"""ISA-L in zipfile's streams: the same deflate format every program reads, inflated two to three
times and deflated about four times as fast as zlib (the safety scan reads every byte of every
sheet; a master's sheets are hundreds of MB of XML to write). zipfile still opens each part,
checks or writes its header, sizes and CRC; only its inflater or deflater is swapped, before any
byte passes. Without ISA-L installed, zlib's as zipfile has it.
"""

from __future__ import annotations

import zipfile
import zlib
from typing import IO, Any, cast

_INFLATE: Any = None
_DEFLATE: Any = None
_DEFLATED = zlib.DEFLATED
#: what inflating a damaged part raises (ISA-L's error is not zlib's)
INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error,)
try:
    from isal import isal_zlib

    _INFLATE, _DEFLATE, _DEFLATED = isal_zlib.decompressobj, isal_zlib.compressobj, \
        isal_zlib.DEFLATED
    INFLATE_ERRORS = (zlib.error, cast(type[Exception], isal_zlib.error))
except ImportError:  # pragma: no cover - zlib's then, as zipfile has it
    pass


def open_part(archive: zipfile.ZipFile, part: str) -> IO[bytes]:
    """A zip member opened by zipfile (which checks its header, its declared size and its
    CRC), inflated by ISA-L when it is installed."""
    stream: Any = archive.open(part)
    if (_INFLATE is not None and getattr(stream, "_compress_type", None) == zipfile.ZIP_DEFLATED
            and hasattr(stream, "_decompressor")):
        stream._decompressor = _INFLATE(-zlib.MAX_WBITS)  # before any byte is read
    return stream  # type: ignore[no-any-return]


def faster_deflate(target: Any, level: int | None) -> None:
    """A part being written (zipfile's stream from `ZipFile.open(info, "w")`) deflated by ISA-L
    at `level` (ISA-L's 0-3; a four-quarter master's 130 MB Measures sheet: 0.12 against 0.54
    CPU-s at zlib's level 2, and 5% smaller). zlib's when ISA-L is not installed or the level is
    zlib's default (None)."""
    if _DEFLATE is None or level is None or getattr(target, "_compressor", None) is None:
        return
    target._compressor = _DEFLATE(min(max(level, 0), 3), _DEFLATED, -15)  # before any byte

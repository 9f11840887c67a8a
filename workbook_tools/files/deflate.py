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
_CRC32: Any = None
_DEFLATED = zlib.DEFLATED
#: what inflating a damaged part raises (ISA-L's error is not zlib's)
INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error,)
try:
    from isal import isal_zlib

    _INFLATE, _DEFLATE, _DEFLATED = isal_zlib.decompressobj, isal_zlib.compressobj, \
        isal_zlib.DEFLATED
    _CRC32 = isal_zlib.crc32
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
        if type(stream) is zipfile.ZipExtFile and _CRC32 is not None:
            stream.__class__ = _Part  # its sum too, as it is read
    return stream  # type: ignore[no-any-return]


class _Part(zipfile.ZipExtFile):
    """zipfile's stream of a part, whose CRC-32 is checked as zipfile checks it, the same sum
    worked out by ISA-L: twenty times as fast as zlib's (a return's 900 KB Measures sheet:
    0.01 against 0.27 ms, a quarter of inflating it)."""

    def _update_crc(self, newdata: bytes) -> None:
        # zipfile's own (ZipExtFile._update_crc), with ISA-L's crc32
        if self._expected_crc is None:  # type: ignore[attr-defined]
            return  # no sum to check against
        self._running_crc = _CRC32(newdata, self._running_crc)  # type: ignore[has-type]
        if self._eof and self._running_crc != self._expected_crc:  # type: ignore[attr-defined]
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {self.name!r}")


def faster_deflate(target: Any, level: int | None) -> None:
    """A part being written (zipfile's stream from `ZipFile.open(info, "w")`) deflated by ISA-L
    at `level` (ISA-L's 0-3; a four-quarter master's 130 MB Measures sheet: 0.12 against 0.54
    CPU-s at zlib's level 2, and 5% smaller). zlib's when ISA-L is not installed or the level is
    zlib's default (None)."""
    if _DEFLATE is None or level is None or getattr(target, "_compressor", None) is None:
        return
    target._compressor = deflater(level)  # before any byte


def deflater(level: int | None) -> Any:
    """A raw deflate compressor as `faster_deflate` gives a part being written: ISA-L's at
    `level` where it is installed and a level is given, else zlib's at that level (its default
    for None)."""
    if _DEFLATE is not None and level is not None:
        return _DEFLATE(min(max(level, 0), 3), _DEFLATED, -15)
    return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION if level is None else level,
                            zlib.DEFLATED, -15)


def crc32(data: bytes | memoryview, value: int = 0) -> int:
    """The CRC-32 zip keeps of a part (ISA-L's where installed: the same sum, faster)."""
    return int(_CRC32(data, value)) if _CRC32 is not None else zlib.crc32(data, value)

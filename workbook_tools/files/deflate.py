"""ISA-L in zipfile's streams: the same deflate format every program reads, inflated two to three
times and deflated about four times as fast as zlib (the safety scan reads every byte of every
sheet; a master's sheets are hundreds of MB of XML to write). zipfile still opens each part,
checks or writes its header, sizes and CRC; only its inflater or deflater is swapped, before any
byte passes. Without ISA-L installed, zlib's as zipfile has it.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, Any, cast

_INFLATE: Any = None
_DEFLATE: Any = None
_CRC32: Any = None
#: the CRC-32 of two pieces one after the other from each one's (ISA-L's; None without it)
crc32_combine: Any = None
_DEFLATED = zlib.DEFLATED
#: a flush after which what follows is deflated without reference to what came before
FULL_FLUSH = zlib.Z_FULL_FLUSH
#: what inflating a damaged part raises (ISA-L's error is not zlib's)
INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error,)
try:
    from isal import isal_zlib

    _INFLATE, _DEFLATE, _DEFLATED = isal_zlib.decompressobj, isal_zlib.compressobj, \
        isal_zlib.DEFLATED
    _CRC32 = isal_zlib.crc32
    crc32_combine = isal_zlib.crc32_combine
    INFLATE_ERRORS = (zlib.error, cast(type[Exception], isal_zlib.error))
except ImportError:  # pragma: no cover - zlib's then, as zipfile has it
    pass


def open_part(archive: zipfile.ZipFile, part: str, hashed: bool = False) -> IO[bytes]:
    """A zip member opened by zipfile (which checks its header, its declared size and its
    CRC), inflated by ISA-L when it is installed. `hashed`: its bytes as stored (deflated) are
    hashed as they are read (`StoredDigest`); `packed_digest` then reads the rest and gives the
    digest. The bytes it is of are those the stream inflated, each read once (the stream is
    never sought back): a file put in the member's place between two reads cannot give other
    rows under the same digest."""
    stream: Any = archive.open(part)
    if stream.__class__ is not zipfile.ZipExtFile:  # (zipfile's own, always, for reading)
        if hashed:
            raise ValueError(f"{part}: not a stream whose bytes can be hashed")
        return stream  # type: ignore[no-any-return]
    packed = None
    if hashed:
        packed = StoredDigest()
        stream._info = archive.getinfo(part)  # type: ignore[attr-defined]  # (the entry opened)
    if (_INFLATE is not None and getattr(stream, "_compress_type", None) == zipfile.ZIP_DEFLATED
            and hasattr(stream, "_decompressor")):
        stream._decompressor = _INFLATE(-zlib.MAX_WBITS)  # before any byte is read
    stream.__class__ = _Part  # its sum (ISA-L's) and its stored bytes' digest, as it is read
    stream._packed = packed  # type: ignore[attr-defined]
    return cast(IO[bytes], stream)


def inflater_of() -> Any:
    """A raw inflater (ISA-L's where installed), as a part's stream has."""
    return (_INFLATE or zlib.decompressobj)(-zlib.MAX_WBITS)


#: bytes `inflated` gives at a time: as a part's rows are read in (master/verbatim_copy.py's
#: CHUNK), so a scan holds a few of these at once, not a few of 16 MiB (68 MB at its peak at
#: 240 returns, measured)
INFLATED_AT_MOST = 4 * 1024 * 1024


def inflated(inflater: Any, data: bytes, most: int | None = None) -> Iterator[bytes]:
    """`data` inflated by `inflater`, at most `most` bytes at a time (INFLATED_AT_MOST unless
    given: a bomb is never held whole; ISA-L may take all the input with output still to give,
    so it is asked again while a piece comes back full)."""
    if most is None:  # (looked up as called, not when defined: a test sets it smaller)
        most = INFLATED_AT_MOST
    piece = b""
    while data or len(piece) == most:
        piece = inflater.decompress(data, most)
        data = inflater.unconsumed_tail
        if piece:
            yield piece


def packed_digest(stream: IO[bytes]) -> str | None:
    """The hex digest of every stored byte of a part opened with `packed` (None when it was
    not, or its bytes end early), the bytes not yet read read now (not inflated)."""
    packed = getattr(stream, "_packed", None)
    if packed is None:
        return None
    try:
        for _ in stored_chunks(stream):
            pass
    except (EOFError, OSError):
        return None
    return packed.of(stream._info)  # type: ignore[attr-defined,no-any-return]


def stored_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The bytes as stored (deflated, not inflated) of a part opened with `hashed` and not read
    yet, in order, each hashed as it is read (`packed_digest` then gives the digest)."""
    if getattr(stream, "_packed", None) is None:
        raise ValueError("not a part opened to be hashed")
    while stream._compress_left > 0:  # type: ignore[attr-defined]
        data: bytes = stream._read2(1 << 20)  # type: ignore[attr-defined]
        if not data:
            raise EOFError("the part ends early")
        yield data


class StoredDigest:
    """The digest a zip member is known by as stored: the SHA-256 of its bytes as stored, then
    of what the zip's directory says decides what they read as (how it is stored, its sizes,
    whether it is encrypted). Taken by a reader (`open_part`'s `hashed`) and by the writer as it
    writes (`Hashing`, files/xlsx.py; files/zipahead.py), the same for the same member."""

    __slots__ = ("_sha",)

    def __init__(self) -> None:
        self._sha = hashlib.sha256()

    def update(self, data: bytes) -> None:
        self._sha.update(data)

    def of(self, info: zipfile.ZipInfo) -> str:
        """The digest, the member's bytes all given (`info`: its entry in the directory)."""
        self._sha.update(b"\n%d %d %d %d" % (info.compress_type, info.file_size,
                                              info.compress_size, info.flag_bits & 1))
        return self._sha.hexdigest()


class Hashing:
    """A part's compressor whose output (the member's bytes as stored) is given to `packed` (a
    StoredDigest) as it is written: the writer's side of `packed_digest`."""

    def __init__(self, compressor: Any, packed: StoredDigest) -> None:
        self.compressor, self.packed = compressor, packed

    def compress(self, data: bytes) -> bytes:
        out: bytes = self.compressor.compress(data)
        self.packed.update(out)
        return out

    def flush(self, *mode: int) -> bytes:
        out: bytes = self.compressor.flush(*mode)
        self.packed.update(out)
        return out


class _Part(zipfile.ZipExtFile):
    """zipfile's stream of a part, whose CRC-32 is checked as zipfile checks it, the same sum
    worked out by ISA-L: twenty times as fast as zlib's (a return's 900 KB Measures sheet:
    0.01 against 0.27 ms, a quarter of inflating it); and whose stored bytes are hashed as they
    are read, when asked (`open_part`'s `packed`)."""

    _packed: Any = None

    def _read2(self, n: int) -> bytes:
        data: bytes = super()._read2(n)  # type: ignore[misc]
        if self._packed is not None:
            self._packed.update(data)
        return data

    def _update_crc(self, newdata: bytes) -> None:
        if _CRC32 is None:
            super()._update_crc(newdata)  # type: ignore[misc]
            return
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

"""The user's own cache folder, shared by the caches kept by content (plan/cache.py's plans,
master/record.py's record of the masters the tool wrote).

WORKBOOK_TOOLS_CACHE names it (else ~/.cache/workbook-tools or %LOCALAPPDATA%); =off turns every
cache off. A folder is used only while it belongs to the user and no one else can write to it:
an entry is trusted only from a place nobody else could have put it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from io import BufferedReader
from pathlib import Path

CACHE_VARIABLE = "WORKBOOK_TOOLS_CACHE"


def folder(kind: str) -> Path | None:
    """Where the entries of one kind ('plans', 'masters') are kept; None when caching is off."""
    setting = os.environ.get(CACHE_VARIABLE, "").strip()
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        base = Path(setting)
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        base = base / "workbook-tools"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "workbook-tools"
    return base / kind


def private(place: Path) -> bool:
    """Whether a folder is the user's own and no one else can write to it."""
    try:
        info = place.stat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if hasattr(os, "getuid"):
        return info.st_uid == os.getuid() and not info.st_mode & 0o022
    return inside_own_profile(place)


def inside_own_profile(place: Path) -> bool:
    """On Windows, where a folder's owner and rights are not in os.stat: whether `place` is in
    the user's own profile folder (C:\\Users\\name, where local application data is), which
    Windows gives only to the user (and administrators). A folder elsewhere (another drive, a
    share, C:\\ProgramData) may be open to every user, so its entries are not trusted: the
    cache is then only not used."""
    try:
        home = Path(os.environ.get("USERPROFILE") or Path.home()).resolve()
        return place.resolve().is_relative_to(home)
    except (OSError, RuntimeError):
        return False


def read_own(path: Path, start: int = 0, size: int = -1) -> bytes:
    """The bytes of an entry in a private folder, only when it is the user's own file that no
    one else can write: not a link, not a file planted while the folder was open to others (a
    folder made private later keeps what was put in it), and read from the file checked, so a
    folder swapped after private() looked at it gives nothing (OSError). `start`, `size`: only
    those bytes (to the end with -1)."""
    with own_file(path) as (handle, held):
        if start:
            handle.seek(start)
        if size >= 0:  # never more than the file holds (a size taken from an entry's header)
            size = min(size, max(held - start, 0))
        return handle.read(size)


@contextlib.contextmanager
def own_file(path: Path) -> Iterator[tuple[BufferedReader, int]]:
    """`path` opened as `read_own` opens it, checked as it says, and the bytes it holds: for a
    reader that reads it a part at a time (master/record.py's `recall`)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(path, flags), "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or hasattr(os, "getuid") and (
                info.st_uid != os.getuid() or info.st_mode & 0o022):
            raise OSError(f"{path}: not the user's own file")
        yield handle, info.st_size


def keep_entry(path: Path, text: str | Iterable[str | bytes | memoryview], keep: int,
               keep_bytes: int) -> None:
    """`text` kept as the entry `path`, whole or not at all, in its folder (made the user's own
    when new), and the folder pruned to `keep` entries and `keep_bytes`; nothing when the folder
    is not private or cannot be written (a cache that cannot be written is only slower).
    `text` may be given as pieces (texts, or UTF-8 bytes), written one after another rather
    than joined first (a record of 240 returns is 45 MB)."""
    place = path.parent
    try:
        place.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not private(place):
            return
        handle, name = tempfile.mkstemp(dir=place, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            for piece in (text,) if isinstance(text, str) else text:
                out.write(piece.encode() if isinstance(piece, str) else piece)
        os.replace(name, path)
        prune(place, keep, keep_bytes)
    except BaseException as exc:
        # a disk that filled while writing: the part written goes, not left for a later prune
        with contextlib.suppress(OSError):
            os.unlink(name)
        if not isinstance(exc, OSError | ValueError):  # (ValueError: not UTF-8 as written)
            raise


def prune(place: Path, keep: int, keep_bytes: int) -> None:
    """Remove the least recently used entries beyond `keep` of them or `keep_bytes` between
    them (the newest is always kept); a temporary file left by a process that stopped goes with
    them once it is that old."""
    entries = []
    for path in place.iterdir():
        try:
            info = path.stat()
        except OSError:
            continue
        entries.append((info.st_mtime, info.st_size, path))
    entries.sort(reverse=True)
    total = 0
    for index, (_, size, path) in enumerate(entries):
        total += size
        if index >= keep or (index and total > keep_bytes):
            path.unlink(missing_ok=True)


def source_digest(salt: str) -> str:
    """The tool's own source and the Python it runs on (and `salt`: an entry's format): an
    entry made by any other is never used."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{salt} {sys.version}".encode())
    # installed as compiled files only, the tool's source is those; with neither to hash (a
    # frozen build), this process's own digest, so no entry of another version is ever taken
    files = sorted(root.rglob("*.py")) or sorted(root.rglob("*.pyc"))
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    if not files:
        digest.update(os.urandom(32))
    return digest.hexdigest()

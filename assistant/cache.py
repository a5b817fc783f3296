"""A small on-disk cache for work that only depends on files that rarely change
(compiled phrasebooks, parsed config files, rendered template skeletons).

Entries are marshal files named after the cache name; each stores its own key,
so a stale or foreign entry is simply ignored. Writes are atomic (temporary
file, then rename) and every failure is silent: the cache only saves time.
Set POLITE_NO_CACHE=1 to bypass it, or POLITE_CACHE_DIR to move it.
"""

from __future__ import annotations

import marshal
import os
import sys
import time

_FORMAT = 3
MAX_ENTRIES = 200  # entries of one kind in the cache folder; see prune()
_LINUX: bool = sys.platform.startswith("linux")  # a plain bool, so type checkers keep both branches


def cache_dir() -> str | None:
    if os.environ.get("POLITE_NO_CACHE"):
        return None
    explicit = os.environ.get("POLITE_CACHE_DIR")
    if explicit:
        return explicit
    if _LINUX:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return os.path.join(base, "polite")
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - a dependency
        return None
    return platformdirs.user_cache_dir("polite", appauthor=False)


def load(name: str, key: object) -> object | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(os.path.join(folder, name + ".marshal"), "rb") as fh:
            # One read, then loads: marshal.load on a file reads piece by piece,
            # which costs several times as long on the entries start-up needs.
            stored_format, stored_key, value = marshal.loads(fh.read())
    except Exception:  # noqa: BLE001 - a missing or damaged entry is a miss
        return None
    if stored_format != _FORMAT or stored_key != key:
        return None
    return value  # type: ignore[no-any-return]  # marshal data is untyped


def store(name: str, key: object, value: object) -> None:
    folder = cache_dir()
    if folder is None:
        return
    path = os.path.join(folder, name + ".marshal")
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        is_new = not os.path.exists(path)
        with open(tmp, "wb") as fh:
            marshal.dump((_FORMAT, key, value), fh)  # type: ignore[arg-type]  # unmarshallable values are skipped below
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 - unmarshallable value, read-only disk: skip caching
        try:  # noqa: SIM105 - contextlib costs start-up time on the hot path
            os.unlink(tmp)
        except OSError:
            pass
        return
    if is_new:
        prune(folder, keep=path)


def prune(folder: str, keep: str) -> None:
    """Keep the folder small however many configurations and template folders were
    used: when the family of `keep` ("render", "phrasebooks", ...) has more than
    MAX_ENTRIES entries, delete its least recently written down to three quarters
    of that. Also delete temporary files a killed run left behind."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    family = os.path.basename(keep).rsplit("-", 1)[0] + "-"
    entries = []
    stale_before = time.time_ns() - 3600 * 10**9
    for n in names:
        full = os.path.join(folder, n)
        try:
            if n.endswith(".tmp"):
                if os.stat(full).st_mtime_ns < stale_before:
                    os.unlink(full)
            elif n.startswith(family) and n.endswith(".marshal") and full != keep:
                entries.append((os.stat(full).st_mtime_ns, full))
        except OSError:
            continue
    if len(entries) + 1 <= MAX_ENTRIES:
        return
    entries.sort()
    for _mtime, full in entries[: len(entries) + 1 - MAX_ENTRIES * 3 // 4]:
        try:  # noqa: SIM105 - contextlib costs start-up time on the hot path
            os.unlink(full)
        except OSError:
            pass


def file_stamp(path: str) -> tuple[str, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_mtime_ns, st.st_size)

"""Regular expressions compiled once per machine, not once per run.

Python's `re` turns a pattern into bytecode in pure Python, which for the
phrasebooks' long alternations costs more than the interpreter's own start-up.
The last step, `_sre.compile`, takes that bytecode and is fast. So this module
keeps each pattern's bytecode in the cache (see cache.py) and rebuilds the
pattern object from it. A run served wholly from the cache does not even import
`re` (its import alone costs about half of the interpreter's start-up).

The cache is keyed on the exact Python version and the regex engine's magic
number; on any mismatch or error it falls back to `re.compile`, and tests check
that both give the same pattern.
"""

from __future__ import annotations

import sys

from . import cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from typing import Any, ClassVar

# re's flag values, so that callers need not import re for them.
IGNORECASE = 2
MULTILINE = 8
DOTALL = 16
ASCII = 256

MAX_PATTERNS = 1000  # kept in the cache; the ones used least recently go first
_NAME = "regex-code"
_SPECIAL = {ord(c): "\\" + c for c in "()[]{}?*+-|^$\\.&~# \t\n\r\v\f"}


class _State:
    codes: dict[tuple[str, int], tuple[Any, ...]] | None = None
    used: ClassVar[set[tuple[str, int]]] = set()  # compiled or loaded in this run
    save_registered = False


def escape(text: str) -> str:
    """What re.escape returns, without importing re."""
    return text.translate(_SPECIAL)


def _key() -> tuple[object, ...]:
    import _sre

    return (tuple(sys.version_info), sys.byteorder, _sre.MAGIC, _sre.CODESIZE)


def _load() -> dict[tuple[str, int], tuple[Any, ...]]:
    if _State.codes is None:
        stored = cache.load(_NAME, _key())
        _State.codes = stored if isinstance(stored, dict) else {}
    return _State.codes


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    key = (pattern, int(flags))  # RegexFlag members cannot be stored by marshal
    codes = _load()
    entry = codes.get(key)
    if entry is not None:
        try:
            import _sre

            final_flags, code, groups, groupindex, indexgroup = entry
            words = memoryview(code).cast("I" if _sre.CODESIZE == 4 else "H").tolist()
            compiled = _sre.compile(pattern, final_flags, words, groups, groupindex, indexgroup)
            _State.used.add(key)
            return compiled  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - a stale or foreign entry: compile afresh
            pass
    try:
        compiled, entry = _compile_with_code(pattern, key[1])
    except Exception:  # noqa: BLE001 - internals changed: plain re.compile
        import re

        return re.compile(pattern, flags)
    codes[key] = entry
    _State.used.add(key)
    _remember()
    return compiled


def _compile_with_code(pattern: str, flags: int) -> tuple[re.Pattern[str], tuple[Any, ...]]:
    """What re._compiler.compile does, keeping the bytecode."""
    import _sre
    from array import array
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    entry = (
        int(flags | parsed.state.flags),
        array("I" if _sre.CODESIZE == 4 else "H", code).tobytes(),
        parsed.state.groups - 1,
        groupindex,
        tuple(indexgroup),
    )
    compiled = _sre.compile(pattern, entry[0], list(code), entry[2], groupindex, entry[4])
    return compiled, entry


def _remember() -> None:
    if not _State.save_registered:
        _State.save_registered = True
        import atexit

        atexit.register(_save)


def _save() -> None:
    """Merge this run's patterns into the cache (another run may have added some
    meanwhile), keeping at most MAX_PATTERNS: this run's, then the newest others."""
    if _State.codes is None:
        return
    stored = cache.load(_NAME, _key())
    merged = dict(stored) if isinstance(stored, dict) else {}
    merged.update(_State.codes)
    used = [(k, v) for k, v in merged.items() if k in _State.used]
    others = [(k, v) for k, v in merged.items() if k not in _State.used]
    room = max(MAX_PATTERNS - len(used), 0)
    cache.store(_NAME, _key(), dict(others[len(others) - room :] + used if room else used))

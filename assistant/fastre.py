"""Regular expressions compiled once per machine, not once per run.

Python's `re` turns a pattern into bytecode in pure Python, which for the
phrasebooks' long alternations costs more than the interpreter's own start-up.
The last step, `_sre.compile`, takes that bytecode and is fast. So this module
keeps each pattern's bytecode in the cache (see cache.py) and rebuilds the
pattern object from it. The cache is keyed on the exact Python version and the
regex engine's magic number; on any mismatch or error it falls back to
`re.compile`, and tests check that both give the same pattern.
"""

from __future__ import annotations

import re
import sys
from array import array

from . import cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_NAME = "regex-code"


class _State:
    codes: dict[tuple[str, int], tuple[Any, ...]] | None = None
    save_registered = False


def _key() -> tuple[object, ...]:
    import _sre

    return (tuple(sys.version_info), _sre.MAGIC, _sre.CODESIZE, array("I").itemsize)


def _load() -> dict[tuple[str, int], tuple[Any, ...]]:
    if _State.codes is None:
        stored = cache.load(_NAME, _key())
        _State.codes = stored if isinstance(stored, dict) else {}
    return _State.codes


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    flags = int(flags)  # RegexFlag members cannot be stored by marshal
    codes = _load()
    entry = codes.get((pattern, flags))
    if entry is not None:
        try:
            import _sre

            final_flags, code, groups, groupindex, indexgroup = entry
            return _sre.compile(pattern, final_flags, array("I", code).tolist(), groups, groupindex, indexgroup)  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - a stale or foreign entry: compile afresh
            pass
    try:
        compiled, entry = _compile_with_code(pattern, flags)
    except Exception:  # noqa: BLE001 - internals changed: plain re.compile
        return re.compile(pattern, flags)
    codes[(pattern, flags)] = entry
    _remember()
    return compiled


def _compile_with_code(pattern: str, flags: int) -> tuple[re.Pattern[str], tuple[Any, ...]]:
    """What re._compiler.compile does, keeping the bytecode."""
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    entry = (
        int(flags | parsed.state.flags),
        array("I", code).tobytes(),
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
    if _State.codes is not None:
        stored = cache.load(_NAME, _key())  # another run may have added patterns meanwhile
        merged = {**stored, **_State.codes} if isinstance(stored, dict) else _State.codes
        cache.store(_NAME, _key(), merged)

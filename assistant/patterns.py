"""Phrasebook patterns: vocabulary expansion, trigger literals and compilation.

Patterns are regular expressions in the dialect shared by Python's `re` and RE2
(no look-around, no back-references). Two conveniences keep them readable:
`{name}` inserts an entry of the shared vocabulary, and a literal space matches
any run of whitespace. Matching ignores case.

Shipped patterns run on Python's `re` (their bytecode cached by fastre.py, so
a run served from the cache never imports `re` itself). User patterns run on
RE2, whose matching time is linear in the input, so a pattern such as `(a+)+$`
cannot hang on hostile text.
"""

from __future__ import annotations

from . import fastre

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Mapping
    from collections.abc import Set as AbstractSet

_PLACEHOLDER = r"\{([a-z_][a-z0-9_]*)\}"
_FLAGS = fastre.IGNORECASE | fastre.ASCII


class PatternError(ValueError):
    """A pattern that cannot be used; the message says why."""


def expand(pattern: str, vocabulary: Mapping[str, str], _seen: tuple[str, ...] = ()) -> str:
    """Replace `{name}` placeholders (recursively) and turn literal spaces into `\\s+`."""
    import re

    def substitute(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in vocabulary:
            raise PatternError(f"unknown placeholder {{{name}}}; known: {', '.join(sorted(vocabulary))}")
        if name in _seen:
            raise PatternError(f"placeholder {{{name}}} refers to itself")
        return "(?:" + expand(vocabulary[name], vocabulary, (*_seen, name)) + ")"

    return _spaces_to_whitespace(re.sub(_PLACEHOLDER, substitute, pattern))


def _spaces_to_whitespace(pattern: str) -> str:
    out: list[str] = []
    in_class = escaped = False
    skip_quantifier = False
    for i, ch in enumerate(pattern):
        if skip_quantifier:
            skip_quantifier = False
            continue
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            in_class = ch != "]"
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == " ":
            following = pattern[i + 1 : i + 2]
            if following in ("?", "*"):  # "a ?b": the whitespace is optional
                out.append(r"\s*")
                skip_quantifier = True
            elif following == "{":
                out.append(r"(?:\s+)")
            elif not out or out[-1] != r"\s+":
                out.append(r"\s+")
        else:
            out.append(ch)
    return "".join(out)


def compile_trusted(pattern: str) -> re.Pattern[str]:
    """Compile a shipped (reviewed) pattern with Python's `re` (bytecode cached, see fastre.py)."""
    return fastre.compile(pattern, _FLAGS)


def compile_untrusted(pattern: str):  # type: ignore[no-untyped-def]  # re2 ships no type hints
    """Compile a user pattern with RE2 so that matching time stays linear."""
    try:
        import re2
    except ImportError as exc:  # pragma: no cover - google-re2 is a dependency
        raise PatternError("user patterns need the google-re2 package; reinstall polite-outreach") from exc
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        raise PatternError(f"RE2 cannot compile it ({exc}); look-around and back-references are not supported") from exc


def check_compiles(pattern: str, trusted: bool) -> None:
    """Raise PatternError with a readable reason when `pattern` does not compile."""
    import re

    try:
        re.compile(pattern, _FLAGS)
    except re.error as exc:
        if trusted:
            raise PatternError(str(exc)) from exc
        # RE2 accepts a little syntax that Python's re does not; let RE2 decide.
    if not trusted:
        compile_untrusted(pattern)


# --------------------------------------------------------------------- triggers
# A pattern's triggers are up to three sets of lower-case strings such that every
# match contains at least one string of each set. Detection compiles and runs a
# pattern only where all its sets occur, which keeps start-up and large inputs fast.

_MAX_TRIGGERS = 40  # strings one fixed sub-pattern may stand for
_MAX_UNION = 160  # strings a set of alternatives may stand for
_MAX_SETS = 3


def triggers(pattern: str) -> list[list[str]] | None:
    """Literal sets every match must contain one string of each of, or None if unknown."""
    try:
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        return None
    try:
        parsed = _parser.parse(pattern, _FLAGS)
    except Exception:  # noqa: BLE001 - RE2-only syntax: no trigger, always a candidate
        return None
    found = [s for s in _required(list(parsed), c) if s and "" not in s]
    if not found:
        return None
    found.sort(key=_selectivity, reverse=True)
    return [sorted(s) for s in found[:_MAX_SETS]]


# Frequent short words make poor triggers (they occur in nearly every message);
# a set holding one is ranked last. Only speed depends on this list, not results.
_COMMON = frozenset(
    (
        "a an and are as at be but by do for he her him his i if in is it me my no not of on or our ours she so "
        "than that the them they this to too u up us was we with you your yours ur back all"
    ).split()
)


def _selectivity(literals: AbstractSet[str]) -> tuple[int, int]:
    return (min(0 if literal in _COMMON else len(literal) for literal in literals), -len(literals))


def _strings(items: list, c) -> set[str] | None:  # type: ignore[no-untyped-def, type-arg]
    """The finite set of strings a sub-sequence matches (lower case), if small."""
    out = {""}
    for op, av in items:
        if op is c.LITERAL:
            options: set[str] | None = {chr(av).lower()}
        elif op is c.SUBPATTERN:
            options = _strings(list(av[-1]), c)
        elif op is c.BRANCH:
            options = set()
            for alternative in av[1]:
                got = _strings(list(alternative), c)
                if got is None:
                    return None
                options |= got
        elif op is c.IN and all(kind is c.LITERAL for kind, _ in av):
            options = {chr(code).lower() for _, code in av}
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
            inner = _strings(list(av[2]), c)
            options = None if inner is None else inner | {""}
        else:
            return None
        if options is None:
            return None
        out = {a + b for a in out for b in options}
        if len(out) > _MAX_TRIGGERS:
            return None
    return out


def _required(items: list, c) -> list[set[str]]:  # type: ignore[no-untyped-def, type-arg]
    """Independent literal sets the sequence `items` requires (all of them)."""
    found: list[set[str]] = []
    run = {""}

    def flush() -> None:
        nonlocal run
        if "" not in run:
            found.append(run)
        run = {""}

    for item in items:
        op, av = item
        exact = _strings([item], c)
        if exact is not None:
            product = {a + b for a in run for b in exact}
            if len(product) <= _MAX_TRIGGERS:
                run = product
                continue
            flush()
            run = exact
            continue
        flush()
        if op is c.SUBPATTERN:
            found.extend(_required(list(av[-1]), c))
        elif op is c.BRANCH:
            union: set[str] = set()
            for alternative in av[1]:
                sets = _required(list(alternative), c)
                if not sets:
                    union = set()
                    break
                union |= max(sets, key=_selectivity)
            if union and len(union) <= _MAX_UNION:
                found.append(union)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) or op is getattr(c, "POSSESSIVE_REPEAT", None):
            if av[0] >= 1:
                found.extend(_required(list(av[2]), c))
        elif op is getattr(c, "ATOMIC_GROUP", None):
            found.extend(_required(list(av), c))
    flush()
    return [s for s in found if s and "" not in s]

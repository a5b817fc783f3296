"""Phrasebook patterns: vocabulary expansion, trigger literals and compilation.

Patterns are regular expressions in the dialect shared by Python's `re` and RE2
(no look-around, no back-references). Two conveniences keep them readable:
`{name}` inserts an entry of the shared vocabulary, and a literal space matches
any run of whitespace. Matching ignores case.

Shipped patterns run on Python's `re`, which the console script has already
imported. User patterns run on RE2, whose matching time is linear in the input,
so a pattern such as `(a+)+$` cannot hang on hostile text.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_FLAGS = re.IGNORECASE | re.ASCII


class PatternError(ValueError):
    """A pattern that cannot be used; the message says why."""


def expand(pattern: str, vocabulary: Mapping[str, str], _seen: tuple[str, ...] = ()) -> str:
    """Replace `{name}` placeholders (recursively) and turn literal spaces into `\\s+`."""

    def substitute(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in vocabulary:
            raise PatternError(f"unknown placeholder {{{name}}}; known: {', '.join(sorted(vocabulary))}")
        if name in _seen:
            raise PatternError(f"placeholder {{{name}}} refers to itself")
        return "(?:" + expand(vocabulary[name], vocabulary, (*_seen, name)) + ")"

    return _spaces_to_whitespace(_PLACEHOLDER.sub(substitute, pattern))


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
    """Compile a shipped (reviewed) pattern with Python's `re`."""
    return re.compile(pattern, _FLAGS)


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
    try:
        re.compile(pattern, _FLAGS)
    except re.error as exc:
        if trusted:
            raise PatternError(str(exc)) from exc
        # RE2 accepts a little syntax that Python's re does not; let RE2 decide.
    if not trusted:
        compile_untrusted(pattern)


# --------------------------------------------------------------------- triggers
# A trigger set is a list of lower-case strings such that every match of the
# pattern contains at least one of them. Detection compiles and runs a pattern
# only when one of its triggers occurs in the text, which keeps start-up and
# large inputs fast.

_MAX_TRIGGERS = 40


def triggers(pattern: str) -> list[str] | None:
    """Literal strings one of which every match must contain, or None if unknown."""
    try:
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser
    except ImportError:  # pragma: no cover - Python < 3.11
        return None
    try:
        parsed = _parser.parse(pattern, _FLAGS)
    except Exception:  # noqa: BLE001 - RE2-only syntax: no trigger, always a candidate
        return None
    found = _required(list(parsed), c)
    return sorted(found) if found else None


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    if a is None:
        return b
    if b is None:
        return a
    score_a = (min(map(len, a)), -len(a))
    score_b = (min(map(len, b)), -len(b))
    return b if score_b > score_a else a


def _exact(items: list, c) -> str | None:  # type: ignore[no-untyped-def, type-arg]
    """The one string a sub-sequence matches, when it is a plain literal."""
    chars = []
    for op, av in items:
        if op is c.LITERAL:
            chars.append(chr(av).lower())
        elif op is c.SUBPATTERN:
            inner = _exact(list(av[-1]), c)
            if inner is None:
                return None
            chars.append(inner)
        else:
            return None
    return "".join(chars)


def _required(items: list, c) -> set[str] | None:  # type: ignore[no-untyped-def, type-arg]
    best: set[str] | None = None
    run: list[str] = []

    def flush() -> None:
        nonlocal best
        if run:
            best = _better(best, {"".join(run)})
            run.clear()

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av).lower())
        elif op is c.SUBPATTERN:
            exact = _exact(list(av[-1]), c)
            if exact is not None:
                run.append(exact)
            else:
                flush()
                best = _better(best, _required(list(av[-1]), c))
        elif op is c.BRANCH:
            flush()
            union: set[str] | None = set()
            for alternative in av[1]:
                got = _required(list(alternative), c)
                if got is None or union is None:
                    union = None
                    break
                union |= got
            if union is not None and 0 < len(union) <= _MAX_TRIGGERS:
                best = _better(best, union)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) or op is getattr(c, "POSSESSIVE_REPEAT", None):
            flush()
            low, _high, sub = av
            if low >= 1:
                best = _better(best, _required(list(sub), c))
        elif op is getattr(c, "ATOMIC_GROUP", None):
            flush()
            best = _better(best, _required(list(av), c))
        else:
            flush()
    flush()
    if best is not None and (not best or "" in best):
        return None
    return best

"""Compiled rules at run time: lazy regexes, selection, and candidate lookup.

A `Ruleset` is built from compiled phrasebook records (see phrasebook.py), usually
straight from the cache. A pattern is compiled the first time a text contains
one of its trigger literals, so checking a short message compiles a handful of
patterns rather than all of them.
"""

from __future__ import annotations

from .document import Structure
from .patterns import compile_trusted, compile_untrusted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

KINDS = ("demand", "ask", "premise", "tail")
SEVERITIES = ("error", "warning", "info")
FIXES = ("drop", "replace")
CATEGORIES = (
    "follow_back",
    "like_for_like",
    "endorsement_swap",
    "recommendation_from_stranger",
    "share_for_share",
    "review_swap",
    "comment_or_subscribe_swap",
    "obligation_pressure",
    "public_callout",
)
STRATEGIES = ("invite", "offer", "question", "thanks")

LARGE_TEXT = 20_000  # characters; longer texts take the paragraph-by-paragraph path
_SET_BLOCK_LIMIT = 20_000
TWO_PROCESS_TEXT = 2_000_000  # characters; `check` may analyse longer texts in two processes (parallel.py)


class Rule:
    """One phrasebook entry, ready to match."""

    __slots__ = (
        "_nearby",
        "_regexes",
        "_unless",
        "alternatives",
        "category",
        "fix",
        "id",
        "kind",
        "match",
        "message",
        "no_match",
        "patterns",
        "priority",
        "severity",
        "source",
        "strategies",
        "triggers",
        "trusted",
        "unless",
        "unless_nearby",
        "why",
    )

    id: str
    category: str
    kind: str
    severity: str
    priority: int
    fix: str
    strategies: list[str]
    patterns: list[str]
    triggers: list[list[list[str]] | None]
    unless: list[str]
    unless_nearby: list[str]
    message: str
    why: str
    alternatives: list[str]
    match: list[str]
    no_match: list[str]
    source: str
    trusted: bool

    def __init__(self, record: Mapping[str, object]) -> None:
        for name in self.__slots__:
            if not name.startswith("_"):
                setattr(self, name, record[name])
        self._regexes: list[object | None] = [None] * len(self.patterns)
        self._unless: list[object] | None = None
        self._nearby: list[object] | None = None

    def _compile(self, pattern: str):  # type: ignore[no-untyped-def]
        return compile_trusted(pattern) if self.trusted else compile_untrusted(pattern)

    def regex(self, index: int):  # type: ignore[no-untyped-def]
        rx = self._regexes[index]
        if rx is None:
            rx = self._regexes[index] = self._compile(self.patterns[index])
        return rx

    def unless_regexes(self) -> list[object]:
        if self._unless is None:
            self._unless = [self._compile(p) for p in self.unless]
        return self._unless

    def nearby_regexes(self) -> list[object]:
        if self._nearby is None:
            self._nearby = [self._compile(p) for p in self.unless_nearby]
        return self._nearby

    def with_severity(self, severity: str) -> Rule:
        clone = Rule.__new__(Rule)
        for name in self.__slots__:
            setattr(clone, name, getattr(self, name))
        clone.severity = severity
        return clone

    def __repr__(self) -> str:
        return f"Rule({self.id!r}, {self.kind}, {self.category})"


def matches_selector(rule: Rule, selector: str) -> bool:
    """A selector is a category id, a rule id, or a dotted id prefix."""
    return selector in (rule.category, rule.id) or rule.id.startswith(selector + ".")


class Ruleset:
    """The rules in effect for one configuration."""

    def __init__(self, rules: list[Rule], structure: Structure) -> None:
        self.rules = rules
        self.structure = structure
        self.by_id = {r.id: r for r in rules}
        # Each pattern is indexed under the literals of its first (most selective)
        # trigger set; its other sets are checked before it runs.
        self._index: dict[str, list[tuple[Rule, int]]] = {}
        self._always: list[tuple[Rule, int]] = []
        for rule in rules:
            for i, sets in enumerate(rule.triggers):
                if not sets:
                    self._always.append((rule, i))
                    continue
                for literal in sets[0]:
                    self._index.setdefault(literal, []).append((rule, i))
        self._patterns = [(rule, i) for rule in rules for i in range(len(rule.patterns))]
        self._set: object = None

    def select(
        self,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        severity: Mapping[str, str] | None = None,
    ) -> Ruleset:
        select, ignore = list(select), list(ignore)
        if not (select or ignore or severity):
            return self
        chosen = []
        for rule in self.rules:
            if select and not any(matches_selector(rule, s) for s in select):
                continue
            if any(matches_selector(rule, s) for s in ignore):
                continue
            best = None
            if severity:
                # The most specific selector wins: a rule id over a prefix over a category.
                best = max(
                    (s for s in severity if matches_selector(rule, s)),
                    key=lambda s, r=rule: (s == r.id, s != r.category, len(s)),  # type: ignore[misc]
                    default=None,
                )
            chosen.append(rule if best is None or severity is None else rule.with_severity(severity[best]))
        return Ruleset(chosen, self.structure)

    # ------------------------------------------------------------ candidates
    def candidates(self, lowered: str) -> list[tuple[Rule, int]]:
        """(rule, pattern index) pairs whose trigger sets all occur in `lowered`."""
        return self._pairs([literal for literal in self._index if literal in lowered], lowered)

    def _pairs(self, primary: Iterable[str], text: str) -> list[tuple[Rule, int]]:
        """Patterns indexed under the `primary` literals found in `text`, whose other
        trigger sets also occur in it."""
        seen: set[tuple[str, int]] = set()
        out = list(self._always)
        for literal in primary:
            for rule, i in self._index.get(literal, ()):
                key = (rule.id, i)
                if key in seen:
                    continue
                seen.add(key)
                if all(any(x in text for x in others) for others in rule.triggers[i][1:]):  # type: ignore[index]
                    out.append((rule, i))
        return out

    def regions(
        self, scan: str, bounds: list[tuple[int, int]], force_split: bool = False
    ) -> list[tuple[int, int, list[tuple[Rule, int]]]]:
        """(start, end, candidate patterns) per region of the text.

        A short text is one region, filtered by trigger literals. A long text is
        split at `bounds` (its paragraphs) and each paragraph is tested against all
        patterns at once with an RE2 set, so only patterns that really match run
        again for their positions. Paragraphs too long for the set's automaton fall
        back to the trigger literals."""
        if not force_split and (len(scan) <= LARGE_TEXT or len(bounds) <= 1):
            return [(0, len(scan), self.candidates(scan.lower()))]
        matcher = self._set_matcher()
        out = []
        for start, end in bounds:
            if matcher is not None and end - start <= _SET_BLOCK_LIMIT:
                found = matcher.Match(scan[start:end])
                pairs = [self._patterns[i] for i in found] if found else []
            else:
                pairs = self.candidates(scan[start:end].lower())
            if pairs:
                out.append((start, end, pairs))
        return out

    def prepare(self) -> None:
        """Compile the pattern set now rather than at its first use."""
        self._set_matcher()

    def _set_matcher(self) -> Any:  # an re2.Set, or None when RE2 is unavailable
        if self._set is None:
            self._set = False
            try:
                import re2

                options = re2.Options()
                options.case_sensitive = False
                options.log_errors = False
                options.max_mem = 64 << 20
                matcher = re2.Set.SearchSet(options)
                for rule, i in self._patterns:
                    matcher.Add(rule.patterns[i])
                matcher.Compile()
                self._set = matcher
            except Exception:  # noqa: BLE001 - no re2, or a pattern RE2 rejects: use the literal path
                self._set = False
        return self._set or None

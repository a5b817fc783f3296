"""Compiled rules at run time: lazy regexes, selection, and candidate lookup.

A `Ruleset` is built from compiled phrasebook records (see phrasebook.py), usually
straight from the cache. A pattern is compiled the first time a text contains
one of its trigger literals, so checking a short message compiles a handful of
patterns rather than all of them.
"""

from __future__ import annotations

import re

from .document import Structure
from .patterns import compile_trusted, compile_untrusted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

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

_LARGE_TEXT = 20_000


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
        self._index: dict[str, list[tuple[Rule, int]]] = {}
        self._always: list[tuple[Rule, int]] = []
        for rule in rules:
            for i, literals in enumerate(rule.triggers):
                if literals is None:
                    self._always.append((rule, i))
                else:
                    for literal in literals:
                        self._index.setdefault(literal, []).append((rule, i))
        self._trigger_regex: re.Pattern[str] | None = None
        self._contained: dict[str, list[str]] = {}

    def select(
        self,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        severity: Mapping[str, str] | None = None,
    ) -> Ruleset:
        select, ignore = list(select), list(ignore)
        chosen = []
        for rule in self.rules:
            if select and not any(matches_selector(rule, s) for s in select):
                continue
            if any(matches_selector(rule, s) for s in ignore):
                continue
            if severity:
                # The most specific selector wins: a rule id over a prefix over a category.
                best = max(
                    (s for s in severity if matches_selector(rule, s)),
                    key=lambda s: (s == rule.id, s != rule.category, len(s)),
                    default=None,
                )
                if best is not None:
                    rule = rule.with_severity(severity[best])
            chosen.append(rule)
        return Ruleset(chosen, self.structure)

    # ------------------------------------------------------------ candidates
    def candidates(self, lowered: str) -> list[tuple[Rule, int]]:
        """(rule, pattern index) pairs whose triggers occur in `lowered`."""
        seen: set[tuple[str, int]] = set()
        out = list(self._always)
        for literal, entries in self._index.items():
            if literal in lowered:
                for rule, i in entries:
                    key = (rule.id, i)
                    if key not in seen:
                        seen.add(key)
                        out.append((rule, i))
        return out

    def regions(self, lowered: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int, list[tuple[Rule, int]]]]:
        """Candidates per region. Short texts form one region; long texts are split
        at `bounds` (block spans) and scanned once for all trigger literals."""
        if len(lowered) <= _LARGE_TEXT or len(bounds) <= 1:
            return [(0, len(lowered), self.candidates(lowered))]
        if self._trigger_regex is None:
            self._trigger_regex, self._contained = _trie_regex(self._index)
        from bisect import bisect_right

        starts = [b[0] for b in bounds]
        found: dict[int, set[str]] = {}
        for m in self._trigger_regex.finditer(lowered):
            block = bisect_right(starts, m.start()) - 1
            if block >= 0:
                found.setdefault(block, set()).add(m.group(1))
        out = []
        for block, (start, end) in enumerate(bounds):
            pairs = list(self._always)
            seen: set[tuple[str, int]] = set()
            for matched in found.get(block, ()):
                for literal in self._contained[matched]:
                    for rule, i in self._index[literal]:
                        if (rule.id, i) not in seen:
                            seen.add((rule.id, i))
                            pairs.append((rule, i))
            if pairs:
                out.append((start, end, pairs))
        return out


def _trie_regex(index: Mapping[str, object]) -> tuple[re.Pattern[str], dict[str, list[str]]]:
    """One regex that finds, at every position, the longest trigger literal there;
    and for each literal the literals it contains (found along with it)."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for literal in index:
        node = trie
        for ch in literal:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    contained = {outer: [inner for inner in index if inner in outer] for outer in index}
    return re.compile("(?=(" + (build(trie) or "(?!)") + "))"), contained

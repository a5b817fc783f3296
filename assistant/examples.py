"""Run the examples each phrasebook entry carries.

An entry's `match` examples must each produce a match of that entry (after its
`unless` exceptions), and its `no_match` examples must produce none. This tests
the entry on its own; whether a match becomes a finding also depends on its kind
(see detect.py), which the message-level tests cover.
"""

from __future__ import annotations

from .detect import find_hits
from .document import Document
from .rules import Rule, Ruleset


class ExampleFailure:
    __slots__ = ("example", "expected", "rule", "source")

    def __init__(self, rule: Rule, example: str, expected: bool) -> None:
        self.rule = rule.id
        self.source = rule.source
        self.example = example
        self.expected = expected

    def __str__(self) -> str:
        verb = "should match but does not" if self.expected else "should not match but does"
        return f"{self.source}: rule '{self.rule}': example {verb}: {self.example!r}"


def rule_matches(rule: Rule, ruleset: Ruleset, text: str) -> bool:
    single = Ruleset([rule], ruleset.structure)
    return any(h.rule is rule for h in find_hits(Document(text, ruleset.structure), single))


def run_examples(ruleset: Ruleset, rules: list[Rule] | None = None) -> tuple[int, list[ExampleFailure]]:
    """(number of examples run, failures) for `rules` (default: all rules)."""
    failures = []
    count = 0
    for rule in rules if rules is not None else ruleset.rules:
        for text in rule.match:
            count += 1
            if not rule_matches(rule, ruleset, text):
                failures.append(ExampleFailure(rule, text, True))
        for text in rule.no_match:
            count += 1
            if rule_matches(rule, ruleset, text):
                failures.append(ExampleFailure(rule, text, False))
    return count, failures

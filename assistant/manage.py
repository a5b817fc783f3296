"""`polite phrasebook list` and `polite phrasebook test`."""

from __future__ import annotations

import sys

from .commands import Session
from .examples import run_examples
from .phrasebook import load_from


def list_rules(config: str | None, isolated: bool, fmt: str) -> int:
    session = Session(config, isolated)
    ruleset = session.ruleset_for(session.config_for(None))
    rules = sorted(ruleset.rules, key=lambda r: r.id)
    if fmt == "json":
        from .render import to_json

        print(
            to_json(
                [
                    {
                        "id": r.id,
                        "category": r.category,
                        "kind": r.kind,
                        "severity": r.severity,
                        "priority": r.priority,
                        "message": r.message,
                        "why": r.why,
                        "source": r.source,
                    }
                    for r in rules
                ]
            )
        )
        return 0
    width = max(len(r.id) for r in rules)
    for r in rules:
        print(f"{r.id:<{width}}  {r.kind:<7}  {r.severity:<7}  {r.message}")
    print(f"{len(rules)} rules; 'polite check --explain RULE' explains one.", file=sys.stderr)
    return 0


def test_phrasebooks(paths: tuple[str, ...]) -> int:
    ruleset = load_from(paths)
    count, failures = run_examples(ruleset)
    for failure in failures:
        print(failure)
    rules = len(ruleset.rules)
    if failures:
        print(f"{len(failures)} of {count} examples failed in {rules} rules.", file=sys.stderr)
        return 1
    print(f"All {count} examples of {rules} rules pass.", file=sys.stderr)
    return 0

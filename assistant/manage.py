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


def _templates(config: str | None, isolated: bool):  # type: ignore[no-untyped-def]
    from .templating import Templates

    session = Session(config, isolated)
    return Templates(session.config_for(None).templates)


def list_templates(config: str | None, isolated: bool, fmt: str) -> int:
    from .reply import TONES

    templates = _templates(config, isolated)
    rows = []
    for name, path in sorted(templates.files().items()):
        if name.rsplit("/", 1)[-1].startswith("_"):
            continue  # shared parts (greeting, sign-off, body) are included by others
        data = sorted(templates.variables(name) - {"tone", "option", "seed", "category"})
        tones = list(TONES) if name.startswith("reply/") else []
        rows.append(
            {"name": name, "path": path, "variables": data, "tones": tones, "about": _about(templates.source(name))}
        )
    if fmt == "json":
        from .render import to_json

        print(to_json(rows))
        return 0
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        extra = f"  tones: {', '.join(r['tones'])}" if r["tones"] else ""
        print(f"{r['name']:<{width}}  {r['about']}")
        print(f"{'':<{width}}  variables: {', '.join(r['variables']) or '-'}{extra}")
    return 0


def show_template(name: str, config: str | None, isolated: bool) -> int:
    templates = _templates(config, isolated)
    files = templates.files()
    if name not in files and f"reply/{name}" in files:
        name = f"reply/{name}"
    if name not in files:
        from .commands import UsageError

        raise UsageError(f"no template '{name}'; run 'polite templates list' to see the names")
    print(f"# {files[name]}", file=sys.stderr)
    print(templates.source(name))
    return 0


def _about(source: str) -> str:
    import re

    m = re.search(r"\{#-?\s*(.+?)(?:\n|-?#\})", source)
    return m.group(1).strip() if m else ""

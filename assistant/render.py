"""Formatters: findings, rewrites and replies as text or JSON, and diffs."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import TextIO

    from .detect import Finding
    from .rules import Rule


_LARGE_REPORT = 500  # findings; larger JSON reports are compact (see write_report)


def finding_lines(path: str, finding: Finding) -> list[str]:
    """`path:line:col: severity [rule] message`, the shape editors' error parsers read,
    then the first suggestion on an indented line."""
    lines = [f"{path}:{finding.line}:{finding.column}: {finding.severity} [{finding.rule}] {finding.message}"]
    if finding.suggestions:
        lines.append(f"    try: {finding.suggestions[0]}")
    return lines


def check_summary(findings: int, files: int, errors: int) -> str:
    noun = "demand" if findings == 1 else "demands"
    text = f"{findings} {noun} in {files} {'file' if files == 1 else 'files'}"
    if errors:
        text += f", {errors} {'file' if errors == 1 else 'files'} could not be read"
    return text + "."


def to_json(value: object) -> str:
    """Indented JSON (large check reports are compact, see write_report: indentation
    makes Python's json fall back from its C encoder to pure Python)."""
    import json

    return json.dumps(value, ensure_ascii=False, indent=2)


def write_report(out: TextIO, findings: Iterator[dict[str, object]], count: int, summary: dict[str, object]) -> None:
    """`{"findings": [...], "summary": {...}}`: indented up to 500 findings; beyond,
    compact and written a thousand findings at a time, so that a report of any size
    never exists as one string (the bytes are those of to_json(..., large=True))."""
    if count <= _LARGE_REPORT:
        out.write(to_json({"findings": list(findings), "summary": summary}) + "\n")
        return
    import json
    from itertools import islice

    out.write('{"findings": [')
    separator = ""
    while batch := list(islice(findings, 1000)):
        out.write(separator + json.dumps(batch, ensure_ascii=False)[1:-1])
        separator = ", "
    out.write('], "summary": ' + json.dumps(summary, ensure_ascii=False) + "}\n")


def explain_rule(rule: Rule) -> str:
    lines = [
        f"{rule.id}  ({rule.category}, {rule.kind}, {rule.severity})",
        "",
        f"What it finds: {rule.message}",
        f"Why it matters: {rule.why}",
        "",
        "Say instead:",
        *(f"  - {a}" for a in rule.alternatives),
        "",
        "Flags, for example:",
        *(f"  + {m}" for m in rule.match),
        "Leaves alone, for example:",
        *(f"  - {m}" for m in rule.no_match),
    ]
    if rule.kind != "demand":
        when = {
            "ask": "only when a favour you mention (a premise) or another demand is nearby",
            "premise": "only as part of a demand nearby",
            "tail": "only right after a demand it closes",
        }[rule.kind]
        lines += ["", f"Counts {when}."]
    lines += ["", f"Defined in {rule.source}"]
    return "\n".join(lines)


def unified_diff(before: str, after: str, name: str) -> str:
    import difflib

    diff = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{name}" if name != "-" else "a/-",
        tofile=f"b/{name}" if name != "-" else "b/-",
    )
    out = []
    for line in diff:
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)

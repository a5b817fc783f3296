"""Formatters: findings, rewrites and replies as text or JSON, and diffs."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .detect import Finding
    from .rules import Rule


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


def to_json(value: object, large: bool = False) -> str:
    """Indented JSON; for large outputs the compact form, which the C encoder writes
    several times faster (indentation makes Python's json fall back to pure Python)."""
    import json

    return json.dumps(value, ensure_ascii=False, indent=None if large else 2)


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

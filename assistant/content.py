"""Content-first wording for a finding, from templates/content/STRATEGY.j2."""

from __future__ import annotations

from .rules import STRATEGIES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from .detect import Finding
    from .templating import Templates

PROFILE_KEYS = ("topic", "link", "name")


def content_line(
    templates: Templates, finding: Finding, strategy: str | None, profile: Mapping[str, str | None]
) -> str:
    """The line for `strategy` (default: the finding's rule's first strategy)."""
    name = "content/" + (strategy or finding.fix.strategies[0])
    data = {key: profile.get(key) for key in PROFILE_KEYS}
    return templates.render(name, {"category": finding.category}, data)


def alternatives(templates: Templates, finding: Finding, profile: Mapping[str, str | None]) -> list[tuple[str, str]]:
    """(strategy, text) for every strategy, the rule's own first, without repeats."""
    out: list[tuple[str, str]] = []
    for strategy in dict.fromkeys([*finding.fix.strategies, *STRATEGIES]):
        text = content_line(templates, finding, strategy, profile)
        if all(text != seen for _s, seen in out):
            out.append((strategy, text))
    return out

"""What each command does, independent of how its options were parsed.

Both front ends (click in cli.py, the fast parser in entry.py) call `run()`,
which turns every expected failure into one line on standard error and exit
status 2, never a traceback.
"""

from __future__ import annotations

import os
import sys

from . import config as config_mod
from .detect import detect
from .document import Document
from .inputs import STDIN, InputError, Source, read_source
from .phrasebook import PhrasebookError, load_ruleset
from .rules import Ruleset, matches_selector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from .detect import Finding


class UsageError(Exception):
    """Bad options; str() says what to do instead."""


def split_selectors(values: Iterable[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class Session:
    """Config and rule sets shared by every file of one run."""

    def __init__(
        self,
        config_path: str | None = None,
        isolated: bool = False,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
    ) -> None:
        self.config_path = config_path
        self.isolated = isolated
        self.select = split_selectors(select)
        self.ignore = split_selectors(ignore)
        self._configs: dict[str, config_mod.Config] = {}
        self._rulesets: dict[tuple[object, ...], Ruleset] = {}

    def config_for(self, source_path: str | None) -> config_mod.Config:
        start = os.path.dirname(os.path.abspath(source_path)) if source_path and source_path != STDIN else os.getcwd()
        if start not in self._configs:
            self._configs[start] = config_mod.load(start, self.config_path, self.isolated)
        return self._configs[start]

    def ruleset_for(self, config: config_mod.Config) -> Ruleset:
        key = config.key()
        if key not in self._rulesets:
            base = load_ruleset(config.phrasebooks)
            select = self.select or config.select
            ignore = [*config.ignore, *self.ignore]
            for selector in [*select, *ignore, *config.severity]:
                if not any(matches_selector(rule, selector) for rule in base.rules):
                    raise UsageError(
                        f"unknown rule or category '{selector}'; run 'polite phrasebook list' to see the ids"
                    )
            self._rulesets[key] = base.select(select, ignore, config.severity)
        return self._rulesets[key]


def run(action: Callable[[], int]) -> int:
    """Run a command; expected failures become one line and exit status 2."""
    try:
        return action()
    except (InputError, UsageError, PhrasebookError, config_mod.ConfigError) as exc:
        print(f"polite: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (e.g. `polite check | head`); stop quietly.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep interpreter shutdown from failing again
        except OSError:
            pass
        return 0
    except KeyboardInterrupt:
        print("polite: interrupted", file=sys.stderr)
        return 130


def analyse(session: Session, source: Source, display_path: str | None = None) -> tuple[Document, list[Finding]]:
    config = session.config_for(display_path if display_path not in (None, STDIN) else source.path)
    ruleset = session.ruleset_for(config)
    doc = Document(source.text, ruleset.structure)
    return doc, detect(doc, ruleset)


# ---------------------------------------------------------------------- check
def check(
    paths: Iterable[str] = (),
    fmt: str = "text",
    exit_zero: bool = False,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    config: str | None = None,
    isolated: bool = False,
    encoding: str | None = None,
    stdin_filename: str | None = None,
    explain: str | None = None,
) -> int:
    from . import render

    session = Session(config, isolated, select, ignore)
    if explain is not None:
        return explain_rule(session, explain)
    paths = list(paths) or [STDIN]
    if paths.count(STDIN) > 1:
        raise UsageError("'-' (standard input) can only be given once")
    results: list[dict[str, object]] = []
    errors: list[str] = []
    total = 0
    out = sys.stdout
    for path in paths:
        try:
            source = read_source(path, encoding or None, stdin_filename)
            shown = source.name
            doc, findings = analyse(session, source, stdin_filename if path == STDIN else path)
        except InputError as exc:
            errors.append(str(exc))
            print(f"polite: error: {exc}", file=sys.stderr)
            continue
        total += len(findings)
        if fmt == "json":
            results.extend(f.to_dict(shown) for f in findings)
        else:
            for finding in findings:
                out.write("\n".join(render.finding_lines(shown, finding)) + "\n")
    read = len(paths) - len(errors)
    if fmt == "json":
        by_category: dict[str, int] = {}
        by_severity: dict[str, int] = {}
        for item in results:
            by_category[str(item["category"])] = by_category.get(str(item["category"]), 0) + 1
            by_severity[str(item["severity"])] = by_severity.get(str(item["severity"]), 0) + 1
        summary = {
            "files": read,
            "findings": total,
            "by_category": by_category,
            "by_severity": by_severity,
            "errors": errors,
        }
        out.write(render.to_json({"findings": results, "summary": summary}) + "\n")
    elif total or (not errors and sys.stderr.isatty()):
        print(render.check_summary(total, read, len(errors)), file=sys.stderr)
    if errors:
        return 2
    return 1 if total and not exit_zero else 0


def explain_rule(session: Session, rule_id: str) -> int:
    from . import render

    ruleset = session.ruleset_for(session.config_for(None))
    rule = ruleset.by_id.get(rule_id)
    if rule is None:
        close = [r.id for r in ruleset.rules if matches_selector(r, rule_id)]
        hint = f" Rules in '{rule_id}': {', '.join(close)}." if close else " Run 'polite phrasebook list' to see the ids."
        raise UsageError(f"no rule '{rule_id}'.{hint}")
    print(render.explain_rule(rule))
    return 0


def rewrite(**_: object) -> int:  # replaced below when rewrite lands
    raise UsageError("rewrite is not built yet")


def suggest(**_: object) -> int:
    raise UsageError("suggest is not built yet")


def reply(**_: object) -> int:
    raise UsageError("reply is not built yet")

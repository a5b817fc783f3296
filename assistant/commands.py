"""What each command does, independent of how its options were parsed.

Both front ends (click in cli.py, the fast parser in entry.py) call `run()`,
which turns every expected failure into one line on standard error and exit
status 2, never a traceback.
"""

from __future__ import annotations

import os
import sys

from . import config as config_mod
from .detect import analyse as analyse_text
from .detect import cyclic_gc_paused
from .errors import PoliteError
from .inputs import STDIN, InputError, Source, read_source
from .phrasebook import load_ruleset
from .rules import TWO_PROCESS_TEXT, Ruleset, matches_selector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from .detect import Finding
    from .document import Document, Structure
    from .rewrite import Tidier


class UsageError(PoliteError):
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
    except PoliteError as exc:
        print(f"polite: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (e.g. `polite check | head`); stop quietly.
        try:  # noqa: SIM105 - contextlib costs start-up time on the hot path
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep interpreter shutdown from failing again
        except OSError:
            pass
        return 0
    except KeyboardInterrupt:
        print("polite: interrupted", file=sys.stderr)
        return 130


def open_draft(
    path: str,
    select: Iterable[str],
    ignore: Iterable[str],
    config: str | None,
    isolated: bool,
    encoding: str | None,
    stdin_filename: str | None,
) -> tuple[Session, Source, config_mod.Config]:
    """The session, the draft as read, and the config that applies to it."""
    session = Session(config, isolated, select, ignore)
    source = read_source(path, encoding or None, stdin_filename)
    return session, source, session.config_for(stdin_filename if path == STDIN else path)


def analyse(session: Session, source: Source, display_path: str | None = None) -> tuple[Document, list[Finding]]:
    return analyse_text(source.text, _ruleset(session, source, display_path))


def _ruleset(session: Session, source: Source, display_path: str | None) -> Ruleset:
    return session.ruleset_for(session.config_for(display_path if display_path not in (None, STDIN) else source.path))


def findings_of(session: Session, source: Source, display_path: str | None = None) -> list[Finding]:
    """What `analyse` finds, found by two processes for a long text where that helps."""
    ruleset = _ruleset(session, source, display_path)
    if len(source.text) >= TWO_PROCESS_TEXT:
        from . import parallel

        found = parallel.findings(source.text, ruleset)
        if found is not None:
            return found
    return analyse_text(source.text, ruleset)[1]


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
    session = Session(config, isolated, select, ignore)
    if explain is not None:
        return explain_rule(session, explain)
    paths = list(paths) or [STDIN]
    if paths.count(STDIN) > 1:
        raise UsageError("'-' (standard input) can only be given once")
    with cyclic_gc_paused():  # findings of long texts are many objects, none in a cycle
        return _check_files(session, paths, fmt, exit_zero, encoding, stdin_filename)


def _check_files(
    session: Session, paths: list[str], fmt: str, exit_zero: bool, encoding: str | None, stdin_filename: str | None
) -> int:
    from . import render

    results: list[tuple[str, Finding]] = []
    errors: list[str] = []
    total = 0
    out = sys.stdout
    for path in paths:
        try:
            source = read_source(path, encoding or None, stdin_filename)
            shown = source.name
            findings = findings_of(session, source, stdin_filename if path == STDIN else path)
        except InputError as exc:
            errors.append(str(exc))
            print(f"polite: error: {exc}", file=sys.stderr)
            continue
        total += len(findings)
        if fmt == "json":
            results.extend((shown, f) for f in findings)
        else:
            for finding in findings:
                out.write("\n".join(render.finding_lines(shown, finding)) + "\n")
    read = len(paths) - len(errors)
    if fmt == "json":
        by_category: dict[str, int] = {}
        by_severity: dict[str, int] = {}
        for _shown, finding in results:
            by_category[finding.category] = by_category.get(finding.category, 0) + 1
            by_severity[finding.severity] = by_severity.get(finding.severity, 0) + 1
        summary = {
            "files": read,
            "findings": total,
            "by_category": by_category,
            "by_severity": by_severity,
            "errors": errors,
        }
        render.write_report(out, (f.to_dict(shown) for shown, f in results), len(results), summary)
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
        hint = (
            f" Rules in '{rule_id}': {', '.join(close)}." if close else " Run 'polite phrasebook list' to see the ids."
        )
        raise UsageError(f"no rule '{rule_id}'.{hint}")
    print(render.explain_rule(rule))
    return 0


def emit(text: str, data: bytes | None = None) -> None:
    """Write to standard output as UTF-8 (or the given bytes), whatever the locale."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8") if data is None else data)
    sys.stdout.buffer.flush()


def _profile(config: config_mod.Config, topic: str | None, link: str | None, name: str | None) -> dict[str, str | None]:
    profile: dict[str, str | None] = {key: config.profile.get(key) for key in ("topic", "link", "name")}
    for key, value in (("topic", topic), ("link", link), ("name", name)):
        if value is not None:
            profile[key] = value
    return {k: (v.strip() or None) if v else None for k, v in profile.items()}


def _content(templates: object, profile: dict[str, str | None]):  # type: ignore[no-untyped-def]
    """Render the content-first line for a finding (its rule's first strategy)."""
    from .content import content_line

    def replace(finding: Finding, strategy: str | None = None) -> str:
        return content_line(templates, finding, strategy, profile)  # type: ignore[arg-type]

    return replace


# -------------------------------------------------------------------- rewrite
def rewrite(
    path: str | None = None,
    fmt: str = "text",
    diff: bool = False,
    in_place: bool = False,
    explain: bool = False,
    tidy: bool = False,
    unsafe: bool = False,
    stats: bool = False,
    grammar: bool = False,
    languagetool_url: str | None = None,
    topic: str | None = None,
    link: str | None = None,
    name: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    config: str | None = None,
    isolated: bool = False,
    encoding: str | None = None,
    stdin_filename: str | None = None,
) -> int:
    from . import rewrite as rewrite_mod
    from .templating import Templates

    path = path or STDIN
    if in_place and path == STDIN:
        raise UsageError("--in-place needs a file path; text read from standard input has nowhere to be written back")
    if in_place and diff:
        raise UsageError("--diff only shows the changes and writes nothing; drop --in-place or --diff")
    session, source, cfg = open_draft(path, select, ignore, config, isolated, encoding, stdin_filename)
    ruleset = session.ruleset_for(cfg)
    templates = Templates(cfg.templates)
    tidier = _load_tidier() if tidy else None
    result = rewrite_mod.rewrite(
        source.text, ruleset, _content(templates, _profile(cfg, topic, link, name)), unsafe, tidier
    )
    rewritten = result.rewritten
    notes: dict[str, object] = {}
    if grammar:
        from .quality import grammar_pass

        rewritten, notes["grammar"] = grammar_pass(
            source.text, rewritten, result.edits, languagetool_url or cfg.languagetool_url
        )
    if stats:
        from .quality import readability

        notes["readability"] = {"before": readability(source.text), "after": readability(rewritten)}
    if explain:
        _explain_edits(source, result)
    if stats and fmt != "json":
        _print_stats(notes["readability"])  # type: ignore[arg-type]
    if fmt == "json":
        from .render import to_json

        payload: dict[str, object] = {
            "path": source.name,
            "original": source.text,
            "rewritten": rewritten,
            "changes": [e.to_dict(source.text) for e in result.edits],
            **notes,
        }
        emit(to_json(payload) + "\n")
    elif diff:
        from .render import unified_diff

        emit(unified_diff(source.text, rewritten, source.name))
    elif not in_place:
        emit("", source.encode(rewritten))
    if in_place and rewritten != source.text:
        write_atomic(path, source.encode(rewritten))
        print(
            f"polite: rewrote {path} ({len(result.edits)} {'change' if len(result.edits) == 1 else 'changes'})",
            file=sys.stderr,
        )
    return 0


def _load_tidier() -> Tidier:
    from .phrasebook import TIDY_FILE, read_toml, shipped_dir
    from .rewrite import Tidier

    data = read_toml(os.path.join(shipped_dir(), TIDY_FILE))
    words = data.get("words", {})
    shouting = data.get("shouting", {})
    keep = shouting.get("keep", []) if isinstance(shouting, dict) else []
    names = data.get("names", {})
    return Tidier(words if isinstance(words, dict) else {}, list(keep), names if isinstance(names, dict) else {})


def _explain_edits(source: Source, result: object) -> None:
    from .document import Document

    edits = result.edits  # type: ignore[attr-defined]
    if not edits:
        print("polite: no changes: no demands found", file=sys.stderr)
        return
    doc = Document(source.text, _structure_only())
    for edit in edits:
        line, column = doc.position(edit.start)
        before = " ".join(source.text[edit.start : edit.end].split())
        what = f"{before!r} -> {edit.after!r}" if edit.after else repr(before)
        print(f"{source.name}:{line}:{column}: [{edit.rule}] {what}: {edit.reason}", file=sys.stderr)


def _structure_only() -> Structure:
    from .document import Structure

    return Structure("(?!)", "(?!)", ())


def _print_stats(readability: dict[str, dict[str, float] | None]) -> None:
    before, after = readability["before"], readability["after"]
    if before is None or after is None:
        reason = "textstat could not be loaded, or the text has no words"
        print(f"polite: readability unavailable ({reason})", file=sys.stderr)
        return
    print(
        "polite: readability: Flesch reading ease {:.1f} -> {:.1f}, grade level {:.1f} -> {:.1f}".format(
            before["flesch_reading_ease"], after["flesch_reading_ease"], before["grade_level"], after["grade_level"]
        ),
        file=sys.stderr,
    )


def write_atomic(path: str, data: bytes) -> None:
    """Replace the file at `path` with `data` so that a crash leaves either the old
    or the new file, never a partial one: write a temporary file in the same folder,
    flush it to disk, then rename it over the original."""
    import stat
    import tempfile

    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
        fd, tmp = tempfile.mkstemp(prefix=".polite-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"{path}: cannot write it back ({exc.strerror or exc}); the file is unchanged") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        try:  # noqa: SIM105 - contextlib costs start-up time on the hot path
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise InputError(f"{path}: cannot write it back ({exc.strerror or exc}); the file is unchanged") from None
        raise


# -------------------------------------------------------------------- suggest
def suggest(
    path: str | None = None,
    fmt: str = "text",
    topic: str | None = None,
    link: str | None = None,
    name: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    config: str | None = None,
    isolated: bool = False,
    encoding: str | None = None,
    stdin_filename: str | None = None,
) -> int:
    from .content import alternatives as content_alternatives
    from .templating import Templates

    path = path or STDIN
    session, source, cfg = open_draft(path, select, ignore, config, isolated, encoding, stdin_filename)
    _doc, findings = analyse(session, source, stdin_filename if path == STDIN else path)
    templates = Templates(cfg.templates)
    profile = _profile(cfg, topic, link, name)
    items = []
    for finding in findings:
        pairs = content_alternatives(templates, finding, profile)
        items.append((finding, [{"strategy": strategy, "text": text} for strategy, text in pairs]))

    if fmt == "json":
        from .render import to_json

        emit(
            to_json(
                {
                    "path": source.name,
                    "suggestions": [
                        {
                            **{k: v for k, v in f.to_dict(source.name).items() if k != "suggestions"},
                            "alternatives": alts,
                        }
                        for f, alts in items
                    ],
                }
            )
            + "\n"
        )
        return 0
    if not items:
        print("polite: no demands found; nothing to suggest", file=sys.stderr)
        return 0
    lines = []
    for finding, alternatives in items:
        excerpt = " ".join(finding.text.split())
        lines.append(f"{source.name}:{finding.line}:{finding.column}: [{finding.rule}] {excerpt}")
        width = max(len(a["strategy"]) for a in alternatives)
        lines.extend(f"    {a['strategy']:<{width}}  {a['text']}" for a in alternatives)
        lines.append(f"    {'tip':<{width}}  {finding.suggestions[0]}")
    emit("\n".join(lines) + "\n")
    return 0


# ---------------------------------------------------------------------- reply
def reply(
    path: str | None = None,
    fmt: str = "text",
    to: str | None = None,
    from_name: str | None = None,
    platform: str | None = None,
    var: Iterable[str] = (),
    kind: str | None = None,
    tone: str | None = None,
    seed: int | None = None,
    all: bool = False,
    template: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    config: str | None = None,
    isolated: bool = False,
    encoding: str | None = None,
    stdin_filename: str | None = None,
) -> int:
    from . import reply as reply_mod
    from .rules import CATEGORIES
    from .templating import Templates

    extra = _parse_vars(var)
    if kind is not None and kind not in (*CATEGORIES, reply_mod.GENUINE):
        raise UsageError(f"unknown kind '{kind}'; use one of: {', '.join((*CATEGORIES, reply_mod.GENUINE))}")
    session = Session(config, isolated, select, ignore)
    path = path or STDIN
    if template is not None and path == STDIN and sys.stdin is not None and sys.stdin.isatty():
        source = None  # --template renders without a message
    elif template is not None and path == STDIN:
        source = None
    else:
        source = read_source(path, encoding or None, stdin_filename)
    cfg = session.config_for(stdin_filename if path == STDIN else path)
    tone = tone or str(cfg.reply.get("tone") or "warm")
    seed = seed if seed is not None else int(cfg.reply.get("seed", 0))  # type: ignore[call-overload]
    templates = Templates(cfg.templates)
    data: dict[str, str | None] = {
        "to": to,
        "from_name": from_name if from_name is not None else cfg.reply.get("from"),  # type: ignore[dict-item]
        "platform": platform if platform is not None else cfg.reply.get("platform"),  # type: ignore[dict-item]
        **extra,
    }
    findings: list[Finding] = []
    if source is None:
        name = template if templates.exists(str(template)) else f"reply/{template}"
        detected = None
    else:
        ruleset = session.ruleset_for(cfg)
        detected, findings, doc = reply_mod.classify(source.text, ruleset)
        if data["to"] is None:
            data["to"] = reply_mod.sender_name(doc, ruleset.structure)
        chosen = kind or detected
        name = template if template is not None else f"reply/{chosen}"
        if template is None and chosen == reply_mod.GENUINE:
            return _genuine(fmt, tone, data["to"])
    assert name is not None
    options = reply_mod.write(templates, name, tone, seed, data)

    answer_kind = kind or detected
    if fmt == "json":
        from .render import to_json

        emit(
            to_json(
                {
                    "kind": answer_kind,
                    "is_shakedown": None if answer_kind is None else answer_kind != reply_mod.GENUINE,
                    "tone": tone,
                    "reply": options[0][1],
                    "alternatives": [text for _intent, text in options[1:]],
                    "options": [{"intent": intent, "text": text} for intent, text in options],
                    "to": data["to"],
                    "template": name,
                    "detected_kind": detected,
                    "findings": [f.to_dict(source.name) for f in findings] if source is not None else [],
                }
            )
            + "\n"
        )
        return 0
    if all:
        blocks = [
            f"--- option {n}: {reply_mod.INTENT_LABELS.get(intent, intent)} ---\n{text}"
            for n, (intent, text) in enumerate(options, 1)
        ]
        emit("\n".join(blocks))
    else:
        emit(options[0][1])
    return 0


def _parse_vars(values: Iterable[str]) -> dict[str, str | None]:
    from .reply import SETTINGS

    out: dict[str, str | None] = {}
    for value in values:
        key, sep, text = value.partition("=")
        key = key.strip()
        if not sep or not (key.isascii() and key.isidentifier()):
            raise UsageError(
                f"--var needs KEY=VALUE with a plain name as KEY (got {value!r}); for example --var project=Atlas"
            )
        if key in SETTINGS:
            raise UsageError(f"'{key}' is set with its own option (--{key}), not --var")
        out[key] = text
    return out


def _genuine(fmt: str, tone: str, to: str | None) -> int:
    note = (
        "this does not look like a demand for something in return, so no decline was written"
        " (use --kind to write one anyway)"
    )
    if fmt == "json":
        from .render import to_json

        emit(
            to_json(
                {"kind": "genuine", "is_shakedown": False, "tone": tone, "reply": None, "alternatives": [], "to": to}
            )
            + "\n"
        )
    print(f"polite: {note}", file=sys.stderr)
    return 0

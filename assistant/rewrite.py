"""Findings -> edits -> new text.

Each finding's action is applied to its span and to the whitespace that joins
it to its neighbours; nothing else changes. Policy (like ruff's safe fixes):

- dropping a demand is safe and always applied;
- when every sentence of a message (a section) is a demand, dropping them all
  would leave nothing to send, so the first one is replaced by a content-first
  line from templates/content/ instead (always: an empty draft helps nobody);
- with --unsafe, the first demand of every message is replaced by a
  content-first line even when other sentences remain.

The result is checked again: if removing sentences brought a favour and an ask
close enough to count, those go too, so rewriting the output changes nothing.
"""

from __future__ import annotations

from .detect import Finding, analyse
from .document import BODY, MASK, Document

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .rules import Ruleset

    Replacer = Callable[[Finding], str]

_MAX_PASSES = 4


class Edit:
    __slots__ = ("after", "category", "end", "reason", "rule", "safe", "start")

    def __init__(
        self, start: int, end: int, after: str, rule: str, category: str | None, reason: str, safe: bool
    ) -> None:
        self.start = start
        self.end = end
        self.after = after
        self.rule = rule
        self.category = category
        self.reason = reason
        self.safe = safe

    def to_dict(self, original: str) -> dict[str, object]:
        return {
            "rule": self.rule,
            "category": self.category,
            "start": self.start,
            "end": self.end,
            "before": original[self.start : self.end],
            "after": self.after,
            "applicability": "safe" if self.safe else "unsafe",
            "reason": self.reason,
        }


class Result:
    __slots__ = ("edits", "findings", "original", "rewritten")

    def __init__(self, original: str, rewritten: str, edits: list[Edit], findings: list[Finding]) -> None:
        self.original = original
        self.rewritten = rewritten
        self.edits = edits
        self.findings = findings


# ----------------------------------------------------------------- planning
def _deletion(text: str, start: int, end: int) -> tuple[int, int]:
    """The range to delete for the span [start, end): the span plus the
    whitespace that joins it to its neighbours, keeping line structure."""
    line_start = text.rfind("\n", 0, start) + 1
    newline = text.find("\n", end)
    line_end = len(text) if newline < 0 else newline
    before, after = text[line_start:start], text[end:line_end]
    if not before.strip() and not after.strip():
        if newline >= 0:
            a, b = line_start, newline + 1
        elif line_start > 0:  # the last line, without a final newline: keep that state
            a = _blank_lines_before(text, line_start)  # a last paragraph takes its blank lines along
            if a == 0:
                return 0, len(text)
            a -= 1  # and the line break before it, so the text still ends without one
            if a > 0 and text[a - 1] == "\r":
                a -= 1
            return a, len(text)
        else:
            return 0, len(text)
        # A paragraph that was only this line: take one of its blank lines with it
        # (all of them at the start or the end of the text).
        prev_blank = _blank_line_before(text, a)
        next_blank = _blank_line_at(text, b)
        if prev_blank is not None and next_blank is not None:
            b = next_blank
        elif prev_blank is not None and b >= len(text):
            a = _blank_lines_before(text, a)
        elif a == 0 and next_blank is not None:
            while next_blank is not None:
                b, next_blank = next_blank, _blank_line_at(text, next_blank)
        return a, b
    if not after.strip():
        a = start
        while a > line_start and text[a - 1] in " \t":
            a -= 1
        b = end
        while b < line_end and text[b] in " \t":
            b += 1
        return a, b
    b = end
    while b < line_end and text[b] in " \t":
        b += 1
    return start, b


def _blank_line_before(text: str, pos: int) -> int | None:
    """Start of the blank line that ends right at `pos` (a line start), if there is one."""
    if pos == 0 or text[pos - 1] != "\n":
        return None
    start = text.rfind("\n", 0, pos - 1) + 1
    return start if not text[start : pos - 1].strip() else None


def _blank_lines_before(text: str, pos: int) -> int:
    """Start of the run of blank lines that ends right at `pos` (a line start), else `pos`."""
    while (blank := _blank_line_before(text, pos)) is not None:
        pos = blank
    return pos


def _blank_line_at(text: str, pos: int) -> int | None:
    """End (after its newline) of the blank line starting at `pos`, if any."""
    newline = text.find("\n", pos)
    if newline < 0 or text[pos:newline].strip():
        return None
    return newline + 1


def drop_range(text: str, finding: Finding) -> tuple[int, int]:
    """What dropping one finding deletes: its span plus the whitespace that joins it
    to its neighbours (the safe fix, e.g. for an editor's code action)."""
    return _deletion(text, finding.start, finding.end)


def fit_replacement(text: str, finding: Finding, line: str) -> str:
    """A content-first line adjusted to replace `finding` in `text`."""
    return _fit(text, finding.start, line)


def plan(doc: Document, findings: list[Finding], replacer: Replacer | None, unsafe: bool = False) -> list[Edit]:
    text = doc.text
    sentences = doc.sentences
    by_section: dict[int, list[Finding]] = {}
    for finding in findings:
        by_section.setdefault(sentences[finding.first_sentence].section, []).append(finding)
    replace: set[int] = set()
    for section, section_findings in by_section.items():
        covered = {i for f in section_findings for i in range(f.first_sentence, f.last_sentence + 1)}
        body = [i for i, s in enumerate(sentences) if s.section == section and s.kind == BODY]
        whole = section not in doc.partial_sections and all(i in covered for i in body)
        if replacer is not None and (unsafe or whole):
            replace.add(id(section_findings[0]))
    edits: list[Edit] = []
    run: list[Finding] = []  # neighbouring demands with only whitespace between them

    def drop_run() -> None:
        # Dropped together, as one span, so the whitespace between and around them is
        # joined once ("A\n\nB\n\nC" without B and C is "A", not "A\n\n").
        if not run:
            return
        a, b = _deletion(text, run[0].start, max(f.end for f in run))
        cuts = [a]
        for f in run[1:]:
            cuts.append(min(max(cuts[-1], f.start), b))
        cuts.append(b)
        for f, start, end in zip(run, cuts, cuts[1:], strict=False):
            edits.append(Edit(start, end, "", f.rule, f.category, f"dropped: {f.message}", True))
        run.clear()

    for finding in findings:
        if id(finding) in replace and replacer is not None:
            drop_run()
            after = _fit(text, finding.start, replacer(finding))
            reason = f"replaced the demand with content-first wording: {finding.message}"
            edits.append(Edit(finding.start, finding.end, after, finding.rule, finding.category, reason, False))
            continue
        if run and text[max(f.end for f in run) : finding.start].strip():
            drop_run()
        run.append(finding)
    drop_run()
    return _merge([e for e in edits if e.end > e.start or e.after])


def _fit(text: str, start: int, line: str) -> str:
    """Lower-case the first letter of a replacement that follows an inline greeting
    ("Hi Sofia, thanks for...") unless it starts with the pronoun I."""
    before = text[max(0, start - 2) : start]
    pronoun_i = line[:1] == "I" and not (line[1:2].isalnum() or line[1:2] == "_")
    if before.endswith((", ", ",\t")) and line[:1].isupper() and not pronoun_i:
        return line[0].lower() + line[1:]
    return line


def _merge(edits: list[Edit]) -> list[Edit]:
    edits.sort(key=lambda e: (e.start, e.end))
    merged: list[Edit] = []
    for edit in edits:
        if merged and edit.start < merged[-1].end:
            last = merged[-1]
            if edit.after and not last.after:
                edit.start = min(edit.start, last.start)
                merged[-1] = edit
            last = merged[-1]
            last.end = max(last.end, edit.end)
            continue
        merged.append(edit)
    return merged


def apply(text: str, edits: list[Edit]) -> str:
    pieces, cursor = [], 0
    for edit in edits:
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.after)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def to_original(edits: list[Edit], position: int) -> int:
    """Map a position in the edited text back to the original text."""
    delta = 0
    for edit in edits:
        new_start = edit.start + delta
        new_end = new_start + len(edit.after)
        if position < new_start:
            break
        if position < new_end:
            return edit.start
        delta += len(edit.after) - (edit.end - edit.start)
    return position - delta


# ------------------------------------------------------------------- rewrite
def rewrite(
    text: str,
    ruleset: Ruleset,
    replacer: Replacer | None,
    unsafe: bool = False,
    tidy: Callable[[str, list[tuple[int, int]]], list[Edit]] | None = None,
) -> Result:
    doc, findings = analyse(text, ruleset)
    extra: list[tuple[int, int]] = []
    edits: list[Edit] = []
    result = text
    for _ in range(_MAX_PASSES):
        edits = plan(doc, findings, replacer, unsafe)
        if tidy is not None:
            edits = _merge(edits + tidy(text, [(e.start, e.end) for e in edits] + _masked(doc)))
        result = apply(text, edits)
        _doc, residual = analyse(result, ruleset)
        if not residual:
            break
        # Sentences that only count now (a favour moved next to an ask): drop them too.
        new = []
        for finding in residual:
            start, end = to_original(edits, finding.start), to_original(edits, finding.end - 1) + 1
            if (start, end) in extra:
                continue
            extra.append((start, end))
            new.extend(_findings_in(doc, ruleset, start, end, finding))
        if not new:
            break
        findings = sorted(findings + new, key=lambda f: f.start)
    return Result(text, result, edits, findings)


def _masked(doc: Document) -> list[tuple[int, int]]:
    """The runs of masked characters (quotations, links, code) in the text."""
    scan, spans = doc.scan, []
    start = scan.find(MASK)
    while start >= 0:
        end = start + 1
        while end < len(scan) and scan[end] == MASK:
            end += 1
        spans.append((start, end))
        start = scan.find(MASK, end)
    return spans


def _findings_in(doc: Document, ruleset: Ruleset, start: int, end: int, template: Finding) -> list[Finding]:
    first, last = doc.sentence_at(start), doc.sentence_at(max(end - 1, start))
    s, e = doc.sentences[first].start, doc.sentences[last].end
    fields = {name: getattr(template, name) for name in Finding.__slots__}
    fields.update(start=s, end=e, first_sentence=first, last_sentence=last, text=doc.text[s:e])
    line, column = doc.position(s)
    end_line, end_column = doc.position(e)
    fields.update(line=line, column=column, end_line=end_line, end_column=end_column)
    return [Finding(**fields)]


# ---------------------------------------------------------------------- tidy
class Tidier:
    """Spell out textspeak and lower-case shouting (data: phrasebooks/tidy.toml)."""

    def __init__(self, words: Mapping[str, str], keep_upper: list[str], names: Mapping[str, str] | None = None) -> None:
        self.words = {k.lower(): v for k, v in words.items()}
        self.keep_upper = set(keep_upper)
        self.names = dict(names or {})
        import re  # only --tidy needs it; a plain rewrite does not pay for the import

        long_words = "|".join(sorted((re.escape(w) for w in self.words if len(w) > 1), key=len, reverse=True))
        letters = "".join(re.escape(w) for w in self.words if len(w) == 1)
        single = f"|[{letters}]" if letters else ""
        self._word = re.compile(rf"(?<![\w'’@#/-])(?:(?i:{long_words or '(?!)'}){single})(?![\w'’@/-])")
        self._shout = re.compile(r"(?<![\w@#/])[A-Z][A-Z'’]+(?![\w@/])")

    def __call__(self, text: str, skip: list[tuple[int, int]]) -> list[Edit]:
        edits: list[Edit] = []
        blocked = sorted(skip)

        def free(a: int, b: int) -> bool:
            return not any(s < b and a < e for s, e in blocked)

        for m in self._word.finditer(text):
            if not free(*m.span()):
                continue
            replacement = self.words[m.group().lower()]
            if m.group()[0].isupper() and _sentence_start(text, m.start()):
                replacement = replacement[0].upper() + replacement[1:]
            if replacement != m.group():
                edits.append(
                    Edit(m.start(), m.end(), replacement, "tidy.textspeak", None, "spelled out textspeak", True)
                )
        for m in self._shout.finditer(text):
            word = m.group()
            if word in self.keep_upper or len(word.strip("'’")) < 2 or not free(*m.span()):
                continue
            if any(e.start <= m.start() < e.end for e in edits):
                continue
            lowered = self.names.get(word) or word.lower()
            if _sentence_start(text, m.start()):
                lowered = lowered[0].upper() + lowered[1:]
            edits.append(Edit(m.start(), m.end(), lowered, "tidy.shouting", None, "lower-cased shouting", True))
        return edits


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n"

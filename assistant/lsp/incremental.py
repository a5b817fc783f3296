"""Analyse a long document piece by piece, and again only the pieces that change.

`detect.analyse` reads a long text one paragraph at a time
(`detect.analyse_by_paragraph`), and a paragraph's findings depend only on the
paragraphs of its own section at most `window` paragraphs away, with one
exception: a closing "tail" ("Thanks in advance!") at the start of a section
counts when the paragraph just before it, in the previous section, holds a demand.

So a long document is cut into pieces at two kinds of places:

- where a section starts (after two blank lines, or a separator and a blank line);
- where a paragraph starts whose first line, hashed, picks it (about one in
  `_PARAGRAPH_CUT_EVERY`), so that one long section is cut too. The hash depends
  only on that line, so an edit moves no cut elsewhere.

Each piece is analysed on its own, with the lines just before it as context, and
cached under its text; an edit re-analyses the piece it touches. A cut is kept
only when the analyses of the pieces on both sides show that it changes nothing:

- at a section start, the piece after it must really start a section, and must
  not open with a tail when the piece before it ends with a finding;
- inside a section, the `window` paragraphs on each side of the cut must hold
  nothing any rule could match.

Otherwise the two pieces are analysed together. The findings are those of
`analyse` on the whole text, with the same offsets, lines and columns
(tests/test_lsp_incremental.py compares the two); only `first_sentence` and
`last_sentence` count sentences from the start of the piece.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_left
from collections.abc import Iterable

from ..detect import Finding, Fix, analyse, analyse_by_paragraph
from ..rules import LARGE_TEXT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..document import Document
    from ..rules import Ruleset

SECTION, PARAGRAPH = "section", "paragraph"

# A paragraph that can start a piece: its first line starts with a letter or digit
# (so it is neither indented, quoted, fenced nor a separator) and follows a blank
# line. `section` captures the line before the blank one when a section may start
# there: a blank line or a separator (---, ***, ___, ===, "# heading").
_PIECE_START = re.compile(
    r"(?:^(?P<section>[^\S\n]*|(?:-{3,}|\*{3,}|_{3,}|={3,})[ \t]*|\#{1,6}[ \t][^\n]*)\n|\n)"
    r"(?P<blank>[^\S\n]*\n)(?P<first>[^\W_][^\n]*)",
    re.MULTILINE,
)
# Fences toggle code blocks for the rest of the text; a cut inside one is no cut.
_FENCE_LINE = re.compile(r"^[ \t]*(?:```|~~~)", re.MULTILINE)
_IGNORE_MARKER = "polite:"
_PARAGRAPH_CUT_EVERY = 16


class _Cut:
    """Where a piece starts: its context (the lines before it), its body, its kind."""

    __slots__ = ("body_start", "context_start", "kind")

    def __init__(self, context_start: int, body_start: int, kind: str) -> None:
        self.context_start = context_start
        self.body_start = body_start
        self.kind = kind


class _Piece:
    """The analysis of one piece, with offsets into its own text (context + body)."""

    __slots__ = (
        "ends_with_finding",
        "findings",
        "inert_lead",
        "inert_trail",
        "newlines",
        "paragraph_count",
        "starts_paragraph",
        "starts_section",
        "starts_with_tail",
    )

    def __init__(self, text: str, context_length: int, ruleset: Ruleset) -> None:
        doc, self.findings = analyse_by_paragraph(text, ruleset)
        self.newlines = text.count("\n", context_length)
        paragraphs = [p for p in doc.paragraph_spans() if p[0] >= context_length]
        self.paragraph_count = len(paragraphs)
        if not paragraphs:
            self.starts_paragraph = self.starts_section = context_length == 0
            self.ends_with_finding = self.starts_with_tail = False
            self.inert_lead = self.inert_trail = 0
            return
        first_start, first_end, first_section = paragraphs[0]
        last_start, last_end, _section = paragraphs[-1]
        self.starts_paragraph = context_length in (0, first_start)
        self.starts_section = self.starts_paragraph and (context_length == 0 or first_section > 0)
        # A marker line hides a finding, but the hidden finding still counts for a tail.
        self.ends_with_finding = any(f.end > last_start for f in self.findings) or (
            _IGNORE_MARKER in text[last_start:last_end]
        )
        self.starts_with_tail = _has_tail(doc, ruleset, first_start, first_end)
        reach = ruleset.structure.window
        self.inert_lead = _inert_run(doc, ruleset, paragraphs[:reach])
        self.inert_trail = _inert_run(doc, ruleset, paragraphs[::-1][:reach])


def _has_tail(doc: Document, ruleset: Ruleset, start: int, end: int) -> bool:
    return any(
        rule.regex(i).search(doc.scan, start, end)
        for rule in ruleset.rules
        if rule.kind == "tail"
        for i in range(len(rule.patterns))
    )


def _inert_run(doc: Document, ruleset: Ruleset, paragraphs: list[tuple[int, int, int]]) -> int:
    """How many of `paragraphs`, from the first, hold nothing a rule could match
    (judged as `analyse_by_paragraph` judges them)."""
    count = 0
    for start, end, _section in paragraphs:
        if ruleset.regions(doc.scan, doc.lowered, [(start, end)], force_split=True):
            break
        count += 1
    return count


class _Placed:
    """A piece at its place in the current text."""

    __slots__ = ("cut", "end", "piece")

    def __init__(self, cut: _Cut, end: int, piece: _Piece) -> None:
        self.cut = cut
        self.end = end
        self.piece = piece


def _inert_paragraphs(pieces: Iterable[_Piece], reach: int, at_start: bool) -> int:
    """Inert paragraphs at the start (or the end) of consecutive pieces, up to `reach`."""
    count = 0
    for piece in pieces:
        run = piece.inert_lead if at_start else piece.inert_trail
        count += run
        if count >= reach or run < piece.paragraph_count:
            break
    return min(count, reach)


class IncrementalAnalyser:
    """Findings of one rule set for successive versions of a document."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self._pieces: dict[str, _Piece] = {}
        self._moved: dict[tuple[_Piece, int, int], list[Finding]] = {}

    def findings(self, text: str) -> list[Finding]:
        """The same findings as `analyse(text, ruleset)`."""
        if len(text) <= LARGE_TEXT or len(text.lower()) != len(text):
            # Short texts are analysed whole, as analyse does; so are texts where
            # lower-casing changes the length, which Document handles text-wide.
            return analyse(text, self.ruleset)[1]
        computed: dict[str, _Piece] = {}
        placed = self._place(text, computed)
        self._pieces = computed
        return self._absolute(text, placed)

    def _place(self, text: str, computed: dict[str, _Piece]) -> list[_Placed]:
        """The pieces of `text`: the candidate pieces, each analysed alone, then
        every run of them that must be analysed together, analysed together."""
        cuts = _cuts(text)
        ends = [cut.body_start for cut in cuts[1:]] + [len(text)]
        candidates = [
            _Placed(cut, end, self._piece(text, cut, end, computed)) for cut, end in zip(cuts, ends, strict=True)
        ]
        placed: list[_Placed] = []
        group = candidates[:1]
        for i in range(1, len(candidates)):
            if self._must_join(text, group, candidates, i, computed):
                group.append(candidates[i])
            else:
                placed.append(self._joined(text, group, computed))
                group = [candidates[i]]
        placed.append(self._joined(text, group, computed))
        return placed

    def _must_join(
        self, text: str, group: list[_Placed], candidates: list[_Placed], i: int, computed: dict[str, _Piece]
    ) -> bool:
        """Whether the cut before `candidates[i]` could change what the rules find."""
        after = candidates[i]
        if after.cut.kind == SECTION:
            if not after.piece.starts_section:
                return True
            return after.piece.starts_with_tail and self._joined(text, group, computed).piece.ends_with_finding
        reach = self.ruleset.structure.window
        before = _inert_paragraphs((placed.piece for placed in reversed(group)), reach, at_start=False)
        following = _inert_paragraphs((candidates[j].piece for j in range(i, len(candidates))), reach, at_start=True)
        return not (after.piece.starts_paragraph and before >= reach and following >= reach)

    def _joined(self, text: str, group: list[_Placed], computed: dict[str, _Piece]) -> _Placed:
        if len(group) == 1:
            return group[0]
        first, end = group[0].cut, group[-1].end
        return _Placed(first, end, self._piece(text, first, end, computed))

    def _piece(self, text: str, cut: _Cut, end: int, computed: dict[str, _Piece]) -> _Piece:
        key = text[cut.context_start : end]
        piece = computed.get(key) or self._pieces.get(key)
        if piece is None:
            piece = _Piece(key, cut.body_start - cut.context_start, self.ruleset)
        computed[key] = piece
        return piece

    def _absolute(self, text: str, placed: list[_Placed]) -> list[Finding]:
        """Every piece's findings moved to their place in `text`, reusing the copies
        made last time for pieces that did not move."""
        moved: dict[tuple[_Piece, int, int], list[Finding]] = {}
        out: list[Finding] = []
        body_line = 0  # newlines before the current piece's body
        for place in placed:
            start = place.cut.context_start
            context_line = body_line - text.count("\n", start, place.cut.body_start)
            key = (place.piece, start, context_line)
            findings = self._moved.get(key)
            if findings is None:
                findings = [_moved(f, start, context_line) for f in place.piece.findings]
            moved[key] = findings
            out.extend(findings)
            body_line += place.piece.newlines
        self._moved = moved
        return out


def _cuts(text: str) -> list[_Cut]:
    """Where pieces may start, in text order; the first piece starts at 0 with no context."""
    fences = [m.start() for m in _FENCE_LINE.finditer(text)] if "```" in text or "~~~" in text else []
    cuts = [_Cut(0, 0, SECTION)]
    for m in _PIECE_START.finditer(text):
        if m.start() == 0 or bisect_left(fences, m.start()) % 2:
            continue
        if m.group("section") is not None:
            cuts.append(_Cut(m.start(), m.start("first"), SECTION))
        elif zlib.crc32(m.group("first").encode("utf-8", "surrogatepass")) % _PARAGRAPH_CUT_EVERY == 0:
            cuts.append(_Cut(m.start("blank"), m.start("first"), PARAGRAPH))
    return cuts


def _moved(finding: Finding, by: int, lines: int) -> Finding:
    """A copy of `finding` with its offsets moved by `by` and its lines by `lines`."""
    fields = {name: getattr(finding, name) for name in Finding.__slots__}
    fix = finding.fix
    fields.update(
        start=finding.start + by,
        end=finding.end + by,
        line=finding.line + lines,
        end_line=finding.end_line + lines,
        fix=Fix(fix.action, fix.start + by, fix.end + by, fix.safe, fix.strategies),
    )
    return Finding(**fields)

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
- inside a section, the nearest paragraphs with matches on the two sides must be
  more than `window` paragraphs apart, and no rule that reads the paragraphs
  around it (`unless_nearby`) may match within `window` paragraphs of the cut.

Otherwise the two pieces are analysed together. The findings are those of
`analyse` on the whole text, with the same offsets, lines and columns
(tests/test_lsp_incremental.py compares the two); only `first_sentence` and
`last_sentence` count sentences from the start of the piece.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from itertools import accumulate

from ..detect import Finding, Fix, analyse, analyse_by_paragraph
from ..rules import LARGE_TEXT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..document import Document
    from ..rules import Rule, Ruleset

SECTION, PARAGRAPH = "section", "paragraph"

# A line before a blank line where a section may start: blank, or a separator
# (---, ***, ___, ===, "# heading").
_SECTION_BREAK = re.compile(r"[^\S\n]*|(?:-{3,}|\*{3,}|_{3,}|={3,})[ \t]*|\#{1,6}[ \t][^\n]*")
# Fences toggle code blocks for the rest of the text; a cut inside one is no cut.
_FENCE = re.compile(r"[ \t]*(?:```|~~~)")
_IGNORE_MARKER = "polite:"
_PARAGRAPH_CUT_EVERY = 16
INERT, MATCHES, READS_AROUND = 0, 1, 2
LOWERS_LONGER = "\u0130"  # the one character whose lower case is longer ("İ" -> "i̇")


class Cut:
    """Where a piece starts: its context (the lines before it), its body, its kind."""

    __slots__ = ("body_start", "context_start", "kind")

    def __init__(self, context_start: int, body_start: int, kind: str) -> None:
        self.context_start = context_start
        self.body_start = body_start
        self.kind = kind


class Piece:
    """The analysis of one piece, with offsets into its own text (context + body)."""

    __slots__ = (
        "ends_with_finding",
        "findings",
        "head",
        "newlines",
        "paragraph_count",
        "starts_paragraph",
        "starts_section",
        "starts_with_tail",
        "tail",
    )

    def __init__(self, text: str, context_length: int, ruleset: Ruleset) -> None:
        doc, self.findings = analyse_by_paragraph(text, ruleset)
        self.newlines = text.count("\n", context_length)
        paragraphs = [p for p in doc.paragraph_spans() if p[0] >= context_length]
        self.paragraph_count = len(paragraphs)
        if not paragraphs:
            self.starts_paragraph = self.starts_section = context_length == 0
            self.ends_with_finding = self.starts_with_tail = False
            self.head: tuple[int, ...] = ()
            self.tail: tuple[int, ...] = ()
            return
        first_start, _end, first_section = paragraphs[0]
        last_start, last_end, _last_section = paragraphs[-1]
        self.starts_paragraph = context_length in (0, first_start)
        self.starts_section = self.starts_paragraph and (context_length == 0 or first_section > 0)
        # A marker line hides a finding, but the hidden finding still counts for a tail.
        self.ends_with_finding = any(f.end > last_start for f in self.findings) or (
            _IGNORE_MARKER in text[last_start:last_end]
        )
        reach = ruleset.structure.window
        head = [_candidates(doc, ruleset, start, end) for start, end, _section in paragraphs[:reach]]
        tail = [_candidates(doc, ruleset, start, end) for start, end, _section in paragraphs[::-1][:reach]]
        # The pattern sets say whether a tail pattern matches; the findings need not.
        self.starts_with_tail = any(rule.kind == "tail" for rule in head[0])
        # What the paragraphs nearest each end hold, nearest the end first.
        self.head = tuple(_holds(rules) for rules in head)
        self.tail = tuple(_holds(rules) for rules in tail)


def _candidates(doc: Document, ruleset: Ruleset, start: int, end: int) -> list[Rule]:
    """The rules with a pattern that matches in a paragraph, as `analyse_by_paragraph`
    finds them (or more, where it falls back to trigger words)."""
    regions = ruleset.regions(doc.scan, [(start, end)], force_split=True)
    return [rule for _start, _end, pairs in regions for rule, _i in pairs]


def _holds(rules: list[Rule]) -> int:
    """What a paragraph holds: nothing a rule could match (INERT), matches (MATCHES),
    or matches of a rule that reads the paragraphs around it (READS_AROUND)."""
    if not rules:
        return INERT
    return READS_AROUND if any(rule.unless_nearby for rule in rules) else MATCHES


class _Placed:
    """A piece at its place in the current text."""

    __slots__ = ("cut", "end", "piece")

    def __init__(self, cut: Cut, end: int, piece: Piece) -> None:
        self.cut = cut
        self.end = end
        self.piece = piece


def _near_cut(pieces: Iterable[Piece], reach: int, after: bool) -> list[int]:
    """What the `reach` paragraphs nearest a cut hold, on one side, nearest first;
    `pieces` are the pieces on that side, nearest first."""
    found: list[int] = []
    for piece in pieces:
        found.extend(piece.head if after else piece.tail)
        if len(found) >= reach or piece.paragraph_count > len(piece.head):
            break
    return found[:reach]


def _independent(before: list[int], after: list[int], reach: int) -> bool:
    """Whether paragraphs on either side of a cut inside a section cannot affect each
    other: matches on the two sides are more than `reach` paragraphs apart, and
    no rule near the cut reads paragraphs across it."""
    if READS_AROUND in before or READS_AROUND in after:
        return False
    return _leading_inert(before) + _leading_inert(after) >= reach


def _leading_inert(holds: list[int]) -> int:
    count = 0
    while count < len(holds) and holds[count] == INERT:
        count += 1
    return count


class IncrementalAnalyser:
    """Findings of one rule set for successive versions of a document."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self._pieces: dict[str, Piece] = {}
        self._moved: dict[tuple[Piece, int, int], list[Finding]] = {}

    def findings(self, text: str, cuts: list[Cut] | None = None) -> list[Finding]:
        """The same findings as `analyse(text, ruleset)`. `cuts` are where pieces may
        start (the first at 0); by default every place `_cuts` finds."""
        if not piecewise(text):
            # Short texts are analysed whole, as analyse does; so are texts where
            # lower-casing changes the length, which Document handles text-wide.
            return analyse(text, self.ruleset)[1]
        computed: dict[str, Piece] = {}
        placed = self._place(text, computed, _cuts(text) if cuts is None else cuts)
        self._pieces = computed
        return self._absolute(text, placed)

    def add_pieces(self, pieces: dict[str, Piece]) -> None:
        """Pieces analysed elsewhere (see parallel.py), keyed by their text."""
        self._pieces.update(pieces)

    def _place(self, text: str, computed: dict[str, Piece], cuts: list[Cut]) -> list[_Placed]:
        """The pieces of `text`: the candidate pieces, each analysed alone, then
        every run of them that must be analysed together, analysed together."""
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
        self, text: str, group: list[_Placed], candidates: list[_Placed], i: int, computed: dict[str, Piece]
    ) -> bool:
        """Whether the cut before `candidates[i]` could change what the rules find."""
        after = candidates[i]
        if after.cut.kind == SECTION:
            if not after.piece.starts_section:
                return True
            return after.piece.starts_with_tail and self._joined(text, group, computed).piece.ends_with_finding
        reach = self.ruleset.structure.window
        before = _near_cut((placed.piece for placed in reversed(group)), reach, after=False)
        following = _near_cut((candidates[j].piece for j in range(i, len(candidates))), reach, after=True)
        return not (after.piece.starts_paragraph and _independent(before, following, reach))

    def _joined(self, text: str, group: list[_Placed], computed: dict[str, Piece]) -> _Placed:
        if len(group) == 1:
            return group[0]
        first, end = group[0].cut, group[-1].end
        return _Placed(first, end, self._piece(text, first, end, computed))

    def _piece(self, text: str, cut: Cut, end: int, computed: dict[str, Piece]) -> Piece:
        key = text[cut.context_start : end]
        piece = computed.get(key) or self._pieces.get(key)
        if piece is None:
            piece = Piece(key, cut.body_start - cut.context_start, self.ruleset)
        computed[key] = piece
        return piece

    def _absolute(self, text: str, placed: list[_Placed]) -> list[Finding]:
        """Every piece's findings moved to their place in `text`, reusing the copies
        made last time for pieces that did not move."""
        moved: dict[tuple[Piece, int, int], list[Finding]] = {}
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


def piecewise(text: str) -> bool:
    """Whether `text` is analysed piece by piece (else whole, as `analyse` does)."""
    return len(text) > LARGE_TEXT and LOWERS_LONGER not in text


def middle_cuts(text: str, window: int = 200_000) -> list[Cut]:
    """The places near the middle of `text` where a piece may start: those in the
    `window` characters after the middle. None when the text has fences (whether a
    line is fenced depends on all before it)."""
    if ("`" in text and "```" in text) or ("~" in text and "~~~" in text):
        return []
    start = text.find("\n", len(text) // 2) + 1
    if start <= 0:
        return []
    return [Cut(c.context_start + start, c.body_start + start, c.kind) for c in _cuts(text[start : start + window])[1:]]


def separable_near(text: str, cut: Cut, ruleset: Ruleset, margin: int = 10_000) -> bool:
    """Whether the pieces on the two sides of `cut` would be analysed apart, judged
    on the `margin` characters around it (all that the joining rules look at,
    unless paragraphs are very long; the pieces themselves have the last word)."""
    low = text.rfind("\n", 0, max(0, cut.context_start - margin)) + 1
    high = text.find("\n", cut.body_start + margin)
    around = text[low : len(text) if high < 0 else high]
    shifted = Cut(cut.context_start - low, cut.body_start - low, cut.kind)
    return len(IncrementalAnalyser(ruleset)._place(around, {}, [Cut(0, 0, SECTION), shifted])) == 2


def piece_text(text: str, cut: Cut, end: int) -> tuple[str, int]:
    """The text of the piece from `cut` to `end` (context and body) and its context's length."""
    return text[cut.context_start : end], cut.body_start - cut.context_start


def _cuts(text: str) -> list[Cut]:
    """Where pieces may start, in text order; the first piece starts at 0 with no context.
    A piece starts at a line that starts with a letter or digit (so it is neither
    indented, quoted, fenced nor a separator) right after a blank line."""
    lines = text.split("\n")
    starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
    fenced = ("`" in text and "```" in text) or ("~" in text and "~~~" in text)  # one-character searches are fast
    in_fence = False
    cuts = [Cut(0, 0, SECTION)]
    for i, line in enumerate(lines):
        if fenced and _FENCE.match(line):
            in_fence = not in_fence
            continue
        if i < 2 or in_fence or not line[:1].isalnum() or not _is_blank(lines[i - 1]):
            continue
        if _may_break_section(lines[i - 2]):
            if i > 2:
                cuts.append(Cut(starts[i - 2], starts[i], SECTION))
        elif zlib.crc32(line.encode("utf-8", "surrogatepass")) % _PARAGRAPH_CUT_EVERY == 0:
            cuts.append(Cut(starts[i - 1], starts[i], PARAGRAPH))
    return cuts


def _is_blank(line: str) -> bool:
    return not line or line.isspace()


def _may_break_section(line: str) -> bool:
    first = line[:1]  # a cheap look before the regular expression
    if not first:
        return True
    return (first in "-*_=#" or first.isspace()) and _SECTION_BREAK.fullmatch(line) is not None


def _moved(finding: Finding, by: int, lines: int) -> Finding:
    """A copy of `finding` with its offsets moved by `by` and its lines by `lines`
    (the finding itself when it does not move)."""
    if by == 0 and lines == 0:
        return finding
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

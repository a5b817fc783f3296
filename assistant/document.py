"""The text as read: sentences with offsets, regions left alone, line/column mapping.

Offsets are Python string indices into the text exactly as read. Protected
regions (lines quoted with `>`, fenced and indented code, URLs, text in quotation
marks) are masked in `scan`, a copy of the text of the same length that rules
match against, so no rule can fire inside them and every offset stays valid.
"""

from __future__ import annotations

import re
from bisect import bisect_right

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

MASK = "\x00"

BODY, GREETING, SIGNOFF, SIGNATURE = "body", "greeting", "signoff", "signature"

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'“”‘’]+|\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_QUOTE_LINE = re.compile(r"^[ \t]*>")
# Quotations: straight or curly double quotes, and single quotes that open after a
# space or bracket and close before a space or punctuation (so "don't" is not one).
_DOUBLE_QUOTED = re.compile(r'"[^"\n]{1,300}"|“[^”\n]{1,300}”|„[^“”\n]{1,300}[“”]|«[^»\n]{1,300}»')
_SINGLE_QUOTED = re.compile(r"(?:^|(?<=[\s(\[:]))['‘](?=\S)[^\n]{1,300}?(?<=\S)['’](?=$|[\s.,;:!?)\]])", re.M)
_IGNORE_MARKER = re.compile(r"(?:<!--\s*)?polite:\s*ignore\b[^\n]*?(?:-->)?[ \t]*$", re.M | re.I)
_SEPARATOR_LINE = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,}|={3,}|#{1,6}[ \t].*)[ \t]*$")

_EMOJI_CLASS = (
    "\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff"
    "\u3030\u303d\u3297\u3299\ufe0f\u200d\U0001f000-\U0001faff\U000e0020-\U000e007f"
)
_EMOJI_RUN = f"[{_EMOJI_CLASS}](?:[\\s{_EMOJI_CLASS}]*[{_EMOJI_CLASS}])?"
# A sentence ends after terminal punctuation (plus closing quotes and a trailing
# emoji run), or, in casual writing, after an emoji run that stands between
# spaces ("great vid 🔥 liked it"; not "a 5⭐ review").
_BOUNDARY = re.compile(
    rf"(?P<punct>[.!?…]+)[\"'”’)\]]*(?:[ \t]*{_EMOJI_RUN})?(?=\s)|(?<=\s)(?P<emoji>{_EMOJI_RUN})(?=[ \t]+[^\s{_EMOJI_CLASS}#])"
)
_TAIL_ONLY = re.compile(rf"^(?:[#@][\w.]+|{_EMOJI_RUN}|[\s.!?])+$")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


class Structure:
    """Language data the segmenter needs (greetings, sign-offs, abbreviations).

    Built from the `[document]` table of phrasebooks/vocabulary.toml.
    """

    __slots__ = ("abbreviations", "greeting_inline", "greeting_line", "greeting_sentence", "signoff_line", "window")

    def __init__(self, greeting: str, signoff: str, abbreviations: Iterable[str], window: int = 4) -> None:
        self.greeting_line = re.compile(rf"^(?:{greeting})\b[^\n.!?]{{0,40}}[,!:—–-]?[ \t]*$", re.I)
        self.greeting_sentence = re.compile(rf"^(?:{greeting})\b[^\n.!?,]{{0,30}}[.!?,]*(?:[ \t]*{_EMOJI_RUN})?$", re.I)
        self.greeting_inline = re.compile(rf"^(?:{greeting})\b[^\n,.!?—–:]{{0,40}}?(?:,|[ \t]+[—–-])[ \t]*", re.I)
        self.signoff_line = re.compile(rf"^(?:[—–-]+[ \t]*)?(?:{signoff})\b[^\n.?]{{0,30}}[,!.]?[ \t]*$", re.I)
        self.abbreviations = frozenset(a.lower().rstrip(".") for a in abbreviations)
        self.window = window


class Sentence:
    __slots__ = ("block", "end", "kind", "section", "start")

    def __init__(self, start: int, end: int, kind: str, block: int, section: int) -> None:
        self.start = start
        self.end = end
        self.kind = kind
        self.block = block
        self.section = section

    def __repr__(self) -> str:
        return f"Sentence({self.start}, {self.end}, {self.kind!r}, block={self.block})"


class Document:
    """A text split into sentences, with masked regions and position lookup."""

    __slots__ = ("_line_starts", "ignored_lines", "lowered", "scan", "sentence_starts", "sentences", "text")

    def __init__(self, text: str, structure: Structure) -> None:
        self.text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.ignored_lines = {self.line_index(m.start()) for m in _IGNORE_MARKER.finditer(text)}
        self.scan = _mask(text, self._line_starts)
        lowered = self.scan.lower()
        if len(lowered) != len(self.scan):  # a few characters (e.g. "İ") grow when lowered
            lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in self.scan)
        self.lowered = lowered
        self.sentences = _segment(self.scan, self._line_starts, structure)
        self.sentence_starts = [s.start for s in self.sentences]

    # ----------------------------------------------------------- positions
    def line_index(self, offset: int) -> int:
        """0-based line of a code-point offset."""
        return bisect_right(self._line_starts, offset) - 1

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a code-point offset; columns count code points."""
        line = self.line_index(offset)
        return line + 1, offset - self._line_starts[line] + 1

    def line_start(self, line_index: int) -> int:
        return self._line_starts[line_index]

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def sentence_at(self, offset: int) -> int:
        """Index of the sentence that contains (or precedes) `offset`."""
        return max(bisect_right(self.sentence_starts, offset) - 1, 0)

    def body_sentences(self) -> list[int]:
        return [i for i, s in enumerate(self.sentences) if s.kind == BODY]


# --------------------------------------------------------------------- masking
def _mask(text: str, line_starts: Sequence[int]) -> str:
    spans: list[tuple[int, int]] = []
    in_fence = in_indent = False
    previous_blank = True
    for i, start in enumerate(line_starts):
        end = line_starts[i + 1] - 1 if i + 1 < len(line_starts) else len(text)
        line = text[start:end]
        blank = not line.strip()
        indented = not blank and line.startswith(("    ", "\t"))
        if _FENCE.match(line):
            in_fence = not in_fence
            spans.append((start, end))
        elif in_fence or _QUOTE_LINE.match(line) or (indented and (previous_blank or in_indent)):
            spans.append((start, end))
        in_indent = indented and (in_indent or previous_blank) and not in_fence
        previous_blank = blank
    for pattern in (_URL, _DOUBLE_QUOTED, _SINGLE_QUOTED):
        spans.extend(m.span() for m in pattern.finditer(text))
    if not spans:
        return text
    spans.sort()
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        start = max(start, cursor)
        if start >= end:
            continue
        pieces.append(text[cursor:start])
        pieces.append(re.sub(r"[^\n]", MASK, text[start:end]))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


# ------------------------------------------------------------------ segmenting
def _segment(scan: str, line_starts: Sequence[int], structure: Structure) -> list[Sentence]:
    """Split into sentences; tag greetings, sign-offs and signatures."""
    lines = []
    for i, start in enumerate(line_starts):
        end = line_starts[i + 1] - 1 if i + 1 < len(line_starts) else len(scan)
        lines.append((start, end))

    sentences: list[Sentence] = []
    block = section = 0
    blank_run = 0
    current: list[tuple[int, int]] = []  # lines of the current block

    def flush_block() -> None:
        nonlocal block
        if current:
            sentences.extend(_block_sentences(scan, current, structure, block, section))
            block += 1
            current.clear()

    for start, end in lines:
        line = scan[start:end]
        if not line.strip() or not line.strip(MASK + " \t"):
            blank = not line.strip()
            if blank:
                blank_run += 1
                flush_block()
                if blank_run == 2:
                    section += 1
            else:  # a fully masked line (quote, code) separates blocks too
                flush_block()
            continue
        if _SEPARATOR_LINE.match(line):
            flush_block()
            section += 1
            blank_run = 0
            continue
        blank_run = 0
        current.append((start, end))
    flush_block()
    return sentences


def _block_sentences(
    scan: str, lines: list[tuple[int, int]], structure: Structure, block: int, section: int
) -> list[Sentence]:
    kinds = _line_kinds(scan, lines, structure)
    out: list[Sentence] = []
    unit_start: int | None = None
    unit_end = 0
    for (start, end), kind in zip(lines, kinds):
        text = scan[start:end]
        if kind != BODY:
            if unit_start is not None:
                out.extend(_split_unit(scan, unit_start, unit_end, structure, block, section))
                unit_start = None
            lstrip = len(text) - len(text.lstrip())
            rstrip = len(text.rstrip())
            out.append(Sentence(start + lstrip, start + rstrip, kind, block, section))
            continue
        if unit_start is not None and _continues(scan[unit_start:unit_end], text):
            unit_end = end
            continue
        if unit_start is not None:
            out.extend(_split_unit(scan, unit_start, unit_end, structure, block, section))
        unit_start, unit_end = start, end
    if unit_start is not None:
        out.extend(_split_unit(scan, unit_start, unit_end, structure, block, section))
    return out


def _line_kinds(scan: str, lines: list[tuple[int, int]], structure: Structure) -> list[str]:
    kinds = [BODY] * len(lines)
    if not lines:
        return kinds
    first = scan[lines[0][0] : lines[0][1]].strip()
    if len(lines) > 1 and structure.greeting_line.match(first):
        kinds[0] = GREETING
    # Sign-off: a short closing line near the end, followed only by short name lines.
    for i in range(len(lines) - 1, max(len(lines) - 4, 0) - 1, -1):
        text = scan[lines[i][0] : lines[i][1]].strip()
        if i > 0 and structure.signoff_line.match(text) and all(
            _is_name_line(scan[s:e].strip()) for s, e in lines[i + 1 :]
        ):
            kinds[i] = SIGNOFF
            for j in range(i + 1, len(lines)):
                kinds[j] = SIGNATURE
            break
    else:
        last = scan[lines[-1][0] : lines[-1][1]].strip()
        if len(lines) > 1 and kinds[-1] == BODY and _is_name_line(last) and _ends_sentence(
            scan[lines[-2][0] : lines[-2][1]]
        ):
            kinds[-1] = SIGNATURE
    return kinds


_NAME_LINE = re.compile(r"^(?:[—–-]+[ \t]*)?[A-Z][\w.'&-]*(?:,?[ \t]+[\w.'&-]+){0,4}$")


def _is_name_line(text: str) -> bool:
    return len(text) <= 40 and bool(_NAME_LINE.match(text))


def _ends_sentence(text: str) -> bool:
    return bool(re.search(rf"(?:[.!?…,:]|{_EMOJI_RUN})[\"'”’)\]]*\s*$", text))


def _continues(previous: str, line: str) -> bool:
    """A hard-wrapped line: the previous line does not end a sentence and this one starts lower-case."""
    stripped = line.lstrip()
    return bool(stripped) and stripped[0].islower() and not _ends_sentence(previous)


def _split_unit(scan: str, start: int, end: int, structure: Structure, block: int, section: int) -> list[Sentence]:
    text = scan[start:end]
    pieces: list[tuple[int, int]] = []
    cursor = 0
    for m in _BOUNDARY.finditer(text):
        cut = m.end()
        if m.group("punct"):
            punct = m.group("punct")
            following = text[cut:].lstrip()
            if punct == "." and _is_abbreviation(text[cursor : m.start()], structure):
                continue
            if punct in ("...", "…", "..") and following[:1].islower():
                continue
        pieces.append((cursor, cut))
        cursor = cut
    if cursor < len(text):
        pieces.append((cursor, len(text)))

    sentences: list[Sentence] = []
    for a, b in pieces:
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        if lead >= trail:
            continue
        s, e = start + a + lead, start + a + trail
        chunk = scan[s:e]
        if sentences and _TAIL_ONLY.match(chunk.replace(MASK, "")) and scan[sentences[-1].end : s].strip() == "":
            sentences[-1].end = e  # trailing hashtags or emoji belong to the sentence before
            continue
        if not sentences and structure.greeting_sentence.match(chunk):
            sentences.append(Sentence(s, e, GREETING, block, section))  # "Hi.", "Hey there!"
            continue
        if not sentences:
            greeting = structure.greeting_inline.match(chunk)
            if greeting and greeting.end() < len(chunk):
                g_end = s + len(greeting.group(0).rstrip())
                sentences.append(Sentence(s, g_end, GREETING, block, section))
                s += greeting.end()
        sentences.append(Sentence(s, e, BODY, block, section))
    return sentences


def _is_abbreviation(before: str, structure: Structure) -> bool:
    m = _WORD_BEFORE.search(before)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    return word in structure.abbreviations or (len(word) == 1 and word.isalpha())

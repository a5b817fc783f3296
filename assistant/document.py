"""The text as read: sentences with offsets, regions left alone, line/column mapping.

Offsets are Python string indices into the text exactly as read. Protected
regions (lines quoted with `>`, fenced and indented code, URLs, text in quotation
marks) are masked in `scan`, a copy of the text of the same length that rules
match against, so no rule can fire inside them and every offset stays valid.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, pairwise

from . import fastre

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

MASK = "\x00"
_I, _M = fastre.IGNORECASE, fastre.MULTILINE

BODY, GREETING, SIGNOFF, SIGNATURE = "body", "greeting", "signoff", "signature"

# Links with a scheme or www.; a sentence's closing punctuation after one is not part of it.
_URL = fastre.compile(r"(?:https?://|www\.)[^\s<>\"'“”‘’]*[^\s<>\"'“”‘’.,;:!?)\]]")
# A bare link is a domain, then a path (github.com/me/tool): see _bare_links.
_DOMAIN = fastre.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PATH = fastre.compile(r"/(?:[^\s<>\"'“”‘’]*[^\s<>\"'“”‘’.,;:!?)\]])?")
_EMAIL_DOMAIN = fastre.compile(r"@[\w-]+\.[\w.-]*\w")  # the local part is found by walking back from "@"
_FENCE = fastre.compile(r"^[ \t]*(```|~~~)")
_QUOTE_LINE = fastre.compile(r"^[ \t]*>")
# Quotations: straight or curly double quotes, and single quotes that open after a
# space or bracket and close before a space or punctuation (so "don't" is not one).
# A text is scanned only for the opening marks it holds: on a long text one plain
# mark is found several times faster than any of four.
_DOUBLE_QUOTED = (
    ('"', r'"[^"\n]{1,300}"'),
    ("“", r"“[^”\n]{1,300}”"),
    ("„", r"„[^“”\n]{1,300}[“”]"),
    ("«", r"«[^»\n]{1,300}»"),
)
_SINGLE_QUOTED = r"[{0}](?<![^\s(\[:][{0}])(?=\S)[^\n]{{1,300}}?(?<=\S)['’](?=$|[\s.,;:!?)\]])"
_IGNORE_MARKER = fastre.compile(r"polite:[ \t]*ignore\b[^\n]*$", _M)
# A run of lines that end paragraphs, each with the newline before it: blank,
# wholly masked (quoted or code), or a separator (---, ***, ___, ===, a Markdown
# heading). It starts with a newline, so a search skips quickly from line to line.
_SEPARATOR = r"[ \t]*(?:-{3,}|\*{3,}|_{3,}|={3,}|#{1,6}[ \t][^\n]*)[ \t\r]*"  # \r: CRLF text
_BREAK_LINE = rf"\n(?:[^\S\n]*|[ \t\r]*\x00[\x00 \t\r]*|{_SEPARATOR})(?=\n|\Z)"
_BREAK_RUN = fastre.compile(f"{_BREAK_LINE}(?:{_BREAK_LINE})*")  # not (?:...)+, which scans slowly
_SEPARATOR_LINE = fastre.compile(_SEPARATOR)

_EMOJI_CLASS = (
    "\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff"
    "\u3030\u303d\u3297\u3299\ufe0f\u200d\U0001f000-\U0001faff\U000e0020-\U000e007f"
)
_EMOJI_RUN = f"[{_EMOJI_CLASS}](?:[\\s{_EMOJI_CLASS}]*[{_EMOJI_CLASS}])?"
# A sentence ends after terminal punctuation (plus closing quotes and a trailing
# emoji run), or, in casual writing, after an emoji run that stands between
# spaces ("great vid 🔥 liked it"; not "a 5⭐ review").
_BOUNDARY = fastre.compile(
    rf"(?P<punct>[.!?…]+)[\"'”’)\]]*(?:[ \t]*{_EMOJI_RUN})?(?=\s)|(?P<emoji>{_EMOJI_RUN})(?=[ \t]+[^\s{_EMOJI_CLASS}#])"
)
# The same for ASCII text, where no emoji can occur; much faster to scan for.
_PUNCT_BOUNDARY = fastre.compile(r"(?P<punct>[.!?]+)[\"')\]]*(?=\s)")
_TAIL_ONLY = fastre.compile(rf"^(?:[#@][\w.]+|{_EMOJI_RUN}|[\s.!?])+$")
_SENTENCE_END = fastre.compile(rf"(?:[.!?…,:]|{_EMOJI_RUN})[\"'”’)\]]*\s*$")
_NOT_NEWLINE = fastre.compile(r"[^\n]")


class Structure:
    """Language data the segmenter needs (greetings, sign-offs, abbreviations).

    Built from the `[document]` table of phrasebooks/vocabulary.toml.
    """

    __slots__ = (
        "abbreviations",
        "greeting_inline",
        "greeting_line",
        "greeting_sentence",
        "sender",
        "signoff_line",
        "window",
    )

    def __init__(
        self, greeting: str, signoff: str, abbreviations: Iterable[str], window: int = 4, sender: Iterable[str] = ()
    ) -> None:
        titles = "|".join(fastre.escape(a) for a in abbreviations if "." not in a)
        title = rf"\b(?:{titles})\.|" if titles else ""  # "Dr." inside a name does not end it
        name_char = rf"(?:{title}[^\n.!?])"
        self.greeting_line = fastre.compile(rf"^(?:{greeting})\b{name_char}{{0,40}}[,!:—–-]?[ \t]*$", _I)
        # "Hi.", "Hey there!", "Hello Rafael!": a greeting word and at most three more words.
        self.greeting_sentence = fastre.compile(
            rf"^(?:{greeting})\b(?:[ \t]+[\w'’-]+){{0,3}}[ \t]*[.!?,]*(?:[ \t]*{_EMOJI_RUN})?$", _I
        )
        inline_char = rf"(?:{title}[^\n,.!?—–:])"
        self.greeting_inline = fastre.compile(rf"^(?:{greeting})\b{inline_char}{{0,40}}?(?:,|[ \t]+[—–-])[ \t]*", _I)
        self.signoff_line = fastre.compile(rf"^(?:[—–-]+[ \t]*)?(?:{signoff})\b[^\n.?]{{0,30}}[,!.]?[ \t]*$", _I)
        self.abbreviations = frozenset(a.lower().rstrip(".") for a in abbreviations)
        self.window = window
        self.sender = [fastre.compile(p, _M) for p in sender]


class Sentence:
    """A sentence's span and role. `soft` marks one that only an emoji separates
    from the sentence before and that starts in lower case ("... back pls 🙏 it's
    my shop"): it continues the same thought."""

    __slots__ = ("block", "end", "kind", "section", "soft", "start")

    def __init__(self, start: int, end: int, kind: str, block: int, section: int, soft: bool = False) -> None:
        self.start = start
        self.end = end
        self.kind = kind
        self.block = block
        self.section = section
        self.soft = soft

    def __repr__(self) -> str:
        return f"Sentence({self.start}, {self.end}, {self.kind!r}, block={self.block})"


class Document:
    """A text split into sentences, with masked regions and position lookup."""

    __slots__ = (
        "_line_starts",
        "ignored_lines",
        "partial_sections",
        "scan",
        "sentence_starts",
        "sentences",
        "text",
    )

    def __init__(
        self,
        text: str,
        structure: Structure,
        wanted: Callable[[Document, list[list[tuple[int, int]]]], list[dict[int, bool]]] | None = None,
    ) -> None:
        """`wanted`, given this document and the paragraph spans of each section,
        names per section the paragraphs (by position) where rules may match, each
        with whether a rule there reads its neighbours. Only those paragraphs, the ones
        between two of them that are close, and the neighbours of the ones that
        need context are split into sentences. Rules never look further, so the
        findings are those of a full split, and long texts are much faster (see
        detect.analyse). `partial_sections` lists the sections not split in full."""
        self.text = text
        # Each line starts one past the end of the one before (all in C, for long texts).
        lengths = map(len, text.split("\n"))
        self._line_starts = list(accumulate(map((1).__add__, lengths), initial=0))[:-1]
        self.ignored_lines = (
            {self.line_index(m.start()) for m in _IGNORE_MARKER.finditer(text)} if "polite:" in text else set()
        )
        self.scan = _mask(text, self._line_starts)
        self.partial_sections: set[int] = set()
        self.sentences = _segment(
            self.scan,
            structure,
            None if wanted is None else (lambda spans: wanted(self, spans)),
            self.partial_sections,
        )
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

    def paragraph_spans(self) -> list[tuple[int, int, int]]:
        """(start, end, section) of every paragraph, split or not, in text order."""
        return _blocks(self.scan)


# --------------------------------------------------------------------- masking
def _mask(text: str, line_starts: Sequence[int]) -> str:
    spans: list[tuple[int, int]] = []
    in_fence = in_indent = False
    previous_blank = True
    # Most drafts have no quoted lines or code; skip the line walk for them. (On a
    # long text, looking for one character is much faster than for several.)
    has_blocks = ">" in text or ("`" in text and "```" in text) or ("~" in text and "~~~" in text)
    has_blocks = has_blocks or ("\t" in text and "\n\t" in text) or "\n    " in text
    has_blocks = has_blocks or text.startswith(("    ", "\t"))
    for i, start in enumerate(line_starts if has_blocks else ()):
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
    # A scan of a long text costs far more than `in`.
    if "://" in text or "www." in text:
        spans.extend(m.span() for m in _URL.finditer(text))
    double = "|".join(branch for mark, branch in _DOUBLE_QUOTED if mark in text)
    if double:
        spans.extend(m.span() for m in fastre.compile(double).finditer(text))
    single = "".join(mark for mark in "'‘" if mark in text)
    if single:
        spans.extend(m.span() for m in fastre.compile(_SINGLE_QUOTED.format(single), _M).finditer(text))
    if "/" in text:
        spans.extend(_bare_links(text))
    if "@" in text:
        for m in _EMAIL_DOMAIN.finditer(text):
            start = m.start()
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._+-"):
                start -= 1
            if start < m.start():  # an address, not a @handle
                spans.append((start, m.end()))
    if not spans:
        return text
    spans.sort()
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        begin = max(start, cursor)
        if begin >= end:
            continue
        pieces.append(text[cursor:begin])
        pieces.append(_NOT_NEWLINE.sub(MASK, text[begin:end]))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _bare_links(text: str) -> list[tuple[int, int]]:
    """Links without a scheme. Found from each "/" (rare in prose) rather than by a
    pattern, which would have to be tried at every word of a long text."""
    spans = []
    slash = text.find("/")
    while slash >= 0:
        start = slash
        while start > 0 and text[start - 1].isascii() and (text[start - 1].isalnum() or text[start - 1] in ".-"):
            start -= 1
        end = slash + 1
        if start < slash and _DOMAIN.fullmatch(text, start, slash):
            end = _PATH.match(text, slash).end()  # type: ignore[union-attr]  # "/" always matches
            spans.append((start, end))
        slash = text.find("/", end)
    return spans


# ------------------------------------------------------------------ segmenting
def _blocks(scan: str) -> list[tuple[int, int, int]]:
    """Paragraphs as (start, end, section). Blank or wholly masked lines end a
    paragraph; two blank lines or a separator line (---, ***, a heading) also end
    a section. Only the runs of lines that end paragraphs are visited."""
    blocks: list[tuple[int, int, int]] = []
    effects: dict[tuple[int, str], tuple[int, int]] = {}  # a run's text recurs: classify it once
    section = blank_run = 0
    cursor = 0  # where the next paragraph line may start
    first_line = scan.split("\n", 1)[0]
    runs = [(0, len(first_line))] if _BREAK_RUN.fullmatch("\n" + first_line) else []
    runs += [(m.start() + 1, m.end()) for m in _BREAK_RUN.finditer(scan)]
    for run_start, run_end in runs:
        if run_start > cursor:  # ordinary lines since the last run
            blocks.append((cursor, run_start - 1, section))
            blank_run = 0
        key = (blank_run, scan[run_start:run_end])
        effect = effects.get(key)
        if effect is None:
            effect = effects[key] = _run_effect(*key)
        section += effect[0]
        blank_run = effect[1]
        cursor = run_end + 1
    if cursor <= len(scan):
        blocks.append((cursor, len(scan), section))
    return blocks


def _run_effect(blank_run: int, lines: str) -> tuple[int, int]:
    """(sections begun, blank lines in a row after) for a run of paragraph-ending lines."""
    sections = 0
    for line in lines.split("\n"):
        if not line.strip():
            blank_run += 1
            sections += blank_run == 2
        elif _SEPARATOR_LINE.fullmatch(line):
            sections += 1
            blank_run = 0
        # A wholly masked line ends the paragraph and leaves the count alone.
    return sections, blank_run


def _lines(scan: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each line of the paragraph scan[start:end]."""
    out = []
    for line in scan[start:end].split("\n"):
        out.append((start, start + len(line)))
        start += len(line) + 1
    return out


def _segment(
    scan: str,
    structure: Structure,
    wanted: Callable[[list[list[tuple[int, int]]]], list[dict[int, bool]]] | None = None,
    partial: set[int] | None = None,
) -> list[Sentence]:
    """Split into sentences; tag greetings, sign-offs and signatures. With `wanted`
    (see Document), only the paragraphs that can matter are split; the sections
    where some were left out are added to `partial`."""
    blocks = _blocks(scan)
    numbered = list(enumerate(blocks))
    if wanted is not None:
        by_section: dict[int, list[int]] = {}
        for number, (_start, _end, section) in numbered:
            by_section.setdefault(section, []).append(number)
        keep: set[int] = set()
        reach = structure.window  # every paragraph holds at least one sentence
        sections = list(by_section.items())
        marks = wanted([[blocks[n][:2] for n in numbers] for _s, numbers in sections])
        for (section, numbers), marked in zip(sections, marks, strict=True):
            if not marked:
                continue
            chosen = set(marked)
            ordered = sorted(marked)
            for p, q in pairwise(ordered):
                if q - p <= reach:  # close enough to interact: keep exact distances
                    chosen.update(range(p + 1, q))
            for p, needs_context in marked.items():
                if needs_context:  # the rule reads its neighbours (unless_nearby)
                    chosen.update(range(p - reach, p + reach + 1))
            chosen = {numbers[p] for p in chosen if 0 <= p < len(numbers)}
            keep |= chosen
            if chosen and len(chosen) < len(numbers) and partial is not None:
                partial.add(section)
        numbered = [(n, b) for n, b in numbered if n in keep]
    if not numbered:
        return []
    raw = _cuts(scan, structure) if wanted is None else _cuts_in(scan, structure, [b for _n, b in numbered])
    splitter = _Splitter(scan, structure, raw)
    sentences: list[Sentence] = []
    for number, (start, end, section) in numbered:
        sentences.extend(splitter.block(_lines(scan, start, end), number, section))
    return sentences


def _cuts_in(scan: str, structure: Structure, blocks: list[tuple[int, int, int]]) -> list[int]:
    cuts: list[int] = []
    for start, end, _section in blocks:
        cuts.extend(c + start if c >= 0 else c - start for c in _cuts(scan[start:end], structure))
    return cuts


def _cuts(scan: str, structure: Structure) -> list[int]:
    """Positions where a sentence ends, for the whole text at once. An emoji
    boundary is stored negated (-position) so the sentence after it can be marked soft."""
    cuts = []
    for m in (_PUNCT_BOUNDARY if scan.isascii() else _BOUNDARY).finditer(scan):
        punct = m.group("punct")
        if punct is None:
            if m.start() == 0 or not scan[m.start() - 1].isspace():
                continue  # an emoji inside a word ("a 5⭐ review") does not end a sentence
            cuts.append(-m.end())
            continue
        elif punct == ".":
            if _is_abbreviation(scan[max(0, m.start() - 20) : m.start()], structure):
                continue
        elif punct in ("...", "…", "..") and scan[m.end() : m.end() + 3].lstrip()[:1].islower():
            continue
        cuts.append(m.end())
    return cuts


class _Splitter:
    """Splits paragraphs into sentences, given the sentence ends found in the text."""

    __slots__ = ("cuts", "emoji_cuts", "scan", "structure")

    def __init__(self, scan: str, structure: Structure, raw_cuts: list[int]) -> None:
        self.scan = scan
        self.structure = structure
        self.cuts = sorted(abs(c) for c in raw_cuts)
        self.emoji_cuts = {-c for c in raw_cuts if c < 0}

    def block(self, lines: list[tuple[int, int]], block: int, section: int) -> list[Sentence]:
        """A paragraph's sentences: its greeting, sign-off and signature lines, and
        the sentences of its body (hard-wrapped lines joined)."""
        scan = self.scan
        kinds = _line_kinds(scan, lines, self.structure, block == 0)
        out: list[Sentence] = []
        unit: tuple[int, int] | None = None
        for (start, end), kind in zip(lines, kinds, strict=True):
            text = scan[start:end]
            if kind != BODY:
                if unit is not None:
                    out.extend(self.unit(*unit, block, section))
                    unit = None
                lstrip = len(text) - len(text.lstrip())
                out.append(Sentence(start + lstrip, start + len(text.rstrip()), kind, block, section))
            elif unit is not None and _continues(scan[unit[0] : unit[1]], text):
                unit = (unit[0], end)
            else:
                if unit is not None:
                    out.extend(self.unit(*unit, block, section))
                unit = (start, end)
        if unit is not None:
            out.extend(self.unit(*unit, block, section))
        return out

    def unit(self, start: int, end: int, block: int, section: int) -> list[Sentence]:
        """The sentences of one run of body text."""
        scan, structure, cuts, emoji_cuts = self.scan, self.structure, self.cuts, self.emoji_cuts
        sentences: list[Sentence] = []
        i, count = bisect_right(cuts, start), len(cuts)
        a, after_emoji = start, False  # the piece from `a` starts after an emoji boundary
        while a < end:
            if i < count and cuts[i] < end:
                b, next_after_emoji = cuts[i], cuts[i] in emoji_cuts
                i += 1
            else:
                b, next_after_emoji = end, False
            piece = scan[a:b]
            chunk = piece.strip()
            s = a + piece.find(chunk[:1])  # the first non-space character, as chunk is stripped
            e = s + len(chunk)
            a, piece_after_emoji, after_emoji = b, after_emoji, next_after_emoji
            if not chunk:
                continue
            if (
                sentences
                and not (chunk[0].isascii() and chunk[0].isalnum())  # tails start with #, @, emoji, .!?
                and _TAIL_ONLY.match(chunk.replace(MASK, ""))
                and scan[sentences[-1].end : s].strip() == ""
            ):
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
            sentences.append(Sentence(s, e, BODY, block, section, piece_after_emoji and chunk[:1].islower()))
        return sentences


def _line_kinds(scan: str, lines: list[tuple[int, int]], structure: Structure, first_block: bool = True) -> list[str]:
    kinds = [BODY] * len(lines)
    if not lines:
        return kinds
    first = scan[lines[0][0] : lines[0][1]].strip()
    if len(lines) > 1 and len(first) <= 80 and structure.greeting_line.match(first):
        kinds[0] = GREETING
    # Sign-off: a short closing line near the end, followed only by short name lines.
    # It may open its own paragraph ("...\n\nThanks,\nMaya") unless that paragraph is
    # the whole message.
    for i in range(len(lines) - 1, max(len(lines) - 4, 0) - 1, -1):
        text = scan[lines[i][0] : lines[i][1]].strip()
        if len(text) > 60:
            continue
        if (
            (i > 0 or (not first_block and len(lines) > 1))
            and structure.signoff_line.match(text)
            and _is_signature(scan, lines[i + 1 :])
        ):
            kinds[i] = SIGNOFF
            for j in range(i + 1, len(lines)):
                kinds[j] = SIGNATURE
            break
    else:
        last = scan[lines[-1][0] : lines[-1][1]].strip()
        if (
            len(lines) > 1
            and len(last) <= 40
            and kinds[-1] == BODY
            and _is_name_line(last)
            and _ends_sentence(scan[lines[-2][0] : lines[-2][1]])
        ):
            kinds[-1] = SIGNATURE
    return kinds


_NAME_LINE = fastre.compile(r"^(?:[—–-]+[ \t]*)?[A-Z][\w.'&-]*(?:,?[ \t]+[\w.'&-]+){0,4}$")
_TITLE_JOINERS = frozenset(("of", "and", "at", "for", "the", "in", "to", "&", "de", "du", "la", "van", "von", "da"))


def _is_name_line(text: str) -> bool:
    return len(text) <= 40 and bool(_NAME_LINE.match(text))


def _is_signature(scan: str, lines: list[tuple[int, int]]) -> bool:
    """Name lines, the lines below the first of them may also give a title or a
    company ("Head of Sourcing, Meridian Dunes Trading")."""
    texts = [scan[s:e].strip() for s, e in lines]
    return all(_is_name_line(t) or (n > 0 and _is_title_line(t)) for n, t in enumerate(texts))


def _is_title_line(text: str) -> bool:
    words = text.split()
    return (
        len(text) <= 60
        and len(words) <= 8
        and not text.endswith((".", "!", "?"))
        and all(not w[0].islower() or w in _TITLE_JOINERS for w in words)
    )


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def _continues(previous: str, line: str) -> bool:
    """A hard-wrapped line: the previous line does not end a sentence and this one starts lower-case."""
    stripped = line.lstrip()
    return bool(stripped) and stripped[0].islower() and not _ends_sentence(previous)


def _is_abbreviation(before: str, structure: Structure) -> bool:
    """Whether the word right before a full stop is an abbreviation ("Dr", "e.g") or an initial."""
    if not before or not before[-1].isalpha():
        return False
    word = before[-8:].rsplit(None, 1)[-1].lstrip("([\"'“‘").lower().rstrip(".")
    return word in structure.abbreviations or (len(word) == 1 and word.isalpha())

"""Classify an incoming message and write courteous declines from templates.

The message is checked with the same phrasebooks as `polite check`. Its kind is
the category of its strongest finding (public call-outs over debt and guilt over
the thing being traded); a message with no finding is "genuine" and gets no
decline. Each reply template (templates/reply/KIND.j2) is rendered three times,
once per intent, so the options differ in what they do, not only in wording.
"""

from __future__ import annotations

from . import fastre
from .detect import Finding, analyse
from .document import SIGNATURE, Document, Structure

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from .rules import Ruleset
    from .templating import Templates

GENUINE = "genuine"
TONES = ("warm", "brief", "firm")
INTENTS = ("offer", "connect", "short")
INTENT_LABELS = {
    "offer": "decline and offer something real",
    "connect": "decline and stay in touch",
    "short": "a short decline",
}
SETTINGS = ("tone", "option", "seed")


def classify(text: str, ruleset: Ruleset) -> tuple[str, list[Finding], Document]:
    doc, findings = analyse(text, ruleset)
    if not findings:
        return GENUINE, findings, doc
    main = max(findings, key=lambda f: (f.priority, -f.start))
    return _kind_of(main, findings), findings, doc


def _kind_of(main: Finding, findings: list[Finding]) -> str:
    """The thing asked for is the kind, unless the favour named is something else
    and the message rests on "return the favour" (priority 2): then debt is its
    heart ("I introduced you; time to return the favour: upvote my launch")."""
    parts = [part for f in findings for part in f.parts]
    if main.priority == 3 and any(priority == 2 for _id, _cat, _kind, priority in parts):
        favours = {category for _id, category, kind, _p in parts if kind == "premise"}
        if favours and main.category not in favours:
            return "obligation_pressure"
    return main.category


# Compiled from the cache (fastre): a reply run need not import re.
_NAME = fastre.compile(r"^[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?$")
_WORD_BREAK = fastre.compile(r"[\s,]+")
_COMPANY = fastre.compile(r"\b(?:team|co|inc|ltd|llc)\b", fastre.IGNORECASE)
_BLANK_LINES = fastre.compile(r"\n{3,}")


def sender_name(doc: Document, structure: Structure) -> str | None:
    """The sender's first name, from a signature line or phrases like "it's Ken"."""
    for sentence in doc.sentences:
        if sentence.kind != SIGNATURE:
            continue
        line = doc.text[sentence.start : sentence.end].strip().lstrip("—–- ").strip()
        first = _WORD_BREAK.split(line)[0] if line else ""
        if _is_name(first, structure) and len(line.split()) <= 3 and not _COMPANY.search(line):
            return first
    for pattern in structure.sender:
        for m in pattern.finditer(doc.text):
            name = m.group("name")
            if _is_name(name, structure):
                return name
    return None


def _is_name(word: str, structure: Structure) -> bool:
    if not _NAME.match(word):
        return False
    return not (
        structure.greeting_line.match(word)
        or structure.signoff_line.match(word)
        or word in ("The", "Our", "My", "Dear")
    )


def write(
    templates: Templates,
    template: str,
    tone: str,
    seed: int,
    data: Mapping[str, str | None],
) -> list[tuple[str, str]]:
    """(intent, text) for each intent, rendered from `template`."""
    out = []
    for intent in INTENTS:
        text = templates.render(template, {"tone": tone, "option": intent, "seed": seed}, data)
        out.append((intent, _tidy(text)))
    return out


def _tidy(text: str) -> str:
    """Collapse the blank lines and trailing spaces template control flow leaves."""
    lines = [line.rstrip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"

"""Deterministic texts for the benchmarks.

Outreach messages come from the shipped phrasebooks' own examples (demands and
hard negatives alike); the rest is ordinary business prose that uses the same
trigger words innocently ("follow up", "share the report", "your turn to host").
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROSE = [
    "We shipped the new invoicing flow on Tuesday and the first numbers look good.",
    "Thanks to everyone who joined the planning call; the notes are in the shared folder.",
    "I'll follow up with the design team about the onboarding screens next week.",
    "Please review the attached budget before Friday so we can finalise the plan.",
    "Our return policy hasn't changed: items can go back within thirty days.",
    "Like I said in the last update, the warehouse move is on schedule.",
    "If you want to share the report with your team, feel free.",
    "The conference in Lisbon was great, and the panel on pricing was the highlight.",
    "We are hiring two engineers in Porto; please pass the posting along.",
    "I owe you a coffee for the help with the migration script.",
    "Your turn to host the book club next month, by the way.",
    "Scratch that, the meeting moved to Thursday at ten.",
    "Customer interviews keep pointing to the same problem: setup takes too long.",
    "The garden looks wonderful after the rain, and the tomatoes are finally ripe.",
    "Subscribers to the newsletter will get the recipe on Sunday.",
    "Let me check my calendar and get back to you about the workshop.",
    "Follow the link in the footer to download the slides from the talk.",
    "It's only fair to mention that the previous release had the same bug.",
    "We reviewed the pull request and merged it after two small fixes.",
    "The team liked the new logo, though some found the colours a little loud.",
]


def outreach_messages() -> list[str]:
    from assistant.phrasebook import load_from

    rules = load_from(()).rules
    return sorted({text for rule in rules for text in (*rule.match, *rule.no_match)})


def text(size: int, kind: str = "mixed", seed: int = 7) -> str:
    """`kind`: "mixed" (one paragraph in ten is an outreach message, messages separated
    by --- lines as in a file of templates), "one-section" (the same, blank lines only),
    or "dense" (every paragraph an outreach message)."""
    rnd = random.Random(seed)
    messages = outreach_messages()
    parts: list[str] = []
    total = 0
    while total < size:
        if kind == "dense" or len(parts) % 10 == 9:
            part = rnd.choice(messages)
        else:
            part = " ".join(rnd.choice(PROSE) for _ in range(rnd.randint(3, 6)))
        parts.append(part)
        total += len(part) + 7
    joiner = "\n\n" if kind == "one-section" else "\n\n---\n\n"
    return joiner.join(parts)[:size]

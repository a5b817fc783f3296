"""Document + rules -> findings.

Each rule has a kind that says when its match counts:

- demand:  always (it is a demand on its own: "follow me back", "F4F").
- ask:     only near a premise or a demand ("your turn", "like my page too").
- premise: only near a demand or ask it sets up ("I endorsed you for Java").
- tail:    only right after a demand, which it closes ("Thanks in advance!").

"Near" means within the structure's window of sentences, in the same section.
Sentences holding counted matches form findings; neighbouring sentences merge
into one finding, so each demand is reported once. A finding names the rule of
its demand (demand over ask over premise over tail) and takes its category from
the highest-priority rule in it (call-out over pressure over the thing traded).
"""

from __future__ import annotations

from .document import BODY, Document

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .rules import Rule, Ruleset

_KIND_RANK = {"demand": 0, "ask": 1, "premise": 2, "tail": 3}


class Fix:
    """The action that resolves a finding: drop its span, or replace it with
    content-first wording (see rewrite.py). `safe` edits only remove the writer's words."""

    __slots__ = ("action", "end", "safe", "start", "strategies")

    def __init__(self, action: str, start: int, end: int, safe: bool, strategies: list[str]) -> None:
        self.action = action
        self.start = start
        self.end = end
        self.safe = safe
        self.strategies = strategies

    def to_dict(self) -> dict[str, object]:
        return {
            "action": self.action,
            "start": self.start,
            "end": self.end,
            "applicability": "safe" if self.safe else "unsafe",
            "strategies": self.strategies,
        }


class Finding:
    __slots__ = (
        "categories",
        "category",
        "column",
        "end",
        "end_column",
        "end_line",
        "first_sentence",
        "fix",
        "kinds",
        "last_sentence",
        "line",
        "message",
        "parts",
        "priority",
        "rule",
        "rules",
        "severity",
        "start",
        "suggestions",
        "text",
        "why",
    )
    categories: list[str]
    category: str
    column: int
    end: int
    end_column: int
    end_line: int
    first_sentence: int
    fix: Fix
    kinds: list[str]
    last_sentence: int
    line: int
    message: str
    priority: int
    rule: str
    rules: list[str]
    severity: str
    start: int
    suggestions: list[str]
    text: str
    why: str
    parts: list[tuple[str, str, str, int]]

    def __init__(self, **fields: object) -> None:
        for name in self.__slots__:
            setattr(self, name, fields[name])

    def to_dict(self, path: str) -> dict[str, object]:
        return {
            "path": path,
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "text": self.text,
            "message": self.message,
            "suggestions": list(self.suggestions),
            "why": self.why,
            "categories": list(self.categories),
            "rules": list(self.rules),
            "fix": self.fix.to_dict(),
        }

    def __repr__(self) -> str:
        return f"Finding({self.rule!r}, {self.category}, {self.start}:{self.end}, {self.text!r})"


class Hit:
    __slots__ = ("end", "first", "last", "rule", "start")

    def __init__(self, rule: Rule, start: int, end: int, first: int, last: int) -> None:
        self.rule = rule
        self.start = start
        self.end = end
        self.first = first
        self.last = last


def find_hits(
    doc: Document, ruleset: Ruleset, regions: list[tuple[int, int, list[tuple[Rule, int]]]] | None = None
) -> list[Hit]:
    """Every match of every rule in body sentences, after `unless` exceptions.
    `regions` (from analyse) saves looking for candidate patterns again."""
    sentences = doc.sentences
    if not sentences:
        return []
    if regions is None:
        blocks: dict[int, tuple[int, int]] = {}
        for s in sentences:
            start, end = blocks.get(s.block, (s.start, s.end))
            blocks[s.block] = (min(start, s.start), max(end, s.end))
        regions = ruleset.regions(doc.scan, [blocks[b] for b in sorted(blocks)])
    scan = doc.scan
    hits: list[Hit] = []
    for region_start, region_end, pairs in regions:
        for rule, index in pairs:
            for m in rule.regex(index).finditer(scan, region_start, region_end):
                start, end = m.span()
                if start == end:
                    continue
                first, last = doc.sentence_at(start), doc.sentence_at(end - 1)
                if all(sentences[i].kind != BODY for i in range(first, last + 1)):
                    continue
                if rule.unless and _any_match(rule.unless_regexes(), scan, sentences[first].start, sentences[last].end):
                    continue
                if rule.unless_nearby:
                    lo, hi = _window(doc, first, last, ruleset.structure.window)
                    if _any_match(rule.nearby_regexes(), scan, sentences[lo].start, sentences[hi].end):
                        continue
                hits.append(Hit(rule, start, end, first, last))
    hits.sort(key=lambda h: (h.start, h.end))
    return hits


def _any_match(regexes: list[object], text: str, start: int, end: int) -> bool:
    return any(rx.search(text, start, end) for rx in regexes)  # type: ignore[attr-defined]


def _window(doc: Document, first: int, last: int, size: int) -> tuple[int, int]:
    sentences = doc.sentences
    section = sentences[first].section
    lo = first
    while lo > 0 and first - lo < size and sentences[lo - 1].section == section:
        lo -= 1
    hi = last
    while hi + 1 < len(sentences) and hi - last < size and sentences[hi + 1].section == section:
        hi += 1
    return lo, hi


class _Pool:
    """Hits sorted by sentence, for finding the ones near a given hit quickly."""

    def __init__(self, doc: Document, hits: list[Hit]) -> None:
        self.doc = doc
        self.hits = sorted(hits, key=lambda h: h.first)
        self.firsts = [h.first for h in self.hits]
        self.span = max((h.last - h.first for h in self.hits), default=0)

    def near(self, h: Hit, distance: int) -> list[Hit]:
        from bisect import bisect_left, bisect_right

        lo = bisect_left(self.firsts, h.first - distance - self.span)
        hi = bisect_right(self.firsts, h.last + distance)
        sentences = self.doc.sentences
        section, block = sentences[h.first].section, sentences[h.first].block
        # Paragraphs left unsplit (see Document) hold at least one sentence each, so
        # paragraphs further apart than `distance` are out of reach too.
        return [
            o
            for o in self.hits[lo:hi]
            if o.first - h.last <= distance
            and h.first - o.last <= distance
            and sentences[o.first].section == section
            and abs(sentences[o.first].block - block) <= distance
        ]


def active_hits(doc: Document, hits: list[Hit], window: int) -> list[Hit]:
    """The hits that count, by kind (see the module docstring)."""
    demands = [h for h in hits if h.rule.kind == "demand"]
    premises = [h for h in hits if h.rule.kind == "premise"]
    premise_pool = _Pool(doc, premises)
    enablers = _Pool(doc, premises + demands)
    asks = [h for h in hits if h.rule.kind == "ask" and enablers.near(h, window)]
    anchors = demands + asks
    anchor_pool = _Pool(doc, anchors)
    # A favour named a few sentences away belongs to a demand only if the demand
    # does not already name its own favour ("Since I shared your report, ...").
    self_contained = {id(a) for a in anchors if premise_pool.near(a, 1)}
    active_premises = [
        p
        for p in premises
        if any(id(a) not in self_contained or a in anchor_pool.near(p, 1) for a in anchor_pool.near(p, window))
    ]
    active = anchors + active_premises
    covered = {i for h in active for i in range(h.first, h.last + 1)}
    for h in sorted((h for h in hits if h.rule.kind == "tail"), key=lambda h: h.first):
        before = _previous_body(doc, h.first)
        if h.first in covered or (before is not None and before in covered):
            active.append(h)
            covered.update(range(h.first, h.last + 1))
    return active


def _previous_body(doc: Document, index: int) -> int | None:
    i = index - 1
    while i >= 0 and doc.sentences[i].kind != BODY and index - i <= 3:
        i -= 1
    if i < 0 or doc.sentences[i].block < doc.sentences[index].block - 1:
        return None
    return i


def analyse(text: str, ruleset: Ruleset) -> tuple[Document, list[Finding]]:
    """The document and its findings. Long texts skip sentence-splitting the
    sections where no pattern can match, which leaves the findings unchanged."""
    from .rules import LARGE_TEXT

    if len(text) <= LARGE_TEXT:
        doc = Document(text, ruleset.structure)
        return doc, detect(doc, ruleset)
    with cyclic_gc_paused():
        return analyse_by_paragraph(text, ruleset)


class cyclic_gc_paused:
    """A long text means hundreds of thousands of small objects, none in a cycle;
    the cyclic collector would walk them again and again for nothing."""

    def __enter__(self) -> None:
        import gc

        self.paused = gc.isenabled()
        gc.disable()

    def __exit__(self, *_exc: object) -> None:
        import gc

        if self.paused:
            gc.enable()


def analyse_by_paragraph(text: str, ruleset: Ruleset) -> tuple[Document, list[Finding]]:
    """What `analyse` does with a long text, for a text of any length: patterns
    match within one paragraph at a time, and only the paragraphs where a rule can
    count are split into sentences. The language server analyses a long document
    in pieces this way, so the pieces agree with `analyse` on the whole text."""
    regions: list[tuple[int, int, list[tuple[Rule, int]]]] = []
    reach = ruleset.structure.window

    def wanted(d: Document, sections: list[list[tuple[int, int]]]) -> list[dict[int, bool]]:
        # One pass over every paragraph of the text, then the sections one by one.
        found = ruleset.regions(d.scan, [span for spans in sections for span in spans], force_split=True)
        by_start = {region[0]: region for region in found}
        out: list[dict[int, bool]] = []
        for spans in sections:
            mine = [(position, by_start[start]) for position, (start, _end) in enumerate(spans) if start in by_start]
            out.append(_wanted_in_section(mine, reach, regions) if mine else {})
        return out

    doc = Document(text, ruleset.structure, wanted=wanted)
    return doc, detect(doc, ruleset, regions)


def _wanted_in_section(
    found: list[tuple[int, tuple[int, int, list[tuple[Rule, int]]]]],
    reach: int,
    regions: list[tuple[int, int, list[tuple[Rule, int]]]],
) -> dict[int, bool]:
    """For one section's (paragraph position, region) pairs: the positions where a
    rule can count, each with whether a rule there reads its neighbours. Their
    regions are added to `regions`."""
    if len(found) == 1:  # one paragraph: it matters if it holds a demand, or an ask and a premise
        only = {rule.kind for rule, _i in found[0][1][2]}
        if "demand" not in only and not ("ask" in only and "premise" in only):
            return {}
        keep = {found[0][0]}  # what _paragraphs_that_matter finds for it, more quickly
    else:
        kinds = {position: {rule.kind for rule, _i in region[2]} for position, region in found}
        keep = _paragraphs_that_matter(kinds, reach)
    out = {}
    for position, region in found:
        if position in keep:
            regions.append(region)
            out[position] = any(rule.unless_nearby for rule, _i in region[2])
    return out


def _paragraphs_that_matter(kinds: dict[int, set[str]], reach: int) -> set[int]:
    """Paragraph positions whose matches could count, judged per paragraph with the
    same rules as active_hits (a superset: every hit that can count is in one)."""

    from bisect import bisect_left

    def near(p: int, pool: set[int], distance: int) -> bool:
        ordered = sorted_cache.get(id(pool))
        if ordered is None or len(ordered) != len(pool):
            ordered = sorted_cache[id(pool)] = sorted(pool)
        i = bisect_left(ordered, p - distance)
        return i < len(ordered) and ordered[i] <= p + distance

    sorted_cache: dict[int, list[int]] = {}

    demand = {p for p, k in kinds.items() if "demand" in k}
    premise = {p for p, k in kinds.items() if "premise" in k}
    enablers = premise | demand
    asks = {p for p in kinds if "ask" in kinds[p] and near(p, enablers, reach)}
    anchors = demand | asks
    keep = anchors | {p for p in premise if near(p, anchors, reach)}
    tails = {p for p, k in kinds.items() if "tail" in k}
    while True:
        frozen = set(keep)
        more = {p for p in tails - keep if near(p, frozen, 1)}
        if not more:
            return keep
        keep |= more


def detect(
    doc: Document, ruleset: Ruleset, regions: list[tuple[int, int, list[tuple[Rule, int]]]] | None = None
) -> list[Finding]:
    window = ruleset.structure.window
    active = active_hits(doc, find_hits(doc, ruleset, regions), window)
    if not active:
        return []
    by_sentence: dict[int, list[Hit]] = {}
    for h in active:
        for i in range(h.first, h.last + 1):
            if doc.sentences[i].kind == BODY:
                by_sentence.setdefault(i, []).append(h)

    groups: list[list[int]] = []
    for i in sorted(by_sentence):
        if groups and groups[-1][-1] == i - 1 and doc.sentences[i - 1].block == doc.sentences[i].block:
            groups[-1].append(i)
        else:
            groups.append([i])
    # A lower-case fragment after an emoji ("back pls 🙏 it's my shop") continues the demand.
    for group in groups:
        nxt = group[-1] + 1
        while (
            nxt < len(doc.sentences)
            and doc.sentences[nxt].soft
            and doc.sentences[nxt].block == doc.sentences[group[-1]].block
        ):
            if nxt in by_sentence:
                break
            group.append(nxt)
            by_sentence[nxt] = []
            nxt += 1

    group_hits = []
    for group in groups:
        seen: dict[int, Hit] = {}
        for i in group:
            for h in by_sentence[i]:
                seen[id(h)] = h
        # Between two readings of the same words ("return the stars": likes or a
        # review?), the one whose favour the message names wins.
        backed = {h.rule.category for h in seen.values() if h.rule.kind == "premise"}
        group_hits.append(sorted(seen.values(), key=lambda h: _category_strength(h, backed)))

    findings = []
    for n, (group, ghits) in enumerate(zip(groups, group_hits, strict=True)):
        categories = list(dict.fromkeys(h.rule.category for h in ghits))
        category = ghits[0].rule.category
        priority = ghits[0].rule.priority
        rule = min(ghits, key=_rule_strength).rule
        # A generic ask ("do the same") takes the category of the favour it refers to;
        # a favour on its own sentence takes the category of the demand it sets up.
        wanted = 1 if priority <= 0 else 2 if all(h.rule.kind in ("premise", "tail") for h in ghits) else None
        if wanted is not None:
            lender = _nearest_group(groups, group_hits, n, doc, window, wanted)
            if lender is not None:
                category = lender.rule.category
                categories = list(dict.fromkeys([category, *categories]))
        start, end = doc.sentences[group[0]].start, doc.sentences[group[-1]].end
        first_line = doc.line_index(start)
        last_line = doc.line_index(max(end - 1, start))
        if doc.ignored_lines and any(line in doc.ignored_lines for line in range(first_line, last_line + 1)):
            continue
        line, column = doc.position(start)
        end_line, end_column = doc.position(end)
        findings.append(
            Finding(
                rule=rule.id,
                rules=list(dict.fromkeys(h.rule.id for h in ghits)),
                category=category,
                categories=categories,
                priority=priority,
                parts=[(h.rule.id, h.rule.category, h.rule.kind, h.rule.priority) for h in ghits],
                kinds=sorted({h.rule.kind for h in ghits}, key=_KIND_RANK.__getitem__),
                severity=min(
                    (h.rule.severity for h in ghits if h.rule.kind in ("demand", "ask")),
                    key=_severity_rank,
                    default=rule.severity,
                ),
                start=start,
                end=end,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                text=doc.text[start:end],
                message=rule.message,
                why=rule.why,
                suggestions=list(rule.alternatives),
                fix=Fix(rule.fix, start, end, rule.fix == "drop", list(rule.strategies)),
                first_sentence=group[0],
                last_sentence=group[-1],
            )
        )
    return findings


def _category_strength(h: Hit, backed: set[str]) -> tuple[int, int, int, bool, int]:
    """The category comes from the strongest priority (call-out > pressure > thing traded);
    among equals, the longer (more specific) match, then one of the `backed` categories
    (those of the favours the message names)."""
    return (-h.rule.priority, _KIND_RANK[h.rule.kind], h.start - h.end, h.rule.category not in backed, h.start)


def _rule_strength(h: Hit) -> tuple[int, int, int, int]:
    """The rule reported (id, message) is the demand itself rather than its premise."""
    return (_KIND_RANK[h.rule.kind], -h.rule.priority, h.start - h.end, h.start)


def _severity_rank(severity: str) -> int:
    return {"error": 0, "warning": 1, "info": 2}[severity]


def _nearest_group(
    groups: list[list[int]], group_hits: list[list[Hit]], n: int, doc: Document, window: int, min_priority: int
) -> Hit | None:
    """The strongest hit of the nearest other group (in the window, same section)
    whose priority is at least `min_priority`. Groups are in text order."""
    section = doc.sentences[groups[n][0]].section
    best: tuple[int, int, Hit] | None = None
    for step in (-1, 1):
        m = n + step
        while 0 <= m < len(groups):
            group = groups[m]
            distance = groups[n][0] - group[-1] if step < 0 else group[0] - groups[n][-1]
            apart = abs(doc.sentences[group[0]].block - doc.sentences[groups[n][0]].block)
            if distance > window or apart > window or doc.sentences[group[0]].section != section:
                break
            top = group_hits[m][0]
            key = (distance, -top.rule.priority)
            if top.rule.priority >= min_priority and (best is None or key < best[:2]):
                best = (*key, top)
            m += step
    return best[2] if best else None

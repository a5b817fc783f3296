"""The shipped phrasebooks: every example of every entry, and the loader's guarantees."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.examples import rule_matches
from assistant.phrasebook import PhrasebookError, compile_sources, load_from, shipped_dir
from assistant.rules import CATEGORIES

from .conftest import TEAM_TAG_RULE

SHIPPED = load_from(())
EXAMPLES = [
    pytest.param(rule.id, text, expected, id=f"{rule.id}:{'match' if expected else 'no_match'}:{n}")
    for rule in SHIPPED.rules
    for expected, texts in ((True, rule.match), (False, rule.no_match))
    for n, text in enumerate(texts)
]


@pytest.mark.parametrize(("rule_id", "text", "expected"), EXAMPLES)
def test_every_example_of_every_entry(rule_id: str, text: str, expected: bool) -> None:
    rule = SHIPPED.by_id[rule_id]
    assert rule_matches(rule, SHIPPED, text) is expected


def test_every_category_is_covered_by_demand_rules() -> None:
    covered = {r.category for r in SHIPPED.rules if r.kind in ("demand", "ask")}
    assert covered == set(CATEGORIES)


def test_every_entry_has_examples_both_ways_and_explains_itself() -> None:
    for rule in SHIPPED.rules:
        assert rule.match and rule.no_match, rule.id
        assert rule.message.strip() and rule.why.strip() and rule.alternatives, rule.id


def test_shipped_patterns_are_in_the_shared_re2_dialect() -> None:
    """Users copy shipped entries into their own phrasebooks, which run on RE2."""
    import re2

    options = re2.Options()
    options.case_sensitive = False
    for rule in SHIPPED.rules:
        for pattern in [*rule.patterns, *rule.unless, *rule.unless_nearby]:
            re2.compile(pattern, options)


def test_shipped_patterns_do_not_anchor_to_text_edges() -> None:
    """Patterns run over whole paragraphs or texts; ^ and $ would mean different things there."""
    for rule in SHIPPED.rules:
        for pattern in rule.patterns:
            assert not re.search(r"(?<!\\)[$^](?![^\[]*\])", pattern.replace("[^", "[")), (rule.id, pattern)


def test_every_shipped_pattern_has_trigger_literals() -> None:
    """Without triggers a pattern would run on every text (slow start-up, slow big files)."""
    for rule in SHIPPED.rules:
        for pattern, sets in zip(rule.patterns, rule.triggers, strict=True):
            assert sets, (rule.id, pattern)


def test_triggers_are_required_by_every_example_match() -> None:
    for rule in SHIPPED.rules:
        for text in rule.match:
            lowered = text.lower()
            assert any(all(any(lit in lowered for lit in s) for s in sets) for sets in rule.triggers), (rule.id, text)


# --------------------------------------------------------------------- loader
def write_book(folder: Path, body: str, name: str = "mine.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GOOD_ENTRY = TEAM_TAG_RULE


def compile_user(folder: Path):  # type: ignore[no-untyped-def]
    return compile_sources([(shipped_dir(), True), (str(folder), False)])


def test_user_phrasebook_extends_the_shipped_rules(tmp_path: Path) -> None:
    write_book(tmp_path, GOOD_ENTRY)
    records, _ = compile_user(tmp_path)
    ids = {r["id"] for r in records}
    assert "follow_back.team_tag" in ids and "follow_back.explicit" in ids


def test_user_entry_with_a_shipped_id_replaces_it(tmp_path: Path) -> None:
    write_book(tmp_path, GOOD_ENTRY.replace("follow_back.team_tag", "follow_back.explicit"))
    records, _ = compile_user(tmp_path)
    (rule,) = [r for r in records if r["id"] == "follow_back.explicit"]
    assert rule["match"] == ["#teamfollowme 🙌"] and rule["trusted"] is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.replace('match = ["#teamfollowme 🙌"]\n', ""), "'match' is missing"),
        (lambda s: s.replace('no_match = ["Team meeting at 3."]', "no_match = []"), "'no_match' is missing or empty"),
        (lambda s: s.replace('category = "follow_back"', 'category = "follows"'), "category 'follows' is not one of"),
        (lambda s: s.replace("['#teamfollowme']", "['(unclosed']"), "does not compile"),
        (lambda s: s.replace("['#teamfollowme']", "['(?<=x)y']"), "look-around"),
        (lambda s: s.replace("['#teamfollowme']", "['{nosuch} back']"), "unknown placeholder {nosuch}"),
        (lambda s: s.replace("why =", "reason =", 1), "unknown key(s) reason"),
        (lambda s: s.replace('id = "follow_back.team_tag"', 'id = "NoDots"'), "dotted lower-case id"),
        (lambda s: s + 'kind = "maybe"\n', "kind 'maybe' is not one of"),
        (lambda s: s + s, "duplicate id in this file"),
    ],
)
def test_loader_rejects_bad_entries_naming_file_and_entry(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    path = write_book(tmp_path, change(GOOD_ENTRY))
    with pytest.raises(PhrasebookError) as err:
        compile_user(tmp_path)
    text = str(err.value)
    assert message in text
    assert str(path) in text


def test_duplicate_ids_across_user_files_name_both_files(tmp_path: Path) -> None:
    first = write_book(tmp_path, GOOD_ENTRY, "a.toml")
    second = write_book(tmp_path, GOOD_ENTRY, "b.toml")
    with pytest.raises(PhrasebookError) as err:
        compile_user(tmp_path)
    assert str(first) in str(err.value) and str(second) in str(err.value)


def test_broken_toml_is_reported_with_its_path(tmp_path: Path) -> None:
    path = write_book(tmp_path, "[[rule]\nid = ")
    with pytest.raises(PhrasebookError, match="is not valid TOML") as err:
        compile_user(tmp_path)
    assert str(path) in str(err.value)


def test_catastrophic_user_pattern_runs_in_linear_time(tmp_path: Path) -> None:
    """`(a+)+$` on 50,000 a's and "!" hangs a backtracking engine; user patterns run on RE2.
    (The time is printed by benchmarks/bench_cli.py; here a generous guard catches a hang.)"""
    write_book(tmp_path, GOOD_ENTRY.replace("['#teamfollowme']", "['(a+)+$']").replace('"#teamfollowme 🙌"', '"aaa"'))
    script = textwrap.dedent(
        f"""
        import time
        from assistant.phrasebook import compile_sources, shipped_dir
        from assistant.rules import Rule, Ruleset
        from assistant.document import Structure
        from assistant.detect import analyse
        records, document = compile_sources([(shipped_dir(), True), ({str(tmp_path)!r}, False)])
        rules = Ruleset([Rule(r) for r in records if r["id"] == "follow_back.team_tag"], Structure(**document))
        started = time.perf_counter()
        doc, findings = analyse("a" * 50000 + "!", rules)
        print(len(findings), round(time.perf_counter() - started, 3))
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    count, _seconds = proc.stdout.split()
    assert count == "0"


def test_phrasebook_test_command_passes_for_shipped_books(polite) -> None:  # type: ignore[no-untyped-def]
    run = polite("phrasebook", "test")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "examples of" in run.stderr


def test_phrasebook_test_command_reports_failing_examples(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = write_book(
        tmp_path / "books", GOOD_ENTRY.replace('no_match = ["Team meeting at 3."]', 'no_match = ["#teamfollowme now"]')
    )
    run = polite("phrasebook", "test", str(book))
    assert run.returncode == 1
    assert "follow_back.team_tag" in run.stdout and "should not match" in run.stdout


def test_phrasebook_test_command_exits_2_for_a_broken_book(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = write_book(tmp_path / "books", GOOD_ENTRY.replace("['#teamfollowme']", "['(oops']"))
    run = polite("phrasebook", "test", str(book))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "does not compile" in run.stderr and "Traceback" not in run.stderr


def test_phrasebook_list_shows_every_rule(polite) -> None:  # type: ignore[no-untyped-def]
    run = polite("phrasebook", "list", "--format", "json")
    assert run.returncode == 0
    import json

    listed = {row["id"] for row in json.loads(run.stdout)}
    assert listed == {r.id for r in SHIPPED.rules}

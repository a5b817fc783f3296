"""polite suggest: several labelled content-first alternatives per demand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.content import alternatives
from assistant.detect import analyse
from assistant.rules import STRATEGIES
from assistant.templating import Templates

TWO_DEMANDS = (
    "Hi Sam,\nI followed you on Twitter. Follow me back? Your thread on sourdough was great. "
    "I left your bakery a five star review on Google, so please leave one for my cafe too.\nThanks,\nAna\n"
)
ESSAY = "I endorsed you, now go endorse me back.\n"
CLEAN = "Hi Lee,\n\nThanks for the talk yesterday. Could you send me the slides?\n\nBest,\nMira\n"
HEADER = re.compile(r"^(?P<path>\S+):(?P<line>\d+):(?P<col>\d+): \[(?P<rule>[\w.]+)\] (?P<text>.+)$")
OPTION = re.compile(r"^    (?P<label>\w+) +(?P<text>\S.*)$")


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {"POLITE_CACHE_DIR": str(tmp_path_factory.mktemp("suggest-cache"))}


@pytest.fixture
def run(polite, shared_cache):  # type: ignore[no-untyped-def]
    def go(*args: str, input: str | None = None, cwd: Path | None = None):  # type: ignore[no-untyped-def]
        return polite(*args, input=input, cwd=cwd, env=shared_cache)

    return go


def parse(stdout: str) -> list[tuple[dict[str, str], list[tuple[str, str]]]]:
    """[(header fields, [(label, text), ...]), ...] from the text output."""
    blocks: list[tuple[dict[str, str], list[tuple[str, str]]]] = []
    for line in stdout.splitlines():
        header = HEADER.match(line)
        if header:
            blocks.append((header.groupdict(), []))
            continue
        option = OPTION.match(line)
        assert option and blocks, f"unexpected line {line!r}"
        blocks[-1][1].append((option["label"], option["text"]))
    return blocks


def test_each_demand_gets_three_labelled_alternatives_of_different_strategies(tmp_path: Path, run, ruleset) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "draft.txt"
    path.write_text(TWO_DEMANDS, encoding="utf-8")
    result = run("suggest", str(path))
    assert (result.returncode, result.stderr) == (0, "")
    blocks = parse(result.stdout)
    assert [(b["path"], b["line"], b["col"]) for b, _ in blocks] == [(str(path), "2", "1"), (str(path), "2", "80")]
    assert blocks[0][0]["text"] == "I followed you on Twitter. Follow me back?"
    for _header, options in blocks:
        labels = [label for label, _text in options]
        assert labels[-1] == "tip"
        strategies = labels[:-1]
        assert len(strategies) >= 3 and len(set(strategies)) == len(strategies)
        assert set(strategies) <= set(STRATEGIES)
        texts = [text for _label, text in options[:-1]]
        assert len(set(texts)) == len(texts)
        for text in texts:
            assert analyse(text, ruleset)[1] == [], f"an alternative is itself a demand: {text!r}"
            assert "None" not in text and "{" not in text and text[0].isupper()


def test_the_rules_own_strategy_comes_first(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("suggest", "--format", "json", input=TWO_DEMANDS).stdout)
    for item in data["suggestions"]:
        strategies = [a["strategy"] for a in item["alternatives"]]
        assert strategies[: len(item["fix"]["strategies"])] == item["fix"]["strategies"]


def test_json_shape(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "draft.txt"
    path.write_text(TWO_DEMANDS, encoding="utf-8")
    result = run("suggest", "--format", "json", str(path))
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert set(data) == {"path", "suggestions"} and data["path"] == str(path)
    assert len(data["suggestions"]) == 2
    for item in data["suggestions"]:
        assert {"rule", "category", "start", "end", "line", "column", "text", "message", "alternatives"} <= set(item)
        assert TWO_DEMANDS[item["start"] : item["end"]] == item["text"]
        assert len(item["alternatives"]) >= 3
        assert all(set(a) == {"strategy", "text"} and a["strategy"] in STRATEGIES for a in item["alternatives"])
        assert len({a["strategy"] for a in item["alternatives"]}) == len(item["alternatives"])
    assert [s["category"] for s in data["suggestions"]] == ["follow_back", "review_swap"]


def test_profile_makes_alternatives_specific(run) -> None:  # type: ignore[no-untyped-def]
    plain = json.loads(run("suggest", "--format", "json", input=ESSAY).stdout)["suggestions"][0]["alternatives"]
    profile = ("--topic", "data pipelines", "--link", "https://example.com/dp")
    data = json.loads(run("suggest", "--format", "json", *profile, input=ESSAY).stdout)
    specific = {a["strategy"]: a["text"] for a in data["suggestions"][0]["alternatives"]}
    assert "data pipelines" in specific["offer"] and "data pipelines" in specific["question"]
    assert "https://example.com/dp" in specific["invite"]
    assert not any("data pipelines" in a["text"] for a in plain)


def test_no_demands_exits_zero_with_a_note(run) -> None:  # type: ignore[no-untyped-def]
    result = run("suggest", input=CLEAN)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "polite: no demands found; nothing to suggest\n"
    data = json.loads(run("suggest", "--format", "json", input=CLEAN).stdout)
    assert data == {"path": "-", "suggestions": []}


def test_user_content_templates_override_shipped_ones(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "tpl" / "content").mkdir(parents=True)
    thanks = tmp_path / "tpl" / "content" / "thanks.j2"
    thanks.write_text("Thank you for {{ topic or 'your posts' }}!", encoding="utf-8")
    (tmp_path / "polite.toml").write_text('templates = ["tpl"]\n', encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text(ESSAY, encoding="utf-8")
    data = json.loads(run("suggest", "--format", "json", str(draft)).stdout)
    texts = {a["strategy"]: a["text"] for a in data["suggestions"][0]["alternatives"]}
    assert texts["thanks"] == "Thank you for your posts!"


def test_errors_exit_2(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    missing = run("suggest", "missing.txt", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr == "polite: error: missing.txt: no such file; check the path\n"
    (tmp_path / "tpl" / "content").mkdir(parents=True)
    (tmp_path / "tpl" / "content" / "offer.j2").write_text("{{ nope }}", encoding="utf-8")
    (tmp_path / "polite.toml").write_text('templates = ["tpl"]\n', encoding="utf-8")
    broken = run("suggest", "-", input=ESSAY, cwd=tmp_path)
    assert broken.returncode == 2 and "variable 'nope'" in broken.stderr and broken.stderr.count("\n") == 1


class Finding:
    """Just what content.alternatives reads from a finding."""

    def __init__(self, category: str, strategies: list[str]) -> None:
        self.category = category
        self.fix = type("Fix", (), {"strategies": strategies})()


def test_every_rule_has_three_distinct_alternatives(ruleset) -> None:  # type: ignore[no-untyped-def]
    templates = Templates(())
    seen = set()
    for rule in ruleset.rules:
        key = (rule.category, tuple(rule.strategies))
        if key in seen:
            continue
        seen.add(key)
        for topic in (None, "ceramics"):
            profile = {"topic": topic, "link": None, "name": None}
            finding = Finding(rule.category, list(rule.strategies))
            pairs = alternatives(templates, finding, profile)  # type: ignore[arg-type]
            assert len(pairs) >= 3, (rule.id, pairs)
            assert len({s for s, _t in pairs}) == len(pairs) == len({t for _s, t in pairs})
            assert [s for s, _t in pairs][: len(rule.strategies)] == list(rule.strategies)

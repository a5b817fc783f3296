"""The template engine: skeleton cache against plain Jinja2, reuse detection,
invalidation, lazy import, and one clear error for every broken template."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.reply import INTENTS, TONES
from assistant.rules import CATEGORIES
from assistant.templating import SUFFIX, TemplateError, Templates

SHIPPED = Path(__file__).resolve().parent.parent / "templates"

DATA_VALUES = [
    "Dana",
    "Zoë Ångström",
    "José-María O'Neil",
    "李雷",
    "Ólafur 🙂",
    "",
    None,
    "{{ 7*7 }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{{ ''.__class__ }}",
    "\ue000\ue100\ue001",  # looks like the engine's own placeholder
    "\ue000x\ue001 \\1 \\g<0>",
    "  spaced  ",
]


def shipped_names(prefix: str) -> list[str]:
    return sorted(
        f"{prefix}/{p.name[: -len(SUFFIX)]}"
        for p in (SHIPPED / prefix).glob("*" + SUFFIX)
        if not p.name.startswith("_")
    )


def direct(templates: Templates, name: str, variables: dict[str, object]) -> str:
    """What Jinja2 itself renders, with no cache in between."""
    return str(templates.environment().get_template(name + SUFFIX).render(**variables)).strip()


def reply_cases() -> list[tuple[str, dict[str, object], dict[str, str | None]]]:
    cases = []
    values = itertools.cycle(DATA_VALUES)
    for name in shipped_names("reply"):
        for tone, option, seed in itertools.product(TONES, INTENTS, range(3)):
            for _ in range(2):
                data = {"to": next(values), "from_name": next(values), "platform": next(values)}
                cases.append((name, {"tone": tone, "option": option, "seed": seed}, data))
    return cases


def content_cases() -> list[tuple[str, dict[str, object], dict[str, str | None]]]:
    cases = []
    for name in shipped_names("content"):
        for category in CATEGORIES:
            for topic, link, who in itertools.product(DATA_VALUES[::3], DATA_VALUES[1::4], ("Ana", None)):
                cases.append((name, {"category": category}, {"topic": topic, "link": link, "name": who}))
    return cases


def test_every_reply_kind_has_a_template() -> None:
    assert shipped_names("reply") == sorted(f"reply/{c}" for c in CATEGORIES)
    assert len(shipped_names("content")) >= 4


@pytest.mark.parametrize("kind", ["reply", "content"])
def test_skeleton_matches_a_direct_jinja_render(kind: str) -> None:
    templates = Templates(())
    cases = reply_cases() if kind == "reply" else content_cases()
    for name, settings, data in cases:
        expected = direct(templates, name, {**settings, **data})
        first = templates.render(name, settings, data)  # fills the cache
        second = templates.render(name, settings, data)  # served from it
        assert first == expected, (name, settings, data)
        assert second == expected, (name, settings, data)


def test_data_values_come_out_literally() -> None:
    templates = Templates(())
    for value in DATA_VALUES[7:11]:
        text = templates.render(
            "reply/follow_back",
            {"tone": "warm", "option": "connect", "seed": 0},
            {"to": value, "from_name": value, "platform": value},
        )
        assert text.count(value) == 3, text
        assert "49" not in text and "<class" not in text and "xxx" not in text


def test_shipped_templates_are_served_without_jinja_once_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    templates = Templates(())
    cases = reply_cases()[::7] + content_cases()[::11]
    expected = [templates.render(*case) for case in cases]

    def no_jinja(*_args: object) -> str:
        raise AssertionError("rendered with Jinja2 although the skeleton was cached")

    monkeypatch.setattr(Templates, "_jinja_render", no_jinja)
    fresh = Templates(())
    assert [fresh.render(*case) for case in cases] == expected


# ----------------------------------------------------------- reuse detection
NOT_REUSABLE = {
    "filter": "Hi {{ to|upper }}!",
    "compare": '{% if to == "Dana" %}Hey you{% else %}Hello {{ to }}{% endif %}',
    "method": "{{ to.upper() }}",
    "concat": '{{ to ~ "!" }}',
    "index": "{{ to[0] }}.",
    "length": "{% if to|length > 3 %}long{% else %}short{% endif %} {{ to }}",
    "filter_block": "{% filter upper %}Hi {{ to }}{% endfilter %}",
    "set_block": '{% set x %}{{ to }}{% endset %}{% if x == "Dana" %}match{% else %}other{% endif %}',
    "macro": "{% macro m() %}{{ to }}{% endmacro %}{{ m()|upper }}",
    "autoescape": "{% autoescape true %}{{ to }}{% endautoescape %}",
    "loop_over_data": "{% for c in to %}[{{ c }}]{% endfor %}",
    "computed_include": '{% include "part_" ~ (to|lower) ~ ".j2" ignore missing %}{{ to }}',
}
REUSABLE = {
    "plain": "Hi {{ to }}!",
    "truthy": "{% if to %}Hi {{ to }},{% else %}Hi there,{% endif %}",
    "or_default": '{{ to or "friend" }} / {{ to if to else "nobody" }}',
    "not": "{% if not to %}anonymous{% endif %}{{ to }}",
    "loop_outside_data": "{% for i in range(2) %}{{ to }}{{ loop.index }} {% endfor %}",
}


@pytest.fixture
def user_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "tpl"
    folder.mkdir()
    for name, source in {**NOT_REUSABLE, **REUSABLE}.items():
        (folder / f"{name}.j2").write_text(source + "\n", encoding="utf-8")
    (folder / "part_dana.j2").write_text("[dana part]", encoding="utf-8")
    return folder


def count_jinja(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = Templates._jinja_render

    def counting(self: Templates, name: str, variables: dict[str, object]) -> str:
        calls.append(name)
        return real(self, name, variables)

    monkeypatch.setattr(Templates, "_jinja_render", counting)
    return calls


@pytest.mark.parametrize("name", sorted(NOT_REUSABLE))
def test_templates_that_transform_data_always_render_with_jinja(
    name: str, user_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = Templates([str(user_folder)])
    calls = count_jinja(monkeypatch)
    for value in ("Dana", "Sam <b>", "dana"):
        expected = direct(templates, name, {"to": value})
        assert templates.render(name, {}, {"to": value}) == expected
        calls.clear()
        assert Templates([str(user_folder)]).render(name, {}, {"to": value}) == expected
        assert calls == [name], "a template that transforms its data was served from a skeleton"
    assert templates.render("filter_block", {}, {"to": "dana"}) == "HI DANA"
    assert templates.render("set_block", {}, {"to": "Dana"}) == "match"


@pytest.mark.parametrize("name", sorted(REUSABLE))
def test_templates_that_only_print_data_are_reused(
    name: str, user_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for value in ("Dana", "", None, "{{ to }}"):
        expected = direct(Templates([str(user_folder)]), name, {"to": value})
        assert Templates([str(user_folder)]).render(name, {}, {"to": value}) == expected
        calls = count_jinja(monkeypatch)
        assert Templates([str(user_folder)]).render(name, {}, {"to": value}) == expected
        assert calls == []
        monkeypatch.undo()


def test_empty_and_missing_values_render_as_jinja_does(user_folder: Path) -> None:
    templates = Templates([str(user_folder)])
    # Both are false, but Jinja2 prints "" as nothing and None as "None"; the cache must not mix them up.
    assert templates.render("plain", {}, {"to": ""}) == "Hi !"
    assert templates.render("plain", {}, {"to": None}) == "Hi None!"
    assert templates.render("plain", {}, {"to": ""}) == "Hi !"
    assert templates.render("truthy", {}, {"to": ""}) == "Hi there,"


# -------------------------------------------------------------- invalidation
def test_cache_notices_a_changed_template(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    path = folder / "note.j2"
    path.write_text("Hello {{ to }}.", encoding="utf-8")
    assert Templates([str(folder)]).render("note", {}, {"to": "Kim"}) == "Hello Kim."
    path.write_text("Greetings {{ to }}!", encoding="utf-8")  # a different size
    assert Templates([str(folder)]).render("note", {}, {"to": "Kim"}) == "Greetings Kim!"
    stat = path.stat()
    path.write_text("Greetings {{ to }}?", encoding="utf-8")  # same size: only the mtime tells
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert Templates([str(folder)]).render("note", {}, {"to": "Kim"}) == "Greetings Kim?"


def test_a_new_user_template_overrides_a_cached_shipped_one(tmp_path: Path) -> None:
    settings = {"tone": "warm", "option": "offer", "seed": 0}
    data = {"to": "Kim", "from_name": None, "platform": None}
    folder = tmp_path / "tpl"
    (folder / "reply").mkdir(parents=True)
    shipped = Templates([str(folder)]).render("reply/follow_back", settings, data)
    assert "follow" in shipped
    (folder / "reply" / "follow_back.j2").write_text("Mine, {{ to }}.", encoding="utf-8")
    assert Templates([str(folder)]).render("reply/follow_back", settings, data) == "Mine, Kim."


def test_jinja2_is_not_imported_when_the_skeleton_is_cached(tmp_path: Path) -> None:
    message = tmp_path / "message.txt"
    message.write_text("I followed you last week, follow me back please!\n", encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text("I endorsed you, now go endorse me back.\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import contextlib, io, sys
        from assistant.templating import Templates
        from assistant.entry import main
        out = Templates(()).render("reply/like_for_like", {{"tone": "brief", "option": "short", "seed": 1}},
                                   {{"to": "Zoë", "from_name": None, "platform": "x"}})
        assert "Zoë" in out
        out = Templates(()).render("content/invite", {{"category": "follow_back"}},
                                   {{"topic": None, "link": "https://example.com", "name": None}})
        assert "https://example.com" in out
        with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
            assert main(["reply", {str(message)!r}, "--isolated", "--to", "Dana"]) == 0
            assert main(["rewrite", {str(draft)!r}, "--isolated"]) == 0
        print("jinja2" in sys.modules)
        """
    )
    env = {**os.environ, "POLITE_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs
    assert runs[0].stdout.strip() == "True"  # the first run fills the cache with Jinja2
    assert runs[1].stdout.strip() == "False"


# -------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{% for %}", "custom.j2:1: template syntax error"),
        ("{{ 1/0 }}", "ZeroDivisionError"),
        ("{{ range(10**9)|list|length }}", "Range too big"),
        ("{{ {}.pop() }}", "TypeError"),
        ("Hi {{ nobody_set_this }}", "variable 'nobody_set_this'"),
        ("{{ ''.__class__.__mro__ }}", "sandbox forbids"),
        ("{{ cycler.__init__.__globals__ }}", "sandbox forbids"),
        ("{% include '/etc/passwd' %}", "no template '/etc/passwd'"),
        ("{% include '../secret.txt' %}", "no template '../secret.txt'"),
        ('{% include "broken.j2" %}', "broken.j2:1: template syntax error"),
    ],
)
def test_broken_templates_raise_one_clear_error(tmp_path: Path, source: str, expected: str) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    (folder / "custom.j2").write_text(source, encoding="utf-8")
    (folder / "broken.j2").write_text("{{ x + }}", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        Templates([str(folder)]).render("custom", {}, {"to": "Dana"})
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message and "TOP SECRET" not in message and "root:" not in message


def test_missing_template_and_folder() -> None:
    with pytest.raises(TemplateError, match="no template 'reply/nope'"):
        Templates(()).render("reply/nope", {}, {})
    with pytest.raises(TemplateError, match="no such template folder"):
        Templates(["/nonexistent/polite-templates"]).render("reply/follow_back", {}, {})


def test_variables_lists_what_a_template_reads(user_folder: Path) -> None:
    templates = Templates([str(user_folder)])
    assert templates.variables("reply/follow_back") >= {"to", "from_name", "platform", "tone", "option", "seed"}
    assert "gave" not in templates.variables("reply/follow_back")  # set inside the template
    assert templates.variables("content/invite") >= {"topic", "link", "category"}

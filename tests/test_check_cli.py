"""`polite check` end to end: output contract, exit codes, bad input, config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import TEAM_TAG_RULE, polite_executable

DEMAND = "Hi Dana,\nI endorsed you, now go endorse me back.\nThanks,\nSam\n"
CLEAN = "Thanks for the follow-back! Loved your thread on glazes.\n"
CONTRACT = {
    "path", "rule", "category", "severity", "start", "end", "line", "column",
    "end_line", "end_column", "text", "message", "suggestions",
}  # fmt: skip


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def test_text_output_is_editor_parsable(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    draft = write(tmp_path, "draft.txt", DEMAND)
    run = polite("check", str(draft))
    assert run.returncode == 1
    first = run.stdout.splitlines()[0]
    assert first.startswith(f"{draft}:2:1: warning [endorsement_swap.")
    assert "    try: " in run.stdout
    assert "1 demand in 1 file" in run.stderr


def test_json_output_follows_the_contract(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    draft = write(tmp_path, "draft.txt", DEMAND)
    run = polite("check", "--format", "json", str(draft))
    assert run.returncode == 1
    data = json.loads(run.stdout)
    (finding,) = data["findings"]
    assert set(finding) >= CONTRACT
    assert finding["path"] == str(draft)
    assert DEMAND[finding["start"] : finding["end"]] == finding["text"] == "I endorsed you, now go endorse me back."
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (2, 1, 2, 40)
    assert data["summary"]["findings"] == 1 and data["summary"]["files"] == 1


def test_clean_input_exits_zero_and_stdin_is_named_dash(polite) -> None:  # type: ignore[no-untyped-def]
    run = polite("check", "--format", "json", "-", input=CLEAN)
    assert run.returncode == 0 and json.loads(run.stdout)["findings"] == []
    run = polite("check", input="Follow me back!")
    assert run.returncode == 1 and run.stdout.startswith("-:1:1: ")
    run = polite("check", "--stdin-filename", "notes/draft.md", input="Follow me back!")
    assert run.stdout.startswith("notes/draft.md:1:1: ")


def test_several_paths_and_exit_zero(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = write(tmp_path, "a.txt", DEMAND), write(tmp_path, "b.txt", CLEAN)
    run = polite("check", "--format", "json", str(a), str(b))
    assert run.returncode == 1 and {f["path"] for f in json.loads(run.stdout)["findings"]} == {str(a)}
    assert polite("check", "--exit-zero", str(a)).returncode == 0


def test_empty_input_is_clean(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert polite("check", str(write(tmp_path, "empty.txt", ""))).returncode == 0
    assert polite("check", input="").returncode == 0


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a folder"),
        (lambda d: write(d, "bin.dat", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "binary data"),
        (lambda d: write(d, "latin.txt", "café follow me back".encode("latin-1")), "pass --encoding"),
        (lambda d: write(d, "u16.txt", "follow me back".encode("utf-16")), "--encoding utf-16"),
    ],
    ids=["missing", "folder", "binary", "latin-1", "utf-16"],
)
def test_bad_input_is_one_line_and_exit_2(polite, tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    run = polite("check", str(make(tmp_path)))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1, run.stderr
    assert expected in run.stderr and "Traceback" not in run.stderr


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    draft = write(tmp_path, "locked.txt", DEMAND)
    draft.chmod(0)
    run = polite("check", str(draft))
    assert run.returncode == 2 and "permission denied" in run.stderr


def test_encoding_option_reads_other_encodings(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    draft = write(tmp_path, "latin.txt", "Café talk was great. Follow me back?".encode("latin-1"))
    run = polite("check", "--format", "json", "--encoding", "latin-1", str(draft))
    assert run.returncode == 1
    assert json.loads(run.stdout)["findings"][0]["text"] == "Follow me back?"
    assert polite("check", "--encoding", "nope-8", str(draft)).returncode == 2


def test_bom_and_crlf_give_offsets_into_the_text_as_read(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "Hi Dana,\r\n😀 Great post!\r\nFollow me back?\r\n"
    draft = write(tmp_path, "crlf.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    (finding,) = json.loads(polite("check", "--format", "json", str(draft)).stdout)["findings"]
    assert text[finding["start"] : finding["end"]] == "Follow me back?"
    assert (finding["line"], finding["column"]) == (3, 1)


def test_an_error_on_one_file_still_checks_the_others(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = write(tmp_path, "good.txt", DEMAND)
    run = polite("check", "--format", "json", str(tmp_path / "nope.txt"), str(good))
    assert run.returncode == 2
    data = json.loads(run.stdout)
    assert len(data["findings"]) == 1 and len(data["summary"]["errors"]) == 1


# ------------------------------------------------------------ rule selection
def categories(run) -> set[str]:  # type: ignore[no-untyped-def]
    return {f["category"] for f in json.loads(run.stdout)["findings"]}


MIXED = "I endorsed you, endorse me back!\n\nF4F? 🙏\n"


def test_select_and_ignore_by_category_and_prefix(polite) -> None:  # type: ignore[no-untyped-def]
    assert categories(polite("check", "--format", "json", "--select", "follow_back", input=MIXED)) == {"follow_back"}
    assert categories(polite("check", "--format", "json", "--ignore", "follow_back", input=MIXED)) == {
        "endorsement_swap"
    }
    run = polite("check", "--format", "json", "--ignore", "endorsement_swap,follow_back.shorthand", input=MIXED)
    assert run.returncode == 0


def test_unknown_selector_is_a_usage_error(polite) -> None:  # type: ignore[no-untyped-def]
    run = polite("check", "--select", "folow_back", input=MIXED)
    assert run.returncode == 2 and "unknown rule or category 'folow_back'" in run.stderr


def test_explain_prints_why_and_examples(polite) -> None:  # type: ignore[no-untyped-def]
    run = polite("check", "--explain", "follow_back.explicit")
    assert run.returncode == 0
    assert "Why it matters:" in run.stdout and "Flags, for example:" in run.stdout
    assert polite("check", "--explain", "follow_back.nope").returncode == 2


# -------------------------------------------------------------------- config
def test_project_config_found_upward_and_applied(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "polite.toml", 'ignore = ["follow_back"]\n[severity]\nendorsement_swap = "error"\n')
    draft = write(tmp_path, "deep/er/draft.txt", MIXED)
    run = polite("check", "--format", "json", str(draft), cwd=tmp_path.parent)
    found = json.loads(run.stdout)["findings"]
    assert {f["category"] for f in found} == {"endorsement_swap"}
    assert {f["severity"] for f in found} == {"error"}


def test_pyproject_tool_table_and_dot_polite_toml(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "a", "pyproject.toml", '[project]\nname = "x"\n\n[tool.polite]\nselect = ["follow_back"]\n')
    write(tmp_path / "b", ".polite.toml", 'select = ["endorsement_swap"]\n')
    assert categories(polite("check", "--format", "json", str(write(tmp_path / "a", "d.txt", MIXED)))) == {
        "follow_back"
    }
    assert categories(polite("check", "--format", "json", str(write(tmp_path / "b", "d.txt", MIXED)))) == {
        "endorsement_swap"
    }


def test_cli_select_replaces_config_select_and_isolated_ignores_config(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "polite.toml", 'select = ["follow_back"]\n')
    draft = write(tmp_path, "d.txt", MIXED)
    assert categories(polite("check", "--format", "json", "--select", "endorsement_swap", str(draft))) == {
        "endorsement_swap"
    }
    assert categories(polite("check", "--format", "json", "--isolated", str(draft))) == {
        "endorsement_swap",
        "follow_back",
    }


def test_explicit_config_and_user_config(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    user = write(tmp_path, "user.toml", 'ignore = ["endorsement_swap"]\n')
    draft = write(tmp_path / "work", "d.txt", MIXED)
    run = polite("check", "--format", "json", str(draft), env={"POLITE_USER_CONFIG": str(user)})
    assert categories(run) == {"follow_back"}
    other = write(tmp_path, "other.toml", 'select = ["endorsement_swap"]\n')
    run = polite("check", "--format", "json", "--config", str(other), str(draft), env={"POLITE_USER_CONFIG": str(user)})
    assert categories(run) == set()  # user ignores endorsements, --config selects only them
    assert polite("check", "--config", str(tmp_path / "missing.toml"), str(draft)).returncode == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("selec = ['x']\n", "unknown key 'selec'"),
        ("select = 3\n", "must be a list"),
        ("[severity]\nx = 'loud'\n", "must be one of"),
        ("select = [\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_line_exit_2(polite, tmp_path: Path, content: str, message: str) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path, "polite.toml", content)
    run = polite("check", str(write(tmp_path, "d.txt", MIXED)))
    assert run.returncode == 2 and message in run.stderr and run.stderr.count("\n") == 1


def test_extra_phrasebook_folder_from_config(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(
        tmp_path / "books",
        "team.toml",
        TEAM_TAG_RULE,
    )
    write(tmp_path, "polite.toml", 'phrasebooks = ["books"]\n')
    run = polite("check", "--format", "json", str(write(tmp_path, "d.txt", "Loved it #teamfollowme\n")))
    assert [f["rule"] for f in json.loads(run.stdout)["findings"]] == ["follow_back.team_tag"]
    write(tmp_path / "books", "team.toml", "[[rule]]\nid = 'x.y'\n")
    run = polite("check", str(tmp_path / "d.txt"))
    assert run.returncode == 2 and "team.toml" in run.stderr and "Traceback" not in run.stderr


def test_cache_is_refreshed_when_a_phrasebook_changes(polite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = write(tmp_path / "books", "t.toml", "")
    entry = textwrap.dedent(
        """
        [[rule]]
        id = "follow_back.word_WORD"
        category = "follow_back"
        patterns = ['WORD']
        message = "m"
        why = "w"
        alternatives = ["a"]
        match = ["WORD"]
        no_match = ["nothing"]
        """
    )
    write(tmp_path, "polite.toml", 'phrasebooks = ["books"]\n')
    draft = write(tmp_path, "d.txt", "zebra quokka\n")
    book.write_text(entry.replace("WORD", "zebra"))
    assert [f["rule"] for f in json.loads(polite("check", "--format", "json", str(draft)).stdout)["findings"]] == [
        "follow_back.word_zebra"
    ]
    book.write_text(entry.replace("WORD", "quokka") + "\n")
    assert [f["rule"] for f in json.loads(polite("check", "--format", "json", str(draft)).stdout)["findings"]] == [
        "follow_back.word_quokka"
    ]


# ------------------------------------------------------------- start-up path
FAST_CASES = [
    ["check", "-"],
    ["check", "--format", "json", "-"],
    ["check", "--format=json", "--select", "follow_back", "-"],
    ["check", "--ignore", "follow_back", "--exit-zero"],
    ["check", "--format", "xml", "-"],
    ["check", "--nope"],
    ["check", "--explain", "follow_back.explicit"],
    ["rewrite", "-"],
    ["rewrite", "--format", "json", "--topic", "glazes", "-"],
    ["rewrite", "--diff"],
    ["reply", "--to", "Dana", "-"],
    ["reply", "--format", "json", "--tone", "brief", "--seed", "2", "-"],
    ["reply", "--seed", "x", "-"],
]


@pytest.mark.parametrize("args", FAST_CASES, ids=[" ".join(a) for a in FAST_CASES])
def test_fast_path_behaves_exactly_like_click(polite, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    text = "Loved your talk! I endorsed you, endorse me back pls.\n"
    fast = polite(*args, input=text)
    slow = polite(*args, input=text, env={"POLITE_NO_FASTPATH": "1"})
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)


LIGHT_RUNS = [
    (["check", "-"], "Loved your talk! I endorsed you, now endorse me back.", 1),
    (["rewrite", "-"], "Loved your talk! I endorsed you, now endorse me back.", 0),
    (["rewrite", "-"], "I endorsed you, now go endorse me back.", 0),
    (["reply", "--to", "Dana", "-"], "I endorsed you, now endorse me back.", 0),
]


@pytest.mark.parametrize(("args", "text", "status"), LIGHT_RUNS, ids=[" ".join(r[0]) for r in LIGHT_RUNS])
def test_common_runs_do_not_import_heavy_modules(tmp_path: Path, args: list[str], text: str, status: int) -> None:
    probe = textwrap.dedent(
        f"""
        import io, sys
        sys.stdin = io.TextIOWrapper(io.BytesIO({text!r}.encode()))
        sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        sys.argv = ["polite", *{args!r}]
        from assistant.entry import main
        code = main()
        avoid = ("jinja2", "textstat", "language_tool_python", "click", "tomllib", "pygls", "dataclasses", "re", "enum")
        heavy = sorted(m for m in avoid if m in sys.modules and m not in BEFORE)
        print("HEAVY", heavy, code, file=sys.stderr)
        """
    )
    # Modules the interpreter itself (site, .pth files) loaded are not polite's doing.
    before = subprocess.run(
        [sys.executable, "-c", "import sys; print(sorted(sys.modules))"], capture_output=True, text=True, check=True
    ).stdout.strip()
    probe = f"BEFORE = {before}\n" + probe
    env = {**os.environ, "POLITE_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", probe], capture_output=True, env=env, check=False)  # fills the caches
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    # With warm caches not even `re` is imported: pattern bytecode comes from fastre's cache,
    # and replies and content-first lines from rendered template skeletons, without jinja2.
    assert f"HEAVY [] {status}" in proc.stderr, proc.stderr


def test_help_documents_every_command(polite) -> None:  # type: ignore[no-untyped-def]
    run = polite("--help")
    for command in ("check", "rewrite", "suggest", "reply", "templates", "phrasebook", "lsp"):
        assert command in run.stdout
        sub = polite(command, "--help")
        assert sub.returncode == 0 and "Usage:" in sub.stdout


def test_readme_documents_every_command() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for command in (
        "polite check",
        "polite rewrite",
        "polite suggest",
        "polite reply",
        "polite templates",
        "polite phrasebook",
        "polite lsp",
    ):
        assert command in readme, command


def test_module_entry_point_runs(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "assistant", "check", "-"], input=b"F4F?", capture_output=True)
    assert proc.returncode == 1 and proc.stdout.startswith(b"-:1:1:")
    assert polite_executable()  # the command exists in this environment


def test_permission_denied_message_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The unreadable-file path, also where the tests run as root (which reads anything)."""
    import builtins

    from assistant.inputs import InputError, read_source

    real_open = builtins.open

    def deny(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)
    with pytest.raises(InputError, match="permission denied"):
        read_source(str(tmp_path / "locked.txt"))


@pytest.mark.parametrize("count", [0, 1, 500, 501, 1000, 1001, 2500])
def test_json_reports_of_any_size_are_one_valid_document(count: int) -> None:
    import io

    from assistant.render import write_report

    findings = [{"path": "a.txt", "line": i, "message": 'naïve 🙏 "quoted"'} for i in range(count)]
    summary = {"files": 1, "findings": count}
    out = io.StringIO()
    write_report(out, iter(findings), count, summary)
    assert json.loads(out.getvalue()) == {"findings": findings, "summary": summary}
    whole = {"findings": findings, "summary": summary}
    if count <= 500:  # indented for people
        assert out.getvalue() == json.dumps(whole, ensure_ascii=False, indent=2) + "\n"
    else:  # compact, written in batches, the same bytes as in one go
        assert out.getvalue() == json.dumps(whole, ensure_ascii=False) + "\n"

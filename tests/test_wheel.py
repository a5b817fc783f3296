"""The wheel works outside the checkout: phrasebooks/ and templates/ ship inside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel file, folder the wheel was installed into with pip --target)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("polite_outreach-*.whl")
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-compile",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return wheel, target


def test_wheel_contains_the_data(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert "assistant/phrasebooks/vocabulary.toml" in names
    assert "assistant/phrasebooks/follow_back.toml" in names
    assert "assistant/templates/reply/_body.j2" in names
    assert "assistant/templates/content/invite.j2" in names
    assert any(n.endswith("entry_points.txt") for n in names)


def run_installed(target: Path, tmp_path: Path, *args: str, text: str = "") -> subprocess.CompletedProcess[str]:
    # The installed copy comes first on the path; dependencies come from this environment.
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "POLITE_CACHE_DIR": str(tmp_path / "cache"),
        "POLITE_USER_CONFIG": str(tmp_path / "none.toml"),
    }
    script = target / "bin" / "polite"
    return subprocess.run(
        [sys.executable, str(script), *args],
        input=text,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )


def test_installed_polite_runs_from_elsewhere(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, target = installed
    where = run_installed(target, tmp_path, "phrasebook", "path")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).resolve().is_relative_to(target.resolve()), where.stdout

    check = run_installed(
        target, tmp_path, "check", "--format", "json", "-", text="I endorsed you, now go endorse me back."
    )
    assert check.returncode == 1, check.stderr
    assert json.loads(check.stdout)["findings"][0]["category"] == "endorsement_swap"

    rewrite = run_installed(target, tmp_path, "rewrite", "-", text="I endorsed you, now go endorse me back.\n")
    assert rewrite.returncode == 0 and rewrite.stdout.strip() and "endorse me back" not in rewrite.stdout

    reply = run_installed(target, tmp_path, "reply", "--to", "Dana", "-", text="I endorsed you, now endorse me back.")
    assert reply.returncode == 0 and reply.stdout.startswith("Hi Dana,"), reply.stderr

    templates = run_installed(target, tmp_path, "templates", "list", "--format", "json")
    assert all(Path(t["path"]).resolve().is_relative_to(target.resolve()) for t in json.loads(templates.stdout))

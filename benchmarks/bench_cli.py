"""Speed figures for the command line, measured side by side in one run.

    python benchmarks/bench_cli.py [--runs N] [--quick] [--startup-only]

Prints medians (and min/max) and ratios against the bare interpreter's start-up
(`python -c pass`) measured in the same run, interleaved with the polite runs so
both see the same machine load. Not part of the test suite: the machines are
shared and noisy, so these are figures to read, not pass/fail checks.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

PYTHON = sys.executable
POLITE = str(Path(PYTHON).with_name("polite")) if Path(PYTHON).with_name("polite").exists() else shutil.which("polite")

ONE_LINERS = {
    "check": (["check", "-"], "Loved your talk on pricing! I endorsed you, now endorse me back."),
    "rewrite (drop)": (["rewrite", "-"], "Loved your talk on pricing! I endorsed you, now endorse me back."),
    "rewrite (replace)": (["rewrite", "-"], "I endorsed you, now go endorse me back."),
    "reply": (["reply", "--to", "Dana", "-"], "I endorsed you, now endorse me back."),
}


def timed(cmd: list[str], data: bytes, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - started


def summary(samples: list[float]) -> str:
    low, high = min(samples) * 1000, max(samples) * 1000
    return f"median {statistics.median(samples) * 1000:7.1f} ms (min {low:.1f}, max {high:.1f})"


def startup(runs: int) -> None:
    print(f"\n== cold start (new process each time), {runs} interleaved runs each")
    cache = tempfile.mkdtemp(prefix="polite-bench-cache-")
    env = {**os.environ, "POLITE_CACHE_DIR": cache, "POLITE_USER_CONFIG": os.path.join(cache, "none.toml")}
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        # Without .pyc files every run compiles polite's modules from source, which no
        # installed copy does (pip writes them); the warm-up runs below write them.
        print("  (PYTHONDONTWRITEBYTECODE is set here; unset for these runs so that .pyc files exist)")
    for args, text in ONE_LINERS.values():  # fill the caches once, as any second run would
        timed([POLITE, *args], text.encode(), env)
    samples: dict[str, list[float]] = {"python -c pass": []} | {name: [] for name in ONE_LINERS}
    for _ in range(runs):
        samples["python -c pass"].append(timed([PYTHON, "-c", "pass"], b"", env))
        for name, (args, text) in ONE_LINERS.items():
            samples[name].append(timed([POLITE, *args], text.encode(), env))
    base = statistics.median(samples["python -c pass"])
    bars = {"check": 2.0, "rewrite (drop)": 2.5, "rewrite (replace)": 2.5, "reply": 3.0}
    for name, values in samples.items():
        ratio = statistics.median(values) / base
        bar = f"   bar {bars[name]:.1f}x" if name in bars else ""
        print(f"  {name:<18} {summary(values)}   {ratio:4.2f}x python{bar}")
    print(
        "  (caches warm: compiled phrasebooks and rendered template skeletons; the first run after an edit is slower)"
    )
    first: list[float] = []
    for _ in range(max(3, runs // 5)):
        fresh = tempfile.mkdtemp(prefix="polite-bench-cold-")
        first.append(timed([POLITE, "check", "-"], ONE_LINERS["check"][1].encode(), {**env, "POLITE_CACHE_DIR": fresh}))
        shutil.rmtree(fresh, ignore_errors=True)
    print(f"  {'check, empty cache':<18} {summary(first)}   {statistics.median(first) / base:4.2f}x python")
    shutil.rmtree(cache, ignore_errors=True)


def throughput(quick: bool) -> None:
    print("\n== throughput: polite check FILE --format json (medians of 3 runs for 1 MB, 5 for 10 MB)")
    folder = Path(tempfile.mkdtemp(prefix="polite-bench-text-"))
    env = {**os.environ, "POLITE_CACHE_DIR": str(folder / "cache"), "POLITE_USER_CONFIG": str(folder / "none.toml")}
    print("  (texts of 2 MB or more are checked in two processes where two cores are free; 'one process'")
    print("   rows set POLITE_PROCESSES=1, measured interleaved with the default)")
    kinds = ["mixed"] if quick else ["mixed", "one-section", "dense"]
    one_process = {**env, "POLITE_PROCESSES": "1"}
    for kind in kinds:
        results = {}
        for size in (1_000_000, 10_000_000):
            path = folder / f"{kind}-{size}.txt"
            path.write_text(generate.text(size, kind), encoding="utf-8")
            command = [POLITE, "check", "--format", "json", str(path)]
            timed(command, b"", env)  # warm the cache
            runs, single = [], []
            for _ in range(5 if size > 1_000_000 else 3):
                runs.append(timed(command, b"", env))
                if size > 1_000_000:
                    single.append(timed(command, b"", one_process))
            results[size] = statistics.median(runs)
            print(f"  {kind:<12} {size / 1e6:4.0f} MB  {summary(runs)}   {size / 1e6 / results[size]:6.1f} MB/s")
            if single:
                speed = size / 1e6 / statistics.median(single)
                print(f"  {kind:<12} {size / 1e6:4.0f} MB  {summary(single)}   {speed:6.1f} MB/s  (one process)")
        print(f"  {kind:<12} 10 MB costs {results[10_000_000] / results[1_000_000]:.1f}x 1 MB (bar: at most 11x)")
    path = folder / "rewrite-1MB.txt"
    path.write_text(generate.text(1_000_000, "mixed"), encoding="utf-8")
    runs = [timed([POLITE, "rewrite", str(path)], b"", env) for _ in range(3)]
    print(f"\n== polite rewrite on a 1 MB draft: {summary(runs)}   (bar: under 1 s)")
    shutil.rmtree(folder, ignore_errors=True)


def hostile_pattern() -> None:
    print("\n== user pattern (a+)+$ against 50,000 a's and '!' (RE2)")
    folder = Path(tempfile.mkdtemp(prefix="polite-bench-re2-"))
    (folder / "books").mkdir()
    (folder / "books" / "hostile.toml").write_text(
        "[[rule]]\nid = 'follow_back.hostile'\ncategory = 'follow_back'\npatterns = ['(a+)+$']\n"
        "message = 'm'\nwhy = 'w'\nalternatives = ['a']\nmatch = ['aa']\nno_match = ['b']\n",
        encoding="utf-8",
    )
    (folder / "polite.toml").write_text('phrasebooks = ["books"]\nselect = ["follow_back.hostile"]\n', encoding="utf-8")
    (folder / "hostile.txt").write_text("a" * 50_000 + "!", encoding="utf-8")
    env = {**os.environ, "POLITE_CACHE_DIR": str(folder / "cache"), "POLITE_USER_CONFIG": str(folder / "none.toml")}
    timed([POLITE, "check", str(folder / "hostile.txt")], b"", env)
    runs = [timed([POLITE, "check", str(folder / "hostile.txt")], b"", env) for _ in range(5)]
    print(f"  polite check (whole process) {summary(runs)}")
    shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="runs per start-up measurement (default 30)")
    parser.add_argument("--quick", action="store_true", help="fewer runs and only the mixed text")
    parser.add_argument("--startup-only", action="store_true", help="only the cold-start figures")
    args = parser.parse_args()
    if not POLITE:
        print("polite is not installed in this environment", file=sys.stderr)
        return 2
    print(f"polite: {POLITE}\npython: {PYTHON} {sys.version.split()[0]}, {os.cpu_count()} cpus")
    startup(10 if args.quick else args.runs)
    if args.startup_only:
        return 0
    throughput(args.quick)
    hostile_pattern()
    return 0


if __name__ == "__main__":
    sys.exit(main())

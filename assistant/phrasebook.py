"""Load and validate phrasebooks (TOML) into rules.

A phrasebook folder holds rule files (`*.toml`) and optionally a
`vocabulary.toml` with placeholders for patterns and the `[document]` data the
sentence splitter uses. The shipped folder comes first; folders named in the
config extend it: a user rule with a shipped id replaces the shipped rule,
user placeholders add to or replace shipped ones.

Compiled phrasebooks are cached (see cache.py), keyed on the files' paths,
sizes and modification times, so a run whose phrasebooks did not change reads
one marshal file instead of parsing TOML.
"""

from __future__ import annotations

import os
import sys

from . import cache
from .document import Structure
from .errors import PoliteError
from .patterns import PatternError, check_compiles, expand, triggers
from .resources import data_dir
from .rules import CATEGORIES, FIXES, KINDS, SEVERITIES, STRATEGIES, Rule, Ruleset

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

ENGINE_VERSION = 4
VOCABULARY_FILE = "vocabulary.toml"
TIDY_FILE = "tidy.toml"
_ID = r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+"
# Which rule decides a finding's category: public call-outs (5) over strong debt or
# guilt (4) over the thing asked for (3) over a vague "return the favour" (2) over
# the favour done (1) over generic asks such as "your turn" (0).
DEFAULT_PRIORITY = {"demand": 3, "ask": 3, "premise": 1, "tail": 0}
_REQUIRED = ("id", "patterns", "message", "why", "alternatives", "match", "no_match")
_OPTIONAL = ("category", "kind", "severity", "priority", "fix", "strategies", "unless", "unless_nearby")
_DEFAULTABLE = ("category", "kind", "severity", "priority", "fix", "strategies", "alternatives")


class PhrasebookError(PoliteError):
    """A phrasebook that cannot be used. str() names the file and entry."""

    def __init__(self, path: str, message: str, rule_id: str | None = None) -> None:
        where = f"{path}: rule '{rule_id}'" if rule_id else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.rule_id = rule_id


# ----------------------------------------------------------------- discovery
def shipped_dir() -> str:
    return data_dir("phrasebooks")


def phrasebook_files(folder: str) -> list[str]:
    """The rule files of a folder (or the file itself), sorted; vocabulary excluded."""
    if os.path.isfile(folder):
        return [folder]
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        raise PhrasebookError(folder, "no such phrasebook folder; fix the path in your config") from None
    except NotADirectoryError:
        raise PhrasebookError(folder, "not a folder of phrasebooks") from None
    except PermissionError:
        raise PhrasebookError(folder, "cannot read this folder (permission denied)") from None
    return [os.path.join(folder, n) for n in names if n.endswith(".toml") and n not in (VOCABULARY_FILE, TIDY_FILE)]


def _sources(extra: Sequence[str]) -> list[tuple[str, bool]]:
    return [(shipped_dir(), True)] + [(os.path.abspath(d), False) for d in extra]


def _fingerprint(sources: Sequence[tuple[str, bool]]) -> tuple[object, ...]:
    stamps: list[object] = [ENGINE_VERSION, sys.version_info[:2]]
    for folder, trusted in sources:
        files = phrasebook_files(folder)
        if os.path.isdir(folder):
            files.append(os.path.join(folder, VOCABULARY_FILE))
        stamps.append((folder, trusted, tuple(cache.file_stamp(f) for f in files)))
    return tuple(stamps)


# ------------------------------------------------------------------- loading
def load_ruleset(extra: Sequence[str] = ()) -> Ruleset:
    """Shipped rules plus the rules in `extra` folders or files, from cache when fresh."""
    sources = _sources(extra)
    key = _fingerprint(sources)
    name = "phrasebooks-" + format(abs(hash_key(sources)), "x")  # one entry per set of folders
    cached = cache.load(name, key)
    if cached is None:
        cached = compile_sources(sources)
        cache.store(name, key, cached)
    records, document = cached  # type: ignore[misc]  # marshal returns object
    return Ruleset([Rule(r) for r in records], Structure(**document))  # type: ignore[has-type]


def hash_key(key: object) -> int:
    """A hash that is stable across runs (str hashes are salted per process)."""
    import zlib

    return zlib.crc32(repr(key).encode("utf-8", "surrogatepass"))


def compile_sources(sources: Sequence[tuple[str, bool]]) -> tuple[list[dict[str, object]], dict[str, object]]:
    vocabulary: dict[str, str] = {}
    document: dict[str, object] = {}
    for folder, _trusted in sources:
        vocab_path = os.path.join(folder, VOCABULARY_FILE)
        if os.path.isfile(vocab_path):
            data = read_toml(vocab_path)
            _merge_vocabulary(vocab_path, data, vocabulary, document)
    for key in ("greeting", "signoff", "abbreviations"):
        if key not in document:
            raise PhrasebookError(os.path.join(shipped_dir(), VOCABULARY_FILE), f"[document] lacks '{key}'")

    records: dict[str, dict[str, object]] = {}
    origin: dict[str, tuple[str, bool]] = {}
    for folder, trusted in sources:
        for path in phrasebook_files(folder):
            for record in compile_file(path, vocabulary, trusted):
                rid = str(record["id"])
                if rid in origin:
                    earlier_path, earlier_trusted = origin[rid]
                    if earlier_trusted == trusted:
                        raise PhrasebookError(path, f"duplicate id; it is also defined in {earlier_path}", rid)
                records[rid] = record  # a user rule replaces the shipped rule with its id
                origin[rid] = (path, trusted)
    return list(records.values()), document


def _merge_vocabulary(
    path: str, data: dict[str, object], vocabulary: dict[str, str], document: dict[str, object]
) -> None:
    unknown = set(data) - {"vocabulary", "document"}
    if unknown:
        raise PhrasebookError(
            path, f"unknown table(s) {', '.join(sorted(unknown))}; expected [vocabulary] and [document]"
        )
    import re

    for name, value in dict(data.get("vocabulary", {})).items():  # type: ignore[call-overload]
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or not isinstance(value, str):
            raise PhrasebookError(path, f"vocabulary entry '{name}' must be a lower-case name with a string pattern")
        vocabulary[name] = value
    for name, value in dict(data.get("document", {})).items():  # type: ignore[call-overload]
        if name not in ("greeting", "signoff", "abbreviations", "window", "sender"):
            raise PhrasebookError(path, f"unknown [document] key '{name}'")
        document[name] = value


def read_toml(path: str) -> dict[str, object]:
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise PhrasebookError(path, f"is not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise PhrasebookError(path, "is not UTF-8 text") from None
    except OSError as exc:
        raise PhrasebookError(path, f"cannot be read ({exc.strerror or exc})") from None


def compile_file(path: str, vocabulary: dict[str, str], trusted: bool) -> list[dict[str, object]]:
    data = read_toml(path)
    unknown = set(data) - {"defaults", "rule"}
    if unknown:
        raise PhrasebookError(path, f"unknown table(s) {', '.join(sorted(unknown))}; expected [defaults] and [[rule]]")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict) or set(defaults) - set(_DEFAULTABLE):
        raise PhrasebookError(path, f"[defaults] may only set {', '.join(_DEFAULTABLE)}")
    entries = data.get("rule", [])
    if not isinstance(entries, list) or not entries:
        raise PhrasebookError(path, "has no [[rule]] entries")
    seen: set[str] = set()
    out = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise PhrasebookError(path, f"entry {n} is not a table")
        record = compile_entry(path, n, {**defaults, **entry}, vocabulary, trusted)
        if record["id"] in seen:
            raise PhrasebookError(path, "duplicate id in this file", str(record["id"]))
        seen.add(str(record["id"]))
        out.append(record)
    return out


def _strings(path: str, rid: str, entry: dict[str, object], key: str, required: bool = True) -> list[str]:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PhrasebookError(path, f"'{key}' must be a list of non-empty strings", rid)
    if required and not value:
        hint = " (examples are required: they are the rule's tests)" if key in ("match", "no_match") else ""
        raise PhrasebookError(path, f"'{key}' is missing or empty{hint}", rid)
    return list(value)


def _choice(
    path: str, rid: str, entry: dict[str, object], key: str, allowed: Sequence[str], default: str | None
) -> str:
    value = entry.get(key, default)
    if value not in allowed:
        raise PhrasebookError(path, f"{key} '{value}' is not one of: {', '.join(allowed)}", rid)
    return str(value)


def compile_entry(
    path: str, n: int, entry: dict[str, object], vocabulary: dict[str, str], trusted: bool
) -> dict[str, object]:
    import re

    rid = entry.get("id")
    if not isinstance(rid, str) or not re.fullmatch(_ID, rid):
        raise PhrasebookError(path, f"entry {n}: 'id' must be a dotted lower-case id such as follow_back.explicit")
    unknown = set(entry) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise PhrasebookError(path, f"unknown key(s) {', '.join(sorted(unknown))}", rid)
    for key in _REQUIRED:
        if key not in entry:
            hint = " (examples are required: they are the rule's tests)" if key in ("match", "no_match") else ""
            raise PhrasebookError(path, f"'{key}' is missing{hint}", rid)
    category = _choice(path, rid, entry, "category", CATEGORIES, None)
    kind = _choice(path, rid, entry, "kind", KINDS, "demand")
    severity = _choice(path, rid, entry, "severity", SEVERITIES, "warning")
    fix = _choice(path, rid, entry, "fix", FIXES, "drop")
    priority = entry.get("priority", DEFAULT_PRIORITY[kind])
    if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 9:
        raise PhrasebookError(path, "'priority' must be a whole number from 0 to 9", rid)
    strategies = _strings(path, rid, entry, "strategies", required=False) or list(STRATEGIES)
    for strategy in strategies:
        if strategy not in STRATEGIES:
            raise PhrasebookError(path, f"strategy '{strategy}' is not one of: {', '.join(STRATEGIES)}", rid)
    for key in ("message", "why"):
        if not isinstance(entry[key], str) or not str(entry[key]).strip():
            raise PhrasebookError(path, f"'{key}' must be a non-empty string", rid)

    def compiled(key: str, required: bool) -> tuple[list[str], list[list[list[str]] | None]]:
        sources = _strings(path, rid, entry, key, required)
        expanded: list[str] = []
        found: list[list[list[str]] | None] = []
        for i, source in enumerate(sources, 1):
            try:
                pattern = expand(source, vocabulary)
                check_compiles(pattern, trusted)
            except PatternError as exc:
                raise PhrasebookError(path, f"{key} {i} ({source!r}) does not compile: {exc}", rid) from None
            expanded.append(pattern)
            found.append(triggers(pattern))
        return expanded, found

    patterns, pattern_triggers = compiled("patterns", True)
    unless, _ = compiled("unless", False)
    unless_nearby, _ = compiled("unless_nearby", False)
    return {
        "id": rid,
        "category": category,
        "kind": kind,
        "severity": severity,
        "priority": priority,
        "fix": fix,
        "strategies": strategies,
        "patterns": patterns,
        "triggers": pattern_triggers,
        "unless": unless,
        "unless_nearby": unless_nearby,
        "message": str(entry["message"]).strip(),
        "why": str(entry["why"]).strip(),
        "alternatives": _strings(path, rid, entry, "alternatives"),
        "match": _strings(path, rid, entry, "match"),
        "no_match": _strings(path, rid, entry, "no_match"),
        "source": path,
        "trusted": trusted,
    }


def load_from(paths: Iterable[str]) -> Ruleset:
    """Compile phrasebooks without the cache, for `polite phrasebook test`: the
    shipped ones when `paths` is empty, else only the rules in `paths` (which
    still see the shipped vocabulary)."""
    own = [os.path.abspath(p) for p in paths]
    records, document = compile_sources([(shipped_dir(), True), *((p, False) for p in own)])
    if own:
        records = [
            r for r in records if any(str(r["source"]) == p or str(r["source"]).startswith(p + os.sep) for p in own)
        ]
    return Ruleset([Rule(r) for r in records], Structure(**document))  # type: ignore[arg-type]

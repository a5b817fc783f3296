"""Configuration: where it is found, what it may say, how layers combine.

Layers, later ones winning: the user config file, then the project config found
upward from the checked file (the nearest `polite.toml`, `.polite.toml`, or
`pyproject.toml` with a `[tool.polite]` table), then command-line options.
`--config FILE` replaces the project config; `--isolated` ignores both files.
Paths inside a config file are relative to that file.
"""

from __future__ import annotations

import os
import sys

from . import cache
from .errors import PoliteError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

PROJECT_FILES = ("polite.toml", ".polite.toml", "pyproject.toml")
_LINUX: bool = sys.platform.startswith("linux")  # a plain bool, so type checkers keep both branches
SEVERITIES = ("error", "warning", "info")
TONES = ("warm", "brief", "firm")
_LISTS = ("select", "ignore", "phrasebooks", "templates")
_STRINGS = ("encoding", "languagetool_url")
_TABLES = {
    "severity": None,
    "profile": ("topic", "link", "name"),
    "reply": ("from", "tone", "platform", "seed"),
}


class ConfigError(PoliteError):
    """A config file that cannot be used; str() names the file and the key."""


class Config:
    __slots__ = (
        "encoding",
        "files",
        "ignore",
        "languagetool_url",
        "phrasebooks",
        "profile",
        "reply",
        "select",
        "severity",
        "templates",
    )

    def __init__(self) -> None:
        self.select: list[str] = []
        self.ignore: list[str] = []
        self.phrasebooks: list[str] = []
        self.templates: list[str] = []
        self.severity: dict[str, str] = {}
        self.profile: dict[str, str] = {}
        self.reply: dict[str, object] = {}
        self.encoding: str | None = None
        self.languagetool_url: str | None = None
        self.files: list[str] = []

    def key(self) -> tuple[object, ...]:
        """What decides the rule set: configs with equal keys share one."""
        return (tuple(self.phrasebooks), tuple(self.select), tuple(self.ignore), tuple(sorted(self.severity.items())))


def user_config_path() -> str:
    explicit = os.environ.get("POLITE_USER_CONFIG")
    if explicit is not None:
        return explicit
    if _LINUX:
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        return os.path.join(base, "polite", "config.toml")
    import platformdirs

    return os.path.join(platformdirs.user_config_dir("polite", appauthor=False), "config.toml")


def find_project_config(start: str) -> str | None:
    """The nearest project config at or above the folder `start`."""
    folder = os.path.abspath(start)
    while True:
        for name in PROJECT_FILES:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and (name != "pyproject.toml" or _mentions_polite(path)):
                return path
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _mentions_polite(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"[tool.polite" in fh.read()
    except OSError:
        return False


def load(start: str, explicit: str | None = None, isolated: bool = False) -> Config:
    config = Config()
    if isolated:
        return config
    user = user_config_path()
    if user and os.path.isfile(user):
        _apply(config, user, _read(user, section=None))
    if explicit is not None:
        if not os.path.isfile(explicit):
            raise ConfigError(f"{explicit}: no such config file; check the --config path")
        project: str | None = explicit
    else:
        project = find_project_config(start)
    if project is not None:
        section = ("tool", "polite") if os.path.basename(project) == "pyproject.toml" else None
        _apply(config, project, _read(project, section))
    return config


def _read(path: str, section: tuple[str, ...] | None) -> dict[str, object]:
    stamp = cache.file_stamp(path)
    name = "config-" + format(_crc(path), "x")
    data = cache.load(name, stamp)
    if data is None:
        import tomllib

        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or pass --isolated") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot be read ({exc}); fix the file or pass --isolated") from None
        cache.store(name, stamp, data)
    assert isinstance(data, dict)
    for part in section or ():
        data = data.get(part, {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [{'.'.join(section or ())}] must be a table")
    return data


def _crc(text: str) -> int:
    import zlib

    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def _apply(config: Config, path: str, data: Mapping[str, object]) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    config.files.append(path)
    for raw_key, value in data.items():
        key = raw_key.replace("-", "_")
        where = f"{path}: '{raw_key}'"
        if key in _LISTS:
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                raise ConfigError(f"{where} must be a list of strings")
            if key in ("phrasebooks", "templates"):
                items = [os.path.normpath(os.path.join(folder, os.path.expanduser(v))) for v in items]
            setattr(config, key, list(items))
        elif key in _STRINGS:
            if not isinstance(value, str):
                raise ConfigError(f"{where} must be a string")
            setattr(config, key, value)
        elif key in _TABLES:
            if not isinstance(value, dict):
                raise ConfigError(f"{where} must be a table")
            allowed = _TABLES[key]
            for sub_key, sub_value in value.items():
                if allowed is not None and sub_key not in allowed:
                    raise ConfigError(f"{path}: unknown key '{sub_key}' in [{raw_key}]; known: {', '.join(allowed)}")
                if key == "severity" and sub_value not in SEVERITIES:
                    raise ConfigError(f"{path}: severity for '{sub_key}' must be one of {', '.join(SEVERITIES)}")
                if key == "reply" and sub_key == "tone" and sub_value not in TONES:
                    raise ConfigError(f"{path}: [reply] tone must be one of {', '.join(TONES)}")
                if key == "reply" and sub_key == "seed":
                    if not isinstance(sub_value, int) or isinstance(sub_value, bool):
                        raise ConfigError(f"{path}: [reply] seed must be a whole number")
                elif not isinstance(sub_value, str):
                    raise ConfigError(f"{path}: '{sub_key}' in [{raw_key}] must be a string")
            getattr(config, key).update(value)
        else:
            known = ", ".join(sorted((*_LISTS, *_STRINGS, *_TABLES)))
            raise ConfigError(f"{path}: unknown key '{raw_key}'; known keys: {known}")

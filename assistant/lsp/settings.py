"""The configuration that applies to a document: its rules, templates and profile.

As for `polite check FILE`, the user config and the nearest polite.toml,
.polite.toml or pyproject.toml with a [tool.polite] table above the document's
file apply. Settings are looked up again when one of those files changes or a
nearer one appears, so editing polite.toml takes effect without a restart.
"""

from __future__ import annotations

import os

from .. import cache
from .. import config as config_mod
from ..commands import Session, UsageError
from ..content import PROFILE_KEYS
from ..phrasebook import PhrasebookError
from ..templating import Templates

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..rules import Ruleset

_Stamp = tuple[object, ...]


class Settings:
    """What applies to the documents of one folder, or why nothing can (`error`)."""

    __slots__ = ("error", "profile", "ruleset", "templates")

    def __init__(
        self,
        ruleset: Ruleset | None = None,
        templates: Templates | None = None,
        profile: dict[str, str | None] | None = None,
        error: str | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.templates = templates
        self.profile = profile or {}
        self.error = error


class SettingsCache:
    """Settings by folder, reloaded when the config files they came from change."""

    def __init__(self) -> None:
        self._by_folder: dict[str, tuple[_Stamp, Settings]] = {}

    def for_document(self, path: str) -> Settings:
        """The settings for the document at `path` (which need not exist)."""
        folder = os.path.dirname(os.path.abspath(path))
        stamp = _config_stamp(folder)
        cached = self._by_folder.get(folder)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        settings = _load(path)
        self._by_folder[folder] = (stamp, settings)
        return settings


def _config_stamp(folder: str) -> _Stamp:
    """Which config files apply to `folder`, and their sizes and times."""
    project = config_mod.find_project_config(folder)
    user = config_mod.user_config_path()
    return (
        project,
        cache.file_stamp(project) if project else None,
        cache.file_stamp(user) if user else None,
    )


def _load(path: str) -> Settings:
    session = Session()
    try:
        config = session.config_for(path)
        ruleset = session.ruleset_for(config)
    except (config_mod.ConfigError, UsageError, PhrasebookError) as exc:
        return Settings(error=str(exc))
    return Settings(ruleset, Templates(config.templates), profile_of(config))


def profile_of(config: config_mod.Config) -> dict[str, str | None]:
    """The [profile] values content-first wording uses, blanks as None (as `polite suggest` reads them)."""
    return {key: (config.profile.get(key) or "").strip() or None for key in PROFILE_KEYS}

"""Where the shipped data lives: phrasebooks/ and templates/.

In an installed wheel they sit inside the package; in a source checkout (or an
editable install) they sit beside it at the top of the repository.
"""

from __future__ import annotations

import os

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def data_dir(name: str) -> str:
    """Absolute path of the shipped folder `name` ("phrasebooks" or "templates")."""
    for candidate in (os.path.join(_PACKAGE, name), os.path.join(os.path.dirname(_PACKAGE), name)):
        if os.path.isdir(candidate):
            return candidate
    raise FileNotFoundError(
        f"polite cannot find its {name}/ folder next to {_PACKAGE}; "
        "the installation is incomplete, reinstall polite-outreach"
    )

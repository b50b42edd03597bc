"""Where a project lives: a SQLite file's path, or a PostgreSQL server's URL (psycopg is imported
only when a server is used, so commands on files start as fast as before)."""

from __future__ import annotations

import re
from pathlib import Path

URL_PREFIXES = ("postgresql://", "postgres://")
Location = Path | str  # a project file, or a postgresql:// URL


def is_url(location: object) -> bool:
    """Whether a `--db` value names a PostgreSQL server rather than a file."""
    return isinstance(location, str) and location.startswith(URL_PREFIXES)


def redacted(url: str) -> str:
    """The URL without a password, for messages (the project never stores or prints one)."""
    hidden = re.sub(r"^(\w+://[^:/@]*):[^@/]*@", r"\1:***@", url)
    return re.sub(r"([?&]password=)[^&]*", r"\1***", hidden)


def display_name(location: Location) -> str:
    """A project as a window title names it: the file's name, or the URL without its password."""
    return location.name if isinstance(location, Path) else redacted(location)

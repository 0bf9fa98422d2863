"""What the serving benchmarks share: a throwaway database, collected static files, a clean
stop on a signal, and a word on how the generated posts compare with the reference article.

The database is a SQLite file in a temporary folder, unless DATABASE_URL names a PostgreSQL
server: then the bench makes a database of its own name on that server, empty, and drops it
afterwards. The database DATABASE_URL itself names is not touched (unless it is that one).
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "transatlantic-strategic-security.md"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def unwind_on_signals():
    """Ctrl-C, SIGTERM and SIGHUP unwind the bench (servers stopped, database dropped, files
    removed), also where the shell that started it ignores interrupts; a second signal does not
    cut that short."""

    def unwind(signum, frame):
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        raise KeyboardInterrupt if signum == signal.SIGINT else SystemExit(128 + signum)

    for number in STOP_SIGNALS:
        signal.signal(number, unwind)


@contextlib.contextmanager
def scratch_database(name: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database called `name`, gone again on the way out."""
    server = os.environ.get("DATABASE_URL")
    if not server:
        yield f"sqlite:///{folder / name}.sqlite3"
        return
    parts = urlsplit(server)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise SystemExit(f"DATABASE_URL: only PostgreSQL URLs are supported, not {parts.scheme}")
    _postgres(parts, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
    _postgres(parts, "CREATE DATABASE {}", name)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        _postgres(parts, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def _postgres(parts, statement: str, name: str):
    """One statement about database `name`, run from the server's maintenance database."""
    import psycopg
    from psycopg import sql

    conninfo = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(name)))


def collect_static(static_root: Path):
    """Static files collected where DJANGO_STATIC_ROOT points: pages with DEBUG off name the
    hashed files of the manifest, and fail without one."""
    env = {**os.environ, "DJANGO_STATIC_ROOT": str(static_root)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=REPO,
        env=env,
        check=True,
    )


def body_of(document: str) -> str:
    """A Markdown file's text below its front matter."""
    parts = re.split(r"^---[ \t]*$", document, maxsplit=2, flags=re.M)
    return parts[2].lstrip("\n") if document.startswith("---") and len(parts) == 3 else document


def shape(body: str) -> str:
    """Size and structure of a post's Markdown, to compare generated posts with the reference."""
    sections = len(re.findall(r"^### ", body, flags=re.M))
    paragraphs = len([block for block in re.split(r"\n\s*\n", body) if block.strip()])
    return f"{len(body.encode()) / 1024:.1f} KB, {sections} ### sections, {paragraphs} blocks"


def compare_with_seed(body: str) -> str:
    """One line: a generated body's shape beside the reference article's."""
    if not SEED.is_file():
        return f"generated post: {shape(body)} (reference article not found)"
    seed = body_of(SEED.read_text(encoding="utf-8"))
    return f"generated post: {shape(body)}; reference article: {shape(seed)}"

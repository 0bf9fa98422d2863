"""Import speed and memory: generated posts of the reference article's size through import_posts.

Each size runs in its own process on a fresh database, so peak memory is that import's alone;
memory that does not grow with the number of posts shows as the same peak at every size.

Run: .venv/bin/python bench/import_speed.py [SIZES...]      (default: 1000 10000)
     DATABASE_URL=postgres://... to measure on PostgreSQL (the database is emptied first).
"""

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORDS = (
    "alliance", "deterrence", "budget", "treaty", "summit", "border", "trade", "energy",
    "security", "cooperation", "policy", "strategy", "defence", "ministers", "council", "reform",
    "capacity", "resilience", "ports", "shipping", "tariffs", "markets", "climate", "water",
    "industry", "research", "analysis", "region", "partners", "commitment", "forces",
    "institutions", "negotiation", "framework", "sanctions", "supply", "chains", "investment",
    "governance",
)  # fmt: skip
AUTHORS = [f"Analyst {letter}" for letter in "ABCDEFGHIJKLMNOPQRST"]
TAGS = ["nato", "trade", "energy", "arctic", "climate", "eu", "asia", "water", "cyber", "food"]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(12, 24)) for _ in range(5))


def post(rng: random.Random, number: int) -> str:
    """About 11 KB, shaped like the reference article: italic lead, marker, ### sections, bio."""
    day = 1 + number % 28
    sections = []
    for section in range(4):
        sections.append(f"### Section {section + 1}: {sentence(rng, 4)[:-1]}")
        sections += [paragraph(rng) for _ in range(3)]
    tags = ", ".join(rng.sample(TAGS, 3))
    return (
        "---\n"
        f"layout: post\ntitle: {sentence(rng, 5)[:-1]} {number}\n"
        f"author: {rng.choice(AUTHORS)}\n"
        f"date: 2025-{1 + number % 12:02}-{day:02} 12:00:00 +0800\n"
        f"image: https://images.example.org/{number}.jpeg\n"
        f"description: {sentence(rng, 10)}\ntags: [{tags}]\n"
        "excerpt_separator: <excerpt/>\n---\n\n"
        f"_{paragraph(rng)}_\n\n<excerpt/>\n\n" + "\n\n".join(sections) + "\n\n---\n\n"
        f"**{rng.choice(AUTHORS)}** {sentence(rng, 20)}\n"
    )


def generate(folder: Path, count: int) -> int:
    rng = random.Random(count)
    size = 0
    for number in range(count):
        text = post(rng, number)
        size += len(text.encode())
        (folder / f"2025-01-01-generated-post-{number:05}.md").write_text(text, encoding="utf-8")
    return size


def measure(count: int):
    """In this process: generate, migrate, import, print one result line."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
        sys.path.insert(0, str(REPO))
        django.setup()
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        folder = Path(scratch) / "posts"
        folder.mkdir()
        size = generate(folder, count)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command("import_posts", str(folder), stdout=quiet, stderr=quiet)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{count:>7,} posts ({size / count / 1024:.1f} KB each): {seconds:7.1f} s, "
        f"{count / seconds:6.0f} posts/s, peak RSS {peak / 1024:6.1f} MB "
        f"({(peak - before) / 1024:+.1f} MB during the import)",
        flush=True,
    )


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        measure(int(sys.argv[2]))
        return
    sizes = [int(size) for size in sys.argv[1:]] or [1000, 10000]
    print(f"import_posts on {os.cpu_count()} CPUs, {os.environ.get('DATABASE_URL', 'SQLite')}")
    for count in sizes:
        subprocess.run([sys.executable, __file__, "--one", str(count)], check=True)


if __name__ == "__main__":
    main()

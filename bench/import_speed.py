"""Import speed and memory: generated posts of the reference article's size through import_posts,
against `jekyll build` of the same files.

The posts are written once, as a minimal Jekyll site (a `_config.yml` and `_posts/`, kramdown, no
theme or plugins); import_posts reads that site and Jekyll builds it, each timed from a cold start
(a new database, no Jekyll cache). Every post must come out of Jekyll as a page with its headings
rendered, or the comparison is refused. The target is an import at least twice as fast as the
build. A second build, from Jekyll's cache of converted Markdown, is timed too.

Each size runs in its own process on a fresh database, so peak memory is that import's alone;
memory that does not grow with the number of posts shows as the same peak at every size.

Run: .venv/bin/python bench/import_speed.py [SIZES...]      (default: 1000 10000)
     DATABASE_URL=postgres://... to measure on PostgreSQL (the database is emptied first).
     Jekyll is Debian's package (apt-get install -y jekyll); without it the import is timed alone.
"""

import os
import random
import resource
import shutil
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
# How much faster than `jekyll build` the import must be.
TARGET = 2.0
# Jekyll 4's defaults spelled out; `future` so that no generated date is held back.
JEKYLL_CONFIG = "markdown: kramdown\nfuture: true\n"


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


def site(folder: Path, count: int) -> int:
    """A minimal Jekyll site of `count` generated posts; gives their total size in bytes."""
    (folder / "_posts").mkdir(parents=True)
    (folder / "_config.yml").write_text(JEKYLL_CONFIG, encoding="utf-8")
    return generate(folder / "_posts", count)


def jekyll_build(folder: Path, output: Path, count: int) -> tuple[float, float]:
    """Wall and CPU seconds of `jekyll build`, once every post is checked to be a rendered page."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # Jekyll warns of each post's missing `post` layout: the page is the post's HTML alone.
    subprocess.run(
        ["jekyll", "build", "--source", str(folder), "--destination", str(output)],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    pages = list(output.rglob("*.html"))
    unrendered = [page for page in pages if "<h3 id=" not in page.read_text(encoding="utf-8")]
    if len(pages) != count or unrendered:
        sys.exit(f"jekyll build made {len(pages)} pages of {count} posts, {len(unrendered)} raw")
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def measure(count: int):
    """In this process: generate, migrate, import, build with Jekyll, print the results."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
        # A page cache of its own, as a new site has: not the one a running server may share.
        os.environ.setdefault("QUIRE_PAGE_CACHE_DIR", f"{scratch}/cache")
        sys.path.insert(0, str(REPO))
        django.setup()
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        folder = Path(scratch) / "site"
        size = site(folder, count)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
        start, cpu = time.perf_counter(), time.process_time()
        with open(os.devnull, "w") as quiet:
            call_command("import_posts", str(folder), stdout=quiet, stderr=quiet)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # The processes that rendered Markdown, if the import started any (none before it).
        rendered = resource.getrusage(resource.RUSAGE_CHILDREN)
        rendering_cpu = rendered.ru_utime + rendered.ru_stime - helpers.ru_utime - helpers.ru_stime
        print(
            f"{count:>7,} posts ({size / count / 1024:.1f} KB each): import {seconds:7.1f} s "
            f"({cpu:.1f} s CPU here, {rendering_cpu:.1f} s rendering elsewhere), "
            f"{count / seconds:6.0f} posts/s, peak RSS {peak / 1024:6.1f} MB "
            f"({(peak - before) / 1024:+.1f} MB during the import; rendering process "
            f"{rendered.ru_maxrss / 1024:.1f} MB)",
            flush=True,
        )
        if shutil.which("jekyll") is None:
            print("        jekyll is not installed (apt-get install -y jekyll): no comparison")
            return
        output = Path(scratch) / "_site"
        for build in ("first", "cached"):
            built, built_cpu = jekyll_build(folder, output, count)
            print(
                f"        jekyll build ({build}) {built:7.1f} s ({built_cpu:.1f} s CPU): "
                f"import {built / seconds:4.2f}x as fast, target {TARGET:.0f}x "
                f"({'met' if built / seconds >= TARGET else 'NOT met'})",
                flush=True,
            )


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        measure(int(sys.argv[2]))
        return
    sizes = [int(size) for size in sys.argv[1:]] or [1000, 10000]
    print(f"import_posts on {os.cpu_count()} CPUs, {os.environ.get('DATABASE_URL', 'SQLite')}")
    if shutil.which("jekyll"):
        version = subprocess.run(["jekyll", "--version"], capture_output=True, text=True)
        print(f"against {version.stdout.strip()}: the import must be {TARGET:.0f}x as fast")
    for count in sizes:
        subprocess.run([sys.executable, __file__, "--one", str(count)], check=True)


if __name__ == "__main__":
    main()

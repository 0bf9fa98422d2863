"""Milliseconds per public page as the archive grows, by default from 1,000 to 100,000 posts.

Each size runs in its own process on a fresh database, filled fast but honestly as
bench/archive.py describes (bodies rendered by the model's own method, rows bulk-created), with
its search index rebuilt and, on PostgreSQL, its tables analysed, as autovacuum soon would.

Every public page is then requested in-process through Django's test client, DEBUG off and the
page cache off (QUIRE_PAGE_CACHE_SECONDS=0): after a warm-up, the median of N timed runs (7 by
default, taken in rounds over all pages), and the page's number of queries. Target: every page
at the largest size within 2× its time at the smallest, and search within 50 ms at 100,000
posts. Those runs find what pages remember (pagecache.store.remembered: a listing's count and
post ids, the sitemap's summary) already kept; a second table gives each page's first request
with nothing remembered, the page cache emptied just before it: what the first reader after a
change waits.

Run: .venv/bin/python bench/scale.py [SIZES...] [--runs N]      (default: 1000 10000 100000)
     DATABASE_URL=postgres://USER@HOST:PORT/DB measures on PostgreSQL: each size gets a fresh
     database, quire_scale, on that server, dropped afterwards.
"""

import argparse
import json
import math
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import archive
import import_speed
from archive import COMMON_WORD, RARE_WORD
from scratch import (
    POSTGRES_SCHEMES,
    REPO,
    collect_static,
    compare_with_seed,
    scratch_database,
    unwind_on_signals,
)

TARGET_RATIO = 2.0
SEARCH_TARGET_MS = 50
SEARCH_TARGET_SIZE = 100_000
SITEMAP_TOTAL = "sitemap, with its parts"


class BenchError(RuntimeError):
    pass


# One size, in its own process


def configure(database_url: str, folder: Path):
    """Quire's settings as production reads them, before Django starts: DEBUG off, no page cache,
    the test client's host allowed (which asks for a real secret key)."""
    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="cms.settings",
        DATABASE_URL=database_url,
        DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        QUIRE_PAGE_CACHE_SECONDS="0",
        QUIRE_PAGE_CACHE_DIR=str(folder / "page-cache"),
    )
    sys.path.insert(0, str(REPO))


def page_paths() -> dict[str, str]:
    """Every kind of public page, on the data this size holds."""
    from django.conf import settings
    from django.urls import reverse
    from taggit.models import Tag

    from posts.models import Author, Post, Section

    public = Post.objects.published()
    total = public.count()
    last_page = max(1, math.ceil(total / settings.QUIRE_POSTS_PER_PAGE))
    middle = public.order_by("-published_at")[total // 2]
    tag = Tag.objects.get(name=import_speed.TAGS[0])
    author = Author.objects.order_by("slug").first()
    section = Section.objects.order_by("slug").first()
    return {
        "home": reverse("posts:home"),
        "home, last page": f"{reverse('posts:home')}?page={last_page}",
        "tag": reverse("posts:tag", kwargs={"slug": tag.slug}),
        "author": reverse("posts:author", kwargs={"slug": author.slug}),
        "section": reverse("posts:section", kwargs={"slug": section.slug}),
        "year archive": reverse(
            "posts:archive_year", kwargs={"year": public.first().published_at.year}
        ),
        "article": middle.get_absolute_url(),
        "atom feed": reverse("posts:feed"),
        "tag feed": reverse("posts:tag_feed", kwargs={"slug": tag.slug}),
        "sitemap": reverse("posts:sitemap"),
        "search, common word": f"{reverse('search:search')}?q={COMMON_WORD}",
        "search, rare word": f"{reverse('search:search')}?q={RARE_WORD}",
    }


def first_look(client, path: str) -> tuple[str, int]:
    """A warm-up request, then one more for its queries; the page's text and query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    if response.status_code != 200:
        raise BenchError(f"{path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    # Counted now: the context reads the connection's log, which the next request empties.
    return response.content.decode(), len(captured.captured_queries)


def first_request(client, path: str) -> dict:
    """One request with the page cache (and so everything remembered) emptied just before it;
    the database's own caches stay as the warm-up left them."""
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    caches[settings.QUIRE_PAGE_CACHE].clear()
    with CaptureQueriesContext(connection) as captured:
        ms = elapsed_ms(client, path)
    return {"ms": ms, "queries": len(captured.captured_queries)}


def elapsed_ms(client, path: str) -> float:
    start = time.perf_counter()
    client.get(path)
    return (time.perf_counter() - start) * 1000


def sitemap_parts(index: str) -> list[str]:
    """The paths a sitemap index links to; none when the sitemap is a plain one."""
    if "<sitemapindex" not in index:
        return []
    return [
        urlsplit(loc)._replace(scheme="", netloc="").geturl()
        for loc in re.findall(r"<loc>([^<]+)</loc>", index)
    ]


def with_sitemap_total(pages: dict) -> dict:
    """`pages` with a row adding up the sitemap index and its parts."""
    sitemap = [name for name in pages if name.startswith("sitemap")]
    total = {key: sum(pages[name][key] for name in sitemap) for key in ("ms", "queries")}
    return {**pages, SITEMAP_TOTAL: total}


def time_pages(runs: int) -> tuple[dict, dict, dict]:
    """Every page's median time and queries, its first request's, and what the sitemap and
    search found, to check against the data. The runs go round all pages in turn, so that a
    moment of load elsewhere on the machine falls on one run of many pages, not on many runs of
    one."""
    from django.test import Client

    client = Client()
    paths = page_paths()
    texts, queries = {}, {}
    for name, path in paths.items():
        texts[name], queries[name] = first_look(client, path)
    for path in sitemap_parts(texts["sitemap"]):
        name = f"sitemap: {path.lstrip('/')}"
        paths[name] = path
        texts[name], queries[name] = first_look(client, path)
    first = {name: first_request(client, path) for name, path in paths.items()}
    times = {name: [] for name in paths}
    for _ in range(runs):
        for name, path in paths.items():
            times[name].append(elapsed_ms(client, path))
    pages = {
        name: {"ms": statistics.median(times[name]), "queries": queries[name]} for name in paths
    }
    return with_sitemap_total(pages), with_sitemap_total(first), found_in(texts)


def found_in(texts: dict[str, str]) -> dict:
    """How many URLs the sitemap lists, and what each search says it found."""
    found = {"sitemap URLs": sum(texts[name].count("<url>") for name in texts if "sitemap" in name)}
    for word in ("common", "rare"):
        count = re.search(r'class="search-count"[^>]*>([^<]*)<', texts[f"search, {word} word"])
        found[f"{word} word results"] = " ".join(count[1].split()) if count else "no count shown"
    return found


def expected_counts() -> dict:
    from posts.models import Author, Post

    public = Post.objects.published()
    return {
        "public posts": public.count(),
        "tags and authors with public posts": (
            public.filter(tags__isnull=False).values("tags").distinct().count()
            + Author.objects.filter(posts__in=public).distinct().count()
        ),
    }


def measure(size: int, runs: int, output: Path):
    """In this process: a fresh database of `size` posts, every page timed, figures to `output`."""
    with (
        tempfile.TemporaryDirectory(prefix="quire-scale-") as folder,
        scratch_database("quire_scale", Path(folder)) as database_url,
    ):
        configure(database_url, Path(folder))
        import django
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        call_command("migrate", verbosity=0)
        summary, body = archive.build(size)
        print(f"{summary}; {compare_with_seed(body)}", flush=True)
        pages, first, found = time_pages(runs)
        result = {
            "size": size,
            "pages": pages,
            "first": first,
            "found": found,
            "expected": expected_counts(),
        }
        connections.close_all()
    output.write_text(json.dumps(result), encoding="utf-8")


# The whole run


def run_child(command: list[str]):
    """One size's process; if this one is stopped, that one is told to stop and clean up (its
    database, its files) before this one goes."""
    child = subprocess.Popen(command)
    try:
        if child.wait() != 0:
            raise BenchError(
                f"the run of {command[3]} posts failed (exit status {child.returncode})"
            )
    except BaseException:
        child.terminate()
        child.wait()
        raise


def run_sizes(sizes: list[int], runs: int) -> list[dict]:
    """Each size in a child process of its own: fresh settings, fresh database, its own memory."""
    results = []
    with tempfile.TemporaryDirectory(prefix="quire-scale-run-") as folder:
        os.environ["DJANGO_STATIC_ROOT"] = str(Path(folder) / "static")
        collect_static(Path(folder) / "static")
        for size in sizes:
            output = Path(folder) / f"{size}.json"
            command = [sys.executable, __file__, "--one", str(size), "--runs", str(runs)]
            run_child([*command, "--output", str(output)])
            results.append(json.loads(output.read_text(encoding="utf-8")))
    return results


def verdict(name: str, ratio: float | None, largest: dict, size: int) -> str:
    if ratio is None:
        return ""
    checks = [f"≤ {TARGET_RATIO:g}× {'ok' if ratio <= TARGET_RATIO else 'MISSED'}"]
    if name.startswith("search") and size >= SEARCH_TARGET_SIZE:
        ok = largest["ms"] <= SEARCH_TARGET_MS
        checks.append(f"≤ {SEARCH_TARGET_MS} ms {'ok' if ok else 'MISSED'}")
    return ", ".join(checks)


def table_row(name: str, results: list[dict], width: int, kind: str) -> str:
    """A page's time (and queries) at each size, the largest size's ratio to the smallest's;
    `kind` is "pages" (the timed runs, judged against the targets) or "first"."""
    cells = []
    for result in results:
        page = result[kind].get(name)
        cells.append(f"{page['ms']:9.1f} ({page['queries']:>2})" if page else f"{'—':>15}")
    small, large = results[0][kind].get(name), results[-1][kind].get(name)
    ratio = large["ms"] / small["ms"] if small and large and len(results) > 1 else None
    shown = f"{ratio:9.2f}×" if ratio else " " * 10
    judged = verdict(name, ratio, large, results[-1]["size"]) if kind == "pages" else ""
    return f"{name:{width}}{''.join(cells)}{shown}  {judged}"


def data_check(result: dict) -> str:
    """Whether the sitemap lists every public page and search finds what it should."""
    found, expected = result["found"], result["expected"]
    listed = expected["public posts"] + expected["tags and authors with public posts"]
    return (
        f"{result['size']:>7,} posts: the sitemap lists {found['sitemap URLs']:,} URLs of "
        f"{listed:,} public pages; search says {found['common word results']!r} (every post "
        f"has {COMMON_WORD!r}) and {found['rare word results']!r} (one post has {RARE_WORD!r})"
    )


def short(size: int) -> str:
    return f"{size / 1000:g}k" if size >= 1000 else str(size)


def report(results: list[dict], runs: int):
    scheme = urlsplit(os.environ.get("DATABASE_URL", "")).scheme
    database = "PostgreSQL" if scheme in POSTGRES_SCHEMES else "SQLite"
    titles = {
        "pages": f"ms per page (queries): median of {runs} runs after a warm-up, page cache off, "
        f"DEBUG off, {database}, {os.cpu_count()} CPUs",
        "first": "ms of a page's first request (queries), with nothing remembered: the page "
        "cache emptied before each",
    }
    names = list(dict.fromkeys(name for result in results for name in result["pages"]))
    names.sort(key=lambda name: name == SITEMAP_TOTAL)  # last, after every size's parts
    width = max(map(len, names)) + 2
    sizes = "".join(f"{result['size']:>15,}" for result in results)
    ratio = f"{short(results[-1]['size'])}/{short(results[0]['size'])}"
    for kind, title in titles.items():
        print(f"\n{title}")
        print(f"{'page':{width}}{sizes}{ratio:>10}  {'target' if kind == 'pages' else ''}")
        for name in names:
            print(table_row(name, results, width, kind))
    for result in results:
        print(data_check(result))


def main():
    unwind_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=7, help="timed requests per page")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        measure(args.one, args.runs, args.output)
        return
    report(run_sizes(args.sizes, args.runs), args.runs)


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"scale.py: {error}")
    except KeyboardInterrupt:
        sys.exit("scale.py: interrupted")

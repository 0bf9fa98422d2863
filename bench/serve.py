"""Serving speed: Quire under gunicorn against a bare Django view that renders the same page.

A scratch database gets generated posts of the reference article's size and shape, with authors,
tags and sections, bulk-created as bench/archive.py describes, and its search index. Three
gunicorns with 3 sync workers each serve it: Quire with the page cache off
(QUIRE_PAGE_CACHE_SECONDS=0), Quire with it on (the variable unset: the default), and bench/bare,
a Django project with no database and no apps whose one view renders, from a template, the
article page Quire served. wrk loads them in interleaved rounds (the bare view, then a Quire page
uncached, then cached), so that a busy machine disturbs every case alike; each ratio to the bare
view is taken within its round, and the table shows the median of the rounds. Last, the resident
memory of every gunicorn worker, read from /proc.

Run: .venv/bin/python bench/serve.py [--rounds N --duration S --connections C --posts P]
                                     [--worker-class sync|gthread]
     DATABASE_URL=postgres://USER@HOST:PORT/DB serves from PostgreSQL: the bench makes its own
     database, quire_bench, on that server, empties it first and drops it at the end.
     REDIS_URL, if set, is passed on to Quire. wrk is installed with apt-get when missing.
"""

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import archive
from scratch import REPO, collect_static, compare_with_seed, scratch_database, unwind_on_signals

BENCH = Path(__file__).resolve().parent
MODES = ("uncached", "cached")
# The lowest acceptable ratio to the bare view, by page and mode.
TARGETS = {
    ("article", "uncached"): 0.5,
    ("home", "uncached"): 0.4,
    ("tag", "uncached"): 0.4,
    ("article", "cached"): 1.5,
    ("home", "cached"): 1.5,
}
RSS_TARGET_MB = 60
STARTUP_SECONDS = 60


class BenchError(RuntimeError):
    pass


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log_tail(self, lines: int = 20) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of wrk per URL first")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument(
        "--worker-class",
        default="sync",
        help="gunicorn's worker class for all three servers: sync (one request per connection) "
        "or gthread (keeps connections alive)",
    )
    parser.add_argument("--posts", type=int, default=1000)
    return parser.parse_args()


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("wrk is missing: installing it from Debian", flush=True)
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(install, check=True)


# The data


def seed(database_url: str, folder: Path, count: int) -> dict[str, str]:
    """Migrate the scratch database and fill it with `count` generated posts (bench/archive.py);
    return the path of each page to load."""
    import django
    from django.core.management import call_command
    from django.db import connections

    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings"
    os.environ["QUIRE_PAGE_CACHE_DIR"] = str(folder / "page-cache-seed")
    sys.path.insert(0, str(REPO))
    django.setup()
    call_command("migrate", verbosity=0)
    summary, body = archive.build(count)
    print(f"{summary}; {compare_with_seed(body)}", flush=True)
    paths = page_paths()
    print_cache_setting()
    connections.close_all()
    return paths


def page_paths() -> dict[str, str]:
    """The newest article, the home page, the newest article's first tag, the Atom feed, and
    robots.txt: Quire's request stack (middleware, URL resolving, caching headers) with no query
    and no template, the least any uncached page costs."""
    from django.urls import reverse

    from posts.models import Post

    newest = Post.objects.published().first()
    tag = newest.tags.order_by("name").first()
    return {
        "article": newest.get_absolute_url(),
        "home": reverse("posts:home"),
        "tag": reverse("posts:tag", kwargs={"slug": tag.slug}),
        "feed": reverse("posts:feed"),
        "robots": reverse("posts:robots"),
    }


def print_cache_setting():
    from django.conf import settings

    if not hasattr(settings, "QUIRE_PAGE_CACHE_SECONDS"):
        print(
            "note: cms.settings has no QUIRE_PAGE_CACHE_SECONDS, so the 'cached' server "
            "caches nothing either",
            flush=True,
        )


# The servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def base_env() -> dict[str, str]:
    """This process's environment without any Django, Quire or database setting."""
    prefixes = ("DJANGO_", "QUIRE_", "DATABASE_", "BARE_")
    return {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}


def quire_env(database_url: str, folder: Path, mode: str, secret: str, cache_seconds: str | None):
    """Quire's production settings, on the scratch database, with its files in `folder`."""
    env = base_env()
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECRET_KEY=secret,
        DATABASE_URL=database_url,
        DJANGO_STATIC_ROOT=str(folder / "static"),
        # Without Redis the page cache is a folder: this server's own, not the checkout's.
        QUIRE_PAGE_CACHE_DIR=str(folder / f"page-cache-{mode}"),
    )
    if cache_seconds is not None:
        env["QUIRE_PAGE_CACHE_SECONDS"] = cache_seconds
    return env


def bare_env(page_file: Path, secret: str):
    env = base_env()
    env.update(
        DJANGO_SETTINGS_MODULE="bare.settings",
        DJANGO_SECRET_KEY=secret,
        BARE_PAGE_FILE=str(page_file),
    )
    return env


@contextlib.contextmanager
def gunicorn(name: str, app: str, chdir: Path, env: dict, args, logs: Path):
    """A gunicorn in a session of its own (Ctrl-C reaches this process only), up until the
    block ends, however it ends."""
    port = free_port()
    log = logs / f"{name}.log"
    command = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers)]
    command += ["--worker-class", args.worker_class]
    command += ["--bind", f"127.0.0.1:{port}", "--chdir", str(chdir), app]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(name, port, process, log)
    try:
        wait_until_up(server)
        yield server
    finally:
        stop(process)


def wait_until_up(server: Server):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name} exited on start:\n{server.log_tail()}")
        with contextlib.suppress(OSError):
            fetch(server.url("/"))
            return
        time.sleep(0.2)
    raise BenchError(f"{server.name} did not answer in {STARTUP_SECONDS} s:\n{server.log_tail()}")


def stop(process: subprocess.Popen):
    """The server's process group, gracefully, then by force."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def cache_states(server: Server, paths: dict[str, str]) -> str:
    """What the page cache says it did for each page (its X-Page-Cache header), if it says."""
    states = []
    for page, path in paths.items():
        with urllib.request.urlopen(server.url(path), timeout=30) as response:
            states.append(f"{page} {response.headers.get('X-Page-Cache', 'no header')}")
    return f"{server.name} X-Page-Cache after the warm-up: " + ", ".join(states)


def serve_page_to_bare(quire: Server, path: str, page_file: Path):
    """The page the bare view will render: Quire's own, fetched once."""
    page_file.write_bytes(fetch(quire.url(path)))


def check_same_page(bare: Server, page_file: Path):
    served = fetch(bare.url("/"))
    expected = page_file.read_bytes()
    if served != expected:
        raise BenchError(
            f"the bare view serves {len(served):,} bytes, not Quire's {len(expected):,}"
        )
    print(f"bare view renders the article page Quire served: {len(served):,} bytes", flush=True)


# The load


def wrk(server: Server, path: str, seconds: int, args) -> float:
    """Requests per second; a run with failed responses is an error, not a figure."""
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s"]
    result = subprocess.run([*command, server.url(path)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"wrk failed on {server.name} {path}: {result.stderr.strip()}")
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", result.stdout)
    if failed:
        raise BenchError(
            f"{server.name} {path}: {failed[1]} responses not 2xx/3xx\n{server.log_tail()}"
        )
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", result.stdout)
    if timeouts and int(timeouts[1]):
        print(f"  warning: {timeouts[1]} timeouts on {server.name} {path}", flush=True)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)[1])


def warm_up(servers: dict[str, Server], paths: dict[str, str], args):
    """Every worker has imported its code and, cached, stored each page once."""
    wrk(servers["bare"], "/", args.warmup, args)
    for mode in MODES:
        for path in paths.values():
            wrk(servers[mode], path, args.warmup, args)


def run_rounds(servers: dict[str, Server], paths: dict[str, str], args):
    """Requests per second of every run, and each Quire run's ratio to the bare run before it."""
    bare_rates, rates, ratios = [], defaultdict(list), defaultdict(list)
    for number in range(1, args.rounds + 1):
        for page, path in paths.items():
            bare = wrk(servers["bare"], "/", args.duration, args)
            bare_rates.append(bare)
            line = [f"round {number}/{args.rounds} {page:8} bare {bare:7.0f}"]
            for mode in MODES:
                rate = wrk(servers[mode], path, args.duration, args)
                rates[page, mode].append(rate)
                ratios[page, mode].append(rate / bare)
                line.append(f"{mode} {rate:7.0f}")
            print(", ".join(line) + " req/s", flush=True)
    return bare_rates, rates, ratios


def worker_rss_mb(master_pid: int) -> list[float]:
    """VmRSS of each child of a gunicorn master, in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sizes


# The report


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "ok" if ok else "MISSED"


def report(bare_rates, rates, ratios, rss: dict[str, list[float]], database_url: str, args):
    database = "SQLite" if database_url.startswith("sqlite") else "PostgreSQL"
    print(
        f"\n{args.posts:,} posts, {database}; gunicorn {args.workers} {args.worker_class} workers "
        f"each; wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
        f"{args.rounds} rounds, {os.cpu_count()} CPUs; medians of the rounds"
    )
    print(f"{'case':20} {'req/s':>8} {'× bare':>7} {'(range)':>13}  target")
    print(f"{'bare Django view':20} {statistics.median(bare_rates):8.0f}")
    for page, mode in rates:
        rate = statistics.median(rates[page, mode])
        ratio = statistics.median(ratios[page, mode])
        spread = f"({min(ratios[page, mode]):.2f}–{max(ratios[page, mode]):.2f})"
        target = TARGETS.get((page, mode))
        goal = f"≥ {target}×  {verdict(ratio, target)}" if target else ""
        print(f"{page + ', ' + mode:20} {rate:8.0f} {ratio:7.2f} {spread:>13}  {goal}")
    print("\nRSS per worker after the runs (max of each server's workers):")
    for name, sizes in rss.items():
        if not sizes:
            print(f"  {name:16} no workers found")
            continue
        goal = f"≤ {RSS_TARGET_MB} MB  {verdict(max(sizes), RSS_TARGET_MB, False)}"
        print(f"  {name:16} {max(sizes):6.1f} MB  {goal if name != 'bare' else ''}")


def start_servers(stack, database_url: str, folder: Path, article: str, args):
    """Quire uncached and cached, then the bare view with the article page Quire served."""
    secret = secrets.token_urlsafe(50)
    servers = {}
    for mode, cache_seconds in zip(MODES, ("0", None), strict=True):
        env = quire_env(database_url, folder, mode, secret, cache_seconds)
        server = gunicorn(f"quire-{mode}", "cms.wsgi:application", REPO, env, args, folder)
        servers[mode] = stack.enter_context(server)
    page_file = folder / "article.html"
    page_file.write_bytes(fetch(servers["uncached"].url(article)))
    env = bare_env(page_file, secret)
    server = gunicorn("bare", "bare.wsgi:application", BENCH, env, args, folder)
    servers["bare"] = stack.enter_context(server)
    check_same_page(servers["bare"], page_file)
    return servers


def main():
    args = parse_args()
    unwind_on_signals()
    ensure_wrk()
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="quire-serve-")))
        database_url = stack.enter_context(scratch_database("quire_bench", folder))
        paths = seed(database_url, folder, args.posts)
        collect_static(folder / "static")
        servers = start_servers(stack, database_url, folder, paths["article"], args)
        print("pages: " + ", ".join(f"{page} {path}" for page, path in paths.items()), flush=True)
        warm_up(servers, paths, args)
        for mode in MODES:
            print(cache_states(servers[mode], paths), flush=True)
        bare_rates, rates, ratios = run_rounds(servers, paths, args)
        rss = {f"quire {mode}": worker_rss_mb(servers[mode].process.pid) for mode in MODES}
        rss["bare"] = worker_rss_mb(servers["bare"].process.pid)
        report(bare_rates, rates, ratios, rss, database_url, args)


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"serve.py: {error}")
    except KeyboardInterrupt:
        sys.exit("serve.py: interrupted")

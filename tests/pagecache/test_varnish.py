"""Varnish (Debian's package) in front of Quire with pagecache/varnish.vcl: a publish purges
exactly the pages it touches, while every other page stays in Varnish."""

import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from posts.models import Post

VCL = Path(__file__).resolve().parents[2] / "pagecache" / "varnish.vcl"
VARNISHD = shutil.which("varnishd") or (
    "/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None
)

pytestmark = [
    pytest.mark.skipif(VARNISHD is None, reason="varnishd is not installed (.ci/run installs it)"),
    pytest.mark.django_db(transaction=True),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def varnish(live_server, tmp_path, settings):
    """varnishd with the shipped VCL, its backend pointed at the test server; Quire purges it."""
    backend_port = re.search(r":(\d+)$", live_server.url)[1]
    vcl = tmp_path / "quire.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000"', f'.port = "{backend_port}"'))
    port = free_port()
    process = subprocess.Popen(
        [VARNISHD, "-F", "-j", "none", "-n", str(tmp_path / "varnish"), "-f", str(vcl),
         "-a", f"127.0.0.1:{port}", "-s", "malloc,32m", "-p", "ban_lurker_sleep=0.01"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/robots.txt", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"varnishd did not start: {process.stderr.read().decode()}")
    settings.QUIRE_CACHE_PURGE_URLS = [url + "/"]
    yield url
    process.terminate()
    process.wait(timeout=10)


def fetch(url) -> tuple[str, str]:
    """What Varnish answered: HIT or MISS, and the page."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers["X-Cache"], response.read().decode()


def test_a_publish_purges_exactly_the_affected_pages(varnish, make_post):
    harbours = make_post("Harbours", slug="harbours", tags=["ports"])
    make_post("Deserts", slug="deserts", tags=["climate"])
    make_post("Glaciers", slug="glaciers", tags=["climate"])
    # Newest first: Harbours, Deserts, Glaciers; Deserts links Harbours as its next article.
    pages = [
        "/posts/harbours/",
        "/tags/ports/",
        "/posts/deserts/",
        "/posts/glaciers/",
        "/tags/climate/",
    ]
    for page in pages:
        fetch(varnish + page)
        assert fetch(varnish + page)[0] == "HIT", page

    harbours.title = "Harbours, reopened"
    harbours.save()

    for page in ["/posts/harbours/", "/tags/ports/", "/posts/deserts/"]:
        state, body = fetch(varnish + page)
        assert state == "MISS" and "Harbours, reopened" in body, page
    for page in ["/posts/glaciers/", "/tags/climate/"]:
        assert fetch(varnish + page)[0] == "HIT", page

    draft = make_post(
        "Lighthouses", slug="lighthouses", tags=["ports"], status=Post.Status.DRAFT,
        published_at=None,
    )  # fmt: skip
    assert fetch(varnish + "/tags/ports/")[0] == "HIT"  # a draft touches no public page
    draft.status = Post.Status.PUBLISHED
    draft.save()
    state, body = fetch(varnish + "/tags/ports/")
    assert state == "MISS" and "Lighthouses" in body
    assert fetch(varnish + "/tags/climate/")[0] == "HIT"


def test_editors_pass_through_and_a_purge_needs_keys(varnish, make_post):
    make_post("Harbours", slug="harbours")
    request = urllib.request.Request(
        varnish + "/posts/harbours/", headers={"Cookie": "sessionid=x"}
    )
    for _ in range(2):
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["X-Cache"] == "MISS"
    refused = urllib.request.Request(varnish + "/", method="PURGE")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(refused, timeout=10)
    assert error.value.code == 400

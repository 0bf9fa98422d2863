"""Hostile text in any post field reaches readers escaped or sanitised, on every page."""

from html.parser import HTMLParser

import pytest

from posts.models import Section

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
HANDLER = '"><img src=x onerror=alert(1)>'
PAYLOADS = [SCRIPT, HANDLER, "</title><svg onload=alert(1)>", "javascript:alert(1)//"]


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the page."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.fixture
def hostile_post(make_post, make_author):
    author = make_author(f"Eve {SCRIPT}", slug="eve", affiliation=HANDLER, bio=f"Bio {SCRIPT}")
    section = Section.objects.create(name=f"Sec {HANDLER}", slug="sec", description=SCRIPT)
    return make_post(
        f"Title {SCRIPT} {HANDLER}",
        slug="hostile",
        authors=[author],
        tags=[f"tag {SCRIPT}", "plain"],
        section=section,
        description=f"Desc {HANDLER} {SCRIPT}",
        body=f"Lead {SCRIPT}\n\n<excerpt/>\n\n<img src=x onerror=alert(1)> [x](javascript:x)",
        image_alt=HANDLER,
        image_caption=SCRIPT,
        external_image="/static/demo/a.jpg",
    )


@pytest.mark.parametrize(
    "url", ["/", "/posts/hostile/", "/tags/plain/", "/authors/eve/", "/sections/sec/"]
)
def test_no_page_prints_a_field_unescaped(client, hostile_post, url):
    page = client.get(url).content.decode()
    assert "Eve" in page or "Title" in page
    for tag, attrs in Elements(page).found:
        assert tag not in {"script", "svg", "iframe"}
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert not any((attrs.get(a) or "").startswith("javascript:") for a in ("href", "src"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

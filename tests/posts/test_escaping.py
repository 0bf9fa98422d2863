"""Hostile text in any post field reaches readers escaped or sanitised, on every page."""

import json
import re
from html.parser import HTMLParser

import pytest
from test_sanitise import PAYLOADS

from posts.models import Section

pytestmark = pytest.mark.django_db

NEVER_ON_A_PAGE = {"script", "svg", "math", "iframe", "object", "embed", "base", "form", "style"}
# The one kind of form a public page holds: the site's own search, which only reads.
SEARCH = {"role": "search", "action": "/search/", "method": "get"}
UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)
# Structured data, the one script a page may hold: never run, and inert while its text has no "<"
# (nothing in it can end the element). posts.article.json_ld() writes it so.
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the page, entities decoded."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def unsafe(page):
    problems = []
    for data in JSON_LD.findall(page):
        problems += ["< in JSON-LD"] if "<" in data else []
        json.loads(data)
    for tag, attrs in Elements(JSON_LD.sub("", page)).found:
        if (
            tag == "form"
            and attrs.keys() - {"class"} == SEARCH.keys()
            and SEARCH.items() <= attrs.items()
        ):
            continue
        if tag in NEVER_ON_A_PAGE or (tag == "meta" and "http-equiv" in attrs):
            problems.append(f"<{tag}>")
        problems += [f"{name} on <{tag}>" for name in attrs if name.startswith("on")]
        problems += [
            f"{name}={attrs[name]!r} on <{tag}>"
            for name in ("href", "src", "content")
            if UNSAFE_URL.match(attrs.get(name) or "")
        ]
    return problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_page_lets_a_payload_through(client, make_post, make_author, payload):
    author = make_author(f"Eve {payload}", slug="eve", affiliation=payload, bio=payload)
    section = Section.objects.create(name=f"Sec {payload}", slug="sec", description=payload)
    post = make_post(
        f"Title {payload}",
        slug="hostile",
        authors=[author],
        tags=[f"tag {payload}"[:100], "plain"],
        section=section,
        description=payload,
        body=f"Lead {payload}\n\n<excerpt/>\n\n{payload}",
        image_alt=payload,
        image_caption=payload,
        external_image="/static/demo/a.jpg",
    )
    pages = [
        "/",
        post.get_absolute_url(),
        "/tags/plain/",
        "/authors/eve/",
        "/sections/sec/",
        "/tags/",
        "/search/?q=Lead",
    ]
    assert unsafe('<img src="x" onerror="alert(1)">') == ["onerror on <img>"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        shown = "/tags/plain/" if url == "/tags/" else "/posts/hostile/"
        assert shown in response.content.decode(), url  # the post's own page or its tag
        assert unsafe(response.content.decode()) == [], url


def test_plain_text_fields_are_escaped_not_interpreted(client, make_post, make_author):
    script = "<script>alert(1)</script>"
    make_post(f"Title {script}", slug="t", authors=[make_author(script, slug="s")], tags=[script])
    for url in ("/", "/posts/t/", "/authors/s/"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(url).content.decode()

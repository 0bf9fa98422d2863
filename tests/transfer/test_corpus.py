"""Real Jekyll posts import with the values a faithful importer must produce.

The corpus sits beside the repository (in CI, and in the team's checkouts), with the expected
value of every field in expected.json.
"""

import json
import re

import pytest
from django.utils.text import slugify
from helpers import SHARED, needs_shared, run_command

from posts.markup import excerpt_source
from posts.models import Post
from transfer.frontmatter import parse

CORPUS = SHARED / "corpus" / "jekyll"
EXPECTED = json.loads((CORPUS / "expected.json").read_text()) if CORPUS.is_dir() else {}
FILES = sorted(EXPECTED.get("posts", {}))
# What must never reach a reader: Liquid tags and output, kramdown attribute lists.
RAW_SYNTAX = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{:[^}]*\}", re.DOTALL)
CODE = re.compile(r"<pre>.*?</pre>|<code>.*?</code>", re.DOTALL)

pytestmark = needs_shared()


def original_name(name: str) -> str:
    """Corpus files carry their site's tag in front of the name they had there."""
    return name.split("__", 1)[1]


def observed(name: str) -> dict:
    """The importer's reading of one corpus file, in expected.json's terms."""
    post = parse(CORPUS / original_name(name), (CORPUS / name).read_bytes().decode())
    return {
        "title": post.title,
        "date": post.written_date.isoformat() if post.written_date else None,
        "slug": post.jekyll_slug,
        "tags": post.tags,
        "categories": post.categories,
        "authors": post.authors,
        "image": post.image_url or None,
        "published": not post.draft,
        "excerpt": excerpt_source(post.body, post.excerpt, post.excerpt_separator).strip(),
    }


def wanted(name: str) -> dict:
    """The expected values; where Quire's documented rule differs from Jekyll, Quire's."""
    entry = EXPECTED["posts"][name]
    return {field: entry.get("quire", {}).get(field, entry[field]) for field in observed_fields()}


def observed_fields():
    return (
        "title",
        "date",
        "slug",
        "tags",
        "categories",
        "authors",
        "image",
        "published",
        "excerpt",
    )


@pytest.mark.parametrize("name", FILES)
def test_every_field_matches_expected(name):
    assert observed(name) == wanted(name)


@pytest.fixture
def corpus(db, tmp_path):
    """The corpus imported as one folder, each file under its original name."""
    for name in FILES:
        (tmp_path / original_name(name)).write_bytes((CORPUS / name).read_bytes())
    return run_command("import_posts", tmp_path)


def test_the_whole_corpus_imports_with_urls_from_its_slugs(corpus):
    assert Post.objects.count() == len(FILES)
    slugs = set(Post.objects.values_list("slug", flat=True))
    assert slugs == {
        slugify(entry["slug"], allow_unicode=True) for entry in EXPECTED["posts"].values()
    }


def test_every_imported_post_renders_without_liquid_or_kramdown(corpus, client):
    # The pattern finds what the corpus holds before import, so finding none after means something.
    assert any(RAW_SYNTAX.search((CORPUS / name).read_text(encoding="utf-8")) for name in FILES)
    for post in Post.objects.all():
        for html in (post.body_html, post.excerpt_html):
            prose = CODE.sub("", html)
            assert not RAW_SYNTAX.search(prose), (post.source, RAW_SYNTAX.search(prose)[0])
        if post.status == Post.Status.PUBLISHED:
            assert client.get(post.get_absolute_url()).status_code == 200


def test_the_report_names_what_was_converted(corpus):
    assert "{% highlight ruby %} became a fenced code block" in corpus
    assert "could not be" in corpus or "removed" in corpus

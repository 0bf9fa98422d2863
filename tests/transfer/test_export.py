"""`manage.py export_posts`: every post back to Markdown, losslessly enough to come back again."""

import re

import pytest
from django.core.management.base import CommandError
from helpers import SHARED, run_command
from taggit.models import Tag
from test_jekyll_import import make_site

from posts.models import Author, Post, Redirect, Section

pytestmark = pytest.mark.django_db

CORPUS = SHARED / "corpus" / "jekyll"
WRITTEN_AT = re.compile(r'<updated>[^<]*</updated>|<lastmod>[^<]*</lastmod>|"dateModified":"[^"]*"')


def files(folder) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def pages(client) -> dict[str, str]:
    """Every public page a reader could reach, by URL."""
    urls = ["/", "/feed.xml", "/sitemap-posts.xml", "/sitemap-tags.xml", "/sitemap-authors.xml"]
    for post in Post.objects.published():
        urls.append(post.get_absolute_url())
        urls += [author.get_absolute_url() for author in post.authors.all()]
        urls += [f"/tags/{tag.slug}/" for tag in post.tags.all()]
        if post.section:
            urls.append(post.section.get_absolute_url())
    urls += [redirect.old_path for redirect in Redirect.objects.all()]
    return {url: page(client, url) for url in sorted(set(urls))}


def page(client, url: str) -> str:
    """The page as a reader gets it, less when it was last written (an import is a write)."""
    response = client.get(url)
    if response.status_code in (301, 302):
        return f"{response.status_code} {response['Location']}"
    text = WRITTEN_AT.sub("", response.content.decode())
    if url.startswith("/sitemap-"):
        # A sitemap file lists its pages in the order they were stored, which an import sets.
        text = "\n".join(sorted(re.findall(r"<url>.*?</url>", text, re.DOTALL)))
    return f"{response.status_code} {text}"


def stored() -> dict:
    return {
        post.slug: (
            post.title,
            post.description,
            post.body,
            post.body_format,
            post.body_html,
            post.excerpt_html,
            post.status,
            post.published_at,
            post.published_offset,
            post.image_url,
            post.image_alt,
            post.image_caption,
            post.canonical_url,
            post.front_matter,
            post.section.name if post.section else None,
            [(a.slug, a.name, a.credited_name, a.bio, a.links) for a in post.authors.all()],
            sorted(tag.name for tag in post.tags.all()),
            sorted(post.redirects.values_list("old_path", flat=True)),
        )
        for post in Post.objects.all()
    }


def empty_the_database():
    Redirect.objects.all().delete()
    Post.objects.all().delete()
    Author.objects.all().delete()
    Section.objects.all().delete()
    Tag.objects.all().delete()


@pytest.fixture
def content(tmp_path, make_post, make_author):
    """A Jekyll site (with a post in HTML, its author spelled its own way), posts written in
    Quire (one renamed since), and the corpus when present."""
    site = make_site(tmp_path / "site")
    (site / "_posts" / "2024-05-01-in-html.html").write_text(
        "---\ntitle: In HTML\nauthor: Mina\n---\n<p>Kept <em>as</em> HTML, {{ site.title }}.</p>\n"
    )
    run_command("import_posts", site)
    if CORPUS.is_dir():
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        for path in CORPUS.glob("*__*"):
            (corpus / path.name.split("__", 1)[1]).write_bytes(path.read_bytes())
        run_command("import_posts", corpus)
    section = Section.objects.create(name="Field Notes", slug="field-notes", description="Short.")
    writers = [
        make_author(
            "Ines Duarte", slug="ines-duarte", bio="Analyst.", links={"web": "https://d.example"}
        )
    ]
    writers.append(make_author("Tom Bakker", slug="tom-bakker", affiliation="Leiden University"))
    post = make_post(
        "Written here",
        slug="written-here",
        authors=writers,
        tags=["ports", "Red Sea"],
        section=section,
        description="A post that never saw Jekyll.",
        image_caption="Port of Rotterdam",
        external_image="/static/demo/ports.jpg",
        image_alt="Cranes",
        canonical_url="https://origin.example/written-here",
    )
    post = Post.objects.get(pk=post.pk)
    post.slug = "written-in-quire"
    post.save()
    make_post("A draft", status=Post.Status.DRAFT, published_at=None, body="Not yet {{ x }}.")


def test_export_writes_a_jekyll_site(content, tmp_path):
    out = tmp_path / "export"
    assert run_command("export_posts", out) == f"{Post.objects.count()} posts exported to {out}\n"
    exported = files(out)
    text = exported[
        "_field-notes/"
        + next(name.split("/")[1] for name in exported if name.startswith("_field-notes/"))
    ].decode()
    assert text.startswith("---\ntitle: Written here\ndate: ")
    assert "\nauthors:\n- ines-duarte\n- tom-bakker\n" in text
    assert "\ntags:\n- ports\n- Red Sea\n" in text
    assert (
        "\nimage:\n  path: /static/demo/ports.jpg\n  alt: Cranes\n  caption: Port of Rotterdam\n"
    ) in text
    assert "\npermalink: /posts/written-in-quire/\nredirect_from:\n- /posts/written-here/\n" in text
    assert text.split("\n---\n")[0].endswith("\ncanonical_url: https://origin.example/written-here")
    assert any(name.startswith("_drafts/") for name in exported)
    in_html = exported["_posts/2024-05-01-in-html.html"].decode()
    assert "\nauthor: Mina\n" in in_html
    assert in_html.endswith("\n---\n<p>Kept <em>as</em> HTML, The Dispatch.</p>\n")
    authors = exported["_data/authors.yml"].decode()
    assert (
        "ines-duarte:\n  name: Ines Duarte\n  bio: Analyst.\n  web: https://d.example\n" in authors
    )
    assert "field-notes:\n    output: true\n    title: Field Notes\n" in (
        exported["_config.yml"].decode()
    )


def test_an_export_imports_back_to_the_same_posts_and_pages_and_exports_the_same(
    content, tmp_path, client
):
    before_posts, before_pages = stored(), pages(client)
    # The site, two posts written in Quire, and (where it sits beside us) the 41-post corpus.
    assert len(before_posts) == 6 + 2 + (41 if CORPUS.is_dir() else 0)
    first = tmp_path / "first"
    run_command("export_posts", first)
    empty_the_database()
    report = run_command("import_posts", first)
    assert report.splitlines()[-1].startswith(f"{len(before_posts)} created, 0 updated")
    assert stored() == before_posts
    assert pages(client) == before_pages
    second = tmp_path / "second"
    run_command("export_posts", second)
    assert files(second) == files(first)


def test_export_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "old.md").write_text("x")
    with pytest.raises(CommandError, match="is not an empty folder"):
        run_command("export_posts", tmp_path)

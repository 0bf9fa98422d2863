"""Importing a whole Jekyll site: its config, data, drafts, collections and old URLs."""

from datetime import UTC, datetime

import pytest
from helpers import run_command

from posts.models import Author, Post, Redirect, Section

pytestmark = pytest.mark.django_db

CONFIG = """\
title: The Dispatch
url: https://dispatch.example.org
timezone: America/New_York
permalink: /blog/:year/:title/
excerpt_separator: <!--more-->
collections:
  columns:
    output: true
    permalink: /columns/:title/
  briefs:
    output: false
  authors:
    output: true
defaults:
  - scope: {path: "", type: posts}
    values: {author: mina, layout: post}
exclude: [drafts-old]
"""
AUTHORS = """\
mina:
  name: Mina Okafor
  bio: Writes the *Tuesday* column.
  web: https://mina.example.org
  twitter: minaokafor
"""


def make_site(root):
    files = {
        "_config.yml": CONFIG,
        "_data/authors.yml": AUTHORS,
        "_includes/aside.html": "<p>Read {{ include.what }} on {{ site.title }}.</p>\n",
        "_posts/2024/2024-03-01-first-light.md": (
            "---\ntitle: First light\ndate: 2024-03-01 09:30\ntags: [arctic, shipping]\n---\n"
            "Lead of the first.\n<!--more-->\nSee [the second]({% post_url 2024-03-02-second %})."
            '\n\n{% include aside.html what="more" %}\n'
        ),
        "news/_posts/2024-03-02-second.md": (
            "---\ntitle: Second\nauthor: guest writer\ncategories: Policy\n"
            "redirect_from: [/old/second/]\n---\nLead.\n\n![Map]({{ site.baseurl }}/map.png)\n"
        ),
        "_drafts/an-idea.md": "---\ntitle: An idea\n---\nNot yet.\n",
        "_columns/2024-01-05-tuesday.md": "---\ntitle: Tuesday\ndate: 2024-01-05\n---\nCol.\n",
        "_briefs/brief-one.md": "---\ntitle: Brief one\ndate: 2024-02-01\n---\nShort.\n",
        "_columns/_archive/2020-01-01-hidden.md": "---\ntitle: Hidden\n---\nOld.\n",
        "about.md": "---\ntitle: About\n---\nA page.\n",
        "_authors/guest.md": (
            "---\nname: guest writer\nfull_name: Guest Writer\nemail: guest@example.org\n---\n"
            "Writes *sometimes*.\n"
        ),
        "drafts-old/_posts/2020-01-01-excluded.md": "---\ntitle: Excluded\n---\nNo.\n",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


@pytest.fixture
def imported(site):
    return run_command("import_posts", site)


def test_posts_drafts_and_collections_are_imported_pages_are_not(site, imported):
    assert sorted(Post.objects.values_list("source", "status")) == [
        # Jekyll gives a collection without output no pages: nothing of it was public.
        ("_briefs/brief-one.md", "draft"),
        ("_columns/2024-01-05-tuesday.md", "published"),
        ("_drafts/an-idea.md", "draft"),
        ("_posts/2024/2024-03-01-first-light.md", "published"),
        ("news/_posts/2024-03-02-second.md", "published"),
    ]
    assert f"skipped {site / 'about.md'}: a page, not a post" in imported
    assert f"skipped {site / '_columns/_archive/2020-01-01-hidden.md'}: Jekyll skips" in imported
    assert "Excluded" not in imported


def test_a_date_without_offset_is_in_the_sites_time_zone(imported):
    post = Post.objects.get(slug="first-light")
    assert post.published_at == datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
    assert post.published_offset == -300


def test_front_matter_defaults_apply_and_the_files_own_keys_win(imported):
    first = Post.objects.get(slug="first-light")
    second = Post.objects.get(slug="second")
    assert [a.name for a in first.authors.all()] == ["Mina Okafor"]
    assert [a.name for a in second.authors.all()] == ["Guest Writer"]
    # Defaults are the site's, not the file's: they are not copied into every post.
    assert "layout" not in first.front_matter


def test_authors_come_from_the_data_file_with_bio_and_links(imported):
    mina = Author.objects.get(slug="mina")
    assert (mina.name, mina.bio_html) == (
        "Mina Okafor",
        "<p>Writes the <em>Tuesday</em> column.</p>\n",
    )
    assert mina.links == {
        "web": "https://mina.example.org",
        "twitter": "https://twitter.com/minaokafor",
    }


def test_an_authors_collection_gives_profiles_not_posts(client, site, imported):
    guest = Author.objects.get(slug="guest-writer")
    assert (guest.name, guest.bio) == ("Guest Writer", "Writes *sometimes*.")
    assert guest.links == {"email": "guest@example.org"}
    assert f"skipped {site / '_authors/guest.md'}: an author's page" in imported
    assert not Post.objects.filter(source__startswith="_authors/").exists()


def test_the_author_page_links_to_the_authors_profiles(client, imported):
    html = client.get("/authors/mina/").content.decode()
    assert '<li><a href="https://mina.example.org" rel="me">Web</a></li>' in html
    # A handle under a network's name is that network's profile page.
    assert '<li><a href="https://twitter.com/minaokafor" rel="me">Twitter</a></li>' in html


def test_the_site_separator_cuts_the_excerpt(imported):
    post = Post.objects.get(slug="first-light")
    assert post.excerpt_separator == "<!--more-->"
    assert post.excerpt_html == "<p>Lead of the first.</p>\n"


def test_liquid_resolves_against_the_site_and_the_batch(imported):
    first = Post.objects.get(slug="first-light")
    assert '<a href="/posts/second/" rel="noopener noreferrer">the second</a>' in first.body_html
    assert "<p>Read more on The Dispatch.</p>" in first.body_html
    second = Post.objects.get(slug="second")
    assert '<img src="/map.png" alt="Map">' in second.body_html


def test_every_old_url_redirects_to_its_post(client, imported):
    expected = {
        "/blog/2024/first-light/": "/posts/first-light/",
        "/blog/2024/second/": "/posts/second/",
        "/old/second/": "/posts/second/",
        "/columns/tuesday/": "/posts/tuesday/",
    }
    assert dict(Redirect.objects.values_list("old_path", "post__slug")) == {
        old: new.split("/")[2] for old, new in expected.items()
    }
    for old, new in expected.items():
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new)


def test_folder_categories_are_in_the_default_url_but_not_tags(tmp_path):
    root = tmp_path / "plain"
    path = root / "news" / "_posts" / "2024-03-02-second.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\ntitle: Second\ncategories: Policy\n---\nBody.\n")
    run_command("import_posts", root)
    post = Post.objects.get()
    assert list(post.redirects.values_list("old_path", flat=True)) == [
        "/news/policy/2024/03/02/second.html"
    ]
    assert [tag.name for tag in post.tags.all()] == ["Policy"]


def test_collections_become_sections_with_their_own_listing_and_feed(client, imported):
    columns = Section.objects.get(slug="columns")
    assert columns.name == "Columns"
    assert list(columns.posts.values_list("slug", flat=True)) == ["tuesday"]
    assert "Tuesday" in client.get("/sections/columns/").content.decode()
    assert "<title>Tuesday</title>" in client.get("/sections/columns/feed.xml").content.decode()
    assert Post.objects.get(slug="brief-one").section.slug == "briefs"


def test_a_collection_without_output_had_no_url(imported):
    assert not Redirect.objects.filter(post__slug="brief-one").exists()
    assert Redirect.objects.filter(post__slug="tuesday").exists()


def test_a_single_file_of_a_site_is_read_with_the_sites_config(site):
    run_command("import_posts", site / "_posts" / "2024" / "2024-03-01-first-light.md")
    post = Post.objects.get()
    assert post.published_offset == -300
    assert [a.name for a in post.authors.all()] == ["Mina Okafor"]
    assert post.source == "_posts/2024/2024-03-01-first-light.md"


def test_a_site_imported_again_is_unchanged(site, imported):
    before = list(Post.objects.values_list("pk", "updated_at"))
    output = run_command("import_posts", site)
    assert "0 created, 0 updated, 5 unchanged" in output
    assert list(Post.objects.values_list("pk", "updated_at")) == before


def test_an_unknown_time_zone_is_an_error_naming_the_config(site):
    (site / "_config.yml").write_text("timezone: Mars/Olympus\n")
    with pytest.raises(Exception, match=r"_config.yml: timezone 'Mars/Olympus' is not a known"):
        run_command("import_posts", site)
    assert Post.objects.count() == 0


def test_a_broken_config_is_an_error_at_its_line(site):
    (site / "_config.yml").write_text("title: x\npermalink: [\n")
    with pytest.raises(Exception, match=r"_config.yml:3: invalid YAML"):
        run_command("import_posts", site)


def test_a_collections_dir_holds_the_posts_and_collections_too(tmp_path):
    root = tmp_path / "site"
    files = {
        "_config.yml": "collections_dir: content\ncollections: {columns: {output: true}}\n",
        "content/_posts/2024-03-01-in-posts.md": "---\ntitle: In posts\n---\nA.\n",
        "content/_columns/2024-03-02-in-columns.md": "---\ntitle: In columns\n---\nB.\n",
        "_posts/2024-03-03-outside.md": "---\ntitle: Outside\n---\nC.\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    output = run_command("import_posts", root)
    assert sorted(Post.objects.values_list("slug", "section__slug")) == [
        ("in-columns", "columns"),
        ("in-posts", None),
    ]
    assert (
        f"skipped {root / '_posts/2024-03-03-outside.md'}: outside the site's collections_dir "
        "(content/), where Jekyll reads"
    ) in output


def test_a_post_in_html_is_imported_and_the_sites_other_files_are_not_mentioned(site):
    (site / "_posts" / "2024-04-01-old-html.html").write_text("---\ntitle: Old\n---\n<p>Hi</p>\n")
    (site / "_layouts").mkdir()
    (site / "_layouts" / "post.html").write_text("<main>{{ content }}</main>\n")
    (site / "assets").mkdir()
    (site / "assets" / "map.png").write_bytes(b"png")
    output = run_command("import_posts", site)
    post = Post.objects.get(source="_posts/2024-04-01-old-html.html")
    assert (post.body_format, post.body_html) == ("html", "<p>Hi</p>\n")
    assert f"skipped {site / '_posts/2024-04-01-old-html.html'}" not in output
    assert "post.html" not in output
    assert "map.png" not in output


def test_post_url_finds_a_post_imported_earlier(tmp_path):
    root = tmp_path / "site"
    first = root / "_posts" / "2024-01-01-c++-notes.md"
    first.parent.mkdir(parents=True)
    first.write_text("---\ntitle: C++ notes\nslug: cpp-notes\n---\nA.\n")
    run_command("import_posts", first)
    later = root / "_posts" / "2024-02-01-later.md"
    later.write_text("---\ntitle: Later\n---\nSee [notes]({% post_url 2024-01-01-c++-notes %}).\n")
    run_command("import_posts", later)
    assert '<a href="/posts/cpp-notes/"' in Post.objects.get(slug="later").body_html


def test_redirect_from_entries_are_paths_of_this_site(tmp_path):
    path = tmp_path / "2024-05-01-moved.md"
    path.write_text(
        "---\ntitle: Moved\nredirect_from:\n  - https://old.example.org/2019/moved/\n"
        "  - caf%C3%A9/menu\n  - https://old.example.org\n---\nBody.\n"
    )
    run_command("import_posts", path)
    assert sorted(Post.objects.get().redirects.values_list("old_path", flat=True)) == [
        "/",
        "/2019/moved/",
        "/2024/05/01/moved.html",
        "/café/menu",
    ]

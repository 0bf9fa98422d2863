"""Where everything lived on the old Jekyll site: which of its files are posts and which Jekyll
built, the old URLs of each post in every form, and the old site's feeds and listing pages."""

from datetime import UTC, datetime, timedelta

import pytest
from helpers import write_site

from posts.models import Section
from transfer.jekyll import Site, find_sources
from transfer.oldsite import site_redirects
from transfer.validation import read


def post(front: str = "", body: str = "Body.\n") -> str:
    return f"---\n{front}---\n{body}"


def sources_of(root, **options) -> dict:
    sources, _ = find_sources([root], **options)
    return {source.key: source for source in sources}


def old_urls(root, key: str, **options) -> list[str]:
    source = sources_of(root, **options)[key]
    return source.old_urls(read(source, source.path.read_bytes()))


# Which files are posts, and which Jekyll built


def test_html_files_in_posts_and_collections_are_posts_in_html(tmp_path):
    root = write_site(
        tmp_path,
        {
            "_config.yml": "collections: {columns: {output: true}}\n",
            "_posts/2020-01-01-in-html.html": post("title: In HTML\n", "<p>Hi</p>\n"),
            "_posts/2020-01-02-in-markdown.md": post("title: In Markdown\n"),
            "_drafts/sketch.html": post("title: Sketch\n", "<p>Soon</p>\n"),
            "_columns/tuesday.html": post("title: Tuesday\n", "<p>Col</p>\n"),
            "_layouts/default.html": "<main>{{ content }}</main>\n",
            "_includes/aside.html": "<aside></aside>\n",
            "index.html": post("layout: default\n", "<h1>Home</h1>\n"),
            "about/index.html": post("title: About\n", "<p>About</p>\n"),
        },
    )
    sources, skipped = find_sources([root])
    assert {source.key: source.body_format for source in sources} == {
        "_columns/tuesday.html": "html",
        "_drafts/sketch.html": "html",
        "_posts/2020-01-01-in-html.html": "html",
        "_posts/2020-01-02-in-markdown.md": "markdown",
    }
    # Layouts, includes and pages stay out, and unmentioned: every site has them.
    assert skipped == []


def test_a_file_in_posts_without_a_dated_name_is_not_built(tmp_path):
    root = write_site(
        tmp_path,
        {
            "_posts/notes.md": post("title: Notes\n"),
            "_posts/31-12-2016-upside-down.md": post("title: Upside down\n"),
            "_posts/2016-1-5-short-date.md": post("title: Short date\n"),
            "_posts/16-01-05-two-digit-year.md": post("title: Two-digit year\n"),
            "_drafts/undated-idea.md": post("title: Idea\n"),
        },
    )
    no_date = "the file name has no YYYY-MM-DD- date, so Jekyll does not build it"
    assert {key: source.unbuilt for key, source in sources_of(root).items()} == {
        "_posts/notes.md": no_date,
        "_posts/31-12-2016-upside-down.md": no_date,
        # Jekyll's DATE_FILENAME_MATCHER takes short years, months and days.
        "_posts/2016-1-5-short-date.md": "",
        "_posts/16-01-05-two-digit-year.md": "",
        # A draft needs no date: Jekyll builds drafts (with --drafts) from any name.
        "_drafts/undated-idea.md": "",
    }


def test_a_collection_without_output_gives_no_pages(tmp_path):
    root = write_site(
        tmp_path,
        {
            "_config.yml": "collections:\n  briefs: {output: false}\n  notes: {}\n  columns:"
            " {output: true}\n",
            "_briefs/one.md": post("title: One\n"),
            "_notes/two.md": post("title: Two\n"),
            "_columns/three.md": post("title: Three\n"),
        },
    )
    assert {key: source.unbuilt for key, source in sources_of(root).items()} == {
        "_briefs/one.md": "collection 'briefs' has output: false, so Jekyll gives it no pages",
        "_notes/two.md": "collection 'notes' has output: false, so Jekyll gives it no pages",
        "_columns/three.md": "",
    }


def test_a_collections_file_without_front_matter_is_copied_not_read(tmp_path):
    root = write_site(
        tmp_path,
        {
            "_config.yml": "collections: {columns: {output: true}}\n",
            "_columns/README.md": "How to write a column.\n",
            "_columns/one.md": post("title: One\n"),
        },
    )
    sources, skipped = find_sources([root])
    assert [source.key for source in sources] == ["_columns/one.md"]
    assert skipped == [
        f"{root / '_columns/README.md'}: no front matter: Jekyll copies the file as it is "
        "rather than reading it"
    ]


def test_names_jekyll_skips_in_posts_and_collections(tmp_path):
    root = write_site(
        tmp_path,
        {
            "_config.yml": "collections: {columns: {output: true}}\n",
            "_columns/_template.md": post("title: Template\n"),
            "_columns/#scratch.md": post("title: Scratch\n"),
            "_columns/_archive/old.md": post("title: Old\n"),
            "_posts/_old/2019-01-01-gone.md": post("title: Gone\n"),
            # Only the first folder and the file's own name count, as in Jekyll's EntryFilter.
            "_columns/2020/_deep/kept.md": post("title: Kept\n"),
            "_posts/2020/_deep/2020-01-01-kept.md": post("title: Kept too\n"),
        },
    )
    sources, skipped = find_sources([root])
    assert sorted(source.key for source in sources) == [
        "_columns/2020/_deep/kept.md",
        "_posts/2020/_deep/2020-01-01-kept.md",
    ]
    reason = "Jekyll skips names starting with _ # or ~ (a file's, or its first folder's)"
    assert sorted(skipped) == sorted(
        f"{root / name}: {reason}"
        for name in (
            "_columns/_template.md",
            "_columns/#scratch.md",
            "_columns/_archive/old.md",
            "_posts/_old/2019-01-01-gone.md",
        )
    )


# Old URLs in every form


@pytest.fixture
def under_baseurl(tmp_path):
    """A site served at user.github.io/name/, as its config says."""
    return write_site(
        tmp_path,
        {
            "_config.yml": "baseurl: /name\npermalink: /:year/:month/:title.html\n",
            "_posts/2020-01-05-moved.md": post("title: Moved\nredirect_from: [/old/moved/]\n"),
            "_posts/2020-01-06-tagged.md": post("title: Tagged\npermalink: /tags/x/\n"),
            "_posts/notes.md": post("title: Notes\ndate: 2020-01-07\nredirect_from: [/n/]\n"),
        },
    )


def test_old_urls_come_with_and_without_the_baseurl_the_baseurl_first(under_baseurl):
    assert old_urls(under_baseurl, "_posts/2020-01-05-moved.md") == [
        "/name/2020/01/moved.html",
        "/2020/01/moved.html",
        "/name/old/moved/",
        "/old/moved/",
    ]


def test_old_urls_come_under_an_old_baseurl_too(under_baseurl):
    assert old_urls(under_baseurl, "_posts/2020-01-05-moved.md", old_baseurl="/blog/") == [
        "/name/2020/01/moved.html",
        "/2020/01/moved.html",
        "/blog/2020/01/moved.html",
        "/name/old/moved/",
        "/old/moved/",
        "/blog/old/moved/",
    ]


def test_a_url_without_the_baseurl_that_is_quires_own_is_left_out(under_baseurl):
    """/tags/x/ is Quire's page of the tag x: a redirect there would stand in for it."""
    assert old_urls(under_baseurl, "_posts/2020-01-06-tagged.md") == ["/name/tags/x/"]


def test_a_url_the_old_site_itself_had_is_kept_even_if_quire_has_it(tmp_path):
    root = write_site(tmp_path, {"_posts/2020-01-06-tagged.md": post("permalink: /tags/x/\n")})
    assert old_urls(root, "_posts/2020-01-06-tagged.md") == ["/tags/x/"]


def test_a_post_jekyll_did_not_build_keeps_only_its_redirect_from_entries(under_baseurl):
    assert old_urls(under_baseurl, "_posts/notes.md") == ["/name/n/", "/n/"]


def test_site_paths_in_every_form():
    site = Site(None, {"baseurl": "name/"}, old_baseurl="/other")
    assert site.old_paths("/2020/x.html") == [
        "/name/2020/x.html",
        "/2020/x.html",
        "/other/2020/x.html",
    ]
    assert site.old_paths("/feed.xml") == ["/name/feed.xml", "/other/feed.xml"]
    assert site.old_paths("/tags") == ["/name/tags", "/other/tags"]  # Quire adds the slash
    assert Site(None).old_paths("/2020/x.html") == ["/2020/x.html"]


# The old site's feeds and listing pages


def redirects_of(root, **posts: dict) -> set[tuple[str, str, str]]:
    """site_redirects for the site at `root`, whose files (by key) became these posts, each
    made from the fields given."""
    sources, _ = find_sources([root])
    by_key = {source.key: source for source in sources}
    ids = {by_key[key]: fields.pk for key, fields in posts.items()}
    return set(site_redirects([by_key[next(iter(posts))].site], ids))


@pytest.fixture
def made(make_post):
    """A post for a file of the site: `made(key, **fields)`."""

    def make(key, days_ago=10, **fields):
        fields.setdefault("published_at", datetime(2024, 3, 1, tzinfo=UTC) - timedelta(days_ago))
        return make_post(source=key, **fields)

    return make


def test_old_feeds_lead_to_quires_in_both_forms(tmp_path, made):
    root = write_site(
        tmp_path,
        {
            "_config.yml": (
                "baseurl: /name\nplugins: [jekyll-feed]\n"
                "collections: {columns: {output: true}, briefs: {output: true}}\n"
                "feed:\n  path: atom.xml\n  categories: [news, sport]\n"
                "  collections: {columns: {path: /columns.atom}, briefs: {}}\n"
                "  tags: {only: [alpha, beta]}\n"
            ),
            "_posts/2020-01-01-a.md": post("title: A\ntags: [alpha]\ncategories: [news]\n"),
            "_columns/c.md": post("title: C\n"),
            "_briefs/b.md": post("title: B\n"),
            "rss.xml": post("layout: null\n", "<rss></rss>\n"),
        },
    )
    columns = Section.objects.create(name="Columns", slug="columns")
    found = redirects_of(
        root,
        **{
            "_posts/2020-01-01-a.md": made("_posts/2020-01-01-a.md", tags=["alpha", "news"]),
            "_columns/c.md": made("_columns/c.md", section=columns),
            # A draft shows in no feed: the briefs' and sport's feeds have nothing to lead to.
            "_briefs/b.md": made("_briefs/b.md", status="draft"),
        },
    )
    assert found == {
        ("/name/atom.xml", "/feed.xml", "old feed"),
        ("/atom.xml", "/feed.xml", "old feed"),
        ("/name/feed/news.xml", "/tags/news/feed.xml", "old feed of category news"),
        ("/feed/news.xml", "/tags/news/feed.xml", "old feed of category news"),
        ("/name/columns.atom", "/sections/columns/feed.xml", "old feed of columns"),
        ("/columns.atom", "/sections/columns/feed.xml", "old feed of columns"),
        ("/name/feed/by_tag/alpha.xml", "/tags/alpha/feed.xml", "old feed of tag alpha"),
        ("/feed/by_tag/alpha.xml", "/tags/alpha/feed.xml", "old feed of tag alpha"),
        # Quire serves /rss.xml itself.
        ("/name/rss.xml", "/rss.xml", "old feed"),
    }


def test_the_default_feed_of_a_site_whose_gemfile_loads_jekyll_feed(tmp_path, made):
    files = {"_config.yml": "baseurl: /name\n", "_posts/2020-01-01-a.md": post("title: A\n")}
    plain = write_site(tmp_path / "plain", files)
    with_feed = write_site(tmp_path / "feed", {**files, "Gemfile": 'gem "jekyll-feed"\n'})
    key = "_posts/2020-01-01-a.md"
    a = made(key)
    assert redirects_of(plain, **{key: a}) == set()
    # Without the baseurl, the old feed is where Quire's is: that needs no redirect.
    assert redirects_of(with_feed, **{key: a}) == {("/name/feed.xml", "/feed.xml", "old feed")}


def test_old_listing_pages_lead_to_the_quire_page_holding_the_same_posts(tmp_path, made, settings):
    settings.QUIRE_POSTS_PER_PAGE = 3
    files = {f"_posts/2020-01-0{n}-p{n}.md": post(f"title: P{n}\n") for n in range(1, 6)}
    root = write_site(
        tmp_path,
        {
            "_config.yml": "paginate: 2\npaginate_path: /blog/page:num/\n",
            "blog/index.html": post("layout: home\n", "{% for p in paginator.posts %}{% endfor %}"),
            **files,
        },
    )
    # A post written in Quire, newer than the site's, opens Quire's first page.
    made("written-in-quire", days_ago=0)
    posts = {key: made(key, days_ago=10 - int(key[16])) for key in files}
    assert redirects_of(root, **posts) == {
        # p5 and p4 were on the old first page; Quire's first page shows them.
        ("/blog/", "/", "old listing page 1"),
        # p3 opened the old second page; Quire shows it fourth, on its second page.
        ("/blog/page2/", "/?page=2", "old listing page 2"),
        ("/blog/page3/", "/?page=2", "old listing page 3"),
    }


def test_paginate_v2_listings_of_a_collection_and_its_index_page(tmp_path, made):
    root = write_site(
        tmp_path,
        {
            "_config.yml": (
                "collections: {columns: {output: true, permalink: '/opinion/:title/'}}\n"
                "pagination: {enabled: true, per_page: 1}\n"
            ),
            "columns.html": post(
                "permalink: /opinion/\npagination: {enabled: true, collection: columns}\n"
            ),
            "_columns/one.md": post("title: One\n"),
            "_columns/two.md": post("title: Two\n"),
        },
    )
    columns = Section.objects.create(name="Columns", slug="columns")
    posts = {key: made(key, section=columns) for key in ("_columns/one.md", "_columns/two.md")}
    assert redirects_of(root, **posts) == {
        ("/opinion/", "/sections/columns/", "old listing page 1"),
        ("/opinion/page/2/", "/sections/columns/", "old listing page 2"),
    }


def test_a_collections_index_page_leads_to_its_section(tmp_path, made):
    root = write_site(
        tmp_path,
        {
            "_config.yml": "collections: {columns: {output: true}}\n",
            "columns/index.md": post("title: All columns\n"),
            "_columns/one.md": post("title: One\n"),
        },
    )
    columns = Section.objects.create(name="Columns", slug="columns")
    posts = {"_columns/one.md": made("_columns/one.md", section=columns)}
    assert redirects_of(root, **posts) == {
        ("/columns/", "/sections/columns/", "old index of columns")
    }


def test_old_archives_lead_to_quires_tag_and_date_pages(tmp_path, made):
    root = write_site(
        tmp_path,
        {
            "_config.yml": (
                "timezone: America/New_York\n"
                "jekyll-archives:\n  enabled: [year, month, day, tags, categories]\n"
                "  permalinks: {tag: '/topics/:name/'}\n"
            ),
            "world/_posts/2020-12-31-late.md": post("title: Late\n"),
        },
    )
    # 03:00 UTC on New Year's Day: the old site filed it on 31 December, Quire (UTC) on the 1st.
    late = made(
        "world/_posts/2020-12-31-late.md",
        published_at=datetime(2021, 1, 1, 3, tzinfo=UTC),
        tags=["Foreign Policy", "News"],
        front_matter={"categories": ["News"]},
    )
    assert redirects_of(root, **{"world/_posts/2020-12-31-late.md": late}) == {
        ("/2020/", "/archive/2021/", "old year archive"),
        ("/2020/12/", "/archive/2021/1/", "old month archive"),
        ("/2020/12/31/", "/archive/2021/1/", "old day archive"),
        ("/topics/foreign-policy/", "/tags/foreign-policy/", "old tag page"),
        ("/topics/news/", "/tags/news/", "old tag page"),
        # The folder's category, world, is no Quire tag: there is nothing to lead to.
        ("/category/news/", "/tags/news/", "old category page"),
    }


def test_a_themes_tags_and_categories_pages_lead_to_quires_tags_page(tmp_path, made):
    root = write_site(
        tmp_path,
        {
            "_config.yml": "baseurl: /name\ninclude: [_pages]\n",
            "_pages/tag-archive.md": post("permalink: /tags/\n"),
            "categories.html": post("title: Categories\n"),
            "_posts/2020-01-01-a.md": post("title: A\n"),
        },
    )
    posts = {"_posts/2020-01-01-a.md": made("_posts/2020-01-01-a.md")}
    assert redirects_of(root, **posts) == {
        ("/name/tags/", "/tags/", "old tags page"),
        ("/name/categories.html", "/tags/", "old tags page"),
        ("/categories.html", "/tags/", "old tags page"),
    }

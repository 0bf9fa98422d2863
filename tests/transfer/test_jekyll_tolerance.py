"""A site Jekyll 4 builds without error imports without error: where Jekyll would adjust
something (a slug or a URL two files share, a date that does not exist, a file it would not
build), the import adjusts it alike, says so under the file, and counts it in the totals."""

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from helpers import run_command, write_site
from PIL import Image as PillowImage

from posts.models import Author, Post, Redirect

pytestmark = pytest.mark.django_db


def post(front: str, body: str = "Body.\n") -> str:
    return f"---\n{front}---\n{body}"


def slugs() -> dict[str, str]:
    return dict(Post.objects.values_list("source", "slug"))


def redirects() -> dict[str, str]:
    return dict(Redirect.objects.filter(post__isnull=False).values_list("old_path", "post__slug"))


# Slugs two files share


@pytest.fixture
def same_slugs(tmp_path):
    """Three posts named `notes`: two years of _posts and a collection, as Jekyll builds them."""
    return write_site(
        tmp_path / "site",
        {
            "_config.yml": "collections: {columns: {output: true}}\n",
            "_posts/2019/2019-05-01-notes.md": post("title: Notes of 2019\n"),
            "_posts/2020/2020-05-01-notes.md": post("title: Notes of 2020\n"),
            "_columns/notes.md": post("title: Column notes\ndate: 2021-01-01\n"),
        },
    )


def test_files_sharing_a_slug_are_numbered_in_sorted_order_keeping_their_old_urls(
    same_slugs, client
):
    output = run_command("import_posts", same_slugs)
    assert slugs() == {
        "_columns/notes.md": "notes",
        "_posts/2019/2019-05-01-notes.md": "notes-2",
        "_posts/2020/2020-05-01-notes.md": "notes-3",
    }
    assert redirects() == {
        "/columns/notes.html": "notes",
        "/2019/05/01/notes.html": "notes-2",
        "/2020/05/01/notes.html": "notes-3",
    }
    for old, slug in redirects().items():
        assert client.get(old)["Location"] == f"/posts/{slug}/"
    column = same_slugs / "_columns/notes.md"
    assert (
        f"  the slug 'notes' is also that of {column}: this post is /posts/notes-3/, and its "
        "old URLs lead to it"
    ) in output.splitlines()
    assert output.splitlines()[-1].endswith("; adjusted as Jekyll would: 2 slugs numbered")


def test_a_reimport_keeps_each_numbered_slug_and_a_new_file_takes_none(same_slugs):
    run_command("import_posts", same_slugs)
    before = slugs()
    assert "0 created, 0 updated, 3 unchanged" in run_command("import_posts", same_slugs)
    assert slugs() == before
    write_site(same_slugs, {"_posts/2018/2018-01-01-notes.md": post("title: Notes of 2018\n")})
    output = run_command("import_posts", same_slugs)
    assert output.splitlines()[-1].startswith("1 created, 0 updated, 3 unchanged")
    assert slugs() == {**before, "_posts/2018/2018-01-01-notes.md": "notes-4"}


def test_a_slug_changed_in_the_file_is_taken_when_nothing_holds_it(tmp_path):
    root = write_site(
        tmp_path / "site",
        {"_posts/2024-12-30-review.md": post("title: R\nslug: year-in-review-2024\n")},
    )
    run_command("import_posts", root)
    write_site(root, {"_posts/2024-12-30-review.md": post("title: R\nslug: year-in-review\n")})
    assert "1 updated" in run_command("import_posts", root)
    assert slugs() == {"_posts/2024-12-30-review.md": "year-in-review"}


def test_a_numbered_slug_is_never_one_another_file_asks_for(tmp_path):
    root = write_site(
        tmp_path / "site",
        {
            "_posts/2020-01-01-brief.md": post("title: A\n"),
            "_posts/2020-01-02-brief.md": post("title: B\n"),
            "_posts/2020-01-03-other.md": post("title: C\nslug: brief-2\n"),
        },
    )
    run_command("import_posts", root)
    assert slugs() == {
        "_posts/2020-01-01-brief.md": "brief",
        "_posts/2020-01-02-brief.md": "brief-3",
        "_posts/2020-01-03-other.md": "brief-2",
    }


def test_an_old_url_two_files_share_leads_where_jekyll_wrote_last(tmp_path, client):
    root = write_site(
        tmp_path / "site",
        {
            "_posts/2020-01-01-first.md": post("title: First\nslug: first\npermalink: /shared/\n"),
            "_posts/2020-02-01-second.md": post(
                "title: Second\nslug: second\npermalink: /shared/\n"
            ),
        },
    )
    output = run_command("import_posts", root)
    first, second = root / "_posts/2020-01-01-first.md", root / "_posts/2020-02-01-second.md"
    assert client.get("/shared/")["Location"] == "/posts/second/"
    assert (
        f"  the old URL /shared/ is also that of {second}, which Jekyll wrote after this file: "
        "it leads to that post, as on the old site"
    ) in output
    assert (
        f"  the old URL /shared/ is also that of {first}: it leads here, as on the old site "
        "(Jekyll wrote this file last)"
    ) in output
    assert Post.objects.count() == 2


# Bylines


def test_a_posts_own_authors_beat_a_default_author(tmp_path):
    root = write_site(
        tmp_path / "site",
        {
            "_config.yml": "defaults:\n  - scope: {path: ''}\n    values: {author: Desk}\n",
            "_posts/2020-01-01-two.md": post("title: Two\nauthors: [Ana Ruiz, Bo Li]\n"),
            "_posts/2020-01-02-plain.md": post("title: Plain\n"),
        },
    )
    run_command("import_posts", root)
    bylines = {p.slug: [a.name for a in p.authors.all()] for p in Post.objects.all()}
    assert bylines == {"two": ["Ana Ruiz", "Bo Li"], "plain": ["Desk"]}


def test_author_and_authors_together_make_one_byline(tmp_path):
    path = write_site(
        tmp_path, {"2020-01-01-both.md": post("title: Both\nauthor: Ana Ruiz\nauthors: [Bo Li]\n")}
    )
    output = run_command("import_posts", path / "2020-01-01-both.md")
    assert [a.name for a in Post.objects.get().authors.all()] == ["Ana Ruiz", "Bo Li"]
    assert (
        "  line 4: author and authors are both given: the byline is author's names, then authors'"
    ) in output


def test_spellings_of_one_author_merge_and_each_post_keeps_its_own(tmp_path, client):
    root = write_site(
        tmp_path / "site",
        {
            "_posts/2020-01-01-a.md": post("title: A\nauthor: Daniel R. DePetris\n"),
            "_posts/2020-01-02-b.md": post("title: B\nauthor: Daniel R DePetris\n"),
            "_posts/2020-01-03-c.md": post("title: C\nauthor: Daniel R DePetris\n"),
            "_posts/2020-01-04-d.md": post("title: D\nauthors: [《法庭線》, 法庭線]\n"),
            "_posts/2020-01-05-e.md": post("title: E\nauthor: 法庭線\n"),
        },
    )
    output = run_command("import_posts", root)
    assert Author.objects.count() == 2
    *_, daniel, b, c, court, e, summary = output.splitlines()
    assert [daniel, b, c, court, e] == [
        "author 'Daniel R. DePetris' also written 'Daniel R DePetris' in 2 files: merged, each "
        "post keeps its spelling",
        f"  {root / '_posts/2020-01-02-b.md'}",
        f"  {root / '_posts/2020-01-03-c.md'}",
        "author '《法庭線》' also written '法庭線' in 1 file: merged, each post keeps its spelling",
        f"  {root / '_posts/2020-01-05-e.md'}",
    ]
    assert summary.endswith("; adjusted as Jekyll would: 2 author spellings merged")
    assert dict(Post.objects.values_list("slug", "bylines__credited_as")) == {
        "a": "",
        "b": "Daniel R DePetris",
        "c": "Daniel R DePetris",
        "d": "",
        "e": "法庭線",
    }
    assert "Daniel R DePetris" in client.get("/posts/b/").content.decode()
    assert "0 created, 0 updated, 5 unchanged" in run_command("import_posts", root)


def png() -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", (40, 40), "teal").save(out, "PNG")
    return out.getvalue()


AUTHORS = """\
ana:
  name: Ana Ruiz
  avatar: /assets/ana.png
bo:
  name: Bo Li
  avatar: /assets/gone.png
"""


def test_an_authors_avatar_from_the_site_becomes_the_photo(tmp_path):
    root = write_site(
        tmp_path / "site",
        {
            "_data/authors.yml": AUTHORS,
            "_posts/2020-01-01-a.md": post("title: A\nauthor: ana\n"),
            "_posts/2020-01-02-b.md": post("title: B\nauthors: [ana, bo]\n"),
        },
    )
    (root / "assets").mkdir()
    (root / "assets" / "ana.png").write_bytes(png())
    output = run_command("import_posts", root)
    ana, bo = Author.objects.order_by("slug")
    assert (ana.name, ana.photo.width, ana.photo.height) == ("Ana Ruiz", 40, 40)
    assert not bo.photo
    assert "author 'Bo Li': the avatar '/assets/gone.png' is not a file of the site" in output
    assert "0 created, 0 updated, 2 unchanged" in run_command("import_posts", root)
    assert Author.objects.get(slug="ana").photo.name == ana.photo.name


def test_a_dry_run_stores_no_avatar(tmp_path, settings):
    root = write_site(
        tmp_path / "site",
        {
            "_data/authors.yml": AUTHORS,
            "_posts/2020-01-01-a.md": post("title: A\nauthors: [ana, bo]\n"),
        },
    )
    (root / "assets").mkdir()
    (root / "assets" / "ana.png").write_bytes(png())
    stored_before = sorted(Path(settings.MEDIA_ROOT).rglob("*"))
    output = run_command("import_posts", root, "--dry-run")
    assert sorted(Path(settings.MEDIA_ROOT).rglob("*")) == stored_before
    assert "author 'Bo Li': the avatar '/assets/gone.png' is not a file of the site" in output
    assert not Author.objects.exists()


def test_an_undated_document_of_a_collection_is_published_dated_by_its_file(tmp_path):
    config = "collections:\n  work:\n    output: true\n    permalink: /our-work/:path/\n"
    root = write_site(
        tmp_path / "site",
        {"_config.yml": config, "_work/harbour.md": post("title: Harbour\n")},
    )
    os.utime(root / "_work" / "harbour.md", (1_700_000_000, 1_700_000_000))
    output = run_command("import_posts", root)
    harbour = Post.objects.get()
    assert harbour.status == Post.Status.PUBLISHED
    assert harbour.published_at == datetime.fromtimestamp(1_700_000_000, UTC)
    assert "dated by the file's last change, 2023-11-14 22:13 UTC" in output
    assert redirects() == {"/our-work/harbour/": "harbour"}
    os.utime(root / "_work" / "harbour.md", (1_800_000_000, 1_800_000_000))  # a new checkout
    assert "0 created, 0 updated, 1 unchanged" in run_command("import_posts", root)
    assert Post.objects.get().published_at == datetime.fromtimestamp(1_700_000_000, UTC)


# Dates


def test_a_template_post_without_a_real_date_in_its_name(tmp_path):
    root = write_site(
        tmp_path / "site",
        {
            "_posts/0000-00-00-welcome.md": post("title: Welcome\ndate: 2021-03-04\n"),
            "_posts/0000-00-00-template.md": post("title: Template\n"),
        },
    )
    output = run_command("import_posts", root)
    welcome, template = Post.objects.get(slug="welcome"), Post.objects.get(slug="template")
    assert (welcome.status, welcome.published_at) == ("published", datetime(2021, 3, 4, tzinfo=UTC))
    assert (template.status, template.published_at) == ("draft", None)
    assert (
        "  the file name's date 0000-00-00 is a template's placeholder and the front matter gives "
        "no date (Jekyll would stop at it): the post stays a draft"
    ) in output


def test_a_template_with_a_placeholder_date_in_its_front_matter_is_a_draft(tmp_path):
    config = "collections:\n  columns:\n    output: true\n"
    template = post("title: TEMPLATE\ndate: 0000-00-00 00:00:00 +0800\n")
    root = write_site(
        tmp_path / "site",
        {"_config.yml": config, "_columns/0000-00-00-column-template.md": template},
    )
    output = run_command("import_posts", root)
    assert Post.objects.get().status == Post.Status.DRAFT
    assert (
        "  line 3: date '0000-00-00 00:00:00 +0800' is a template's placeholder (Jekyll reads it "
        "as the year 0, which Quire cannot store): the post stays a draft"
    ) in output


@pytest.mark.parametrize(
    ("name", "front", "note"),
    [
        (
            "2016-06-31-late.md",
            "title: Late\n",
            "the file name's date 2016-06-31 does not exist; Jekyll reads it as 2016-07-01",
        ),
        (
            "2016-06-01-late.md",
            'title: Late\ndate: "2016-06-31"\n',
            "line 3: date 2016-06-31 does not exist; Jekyll reads it as 2016-07-01",
        ),
        (
            "2016-06-01-late.md",
            "title: Late\ndate: 2016-06-31\n",
            "line 3: date 2016-06-31 does not exist; Jekyll reads it as 2016-07-01",
        ),
    ],
)
def test_a_day_past_the_months_end_rolls_over_as_in_ruby(tmp_path, name, front, note):
    root = write_site(tmp_path / "site", {f"_posts/{name}": post(front)})
    output = run_command("import_posts", root)
    late = Post.objects.get()
    assert late.published_at == datetime(2016, 7, 1, tzinfo=UTC)
    assert f"  {note}" in output
    assert output.splitlines()[-1].endswith("adjusted as Jekyll would: 1 date rolled over")
    assert redirects() == {"/2016/07/01/late.html": "late"}


def test_single_digit_months_and_days_make_a_dated_name(tmp_path):
    run_command("import_posts", write_site(tmp_path / "site", {"_posts/2016-6-5-x.md": post("")}))
    assert Post.objects.get().published_at == datetime(2016, 6, 5, tzinfo=UTC)


@pytest.mark.parametrize("date", ["2016-06-00", "2016-06-32", "2016-00-10", "2016-13-10"])
def test_a_day_or_month_out_of_any_range_is_an_error(tmp_path, date):
    root = write_site(tmp_path / "site", {f"_posts/{date}-x.md": post("title: X\n")})
    with pytest.raises(CommandError) as caught:
        run_command("import_posts", root)
    assert f"{root / '_posts'}/{date}-x.md: the file name starts with {date}" in str(caught.value)
    assert not Post.objects.exists()


def test_a_front_matter_date_means_the_file_names_is_never_read(tmp_path):
    root = write_site(tmp_path / "site", {"_posts/2016-13-45-x.md": post("date: 2020-01-01\n")})
    run_command("import_posts", root)
    assert Post.objects.get().published_at == datetime(2020, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "written, instant",
    [
        ("March 4, 2021", datetime(2021, 3, 4, tzinfo=UTC)),
        ("4 Mar 2021 10:30", datetime(2021, 3, 4, 10, 30, tzinfo=UTC)),
        ("Mar 4 2021 10:00 EST", datetime(2021, 3, 4, 15, 0, tzinfo=UTC)),
        ("2021-03-04 (optional)", datetime(2021, 3, 4, tzinfo=UTC)),
        ("2021-03-04 12:00-400", datetime(2021, 3, 4, 12, 0, tzinfo=UTC)),
    ],
)
def test_a_date_in_words_is_read_as_ruby_reads_it(tmp_path, written, instant):
    root = write_site(tmp_path / "site", {"_posts/2021-03-04-x.md": post(f"date: {written}\n")})
    output = run_command("import_posts", root)
    assert Post.objects.get().published_at == instant
    assert f"date {written!r} read as Ruby's Time.parse reads it" in output


def test_a_long_description_is_kept_whole(tmp_path):
    description = "What the programme found in its first year of work with the agencies. " * 8
    front = f"description: {description.strip()}\n"
    run_command(
        "import_posts", write_site(tmp_path / "site", {"_posts/2021-03-04-x.md": post(front)})
    )
    assert Post.objects.get().description == description.strip()


def test_a_date_in_words_without_a_year_is_an_error_at_its_line(tmp_path):
    root = write_site(
        tmp_path / "site", {"_posts/2021-03-04-x.md": post("title: X\ndate: March 4\n")}
    )
    with pytest.raises(CommandError) as caught:
        run_command("import_posts", root)
    assert "2021-03-04-x.md:3: date 'March 4' is not a valid date" in str(caught.value)


def test_a_long_featured_image_alt_is_kept_whole(tmp_path):
    alt = "A chart of the agencies served, by year and by kind of work. " * 9
    front = f"image: /chart.png\nimage_alt: {alt.strip()}\n"
    run_command(
        "import_posts", write_site(tmp_path / "site", {"_posts/2021-03-04-x.md": post(front)})
    )
    assert Post.objects.get().image_alt == alt.strip()


# Files Jekyll would not build, and posts in HTML


def test_what_jekyll_would_not_build_comes_in_as_a_draft(tmp_path):
    root = write_site(
        tmp_path / "site",
        {
            "_config.yml": "collections: {briefs: {output: false}}\n",
            "_posts/notes.md": post("title: Notes\ndate: 2020-01-01\n"),
            "_briefs/2020-01-02-brief.md": post("title: Brief\n"),
            "_posts/2020-01-03-built.md": post("title: Built\n"),
        },
    )
    output = run_command("import_posts", root)
    assert dict(Post.objects.values_list("slug", "status")) == {
        "notes": "draft",
        "brief": "draft",
        "built": "published",
    }
    assert "  imported as a draft: collection 'briefs' has output: false" in output
    assert output.splitlines()[-1].endswith(
        "adjusted as Jekyll would: 2 imported as drafts because Jekyll would not build them"
    )


HTML_BODY = "<p>From {{ site.title }}: *not* Markdown.</p>\n<script>x</script>\n"


def test_a_post_in_html_is_stored_as_html_and_read_through_liquid(tmp_path, client):
    root = write_site(
        tmp_path / "site",
        {
            "_config.yml": "title: The Dispatch\n",
            "_posts/2020-01-01-old.html": post("title: Old\n", HTML_BODY),
        },
    )
    run_command("import_posts", root)
    old = Post.objects.get()
    assert old.body_format == "html"
    assert old.body == "<p>From The Dispatch: *not* Markdown.</p>\n<script>x</script>\n"
    assert old.body_html.startswith("<p>From The Dispatch: *not* Markdown.</p>")
    assert "<script>" not in old.body_html
    assert client.get("/posts/old/").status_code == 200


# The old site's other pages


def test_old_feeds_and_listing_pages_lead_to_quires(tmp_path, client):
    root = write_site(
        tmp_path / "site",
        {
            "_config.yml": "plugins: [jekyll-feed]\nfeed: {path: atom.xml}\n",
            "_posts/2020-01-01-a.md": post("title: A\n"),
        },
    )
    output = run_command("import_posts", root, verbosity=2)
    response = client.get("/atom.xml")
    assert (response.status_code, response["Location"]) == (301, "/feed.xml")
    assert "/atom.xml -> /feed.xml (" in output
    assert "old feed or listing URL redirected" in output.splitlines()[-1]
    assert "0 created, 0 updated, 1 unchanged" in run_command("import_posts", root)


def test_a_posts_own_old_url_wins_over_an_old_sites_page(tmp_path, client):
    root = write_site(
        tmp_path / "site",
        {
            "_config.yml": "plugins: [jekyll-feed]\nfeed: {path: atom.xml}\n",
            "_posts/2020-01-01-a.md": post("title: A\nredirect_from: [/atom.xml]\n"),
        },
    )
    output = run_command("import_posts", root, verbosity=2)
    assert client.get("/atom.xml")["Location"] == "/posts/a/"
    assert "/atom.xml already leads elsewhere, not to /feed.xml (" in output


def test_old_urls_under_an_old_baseurl_lead_to_the_posts_too(tmp_path, client):
    root = write_site(tmp_path / "site", {"_posts/2020-01-01-a.md": post("title: A\n")})
    run_command("import_posts", root, old_baseurl="/blog")
    assert client.get("/blog/2020/01/01/a.html")["Location"] == "/posts/a/"
    assert client.get("/2020/01/01/a.html")["Location"] == "/posts/a/"


# The report


def test_a_dry_run_reports_every_adjustment_and_writes_nothing(same_slugs):
    write_site(same_slugs, {"_posts/2016-06-31-late.md": post("title: Late\n")})
    dry = run_command("import_posts", same_slugs, dry_run=True)
    assert not Post.objects.exists()
    real = run_command("import_posts", same_slugs)
    *dry_files, dry_summary = dry.splitlines()
    *real_files, real_summary = real.splitlines()
    assert dry_files == real_files
    assert dry_summary == f"Dry run, nothing was written. It would be: {real_summary}"
    assert real_summary.endswith("; adjusted as Jekyll would: 2 slugs numbered, 1 date rolled over")

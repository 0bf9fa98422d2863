"""The article page's extras: reading time, contents, image credit, author notes, previous/next,
related posts, citations and their BibTeX download, the canonical URL, print styles, and a fixed
number of queries however many authors, tags and related posts a piece has."""

import html
import io
import itertools
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape, strip_tags
from helpers import REPO
from PIL import Image as PILImage

from media.models import Image
from pagecache import store
from posts import article
from posts.citations import Citation, Name, apa_authors, chicago_authors
from posts.models import Post

pytestmark = pytest.mark.django_db

CSS = REPO / "static" / "css" / "site.css"
MAY_22 = datetime(2025, 5, 22, 4, tzinfo=UTC)  # 12:00 on 22 May at +08:00


@pytest.fixture(autouse=True)
def site_name(settings):
    settings.QUIRE_SITE_NAME = "The Meridian Review"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


class Page(HTMLParser):
    """The elements of a page: ids, headings in order, and each element's attributes."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    @property
    def ids(self):
        return [attrs["id"] for _, attrs in self.elements if "id" in attrs]

    @property
    def heading_levels(self):
        return [int(tag[1]) for tag, _ in self.elements if re.fullmatch(r"h[1-6]", tag)]


def page_of(client, post) -> str:
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


LONG_BODY = """_The lead._

<excerpt/>

## Tags heading

Text.[^1]

### Cite this article

More text.

## The *second* part[^2]

Text.

## Topics

Text.

[^1]: A note.
[^2]: Another.
"""


# Reading time ------------------------------------------------------------------------------


def test_the_page_says_how_long_the_piece_takes_to_read(client, make_post):
    post = make_post(body="Word " * 1839 + "don't")  # 1840 words: "don't" is one
    assert (post.reading_minutes, Post.objects.get(pk=post.pk).reading_minutes) == (8, 8)
    assert '<span class="reading-time">8 min read</span>' in page_of(client, post)
    short = make_post(body="Just a few words.")
    assert '<span class="reading-time">1 min read</span>' in page_of(client, short)


# Table of contents -------------------------------------------------------------------------


def test_a_long_piece_has_contents_linking_to_its_headings(client, make_post):
    post = make_post(body=LONG_BODY)
    page = page_of(client, post)
    nav = re.search(r'<nav class="toc" aria-labelledby="([^"]+)">(.*?)</nav>', page, re.S)
    assert nav, page
    label, toc = nav.groups()
    assert f'id="{label}">Contents</h2>' in toc
    links = re.findall(r'<a href="#([^"]+)">([^<]*)</a>', toc)
    assert links == [
        ("tags-heading", "Tags heading"),
        ("cite-this-article", "Cite this article"),
        ("the-second-part", "The second part"),  # markup and footnote mark left out
        ("topics", "Topics"),
    ]
    heading_ids = set(re.findall(r'<h[23] id="([^"]+)"', post.body_html))
    assert {target for target, _ in links} <= heading_ids
    # The <h3> sits in a list inside the <h2> entry before it.
    assert re.search(r"Tags heading</a>\s*<ol>\s*<li><a href=\"#cite-this-article\"", toc)


def test_a_short_piece_has_no_contents(client, make_post):
    post = make_post(body="Lead.\n\n## One\n\nText.\n\n### Two\n\nText.\n\n#### Three\n\nText.")
    page = page_of(client, post)
    assert 'class="toc"' not in page and "Contents</h2>" not in page
    long_page = page_of(client, make_post(body=LONG_BODY))
    assert 'class="toc"' in long_page and "Contents</h2>" in long_page


def test_the_page_keeps_ids_unique_headings_in_order_and_landmarks_labelled(
    client, make_post, make_author
):
    authors = [make_author("Ana Lima", bio="Bio."), make_author("Bo Chen")]
    older = make_post("Older", tags=["ports"], published_at=MAY_22 - timedelta(days=1))
    post = make_post(body=LONG_BODY, authors=authors, tags=["ports"], published_at=MAY_22)
    make_post("Newer", tags=["ports"], published_at=MAY_22 + timedelta(days=1))
    page = Page(page_of(client, post))
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert duplicates == []
    assert "cite-this-article" in page.ids  # the page's own ids are seen
    levels = page.heading_levels
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    navs = [attrs for tag, attrs in page.elements if tag == "nav"]
    assert all("aria-label" in nav or "aria-labelledby" in nav for nav in navs)
    assert {"aria-label": "Previous and next articles", "class": "article-nav wrap"} in navs
    for tag, attrs in page.elements:
        if "aria-labelledby" in attrs:
            assert attrs["aria-labelledby"] in page.ids, tag
    assert f'href="{older.get_absolute_url()}"' in page_of(client, post)


# Featured image and authors -----------------------------------------------------------------


def test_a_library_image_shows_its_caption_and_credit(client, make_post):
    image = Image.objects.create(
        file=ContentFile(jpeg(), name="x.jpg"),
        alt_text="Cranes",
        caption="The port at dusk.",
        credit="Jan Kowalski / Agency",
    )
    page = page_of(client, make_post(image=image))
    assert (
        "<figcaption>The port at dusk. "
        '<span class="article-figure__credit"><span class="visually-hidden">Credit: </span>'
        "Jan Kowalski / Agency</span></figcaption>"
    ) in page
    # The post's own caption wins over the library's; the credit stays.
    page = page_of(client, make_post(image=image, image_caption="Our caption."))
    assert "<figcaption>Our caption. <span" in page and "Jan Kowalski / Agency" in page


def test_an_external_image_has_no_credit(client, make_post):
    post = make_post(external_image="/static/demo/a.jpg", image_caption="A caption.")
    page = page_of(client, post)
    assert "<figcaption>A caption.</figcaption>" in page
    assert "article-figure__credit" not in page
    image = Image.objects.create(
        file=ContentFile(jpeg(), name="x.jpg"), alt_text="Cranes", credit="Jan Kowalski"
    )
    assert "article-figure__credit" in page_of(client, make_post(image=image))


def test_each_author_gets_a_note_in_byline_order(client, make_post, make_author):
    zed = make_author(
        "Zed Adams", slug="zed", affiliation="Harbour Institute", bio="Zed writes on **ports**."
    )
    zed.photo.save("zed.jpg", ContentFile(jpeg()), save=True)
    ana = make_author("Ana Lima", slug="ana", bio="Ana studies trade.")
    page = page_of(client, make_post(authors=[zed, ana]))
    notes = page[page.index("About the authors") :]
    assert notes.index('href="/authors/zed/">Zed Adams</a></h3>') < notes.index(
        'href="/authors/ana/">Ana Lima</a></h3>'
    )
    assert f'src="{zed.photo.url}"' in notes and notes.count('class="author-note__photo"') == 1
    assert '<p class="author-note__affiliation">Harbour Institute</p>' in notes
    assert "Zed writes on <strong>ports</strong>." in notes and "Ana studies trade." in notes
    byline = page[page.index('class="byline"') :]
    assert byline.index("Zed Adams") < byline.index("Ana Lima")


# Previous and next --------------------------------------------------------------------------


@pytest.fixture
def timeline(make_post):
    """Three public posts a day apart, with a draft, a post in review and a scheduled post
    among them."""
    now = timezone.now()
    first = make_post("First", published_at=now - timedelta(days=3))
    make_post("Draft", status=Post.Status.DRAFT, published_at=now - timedelta(days=2, hours=12))
    second = make_post("Second", published_at=now - timedelta(days=2))
    make_post("In review", status=Post.Status.REVIEW, published_at=now - timedelta(days=1.5))
    third = make_post("Third", published_at=now - timedelta(days=1))
    make_post("Scheduled", published_at=now + timedelta(days=1))
    return first, second, third


def test_previous_and_next_follow_publication_among_public_posts(timeline):
    first, second, third = timeline
    assert Post.objects.published().around(first) == (None, second)
    assert Post.objects.published().around(second) == (first, third)
    assert Post.objects.published().around(third) == (second, None)


def test_posts_published_at_the_same_moment_are_ordered_by_id(make_post):
    moment = timezone.now() - timedelta(hours=5)
    a, b, c = (make_post(published_at=moment) for _ in range(3))
    assert Post.objects.published().around(b) == (a, c)


def test_the_page_links_previous_and_next_and_neither_at_the_ends(client, timeline):
    first, second, third = timeline
    page = page_of(client, second)
    nav = page[page.index('<nav class="article-nav') :]
    assert re.search(
        r'<a href="/posts/[^"]+/"><span class="article-nav__label">Previous article</span> '
        r'<span class="article-link__title">First</span></a>',
        nav,
    )
    assert 'Next article</span> <span class="article-link__title">Third<' in nav
    assert "Draft" not in page and "In review" not in page and "Scheduled" not in page
    assert "Previous article" not in page_of(client, first)
    assert "Next article" not in page_of(client, third)


def test_a_lone_post_has_no_previous_next_nav(client, make_post):
    lone = make_post()
    assert "article-nav" not in page_of(client, lone)
    make_post()
    assert "article-nav" in page_of(client, lone)


# Related posts ------------------------------------------------------------------------------


def test_related_posts_share_the_most_tags_newest_first_at_most_three(make_post):
    now = timezone.now()
    post = make_post(tags=["a", "b", "c"], published_at=now - timedelta(days=5))
    two_old = make_post(tags=["a", "b", "x"], published_at=now - timedelta(days=4))
    two_new = make_post(tags=["b", "a"], published_at=now - timedelta(days=2))
    three = make_post(tags=["a", "b", "c", "y"], published_at=now - timedelta(days=9))
    make_post(tags=["a"], published_at=now - timedelta(days=1))  # one tag: fourth, cut
    make_post(tags=["a", "b", "c"], status=Post.Status.DRAFT)
    make_post(tags=["a", "b", "c"], published_at=now + timedelta(days=1))  # scheduled
    make_post(tags=["z"])
    assert article.related(post) == [three, two_new, two_old]


def test_related_posts_never_include_the_post_and_need_tags(make_post):
    post = make_post(tags=["a"])
    assert article.related(post) == []  # nothing else shares "a"; the post itself is left out
    other = make_post(tags=["a"])
    assert article.related(post) == [other]
    untagged = make_post()
    assert article.related(untagged) == []


def test_the_page_lists_related_posts(client, make_post):
    post = make_post(tags=["ports"])
    other = make_post("Harbour dues", tags=["ports"])
    page = page_of(client, post)
    related = page[page.index('<section class="related') :]
    link = f'<a href="{other.get_absolute_url()}"><span class="article-link__title">Harbour dues<'
    assert link in related
    assert "Related articles" in related
    assert "Related articles" not in page_of(client, make_post(tags=["alone"]))


# Citations ----------------------------------------------------------------------------------

URL = "http://testserver/posts/harbours/"
SITE = "<i>The Meridian Review</i>"


def plain(markup: str) -> str:
    """A citation as a reader copies it from the page: the text without its markup."""
    return html.unescape(strip_tags(markup))


def citation(*names, title="Harbours and Hegemony"):
    date = Post(published_at=MAY_22, published_offset=480).published_local
    return Citation(title, [Name.parse(name) for name in names], "The Meridian Review", date, URL)


@pytest.mark.parametrize(
    ("names", "chicago", "apa"),
    [
        (["Ana Lima"], "Lima, Ana.", "Lima, A."),
        (["Ana Lima", "Bo Chen"], "Lima, Ana, and Bo Chen.", "Lima, A., & Chen, B."),
        (
            ["Ana Lima", "Bo Chen", "Jean-Paul van der Berg"],
            "Lima, Ana, Bo Chen, and Jean-Paul van der Berg.",
            "Lima, A., Chen, B., & van der Berg, J.-P.",
        ),
    ],
)
def test_citations_for_one_two_and_three_authors(names, chicago, apa):
    cite = citation(*names)
    assert plain(cite.chicago) == (
        f"{chicago} “Harbours and Hegemony.” The Meridian Review, May 22, 2025. {URL}."
    )
    assert plain(cite.apa) == (
        f"{apa} (2025, May 22). Harbours and Hegemony. The Meridian Review. {URL}"
    )
    # On the page the site's name is in italics, and the text is escaped.
    assert cite.chicago == (
        f"{escape(chicago)} “Harbours and Hegemony.” {SITE}, May 22, 2025. {URL}."
    )
    assert cite.apa == f"{escape(apa)} (2025, May 22). Harbours and Hegemony. {SITE}. {URL}"


def test_names_are_parsed_for_citation_styles():
    king = Name.parse("Martin Luther King Jr.")
    assert (king.inverted, king.natural, king.apa) == (
        "King, Martin Luther, Jr.",
        "Martin Luther King Jr.",
        "King, M. L., Jr.",
    )
    assert Name.parse("Lima, Ana Maria").apa == "Lima, A. M."
    assert Name.parse("Plato").apa == "Plato" and Name.parse("Plato").inverted == "Plato"
    assert Name.parse("Charles de Gaulle").inverted == "de Gaulle, Charles"
    assert Name.parse("  Ana   Lima ").natural == "Ana Lima"


def test_long_author_lists_are_shortened_as_each_style_says():
    names = [Name.parse(f"Ann Author{n}") for n in range(1, 23)]
    assert chicago_authors(names) == (
        "Author1, Ann, Ann Author2, Ann Author3, Ann Author4, Ann Author5, Ann Author6, "
        "Ann Author7, et al."
    )
    apa = apa_authors(names)
    assert apa.startswith("Author1, A., Author2, A.,") and apa.endswith(
        "Author19, A., . . . Author22, A."
    )


def test_citations_without_authors_and_with_a_question_for_a_title():
    cite = citation(title='Why do "ports" matter?')
    assert cite.chicago == f"“Why do ’ports’ matter?” {SITE}, May 22, 2025. {URL}."
    assert cite.apa == f"Why do &quot;ports&quot; matter? (2025, May 22). {SITE}. {URL}"


def test_the_page_cites_the_article(client, make_post, make_author):
    post = make_post(
        "Harbours & Hegemony",
        slug="harbours",
        authors=[make_author("Ana Lima"), make_author("Bo Chen")],
        published_at=MAY_22,
        published_offset=480,
    )
    page = page_of(client, post)
    assert (
        "<dt>Chicago</dt><dd>Lima, Ana, and Bo Chen. “Harbours &amp; Hegemony.” "
        f"{SITE}, May 22, 2025. {URL}.</dd>"
    ) in page
    assert (
        f"<dt>APA</dt><dd>Lima, A., &amp; Chen, B. (2025, May 22). Harbours &amp; Hegemony. "
        f"{SITE}. {URL}</dd>"
    ) in page
    assert '<a href="/posts/harbours/cite.bib" download>' in page


def test_a_preview_of_a_draft_offers_no_citation(staff_client, make_post):
    post = make_post(status=Post.Status.DRAFT)
    page = staff_client.get(f"/admin/posts/post/{post.pk}/preview/").content.decode()
    assert post.title in page
    assert "Cite this article" not in page and "cite.bib" not in page
    published = make_post(slug="live")
    page = staff_client.get(published.get_absolute_url()).content.decode()
    assert "Cite this article" in page and "/posts/live/cite.bib" in page


# BibTeX -------------------------------------------------------------------------------------


def test_the_bibtex_download(client, make_post, make_author):
    post = make_post(
        "R&D: 50% of $ on C# {braces} \\ back_slash ^ ~ and “Ünïcode”",
        slug="harbours",
        authors=[make_author("Ana Lima"), make_author("Jean-Paul van der Berg")],
        published_at=MAY_22,
        published_offset=480,
    )
    response = client.get("/posts/harbours/cite.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="harbours.bib"'
    assert response.content.decode() == (
        "@online{harbours,\n"
        "  author = {Lima, Ana and van der Berg, Jean-Paul},\n"
        "  title = {{R\\&D: 50\\% of \\$ on C\\# \\{braces\\} \\textbackslash{} back\\_slash "
        "\\^{} \\~{} and “Ünïcode”}},\n"
        "  organization = {The Meridian Review},\n"
        "  date = {2025-05-22},\n"
        "  url = {http://testserver/posts/harbours/},\n"
        "}\n"
    )
    assert post.slug in client.get(post.get_absolute_url()).content.decode()


def test_a_unicode_slug_gets_an_ascii_key_and_both_file_names(client, make_post):
    make_post(slug="défense-européenne", authors=[])
    response = client.get("/posts/défense-européenne/cite.bib")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="defense-europeenne.bib"; '
        "filename*=UTF-8''d%C3%A9fense-europ%C3%A9enne.bib"
    )
    body = response.content.decode()
    assert body.startswith("@online{defense-europeenne,\n  title = ")
    assert "url = {http://testserver/posts/d%C3%A9fense-europ%C3%A9enne/}" in body


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Post.Status.DRAFT},
        {"status": Post.Status.REVIEW},
        {"published_at": datetime(2999, 1, 1, tzinfo=UTC)},  # scheduled
    ],
)
def test_no_bibtex_for_a_post_that_is_not_public(client, make_post, fields):
    post = make_post(slug="hidden", **fields)
    assert client.get("/posts/hidden/cite.bib").status_code == 404
    assert client.get(post.get_absolute_url()).status_code == 404
    assert client.get("/posts/nowhere/cite.bib").status_code == 404
    make_post(slug="public")
    assert client.get("/posts/public/cite.bib").status_code == 200


# Canonical URL ------------------------------------------------------------------------------


def test_canonical_and_og_url_name_the_original_of_a_republished_piece(client, make_post):
    original = "https://original.example.org/2025/harbours?ref=a&b=c"
    page = page_of(client, make_post(slug="republished", canonical_url=original))
    escaped = original.replace("&", "&amp;")
    assert f'<link rel="canonical" href="{escaped}">' in page
    assert f'<meta property="og:url" content="{escaped}">' in page
    own = page_of(client, make_post(slug="own"))
    assert '<link rel="canonical" href="http://testserver/posts/own/">' in own
    assert '<meta property="og:url" content="http://testserver/posts/own/">' in own


# Print --------------------------------------------------------------------------------------


def print_rules() -> str:
    """The body of the stylesheet's main @media print block (section 11)."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    start = css.index("{", css.index("@media print"))
    depth = 0
    for end, char in enumerate(css[start:], start):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return css[start + 1 : end]
    raise AssertionError("The @media print block is not closed.")


def test_the_print_stylesheet_prints_a_clean_article():
    rules = " ".join(print_rules().split())
    hidden = re.findall(r"([^{}]+)\{\s*display:\s*none\s*!important;?\s*\}", rules)
    hidden = {selector.strip() for group in hidden for selector in group.split(",")}
    for part in (".skip-link", ".site-nav", ".site-footer", ".toc", ".article-nav", ".related"):
        assert part in hidden, part
    assert '.prose a[href^="http"]::after { content: " (" attr(href) ")";' in rules
    assert '.prose a[href^="/"]::after { content: " (" attr(href) ")";' in rules
    assert "--ink: #000" in rules and "--paper: #fff" in rules and "img { filter: none; }" in rules
    assert "img { max-width: 100% !important;" in rules
    css = CSS.read_text()
    # One print block, after every screen rule it overrides.
    assert css.count("@media print") == 1
    assert "/* Article extras" in css and css.index("/* Article extras") < css.index("@media print")


# Queries ------------------------------------------------------------------------------------


def queries_for(client, post) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(post.get_absolute_url()).status_code == 200
    return [query["sql"] for query in captured]


def forget_page(url):
    """The page's cache entry dropped, and nothing else: what the page costs to render again."""
    store.cache().delete(store.request_key(RequestFactory().get(url)))


def test_the_article_costs_four_queries_however_many_authors_tags_and_related_posts(
    client, make_post, make_author
):
    small = make_post(authors=[make_author()], tags=["t0"])
    make_post(tags=["t0"])  # one related post
    tags = [f"t{n}" for n in range(1, 6)]
    large = make_post(authors=[make_author() for _ in range(5)], tags=tags)
    for n in range(6):
        make_post(authors=[make_author(), make_author()], tags=tags[: n + 1])
    assert len(article.related(large)) == 3
    # Post, bylines, tags, the schedule, neighbours, related posts, the linked posts by id.
    assert len(queries_for(client, small)) == 7
    # The schedule is known by now.
    assert len(queries_for(client, large)) == 6
    for post in (small, large):
        forget_page(post.get_absolute_url())
        # Post, bylines, tags, the linked posts by id: the links are remembered.
        assert len(queries_for(client, post)) == 4


def test_the_article_describes_itself_to_search_engines_as_json_ld(client, make_post, make_author):
    import json
    import re

    first, second = make_author("Ana Lima", slug="ana-lima"), make_author("Bo Chen", slug="bo-chen")
    post = make_post(
        "Ports </script> and Power",
        slug="ports",
        authors=[first, second],
        tags=["maritime"],
        description="Why harbours matter.",
        external_image="/static/demo/a.jpg",
        image_alt="Cranes",
    )
    page = client.get("/posts/ports/").content.decode()
    [raw] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    data = json.loads(raw)
    assert (data["@type"], data["headline"]) == ("Article", "Ports </script> and Power")
    assert [a["name"] for a in data["author"]] == ["Ana Lima", "Bo Chen"]
    assert data["author"][0]["url"] == "http://testserver/authors/ana-lima/"
    assert data["datePublished"] == post.published_local.isoformat()
    assert data["image"] == {
        "@type": "ImageObject",
        "url": "http://testserver/static/demo/a.jpg",
        "caption": "Cranes",
    }
    assert data["keywords"] == ["maritime"] and data["description"] == "Why harbours matter."

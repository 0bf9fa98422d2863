"""No address or query string makes the site fail: random text in every public URL's parts, in
the parameters public pages read and in the editors' post list answers with a page, a redirect or
an error page, never a 500 (the test client raises any exception a view lets escape)."""

import re
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.models import Group
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editorial import previews
from posts.models import Post, Section

# The editors' desk is fuzzed through its post list below; uploaded files are not pages.
PRIVATE = ("admin/", "markdownx/")
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")

FUZZ = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Any text a URL can carry in UTF-8 (every code point but lone surrogates), controls included.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)
AWKWARD = st.sampled_from(
    [
        "\x00",
        "\x1f",
        "\x7f",
        "\u202e",
        "\u200f",
        "\ufeff",
        "🦄",
        "👩‍👩‍👧",
        "%00",
        "..",
        " ",
        "x" * 3000,
    ]
)
# Numbers at the edges of dates, pages and integer columns, and far beyond them.
EDGES = st.sampled_from(
    ["0", "-1", "1", "12", "13", "31", "32", "9999", "10000", "2147483648", "99999999999"]
)
NUMBERS = EDGES | st.integers(min_value=-(10**40), max_value=10**40).map(str)
VALUES = st.one_of(
    ANY_TEXT, NUMBERS, AWKWARD, st.lists(AWKWARD | ANY_TEXT, max_size=4).map("".join)
)
# Bytes as a browser would percent-encode them, valid UTF-8 or not.
ENCODED_BYTES = st.binary(max_size=40).map(lambda raw: "".join(f"%{byte:02X}" for byte in raw))


def public_routes(patterns=None, prefix=""):
    """Every public page's route from the site's resolver, e.g. "posts/<str:slug>/"."""
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        # The media route is the one regular expression: uploaded files, not pages.
        if route.startswith(PRIVATE) or not isinstance(entry.pattern, RoutePattern):
            continue
        if isinstance(entry, URLResolver):
            routes += public_routes(entry.url_patterns, route)
        else:
            routes.append(route)
    return routes


def fill(route, value_for):
    """The route as a path, each <converter:name> replaced by value_for(section, converter,
    name), where section is the route's first part ("posts", "archive"…)."""
    section = route.split("/")[0]
    return "/" + _CONVERTER.sub(
        lambda match: value_for(section, match["converter"], match["name"]), route
    )


@pytest.fixture
def site(make_post, make_author):
    """Published posts with tags, an author and a section; the values that name them in URLs;
    and a shared preview link of a draft."""
    author = make_author("Ada Lovelace", slug="ada")
    section = Section.objects.create(name="Columns", slug="columns")
    post = make_post("On engines", authors=[author], section=section, tags=["engines", "été"])
    make_post("Second thoughts", authors=[author], tags=["engines"])
    draft = make_post("Draft", status=Post.Status.DRAFT, published_at=None)
    published = timezone.localtime(post.published_at)
    return {
        "post": post,
        "good": {
            ("posts", "slug"): post.slug,
            ("tags", "slug"): post.tags.get(name="engines").slug,
            ("authors", "slug"): author.slug,
            ("sections", "slug"): section.slug,
            ("archive", "year"): str(published.year),
            ("archive", "month"): str(published.month),
            ("preview", "token"): previews.token_for(previews.share(draft, None)),
            ("sitemap-<section>.xml", "section"): "posts",
        },
    }


def test_no_public_url_or_parameter_is_a_server_error(client, site):
    routes = public_routes()
    expected = {"posts/<str:slug>/", "archive/<int:year>/<int:month>/", "preview/<str:token>/"}
    expected |= {"sitemap.xml", "robots.txt", "search/", "feed.xml", "tags/<str:slug>/feed.xml"}
    assert expected.issubset(routes)
    good = site["good"]
    segments = st.one_of(
        st.sampled_from(sorted(good.values())),
        VALUES.map(lambda value: quote(value, safe="")),
        ENCODED_BYTES,
    )
    query = st.one_of(
        st.dictionaries(st.sampled_from(["page", "q", "p"]) | ANY_TEXT, VALUES, max_size=3).map(
            lambda params: urlencode(params, doseq=True)
        ),
        st.builds(
            lambda key, raw: f"{key}={raw}", st.sampled_from(["page", "q", "p"]), ENCODED_BYTES
        ),
    )

    @FUZZ
    @given(st.data())
    def check(data):
        route = data.draw(st.sampled_from(routes))
        # An int converter matches only digits: mostly give it digits, of any size.
        path = fill(
            route,
            lambda section, converter, name: data.draw(
                st.integers(min_value=0).map(str) | EDGES.filter(str.isdigit) | segments
                if converter == "int"
                else segments
            ),
        )
        if data.draw(st.booleans()):
            path += "?" + data.draw(query)
        response = client.get(path)
        assert response.status_code < 500, path

    check()
    for route in routes:
        path = fill(route, lambda section, converter, name: quote(good[section, name]))
        assert client.get(path).status_code == 200, path
    assert client.get("/search/", {"q": "engines", "page": "1"}).status_code == 200


# What the post list reads: search, page, ordering, its filters and the date hierarchy.
CHANGELIST_PARAMETERS = [
    "q", "p", "o", "e", "all", "status__exact", "tags__id__exact", "authors__id__exact",
    "section__id__exact", "published_at__year", "published_at__month", "published_at__day",
    "published_at__gte", "published_at__lt", "published_at__isnull",
]  # fmt: skip


def test_no_post_list_parameter_is_a_server_error(client, site, django_user_model):
    editor = django_user_model.objects.create_user("desk", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    post = site["post"]
    known = [str(post.pk), str(post.tags.first().pk), str(post.published_at.year), "published"]
    values = st.one_of(st.sampled_from(known), VALUES)
    parameters = st.dictionaries(
        st.sampled_from(CHANGELIST_PARAMETERS) | ANY_TEXT, values, max_size=4
    )

    @FUZZ
    @given(parameters)
    def check(params):
        response = client.get("/admin/posts/post/", params)
        assert response.status_code < 500, params

    check()
    response = client.get("/admin/posts/post/", {"published_at__year": post.published_at.year})
    assert response.status_code == 200
    assert "On engines" in response.content.decode()

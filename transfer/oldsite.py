"""What the old site served besides its posts, and the Quire page that serves it now: its feeds,
its paginated listings, its collections' index pages, its tag, category and date archives, and
its tags page. Each old path comes in every form the site's paths take (see `Site.old_paths`).

Only what the old site served is redirected: what its config turns on (jekyll-feed,
jekyll-paginate, jekyll-paginate-v2, jekyll-archives) or a page file it has; and only to a Quire
page that exists, one with a published post of the import behind it.

An old listing page N leads to the Quire page that holds the post that opened it: Quire's pages
hold another number of posts, and list the collections' posts too, so the same number would show
other posts. Both sites' later pages drift as posts are added; this is right on the day of the
import, and near it after.
"""

import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from posts.models import Post
from posts.pagination import ORDER
from posts.slugs import readable_slug

from . import frontmatter, permalinks
from .documents import FrontMatterError, read_document
from .jekyll import HTML_SUFFIX, MARKDOWN_SUFFIXES, Site, Source, has_front_matter, quire_path
from .validation import CHUNK

# One old path: where it was, the Quire path that serves it now, and why.
OldPath = tuple[str, str, str]
# Files Jekyll renders as pages, feeds among them.
_PAGE_SUFFIXES = {*MARKDOWN_SUFFIXES, HTML_SUFFIX, ".xml"}
# Feeds sites write by hand, and the Quire feed of the same kind.
_HAND_WRITTEN_FEEDS = {
    "/atom.xml": "posts:feed",
    "/feed.xml": "posts:feed",
    "/feed/": "posts:feed",
    "/rss.xml": "posts:rss",
}
# The names theme pages listing every tag or category go by (`/tags/`, `/categories.html`).
_TAG_INDEXES = {"tags", "categories", "tag", "category"}
# jekyll-archives' DEFAULTS.
_ARCHIVE_PERMALINKS = {
    "year": "/:year/",
    "month": "/:year/:month/",
    "day": "/:year/:month/:day/",
    "tag": "/tag/:name/",
    "category": "/category/:name/",
}
# jekyll-feed makes a feed per tag only for tags of these characters.
_FEED_TAG = re.compile(r"\w+", re.ASCII)


@dataclass
class Published:
    """A post of the import that Quire shows, with what the old site's listings knew of it."""

    source: Source
    pk: int
    published_at: datetime
    section: str | None = None
    hidden: bool = False  # `hidden: true`, which jekyll-paginate leaves out
    categories: list[str] = field(default_factory=list)  # Jekyll's: folders, then front matter
    tags: dict[str, str] = field(default_factory=dict)  # Quire's tags: name -> slug

    @property
    def in_posts(self) -> bool:
        return self.source.collection == "posts" and not self.source.in_drafts

    def day(self, site: Site) -> datetime:
        """The day Jekyll filed the post under: its date in the site's time zone."""
        return self.published_at.astimezone(site.zone or UTC)


def site_redirects(sites: list[Site], posts_by_source: dict[Source, int | None]) -> list[OldPath]:
    """The old sites' paths that were not posts', each with the Quire path to send it to and
    why; `posts_by_source` is the id of the post each file of the import became."""
    published = published_posts(posts_by_source)
    found: dict[str, tuple[str, str]] = {}
    for site in sites:
        if site.root is None:
            continue
        old = OldSite(site, [post for post in published if post.source.site is site])
        below: dict[str, tuple[str, str]] = {}
        for path, target, why in old.redirects():
            below.setdefault(path, (target, why))
        for path, (target, why) in below.items():
            for form in site.old_paths(path):
                # A path Quire answers itself (its /feed.xml, its /tags/) needs no redirect.
                if not quire_path(form):
                    found.setdefault(form, (target, why))
    return [(path, target, why) for path, (target, why) in found.items()]


def published_posts(posts_by_source: dict[Source, int | None]) -> list[Published]:
    """The posts Quire shows among those the files became, newest first; a query a chunk."""
    sources = {pk: source for source, pk in posts_by_source.items() if pk is not None}
    ids = sorted(sources)
    columns = (
        "pk", "published_at", "section__slug", "front_matter__hidden",
        "front_matter__category", "front_matter__categories", "tags__name", "tags__slug",
    )  # fmt: skip
    posts: dict[int, Published] = {}
    for start in range(0, len(ids), CHUNK):
        rows = Post.objects.published().filter(pk__in=ids[start : start + CHUNK])
        for pk, at, section, hidden, category, categories, tag, slug in rows.values_list(*columns):
            if pk not in posts:
                source = sources[pk]
                named = frontmatter.categories({"category": category, "categories": categories})
                posts[pk] = Published(
                    source, pk, at, section, hidden is True, [*source.categories, *named]
                )
            if tag is not None:
                posts[pk].tags[tag] = slug
    return sorted(posts.values(), key=lambda post: (post.published_at, post.source.key))[::-1]


@dataclass
class Listing:
    """A paginated listing of the old site: the URL of its first page and the template of the
    later ones (with `:num`), its page size and its posts in order; and the Quire listing
    that holds them, its path and its posts."""

    first: str
    later: str
    per_page: int
    posts: list[Published]
    target: str
    quire: QuerySet

    def redirects(self) -> Iterator[OldPath]:
        """Each old page to the Quire page holding the post that opened it."""
        order = self.quire.order_by(*ORDER).values_list("pk", flat=True)
        positions = {pk: position for position, pk in enumerate(order)}
        for number in range(1, math.ceil(len(self.posts) / self.per_page) + 1):
            opening = self.posts[(number - 1) * self.per_page]
            # A post an editor has since moved out of the listing leaves its first page.
            page = positions.get(opening.pk, 0) // settings.QUIRE_POSTS_PER_PAGE + 1
            target = self.target if page == 1 else f"{self.target}?page={page}"
            path = self.first if number == 1 else self.later.replace(":num", str(number))
            yield page_url(path), target, f"old listing page {number}"


@dataclass
class OldSite:
    """One Jekyll site's pages besides its posts, and its posts as Quire shows them."""

    site: Site
    posts: list[Published]

    def redirects(self) -> Iterator[OldPath]:
        yield from self.feeds()
        yield from self.hand_written_feeds()
        for listing in self.listings():
            yield from listing.redirects()
        yield from self.collection_indexes()
        yield from self.archives()
        yield from self.tag_indexes()

    @property
    def config(self) -> dict:
        return self.site.config

    def uses(self, gem: str) -> bool:
        """Whether the site loads the plugin: its config lists it, or its Gemfile names it."""
        listed = [*(self.config.get("plugins") or []), *(self.config.get("gems") or [])]
        gemfile = self.site.root / "Gemfile"
        named = re.compile(rf"""^\s*gem\s+["']{re.escape(gem)}["']""", re.MULTILINE)
        if gem in listed:
            return True
        return gemfile.is_file() and bool(named.search(gemfile.read_text(errors="replace")))

    # Feeds

    def feeds(self) -> Iterator[OldPath]:
        """jekyll-feed's: the posts' feed (`feed: path:`, else /feed.xml), one per category and
        collection it is told of, and one per tag if `feed: tags:` says so."""
        if not self.uses("jekyll-feed"):
            return
        config = mapping(self.config.get("feed"))
        collections = config.get("collections") or {}
        if isinstance(collections, list):
            collections = {str(label): {} for label in collections}
        collections = {label: mapping(meta) for label, meta in mapping(collections).items()}
        # Its normalize_posts_meta: the posts' own entry first, then the top-level keys.
        posts = collections.pop("posts", {})
        path = posts.get("path") or config.get("path") or "/feed.xml"
        yield leading_slash(path), reverse("posts:feed"), "old feed"
        for category in names(posts.get("categories") or config.get("categories")):
            if slug := self.tag_slug(category):
                target = reverse("posts:tag_feed", kwargs={"slug": slug})
                yield f"/feed/{category}.xml", target, f"old feed of category {category}"
        for label, meta in collections.items():
            if not self.section_shown(label):
                continue
            target = reverse("posts:section_feed", kwargs={"slug": readable_slug(label)})
            paths = [meta.get("path") or f"/feed/{label}.xml"]
            # Quire has no feed of a section's category: the section's is the nearest.
            paths += [f"/feed/{label}/{category}.xml" for category in names(meta.get("categories"))]
            for path in paths:
                yield leading_slash(path), target, f"old feed of {label}"
        yield from self.tag_feeds(config.get("tags"))

    def tag_feeds(self, config) -> Iterator[OldPath]:
        """jekyll-feed's feed per tag (`only:` some, less `except:`), under `path:`."""
        if not config:
            return
        config = mapping(config)
        posts_tags = [name for post in self.posts if post.in_posts for name in post.tags]
        tags = names(config.get("only")) or posts_tags
        folder = config.get("path") or "/feed/by_tag/"
        for name in dict.fromkeys(tags):
            slug = self.tag_slug(name)
            if slug and name not in names(config.get("except")) and _FEED_TAG.fullmatch(name):
                target = reverse("posts:tag_feed", kwargs={"slug": slug})
                yield leading_slash(f"{folder}{name}.xml"), target, f"old feed of tag {name}"

    def hand_written_feeds(self) -> Iterator[OldPath]:
        for path, name in _HAND_WRITTEN_FEEDS.items():
            if path in self.pages:
                yield path, reverse(name), "old feed"

    # Listings

    def listings(self) -> Iterator[Listing]:
        """The site's paginated listings: jekyll-paginate's of every post (`paginate: N`), and
        jekyll-paginate-v2's of each page that turns it on."""
        posts = [post for post in self.posts if post.in_posts and not post.hidden]
        per_page = self.config.get("paginate")
        first = self.paginated_index()
        if positive(per_page) and posts and first is not None:
            later = page_url(leading_slash(str(self.config.get("paginate_path") or "/page:num")))
            yield Listing(first, later, per_page, posts, *self.quire_listing("posts"))
        yield from self.listings_v2()

    def paginated_index(self) -> str | None:
        """The URL of the `index.html` jekyll-paginate paginates: the one in the folder of
        `paginate_path`, or failing that the nearest above it."""
        template = PurePosixPath(str(self.config.get("paginate_path") or "/page:num").strip("/"))
        for folder in [template.parent, *template.parent.parents]:
            if (self.site.root / folder / "index.html").is_file():
                return page_url(f"/{folder}/".replace("/./", "/"))
        return None

    def listings_v2(self) -> Iterator[Listing]:
        """jekyll-paginate-v2's listings, of the pages whose `pagination:` turns it on: of the
        posts or of one collection, unfiltered by category or tag (Quire's listings of a tag
        hold the collections' posts too)."""
        defaults = mapping(self.config.get("pagination"))
        if not defaults.get("enabled"):
            return
        for url, values in self.pages.items():
            own = mapping(values.get("pagination"))
            options = {**defaults, **own}
            if not own.get("enabled") or options.get("category") or options.get("tag"):
                continue
            label = str(options.get("collection") or "posts")
            posts = [
                post
                for post in self.posts
                if post.source.collection == label and (label != "posts" or post.in_posts)
            ]
            per_page = options.get("per_page") or 10
            later = url.rstrip("/") + leading_slash(str(options.get("permalink") or "/page/:num/"))
            if posts and positive(per_page) and (label == "posts" or self.section_shown(label)):
                yield Listing(url, later, per_page, posts, *self.quire_listing(label))

    def quire_listing(self, label: str) -> tuple[str, QuerySet]:
        """Where Quire lists a collection's posts, and what it lists there: the home page lists
        every post, a section its own."""
        if label == "posts":
            return reverse("posts:home"), Post.objects.published()
        slug = readable_slug(label)
        section = Post.objects.published().filter(section__slug=slug)
        return reverse("posts:section", kwargs={"slug": slug}), section

    # Pages

    @cached_property
    def pages(self) -> dict[str, dict]:
        """Page URL -> the page's front matter, for every page file of the site."""
        return dict(self.read_pages())

    def read_pages(self) -> Iterator[tuple[str, dict]]:
        """Each file Jekyll makes a page of (a file with front matter outside the folders whose
        names start with _, unless `include:`d) or copies as it is (a feed written without
        front matter), with its URL."""
        for file, relative in self.page_files():
            if not has_front_matter(file):
                yield "/" + str(relative), {}
                continue
            try:
                values, _ = read_document(file)
            except FrontMatterError:
                continue  # Jekyll, too, builds the rest of a site whose page it cannot read
            yield self.page_url(relative, values), values

    def page_files(self) -> Iterator[tuple[Path, PurePosixPath]]:
        root = self.site.root
        included = {str(name).strip("/") for name in self.config.get("include") or []}
        for folder, subfolders, files in os.walk(root):
            here = PurePosixPath(Path(folder).relative_to(root).as_posix())
            subfolders[:] = [
                name
                for name in subfolders
                if (not name.startswith("_") or name in included)
                and not self.site.excluded(here / name)
            ]
            for name in files:
                file, relative = Path(folder) / name, here / name
                if (
                    Path(name).suffix.lower() in _PAGE_SUFFIXES
                    and not name.startswith("_")
                    and not self.site.excluded(relative)
                    and file.resolve().is_relative_to(root.resolve())
                ):
                    yield file, relative

    def page_url(self, relative: PurePosixPath, values: dict) -> str:
        """Page#url: the permalink its front matter gives, else one from its place and name."""
        permalink = values.get("permalink")
        if isinstance(permalink, str) and permalink.strip():
            return page_url(leading_slash(permalink.strip()))
        folder = "" if str(relative.parent) == "." else f"/{relative.parent}"
        if relative.suffix.lower() == ".xml":
            return f"{folder}/{relative.name}"
        if relative.stem == "index":
            return f"{folder}/"
        ending = self.site.permalink_ending().replace(":output_ext", HTML_SUFFIX)
        return f"{folder}/{relative.stem}{ending}"

    def collection_indexes(self) -> Iterator[OldPath]:
        """A collection's index page, at `/label/` or where its documents' URLs start."""
        for label in self.site.collections:
            if not self.section_shown(label):
                continue
            start = self.site.permalink_template(label).split(":", 1)[0].rsplit("/", 1)[0]
            target = reverse("posts:section", kwargs={"slug": readable_slug(label)})
            for path in dict.fromkeys((f"/{label}/", page_url(start or "/"))):
                if path != "/" and path in self.pages:
                    yield path, target, f"old index of {label}"

    def tag_indexes(self) -> Iterator[OldPath]:
        """A theme's page of every tag or category, at the top of the site, becomes Quire's
        page of every tag."""
        for url in self.pages:
            path = PurePosixPath(url)
            if path.stem in _TAG_INDEXES and str(path.parent) == "/":
                yield url, reverse("posts:tags"), "old tags page"

    # Archives

    def archives(self) -> Iterator[OldPath]:
        """jekyll-archives' pages, of the kinds its `enabled:` names, at its `permalinks:`: the
        date archives to Quire's year and month archives, tag and category pages to its tags'."""
        config = self.config.get("jekyll-archives")
        if not isinstance(config, dict):
            return
        enabled = config.get("enabled") or []
        templates = {**_ARCHIVE_PERMALINKS, **mapping(config.get("permalinks"))}

        def on(kind: str) -> bool:
            return enabled in (True, "all") or (isinstance(enabled, list) and kind in enabled)

        mode = str(config.get("slug_mode") or "default")
        for post in self.posts:
            if not post.in_posts:
                continue
            yield from self.date_archives(post, templates, on)
            named = {"tag": list(post.tags) if on("tags") else []}
            named["category"] = post.categories if on("categories") else []
            for kind, kind_names in named.items():
                for name in kind_names:
                    if slug := post.tags.get(name):
                        values = {"name": permalinks.slugify(name, mode), "type": kind}
                        target = reverse("posts:tag", kwargs={"slug": slug})
                        yield archive_path(templates[kind], values), target, f"old {kind} page"

    def date_archives(self, post: Published, templates: dict, on) -> Iterator[OldPath]:
        """The old year, month and day pages a post was on (a day's leads to its month: Quire's
        archives go no deeper), each to the Quire archive the post is on."""
        day, shown = post.day(self.site), timezone.localtime(post.published_at)
        values = {"year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"}
        year = reverse("posts:archive_year", kwargs={"year": shown.year})
        month = reverse("posts:archive_month", kwargs={"year": shown.year, "month": shown.month})
        for kind, target in (("year", year), ("month", month), ("day", month)):
            if on(kind):
                yield archive_path(templates[kind], values), target, f"old {kind} archive"

    # What Quire has

    def tag_slug(self, name: str) -> str | None:
        """The slug of the Quire tag of that name, if a post of the site has it."""
        return next((post.tags[name] for post in self.posts if name in post.tags), None)

    def section_shown(self, label: str) -> bool:
        """Whether the section a collection became has a post of the site to show."""
        slug = readable_slug(label)
        return any(post.section == slug for post in self.posts)


def archive_path(template, values: dict[str, str]) -> str:
    """URL#generate_url_from_hash, as jekyll-archives fills its permalinks: each `:key` replaced
    in turn (a name it does not know stays as written), then sanitised."""
    path = "/" + str(template)
    for key, value in values.items():
        path = path.replace(f":{key}", value)
    return page_url(permalinks.sanitize(path))


def mapping(value) -> dict:
    """A config value that should be keys: itself if it is, else no keys."""
    return value if isinstance(value, dict) else {}


def positive(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def names(value) -> list[str]:
    """A config's list of names, or its keys."""
    if isinstance(value, dict):
        return [str(name) for name in value]
    return [str(name) for name in value] if isinstance(value, list) else []


def leading_slash(path: str) -> str:
    return "/" + str(path).lstrip("/")


def page_url(path: str) -> str:
    """A page's URL as requests name it: a folder's index is the folder (`/blog/`), and a path
    with no extension is a folder (Jekyll writes `/page2` as `/page2/index.html`)."""
    path = path.removesuffix("index.html")
    if not PurePosixPath(path).suffix and not path.endswith("/"):
        path += "/"
    return path

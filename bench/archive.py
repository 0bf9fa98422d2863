"""A generated archive, loaded fast: what the serving benchmarks measure pages on.

A handful of distinct bodies (the generator of bench/import_speed.py, shaped like the reference
article: italic lead, excerpt marker, ### sections, an author's bio) are each rendered once by
the model's own Post.render_markup(), and their derived fields copied to every post that uses
them, as Post.save() would have stored them; the rows are bulk-created with their own titles,
slugs, dates, bylines, tags and sections. Posts come six a day, newest first, so a larger
archive reaches further back; one in fifty is a draft and one in a hundred is scheduled.

Call these only once Django is set up.
"""

import random
import time
from datetime import timedelta

import import_speed
from scratch import body_of

DISTINCT_BODIES = 12
POSTS_PER_DAY = 6
CHUNK = 1000
SECTIONS = ("Commentary", "Analysis", "Columns", "Reviews")
COMMON_WORD = "security"  # in every generated body
RARE_WORD = "quincunx"  # in one post's title only


def build(size: int) -> tuple[str, str]:
    """`size` posts, the search index rebuilt, statistics gathered: a line saying how long it
    took, and one of the bodies."""
    from search import index

    start = time.perf_counter()
    body = fill(size)
    filled = time.perf_counter() - start
    index.rebuild()
    analyze()
    indexed = time.perf_counter() - start - filled
    return (
        f"{size:>7,} posts: filled in {filled:.1f} s, search index rebuilt (and analysed) in "
        f"{indexed:.1f} s"
    ), body


def rendered_bodies(rng: random.Random) -> list[dict]:
    """Each distinct body with every field Post.render_markup() derives from it, as save()
    would store them."""
    from posts import models

    stored = [field.attname for field in models.Post._meta.concrete_fields]
    bodies = []
    for number in range(DISTINCT_BODIES):
        post = models.Post(body=body_of(import_speed.post(rng, number)))
        before = {name: getattr(post, name) for name in stored}
        post.render_markup()
        changed = {name for name in stored if getattr(post, name) != before[name]}
        derived = changed | set(getattr(models, "DERIVED_FROM_MARKDOWN", ()))
        bodies.append({"body": post.body} | {name: getattr(post, name) for name in derived})
    return bodies


def people_and_topics(rng: random.Random):
    """The authors (each saved, so their bios render), sections and tags posts are spread over."""
    from django.utils.text import slugify
    from taggit.models import Tag

    from posts.models import Author, Section

    authors = []
    for name in import_speed.AUTHORS:
        bio = f"**{name}** {import_speed.sentence(rng, 20)}"
        author = Author(name=name, slug=slugify(name), bio=bio, affiliation="Meridian Institute")
        author.save()
        authors.append(author)
    sections = [Section.objects.create(name=name, slug=slugify(name)) for name in SECTIONS]
    tags = [Tag.objects.create(name=name, slug=slugify(name)) for name in import_speed.TAGS]
    return authors, sections, tags


def new_post(number: int, size: int, bodies, sections, rng: random.Random, now):
    """Post `number`, counted back from the newest; a few are drafts or scheduled."""
    from django.utils.text import slugify

    from posts.models import Post

    title = f"{import_speed.sentence(rng, 5)[:-1]} {number}"
    if number == size // 2:
        title = f"{RARE_WORD.capitalize()} {title}"
    status, published_at = Post.Status.PUBLISHED, now - timedelta(days=number / POSTS_PER_DAY)
    if number % 50 == 7:
        status, published_at = Post.Status.DRAFT, None
    elif number % 100 == 3:
        published_at = now + timedelta(days=1 + number % 30)
    slot = number % (len(sections) + 1)  # slot 0: no section
    return Post(
        title=title,
        slug=slugify(title),
        description=import_speed.sentence(rng, 12),
        status=status,
        published_at=published_at,
        published_offset=480,
        section=sections[slot - 1] if slot else None,
        external_image=f"https://images.example.org/{number}.jpeg",
        image_alt=import_speed.sentence(rng, 6),
        **bodies[number % len(bodies)],
    )


def fill(size: int):
    """`size` posts in chunks, each with its byline and three tags; one of the bodies."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone
    from taggit.models import TaggedItem

    from posts.models import Byline, Post

    rng = random.Random(size)
    bodies = rendered_bodies(rng)
    authors, sections, tags = people_and_topics(rng)
    post_type = ContentType.objects.get_for_model(Post)
    now = timezone.now()
    for first in range(0, size, CHUNK):
        numbers = range(first, min(first + CHUNK, size))
        with transaction.atomic():
            posts = Post.objects.bulk_create(
                [new_post(number, size, bodies, sections, rng, now) for number in numbers]
            )
            bylines, tagged = [], []
            for post in posts:
                byline = rng.sample(authors, 2 if post.pk % 5 == 0 else 1)
                bylines += [Byline(post=post, author=a, position=i) for i, a in enumerate(byline)]
                tagged += [
                    TaggedItem(content_type=post_type, object_id=post.pk, tag=tag)
                    for tag in rng.sample(tags, 3)
                ]
            Byline.objects.bulk_create(bylines)
            TaggedItem.objects.bulk_create(tagged)
    return bodies[0]["body"]


def analyze():
    """PostgreSQL plans from table statistics, and reads an index alone only where its
    visibility map says the rows are visible to all: autovacuum gathers the one and sets the
    other soon after a load like this one. Done now, the pages are timed with the plans and
    reads a live site would have."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

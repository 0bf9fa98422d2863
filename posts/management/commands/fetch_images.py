"""Pull featured images given by URL into the media library, where the network allows.

A post keeps its URL (`external_image`) whatever happens: a fetched image is linked beside it,
and a post whose image cannot be fetched goes on showing the URL.
"""

from pathlib import PurePosixPath
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction

from media.intake import reencode_upload
from media.models import Image
from posts.markup import counted
from posts.models import Post

USER_AGENT = "Quire-fetch_images/1.0"


class FetchError(Exception):
    """Why an image could not be fetched, in words for the report."""


class Command(BaseCommand):
    help = (
        "Fetch the featured images posts give by http(s) URL into the media library (alt text "
        "and caption from the post, source URL kept). Posts whose image cannot be fetched keep "
        "their URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=15, help="Seconds per image.")

    def handle(self, *args, timeout, **options):
        posts = Post.objects.filter(image__isnull=True, external_image__startswith="http")
        fetched: dict[str, Image] = {}
        failed = 0
        for post in posts.order_by("pk"):
            url = post.external_image
            try:
                image = fetched.get(url) or fetch(url, post, timeout)
            except FetchError as error:
                failed += 1
                self.stdout.write(f"{post.slug}: kept the URL, {error}")
                continue
            fetched[url] = image
            post.image = image
            post.save(update_fields=["image"])
            self.stdout.write(f"{post.slug}: {url} -> {image.file.name}")
        self.stdout.write(
            f"{counted(len(fetched), 'image')} fetched, {counted(failed, 'post')} kept their URL"
        )


def fetch(url: str, post: Post, timeout: float) -> Image:
    """Download, check and store one image, as an upload would be."""
    name = PurePosixPath(urlsplit(url).path).name or "image"
    upload = SimpleUploadedFile(name, download(url, timeout))
    try:
        clean = reencode_upload(upload)
    except ValidationError as error:
        raise FetchError(" ".join(error.messages)) from None
    with transaction.atomic():
        return Image.objects.create(
            file=clean,
            alt_text=post.image_alt,
            caption=post.image_caption,
            source_url=url,
        )


def download(url: str, timeout: float) -> bytes:
    """The body of a GET, refused past the upload size limit without reading on."""
    limit = settings.QUIRE_IMAGE_MAX_BYTES
    try:
        with urlopen(Request(url, headers={"User-Agent": USER_AGENT}), timeout=timeout) as reply:
            content = reply.read(limit + 1)
    except (URLError, OSError, ValueError) as error:
        raise FetchError(f"could not fetch {url}: {getattr(error, 'reason', error)}") from None
    if len(content) > limit:
        raise FetchError(f"{url} is over the {limit:,}-byte limit")
    return content

"""`manage.py fetch_images`: featured images given by URL join the media library when they can."""

import io
from io import StringIO
from urllib.error import URLError

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

from media.models import Image
from posts.management.commands import fetch_images
from posts.models import Post

pytestmark = pytest.mark.django_db

URL = "https://images.example.org/harbour.jpeg"


def jpeg(size=(900, 600)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "darkcyan").save(buffer, "JPEG")
    return buffer.getvalue()


def run() -> str:
    out = StringIO()
    call_command("fetch_images", stdout=out)
    return out.getvalue()


@pytest.fixture
def network(monkeypatch):
    """The web as the test says it is: URL -> bytes, or an exception to raise."""
    web = {"calls": []}

    def urlopen(request, timeout):
        web["calls"].append(request.full_url)
        answer = web[request.full_url]
        if isinstance(answer, Exception):
            raise answer
        return io.BytesIO(answer)

    monkeypatch.setattr(fetch_images, "urlopen", urlopen)
    return web


def test_a_featured_image_url_joins_the_library_with_the_posts_alt_text(network, make_post, client):
    network[URL] = jpeg()
    post = make_post(external_image=URL, image_alt="Cranes at dawn", image_caption="Rotterdam")
    output = run()
    post.refresh_from_db()
    image = post.image
    assert (image.alt_text, image.caption, image.source_url) == ("Cranes at dawn", "Rotterdam", URL)
    assert (image.width, image.height) == (900, 600)
    assert post.external_image == URL  # the source is kept
    assert output.splitlines() == [
        f"{post.slug}: {URL} -> {image.file.name}",
        "1 image fetched, 0 posts kept their URL",
    ]
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'type="image/webp"' in html and image.file.url.rsplit(".", 1)[0] not in URL


def test_one_url_is_fetched_once_for_every_post_that_gives_it(network, make_post):
    network[URL] = jpeg()
    first, second = make_post(external_image=URL), make_post(external_image=URL)
    run()
    assert network["calls"] == [URL]
    assert Image.objects.count() == 1
    assert {p.image_id for p in Post.objects.filter(pk__in=[first.pk, second.pk])} == {
        Image.objects.get().pk
    }


def test_an_unreachable_image_leaves_the_post_showing_its_url(network, make_post, client):
    network[URL] = URLError("network unreachable")
    post = make_post(external_image=URL, image_alt="Cranes")
    output = run()
    assert f"{post.slug}: kept the URL, could not fetch {URL}: network unreachable" in output
    post.refresh_from_db()
    assert post.image is None and Image.objects.count() == 0
    assert f'<img src="{URL}" alt="Cranes"' in client.get(post.get_absolute_url()).content.decode()


def test_what_is_not_an_image_is_refused_as_an_upload_would_be(network, make_post):
    network[URL] = b"<html>not an image</html>"
    post = make_post(external_image=URL)
    assert "kept the URL, harbour.jpeg: not a JPEG, PNG, GIF or WebP image" in run()
    assert Image.objects.count() == 0 and Post.objects.get(pk=post.pk).image is None


def test_site_relative_and_library_images_are_left_alone(network, make_post):
    make_post(external_image="/assets/local.png")
    assert run().splitlines() == ["0 images fetched, 0 posts kept their URL"]
    assert network["calls"] == []
    network[URL] = jpeg()
    make_post(external_image=URL)
    assert "1 image fetched, 0 posts kept their URL" in run()
    assert network["calls"] == [URL]


def test_a_download_stops_past_the_size_limit(monkeypatch, settings):
    settings.QUIRE_IMAGE_MAX_BYTES = 10
    asked = []

    class Reply(io.BytesIO):
        def read(self, size=-1):
            asked.append(size)
            return super().read(size)

    monkeypatch.setattr(fetch_images, "urlopen", lambda request, timeout: Reply(b"x" * 1000))
    with pytest.raises(fetch_images.FetchError, match="over the 10-byte limit"):
        fetch_images.download(URL, timeout=1)
    assert asked == [11]

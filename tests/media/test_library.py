"""The media library: alt text asked for and checked, usage shown, images responsive in posts."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from media.models import Image
from posts.models import Post

pytestmark = pytest.mark.django_db


def jpeg(size=(1200, 800)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "sienna").save(buffer, "JPEG")
    return buffer.getvalue()


def library_image(alt_text="Harbour cranes", size=(1200, 800)) -> Image:
    return Image.objects.create(file=ContentFile(jpeg(size), name="x.jpg"), alt_text=alt_text)


def test_the_library_asks_for_alt_text(staff_client):
    upload = SimpleUploadedFile("photo.jpg", jpeg(), "image/jpeg")
    response = staff_client.post("/admin/media/image/add/", {"file": upload, "alt_text": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"alt_text": ["This field is required."]}
    assert not Image.objects.exists()
    upload = SimpleUploadedFile("photo.jpg", jpeg(), "image/jpeg")
    response = staff_client.post("/admin/media/image/add/", {"file": upload, "alt_text": "Cranes"})
    assert response.status_code == 302 and Image.objects.get().alt_text == "Cranes"


def test_the_library_lists_thumbnails_usage_and_images_missing_alt(staff_client, make_post):
    used = library_image("Used one")
    unused = library_image("")
    make_post(body=f"Text.\n\n![Used one]({used.file.url})\n")
    html = staff_client.get("/admin/media/image/").content.decode()
    assert used.rendition_url(480) in html  # the thumbnail is a small rendition
    assert "icon-yes.svg" in html and "icon-no.svg" in html
    missing = staff_client.get("/admin/media/image/?alt=missing")
    assert list(missing.context["cl"].result_list) == [unused]


def test_an_image_page_says_where_it_is_used(staff_client, make_post):
    image = library_image()
    featured = make_post("Featured here", image=image)
    in_text = make_post("In the text", body=f"![Cranes]({image.file.url})")
    make_post("Elsewhere")
    html = staff_client.get(f"/admin/media/image/{image.pk}/change/").content.decode()
    for post in (featured, in_text):
        assert f'<a href="/admin/posts/post/{post.pk}/change/">{post.title}</a>' in html
    assert "Elsewhere" not in html


def test_a_post_with_images_missing_alt_text_is_flagged_on_save(staff_client, make_author):
    dropped = library_image(alt_text="")
    author = make_author()
    response = staff_client.post(
        "/admin/posts/post/add/",
        {
            "title": "Ports",
            "slug": "ports",
            "body": f"Lead.\n\n![]({dropped.file.url})\n\n![Described](https://img.example/a.png)",
            "body_format": "markdown",
            "status": "draft",
            "excerpt_separator": "<excerpt/>",
            "external_image": "https://img.example/featured.jpg",
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "0",
            "bylines-0-author": str(author.pk),
            "redirects-TOTAL_FORMS": "0",
            "redirects-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert any(
        message.startswith(
            f"2 image(s) have no alt text: https://img.example/featured.jpg, {dropped.file.url}."
        )
        for message in messages
    ), messages
    post = Post.objects.get()
    assert post.images_missing_alt() == ["https://img.example/featured.jpg", dropped.file.url]
    page = staff_client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()
    assert "Write alt text for 2 images" in page


def test_alt_text_written_in_the_library_reaches_an_image_dropped_without_it(make_post):
    image = library_image(alt_text="")
    post = make_post(body=f"![]({image.file.url})")
    assert post.images_missing_alt() == [image.file.url]
    image.alt_text = "Cranes at dawn"
    image.save()
    post.save()
    assert 'alt="Cranes at dawn"' in post.body_html
    assert post.images_missing_alt() == []


def test_library_images_in_a_post_are_responsive(make_post, client):
    image = library_image()
    post = make_post(body=f"Lead.\n\n![Harbour cranes]({image.file.url})\n")
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<source type="image/webp" srcset="' in html
    assert f'width="{image.width}" height="{image.height}"' in html
    assert 'loading="lazy"' in html


def test_the_preview_shows_library_images_as_readers_get_them(staff_client, make_post):
    image = library_image()
    body = f"![Harbour cranes]({image.file.url})"
    preview = staff_client.post("/markdownx/markdownify/", {"content": body}).content.decode()
    assert preview == make_post(body=body).body_html
    assert "<picture>" in preview


def test_a_featured_library_image_is_responsive_in_listings_and_articles(make_post, client):
    image = library_image()
    post = make_post(image=image)
    home = client.get("/").content.decode()
    assert f'srcset="{image.webp_srcset}"' in home
    article = client.get(post.get_absolute_url()).content.decode()
    assert f'src="{image.large_url}"' in article and 'fetchpriority="high"' in article
    assert f'alt="{image.alt_text}"' in article


def test_an_empty_file_in_the_library_is_refused_by_name(staff_client):
    upload = SimpleUploadedFile("blank.jpg", b"", "image/jpeg")
    response = staff_client.post("/admin/media/image/add/", {"file": upload, "alt_text": "X"})
    assert response.context["adminform"].form.errors == {"file": ["blank.jpg: the file is empty."]}
    assert not Image.objects.exists()
    upload = SimpleUploadedFile("full.jpg", jpeg(), "image/jpeg")
    response = staff_client.post("/admin/media/image/add/", {"file": upload, "alt_text": "X"})
    assert response.status_code == 302 and Image.objects.count() == 1

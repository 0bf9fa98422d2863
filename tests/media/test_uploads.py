"""Image intake through the editor's drop endpoint and the media library admin."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from media.models import Image
from posts import markup
from posts.models import Author

pytestmark = pytest.mark.django_db

UPLOAD = "/markdownx/upload/"


def picture(fmt="JPEG", size=(64, 48), mode="RGB", **save):
    buffer = io.BytesIO()
    PILImage.new(mode, size, "teal").save(buffer, format=fmt, **save)
    return buffer.getvalue()


def photo_with_gps_and_rotation():
    """A 60×30 JPEG whose EXIF says 'rotate 90°' and carries a GPS position."""
    exif = PILImage.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif.get_ifd(0x8825).update({1: "N", 2: (50.0, 51.0, 0.0)})  # GPSLatitude
    buffer = io.BytesIO()
    PILImage.new("RGB", (60, 30), "navy").save(buffer, "JPEG", exif=exif, comment=b"secret")
    return buffer.getvalue()


def drop(client, name, content, **extra):
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(
        UPLOAD, {"image": upload, **extra}, headers={"x-requested-with": "XMLHttpRequest"}
    )


def test_a_dropped_image_joins_the_library_reencoded_and_renamed(staff_client):
    response = drop(staff_client, "../../evil name.jpg", photo_with_gps_and_rotation(), alt="A map")
    assert response.status_code == 200
    image = Image.objects.get()
    assert response.json()["image_code"] == f"![A map]({image.file.url})"
    assert image.alt_text == "A map"
    assert "evil" not in image.file.name and image.file.name.endswith(".jpg")
    assert (image.width, image.height) == (30, 60)  # orientation applied
    assert image.uploaded_by == staff_client.user
    stored = PILImage.open(image.file.path)
    assert not stored.getexif() and "comment" not in stored.info
    assert b"secret" not in image.file.read()


def test_the_stored_format_is_the_decoded_one_not_the_name(staff_client):
    drop(staff_client, "holiday.jpg", picture("PNG"))
    assert Image.objects.get().file.name.endswith(".png")


def test_anonymous_and_non_staff_users_cannot_upload(client, django_user_model):
    assert drop(client, "a.png", picture("PNG")).status_code == 403
    reader = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(reader)
    assert drop(client, "a.png", picture("PNG")).status_code == 403
    assert not Image.objects.exists()
    client.force_login(django_user_model.objects.create_superuser("chief", password="pw"))
    assert drop(client, "a.png", picture("PNG")).status_code == 200
    assert Image.objects.count() == 1


def tiff():
    return picture("TIFF")


def svg():
    return b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def bomb():
    """A few KB of PNG that would decode to 144 megapixels."""
    return picture("PNG", size=(12_000, 12_000), mode="1")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.png", b"", "the file is empty"),
        ("scan.png", tiff(), "not a JPEG, PNG, GIF or WebP image"),
        ("logo.png", svg(), "not a JPEG, PNG, GIF or WebP image"),
        ("page.gif", b"GIF89a<html><script>alert(1)</script></html>", "not a JPEG, PNG"),
        ("cut.jpg", picture("JPEG", size=(400, 400))[:300], "damaged or truncated"),
        ("bomb.png", bomb(), "too many pixels to decode safely"),
        ("poster.png", picture("PNG", size=(7_000, 7_000), mode="1"), "pixels is over the limit"),
    ],
)
def test_bad_uploads_are_refused_with_the_file_and_reason(staff_client, name, content, reason):
    response = drop(staff_client, name, content)
    assert response.status_code == 400
    [message] = response.json()["image"]
    assert message.startswith(f"{name}: ") and reason in message
    assert not Image.objects.exists()


def test_files_over_the_size_limit_are_refused_before_decoding(staff_client, settings):
    settings.QUIRE_IMAGE_MAX_BYTES = 1000
    response = drop(staff_client, "big.png", picture("PNG", size=(400, 400)) + b"\0" * 2000)
    assert response.status_code == 400
    assert "over the 1000" in response.json()["image"][0]


def test_the_library_admin_reencodes_uploads(staff_client):
    upload = SimpleUploadedFile("Photo.JPG", photo_with_gps_and_rotation(), "image/jpeg")
    response = staff_client.post(
        "/admin/media/image/add/",
        {"file": upload, "alt_text": "Cranes", "caption": "", "credit": ""},
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert not PILImage.open(image.file.path).getexif()
    assert image.uploaded_by == staff_client.user


def test_the_library_admin_names_a_refused_file(staff_client):
    """Django's own ImageField check (any Pillow format) never runs before the allowlist."""
    upload = SimpleUploadedFile("logo.svg", svg(), "image/svg+xml")
    response = staff_client.post("/admin/media/image/add/", {"file": upload, "alt_text": "Logo"})
    assert response.status_code == 200
    assert not Image.objects.exists()
    assert "logo.svg" in response.content.decode()


def test_alt_text_cannot_break_out_of_the_inserted_markdown(staff_client):
    response = drop(staff_client, "a.png", picture("PNG"), alt="Map [1](javascript:x)")
    image_code = response.json()["image_code"]
    assert image_code.startswith(r"![Map \[1\](javascript:x)](/media/images/")
    assert 'alt="Map [1](javascript:x)"' in markup.render(image_code)


def test_staff_without_the_image_permission_cannot_upload(client, django_user_model):
    intern = django_user_model.objects.create_user("intern", password="pw", is_staff=True)
    client.force_login(intern)
    assert drop(client, "a.png", picture("PNG")).status_code == 403
    assert not Image.objects.exists()
    intern.user_permissions.add(Permission.objects.get(codename="add_image"))
    assert drop(client, "a.png", picture("PNG")).status_code == 200
    assert Image.objects.count() == 1


def test_author_photos_go_through_the_same_intake(staff_client):
    form = {"name": "Ada", "slug": "ada", "bio": "", "affiliation": "", "user": ""}
    svg_photo = SimpleUploadedFile("me.svg", svg(), "image/svg+xml")
    response = staff_client.post("/admin/posts/author/add/", {**form, "photo": svg_photo})
    assert response.status_code == 200 and not Author.objects.exists()
    assert "me.svg: not a JPEG, PNG, GIF or WebP image." in response.content.decode()

    photo = SimpleUploadedFile("me.jpg", photo_with_gps_and_rotation(), "image/jpeg")
    response = staff_client.post("/admin/posts/author/add/", {**form, "photo": photo})
    assert response.status_code == 302
    stored = Author.objects.get().photo
    assert "me" not in stored.name and not PILImage.open(stored.path).getexif()

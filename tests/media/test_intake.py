"""Image intake refuses every known bad input, naming the file and the reason, and stores nothing.

Each case goes through the editor's drop endpoint, a representative subset through the media
library's add form too. A refusal must leave MEDIA_ROOT and the Image table empty; an image that
is accepted is stored only as freshly encoded pixels under a generated name.
"""

import gzip
import html
import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import global_settings
from django.conf import settings as current_settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.test import RequestFactory
from django.urls import resolve
from PIL import Image as PILImage
from PIL import ImageCms, ImageFile, ImageSequence, PngImagePlugin

from media.intake import SizeLimitUploadHandler, gif_canvas, reencode_upload
from media.models import Image

pytestmark = pytest.mark.django_db

UPLOAD = "/markdownx/upload/"
ADD_IMAGE = "/admin/media/image/add/"
NOT_ALLOWED = "not a JPEG, PNG, GIF or WebP image"
OVER_THE_PIXEL_LIMIT = "pixels is over the limit of 40,000,000 pixels."
SCRIPT = b"<html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def limits(settings):
    """The messages below quote the shipped limits, whatever the environment sets."""
    settings.QUIRE_IMAGE_MAX_BYTES = 10 * 1024 * 1024
    settings.QUIRE_IMAGE_MAX_PIXELS = 40_000_000


# Inputs ---------------------------------------------------------------------------------------


def encode(fmt, image=None, **save):
    buffer = io.BytesIO()
    (image or PILImage.new("RGB", (64, 48), "teal")).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def noise(fmt):
    """An image whose pixel data, not its headers, makes up most of the file."""
    return encode(fmt, PILImage.effect_noise((128, 128), 80).convert("RGB"))


def cut_in_half(content):
    return content[: len(content) // 2]


def png_claiming(width, height):
    """A valid PNG header claiming any size, followed by a few bytes of pixel data."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


def gif(*blocks, screen=(1, 1)):
    """A GIF written by hand: a two-colour palette, the given blocks, a trailer."""
    header = b"GIF89a" + struct.pack("<HHBBB", *screen, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    return header + b"".join(blocks) + b";"


def frame(width, height, left=0, top=0):
    """An image block claiming the given extent, holding one pixel's worth of LZW data."""
    return b"," + struct.pack("<4HB", left, top, width, height, 0) + b"\x02\x02\x44\x01\x00"


def comment(text):
    return b"!\xfe" + (bytes([len(text)]) + text if text else b"") + b"\0"


def psd_header():
    """The 26-byte header of a 1×1 RGB Photoshop file."""
    return b"8BPS\0\1" + b"\0" * 6 + struct.pack(">HIIHH", 3, 1, 1, 8, 3)


def fits_header():
    """A FITS file is a text header padded to 2880 bytes."""
    cards = ["SIMPLE  =                    T", "BITPIX  =                    8", "END"]
    return "".join(card.ljust(80) for card in cards).ljust(2880).encode()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


# Helpers --------------------------------------------------------------------------------------


def drop(client, name, content, content_type="image/png", **fields):
    """Send a file the way the markdownx widget does."""
    upload = SimpleUploadedFile(name, content, content_type)
    return client.post(
        UPLOAD, {"image": upload, **fields}, headers={"x-requested-with": "XMLHttpRequest"}
    )


def add_to_library(client, name, content, content_type="image/png"):
    upload = SimpleUploadedFile(name, content, content_type)
    return client.post(ADD_IMAGE, {"file": upload, "alt_text": "Alt", "caption": "", "credit": ""})


def assert_nothing_stored():
    assert not Image.objects.exists()
    assert not [path for path in Path(current_settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def assert_refused(response, message):
    assert response.status_code == 400
    assert response.json() == {"image": [message]}
    assert_nothing_stored()


def assert_refused_by_the_library(response, message):
    assert response.status_code == 200  # the form again, with the error
    assert html.escape(message) in response.content.decode()
    assert_nothing_stored()


def stored_bytes():
    return Path(Image.objects.get().file.path).read_bytes()


# 1. Decompression bombs -----------------------------------------------------------------------

BOMBS = {
    "a PNG header claiming 2.5 gigapixels": (
        "bomb.png",
        png_claiming(50_000, 50_000),
        "bomb.png: too many pixels to decode safely.",
    ),
    "a PNG just over the pixel limit": (
        "poster.png",
        png_claiming(7_000, 7_000),
        f"poster.png: 7000×7000 {OVER_THE_PIXEL_LIMIT}",
    ),
    "a GIF whose second frame is huge": (
        "anim.gif",
        gif(frame(1, 1), frame(50_000, 50_000)),
        f"anim.gif: 50000×50000 {OVER_THE_PIXEL_LIMIT}",
    ),
    "a GIF whose second frame sits far off the screen": (
        "anim.gif",
        gif(frame(1, 1), frame(1, 1, left=49_999, top=49_999)),
        f"anim.gif: 50000×50000 {OVER_THE_PIXEL_LIMIT}",
    ),
}


@pytest.mark.parametrize(("name", "content", "message"), BOMBS.values(), ids=BOMBS)
def test_decompression_bombs_are_refused_before_decoding(staff_client, name, content, message):
    assert_refused(drop(staff_client, name, content), message)


def test_a_small_gif_passes_the_frame_check(staff_client):
    """The GIF bombs above differ from this one only by their extra frame."""
    assert drop(staff_client, "dot.gif", gif(frame(1, 1))).status_code == 200


# The canvas Pillow reaches by seeking through every frame, for GIFs built to trip a parser up.
GIF_CANVASES = {
    "a later frame beyond the screen": (gif(frame(1, 1), frame(30, 20, left=5)), (35, 20)),
    "stray bytes between blocks": (gif(frame(1, 1), b"junk", frame(30, 20)), (30, 20)),
    "comments around the frames": (
        gif(comment(b"hi"), frame(1, 1), comment(b""), frame(30, 20)),
        (30, 20),
    ),
    # Pillow reads the byte after an empty extension as a length and skips the frame inside it.
    "an empty extension before a frame": (gif(frame(1, 1), b"!\xf9\0", frame(30, 20)), (1, 1)),
    "an empty NETSCAPE block before the first frame": (
        gif(b"!\xff\x0bNETSCAPE2.0\0", b"\x0e" + frame(30, 20), frame(2, 3)),
        (2, 3),
    ),
}


@pytest.mark.parametrize(("content", "canvas"), GIF_CANVASES.values(), ids=GIF_CANVASES)
def test_the_gif_walk_sees_the_canvas_pillow_grows_to_when_seeking(monkeypatch, content, canvas):
    """Pillow 13 widens a GIF's size to fit each frame it seeks to; intake must foresee that."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # frames hold one pixel of data
    with PILImage.open(io.BytesIO(content), formats=["GIF"]) as image:
        for _ in ImageSequence.Iterator(image):
            pass
        assert image.size == canvas
    assert gif_canvas(io.BytesIO(content)) == canvas


# 2. Formats outside the allowlist, whatever the name ------------------------------------------

OTHER_FORMATS = {
    "BLP": encode("BLP", PILImage.new("P", (8, 8))),
    "ICO": encode("ICO", PILImage.new("RGBA", (16, 16))),
    "PSD": psd_header(),
    "TIFF": encode("TIFF"),
    "FITS": fits_header(),
}


@pytest.mark.parametrize(("detected", "content"), OTHER_FORMATS.items(), ids=OTHER_FORMATS)
def test_other_formats_are_refused_even_when_named_png(staff_client, detected, content):
    message = f"photo.png: {NOT_ALLOWED} (the file is in {detected} format)."
    assert_refused(drop(staff_client, "photo.png", content), message)


# 3. SVG, in every wrapping --------------------------------------------------------------------

SVGS = {
    "plain": ("logo.svg", SVG),
    "with an XML prolog": ("logo.svg", b'<?xml version="1.0" encoding="UTF-8"?>\n' + SVG),
    "gzipped": ("logo.svgz", gzip.compress(SVG)),
    "named .png": ("logo.png", SVG),
}


@pytest.mark.parametrize(("name", "content"), SVGS.values(), ids=SVGS)
def test_svg_is_refused(staff_client, name, content):
    assert_refused(drop(staff_client, name, content, "image/svg+xml"), f"{name}: {NOT_ALLOWED}.")


# 4. Truncated images --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "fmt"), [("cut.jpg", "JPEG"), ("cut.png", "PNG")])
def test_truncated_images_are_refused(staff_client, name, fmt):
    message = f"{name}: the image is damaged or truncated."
    assert_refused(drop(staff_client, name, cut_in_half(noise(fmt))), message)


def test_nothing_in_quire_lets_pillow_load_truncated_images():
    resolve(UPLOAD)  # every app, the admin and the URLconf are imported
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_intake_will_not_run_while_truncated_images_are_allowed(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(ImproperlyConfigured):
        reencode_upload(SimpleUploadedFile("cut.jpg", cut_in_half(noise("JPEG"))))


# 5. Empty files -------------------------------------------------------------------------------


def test_an_empty_file_is_refused(staff_client):
    assert_refused(drop(staff_client, "empty.png", b""), "empty.png: the file is empty.")


# 6. Polyglots: markup dressed as an image -----------------------------------------------------


def test_markup_behind_a_gif_signature_is_refused(staff_client):
    content = b"GIF89a<script>alert(1)</script>"
    assert_refused(drop(staff_client, "page.gif", content), f"page.gif: {NOT_ALLOWED}.")


def png_with_text(text):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text)
    return encode("PNG", pnginfo=info)


POLYGLOTS = {
    "a GIF with HTML appended": ("dot.gif", gif(frame(1, 1)) + SCRIPT),
    "a GIF with HTML in a comment": ("dot.gif", gif(comment(SCRIPT), frame(1, 1))),
    "a JPEG with HTML in a COM segment": ("photo.jpg", encode("JPEG", comment=SCRIPT)),
    "a PNG with HTML in a text chunk": ("chart.png", png_with_text(SCRIPT.decode())),
    "a PNG with HTML after IEND": ("chart.png", encode("PNG") + SCRIPT),
}


@pytest.mark.parametrize(("name", "content"), POLYGLOTS.values(), ids=POLYGLOTS)
def test_an_image_carrying_markup_is_stored_as_clean_pixels_only(staff_client, name, content):
    assert SCRIPT in content
    assert drop(staff_client, name, content).status_code == 200
    stored = stored_bytes().lower()
    assert Image.objects.count() == 1 and stored  # the file that was kept is what is read
    assert b"<script" not in stored and b"<html" not in stored


# 7. The stored type is the decoded one --------------------------------------------------------

MISNAMED = {
    "a JPEG named .png": ("photo.png", "image/png", encode("JPEG"), "JPEG"),
    "a PNG named .jpg": ("chart.jpg", "image/jpeg", encode("PNG"), "PNG"),
    "a GIF named .webp": ("dot.webp", "image/webp", gif(frame(1, 1)), "GIF"),
    "a WebP sent as SVG": ("photo.svg", "image/svg+xml", encode("WEBP"), "WEBP"),
}


@pytest.mark.parametrize(
    ("name", "content_type", "content", "fmt"), MISNAMED.values(), ids=MISNAMED
)
def test_a_file_is_stored_as_what_it_decodes_to(staff_client, name, content_type, content, fmt):
    response = drop(staff_client, name, content, content_type)
    image = Image.objects.get()
    extension = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}[fmt]
    assert re.fullmatch(rf"images/[0-9a-f]{{32}}\.{extension}", image.file.name)
    assert response.json()["image_code"].endswith(f".{extension})")
    assert PILImage.open(image.file.path).format == fmt


def test_a_jpeg_carrying_a_second_picture_is_stored_as_a_plain_jpeg(staff_client):
    """Pillow reports a phone's JPEG with a depth map or a stereo pair as MPO."""
    pair = [PILImage.new("RGB", (40, 30), colour) for colour in ("red", "blue")]
    content = encode("MPO", pair[0], save_all=True, append_images=pair[1:])
    assert drop(staff_client, "stereo.jpg", content).status_code == 200
    image = Image.objects.get()
    assert image.file.name.endswith(".jpg")
    assert PILImage.open(image.file.path).format == "JPEG"


def test_a_photo_with_a_malformed_exif_tag_is_still_stored_upright(staff_client):
    """Writing such EXIF back out raises, so intake turns the photo without ever writing it."""
    exif = PILImage.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010E] = "desc"  # ImageDescription, ASCII...
    malformed = exif.tobytes().replace(
        b"\x01\x0e\x00\x02", b"\x01\x1a\x00\x02"
    )  # ...as XResolution
    content = encode("JPEG", PILImage.new("RGB", (60, 30)), exif=malformed)
    assert PILImage.open(io.BytesIO(content)).getexif()[0x011A] == "desc"
    assert drop(staff_client, "photo.jpg", content).status_code == 200
    image = Image.objects.get()
    assert (image.width, image.height) == (30, 60)
    assert not PILImage.open(image.file.path).getexif()


def test_an_animated_webp_too_wide_to_encode_is_refused(staff_client):
    """libwebp decodes a canvas up to 2²⁴ wide but encodes at most 16383: refused, not a 500."""
    frames = [PILImage.new("RGB", (8, 8), colour) for colour in ("red", "blue")]
    content = bytearray(encode("WEBP", frames[0], save_all=True, append_images=frames[1:]))
    content[24:27] = (20_000 - 1).to_bytes(3, "little")  # the VP8X chunk's canvas width
    message = "wide.webp: the image is damaged or truncated."
    assert_refused(drop(staff_client, "wide.webp", bytes(content)), message)


# 8. Files over the size limit -----------------------------------------------------------------


class Unreadable(io.BytesIO):
    def read(self, *args):
        raise AssertionError("the file was read before its size was checked")


def test_a_file_over_the_size_limit_is_refused_unread(settings):
    settings.QUIRE_IMAGE_MAX_BYTES = 1000
    upload = UploadedFile(Unreadable(), "big.png", "image/png", size=5000)
    with pytest.raises(ValidationError) as refusal:
        reencode_upload(upload)
    assert refusal.value.messages == ["big.png: 4.9\xa0KB is over the 1000\xa0bytes limit."]


def test_a_dropped_file_over_the_size_limit_is_refused(staff_client, settings):
    settings.QUIRE_IMAGE_MAX_BYTES = 1000
    png = encode("PNG")
    content = png + b"\0" * (3072 - len(png))
    message = "big.png: 3.0\xa0KB is over the 1000\xa0bytes limit."
    assert_refused(drop(staff_client, "big.png", content), message)


class KeptBytes(MemoryFileUploadHandler):
    """Django's in-memory handler, counting the bytes that reach it."""

    kept = 0

    def receive_data_chunk(self, raw_data, start):
        self.kept += len(raw_data)
        return super().receive_data_chunk(raw_data, start)


def post_through_size_limit(content):
    request = RequestFactory().post(UPLOAD, {"image": SimpleUploadedFile("big.png", content)})
    kept = KeptBytes(request)
    request.upload_handlers = [SizeLimitUploadHandler(request), kept]
    return request.FILES["image"], kept.kept


def test_the_size_limit_handler_keeps_no_byte_past_the_limit(settings):
    settings.QUIRE_IMAGE_MAX_BYTES = 1000
    upload, kept = post_through_size_limit(b"\0" * 200_000)
    assert (upload.name, upload.size, upload.read()) == ("big.png", 200_000, b"")
    assert kept <= 1000


def test_the_size_limit_handler_passes_a_file_within_the_limit_whole(settings):
    settings.QUIRE_IMAGE_MAX_BYTES = 1000
    upload, kept = post_through_size_limit(b"\1" * 1000)
    assert (upload.size, upload.read(), kept) == (1000, b"\1" * 1000, 1000)


def test_with_the_size_limit_handler_the_editor_still_gets_the_message(staff_client, settings):
    settings.QUIRE_IMAGE_MAX_BYTES = 1000
    settings.FILE_UPLOAD_HANDLERS = [
        "media.intake.SizeLimitUploadHandler",
        *global_settings.FILE_UPLOAD_HANDLERS,
    ]
    message = "big.png: 195.3\xa0KB is over the 1000\xa0bytes limit."
    assert_refused(drop(staff_client, "big.png", b"\0" * 200_000), message)
    response = add_to_library(staff_client, "big.png", b"\0" * 200_000)
    assert_refused_by_the_library(response, message)


# 9. The number of files -----------------------------------------------------------------------


@pytest.mark.parametrize(("path", "field"), [(UPLOAD, "image"), (ADD_IMAGE, "file")])
def test_a_request_with_too_many_files_is_a_bad_request(staff_client, path, field):
    count = current_settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1
    files = [SimpleUploadedFile(f"{n}.png", encode("PNG")) for n in range(count)]
    assert staff_client.post(path, {field: files}).status_code == 400
    assert_nothing_stored()


@pytest.mark.parametrize("count", [0, 2])
def test_the_endpoint_takes_exactly_one_image(staff_client, count):
    files = [SimpleUploadedFile(f"{n}.png", encode("PNG")) for n in range(count)]
    response = staff_client.post(UPLOAD, {"image": files, "alt": "Charts"})
    assert_refused(response, "Send exactly one image.")


# 10. Who may upload ---------------------------------------------------------------------------

OUTSIDERS = {"anonymous": None, "a reader": False, "staff without posts.add_image": True}


@pytest.fixture(params=OUTSIDERS.values(), ids=OUTSIDERS)
def outsider(request, client, django_user_model):
    """A client that is anonymous, or logged in as a user with no permissions at all."""
    client.is_staff = request.param
    if request.param is not None:
        user = django_user_model.objects.create_user("outsider", is_staff=request.param)
        client.force_login(user)
    return client


def test_only_staff_allowed_to_add_images_can_drop_one(outsider):
    assert drop(outsider, "a.png", encode("PNG")).status_code == 403
    assert_nothing_stored()


def test_only_staff_allowed_to_add_images_can_add_to_the_library(outsider):
    response = add_to_library(outsider, "a.png", encode("PNG"))
    if outsider.is_staff:
        assert response.status_code == 403
    else:
        assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert_nothing_stored()


def test_staff_given_posts_add_image_can_drop_one(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="add_image"))
    client.force_login(editor)
    assert drop(client, "a.png", encode("PNG")).status_code == 200


# Through the library's add form too -----------------------------------------------------------

LIBRARY_REFUSALS = {
    "a bomb": BOMBS["a PNG header claiming 2.5 gigapixels"],
    "a GIF bomb": BOMBS["a GIF whose second frame is huge"],
    "a TIFF named .png": (
        "scan.png",
        OTHER_FORMATS["TIFF"],
        f"scan.png: {NOT_ALLOWED} (the file is in TIFF format).",
    ),
    "SVG named .png": ("logo.png", SVG, f"logo.png: {NOT_ALLOWED}."),
    "a truncated JPEG": (
        "cut.jpg",
        cut_in_half(noise("JPEG")),
        "cut.jpg: the image is damaged or truncated.",
    ),
    "a GIF polyglot": ("page.gif", b"GIF89a<script>alert(1)</script>", f"page.gif: {NOT_ALLOWED}."),
}


@pytest.mark.parametrize(
    ("name", "content", "message"), LIBRARY_REFUSALS.values(), ids=LIBRARY_REFUSALS
)
def test_the_library_refuses_the_same_files(staff_client, name, content, message):
    assert_refused_by_the_library(add_to_library(staff_client, name, content), message)


# The happy path: only pixels survive ----------------------------------------------------------

SECRET = b"quire-secret-marker"
XMP = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><x:note>{SECRET.decode()}</x:note></x:xmpmeta>'
# The metadata each format's source file below carries, by the key Pillow reads it into.
METADATA = {
    "JPEG": {"exif", "icc_profile", "xmp", "comment"},
    "PNG": {"exif", "icc_profile", "xmp", "Comment"},
    "GIF": {"comment"},
    "WEBP": {"exif", "icc_profile", "xmp"},
}


def photo_with_everything(fmt):
    """A 60×30 picture turned on its side by EXIF, with GPS, ICC, XMP and a comment if it can."""
    exif = PILImage.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif.get_ifd(0x8825).update({1: "N", 2: (50.0, 51.0, 0.0)})  # GPSLatitude
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = PILImage.new("RGB", (60, 30), "navy")
    if fmt == "GIF":
        return encode("GIF", image, comment=SECRET)
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP)
        info.add_text("Comment", SECRET.decode())
        return encode("PNG", image, exif=exif, icc_profile=icc, pnginfo=info)
    extra = {"comment": SECRET} if fmt == "JPEG" else {}
    return encode(fmt, image, exif=exif, icc_profile=icc, xmp=XMP.encode(), **extra)


@pytest.mark.parametrize("fmt", METADATA)
def test_a_good_image_is_stored_upright_with_no_metadata_at_all(staff_client, fmt):
    content = photo_with_everything(fmt)
    source = PILImage.open(io.BytesIO(content))
    assert METADATA[fmt] <= set(source.info) and SECRET in content
    assert drop(staff_client, "holiday photo.bin", content).status_code == 200
    image = Image.objects.get()
    assert re.fullmatch(r"images/[0-9a-f]{32}\.(jpg|png|gif|webp)", image.file.name)
    stored = PILImage.open(image.file.path)
    assert stored.format == fmt
    upright = (60, 30) if fmt == "GIF" else (30, 60)  # a GIF carries no EXIF orientation
    assert stored.size == (image.width, image.height) == upright
    exif = stored.getexif()
    assert not exif and not exif.get_ifd(0x8825)
    assert not set.union(*METADATA.values()) & set(stored.info)
    assert SECRET not in stored_bytes() and b"Exif" not in stored_bytes()

"""Renditions of library images: the files written, the JSON kept, and the HTML that uses them."""

import io
from pathlib import PurePosixPath

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageCms

from media import renditions
from media.models import Image

pytestmark = pytest.mark.django_db

SIZES = "(min-width: 45em) 45em, 100vw"


def gradient(width, height, mode="RGB"):
    """Red rises left to right, green top to bottom: any crop or stretch shows."""
    across = PILImage.linear_gradient("L").rotate(90).resize((width, height))
    down = PILImage.linear_gradient("L").resize((width, height))
    return PILImage.merge("RGB", (across, down, PILImage.new("L", (width, height), 128))).convert(
        mode
    )


def encoded(picture, image_format, **options):
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def library_image(data, name, alt_text="A test picture"):
    """Stored the way uploads are, which generates the renditions."""
    return Image.objects.create(file=ContentFile(data, name=name), alt_text=alt_text)


def opened(entry):
    """A rendition's stored file, decoded."""
    with default_storage.open(entry["name"]) as stored:
        picture = PILImage.open(io.BytesIO(stored.read()))
        picture.load()
    return picture


def stem(image):
    return PurePosixPath(image.file.name).stem


def rendition_files():
    return sorted(default_storage.listdir("renditions")[1])


@pytest.fixture
def photo():
    """A 2000×1333 JPEG photo."""
    return library_image(encoded(gradient(2000, 1333), "JPEG", quality=90), "photo.jpg")


@pytest.mark.parametrize(
    ("width", "widths"),
    [
        (6000, [480, 960, 1600]),
        (1600, [480, 960, 1600]),
        (1200, [480, 960, 1200]),
        (480, [480]),
        (300, [300]),
    ],
)
def test_widths_never_scale_up(width, widths):
    sizes = renditions.planned_sizes(width, width * 2 // 3)
    assert [w for w, _ in sizes] == widths
    assert all(h == round(w * (width * 2 // 3) / width) for w, h in sizes)


def test_photo_renditions_json_and_files(photo):
    made = photo.renditions
    assert set(made) == {"webp", "fallback"}
    expected = [(480, 320), (960, 640), (1600, 1066)]
    for kind, image_format, extension in [("webp", "WEBP", "webp"), ("fallback", "JPEG", "jpg")]:
        assert [(entry["width"], entry["height"]) for entry in made[kind]] == expected
        for entry in made[kind]:
            assert set(entry) == {"width", "height", "name", "bytes"}
            assert entry["name"] == f"renditions/{stem(photo)}-{entry['width']}.{extension}"
            assert entry["bytes"] == default_storage.size(entry["name"])
            picture = opened(entry)
            assert picture.format == image_format
            assert picture.size == (entry["width"], entry["height"])
    assert Image.objects.get(pk=photo.pk).renditions == made
    assert len(rendition_files()) == 6


def test_renditions_keep_the_picture(photo):
    """Scaled, not cropped or shifted: the gradient's corners stay where they were."""
    picture = opened(photo.renditions["fallback"][0]).convert("RGB")
    red_left, green_top, _ = picture.getpixel((0, 0))
    red_right, green_bottom, _ = picture.getpixel((479, 319))
    assert red_left < 10 and green_top < 10
    assert red_right > 245 and green_bottom > 245


def test_transparent_png_keeps_alpha_in_both_formats():
    picture = gradient(1200, 800, "RGBA")
    picture.putalpha(PILImage.linear_gradient("L").resize((1200, 800)))  # clear at the top
    image = library_image(encoded(picture, "PNG"), "logo.png")
    assert [entry["width"] for entry in image.renditions["fallback"]] == [480, 960, 1200]
    for entry in image.renditions["fallback"] + image.renditions["webp"]:
        rendition = opened(entry)
        assert rendition.format == ("PNG" if entry["name"].endswith(".png") else "WEBP")
        assert rendition.mode == "RGBA"
        assert rendition.getpixel((0, 0))[3] < 10
        assert rendition.getpixel((0, entry["height"] - 1))[3] > 245
    assert all(entry["name"].endswith(".png") for entry in image.renditions["fallback"])


def test_opaque_alpha_channel_falls_back_to_jpeg():
    image = library_image(encoded(gradient(1000, 500, "RGBA"), "PNG"), "screenshot.png")
    assert {opened(entry).format for entry in image.renditions["fallback"]} == {"JPEG"}
    assert {opened(entry).mode for entry in image.renditions["webp"]} == {"RGB"}


def test_small_gif_gets_one_png_of_its_first_frame():
    frames = [PILImage.new("RGB", (300, 200), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    image = library_image(buffer.getvalue(), "anim.gif")
    (webp,), (fallback,) = image.renditions["webp"], image.renditions["fallback"]
    assert (fallback["width"], fallback["height"]) == (300, 200)
    assert fallback["name"].endswith("-300.png")
    for entry in (webp, fallback):
        rendition = opened(entry)
        assert getattr(rendition, "n_frames", 1) == 1
        red, green, blue = rendition.convert("RGB").getpixel((150, 100))
        assert red > 250 and green < 5 and blue < 5


def test_sixteen_bit_grey_is_scaled_not_clipped():
    grey = PILImage.new("I;16", (600, 400), 128 * 256)
    image = library_image(encoded(grey, "PNG"), "scan.png")
    assert opened(image.renditions["fallback"][0]).convert("L").getpixel((0, 0)) in range(120, 137)


def test_renditions_carry_no_metadata():
    exif = PILImage.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0112] = 1  # Orientation
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encoded(gradient(1000, 600), "JPEG", exif=exif.tobytes(), icc_profile=icc)
    image = library_image(data, "camera.jpg")
    assert PILImage.open(image.file.path).getexif()  # the original (not via intake) has some
    for entry in image.renditions["webp"] + image.renditions["fallback"]:
        rendition = opened(entry)
        assert not rendition.getexif()
        assert not {"exif", "icc_profile", "xmp"} & set(rendition.info)


@pytest.mark.parametrize("stored", [None, b"<svg></svg>"], ids=["missing", "not an image"])
def test_an_unreadable_original_gets_none_and_the_image_still_saves(stored, caplog):
    image = Image(alt_text="Lost")
    if stored is None:
        image.file.name = "images/missing.jpg"
    else:
        image.file = ContentFile(stored, name="x.jpg")
    image.save()
    # Not Image.objects.get(): loading a row without dimensions reads the (missing) file.
    assert Image.objects.values_list("renditions", flat=True).get(pk=image.pk) == {}
    assert f"No renditions of {image.file.name}" in caplog.text
    assert not default_storage.exists("renditions")


def test_jpeg_is_decoded_at_the_smallest_scale_that_serves():
    original = PILImage.open(io.BytesIO(encoded(gradient(6000, 4000), "JPEG")))
    decoded = renditions.decode(original, (1600, 1067))
    assert decoded.size == (3000, 2000)


def test_srcset_and_rendition_url(photo, settings):
    base = f"{settings.MEDIA_URL}renditions/{stem(photo)}"
    assert photo.srcset("webp") == (
        f"{base}-480.webp 480w, {base}-960.webp 960w, {base}-1600.webp 1600w"
    )
    assert photo.rendition_url(400) == f"{base}-480.jpg"
    assert photo.rendition_url(1000, "webp") == f"{base}-1600.webp"
    assert photo.rendition_url(3000) == f"{base}-1600.jpg"


def test_generating_again_replaces_files(photo):
    stale = default_storage.save(f"renditions/{stem(photo)}-320.webp", ContentFile(b"old"))
    photo.renditions["webp"].insert(0, {"width": 320, "height": 213, "name": stale, "bytes": 3})
    before = rendition_files()
    again = renditions.generate(photo)
    assert [e["name"] for e in again["webp"]] == [e["name"] for e in photo.renditions["webp"][1:]]
    assert rendition_files() == [name for name in before if name != PurePosixPath(stale).name]
    assert len(rendition_files()) == 6


def test_library_image_becomes_a_picture(photo, settings):
    url, base = photo.file.url, f"{settings.MEDIA_URL}renditions/{stem(photo)}"
    html = f'<p>Look: <img src="{url}" alt="A gradient" title="Red &amp; green"></p>'
    assert renditions.responsive_html(html, {url: photo}) == (
        "<p>Look: <picture>"
        f'<source type="image/webp" srcset="{base}-480.webp 480w, {base}-960.webp 960w, '
        f'{base}-1600.webp 1600w" sizes="{SIZES}">'
        f'<img src="{url}" srcset="{base}-480.jpg 480w, {base}-960.jpg 960w, '
        f'{base}-1600.jpg 1600w" sizes="{SIZES}" width="2000" height="1333" alt="A gradient" '
        'title="Red &amp; green" loading="lazy" decoding="async">'
        "</picture></p>"
    )
    rewritten = renditions.responsive_html(html, {url: photo})
    assert renditions.responsive_html(rewritten, {url: photo}) == rewritten


def test_alt_text_is_escaped(photo):
    url = photo.file.url
    html = f'<img src="{url}" alt="Tom &amp; Jerry\'s &quot;chase&quot; &lt;3 > 2">'
    rewritten = renditions.responsive_html(html, {url: photo})
    assert ' alt="Tom &amp; Jerry&#x27;s &quot;chase&quot; &lt;3 &gt; 2" ' in rewritten
    assert rewritten.count("<img ") == 1 and rewritten.endswith("</picture>")


def test_an_empty_alt_borrows_the_library_alt_text(photo):
    url = photo.file.url
    rewritten = renditions.responsive_html(f'<img src="{url}" alt="">', {url: photo})
    assert ' alt="A test picture" ' in rewritten
    photo.alt_text = ""
    rewritten = renditions.responsive_html(f'<img src="{url}">', {url: photo})
    assert ' alt="" ' in rewritten


def test_a_given_display_size_is_kept(photo):
    url = photo.file.url
    rewritten = renditions.responsive_html(f'<img src="{url}" alt="" width="300">', {url: photo})
    assert ' width="300" alt="A test picture"' in rewritten
    assert "height=" not in rewritten
    assert ' height="' in renditions.responsive_html(f'<img src="{url}" alt="">', {url: photo})


def test_other_images_are_left_byte_for_byte(photo):
    unrendered = Image(file=photo.file.name, width=2000, height=1333)
    html = (
        '<p><img src="https://example.org/a.jpg?x=1&amp;y=2" alt="Elsewhere"/> and '
        f'<IMG SRC="{photo.file.url}" ALT="Same image, no renditions" ></p>'
    )
    assert renditions.responsive_html(html, {photo.file.url: unrendered}) == html
    assert renditions.responsive_html(html, {}) == html


def test_rewriting_twice_changes_nothing_more(photo):
    html = f'<img src="{photo.file.url}" alt="Once">'
    once = renditions.responsive_html(html, {photo.file.url: photo})
    assert renditions.responsive_html(once, {photo.file.url: photo}) == once


def test_library_urls_lists_each_src_once_unescaped():
    html = (
        '<p><img src="/media/images/a.jpg" alt="1 > 0"><img alt="no source">'
        '<img src="https://example.org/b.jpg?x=1&amp;y=2" alt=""></p>'
        '<img src="/media/images/a.jpg" alt="again">'
    )
    assert renditions.library_urls(html) == [
        "/media/images/a.jpg",
        "https://example.org/b.jpg?x=1&y=2",
    ]

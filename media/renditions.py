"""Responsive renditions of library images, and the post HTML that serves them.

A library image is stored as uploaded (re-encoded, upright and stripped by posts/images.py). When
it is stored, `generate` writes narrower copies of it, each as WebP and as a JPEG or PNG fallback;
`responsive_html` then turns a post's <img> of a library image into a <picture> from which the
browser picks the narrowest copy that fills the article column on its screen.
"""

import io
import logging
import re
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.utils.html import escape
from PIL import Image as PILImage

from .intake import ALLOWED_FORMATS

if TYPE_CHECKING:
    from .models import Image

logger = logging.getLogger(__name__)

WIDTHS = (480, 960, 1600)
# The article column, 45em wide, or the whole viewport when narrower.
SIZES = "(min-width: 45em) 45em, 100vw"

# Encoders get no exif or icc_profile argument and the pictures carry no info: nothing is copied.
# WebP method 4 is libwebp's default; 6 saves a few percent at twice the time.
WEBP = {"format": "WEBP", "quality": 80, "method": 4}
JPEG = {"format": "JPEG", "quality": 82, "progressive": True, "optimize": True}
PNG = {"format": "PNG", "optimize": True}
EXTENSIONS = {"WEBP": "webp", "JPEG": "jpg", "PNG": "png"}
# What reading or decoding a missing, damaged or oversized original raises.
UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, PILImage.DecompressionBombError)

# A whole start tag: nh3 escapes ">" in attribute values, but were one left bare inside quotes it
# still would not end the tag. The alternatives cannot overlap, which keeps matching linear.
_IMG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)


def generate(image: "Image") -> dict:
    """Write the renditions of a stored library image; return the JSON kept on Image.renditions:

    {"webp": [{"width": 480, "height": 320, "name": "renditions/<stem>-480.webp", "bytes": 12345},
    ...], "fallback": [...]}, narrowest first. The fallback is JPEG, or PNG for a GIF or an
    image with transparency.

    The original is decoded once, at the smallest scale that still serves the widest rendition,
    and each rendition is made from the one before it (the widest from the source). The one name
    `picture` is rebound at every step so each wider picture is freed as soon as the next exists:
    besides Pillow's and the encoders' working buffers, memory holds the decoded source and one
    rendition at most.

    An original that cannot be read gets none ({}), logged: Image.save() then still saves (it
    calls this on every save until renditions exist, so it tries again) and pages show the
    original.
    """
    storage = image.file.storage
    stem = f"renditions/{PurePosixPath(image.file.name).stem}"
    try:
        with image.file.open("rb") as stored:
            picture = PILImage.open(stored, formats=ALLOWED_FORMATS)
            sizes = planned_sizes(*picture.size)
            # A GIF is a drawing or a screenshot: JPEG would smear its flat colours and edges.
            graphic = picture.format == "GIF"
            picture = decode(picture, sizes[-1])
    except UNREADABLE as error:
        logger.warning("No renditions of %s: %s", image.file.name, error)
        return {}
    fallback = PNG if graphic or picture.mode == "RGBA" else JPEG
    made = {"webp": [], "fallback": []}
    for size in reversed(sizes):
        picture = shrink(picture, size)
        name = f"{stem}-{size[0]}"
        made["webp"].insert(0, store(storage, picture, name, WEBP))
        made["fallback"].insert(0, store(storage, picture, name, fallback))
    for name in stored_names(image.renditions) - stored_names(made):
        storage.delete(name)
    return made


def planned_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """The rendition sizes for an original of this size, narrowest first.

    The widest is WIDTHS' widest, or the original's own width when that is narrower; each of
    WIDTHS under it comes before. A 1200-px image gets 480, 960 and 1200, a 300-px one a single
    re-encoded copy: nothing is ever scaled up.
    """
    widest = min(width, WIDTHS[-1])
    widths = [w for w in WIDTHS if w < widest] + [widest]
    return [(w, max(1, round(w * height / width))) for w in widths]


def decode(picture: PILImage.Image, size: tuple[int, int]) -> PILImage.Image:
    """The first frame's pixels, at the smallest scale that still covers `size`, in a mode every
    encoder takes (L, RGB, or RGBA when some pixel is transparent) and without any metadata.

    JPEG decodes at 1/2, 1/4 or 1/8 scale for less work than full size (draft): a 6000×4000
    photo for 1600-px renditions is decoded at 3000×2000, a quarter of the memory. Other formats
    ignore draft and decode whole. A conversion briefly holds the picture in both modes.
    """
    picture.draft("RGB", size)
    if picture.has_transparency_data:
        if picture.mode != "RGBA":
            picture = picture.convert("RGBA")
        if picture.getchannel("A").getextrema() == (255, 255):
            # An opaque alpha channel (common in screenshots) would force PNG for nothing.
            picture = picture.convert("RGB")
    elif picture.mode.startswith("I;16"):
        # 16-bit grey: convert() would clip every value over 255 to white.
        picture = picture.point(lambda value: value / 256).convert("L")
    elif picture.mode not in ("L", "RGB"):
        picture = picture.convert("RGB")
    picture.load()  # while the file is open, for a picture that needed no conversion
    picture.info = {}
    return picture


def shrink(picture: PILImage.Image, size: tuple[int, int]) -> PILImage.Image:
    """`picture` scaled down to `size` (Lanczos; alpha is premultiplied by Pillow), or itself."""
    if picture.size == size:
        return picture
    return picture.resize(size, PILImage.Resampling.LANCZOS)


def store(storage, picture: PILImage.Image, name: str, options: dict) -> dict:
    """Encode `picture` and save it as `name` plus the format's extension; its JSON entry.

    A storage given a taken name saves under a new, suffixed one instead, so an earlier file of
    the name is deleted first: generating again replaces files rather than piling up copies.
    """
    buffer = io.BytesIO()
    picture.save(buffer, **options)
    data = buffer.getvalue()
    name = f"{name}.{EXTENSIONS[options['format']]}"
    if storage.exists(name):
        storage.delete(name)
    name = storage.save(name, ContentFile(data))
    return {"width": picture.width, "height": picture.height, "name": name, "bytes": len(data)}


def stored_names(renditions: dict) -> set[str]:
    """Every file name a renditions JSON lists."""
    return {entry["name"] for entries in renditions.values() for entry in entries}


def responsive_html(html: str, images: dict[str, "Image"]) -> str:
    """Rewrite each <img src="URL"> of sanitised post HTML whose URL is a key of `images` (the
    library image's file URL) into a <picture>: a WebP <source> and a fallback <img>, both with
    srcset and sizes, the <img> lazy and with width and height so the page does not shift.

    The tag's alt is kept, or when empty the library's alt text is lent (an image dropped into the
    editor before its alt text was written gets it once written); its title is kept, and its
    width and height when it gives either (they set the size it is shown at). Other <img> tags,
    those of images without renditions and those already rewritten are left byte for byte.
    """

    def rewrite(match: re.Match) -> str:
        attributes = tag_attributes(match.group(0))
        image = images.get(attributes.get("src"))
        # An <img> with a srcset is one this made: the sanitiser lets none through.
        if image is None or not image.renditions or "srcset" in attributes:
            return match.group(0)
        return picture_html(image, attributes)

    return _IMG.sub(rewrite, html)


def picture_html(image: "Image", attributes: dict[str, str]) -> str:
    """The <picture> for a library image shown by an <img> with these attributes."""
    given_size = {name: attributes[name] for name in ("width", "height") if name in attributes}
    source = {"type": "image/webp", "srcset": image.srcset("webp"), "sizes": SIZES}
    img = {
        # The original, as the Markdown names it: every browser picks from srcset instead.
        "src": image.file.url,
        "srcset": image.srcset("fallback"),
        "sizes": SIZES,
        **(given_size or {"width": str(image.width), "height": str(image.height)}),
        "alt": attributes.get("alt") or image.alt_text,
        **({"title": attributes["title"]} if "title" in attributes else {}),
        "loading": "lazy",
        "decoding": "async",
    }
    return f"<picture>{start_tag('source', source)}{start_tag('img', img)}</picture>"


def start_tag(name: str, attributes: dict[str, str]) -> str:
    """A start tag with every attribute value escaped."""
    written = "".join(f' {key}="{escape(value)}"' for key, value in attributes.items())
    return f"<{name}{written}>"


def library_urls(html: str) -> list[str]:
    """The src of every <img> in the HTML, unescaped, each once in order of appearance (for the
    caller to look up library images by file URL)."""
    sources = (tag_attributes(match.group(0)).get("src") for match in _IMG.finditer(html))
    return list(dict.fromkeys(src for src in sources if src))


class _StartTag(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attributes: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            # As in browsers, the first of a repeated attribute wins; a bare one is empty.
            self.attributes.setdefault(name, value or "")


def tag_attributes(tag: str) -> dict[str, str]:
    """The attributes of one start tag, names lowercased and values unescaped (`&amp;` -> `&`)."""
    parser = _StartTag()
    parser.feed(tag)
    parser.close()
    return parser.attributes

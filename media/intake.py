"""Image intake: every upload is decoded, checked, re-encoded and renamed before it is stored.

Only the decoded pixels survive: the browser's content type, the file name, metadata (EXIF, GPS,
comments, XMP, ICC) and anything appended to the image data are all left behind.
"""

import contextlib
import io
import struct
import warnings

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from PIL import ExifTags, ImageFile, UnidentifiedImageError
from PIL import Image as PILImage

# Decoders outside this list are never tried: several have had bomb and overflow bugs.
ALLOWED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# Pillow calls a JPEG that carries further pictures (a phone's depth map, a stereo pair) MPO.
# Its first picture is an ordinary JPEG, and that is the one kept.
STORED_AS = {"MPO": "JPEG"}
SAVE_OPTIONS = {"JPEG": {"quality": 88, "optimize": True}, "WEBP": {"quality": 88}}
# What turns each EXIF orientation upright: the table ImageOps.exif_transpose() uses.
UPRIGHT = {
    2: PILImage.Transpose.FLIP_LEFT_RIGHT,
    3: PILImage.Transpose.ROTATE_180,
    4: PILImage.Transpose.FLIP_TOP_BOTTOM,
    5: PILImage.Transpose.TRANSPOSE,
    6: PILImage.Transpose.ROTATE_270,
    7: PILImage.Transpose.TRANSVERSE,
    8: PILImage.Transpose.ROTATE_90,
}


def reencode_upload(upload):
    """Return a clean ContentFile for an uploaded image, or raise ValidationError naming why not."""
    check_size(upload.name, upload.size)
    require_strict_decoding()
    buffer = io.BytesIO()
    with refusing_bad_images(upload):
        image = open_allowed(upload)
        image.load()
        stored_format = STORED_AS.get(image.format, image.format)
        # Encoding too: libwebp decodes canvases wider than it can encode (16383 pixels).
        clean = strip(image, stored_format)
        clean.save(buffer, format=stored_format, **SAVE_OPTIONS.get(stored_format, {}))
    return ContentFile(buffer.getvalue(), name=f"upload.{EXTENSIONS[stored_format]}")


def check_size(name, size):
    """Runs before a single byte is read, so an oversized file never reaches Pillow or memory."""
    if not size:
        raise ValidationError(f"{name}: the file is empty.")
    if size > settings.QUIRE_IMAGE_MAX_BYTES:
        raise ValidationError(
            f"{name}: {filesizeformat(size)} is over the "
            f"{filesizeformat(settings.QUIRE_IMAGE_MAX_BYTES)} limit."
        )


@contextlib.contextmanager
def refusing_bad_images(upload):
    """Turn Pillow's complaints about an upload into a message naming the file and the reason.

    A DecompressionBombWarning becomes an error too: Pillow only warns between its two limits.
    """
    name = upload.name
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            yield
        except UnidentifiedImageError:
            raise ValidationError(not_allowed_message(upload)) from None
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
            raise ValidationError(f"{name}: too many pixels to decode safely.") from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ValidationError(f"{name}: the image is damaged or truncated.") from None


def open_allowed(upload):
    """Open with the allowed decoders only, and check every size the file claims before decoding."""
    upload.seek(0)
    image = PILImage.open(upload, formats=ALLOWED_FORMATS)
    check_pixels(upload.name, image.size)
    if image.format == "GIF":
        check_pixels(upload.name, gif_canvas(upload))
    return image


def require_strict_decoding():
    """Refuse to work while Pillow is told to accept truncated files.

    LOAD_TRUNCATED_IMAGES is process-wide: with it on, a file cut short decodes as a padded
    image instead of failing, so one import that sets it would let damaged uploads through.
    """
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise ImproperlyConfigured(
            "PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on: image intake would store truncated files."
        )


def check_pixels(name, size):
    """Claimed dimensions are checked before any pixel is decoded."""
    width, height = size
    if width * height > settings.QUIRE_IMAGE_MAX_PIXELS:
        raise ValidationError(
            f"{name}: {width}×{height} pixels is over the limit of "
            f"{settings.QUIRE_IMAGE_MAX_PIXELS:,} pixels."
        )


def not_allowed_message(upload):
    """Say what the file is when its first bytes tell, so an editor knows what to export instead."""
    message = f"{upload.name}: not a JPEG, PNG, GIF or WebP image"
    detected = detected_format(upload)
    if detected and detected not in ALLOWED_FORMATS:
        return f"{message} (the file is in {detected} format)."
    return f"{message}."


def detected_format(upload):
    """Name the format the file's magic number announces, for the refusal message only.

    Only each Pillow plugin's check of the first 16 bytes runs: no other decoder sees the file.
    """
    PILImage.init()
    upload.seek(0)
    prefix = upload.read(16)
    for format_id in PILImage.ID:
        accept = PILImage.OPEN[format_id][1]
        # Some checks index past the end of a short prefix; Pillow's own open() ignores that too.
        with contextlib.suppress(IndexError, TypeError, struct.error):
            if accept and accept(prefix):
                return format_id
    return None


def strip(image, stored_format):
    """Apply the EXIF orientation, then keep nothing but the pixels (and a palette's transparency).

    ImageOps.exif_transpose() is not used: it writes the EXIF back out, which raises on many
    malformed tags, only for that EXIF to be thrown away here.
    """
    method = UPRIGHT.get(image.getexif().get(ExifTags.Base.Orientation))
    upright = image.transpose(method) if method else image.copy()
    if stored_format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    upright.info = {key: value for key, value in upright.info.items() if key == "transparency"}
    return upright


GIF_IMAGE, GIF_EXTENSION, GIF_TRAILER = b",", b"!", b";"
GIF_COMMENT, GIF_APPLICATION = b"\xfe", b"\xff"


def gif_canvas(fp):
    """Return the size a GIF grows to over all its frames, reading block headers only.

    Pillow widens a GIF's size to fit each frame it seeks to, so a file with a small screen and
    a small first frame can claim a huge canvas in a later frame. This follows the blocks exactly
    as GifImageFile._seek() reads them and skips the pixel data without decoding it.
    """
    position = fp.tell()
    fp.seek(0)
    header = fp.read(13)
    width, height = struct.unpack_from("<HH", header, 6)
    skip_gif_color_table(fp, header[10])
    frames = 0
    while (block := fp.read(1)) and block != GIF_TRAILER:
        if block == GIF_EXTENSION:
            skip_gif_extension(fp, first_frame=frames == 0)
        elif block == GIF_IMAGE:
            descriptor = fp.read(9)
            if len(descriptor) < 9:
                break
            left, top, frame_width, frame_height = struct.unpack_from("<4H", descriptor)
            width, height = max(width, left + frame_width), max(height, top + frame_height)
            skip_gif_color_table(fp, descriptor[8])
            fp.read(1)  # LZW minimum code size
            skip_gif_sub_blocks(fp)
            frames += 1
        # Like Pillow, skip any other byte found between blocks.
    fp.seek(position)
    return width, height


def skip_gif_extension(fp, first_frame):
    """Skip an extension as far as Pillow does, or a frame Pillow sees could be missed.

    Pillow reads one data block, and a NETSCAPE looping block before the first frame two, before
    skipping to the terminator, so after an empty first block it takes the next byte as a length.
    """
    label = fp.read(1)
    block = gif_sub_block(fp)
    if label == GIF_COMMENT:
        while block:
            block = gif_sub_block(fp)
        return
    if label == GIF_APPLICATION and first_frame and block and block.startswith(b"NETSCAPE2.0"):
        gif_sub_block(fp)
    skip_gif_sub_blocks(fp)


def skip_gif_color_table(fp, flags):
    if flags & 0x80:
        fp.read(3 << ((flags & 7) + 1))


def skip_gif_sub_blocks(fp):
    while gif_sub_block(fp):
        pass


def gif_sub_block(fp):
    """One length-prefixed data block, or None at the zero-length terminator or end of file."""
    length = fp.read(1)
    return fp.read(length[0]) if length and length[0] else None


class SizeLimitUploadHandler(FileUploadHandler):
    """Keeps at most QUIRE_IMAGE_MAX_BYTES of any uploaded file, in memory or on disk.

    Listed before Django's handlers, it passes chunks on until a file outgrows the limit, then
    only counts the rest. The view gets an empty stand-in carrying the file's name and true size,
    so reencode_upload() refuses it with its usual message instead of the editor getting none.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        self.oversized = start + len(raw_data) > settings.QUIRE_IMAGE_MAX_BYTES
        return None if self.oversized else raw_data

    def file_complete(self, file_size):
        if not self.oversized:
            return None  # the next handler holds the whole file
        return UploadedFile(io.BytesIO(), self.file_name, self.content_type, file_size)

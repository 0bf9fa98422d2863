"""Image intake: every upload is decoded, checked, re-encoded and renamed before it is stored.

Only the decoded pixels survive: the browser's content type, the file name, metadata (EXIF, GPS,
comments, ICC) and anything appended to the image data are all left behind.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

# Decoders outside this list are never tried: several have had bomb and overflow bugs.
ALLOWED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def reencode_upload(upload):
    """Return a clean ContentFile for an uploaded image, or raise ValidationError naming why not."""
    name = upload.name
    if not upload.size:
        raise ValidationError(f"{name}: the file is empty.")
    if upload.size > settings.QUIRE_IMAGE_MAX_BYTES:
        raise ValidationError(
            f"{name}: {filesizeformat(upload.size)} is over the "
            f"{filesizeformat(settings.QUIRE_IMAGE_MAX_BYTES)} limit."
        )
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            image = PILImage.open(upload, formats=ALLOWED_FORMATS)
            check_pixels(name, image.size)
            image.load()
            clean = strip(image)
        except UnidentifiedImageError:
            raise ValidationError(f"{name}: not a JPEG, PNG, GIF or WebP image.") from None
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
            raise ValidationError(f"{name}: too many pixels to decode safely.") from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise ValidationError(f"{name}: the image is damaged or truncated ({error}).") from None
    buffer = io.BytesIO()
    save_options = {"JPEG": {"quality": 88, "optimize": True}, "WEBP": {"quality": 88}}
    clean.save(buffer, format=image.format, **save_options.get(image.format, {}))
    return ContentFile(buffer.getvalue(), name=f"upload.{EXTENSIONS[image.format]}")


def check_pixels(name, size):
    """The header's dimensions are checked before any pixel is decoded."""
    width, height = size
    if width * height > settings.QUIRE_IMAGE_MAX_PIXELS:
        raise ValidationError(
            f"{name}: {width}×{height} pixels is over the limit of "
            f"{settings.QUIRE_IMAGE_MAX_PIXELS:,} pixels."
        )


def strip(image):
    """Apply the EXIF orientation, then drop every piece of metadata."""
    upright = ImageOps.exif_transpose(image)
    if image.format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    upright.info = {key: value for key, value in upright.info.items() if key == "transparency"}
    return upright

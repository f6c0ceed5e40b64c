"""Uploaded images: verified by decoding, re-encoded without metadata, with a thumbnail.

Anything that is not a real JPEG, PNG or WebP within the limits is refused before anything is
stored. Decoding happens under Pillow's decompression-bomb guard with our own, lower pixel limit.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
DISPLAY_WIDTH = 1600
THUMBNAIL_WIDTH = 480


@dataclass
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _encode(picture, width, name):
    copy = picture.copy()
    copy.thumbnail((width, width * 4))
    buffer = io.BytesIO()
    copy.save(buffer, format="WEBP", quality=82, method=4)
    return ContentFile(buffer.getvalue(), name=name)


def process_upload(upload) -> ProcessedImage:
    """Return the re-encoded image and thumbnail for an uploaded file, or raise a ValidationError."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The image is larger than 10 MB. Please choose a smaller one."), code="too_large"
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in ALLOWED_FORMATS:
                raise ValidationError(_("Only JPEG, PNG or WebP images can be uploaded."), code="wrong_type")
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("The image has too many pixels (at most 40 megapixels)."), code="too_many_pixels"
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
            picture = ImageOps.exif_transpose(picture)
            picture = picture.convert("RGBA" if picture.mode in ("RGBA", "LA", "P") else "RGB")
            return ProcessedImage(
                image=_encode(picture, DISPLAY_WIDTH, "image.webp"),
                thumbnail=_encode(picture, THUMBNAIL_WIDTH, "thumbnail.webp"),
                width=picture.width,
                height=picture.height,
            )
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            _("The image has too many pixels (at most 40 megapixels)."), code="too_many_pixels"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The file could not be read as an image. Please upload a JPEG, PNG or WebP photo."),
            code="unreadable",
        ) from exc

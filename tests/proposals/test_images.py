"""Uploads: real images only, re-encoded without metadata; anything else refused with nothing stored."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from allmende.proposals.images import process_upload


def image_bytes(fmt="JPEG", size=(800, 600), exif=False):
    picture = Image.new("RGB", size, (200, 80, 40))
    buffer = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "Kamerahersteller"  # Make
        data[0x8825] = {2: (48.0, 0.0, 0.0)}  # GPS latitude
        kwargs["exif"] = data.tobytes()
    picture.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def upload(data, name="bild.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_formats_are_reencoded_with_thumbnail(fmt):
    result = process_upload(upload(image_bytes(fmt)))
    with Image.open(io.BytesIO(result.image.read())) as picture:
        assert picture.format == "WEBP"
    with Image.open(io.BytesIO(result.thumbnail.read())) as thumb:
        assert thumb.width <= 480


def test_exif_and_location_are_removed():
    result = process_upload(upload(image_bytes(exif=True)))
    with Image.open(io.BytesIO(result.image.read())) as picture:
        assert not picture.getexif()
        assert b"Kamerahersteller" not in result.image.read()


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"<html><script>alert(1)</script></html>", "bild.jpg", "unreadable"),
        (b"GIF89a" + b"\x00" * 100, "bild.png", "unreadable"),
        (image_bytes("GIF"), "bild.jpg", "wrong_type"),
        (image_bytes("JPEG")[:200], "kaputt.jpg", "unreadable"),
    ],
)
def test_non_images_are_refused(data, name, code):
    with pytest.raises(ValidationError) as info:
        process_upload(upload(data, name))
    assert info.value.code == code


def test_oversized_file_is_refused_before_decoding():
    big = SimpleUploadedFile("gross.jpg", b"0" * (10 * 1024 * 1024 + 1), content_type="image/jpeg")
    with pytest.raises(ValidationError) as info:
        process_upload(big)
    assert info.value.code == "too_large"


def test_decompression_bomb_is_refused_without_decoding():
    # A small PNG that claims 20 000 × 20 000 pixels: refused from its header alone.
    bomb = Image.new("1", (20000, 20000))
    buffer = io.BytesIO()
    bomb.save(buffer, format="PNG", optimize=True)
    assert len(buffer.getvalue()) < 2 * 1024 * 1024
    with pytest.raises(ValidationError) as info:
        process_upload(upload(buffer.getvalue(), "bombe.png", "image/png"))
    assert info.value.code == "too_many_pixels"

"""Photo intake is not a cheap denial of service (issue 14 item 5).

Six 40-megapixel PNGs compress to 232 KB and cost 7–8 s of a web worker to decode. The
pixel count is read from the header (Pillow opens lazily) and refused before anything
is decoded: per photo (:data:`MAX_PHOTO_PIXELS`) and per filing
(:data:`MAX_FILING_PIXELS`, counted after a JPEG's reduced-size decode). A filing refused
for its photos counts in the filing rate limit. DESIGN.md §4 Privacy (PIPL): EXIF and
GPS are still stripped inside the request.
"""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image, ImageFile

from huashan.core import photos
from issues import services
from issues.models import Category, Issue
from tests.factories.world import compound_world


def png(width: int, height: int, name: str = "big.png") -> SimpleUploadedFile:
    """A one-bit PNG: a few hundred KB on disk, width × height pixels once decoded."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def phone_jpeg(size=(4032, 3024), name="IMG_0001.jpg", orientation=None) -> SimpleUploadedFile:
    """An ordinary 12 MP phone photo with the phone's EXIF: make, GPS, orientation."""
    image = Image.new("RGB", size, (120, 160, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 21.0, 15.5)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=70)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


class LoadSpy(list):
    """Every pixel decode (``load()``) after :meth:`start`, by image size (the test's own
    image generation happens before)."""

    active = False

    def start(self) -> None:
        self.active = True


@pytest.fixture
def loads(monkeypatch):
    seen = LoadSpy()
    for cls in (Image.Image, ImageFile.ImageFile):
        original = cls.load

        def spy(self, _original=original):
            if seen.active:
                seen.append(self.size)
            return _original(self)

        monkeypatch.setattr(cls, "load", spy)
    return seen


def test_a_40_megapixel_png_is_refused_from_its_header_without_decoding(loads):
    bomb = png(8000, 5000, "IMG_40MP.png")
    assert bomb.size < 1_000_000  # tiny on disk
    loads.start()
    with pytest.raises(ValidationError) as exc:
        photos.photos_sanitize([bomb])
    message = " ".join(exc.value.messages)
    assert exc.value.error_dict["photos"][0].code == "photo_too_many_pixels"
    assert "40" in message
    assert str(photos.MAX_PHOTO_PIXELS // 1_000_000) in message
    assert "IMG_40MP.png" in message  # the photo is named
    assert loads == []  # no pixel was decoded


def test_refused_on_the_sixth_photo_before_decoding_any_of_the_five(loads):
    files = [phone_jpeg((640, 480), f"IMG_{n}.jpg") for n in range(1, 6)]
    files.append(png(8000, 5000, "IMG_6.png"))
    loads.start()
    with pytest.raises(ValidationError) as exc:
        photos.photos_sanitize(files)
    (error,) = exc.value.error_dict["photos"]
    with_translation = " ".join(exc.value.messages)
    assert "6" in with_translation
    assert "IMG_6.png" in with_translation
    assert error.code == "photo_too_many_pixels"
    assert loads == []


def test_the_filing_total_is_limited_too(loads):
    # Each under the per-photo limit, together over the filing's decode budget.
    side = 4400  # 19.4 MP each
    assert side * side <= photos.MAX_PHOTO_PIXELS
    count = photos.MAX_FILING_PIXELS // (side * side) + 1
    files = [png(side, side, f"scan{n}.png") for n in range(1, count + 1)]
    loads.start()
    with pytest.raises(ValidationError) as exc:
        photos.photos_sanitize(files)
    (error,) = exc.value.error_dict["photos"]
    assert error.code == "photos_too_many_pixels"
    assert f"scan{count}.png" in " ".join(exc.value.messages)
    assert str(photos.MAX_FILING_PIXELS // 1_000_000) in " ".join(exc.value.messages)
    assert loads == []


def test_pillow_itself_refuses_what_would_need_twice_the_limit():
    assert Image.MAX_IMAGE_PIXELS == photos.MAX_PHOTO_PIXELS


def test_a_12_megapixel_phone_jpeg_is_decoded_at_reduced_size_stored_small_without_exif(loads):
    """The JPEG decoder is asked for 1/2 scale (``draft()``): 4032×3024 decodes as 2016×1512."""
    photo = phone_jpeg(orientation=6)  # 6: the phone was held upright (rotate 90°)
    loads.start()
    (clean,) = photos.photos_sanitize([photo])
    assert (4032, 3024) not in loads  # never decoded at full size
    stored = Image.open(io.BytesIO(clean.read()))
    assert stored.format == "JPEG"
    assert max(stored.size) <= photos.MAX_EDGE
    assert stored.size == (1512, 2016)  # upright (portrait) after the EXIF orientation
    assert (clean.width, clean.height) == stored.size
    exif = stored.getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert ExifTags.Base.Make not in exif
    assert ExifTags.Base.Orientation not in exif
    assert b"Exif" not in clean.read()[:2048]


def test_six_ordinary_phone_photos_fit_the_filing_budget():
    cleaned = photos.photos_sanitize([phone_jpeg(name=f"IMG_{n}.jpg") for n in range(6)])
    assert len(cleaned) == 6


# --- the filing rate limit -------------------------------------------------------------------


@pytest.fixture
def world(db):
    return compound_world(default_compound=True)


def _submit(world, client_key, photos_):
    return services.issue_submit(
        actor=None,
        compound=world.compound,
        category=Category.objects.get(code="environment"),
        description="7栋楼道灯坏了，晚上很黑",
        building=world.building,
        reporter_phone="13912345678",
        photos=photos_,
        client_key=client_key,
    )


def test_a_filing_refused_for_its_photos_counts_in_the_rate_limit(world):
    """Five refused filings in ten minutes, then the sixth try is refused as too frequent
    before any photo is read."""
    for _ in range(services.RATE_LIMIT):
        with pytest.raises(ValidationError) as exc:
            _submit(world, "photo-bomber", [png(8000, 5000)])
        assert not isinstance(exc.value, services.RateLimited)
    with pytest.raises(services.RateLimited):
        _submit(world, "photo-bomber", [png(8000, 5000)])
    assert Issue.objects.count() == 0
    _submit(world, "someone-else", [phone_jpeg((640, 480))])  # others are not affected


def test_refused_photo_on_the_phone_form_keeps_the_text_and_names_the_photo(world, client):
    """Step 2 of filing: the refusal is a clear Chinese message next to the photos; the
    text of step 1 is kept; the attempt is counted."""
    step1 = {
        "category": str(Category.objects.get(code="environment").pk),
        "building": str(world.building.pk),
        "location_text": "楼道",
        "description": "七栋二单元楼道灯坏了一个星期",
        "is_public": "on",
        "contact": "call_back",
        "reporter_name": "王先生",
        "reporter_phone": "13912345678",
    }
    assert client.post(reverse("issues:file"), step1).status_code == 302
    five = [phone_jpeg((640, 480), f"IMG_{n}.jpg") for n in range(1, 6)]
    response = client.post(
        reverse("issues:file_confirm"), {"photos": [*five, png(8000, 5000, "IMG_6.png")]}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "第6张照片（IMG_6.png）" in body
    assert "4000万像素" in body
    assert "2400万" in body
    assert "七栋二单元楼道灯坏了一个星期" in body  # nothing typed is lost
    assert Issue.objects.count() == 0
    assert services.cache_count(services._rate_key("ip:127.0.0.1")) == 1

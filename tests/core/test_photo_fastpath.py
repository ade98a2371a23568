"""The lossless path for ordinary JPEGs (issue 20): metadata segments left out, the
entropy-coded data copied byte for byte, the full re-encode whenever anything is unusual.

DESIGN.md §4 Privacy: EXIF and GPS never reach storage, on either path.
"""

from __future__ import annotations

import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from huashan.core import photos
from huashan.core.photos import MAX_EDGE, jpeg_strip_metadata, photo_sanitize, photos_sanitize


def _noise(mode: str, size: tuple[int, int], seed: int) -> Image.Image:
    """Random pixels: a lossy re-encode of these never gives back the same pixels, so
    identical pixels prove the lossless path was taken."""
    bands = 1 if mode == "L" else 3
    rng = random.Random(seed)
    return Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * bands))


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def _with_segments_after_soi(data: bytes, *segments: bytes) -> bytes:
    assert data[:2] == b"\xff\xd8"
    return data[:2] + b"".join(segments) + data[2:]


def _exif(token: str, orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = f"Phone-{token}"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 21.0, 15.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (114.0, 19.0, 1.0)
    gps[ExifTags.GPS.GPSMapDatum] = f"GPS-{token}"
    return exif


def _phone_jpeg(image: Image.Image, token: str, trailing: bytes = b"", **save) -> bytes:
    """A JPEG as phones and editors write them: EXIF with GPS, XMP, ICC, a comment, a
    Photoshop APP13, a maker's APP9 segment, and bytes after the end of the image."""
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=_exif(token, save.pop("orientation", None)),
        xmp=f'<x:xmpmeta xmlns:x="adobe:ns:meta/">XMP-{token}</x:xmpmeta>'.encode(),
        icc_profile=f"ICC-{token}".encode() * 4,
        comment=f"COM-{token}",
        **save,
    )
    data = _with_segments_after_soi(
        out.getvalue(),
        _segment(0xED, b"Photoshop 3.0\x00" + f"IPTC-{token}".encode()),
        _segment(0xE9, b"MAKER\x00" + f"MAKER-{token}".encode()),
    )
    return data + trailing


def _sanitized(data: bytes, name: str = "p.jpg") -> bytes:
    return photo_sanitize(SimpleUploadedFile(name, data, content_type="image/jpeg")).read()


def _pixels(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.mode, image.size, image.tobytes()


def _assert_no_metadata(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert not {"exif", "icc_profile", "xmp", "comment", "photoshop", "adobe", "mp"} & set(
        image.info
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mode=st.sampled_from(["L", "RGB"]),
    width=st.integers(1, 48),
    height=st.integers(1, 48),
    seed=st.integers(0, 2**32),
    quality=st.integers(30, 95),
    progressive=st.booleans(),
    subsampling=st.sampled_from([0, 1, 2]),
    restart=st.sampled_from([0, 1, 3]),
    orientation=st.sampled_from([None, 1]),
    token=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=12, max_size=16),
    trailing=st.binary(max_size=64),
)
def test_ordinary_jpegs_lose_every_metadata_byte_and_keep_every_pixel(
    mode,
    width,
    height,
    seed,
    quality,
    progressive,
    subsampling,
    restart,
    orientation,
    token,
    trailing,
):
    image = _noise(mode, (width, height), seed)
    save = {"quality": quality, "progressive": progressive, "restart_marker_blocks": restart}
    if mode == "RGB":
        save["subsampling"] = subsampling
    tail = b"<html><script>TRAIL-" + token.encode() + b"</script></html>" + trailing
    raw = _phone_jpeg(image, token, tail, orientation=orientation, **save)
    exif_payload = Image.open(io.BytesIO(raw)).info["exif"]

    clean = _sanitized(raw)

    assert token.encode() not in clean  # GPS datum, XMP, ICC, COM, IPTC, maker, trailing
    assert exif_payload not in clean
    assert b"<html>" not in clean
    assert clean.endswith(b"\xff\xd9")
    _assert_no_metadata(clean)
    assert _pixels(clean) == _pixels(raw)


def test_the_bench_photo_takes_the_fast_path_and_reports_its_size():
    raw = _phone_jpeg(_noise("RGB", (1280, 960), 7), "benchphoto", b"tail")
    clean = photo_sanitize(SimpleUploadedFile("IMG_0001.jpg", raw))
    assert (clean.width, clean.height) == (1280, 960)
    assert _pixels(clean.read()) == _pixels(raw)


def test_several_photos_each_take_the_fast_path():
    raws = [_phone_jpeg(_noise("RGB", (30, 20), n), f"many{n}xyzabc") for n in range(3)]
    cleaned = photos_sanitize([SimpleUploadedFile(f"{n}.jpg", r) for n, r in enumerate(raws)])
    for raw, clean in zip(raws, cleaned, strict=True):
        data = clean.read()
        assert b"xyzabc" not in data
        assert _pixels(data) == _pixels(raw)


# --- what the walker keeps and what it gives up on ------------------------------------


def _plain(mode="RGB", size=(16, 16), **save) -> bytes:
    out = io.BytesIO()
    _noise(mode, size, 1).save(out, "JPEG", **save)
    return out.getvalue()


def test_jfif_thumbnail_is_dropped_but_the_jfif_segment_kept():
    data = _plain()
    assert data[2:4] == b"\xff\xe0"
    length = int.from_bytes(data[4:6], "big")
    jfif = data[6 : 4 + length]
    thumb = bytes([2, 1]) + b"\x11\x22\x33" * 2  # a 2 x 1 RGB thumbnail
    with_thumb = data[:2] + _segment(0xE0, jfif[:12] + thumb) + data[4 + length :]
    stripped = jpeg_strip_metadata(with_thumb)
    assert stripped[2:20] == b"\xff\xe0\x00\x10" + jfif[:12] + b"\x00\x00"
    assert b"\x11\x22\x33" not in stripped
    assert _pixels(stripped) == _pixels(with_thumb)


def test_only_the_first_image_of_a_concatenation_is_kept():
    first, second = _plain(size=(16, 16)), _plain(size=(8, 8))
    stripped = jpeg_strip_metadata(first + second)
    assert stripped == jpeg_strip_metadata(first)
    assert Image.open(io.BytesIO(stripped)).size == (16, 16)


def test_multi_picture_file_keeps_the_first_picture_only():
    """MPO (phones' depth or HDR companion picture): the MPF index and the second picture
    after the first EOI are left out."""
    first, second = _noise("RGB", (24, 16), 11), _noise("RGB", (24, 16), 12)
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second], exif=_exif("mpotoken"))
    raw = out.getvalue()
    assert Image.open(io.BytesIO(raw)).format == "MPO"
    clean = _sanitized(raw)
    assert b"MPF\x00" not in clean
    assert b"mpotoken" not in clean
    assert clean.count(b"\xff\xd8") == 1
    _assert_no_metadata(clean)
    assert _pixels(clean) == _pixels(raw)


def test_fill_bytes_before_a_marker_are_accepted():
    data = _plain()
    filled = data[:2] + b"\xff\xff" + data[2:]
    assert _pixels(jpeg_strip_metadata(filled)) == _pixels(data)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: d[:-2], id="no EOI"),
        pytest.param(lambda d: d[: len(d) // 2], id="truncated scan"),
        pytest.param(lambda d: d.replace(b"\xff\xc0", b"\xff\xc9", 1), id="arithmetic coding"),
        pytest.param(lambda d: d.replace(b"\xff\xc0", b"\xff\xc3", 1), id="lossless frame"),
        pytest.param(lambda d: d[:2] + b"\xff\xdb\xff\xff" + d[2:], id="length past the end"),
        pytest.param(lambda d: d[:2] + b"\xff\xdb\x00\x01" + d[2:], id="length below two"),
        pytest.param(lambda d: b"\x00" + d, id="no SOI"),
        pytest.param(
            lambda d: d[:2] + _segment(0xEE, b"Adobe\x00d\x00\x00\x00\x00\x01") + d[2:],
            id="Adobe APP14",
        ),
        pytest.param(lambda d: d[:2] + _segment(0xF7, b"\x08") + d[2:], id="JPEG-LS frame"),
        pytest.param(lambda d: d[:2] + b"\x12\x34" + d[2:], id="not a marker"),
    ],
)
def test_walker_gives_up_on_anything_unusual(damage):
    assert jpeg_strip_metadata(_plain()) is not None  # the undamaged file passes
    assert jpeg_strip_metadata(damage(_plain())) is None


def test_second_frame_or_scan_before_frame_is_refused():
    data = _plain()
    sof = data.index(b"\xff\xc0")
    length = int.from_bytes(data[sof + 2 : sof + 4], "big")
    frame = data[sof : sof + 2 + length]
    assert jpeg_strip_metadata(data[:sof] + frame + data[sof:]) is None
    sos = data.index(b"\xff\xda")
    assert jpeg_strip_metadata(data[:2] + data[sos:]) is None


# --- the full re-encode still decides the unusual photos ------------------------------


def test_rotated_photo_is_turned_upright_by_the_re_encode():
    raw = _phone_jpeg(_noise("RGB", (40, 20), 3), "rotatedtoken", orientation=6)
    clean = photo_sanitize(SimpleUploadedFile("r.jpg", raw))
    assert (clean.width, clean.height) == (20, 40)
    data = clean.read()
    assert b"rotatedtoken" not in data
    _assert_no_metadata(data)


def test_cmyk_jpeg_is_re_encoded_as_rgb():
    out = io.BytesIO()
    Image.new("CMYK", (12, 12), (0, 100, 200, 10)).save(out, "JPEG", exif=_exif("cmyktoken"))
    data = _sanitized(out.getvalue())
    assert Image.open(io.BytesIO(data)).mode == "RGB"
    assert b"cmyktoken" not in data
    _assert_no_metadata(data)


def test_photo_over_the_edge_limit_is_downscaled_by_the_re_encode():
    raw = _phone_jpeg(_noise("RGB", (MAX_EDGE + 40, 8), 5), "widetoken")
    clean = photo_sanitize(SimpleUploadedFile("w.jpg", raw))
    assert clean.width == MAX_EDGE
    assert b"widetoken" not in clean.read()


def test_fast_path_doubt_falls_back_to_the_re_encode(monkeypatch):
    """A stripped copy that does not read back as a clean JPEG is never stored."""
    monkeypatch.setattr(photos, "jpeg_strip_metadata", lambda data: data)  # strips nothing
    raw = _phone_jpeg(_noise("RGB", (16, 12), 9), "doubttoken")
    data = _sanitized(raw)
    assert b"doubttoken" not in data
    _assert_no_metadata(data)


def test_damaged_jpeg_is_still_refused_with_a_code():
    raw = _phone_jpeg(_noise("RGB", (64, 48), 2), "damagedtoken")
    with pytest.raises(ValidationError) as exc:
        _sanitized(raw[:300])
    assert exc.value.code == "photo_invalid"

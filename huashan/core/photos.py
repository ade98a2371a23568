"""Photo intake, shared by every app that takes photos (complaints, pledge evidence, disclosure
attachments): verify, bound, re-encode as JPEG, strip EXIF (incl. GPS); and the form field.

DESIGN.md §4 "Privacy (PIPL)": photos have EXIF (GPS) stripped on upload. A
phone photo carries the reporter's position and device; the complaint is
shown to the party complained about, so none of that may survive. We never
keep the uploaded bytes as they came: the image is decoded, rotated upright from its EXIF
orientation, flattened to RGB and written anew as a JPEG without metadata — or, for the
ordinary phone JPEG that needs none of that (upright, small enough), copied losslessly
with every metadata segment left out (:func:`jpeg_strip_metadata`), which is what most
filings are and costs a fraction of a decode and re-encode (issue 20).

Hostile files are refused with a clear message, never a 500: not an image,
truncated, larger than :data:`MAX_PHOTO_BYTES`, more than
:data:`MAX_PHOTO_PIXELS` pixels (a "decompression bomb": a tiny file that
expands to gigabytes in memory), or an HEIC photo this server cannot decode.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import warnings

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 10 * 1024 * 1024
#: Per photo, read from the header before anything is decoded. 24 megapixels is above
#: what phones save by default (12 MP; 24 MP on a few), far below a "decompression bomb"
#: (issue 14 item 5: six 40 MP PNGs compress to 232 KB and cost 7–8 s of a web worker).
MAX_PHOTO_PIXELS = 24_000_000
#: Per filing (one call of :func:`photos_sanitize`): the pixels that will really be
#: decoded, i.e. after a JPEG's reduced-size decode (:data:`DRAFT_EDGE`). Six ordinary
#: 12 MP phone JPEGs decode to 6 × 3 MP and pass; two 24 MP PNGs are the most one
#: filing may cost.
MAX_FILING_PIXELS = 48_000_000
#: Stored photos are downscaled to this longest edge: enough to see a broken door.
MAX_EDGE = 2560
#: JPEGs are decoded at the smallest 1/2, 1/4 or 1/8 scale (Pillow's ``draft()``: the
#: decoder skips the detail) that still keeps this longest edge, then downscaled to
#: at most :data:`MAX_EDGE`. A 4032 × 3024 phone photo decodes as 2016 × 1512.
DRAFT_EDGE = 1920
JPEG_QUALITY = 85
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF", "HEIF"})
_DRAFT_FORMATS = frozenset({"JPEG", "MPO"})
# ISO-BMFF brands of HEIC/HEIF files (iPhone default format).
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")

# Pillow's own guard, process-wide (forms, PDFs, admin): it warns above this many pixels
# and refuses twice as many before decoding. Photo intake checks the exact limit itself.
Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS


class SanitizedPhoto(ContentFile):
    """A re-encoded JPEG ready to save in an ImageField, with its final size."""

    def __init__(self, content: bytes, *, width: int, height: int) -> None:
        super().__init__(content, name=f"{secrets.token_hex(16)}.jpg")
        self.width = width
        self.height = height


def _looks_like_heif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def _read_bounded(file) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is larger than %(limit)d MB. Please choose a smaller one."),
            code="photo_too_large",
            params={"limit": MAX_PHOTO_BYTES // (1024 * 1024)},
        )
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is larger than %(limit)d MB. Please choose a smaller one."),
            code="photo_too_large",
            params={"limit": MAX_PHOTO_BYTES // (1024 * 1024)},
        )
    if not data:
        raise ValidationError(_("The photo file is empty."), code="photo_empty")
    return data


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f}" if pixels >= 10_000_000 else f"{pixels / 1_000_000:.1f}"


def _too_many_pixels(pixels: int | None = None) -> ValidationError:
    if pixels is None:  # Pillow refused it before we could read the size
        return ValidationError(
            _(
                "The picture has too many pixels (at most %(limit)d million). "
                "Please send a smaller one."
            ),
            code="photo_too_many_pixels",
            params={"limit": MAX_PHOTO_PIXELS // 1_000_000},
        )
    return ValidationError(
        _(
            "The picture has %(pixels)s million pixels; at most %(limit)d million per photo. "
            "Please send it at the phone's normal size, or a screenshot of it."
        ),
        code="photo_too_many_pixels",
        params={
            "pixels": _megapixels(pixels),
            "wan": round(pixels / 10_000),  # 万: how Chinese counts pixels ("4000万像素")
            "limit": MAX_PHOTO_PIXELS // 1_000_000,
            "limit_wan": MAX_PHOTO_PIXELS // 10_000,
        },
    )


def _filing_too_large() -> ValidationError:
    return ValidationError(
        _(
            "Together with the photos before it, this is more than we can process at once "
            "(%(limit)d million pixels per submission). Please send fewer or smaller photos."
        ),
        code="photos_too_many_pixels",
        params={
            "limit": MAX_FILING_PIXELS // 1_000_000,
            "limit_wan": MAX_FILING_PIXELS // 10_000,
        },
    )


def _not_an_image(data: bytes) -> ValidationError:
    if _looks_like_heif(data[:16]):
        return ValidationError(
            _(
                "HEIC photos cannot be read here. Please set the camera to “Most compatible” "
                "(JPEG) or send a screenshot of the photo."
            ),
            code="photo_heic",
        )
    return ValidationError(
        _("This file is not a photo we can read. Please upload a JPEG or PNG picture."),
        code="photo_invalid",
    )


def _open(data: bytes) -> Image.Image:
    """Open lazily: only the header is read (size, format, EXIF); nothing is decoded."""
    with warnings.catch_warnings():
        # Between MAX_IMAGE_PIXELS and twice that Pillow only warns: the exact limit is
        # checked by the caller from ``image.size``, with the real size in the message.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels() from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise _not_an_image(data) from exc


def _draft(image: Image.Image) -> None:
    """Ask a JPEG decoder for the smallest DCT scale that keeps :data:`DRAFT_EDGE`.

    Header-only: ``image.size`` becomes the decoded size, nothing is decoded yet."""
    if image.format not in _DRAFT_FORMATS:
        return
    width, height = image.size
    longest = max(width, height)
    if longest < 2 * DRAFT_EDGE:
        return
    ratio = DRAFT_EDGE / longest
    image.draft(None, (max(1, int(width * ratio)), max(1, int(height * ratio))))


class _Checked:
    """A photo whose header passed: its bytes and the pixels decoding it will cost."""

    def __init__(self, data: bytes, decoded_pixels: int) -> None:
        self.data = data
        self.decoded_pixels = decoded_pixels


def _check(file) -> _Checked:
    """Everything that can be refused from the header alone, before any decoding:
    size in bytes, format, pixel count (:data:`MAX_PHOTO_PIXELS`), file structure."""
    data = _read_bounded(file)
    image = _open(data)
    if image.format not in ACCEPTED_FORMATS:
        raise _not_an_image(data)
    width, height = image.size
    if width < 1 or height < 1:
        raise _not_an_image(data)
    if width * height > MAX_PHOTO_PIXELS:
        raise _too_many_pixels(width * height)
    _draft(image)
    decoded = image.size[0] * image.size[1]
    try:
        image.verify()  # structure check (PNG chunk CRCs); does not decode the pixels
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError) as exc:
        raise _not_an_image(data) from exc
    return _Checked(data, decoded)


def _reencode(checked: _Checked) -> SanitizedPhoto:
    """Decode (JPEGs at reduced size), turn upright, flatten, downscale and write a new
    JPEG with no metadata: EXIF and GPS never leave this function."""
    data = checked.data
    try:
        image = _open(data)
        _draft(image)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
        # Upright from the EXIF orientation (read with the header), then EXIF is gone.
        ImageOps.exif_transpose(image, in_place=True)  # no copy of a big image
        if image.mode in ("RGBA", "LA", "PA") or (
            image.mode == "P" and "transparency" in image.info
        ):
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            image = flat
        elif image.mode != "RGB":
            image = image.convert("RGB")
        # reducing_gap=1: a cheap integer box reduction (2×, 3×…) first, Lanczos for the rest
        # (a 24 MP PNG: about twice as fast as Lanczos over the full image).
        image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS, reducing_gap=1.0)
        out = io.BytesIO()
        # No exif=, no icc_profile=: Pillow writes no metadata unless asked to — except
        # the upload's COM comment, which it copies from ``image.info`` unless told not to.
        image.save(out, format="JPEG", quality=JPEG_QUALITY, comment=b"")
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError) as exc:
        raise _not_an_image(data) from exc
    return SanitizedPhoto(out.getvalue(), width=image.width, height=image.height)


# --- the lossless fast path for ordinary JPEGs ---------------------------------------
#
# No maintained library does this strip in a way we can use: piexif.remove() drops only
# APP1 (EXIF) and keeps XMP, ICC, maker APPn, comments and trailing bytes; pyexiv2 and
# exiftool rewrite through a large native parser (a hostile file reaches it) and keep
# segments they do not know; jpegtran -copy none would be a process per photo. The walker
# below is short, keeps an allow-list (not a deny-list) and gives up on anything unusual.

_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
#: Baseline, extended sequential and progressive Huffman frames: what phones write.
_SOF_KEPT = frozenset({0xC0, 0xC1, 0xC2})
#: Tables and the restart interval: what decoding needs (DQT, DHT, DRI).
_TABLES_KEPT = frozenset({0xDB, 0xC4, 0xDD})
#: Dropped: APP1–APP15 (EXIF, GPS, XMP, ICC, MPF, maker notes, Adobe is refused below)
#: and COM. APP0 is rebuilt (JFIF without its thumbnail) or dropped.
_DROPPED = frozenset(range(0xE1, 0xF0)) | {0xFE}
_ADOBE = 0xEE
#: A marker inside entropy-coded data: 0xFF followed by anything but a stuffed 0x00, a
#: restart marker RST0–RST7 or a fill byte.
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def jpeg_strip_metadata(data: bytes) -> bytes | None:
    """A copy of a JPEG with only what decoding needs, or None when it is anything unusual.

    A small marker walker (ITU T.81 annex B). Kept: SOI; APP0 JFIF, rewritten without its
    thumbnail (its presence decides the colour transform, so dropping it could change the
    pixels); DQT, DHT, DRI; one SOF0/1/2 frame; every SOS with its entropy-coded data;
    EOI. Left out: every other APPn (EXIF with GPS, XMP, ICC, MPF, maker notes), COM, and
    everything after the first EOI (where polyglot files and a phone's second picture
    hide). The entropy-coded data is copied byte for byte, so the photo decodes to the
    same pixels as the upload; it is the only free-form content that survives, and the
    copy always begins with SOI and a table or JFIF segment, so nothing sniffs it as
    another type.

    None — the caller re-encodes instead — for: no SOI, a marker or length that runs
    past the end, no EOI, an Adobe APP14 segment (CMYK or a different colour transform),
    arithmetic coding, lossless, hierarchical or 12-bit frames, 4-component (CMYK)
    frames, a second frame, scans before the frame, and any marker this list does not name.
    """
    if data[:2] != b"\xff\xd8":
        return None
    out = [b"\xff\xd8"]
    size = len(data)
    pos = 2
    frame = False
    scans = 0
    while True:
        if pos >= size or data[pos] != 0xFF:
            return None
        while pos < size and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= size:
            return None
        marker = data[pos]
        pos += 1
        if marker == _EOI:
            if not frame or not scans:
                return None
            out.append(b"\xff\xd9")
            return b"".join(out)  # whatever follows EOI is not copied
        if pos + 2 > size:
            return None
        length = int.from_bytes(data[pos : pos + 2], "big")
        end = pos + length
        if length < 2 or end > size:
            return None
        segment = data[pos - 2 : end]
        payload = data[pos + 2 : end]
        pos = end
        if marker in _TABLES_KEPT:
            out.append(segment)
        elif marker in _SOF_KEPT:
            # precision (8 bit only), height, width, component count (1 grey or 3 colour)
            if frame or scans or len(payload) < 6 or payload[0] != 8 or payload[5] not in (1, 3):
                return None
            frame = True
            out.append(segment)
        elif marker == _SOS:
            if not frame:
                return None
            match = _SCAN_END.search(data, pos)
            if match is None:
                return None  # truncated scan: no marker, no EOI
            out.append(segment)
            out.append(data[pos : match.start()])
            pos = match.start()
            scans += 1
        elif marker == 0xE0:
            if payload[:5] == b"JFIF\x00" and len(payload) >= 14:
                # version, units, densities; no thumbnail (Xthumbnail = Ythumbnail = 0)
                out.append(b"\xff\xe0\x00\x10" + payload[:12] + b"\x00\x00")
            # JFXX and other APP0 are dropped: they never change the decoded pixels
        elif marker == _ADOBE or marker not in _DROPPED:
            return None
        # else: EXIF, GPS, XMP, ICC, MPF, maker notes, comments: left out


def _fast_jpeg(checked: _Checked) -> SanitizedPhoto | None:
    """The lossless copy of an upright JPEG within :data:`MAX_EDGE`, confirmed by reading it
    back; None on any doubt (the caller re-encodes)."""
    try:
        image = _open(checked.data)
        if image.format not in _DRAFT_FORMATS or image.mode not in ("L", "RGB"):
            return None
        if max(image.size) > MAX_EDGE:
            return None
        if image.getexif().get(ExifTags.Base.Orientation, 1) != 1:
            return None
        stripped = jpeg_strip_metadata(checked.data)
        if stripped is None:
            return None
        copy = Image.open(io.BytesIO(stripped))
        if (
            copy.format != "JPEG"
            or copy.size != image.size
            or copy.mode != image.mode
            or len(copy.getexif())
            or _METADATA_KEYS & set(copy.info)
        ):
            return None
    except Exception:  # any doubt about the file: the full re-encode decides
        return None
    return SanitizedPhoto(stripped, width=copy.width, height=copy.height)


#: What Pillow's JPEG reader puts in ``info`` for metadata we promise not to store.
_METADATA_KEYS = frozenset({"exif", "icc_profile", "xmp", "comment", "photoshop", "adobe", "mp"})


def _sanitize_checked(checked: _Checked) -> SanitizedPhoto:
    return _fast_jpeg(checked) or _reencode(checked)


def photo_sanitize(file) -> SanitizedPhoto:
    """Return a clean JPEG copy of an uploaded photo, or raise ValidationError.

    seed: 公示承诺制度 第一条 (issues are shown publicly; the reporter is protected) and
    DESIGN.md §4 Privacy: EXIF and GPS never reach storage.
    """
    return _sanitize_checked(_check(file))


def _photo_name(file) -> str:
    name = os.path.basename(str(getattr(file, "name", "") or ""))
    return name[:60]


def _named(index: int, file, error: ValidationError) -> list[ValidationError]:
    name = _photo_name(file)
    if name:
        return [
            ValidationError(
                _("Photo %(number)d (%(name)s): %(message)s"),
                code=error.code or "photo",
                params={"number": index, "name": name, "message": message},
            )
            for message in error.messages
        ]
    return [
        ValidationError(
            _("Photo %(number)d: %(message)s"),
            code=error.code or "photo",
            params={"number": index, "message": message},
        )
        for message in error.messages
    ]


def photos_sanitize(files) -> list[SanitizedPhoto]:
    """Sanitize up to :data:`MAX_PHOTOS` files; errors name the photo (position and name).

    Every header is checked first — pixel count per photo and in total
    (:data:`MAX_PHOTO_PIXELS`, :data:`MAX_FILING_PIXELS`) — so a filing refused for its
    sixth photo has decoded none of the five before it (issue 14 item 5).
    """
    files = [f for f in files or () if f]
    if len(files) > MAX_PHOTOS:
        raise ValidationError(
            {
                "photos": [
                    ValidationError(
                        _("At most %(limit)d photos, please (you chose %(count)d)."),
                        code="too_many_photos",
                        params={"limit": MAX_PHOTOS, "count": len(files)},
                    )
                ]
            }
        )
    checked: list[_Checked] = []
    errors: list[ValidationError] = []
    total = 0
    for index, file in enumerate(files, start=1):
        try:
            one = _check(file)
        except ValidationError as exc:
            errors += _named(index, file, exc)
            continue
        total += one.decoded_pixels
        if total > MAX_FILING_PIXELS:
            errors += _named(index, file, _filing_too_large())
            break
        checked.append(one)
    if errors:
        raise ValidationError({"photos": errors})
    cleaned = []
    for index, (file, one) in enumerate(zip(files, checked, strict=True), start=1):
        try:
            cleaned.append(_sanitize_checked(one))
        except ValidationError as exc:
            errors += _named(index, file, exc)
    if errors:
        raise ValidationError({"photos": errors})
    return cleaned


# --- the form field: early refusals next to the field ------------------------------


class MultipleFileInput(forms.FileInput):
    """``<input type=file multiple>`` (Django 5.2 multiple-file pattern)."""

    allow_multiple_selected = True


# What a phone camera or gallery names its pictures; anything else is refused
# with a message, even when its bytes happen to be an image.
PHOTO_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp", "heic", "heif"})


class MultipleImageField(forms.FileField):
    """Up to ``MAX_PHOTOS`` images, each at most ``MAX_PHOTO_BYTES``, that Pillow can read.

    The service re-encodes every photo to JPEG and strips EXIF/GPS
    (``photo_sanitize`` above); this field rejects early and next to the field
    what certainly cannot become a photo.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_PHOTOS:
            raise ValidationError(
                _("At most %(max)d photos, you chose %(count)d."),
                code="too_many",
                params={"max": MAX_PHOTOS, "count": len(files)},
            )
        single_clean = super().clean
        cleaned = []
        errors = []
        for upload in files:
            try:
                upload = single_clean(upload, initial)
            except ValidationError as exc:
                errors.extend(exc.error_list)
                continue
            extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
            if extension not in PHOTO_EXTENSIONS:
                errors.append(
                    ValidationError(
                        _(
                            "“%(name)s” is not a photo file. Send a JPEG or PNG picture "
                            "(.jpg, .png)."
                        ),
                        code="bad_extension",
                        params={"name": upload.name},
                    )
                )
                continue
            if upload.size > MAX_PHOTO_BYTES:
                errors.append(
                    ValidationError(
                        _("“%(name)s” is larger than 10 MB."),
                        code="too_large",
                        params={"name": upload.name[:80]},
                    )
                )
                continue
            if not _is_readable_image(upload):
                errors.append(
                    ValidationError(
                        _(
                            "“%(name)s” is not a photo we can read. Send JPEG or PNG; "
                            "for iPhone HEIC photos choose “Most Compatible” in the "
                            "camera settings."
                        ),
                        code="not_image",
                        params={"name": upload.name[:80]},
                    )
                )
                continue
            cleaned.append(upload)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _is_readable_image(upload) -> bool:
    """Header and structure only (no pixel is decoded). Too many pixels is not "unreadable":
    the service refuses it with the real size and the limit (``photo_sanitize``)."""
    import warnings

    from PIL import Image

    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image.verify()
    except Image.DecompressionBombError:
        return True
    except Exception:  # Pillow raises many types for garbage; all mean "not a photo".
        return False
    finally:
        upload.seek(0)
    return True

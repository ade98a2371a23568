"""Photo intake: verify, bound, re-encode as JPEG, strip EXIF (incl. GPS).

DESIGN.md §4 "Privacy (PIPL)": photos have EXIF (GPS) stripped on upload. A
phone photo carries the reporter's position and device; the complaint is
shown to the party complained about, so none of that may survive. We never
keep the uploaded bytes: the image is decoded, rotated upright from its EXIF
orientation, flattened to RGB and written anew as a JPEG without metadata.

Hostile files are refused with a clear message, never a 500: not an image,
truncated, larger than :data:`MAX_PHOTO_BYTES`, more than
:data:`MAX_PHOTO_PIXELS` pixels (a "decompression bomb": a tiny file that
expands to gigabytes in memory), or an HEIC photo this server cannot decode.
"""

from __future__ import annotations

import io
import secrets
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# 40 megapixels: above every phone camera, far below what would exhaust memory.
MAX_PHOTO_PIXELS = 40_000_000
# Stored photos are downscaled to this longest edge: enough to see a broken door.
MAX_EDGE = 2560
JPEG_QUALITY = 85
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF", "HEIF"})
# ISO-BMFF brands of HEIC/HEIF files (iPhone default format).
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


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


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _(
            "The picture has too many pixels (at most %(limit)d million). "
            "Please send a smaller one."
        ),
        code="photo_too_many_pixels",
        params={"limit": MAX_PHOTO_PIXELS // 1_000_000},
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
    """Open lazily (header only) with Pillow's bomb check turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise _not_an_image(data) from exc


def photo_sanitize(file) -> SanitizedPhoto:
    """Return a clean JPEG copy of an uploaded photo, or raise ValidationError.

    seed: 公示承诺制度 第一条 (issues are shown publicly; the reporter is protected) and
    DESIGN.md §4 Privacy: EXIF and GPS never reach storage.
    """
    data = _read_bounded(file)
    image = _open(data)
    if image.format not in ACCEPTED_FORMATS:
        raise _not_an_image(data)
    width, height = image.size
    if width < 1 or height < 1:
        raise _not_an_image(data)
    if width * height > MAX_PHOTO_PIXELS:
        raise _too_many_pixels()
    try:
        image.verify()  # structure check; the object is unusable afterwards
        image = _open(data)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
        image = ImageOps.exif_transpose(image)  # keep it upright once EXIF is gone
        if image.mode in ("RGBA", "LA", "PA") or (
            image.mode == "P" and "transparency" in image.info
        ):
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            image = flat
        elif image.mode != "RGB":
            image = image.convert("RGB")
        image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        # No exif=, no icc_profile=: Pillow writes no metadata unless asked to.
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError) as exc:
        raise _not_an_image(data) from exc
    return SanitizedPhoto(out.getvalue(), width=image.width, height=image.height)


def photos_sanitize(files) -> list[SanitizedPhoto]:
    """Sanitize up to :data:`MAX_PHOTOS` files; errors name the photo by position."""
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
    cleaned, errors = [], []
    for index, file in enumerate(files, start=1):
        try:
            cleaned.append(photo_sanitize(file))
        except ValidationError as exc:
            for message in exc.messages:
                errors.append(
                    ValidationError(
                        _("Photo %(number)d: %(message)s"),
                        code="photo",
                        params={"number": index, "message": message},
                    )
                )
    if errors:
        raise ValidationError({"photos": errors})
    return cleaned

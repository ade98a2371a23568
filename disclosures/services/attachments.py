"""Files attached to a disclosure: checked by content, images stripped of metadata."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require

from ..models import (
    Disclosure,
    DisclosureAttachment,
)
from .common import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_TYPES,
    ATTACHMENTS_MAX,
    DisclosureStateError,
    State,
    _event,
    _locked,
)

# --- attachments -----------------------------------------------------------------


def attachment_check(uploaded_file) -> tuple[str, str, bytes]:
    """(kind, content type, bytes) of an allowed upload, else ValidationError.

    The extension must be one we accept and the first bytes must match it: a
    renamed executable or HTML page is refused.
    """
    name = getattr(uploaded_file, "name", "") or ""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {"file": [_("Attach a PDF or a picture (PNG, JPEG, GIF, WebP).")]},
            code="attachment_type",
        )
    size = getattr(uploaded_file, "size", None)
    too_large = ValidationError(
        {
            "file": [
                ValidationError(
                    _("The file is larger than %(mb)d MB."),
                    params={"mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                    code="attachment_too_large",
                )
            ]
        }
    )
    if size is not None and size > ATTACHMENT_MAX_BYTES:
        raise too_large
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(ATTACHMENT_MAX_BYTES + 1)
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise too_large
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]}, code="attachment_empty")
    kind, content_type, matches = ATTACHMENT_TYPES[extension]
    if not matches(data[:16]):
        raise ValidationError(
            {
                "file": [
                    ValidationError(
                        _(
                            "“%(name)s” is not really a %(ext)s file (its content does "
                            "not match its extension)."
                        ),
                        params={"name": name[:80], "ext": extension.lstrip(".").upper()},
                        code="attachment_mismatch",
                    )
                ]
            }
        )
    return kind, content_type, data


def disclosure_attachment_add(
    *, actor, disclosure: Disclosure, uploaded_file
) -> DisclosureAttachment:
    """Attach a PDF or picture to a draft. Pictures are re-encoded without EXIF (PIPL)."""
    person = _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not change this disclosure."),
    )
    kind, content_type, data = attachment_check(uploaded_file)
    original_name = (getattr(uploaded_file, "name", "") or "file")[-200:]
    if kind == "image":
        from huashan.core.photos import photo_sanitize

        try:
            clean = photo_sanitize(ContentFile(data, name=original_name))
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        data, content_type = clean.read(), "image/jpeg"
        stored_name = clean.name
    else:
        import secrets

        stored_name = f"{secrets.token_hex(16)}.pdf"
    with transaction.atomic():
        locked = _locked(disclosure)
        if locked.state != State.DRAFT:
            raise DisclosureStateError(
                _(
                    "Attachments can only be added to a draft; publish a correction "
                    "to change a published disclosure."
                ),
                code="published_is_immutable",
            )
        if locked.attachments.count() >= ATTACHMENTS_MAX:
            raise ValidationError(
                {"file": [_("At most %(max)d attachments.") % {"max": ATTACHMENTS_MAX}]}
            )
        attachment = DisclosureAttachment(
            disclosure=locked,
            original_name=original_name,
            kind=kind,
            content_type=content_type,
            size=len(data),
        )
        attachment.file.save(stored_name, ContentFile(data), save=False)
        attachment.save()
        _event(locked, actor=person, verb="attachment_added", note=original_name)
    return attachment


def disclosure_attachment_remove(*, actor, attachment: DisclosureAttachment) -> None:
    """Remove an attachment from a draft."""
    disclosure = attachment.disclosure
    person = _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not change this disclosure."),
    )
    with transaction.atomic():
        locked = _locked(disclosure)
        if locked.state != State.DRAFT:
            raise DisclosureStateError(
                _("Attachments of a published disclosure cannot be removed."),
                code="published_is_immutable",
            )
        attachment.delete()
        _event(locked, actor=person, verb="attachment_removed", note=attachment.original_name)

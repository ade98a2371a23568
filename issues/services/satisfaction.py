"""The reporter's satisfaction rating of a closed complaint (满意度评价)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    Issue,
    Satisfaction,
)
from ._common import IssueStateError, Status, _event, _locked, _text
from .notifications import _notify_responsible
from .tracking import _require_reporter

# --- satisfaction ---------------------------------------------------------------


def satisfaction_record(
    *,
    actor,
    issue: Issue,
    contacted: bool,
    solved: bool,
    rating: str,
    comment: str = "",
    tracking_code: str | None = None,
) -> Satisfaction:
    """The reporter's three answers (issue 3 §6; 评议监督考核制度 第四条 uses them).

    After a reopen and a new resolution the reporter answers again; the row is
    replaced (the events keep the first answer).
    """
    if rating not in Satisfaction.Rating.values:
        raise ValidationError(
            {"rating": [_("Choose satisfied, basically satisfied or unsatisfied.")]},
            code="invalid",
        )
    comment = _text(comment, field_name="comment", max_length=1000, required=False)
    with transaction.atomic():
        locked = _locked(issue)
        person = _require_reporter(
            actor, locked, tracking_code, gettext("Only the reporter can rate this issue.")
        )
        if locked.status not in (Status.RESOLVED, Status.CLOSED):
            raise IssueStateError(
                _("An issue can be rated once it is resolved."), code="not_resolved"
            )
        existing = Satisfaction.objects.select_for_update().filter(issue=locked).first()
        if existing is not None and (
            locked.resolved_at is None or existing.created_at >= locked.resolved_at
        ):
            raise IssueStateError(_("You have already rated this issue."), code="rated")
        values = {
            "contacted": bool(contacted),
            "solved": bool(solved),
            "rating": rating,
            "comment": comment,
            "created_at": timezone.now(),
        }
        if existing is None:
            satisfaction = Satisfaction.objects.create(issue=locked, **values)
        else:
            for key, value in values.items():
                setattr(existing, key, value)
            existing.save()
            satisfaction = existing
        _event(
            locked,
            actor=person,
            verb="rate",
            note=gettext("The reporter rated the result: %(rating)s")
            % {"rating": satisfaction.get_rating_display()},
            public=True,
        )
        if not satisfaction.solved or rating == Satisfaction.Rating.UNSATISFIED:
            _notify_responsible(
                locked,
                subject=gettext("The reporter is not satisfied with %(number)s")
                % {"number": locked.tracking_number},
                body=comment or satisfaction.get_rating_display(),
            )
    return satisfaction

"""Agreed items (议定事项): created from the meeting page, the list, the item page, its steps.

seed: 联席会议议事规则 第四、五条.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from huashan.directory.models import Membership, Person
from huashan.directory.selectors import compound_organizations

from .. import forms, selectors, services
from ..models import (
    ActionItem,
)
from ._common import (
    ACTION_ITEMS_PAGE_SIZE,
    _acting_org_ids,
    _acts_for,
    _compound,
    _get_meeting,
    _meeting_url,
    _require_staff,
    _run,
)
from .meetings import _render_detail


def _people_of(org_qs):
    return Person.objects.filter(
        pk__in=Membership.objects.current().filter(organization__in=org_qs).values("person_id")
    ).order_by("name")


@login_required
@require_POST
def action_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    org_qs = compound_organizations(compound=meeting.compound)
    form = forms.ActionItemForm(
        request.POST,
        prefix="item",
        organizations=org_qs,
        people=_people_of(org_qs),
        topics=selectors.meeting_agenda(meeting=meeting),
    )
    if form.is_valid():
        data = form.cleaned_data
        item = _run(
            form,
            services.action_item_create,
            actor=request.user,
            meeting=meeting,
            title=data["title"],
            description=data["description"],
            responsible_organization=data["responsible_organization"],
            responsible_person=data["responsible_person"],
            due_date=data["due_date"],
            topic=data["topic"],
            raised_by=data["raised_by"],
        )
        if item is not None:
            messages.success(request, gettext("The agreed item is recorded."))
            return redirect(_meeting_url(meeting, "items"))
    return _render_detail(request, meeting, status=400, item=form)


@login_required
@require_GET
def action_item_list(request: HttpRequest) -> HttpResponse:
    """Agreed items of the compound, filtered by body, status, overdue (constant queries).
    Residents are sent to the public list (``meetings:action_items_public``)."""
    compound = _compound(request)
    if not request.user.has_perm("meetings.view_meeting", compound):
        from .public import public_access

        if not public_access(request, compound):
            _require_staff(request, compound)  # 403
        return redirect(reverse("meetings:action_items_public") + f"?compound={compound.slug}")
    org_qs = compound_organizations(compound=compound).order_by("kind", "pk")
    form = forms.ActionItemFilterForm(request.GET or None, organizations=org_qs)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "organization": data["organization"],
            "status": data["status"] or None,
            "overdue": True if data["overdue"] else None,
        }
    items = selectors.action_item_list(compound=compound, **filters)
    page = Paginator(items, ACTION_ITEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query["compound"] = compound.slug
    return render(
        request,
        "meetings/action_items.html",
        {
            "compound": compound,
            "form": form,
            "page": page,
            "now": timezone.now(),
            "query": query.urlencode(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _get_item(request: HttpRequest, pk: int) -> ActionItem:
    item = selectors.action_item_detail(pk=pk)
    if item is None:
        raise Http404(gettext("No such agreed item."))
    _require_staff(request, item)
    return item


def _render_item(request: HttpRequest, item: ActionItem, status: int = 200, **bound):
    user = request.user
    org_ids = _acting_org_ids(user)
    responsible = (
        user.is_superuser
        or item.responsible_person_id == user.pk
        or _acts_for(org_ids, item.responsible_organization_id)
        or user.has_perm("meetings.run_office", item)
    )
    can_accept = user.is_superuser or (
        item.responsible_person_id != user.pk
        and (
            user.has_perm("meetings.run_office", item)
            or (
                item.raised_by_id is not None
                and item.raised_by_id != item.responsible_organization_id
                and _acts_for(org_ids, item.raised_by_id)
            )
        )
    )
    return render(
        request,
        "meetings/action_item.html",
        {
            "item": item,
            "responsible": responsible,
            "can_accept": can_accept,
            "run_office": user.has_perm("meetings.run_office", item),
            "progress_form": bound.get("progress") or forms.EvidenceForm(prefix="progress"),
            "done_form": bound.get("done") or forms.EvidenceForm(prefix="done"),
            "accept_form": bound.get("accept") or forms.AcceptForm(prefix="accept"),
            "reject_form": bound.get("reject") or forms.ReasonForm(prefix="reject"),
            "cancel_form": bound.get("cancel") or forms.ReasonForm(prefix="cancel"),
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_GET
def action_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_item(request, _get_item(request, pk))


ITEM_STEPS = {
    "progress": (forms.EvidenceForm, services.action_item_post_progress),
    "done": (forms.EvidenceForm, services.action_item_submit_done),
    "accept": (forms.AcceptForm, services.action_item_accept),
    "reject": (forms.ReasonForm, services.action_item_reject_completion),
    "cancel": (forms.ReasonForm, services.action_item_cancel),
}


@login_required
@require_POST
def action_item_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Progress with evidence, completion report, acceptance (验收), send back, cancel."""
    item = _get_item(request, pk)
    if step not in ITEM_STEPS:
        raise Http404
    form_class, service = ITEM_STEPS[step]
    form = form_class(request.POST, request.FILES, prefix=step)
    if (
        form.is_valid()
        and _run(form, service, actor=request.user, item=item, **form.cleaned_data) is not None
    ):
        messages.success(request, gettext("Saved."))
        return redirect(reverse("meetings:action_item", args=[item.pk]))
    item = selectors.action_item_detail(pk=item.pk)
    return _render_item(request, item, status=400, **{step: form})

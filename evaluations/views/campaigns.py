"""The campaign list, creation and the manage page with its actions.

seed: 评议监督考核制度 第一条, 第三条.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from .. import forms, selectors, services
from ..models import (
    Campaign,
    Evaluator,
    PaperEntry,
)
from ..results import campaign_results
from .common import (
    _error_dict,
    _first_error,
    _staff_campaign,
)

State = Campaign.State


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Public: approved results. Staff: their compounds' campaigns, and a create form."""
    return render(
        request,
        "evaluations/list.html",
        {
            "public_campaigns": selectors.public_campaigns(),
            "staff_campaigns": selectors.staff_campaigns(user=request.user),
            "organizer_compounds": selectors.organizer_compounds(user=request.user),
            "organizer_communities": selectors.organizer_communities(user=request.user),
            "this_year": timezone.localdate().year,
        },
    )


@login_required
@require_POST
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = forms.CampaignCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("evaluations:list")
    try:
        campaign = services.campaign_create(actor=request.user, **form.service_kwargs())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evaluations:list")
    messages.success(request, gettext("Campaign created."))
    return redirect("evaluations:manage", campaign.pk)


def _with_report_links(user, campaign: Campaign) -> list:
    """The targets, each marked with whether this person may open its work report: the
    page links only what opens (issue 13 item 6: no link leads to a 403)."""
    targets = list(campaign.targets.select_related("organization", "member"))
    for target in targets:
        target.may_report = services.may_submit_report(user, target)
    return targets


def _manage_context(
    request: HttpRequest, campaign: Campaign, *, action: str = "", errors=None, values=None
) -> dict[str, Any]:
    """Errors and typed values are keyed by action (``criterion_add``…); missing keys are empty."""
    user = request.user
    form_errors: defaultdict = defaultdict(dict)
    form_values: defaultdict = defaultdict(lambda: defaultdict(str))
    if action:
        form_errors[action.replace("-", "_")] = errors or {}
        form_values[action.replace("-", "_")].update(values or {})
    return {
        "form_errors": form_errors,
        "form_values": form_values,
        "campaign": campaign,
        "criteria_groups": selectors.criteria_groups(campaign=campaign),
        "targets": _with_report_links(user, campaign),
        "evaluators": selectors.roster(campaign=campaign),
        "turnout": services.turnout(campaign),
        "pending_entries": campaign.paper_entries.filter(state=PaperEntry.State.PENDING)
        .select_related("entered_by")
        .order_by("pk"),
        "objections": campaign.objections.select_related("target__organization").order_by("pk"),
        "events": campaign.events.select_related("actor").order_by("-at", "-pk")[:30],
        "can_organize": services.may_organize(user, campaign),
        "slips": services.slips_current(campaign=campaign)
        if user.has_perm("evaluations.print_slips", campaign)
        else None,
        "can_approve": services.may_approve(user, campaign),
        "can_enter_paper": services.may_enter_paper(user, campaign),
        "categories": Evaluator.Category.choices,
        "next_state": campaign.next_state,
        "next_state_label": State(campaign.next_state).label if campaign.next_state else "",
        # issue 14 item 1: never while scoring runs, never for the evaluated bodies.
        "results": campaign_results(campaign) if services.may_view_results(user, campaign) else [],
    }


@login_required
@require_GET
def campaign_manage(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _staff_campaign(request, pk)
    return render(request, "evaluations/manage.html", _manage_context(request, campaign))


#: Each action of the manage page and the form that parses what it posts.
ACTION_FORMS = {
    "advance": forms.AdvanceForm,
    "criterion-add": forms.CriterionForm,
    "criterion-remove": forms.CriterionRemoveForm,
    "evaluator-add": forms.EvaluatorForm,
    "objection-answer": forms.ObjectionAnswerForm,
    "settings": forms.SettingsForm,
    "member-add": forms.MemberForm,
}


MANAGE_ACTIONS = set(ACTION_FORMS)


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = _staff_campaign(request, pk)
    if action not in MANAGE_ACTIONS:
        raise Http404
    post = request.POST
    try:
        form = ACTION_FORMS[action](post)
        if not form.is_valid():
            raise forms.errors_of(form)
        data = form.cleaned_data
        if action == "advance":
            services.campaign_advance(actor=request.user, campaign=campaign, **data)
        elif action == "criterion-add":
            services.criterion_add(actor=request.user, campaign=campaign, **data)
        elif action == "criterion-remove":
            criterion = selectors.criterion_of(campaign=campaign, pk=post.get("criterion"))
            services.criterion_remove(actor=request.user, criterion=criterion)
        elif action == "evaluator-add":
            services.evaluator_add(actor=request.user, campaign=campaign, **data)
        elif action == "member-add":
            services.target_add_member(actor=request.user, campaign=campaign, member=data["mobile"])
        elif action == "objection-answer":
            objection = get_object_or_404(campaign.objections, pk=data["objection"])
            services.objection_answer(
                actor=request.user,
                objection=objection,
                answer=data["answer"],
                resolution=post.get("resolution", "")[:20],
                correction=post.get("correction", "")[:2100],
            )
        elif action == "settings":
            services.campaign_settings_update(actor=request.user, campaign=campaign, **form.values)
    except ValidationError as exc:
        campaign.refresh_from_db()
        context = _manage_context(
            request,
            campaign,
            action=action,
            errors=_error_dict(exc),
            values={k: v[:2000] for k, v in post.items() if k != "csrfmiddlewaretoken"},
        )
        return render(request, "evaluations/manage.html", context, status=400)
    messages.success(request, gettext("Saved."))
    return redirect("evaluations:manage", campaign.pk)

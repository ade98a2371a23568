"""Staff pages for evidence: activities, inspections and their findings.

seed: 决策报告制度 第四条 (义务质量总监 定期开展监督检查, 提出整改意见)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from huashan.directory.models import Building

from .. import selectors, services
from ..forms import (
    ActivityForm,
    CareServiceForm,
    FindingFixForm,
    FindingForm,
    InspectionForm,
    PatrolOpinionDisposeForm,
    PatrolOpinionForm,
)
from ..models import (
    Finding,
    Inspection,
    PatrolOpinion,
)
from .common import (
    STAFF_LIST_SIZE,
    _apply_validation_error,
    _compound,
    _organizations,
    _people,
    _require_staff,
    _with_compound,
)

# --- staff: evidence ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    """Record an activity with participants and photos."""
    compound = _compound(request)
    _require_staff(request, compound)
    kwargs = {"organizations": _organizations(compound), "people": _people(compound)}
    if request.method == "POST":
        form = ActivityForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.activity_record(
                    actor=request.user,
                    compound=compound,
                    organization=data["organization"],
                    kind=data["kind"],
                    title=data["title"],
                    held_on=data["held_on"],
                    description=data.get("description", ""),
                    participants=list(data.get("participants") or []),
                    participant_count=data.get("participant_count") or 0,
                    photos=data.get("photos") or [],
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Activity recorded."))
                return redirect(_with_compound("pledges:activity_list", compound))
    else:
        form = ActivityForm(**kwargs)
    return render(request, "pledges/activity_new.html", {"compound": compound, "form": form})


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    compound = _compound(request)
    _require_staff(request, compound)
    activities = selectors.activities_for(compound=compound).select_related("organization")
    return render(
        request,
        "pledges/activity_list.html",
        {
            "compound": compound,
            "activities": list(activities[:STAFF_LIST_SIZE]),
            # 小区党组织服务承诺 第9条: the year's care services, recorded from this page
            "care": selectors.care_services_of_year(
                compound=compound, year=timezone.localdate().year
            ),
            # The button only for those who may record one (a seat in the compound party
            # organization or the company): others would meet a refusal behind it.
            "can_record_care": selectors.care_organizers_for(
                compound=compound, user=request.user
            ).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def care_service_new(request: HttpRequest) -> HttpResponse:
    """Record a care service (小区党组织服务承诺 第9条 "联动物业提供独居老人关爱、儿童托管等
    便民服务") for the compound party organization or the property company the user sits in."""
    compound = _compound(request)
    _require_staff(request, compound)
    organizations = selectors.care_organizers_for(compound=compound, user=request.user)
    if not organizations.exists():
        raise PermissionDenied(
            gettext("Care services are recorded by the compound party organization or the company.")
        )
    if request.method == "POST":
        form = CareServiceForm(request.POST, organizations=organizations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.care_service_record(
                    actor=request.user,
                    compound=compound,
                    organization=data["organization"],
                    kind=data["kind"],
                    description=data["description"],
                    served_on=data["served_on"],
                    households_served=data["households_served"],
                    with_company=data["with_company"],
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Care service recorded."))
                return redirect(_with_compound("pledges:activity_list", compound))
    else:
        # One organization the user may record for (the usual case): chosen already, so a
        # phone user is not sent back to pick the only option.
        only = list(organizations[:2])
        initial = {"organization": only[0].pk} if len(only) == 1 else {}
        form = CareServiceForm(organizations=organizations, initial=initial)
    return render(request, "pledges/care_service_new.html", {"compound": compound, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest) -> HttpResponse:
    """Record an inspection with its findings (each gets its rectification deadline)."""
    compound = _compound(request)
    _require_staff(request, compound)
    kwargs = {"organizations": _organizations(compound), "people": _people(compound)}
    if request.method == "POST":
        form = InspectionForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection = services.inspection_record(
                    actor=request.user,
                    compound=compound,
                    organization=data["organization"],
                    kind=data["kind"],
                    inspected_on=data["inspected_on"],
                    areas=data["areas"],
                    areas_other=data.get("areas_other", ""),
                    summary=data.get("summary", ""),
                    inspector=data.get("inspector"),
                    owner_representatives=list(data.get("owner_representatives") or []),
                    findings=data["findings"],
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Inspection recorded."))
                return redirect(
                    _with_compound("pledges:inspection_manage", compound, inspection.pk)
                )
    else:
        form = InspectionForm(**kwargs)
    return render(request, "pledges/inspection_new.html", {"compound": compound, "form": form})


@login_required
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    compound = _compound(request)
    _require_staff(request, compound)
    inspections = selectors.inspections_for(compound=compound).select_related("organization")
    today = timezone.localdate()
    return render(
        request,
        "pledges/inspection_list.html",
        {
            "compound": compound,
            # 决策报告制度 第四条 "定期开展监督检查": this year's patrol periods, missing ones shown
            "patrols": services.supervisor_patrols_due(
                compound=compound, year=today.year, today=today
            ),
            # 小区党组织服务承诺 第7条: each quarter's safety inspections cover 消防 and 电梯
            "safety_quarters": services.safety_quarters(
                compound=compound, year=today.year, today=today
            ),
            "inspections": list(inspections[:STAFF_LIST_SIZE]),
            "open_findings": list(
                selectors.findings_open(compound=compound).select_related("inspection")[
                    :STAFF_LIST_SIZE
                ]
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """An inspection's findings: add one, record a fix with proof; on a quality supervisor
    patrol, the owners' opinions heard (决策报告制度 第四条) and the company's answers."""
    inspection = get_object_or_404(
        Inspection.objects.select_related("compound", "organization", "inspector"), pk=pk
    )
    compound = inspection.compound
    _require_staff(request, compound)
    finding_form = FindingForm(prefix="finding")
    fix_forms: dict[int, FindingFixForm] = {}
    opinions = _PatrolOpinionForms(request, inspection)
    if request.method == "POST":
        action = request.POST.get("action", "")
        done = ""
        if action == "finding":
            finding_form = FindingForm(request.POST, prefix="finding")
            if finding_form.is_valid():
                try:
                    services.finding_add(
                        actor=request.user, inspection=inspection, **finding_form.cleaned_data
                    )
                except ValidationError as exc:
                    _apply_validation_error(finding_form, exc)
                else:
                    done = gettext("Finding added.")
        elif action.startswith("fix-"):
            finding = get_object_or_404(
                Finding, pk=action[4:] if action[4:].isdigit() else 0, inspection=inspection
            )
            form = FindingFixForm(request.POST, request.FILES, prefix=f"fix{finding.pk}")
            fix_forms[finding.pk] = form
            if form.is_valid():
                try:
                    services.finding_mark_fixed(
                        actor=request.user,
                        finding=finding,
                        proof=form.cleaned_data["proof"],
                        photo=form.cleaned_data.get("photo"),
                    )
                except ValidationError as exc:
                    _apply_validation_error(form, exc)
                else:
                    done = gettext("Fix recorded.")
        elif action == "opinion" or action.startswith("dispose-"):
            done = opinions.post(action)
        else:
            messages.error(request, gettext("Unknown action."))
        if done:
            messages.success(request, done)
            return redirect(_with_compound("pledges:inspection_manage", compound, pk))
    findings = list(inspection.findings.select_related("escalated_issue"))
    for finding in findings:
        finding.fix_form = fix_forms.get(finding.pk) or FindingFixForm(prefix=f"fix{finding.pk}")
    return render(
        request,
        "pledges/inspection_manage.html",
        {
            "compound": compound,
            "inspection": inspection,
            "findings": findings,
            "finding_form": finding_form,
            "opinions": opinions,
            "now": timezone.now(),
        },
    )


class _PatrolOpinionForms:
    """The owners' opinions of a quality supervisor patrol with their forms: the supervisor
    who patrolled records one, the property company answers each pending one."""

    def __init__(self, request: HttpRequest, inspection: Inspection):
        self.request = request
        self.inspection = inspection
        self.is_patrol = inspection.kind == Inspection.Kind.SUPERVISOR_PATROL
        user = request.user
        self.may_record = (
            self.is_patrol
            and inspection.inspector_id == getattr(user, "pk", None)
            and user.has_perm("pledges.record_supervisor_patrol", inspection.compound)
        )
        self.may_dispose = self.is_patrol and user.has_perm(
            "pledges.dispose_patrol_opinion", inspection.compound
        )
        self.buildings = Building.objects.filter(compound=inspection.compound)
        self.form = PatrolOpinionForm(prefix="opinion", buildings=self.buildings)
        self.dispose_forms: dict[int, PatrolOpinionDisposeForm] = {}
        self._categories: list | None = None

    @property
    def categories(self) -> list:
        """The active complaint categories (转办), read once for all the answer forms."""
        if self._categories is None:
            from issues.models import Category

            self._categories = (
                list(Category.objects.filter(active=True)) if self.may_dispose else []
            )
        return self._categories

    @property
    def rows(self) -> list:
        if not self.is_patrol:
            return []
        rows = list(
            self.inspection.owner_opinions.select_related("building", "decided_by", "issue")
        )
        for row in rows:
            row.dispose_form = self.dispose_forms.get(row.pk) or PatrolOpinionDisposeForm(
                prefix=f"dispose{row.pk}", categories=self.categories
            )
        return rows

    def post(self, action: str) -> str:
        """Handle the action; the success message, or "" with the errors on the form."""
        if not self.is_patrol:
            raise PermissionDenied(gettext("Owners' opinions are recorded on a patrol."))
        if action == "opinion":
            form = self.form = PatrolOpinionForm(
                self.request.POST, prefix="opinion", buildings=self.buildings
            )
            call = services.patrol_opinion_record
            kwargs = {"inspection": self.inspection}
            message = gettext("Opinion recorded.")
        else:
            opinion = get_object_or_404(
                PatrolOpinion,
                pk=action[8:] if action[8:].isdigit() else 0,
                inspection=self.inspection,
            )
            form = self.dispose_forms[opinion.pk] = PatrolOpinionDisposeForm(
                self.request.POST, prefix=f"dispose{opinion.pk}", categories=self.categories
            )
            call = services.patrol_opinion_dispose
            kwargs = {"opinion": opinion}
            message = gettext("Answer recorded.")
        if not form.is_valid():
            return ""
        try:
            call(actor=self.request.user, **kwargs, **form.cleaned_data)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
            return ""
        return message

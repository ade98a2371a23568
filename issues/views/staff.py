"""Staff work on complaints: the queue, bulk actions, the staff page and its actions, referrals
and whistle summonses (seed: 协同联动 第二—四条).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.core import pagecache
from huashan.directory.models import Organization, mask_mobile
from huashan.directory.rules import NON_STAFF_ROLES
from huashan.directory.selectors import (
    compound_organizations,
    person_is_staff,
    person_memberships_current,
    person_staff_compounds,
)
from huashan.workdays import end_of_day
from privacy.services import contact_viewed_on_issue

from .. import selectors, services
from ..forms import (
    PHOTOS_AGAIN,
    BulkForm,
    ConsultationForm,
    HazardForm,
    MergeForm,
    NoteForm,
    PlanForm,
    ProgressForm,
    QuestionForm,
    QueueFilterForm,
    RateSummonsForm,
    RejectForm,
    ReportInForm,
    ResolveForm,
    SupervisionForm,
    TierForm,
    TransferForm,
    WhistleForm,
)
from ..models import (
    Issue,
    ResponseTemplate,
    Whistle,
    WhistleSummons,
)
from ._common import QUEUE_PAGE_SIZE, _apply_validation_error, _clocks, _labelled, _rate_limited

# --- staff ----------------------------------------------------------------------------------


def _staff_organizations(person):
    """Organizations acting for the compounds the person serves (transfer targets)."""
    compounds = list(person_staff_compounds(person=person)[:20])
    if not compounds:
        return Organization.objects.none()
    qs = compound_organizations(compound=compounds[0])
    for compound in compounds[1:]:
        qs = qs | compound_organizations(compound=compound)
    return qs.distinct().order_by("kind", "name")


def _own_organizations(person):
    memberships = person_memberships_current(person=person)
    return Organization.objects.filter(pk__in=memberships.values("organization_id")).order_by(
        "kind", "name"
    )


def _queue_compound(request: HttpRequest):
    """``?compound=`` (a slug, as the dashboards link, or an id) narrows the queue to one
    of the compounds the person serves; anything else is ignored with a message — the
    queue itself is already limited to what the person may see, so this never widens it."""
    raw = str(request.GET.get("compound", "")).strip()[:50]
    if not raw:
        return None
    served = person_staff_compounds(person=request.user)
    if raw.isascii() and raw.isdigit():
        compound = served.filter(pk=int(raw[:18])).first()
    else:
        compound = served.filter(slug=raw).first()
    if compound is None:
        messages.warning(
            request,
            gettext("No compound you serve matches “%(compound)s”: showing all your complaints.")
            % {"compound": raw},
        )
    return compound


@dataclass(frozen=True)
class QueueRow:
    """One line of the work queue, every value already a display string (issue 20 item 2:
    the queue's 25 rows cost ~50 template nodes each when the template looked each value
    up and filtered it; now a row is a dozen plain variables)."""

    pk: int
    number: str
    url: str
    overdue: bool
    deadline: str
    status: str
    paused: bool
    tier: str
    category: str
    where: str
    responsible: str
    description: str


def _queue_rows(issues) -> list[QueueRow]:
    from urllib.parse import quote

    from django.utils.dateformat import format as date_format
    from django.utils.text import Truncator

    placeholder = "XX-0000-0"
    detail = reverse("issues:staff_detail", args=[placeholder])
    rows = []
    for issue in issues:
        deadline = issue.next_deadline
        where = Truncator(issue.location_text).chars(30)
        if issue.building_id:
            where = f"{issue.building.number} {where}"
        rows.append(
            QueueRow(
                pk=issue.pk,
                number=issue.tracking_number,
                url=detail.replace(placeholder, quote(issue.tracking_number)),
                overdue=bool(getattr(issue, "is_overdue", False)),
                deadline=date_format(timezone.localtime(deadline), "m-d H:i") if deadline else "—",
                status=issue.get_status_display(),
                paused=issue.paused_at is not None,
                tier=issue.get_tier_display(),
                category=issue.category.name,
                where=where,
                responsible=issue.assigned_org.name if issue.assigned_org_id else "—",
                description=Truncator(issue.description).chars(60),
            )
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    """Staff work queue: the person's organizations' issues, nearest deadline first,
    overdue highlighted; bulk accept / transfer (seed: 协同联动 第二条 转办, 督办).

    A GET is served from a cache private to this person and browser session
    (``pagecache.person_page``) whose key holds the person's seats and the newest
    issue event (``selectors.issue_queue_version``, one query), so any change to a
    complaint shows on the next request; a page is kept at most 30 s, and never past
    the moment one of its rows turns overdue (issue 20)."""
    user = request.user
    seats, newest_event = selectors.issue_queue_version(person=user)
    # person_is_staff's rule, on the seats just read (no second query): an active
    # superuser, or a current seat that is not an attendee role.
    if not (
        user.is_active
        and (user.is_superuser or any(role not in NON_STAFF_ROLES for _org, role in seats))
    ):
        raise PermissionDenied
    if request.method != "POST":
        return pagecache.person_page(
            request, "issues:queue", [seats, newest_event], lambda: _queue_page(request)
        )
    return _queue_page(request)


def _queue_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    own_orgs = _own_organizations(user)
    transfer_orgs = _staff_organizations(user)
    filter_form = QueueFilterForm(request.GET or None, organizations=own_orgs)
    filters = {}
    if filter_form.is_bound and filter_form.is_valid():
        filters = filter_form.cleaned_data
    compound = _queue_compound(request)
    narrowing = {
        "q": filters.get("q") or None,
        "status": filters.get("status") or None,
        "overdue": filters.get("overdue") or None,
        "compound": compound,
    }
    organization = filters.get("organization")
    if organization is not None:
        if not user.has_perm("issues.view_queue", organization):
            raise PermissionDenied
        issues = selectors.issue_queue_for_org(organization=organization, **narrowing)
    else:
        issues = selectors.issue_queue_for_person(person=user, **narrowing)
    bulk_form = BulkForm(organizations=transfer_orgs, issues=issues)
    if request.method == "POST":
        bulk_form = BulkForm(request.POST, organizations=transfer_orgs, issues=issues)
        if bulk_form.is_valid():
            done, failed = _bulk(request, bulk_form.cleaned_data)
            if done:
                accepted = bulk_form.cleaned_data["action"] == "accept"
                message = (
                    gettext("%(count)d complaint(s) accepted.")
                    if accepted
                    else gettext("%(count)d complaint(s) transferred.")
                )
                messages.success(request, message % {"count": done})
            for number, error in failed:
                messages.error(request, f"{number}: {error}")
            return redirect(request.get_full_path())
    page = Paginator(issues, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "issues/queue.html",
        {
            "filter_form": filter_form,
            "bulk_form": bulk_form,
            "compound": compound,
            "page": page,
            "rows": _queue_rows(page),
            "query": query.urlencode(),
        },
        status=400 if bulk_form.errors else 200,
    )
    fresh_for = selectors.issue_queue_fresh_for(page)
    if fresh_for is not None:
        response.cache_seconds = fresh_for
    return response


def _bulk(request: HttpRequest, data: dict) -> tuple[int, list[tuple[str, str]]]:
    done = 0
    failed: list[tuple[str, str]] = []
    for issue in data["issues"]:
        try:
            if data["action"] == "accept":
                services.issue_accept(actor=request.user, issue=issue)
            else:
                services.issue_transfer(
                    actor=request.user, issue=issue, organization=data["organization"]
                )
        except PermissionDenied:
            failed.append((issue.tracking_number, gettext("You may not do this.")))
        except ValidationError as exc:
            failed.append((issue.tracking_number, " ".join(exc.messages)))
        else:
            done += 1
    return done, failed


@dataclass(frozen=True)
class StaffAction:
    label: Any
    perms: tuple[str, ...]
    form: Any
    target: str | None = None  # the status the action moves to, when it moves one
    open_only: bool = True
    done: Any = None  # the flash message; default "Done: <label>."


STAFF_ACTIONS: dict[str, StaffAction] = {
    # "Accept the complaint" (受理), never the bare "Accept": that msgid is 验收通过
    # (acceptance of finished work) for meetings' action items (issue 13 item 8).
    "accept": StaffAction(
        _("Accept the complaint"),
        ("issues.manage_issue",),
        NoteForm,
        Issue.Status.ACCEPTED,
        done=_("Accepted."),
    ),
    "transfer": StaffAction(
        _("Transfer (转办)"), ("issues.manage_issue",), TransferForm, Issue.Status.TRANSFERRED
    ),
    "start": StaffAction(
        _("Start work"),
        ("issues.manage_issue", "issues.work_issue"),
        NoteForm,
        Issue.Status.IN_PROGRESS,
    ),
    "progress": StaffAction(
        _("Post progress"), ("issues.manage_issue", "issues.work_issue"), ProgressForm
    ),
    "wait": StaffAction(
        _("Ask the reporter (clocks pause)"),
        ("issues.manage_issue", "issues.work_issue"),
        QuestionForm,
        Issue.Status.WAITING_REPORTER,
    ),
    "plan": StaffAction(
        _("Give the solution plan"), ("issues.manage_issue", "issues.work_issue"), PlanForm
    ),
    "resolve": StaffAction(
        _("Resolve"),
        ("issues.manage_issue", "issues.work_issue"),
        ResolveForm,
        Issue.Status.RESOLVED,
    ),
    "reject": StaffAction(_("Reject"), ("issues.manage_issue",), RejectForm, Issue.Status.REJECTED),
    "merge": StaffAction(
        _("Merge into another issue"), ("issues.manage_issue",), MergeForm, Issue.Status.MERGED
    ),
    "tier": StaffAction(_("Change tier"), ("issues.manage_issue",), TierForm),
    "hazard": StaffAction(_("Change the safety-hazard flag"), ("issues.manage_issue",), HazardForm),
    "consultation": StaffAction(
        _("Record the consultation result"),
        ("issues.manage_issue",),
        ConsultationForm,
        open_only=False,
    ),
    # The community whistle only: the street whistle is blown by asking the street on the
    # joint meeting's proposal (协同联动 第四条), on the page 报请街道协调的问题.
    "whistle": StaffAction(_("Blow the whistle"), ("issues.blow_community_whistle",), WhistleForm),
    "supervise": StaffAction(
        _("Issue a supervision order (督办)"), ("issues.supervise",), SupervisionForm
    ),
}


def _whistle_levels(user, issue) -> list[str]:
    """The community whistle; never the street one here (``whistle_blow`` refuses it
    without the community party organization's request to the street)."""
    if user.has_perm("issues.blow_community_whistle", issue):
        return [Whistle.Level.COMMUNITY]
    return []


def _make_form(name: str, issue: Issue, user, data=None, files=None):
    action = STAFF_ACTIONS[name]
    kwargs: dict[str, Any] = {}
    if name in ("transfer", "supervise", "whistle"):
        kwargs["organizations"] = compound_organizations(compound=issue.compound).order_by(
            "kind", "name"
        )
    if name == "supervise":
        kwargs["today"] = timezone.localdate()
    if name == "whistle":
        kwargs["levels"] = _whistle_levels(user, issue)
        kwargs["persons"] = selectors.whistle_candidate_persons(compound=issue.compound).exclude(
            pk=user.pk
        )
    if name == "progress":
        orgs = _own_organizations(user)
        kwargs["templates"] = ResponseTemplate.objects.filter(
            organization__isnull=True
        ) | ResponseTemplate.objects.filter(organization__in=orgs)
    if name in ("merge", "hazard"):
        kwargs["issue"] = issue
    return action.form(data, files, prefix=name, **kwargs)


def _allowed_actions(user, issue: Issue) -> list[str]:
    allowed = []
    for name, action in STAFF_ACTIONS.items():
        if action.open_only and not issue.is_open:
            continue
        if action.target and action.target not in Issue.TRANSITIONS.get(issue.status, ()):
            continue
        if any(user.has_perm(perm, issue) for perm in action.perms):
            allowed.append(name)
    return allowed


def _call_action(name: str, user, issue: Issue, data: dict):
    common = {"actor": user, "issue": issue}
    if name == "accept":
        return services.issue_accept(**common, note=data["note"])
    if name == "transfer":
        return services.issue_transfer(
            **common, organization=data["organization"], note=data["note"]
        )
    if name == "start":
        return services.issue_start(**common, note=data["note"])
    if name == "progress":
        return services.issue_post_progress(**common, note=data["note"], public=data["public"])
    if name == "wait":
        return services.issue_wait_for_reporter(**common, question=data["question"])
    if name == "plan":
        return services.issue_give_plan(**common, plan=data["plan"])
    if name == "resolve":
        return services.issue_resolve(
            **common, explanation=data["explanation"], photos=data["photos"]
        )
    if name == "reject":
        return services.issue_reject(**common, explanation=data["explanation"])
    if name == "merge":
        return services.issue_merge(**common, into=data["into"], note=data["note"])
    if name == "tier":
        return services.issue_change_tier(**common, tier=data["tier"], reason=data["reason"])
    if name == "consultation":
        return services.issue_record_consultation(**common, result=data["result"])
    if name == "hazard":
        return services.issue_set_hazard(
            **common,
            is_hazard=data["is_hazard"],
            reason=data["reason"],
            major=data.get("major", False),
        )
    if name == "whistle":
        report_due = data.get("report_due")
        return services.whistle_blow(
            **common,
            level=data["level"],
            organizations=list(data["organizations"]),
            persons=list(data.get("persons") or ()),
            reason=data["reason"],
            report_due=report_due,
        )
    if name == "supervise":
        return services.supervision_order_issue(
            **common,
            organization=data["organization"],
            due=end_of_day(data["due"]),
            instruction=data["instruction"],
        )
    raise Http404


def _staff_issue(request: HttpRequest, tracking_number: str) -> Issue:
    # Staff, or a party member summoned in person by a whistle (党员报到: they report in
    # on this page although they hold no office; seed: 协同联动 第三条).
    if not person_is_staff(person=request.user) and not (
        WhistleSummons.objects.filter(
            person=request.user, whistle__issue__tracking_number=tracking_number
        ).exists()
    ):
        raise PermissionDenied
    issue = (
        selectors.issue_visible_to(person=request.user)
        .filter(tracking_number=tracking_number)
        .first()
    )
    if issue is None:
        raise Http404(gettext("No such issue."))
    if not request.user.has_perm("issues.view_issue", issue):
        raise PermissionDenied
    return issue


def _staff_page(request, issue: Issue, bound: dict | None = None, status: int = 200):
    user = request.user
    allowed = _allowed_actions(user, issue)
    forms = {name: _make_form(name, issue, user) for name in allowed}
    forms.update(bound or {})
    summonses = []
    for whistle in issue.whistles.all():
        for summons in whistle.summonses.all():
            summonses.append(
                {
                    "summons": summons,
                    "whistle": whistle,
                    "report_form": ReportInForm(prefix=f"s{summons.pk}")
                    if not summons.reported_at and user.has_perm("issues.report_in", summons)
                    else None,
                    "rate_form": RateSummonsForm(prefix=f"r{summons.pk}")
                    if summons.reported_at
                    and summons.rating is None
                    and user.has_perm("issues.rate_summons", summons)
                    else None,
                }
            )
    for entry in summonses:
        pk = entry["summons"].pk
        if f"s{pk}" in (bound or {}):
            entry["report_form"] = bound[f"s{pk}"]
        if f"r{pk}" in (bound or {}):
            entry["rate_form"] = bound[f"r{pk}"]
    show_reporter = user.has_perm("issues.view_reporter", issue)
    # Computed here, not in the template: a complaint filed without an account has no
    # reporter row, and a template filter argument through it raised (issue 13 item 1).
    reporter_display = ""
    if show_reporter:
        reporter_display = issue.reporter_name or (issue.reporter.name if issue.reporter_id else "")
        contact_viewed_on_issue(viewer=user, issue=issue)  # PIPL: the resident sees who looked
    now = timezone.now()
    referrals = list(issue.referrals.select_related("organization", "acknowledged_by"))
    for referral in referrals:
        referral.can_ack = selectors.referral_ack_allowed(person=user, referral=referral)
        referral.ack_overdue = bool(
            referral.acknowledged_at is None and referral.ack_due and referral.ack_due <= now
        )
    return render(
        request,
        "issues/staff_detail.html",
        {
            "issue": issue,
            "events": _labelled(
                issue.events.select_related("actor", "organization").order_by("at", "pk"),
                actors=True,
                show_residents=show_reporter,
            ),
            "photos": list(issue.photos.all()),
            "referrals": referrals,
            "orders": issue.supervision_orders.select_related("organization"),
            "summonses": summonses,
            "actions": [(name, STAFF_ACTIONS[name].label, forms[name]) for name in allowed],
            "show_reporter": show_reporter,
            "reporter_display": reporter_display,
            "has_queue": person_is_staff(person=user),
            "reporter_mobile": mask_mobile(issue.reporter_phone) if not show_reporter else "",
            "clocks": _clocks(issue),
            # 协同联动 第四条: the street whistle is not among the actions; whoever may blow the
            # community whistle is shown where the street is asked (reverse() through the URL
            # namespace: issues imports nothing of the meetings app).
            "street_referrals_url": (
                f"{reverse('meetings:street_referrals')}?compound={issue.compound.slug}"
                if "whistle" in allowed
                else ""
            ),
        },
        status=status,
    )


@login_required
@require_GET
def staff_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The whole timeline and the actions the person may take (seed: 协同联动 第二—五条)."""
    issue = _staff_issue(request, tracking_number)
    return _staff_page(request, issue)


@login_required
@require_POST
def staff_action(request: HttpRequest, tracking_number: str, action: str) -> HttpResponse:
    issue = _staff_issue(request, tracking_number)
    if action not in STAFF_ACTIONS:
        raise Http404
    if action not in _allowed_actions(request.user, issue):
        raise PermissionDenied
    form = _make_form(action, issue, request.user, request.POST, request.FILES)
    if form.is_valid():
        try:
            _call_action(action, request.user, issue, form.cleaned_data)
        except services.RateLimited as exc:
            return _rate_limited(request, exc)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            step = STAFF_ACTIONS[action]
            messages.success(
                request,
                str(step.done)
                if step.done
                else gettext("Done: %(action)s.") % {"action": step.label},
            )
            return redirect("issues:staff_detail", tracking_number)
    if "photos" in form.fields and form.errors:
        form.add_error(None, PHOTOS_AGAIN)
    issue.refresh_from_db()
    return _staff_page(request, issue, bound={action: form}, status=400)


@login_required
@require_POST
def referral_acknowledge(request: HttpRequest, tracking_number: str, referral_id: int):
    """签收: the referred organization confirms it has the matter; its acknowledgement
    time is recorded against the referral's own deadline (seed: 协同联动 第二条, 第三条)."""
    issue = _staff_issue(request, tracking_number)
    referral = issue.referrals.select_related("organization").filter(pk=referral_id).first()
    if referral is None:
        raise Http404(gettext("No such referral."))
    try:
        services.referral_acknowledge(actor=request.user, referral=referral)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            gettext("Acknowledged for %(org)s.") % {"org": referral.organization.name},
        )
    return redirect("issues:staff_detail", tracking_number)


@login_required
@require_POST
def summons_action(
    request: HttpRequest, tracking_number: str, summons_id: int, action: str
) -> HttpResponse:
    """Report in (报到) for a summons, or rate a summoned party's response."""
    issue = _staff_issue(request, tracking_number)
    summons = (
        WhistleSummons.objects.filter(pk=summons_id, whistle__issue=issue)
        .select_related("whistle")
        .first()
    )
    if summons is None:
        raise Http404
    if action == "report":
        form = ReportInForm(request.POST, prefix=f"s{summons.pk}")
        prefix = f"s{summons.pk}"
    elif action == "rate":
        form = RateSummonsForm(request.POST, prefix=f"r{summons.pk}")
        prefix = f"r{summons.pk}"
    else:
        raise Http404
    if form.is_valid():
        try:
            if action == "report":
                services.whistle_report_in(
                    actor=request.user,
                    summons=summons,
                    contribution=form.cleaned_data["contribution"],
                )
            else:
                services.whistle_rate(
                    actor=request.user, summons=summons, rating=form.cleaned_data["rating"]
                )
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("Saved."))
            return redirect("issues:staff_detail", tracking_number)
    return _staff_page(request, issue, bound={prefix: form}, status=400)

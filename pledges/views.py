"""HTML pages of pledges: the public pledge board and the staff pages.

Views are thin: they read through ``pledges.selectors``, change state only
through ``pledges.services`` and map the services' exceptions to pages:
``ValidationError`` → errors next to the fields (nothing typed is lost),
``PermissionDenied`` → 403.

seed: 公示承诺制度 第四条 (年度服务承诺 长期公示; 候选人"三诺"线上线下公示; 建立承诺履诺监督
管理); 小区党组织服务承诺; 物业管理委员会服务承诺 (第10条 问责退出); 决策报告制度 第四条.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.core import pagecache
from huashan.directory.models import Organization, Person
from huashan.directory.selectors import compound_by_slug, compound_organizations

from . import selectors, services
from .engine import periods_for
from .forms import (
    ActivityForm,
    AttestationForm,
    CandidatePledgeForm,
    CaseDecideForm,
    CaseFilterForm,
    CaseOpenForm,
    ElectionForm,
    FindingFixForm,
    FindingForm,
    InspectionForm,
    ItemForm,
    LetterEditForm,
    LetterForm,
)
from .models import (
    AccountabilityCase,
    Election,
    Finding,
    Inspection,
    PledgeItem,
    PledgeLetter,
    ResultStatus,
    RuleKind,
)

STAFF_LIST_SIZE = 100
PDF_MAX_AGE = dt.timedelta(hours=6)
PDF_QUEUE_SECONDS = 120

logger = logging.getLogger(__name__)

STATUS_CLASSES = {
    ResultStatus.MET: "badge-success",
    ResultStatus.ON_TRACK: "badge-muted",
    ResultStatus.AT_RISK: "badge-warning",
    ResultStatus.MISSED: "badge-error",
    ResultStatus.NOT_YET_DUE: "badge-muted",
    ResultStatus.ATTESTED: "badge-success",
}

CLOCK_LABELS = {
    "response": _("answered within 48 hours"),
    "feedback": _("feedback within 7 working days"),
    "hazard": _("hazards fixed within 3 days"),
    "plan": _("plan within 7 days"),
}


# --- helpers -----------------------------------------------------------------------


def _compound(request: HttpRequest):
    slug = request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    compound = compound_by_slug(slug=str(slug)[:50])
    if compound is None:
        raise Http404(gettext("No such compound."))
    return compound


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _apply_validation_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (else on top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            if field == "params" and "extra" in form.fields:
                target = "extra"
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


def _require_staff(request: HttpRequest, compound) -> None:
    if not request.user.has_perm("directory.view_staff_pages", compound):
        raise PermissionDenied(gettext("These pages are for the staff of this compound."))


def _with_compound(name: str, compound, *args) -> str:
    return f"{reverse(name, args=args)}?compound={compound.slug}"


def _organizations(compound):
    return compound_organizations(compound=compound).order_by("kind", "name", "pk")


def _letter_organizations(user, compound) -> list[int]:
    """Organizations of the compound this user may write letters for."""
    return [
        org.pk
        for org in Organization.objects.filter(compound=compound).order_by("kind", "pk")
        if user.has_perm("pledges.manage_letter", org)
    ]


def _people(compound):
    """People who hold (or held) a seat in an organization acting for the compound, or live
    there: the participants, inspectors, candidates and members staff may choose from."""
    orgs = compound_organizations(compound=compound).values("pk")
    return (
        Person.objects.filter(is_active=True)
        .filter(memberships__organization__in=orgs)
        .distinct()
        .order_by("name", "pk")
    )


def _members(compound):
    """People with a membership in a compound organization (accountability cases)."""
    return (
        Person.objects.filter(memberships__organization__compound=compound)
        .distinct()
        .order_by("name", "pk")
    )


def _percent(value) -> str:
    if value is None:
        return "—"
    return f"{float(value):g} %"


def figures_summary(rule_kind: str, figures: dict) -> str:
    """The numbers of a period result in one plain sentence (no personal data)."""
    f = figures or {}
    if f.get("source_unavailable"):
        return gettext("Evidence not available yet.")
    if rule_kind in (RuleKind.COUNT_PER_PERIOD, RuleKind.ONE_OFF_BY_DATE):
        if "members" in f:
            return gettext("%(done)s of %(members)s members did it at least %(target)s times.") % {
                "done": f.get("members_met", 0),
                "members": f.get("members", 0),
                "target": f.get("target", "?"),
            }
        return gettext("%(count)s done, at least %(target)s promised.") % {
            "count": f.get("count", 0),
            "target": f.get("target", "?"),
        }
    if rule_kind == RuleKind.DEADLINE_RATE:
        parts = []
        for clock, label in CLOCK_LABELS.items():
            share = f.get(clock)
            if isinstance(share, dict):
                parts.append(
                    gettext("%(label)s: %(in_time)s of %(decided)s (%(percent)s)")
                    % {
                        "label": label,
                        "in_time": share.get("in_time", 0),
                        "decided": share.get("decided", 0),
                        "percent": _percent(share.get("percent")),
                    }
                )
        parts.append(gettext("threshold %(t)s") % {"t": _percent(f.get("threshold"))})
        return "; ".join(parts)
    if rule_kind == RuleKind.DISCLOSURE_ON_TIME:
        if f.get("no_schedule"):
            return gettext("No disclosure was due in this period.")
        return gettext(
            "%(on_time)s of %(scheduled)s disclosures on time, %(late)s late, "
            "%(missing)s missing (threshold %(t)s)."
        ) % {
            "on_time": f.get("on_time", 0),
            "scheduled": f.get("scheduled", 0),
            "late": f.get("late", 0),
            "missing": f.get("missing", 0),
            "t": _percent(f.get("threshold")),
        }
    if rule_kind == RuleKind.RATE_THRESHOLD:
        return gettext(
            "%(ok)s of %(decided)s findings rectified (%(percent)s, threshold %(t)s); "
            "%(pending)s still within their deadline."
        ) % {
            "ok": f.get("ok", 0),
            "decided": f.get("decided", 0),
            "percent": _percent(f.get("percent")),
            "t": _percent(f.get("threshold")),
            "pending": f.get("pending", 0),
        }
    if rule_kind == RuleKind.EVALUATION_THRESHOLD:
        return gettext("Satisfaction %(percent)s (threshold %(t)s).") % {
            "percent": _percent(f.get("percent")),
            "t": _percent(f.get("threshold")),
        }
    if rule_kind == RuleKind.ATTESTED:
        if f.get("judgement") == "met":
            return gettext("Judged kept by a reviewer.")
        if f.get("judgement") == "missed":
            return gettext("Judged not kept by a reviewer.")
        return gettext("Waiting for a reviewer's judgement.")
    return ""


def _rule_kind_of(result, item: PledgeItem) -> str:
    if getattr(result, "measure", 0):
        for index, kind, _params in services.measures_of(item):
            if index == result.measure:
                return kind
    return item.rule_kind


def _decorate(result, item: PledgeItem, names: dict | None = None) -> Any:
    """Attach the badge class and a sentence of figures to a period result."""
    if result is None:
        return None
    result.badge_class = STATUS_CLASSES.get(result.status, "")
    result.sentence = figures_summary(_rule_kind_of(result, item), result.figures)
    result.links = _evidence_links(result.evidence or [], item.letter.compound, names)
    return result


def _disclosure_category_names(results) -> dict:
    """Category code -> name for the disclosure evidence of ``results`` (one query, and
    only when a result cites a disclosure): the engine stores the code, a page shows the
    name — "公共收益收支明细", never ``public_revenue`` (issue 13 item 8)."""
    cites = any(
        isinstance(ref, dict) and ref.get("kind") == "disclosure"
        for result in results
        if result is not None
        for ref in (result.evidence or [])
    )
    if not cites:
        return {}
    from disclosures.selectors import categories

    return {c.code: c.name for c in categories().only("code", "name")}


def _evidence_links(evidence: list, compound, names: dict | None = None) -> list[dict]:
    """Public links for the engine's evidence references (no personal data behind them)."""
    names = names or {}
    links = []
    for ref in evidence[:20]:
        if not isinstance(ref, dict):
            continue
        kind, pk = ref.get("kind"), ref.get("id")
        label = ref.get("label") or ref.get("date") or ""
        url = ""
        if kind == "activity" and pk:
            url = _with_compound("pledges:activity", compound, pk)
            label = label or gettext("Activity")
        elif kind == "inspection" and pk:
            url = _with_compound("pledges:inspection", compound, pk)
            label = gettext("Inspection %(date)s") % {"date": ref.get("date", "")}
        elif kind == "findings":
            url = _with_compound("pledges:evidence", compound)
            label = gettext("Inspections and findings")
        elif kind in ("complaints", "complaint"):
            url = f"{reverse('issues:board')}?compound={compound.slug}"
            label = label if kind == "complaint" else pgettext("link", "Complaint board")
        elif kind == "disclosure":
            try:
                url = (
                    reverse("disclosures:detail", args=[pk])
                    if pk
                    else reverse("disclosures:board") + f"?compound={compound.slug}"
                )
            except Exception:  # disclosures not routed yet
                url = ""
            # The engine stores the category code; show its name, never the code.
            label = names.get(ref.get("label"), "") or gettext("Disclosure")
        elif kind == "attestation":
            label = gettext("Reviewer's judgement")
        if label:
            links.append({"label": str(label)[:80], "url": url})
    return links


def _item_rows(statuses) -> list:
    rows = []
    names = _disclosure_category_names(r for status in statuses for r in status.results)
    for status in statuses:
        item = status.item
        status.current = _decorate(status.current, item, names)
        status.measures = [_decorate(r, item, names) for r in status.measures]
        status.history = [_decorate(r, item, names) for r in status.results]
        rows.append(status)
    return rows


# --- public pages -----------------------------------------------------------------


def _board_body(compound, year: int, compound_given: bool) -> str:
    """The whole board below the site header, rendered (the same for every visitor)."""
    statuses = [
        s
        for s in selectors.pledge_item_statuses(compound=compound, year=year)
        if s.letter.published
    ]
    letters: dict[int, dict] = {}
    for status in _item_rows(statuses):
        entry = letters.setdefault(
            status.letter.pk,
            {"letter": status.letter, "organization": status.organization, "items": []},
        )
        entry["items"].append(status)
    today = timezone.localdate()
    return render_to_string(
        "pledges/_board_body.html",
        {
            "compound": compound,
            "compound_given": compound_given,
            "year": year,
            "letters": list(letters.values()),
            "years": range(today.year, today.year - 3, -1),
        },
    )


def _board_page_version(request: HttpRequest):
    """The whole-page cache's version for anonymous visitors (the board's own version)."""
    slug = request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    compound = selectors.board_compound(slug=str(slug)[:50], year=_year(request))
    return compound.board_version if compound is not None else None


@require_GET
@pagecache.anonymous_page("pledge-board", _board_page_version)
def board(request: HttpRequest) -> HttpResponse:
    """The public pledge board: each organization's letter with each item's current status.

    seed: 公示承诺制度 第四条 (年度服务承诺 公示期限一般为长期); both pledge letters
    ("接受全体业主监督").

    Nothing on it depends on the visitor, so the rendered body is cached per compound,
    year and the board version read with the compound (``selectors.board_compound``): a
    hit runs one query, and a recomputed result or a changed item is visible on the next
    request.
    """
    slug = request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    year = _year(request)
    compound = selectors.board_compound(slug=str(slug)[:50], year=year)
    if compound is None:
        raise Http404(gettext("No such compound."))
    compound_given = bool(request.GET.get("compound"))
    body = pagecache.cached(
        "pledge-board",
        (compound.pk, year, compound_given, *compound.board_version),
        lambda: _board_body(compound, year, compound_given),
    )
    return render(
        request,
        "pledges/board.html",
        # mark_safe: the body is our own autoescaped template's output.
        {"compound": compound, "year": year, "board_body": mark_safe(body)},
    )


def _public_letter(pk: int) -> PledgeLetter:
    letter = (
        PledgeLetter.objects.select_related("organization", "compound")
        .filter(pk=pk, published=True)
        .first()
    )
    if letter is None:
        raise Http404(gettext("No such letter."))
    return letter


@require_GET
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One letter, verbatim, with each item's status and its history by period."""
    letter = _public_letter(pk)
    rows = _item_rows(selectors.letter_board(letter=letter))
    return render(
        request,
        "pledges/letter.html",
        {"letter": letter, "compound": letter.compound, "rows": rows},
    )


def _dispatch_letter_pdf(letter_id: int) -> None:
    """Queue the render after commit; a broker outage only means the page keeps waiting."""
    from .tasks import letter_pdf_generate

    try:
        letter_pdf_generate.apply_async(args=[letter_id], retry=False)
    except Exception:  # the broker is down: the next visit queues it again
        logger.exception("could not queue the PDF of pledge letter %s", letter_id)
        cache.delete(f"pledges:pdf-queued:{letter_id}")


@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable letter with statuses (``pledges/pdf.py``).

    PDFs are rendered by the Celery task ``letter_pdf_generate``, never in a web
    request (DESIGN.md §4): a stored PDF younger than ``PDF_MAX_AGE`` is served;
    otherwise the render is queued (once per ``PDF_QUEUE_SECONDS``) and a page
    that refreshes itself says it is being prepared.
    """
    letter = _public_letter(pk)
    fresh = (
        letter.pdf
        and letter.pdf_generated_at
        and (timezone.now() - letter.pdf_generated_at < PDF_MAX_AGE)
    )
    if fresh:
        try:
            handle = letter.pdf.open("rb")
        except OSError:
            handle = None
        if handle is not None:
            return FileResponse(
                handle,
                content_type="application/pdf",
                filename=f"pledge-{letter.year}-{letter.pk}.pdf",
            )
    if cache.add(f"pledges:pdf-queued:{letter.pk}", 1, PDF_QUEUE_SECONDS):
        transaction.on_commit(lambda: _dispatch_letter_pdf(letter.pk))
    return render(
        request,
        "pledges/pdf_wait.html",
        {"letter": letter, "compound": letter.compound, "refresh": 5},
        status=202,
    )


@require_GET
def evidence(request: HttpRequest) -> HttpResponse:
    """Public summaries of the evidence kept here: activities and inspections (no names)."""
    compound = _compound(request)
    year = _year(request)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    activities = selectors.activities_for(compound=compound, start=start, end=end)
    inspections = selectors.inspections_for(compound=compound, start=start, end=end)
    return render(
        request,
        "pledges/evidence.html",
        {
            "compound": compound,
            "year": year,
            "activities": list(activities[:STAFF_LIST_SIZE]),
            "inspections": list(inspections[:STAFF_LIST_SIZE]),
        },
    )


@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    compound = _compound(request)
    activity = get_object_or_404(
        selectors.activities_for(compound=compound).select_related("organization"), pk=pk
    )
    return render(
        request,
        "pledges/activity.html",
        {"compound": compound, "activity": activity, "photos": list(activity.photos.all())},
    )


@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    compound = _compound(request)
    inspection = get_object_or_404(
        selectors.inspections_for(compound=compound).select_related("organization"), pk=pk
    )
    return render(
        request,
        "pledges/inspection.html",
        {
            "compound": compound,
            "inspection": inspection,
            "findings": list(inspection.findings.all()),
        },
    )


@require_GET
def candidates(request: HttpRequest) -> HttpResponse:
    """The candidates' 三诺, published (seed: 公示承诺制度 第四条)."""
    compound = _compound(request)
    pledges = selectors.candidate_pledges_for(compound=compound, published_only=True)
    elections: dict[int, dict] = {}
    for pledge in pledges.select_related("election", "candidate"):
        entry = elections.setdefault(
            pledge.election_id, {"election": pledge.election, "people": {}}
        )
        entry["people"].setdefault(
            pledge.candidate_id, {"name": pledge.candidate.name, "pledges": []}
        )
        entry["people"][pledge.candidate_id]["pledges"].append(pledge)
    groups = [
        {"election": e["election"], "people": list(e["people"].values())}
        for e in elections.values()
    ]
    return render(request, "pledges/candidates.html", {"compound": compound, "groups": groups})


# --- staff: letters and items ------------------------------------------------------


@login_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    compound = _compound(request)
    _require_staff(request, compound)
    letters = selectors.letters_for_compound(compound=compound, published_only=False)
    return render(
        request,
        "pledges/staff_home.html",
        {
            "compound": compound,
            "letters": list(letters.select_related("organization")),
            "open_findings": selectors.findings_open(compound=compound).count(),
            "open_cases": selectors.cases_for(
                compound=compound, status=AccountabilityCase.Status.OPEN
            ).count()
            if request.user.has_perm("pledges.view_cases", compound)
            else None,
            "can_write": bool(_letter_organizations(request.user, compound)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_new(request: HttpRequest) -> HttpResponse:
    """Write a new letter; its items are added on the next page."""
    compound = _compound(request)
    _require_staff(request, compound)
    allowed = _letter_organizations(request.user, compound)
    if not allowed:
        raise PermissionDenied(gettext("You may not write pledges for any organization here."))
    organizations = Organization.objects.filter(pk__in=allowed).order_by("kind", "pk")
    form = LetterForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("Letter saved. Now add its items."))
            return redirect(_with_compound("pledges:letter_manage", compound, letter.pk))
    return render(request, "pledges/letter_new.html", {"compound": compound, "form": form})


def _staff_letter(request: HttpRequest, pk: int) -> PledgeLetter:
    letter = get_object_or_404(
        PledgeLetter.objects.select_related("organization", "compound"), pk=pk
    )
    _require_staff(request, letter.compound)
    return letter


@login_required
@require_http_methods(["GET", "POST"])
def letter_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """A letter's staff page: edit the text, add items (rule kind + parameters), publish."""
    letter = _staff_letter(request, pk)
    compound = letter.compound
    can_edit = request.user.has_perm("pledges.manage_letter", letter.organization)
    organizations = Organization.objects.filter(compound=compound).order_by("kind", "pk")
    item_form = ItemForm(prefix="item", organizations=organizations)
    letter_form = LetterEditForm(
        prefix="letter",
        initial={
            "title": letter.title,
            "letterhead": letter.letterhead,
            "preamble": letter.preamble,
            "closing": letter.closing,
        },
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(gettext("You may not edit this letter."))
        action = request.POST.get("action")
        if action == "item":
            item_form = ItemForm(request.POST, prefix="item", organizations=organizations)
            if item_form.is_valid():
                try:
                    services.item_create(
                        actor=request.user, letter=letter, **item_form.service_kwargs()
                    )
                except ValidationError as exc:
                    _apply_validation_error(item_form, exc)
                else:
                    messages.success(request, gettext("Item added."))
                    return redirect(_with_compound("pledges:letter_manage", compound, letter.pk))
        elif action == "letter":
            letter_form = LetterEditForm(request.POST, prefix="letter")
            if letter_form.is_valid():
                try:
                    services.letter_update(
                        actor=request.user, letter=letter, **letter_form.cleaned_data
                    )
                except ValidationError as exc:
                    _apply_validation_error(letter_form, exc)
                else:
                    messages.success(request, gettext("Letter saved."))
                    return redirect(_with_compound("pledges:letter_manage", compound, letter.pk))
        else:
            messages.error(request, gettext("Unknown action."))
    items = list(
        letter.items.select_related("responsible_org").order_by("position", "number", "pk")
    )
    return render(
        request,
        "pledges/letter_manage.html",
        {
            "compound": compound,
            "letter": letter,
            "items": items,
            "item_form": item_form,
            "letter_form": letter_form,
            "can_edit": can_edit,
            "can_attest": request.user.has_perm("pledges.attest", compound),
        },
    )


@login_required
@require_POST
def letter_publish(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _staff_letter(request, pk)
    try:
        services.letter_publish(actor=request.user, letter=letter)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("The letter is published on the pledge board."))
    return redirect(_with_compound("pledges:letter_manage", letter.compound, letter.pk))


def _staff_item(request: HttpRequest, pk: int) -> PledgeItem:
    item = get_object_or_404(
        PledgeItem.objects.select_related("letter__organization", "letter__compound"), pk=pk
    )
    _require_staff(request, item.letter.compound)
    return item


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an item; results of closed periods stay as computed."""
    item = _staff_item(request, pk)
    letter = item.letter
    if not request.user.has_perm("pledges.manage_letter", letter.organization):
        raise PermissionDenied(gettext("You may not edit this letter."))
    organizations = Organization.objects.filter(compound=letter.compound).order_by("kind", "pk")
    if request.method == "POST":
        form = ItemForm(request.POST, organizations=organizations)
        if form.is_valid():
            try:
                services.item_update(
                    actor=request.user,
                    item=item,
                    active="active" in request.POST,
                    **form.service_kwargs(),
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Item saved."))
                return redirect(_with_compound("pledges:letter_manage", letter.compound, letter.pk))
    else:
        form = ItemForm(initial=ItemForm.initial_for(item), organizations=organizations)
    return render(
        request,
        "pledges/item_edit.html",
        {"compound": letter.compound, "letter": letter, "item": item, "form": form},
    )


def _item_periods(item: PledgeItem) -> list[tuple[dt.date, dt.date]]:
    """Periods of the letter's year that have started (a judgement needs evidence)."""
    params = item.params or {}
    months = params.get("period_months") or 12
    today = timezone.localdate()
    try:
        periods = periods_for(period_months=int(months), year=item.letter.year)
    except (TypeError, ValueError, ZeroDivisionError):
        periods = periods_for(period_months=12, year=item.letter.year)
    return [(start, end) for start, end in periods if start <= today]


@login_required
@require_http_methods(["GET", "POST"])
def item_attest(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer records evidence and a judgement for a period (评议认定)."""
    item = _staff_item(request, pk)
    compound = item.letter.compound
    if not request.user.has_perm("pledges.attest", compound):
        raise PermissionDenied(gettext("You may not judge pledges here."))
    form = AttestationForm(request.POST or None, periods=_item_periods(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.attestation_record(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("Judgement recorded."))
            return redirect(_with_compound("pledges:letter_manage", compound, item.letter_id))
    return render(
        request,
        "pledges/item_attest.html",
        {"compound": compound, "item": item, "form": form},
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
        {"compound": compound, "activities": list(activities[:STAFF_LIST_SIZE])},
    )


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
    return render(
        request,
        "pledges/inspection_list.html",
        {
            "compound": compound,
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
    """An inspection's findings: add one, record a fix with proof."""
    inspection = get_object_or_404(
        Inspection.objects.select_related("compound", "organization", "inspector"), pk=pk
    )
    compound = inspection.compound
    _require_staff(request, compound)
    finding_form = FindingForm(prefix="finding")
    fix_forms: dict[int, FindingFixForm] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
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
                    messages.success(request, gettext("Finding added."))
                    return redirect(_with_compound("pledges:inspection_manage", compound, pk))
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
                    messages.success(request, gettext("Fix recorded."))
                    return redirect(_with_compound("pledges:inspection_manage", compound, pk))
        else:
            messages.error(request, gettext("Unknown action."))
    findings = list(inspection.findings.all())
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
            "now": timezone.now(),
        },
    )


# --- staff: 三诺 -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def election_list(request: HttpRequest) -> HttpResponse:
    compound = _compound(request)
    _require_staff(request, compound)
    can_manage = request.user.has_perm("pledges.manage_candidates", compound)
    form = ElectionForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(gettext("You may not manage elections here."))
        if form.is_valid():
            try:
                election = services.election_create(
                    actor=request.user, compound=compound, **form.cleaned_data
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                return redirect(_with_compound("pledges:election", compound, election.pk))
    return render(
        request,
        "pledges/election_list.html",
        {
            "compound": compound,
            "elections": list(selectors.elections_for(compound=compound)),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter each candidate's three pledges, then publish them."""
    election = get_object_or_404(Election.objects.select_related("compound"), pk=pk)
    compound = election.compound
    _require_staff(request, compound)
    can_manage = request.user.has_perm("pledges.manage_candidates", compound)
    people = _people(compound)
    form = CandidatePledgeForm(request.POST or None, people=people)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(gettext("You may not manage elections here."))
        if request.POST.get("action") == "publish":
            try:
                count = services.candidate_pledges_publish(actor=request.user, election=election)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, gettext("%(count)d pledges published.") % {"count": count}
                )
            return redirect(_with_compound("pledges:election", compound, pk))
        if form.is_valid():
            try:
                services.candidate_pledge_record(
                    actor=request.user, election=election, **form.cleaned_data
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Pledge recorded."))
                return redirect(_with_compound("pledges:election", compound, pk))
    pledges = selectors.candidate_pledges_for(
        compound=compound, election=election, published_only=False
    ).select_related("candidate")
    return render(
        request,
        "pledges/election.html",
        {
            "compound": compound,
            "election": election,
            "pledges": list(pledges),
            "form": form,
            "can_manage": can_manage,
        },
    )


# --- staff: 问责退出 ----------------------------------------------------------------


def _require_cases(request: HttpRequest, compound) -> None:
    if not request.user.has_perm("pledges.view_cases", compound):
        raise PermissionDenied(gettext("Accountability cases are for the staff of this compound."))


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """Accountability cases (seed: 物业管理委员会服务承诺 第10条 问责退出)."""
    compound = _compound(request)
    _require_cases(request, compound)
    can_review = request.user.has_perm("pledges.review_case", compound)
    organizations = Organization.objects.filter(compound=compound).order_by("kind", "pk")
    form = CaseOpenForm(
        request.POST or None, organizations=organizations, people=_members(compound)
    )
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied(gettext("You may not open accountability cases here."))
        if form.is_valid():
            try:
                case = services.case_open(
                    actor=request.user, compound=compound, **form.cleaned_data
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Case opened."))
                return redirect(_with_compound("pledges:case", compound, case.pk))
    filters = CaseFilterForm(request.GET or None)
    status = filters.cleaned_data.get("status") if filters.is_valid() else None
    cases = selectors.cases_for(compound=compound, status=status or None).select_related(
        "organization", "person"
    )
    return render(
        request,
        "pledges/case_list.html",
        {
            "compound": compound,
            "cases": list(cases[:STAFF_LIST_SIZE]),
            "form": form,
            "filters": filters,
            "can_review": can_review,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Review a case: outcome with reasons, and the timeline."""
    case = get_object_or_404(
        AccountabilityCase.objects.select_related(
            "compound", "organization", "person", "decided_by"
        ),
        pk=pk,
    )
    compound = case.compound
    _require_cases(request, compound)
    can_review = request.user.has_perm("pledges.review_case", compound)
    form = CaseDecideForm(request.POST or None)
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied(gettext("You may not decide this case."))
        if form.is_valid():
            try:
                services.case_decide(actor=request.user, case=case, **form.cleaned_data)
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Decision recorded."))
                return redirect(_with_compound("pledges:case", compound, pk))
    # Each row shows its phrase (PledgeEvent.VERB_LABELS), never the verb code.
    timeline = list(selectors.case_timeline(case=case).select_related("actor"))
    return render(
        request,
        "pledges/case.html",
        {
            "compound": compound,
            "case": case,
            "form": form,
            "can_review": can_review and case.status == AccountabilityCase.Status.OPEN,
            "timeline": timeline,
        },
    )

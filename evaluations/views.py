"""HTML pages of the evaluation (``evaluations:``), included at ``/evaluations/``.

Views are thin: reads through ``evaluations.selectors`` / ``results``, writes
through ``evaluations.services``. ``ValidationError`` → messages next to the
fields with what was typed kept; ``PermissionDenied`` → 403.

seed: 评议监督考核制度 第三条 (review meeting, 述职, democratic scoring), 第五条
(publicity, objections, approval, circulation); 小区党组织服务承诺 第10条 (红黑榜).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan import periods
from huashan.core.clientip import client_key
from huashan.core.services import cache_count, cache_count_hit
from huashan.directory.models import Compound
from huashan.pdf import render_pdf

from . import evidence, exports, forms, selectors, services, slipcodes
from .models import (
    Campaign,
    EvaluationDocument,
    Evaluator,
    PaperEntry,
    QuarterRating,
    Target,
    YearEndReferral,
)
from .results import MIN_BALLOTS_FOR_DISTRIBUTION, campaign_criteria, campaign_results
from .services import ballots as ballot_service
from .services.documents import referral_pdf_current

State = Campaign.State

# Wrong ballot tokens tolerated per client address in the window before 429.
BALLOT_MISSES = 10
BALLOT_MISS_WINDOW_SECONDS = 600


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("compound__community", "community"), pk=pk
    )


def _staff_campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = _campaign(pk)
    if not services.may_view_staff(request.user, campaign):
        raise PermissionDenied
    return campaign


def _error_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _raw_scores(post, targets: list[Target], criteria) -> dict[int, dict[int, str]]:
    return {
        t.pk: {c.pk: post.get(f"score_{t.pk}_{c.pk}", "")[:20] for c in criteria} for t in targets
    }


def _score_rows(targets, criteria, raw, errors):
    """What the scoring form shows: each target with its criteria, value and error."""
    rows = []
    for target in targets:
        fields = []
        for criterion in criteria:
            key = f"score_{target.pk}_{criterion.pk}"
            fields.append(
                {
                    "name": key,
                    "criterion": criterion,
                    "value": (raw.get(target.pk) or {}).get(criterion.pk, ""),
                    "errors": errors.get(key, []),
                }
            )
        rows.append({"target": target, "fields": fields})
    return rows


# --- list and creation ---------------------------------------------------------------


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


# --- management ------------------------------------------------------------------------


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


_int = forms.to_int


def _first_error(form) -> str:
    """The first field's message (fields in the order the page shows them)."""
    for messages_ in form.errors.values():
        return " ".join(messages_)
    return ""


@login_required
@require_POST
def slips_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue fresh one-time tokens and print them as slips with QR codes (old ones die)."""
    campaign = _staff_campaign(request, pk)
    try:
        issued = services.tokens_issue(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evaluations:manage", campaign.pk)
    slips = [
        {
            "name": item.evaluator.name,
            "category": item.evaluator.get_category_display(),
            "code": slipcodes.grouped(item.token),  # typed from paper (issue 19)
            "qr": selectors.qr_data_uri(selectors.ballot_url(item.token)),
            "url": selectors.ballot_url(item.token),
        }
        for item in issued
    ]
    criteria = campaign_criteria(campaign)
    sheet = {
        "targets": list(campaign.targets.select_related("organization", "member")),
        "criteria": [(c, ballot_service.criterion_levels(c)) for c in criteria],
        "levels": list(ballot_service.level_labels().values()),
    }
    pdf = render_pdf(
        "pdf/evaluations/slips.html", {"campaign": campaign, "slips": slips, "sheet": sheet}
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ballot-slips-{campaign.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- the ballot (phone) ------------------------------------------------------------------


def _raw_levels(post, targets: list[Target], criteria) -> dict[int, dict[int, str]]:
    """The five-level choices posted so far ({target: {criterion: "1".."5" or ""}})."""
    return {
        t.pk: {c.pk: post.get(f"level_{t.pk}_{c.pk}", "")[:2] for c in criteria} for t in targets
    }


def _level_errors(targets, criteria, levels) -> dict[str, list[str]]:
    keys = {key for key, _share in ballot_service.LEVEL_SHARES}
    return {
        f"level_{t.pk}_{c.pk}": [gettext("Choose one of the five answers.")]
        for t in targets
        for c in criteria
        if levels.get(t.pk, {}).get(c.pk) not in keys
    }


def _level_rows(targets, criteria, levels, errors):
    """Each target with its criteria: the five choices, the one chosen, its error."""
    labels = ballot_service.level_labels()
    rows = []
    for number, target in enumerate(targets, start=1):
        fields, total, complete = [], 0, True
        for criterion in criteria:
            name = f"level_{target.pk}_{criterion.pk}"
            chosen = levels.get(target.pk, {}).get(criterion.pk, "")
            points = None
            if chosen in labels:
                points = ballot_service.level_points(criterion.max_score, chosen)
                total += points
            else:
                complete = False
            fields.append(
                {
                    "name": name,
                    "criterion": criterion,
                    "choices": ballot_service.criterion_levels(criterion),
                    "value": chosen,
                    "label": labels.get(chosen, ""),
                    "points": points,
                    "errors": errors.get(name, []),
                }
            )
        rows.append(
            {
                "number": number,
                "target": target,
                "fields": fields,
                "total": total if complete else None,
                "max_total": sum(c.max_score for c in criteria),
            }
        )
    return rows


def _ballot_step(request, token, evaluator, targets, criteria):
    """One POST of the stepped ballot: (step, levels, errors, status) or a redirect.

    One target per screen, then a summary (step == number of targets), then submit.
    The choices travel in the form (hidden fields), never in a session or a table: a
    secret ballot leaves nothing behind until it is cast (issue 14 item 2)."""
    levels = _raw_levels(request.POST, targets, criteria)
    total = len(targets)
    step = min(max(forms.to_int(request.POST.get("step")), 0), total)
    action = str(request.POST.get("action", "next"))[:20]
    if action == "back":
        return max(step - 1, 0), levels, {}, 200
    if action.startswith("edit:"):
        return min(max(forms.to_int(action[5:]), 0), total - 1), levels, {}, 200
    if action != "submit":
        errors = _level_errors(targets[step : step + 1], criteria, levels)
        if errors:
            return step, levels, errors, 400
        return min(step + 1, total), levels, {}, 200
    errors = _level_errors(targets, criteria, levels)
    if errors:
        first = next(i for i, t in enumerate(targets) if any(f"level_{t.pk}_" in k for k in errors))
        return first, levels, errors, 400
    scores = ballot_service.levels_to_scores(criteria=criteria, targets=targets, raw=levels)
    try:
        services.ballot_submit(token=token, scores=scores)
    except services.BallotRefused as exc:
        return total, levels, {"__all__": [str(m) for m in exc.messages]}, 409
    except ValidationError as exc:
        return total, levels, _error_dict(exc), 400
    return redirect("evaluations:ballot", token)


@never_cache
@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, token: str) -> HttpResponse:
    """The evaluator's phone ballot (seed: 评议监督考核制度 第三条 量化测评).

    Each criterion is a row of five answers in words, worth a share of its points
    (``ballot_service.LEVEL_SHARES``); one target per screen with its progress; a summary
    before the ballot is cast, once (issue 19 item 4). A form posting numbers
    (``score_<target>_<criterion>``) is still taken as before.

    Tokens are unguessable, but a client that keeps trying wrong ones is stopped
    anyway: after BALLOT_MISSES misses in the window it gets 429 even for a right one.
    """
    misses_key = f"evaluations:ballot-miss:{client_key(request)}"
    if cache_count(misses_key) >= BALLOT_MISSES:
        return render(request, "evaluations/ballot_invalid.html", status=429)
    evaluator = services.evaluator_for_token(token)
    if evaluator is None:
        cache_count_hit(misses_key, BALLOT_MISS_WINDOW_SECONDS)
        response = render(request, "evaluations/ballot_invalid.html", status=404)
        response["Referrer-Policy"] = "same-origin"
        return response
    campaign = evaluator.campaign
    targets = services.evaluator_open_targets(evaluator)
    criteria = campaign_criteria(campaign)
    if not targets:
        response = render(request, "evaluations/ballot_done.html", {"campaign": campaign})
        response["Referrer-Policy"] = "same-origin"
        return response
    step, levels, errors, status, raw = 0, {}, {}, 200, {}
    numbers = request.method == "POST" and any(k.startswith("score_") for k in request.POST)
    if numbers:
        raw = _raw_scores(request.POST, targets, criteria)
        try:
            services.ballot_submit(token=token, scores=raw)
        except services.BallotRefused as exc:
            errors, status = {"__all__": [str(m) for m in exc.messages]}, 409
        except ValidationError as exc:
            errors, status = _error_dict(exc), 400
        else:
            return redirect("evaluations:ballot", token)
    elif request.method == "POST":
        outcome = _ballot_step(request, token, evaluator, targets, criteria)
        if isinstance(outcome, HttpResponse):
            return outcome
        step, levels, errors, status = outcome
    if numbers:  # the numbers form, returned with its messages next to what was typed
        levels = {}
    rows = _level_rows(targets, criteria, levels, errors)
    current = rows[step] if step < len(rows) else None
    hidden = [
        (field["name"], field["value"])
        for row in rows
        if row is not current
        for field in row["fields"]
        if field["value"]
    ]
    response = render(
        request,
        "evaluations/ballot.html",
        {
            "campaign": campaign,
            "open": campaign.state == State.SCORING,
            "rows": rows,
            "number_rows": _score_rows(targets, criteria, raw, errors) if numbers else None,
            "current": current,
            "step": step,
            "total": len(rows),
            "hidden": hidden,
            "errors": errors.get("__all__", []),
            "has_errors": bool(errors),
        },
        status=status,
    )
    response["Referrer-Policy"] = "same-origin"
    return response


# --- paper ballots -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def paper_enter(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _staff_campaign(request, pk)
    if not services.may_enter_paper(request.user, campaign):
        raise PermissionDenied
    targets = list(campaign.targets.select_related("organization", "member"))
    criteria = campaign_criteria(campaign)
    raw: dict = {}
    errors: dict = {}
    slip_code = ""
    status = 200
    if request.method == "POST":
        slip_code = request.POST.get("slip_code", "").strip()[:64]
        raw = _raw_scores(request.POST, targets, criteria)
        try:
            services.paper_entry_create(
                actor=request.user, campaign=campaign, slip_code=slip_code, scores=raw
            )
        except ValidationError as exc:
            errors = _error_dict(exc)
            status = 400
        else:
            messages.success(
                request, gettext("Paper ballot entered; a second person must confirm it.")
            )
            return redirect("evaluations:paper", campaign.pk)
    pending = list(
        campaign.paper_entries.filter(state=PaperEntry.State.PENDING)
        .select_related("entered_by")
        .order_by("pk")
    )
    target_names = {str(t.pk): str(t) for t in targets}
    criterion_names = {str(c.pk): c.name for c in criteria}
    for entry in pending:
        entry.lines = [
            (target_names.get(t, t), [(criterion_names.get(c, c), v) for c, v in per.items()])
            for t, per in entry.scores.items()
        ]
        entry.mine = entry.entered_by_id == request.user.pk
    return render(
        request,
        "evaluations/paper.html",
        {
            "campaign": campaign,
            "open": campaign.state == State.SCORING,
            "rows": _score_rows(targets, criteria, raw, errors),
            "slip_code": slip_code,
            "slip_errors": errors.get("slip_code", []),
            "errors": errors.get("__all__", []),
            "has_errors": bool(errors),
            "pending": pending,
        },
        status=status,
    )


@login_required
@require_POST
def paper_check(request: HttpRequest, pk: int, entry_id: int, decision: str) -> HttpResponse:
    campaign = _staff_campaign(request, pk)
    entry = get_object_or_404(campaign.paper_entries, pk=entry_id)
    service = {"confirm": services.paper_entry_confirm, "reject": services.paper_entry_reject}.get(
        decision
    )
    if service is None:
        raise Http404
    try:
        service(actor=request.user, entry=entry)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or gettext("You may not do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            gettext("Paper ballot confirmed.")
            if decision == "confirm"
            else gettext("Paper ballot rejected; the slip can be entered again."),
        )
    return redirect("evaluations:paper", campaign.pk)


# --- reports and evidence ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def target_report(request: HttpRequest, pk: int, target_id: int) -> HttpResponse:
    campaign = _campaign(pk)
    target = get_object_or_404(campaign.targets.select_related("organization"), pk=target_id)
    if not services.may_submit_report(request.user, target):
        raise PermissionDenied
    errors: list[str] = []
    text = target.report_text
    status = 200
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.target_report_submit(
                actor=request.user, target=target, text=text, pdf=request.FILES.get("pdf")
            )
        except ValidationError as exc:
            errors = [str(m) for m in exc.messages]
            status = 400
        else:
            messages.success(request, gettext("Report saved."))
            return redirect("evaluations:report", campaign.pk, target.pk)
    return render(
        request,
        "evaluations/report.html",
        {"campaign": campaign, "target": target, "text": text, "errors": errors},
        status=status,
    )


def _evidence_target(request: HttpRequest, pk: int, target_id: int) -> Target:
    campaign = _campaign(pk)
    if not (campaign.results_public or services.may_view_staff(request.user, campaign)):
        raise Http404
    return get_object_or_404(
        campaign.targets.select_related(
            "organization", "member", "compound", "campaign__compound", "campaign__community"
        ),
        pk=target_id,
    )


@require_GET
def target_evidence(request: HttpRequest, pk: int, target_id: int) -> HttpResponse:
    """The evidence pack of one target (seed: 第三条 查阅资料; 第四条 the four areas)."""
    target = _evidence_target(request, pk, target_id)
    return render(
        request,
        "evaluations/evidence.html",
        {
            "campaign": target.campaign,
            "target": target,
            "sections": evidence.evidence_pack(target=target),
        },
    )


@require_GET
def target_evidence_pdf(request: HttpRequest, pk: int, target_id: int) -> HttpResponse:
    """Rendered by the worker; this page serves it when ready and polls until then."""
    target = _evidence_target(request, pk, target_id)
    document = services.document_current(
        campaign=target.campaign, kind=EvaluationDocument.Kind.EVIDENCE, target=target
    )
    return _document_response(request, document, filename=f"evidence-{target.pk}.pdf")


def _document_response(
    request: HttpRequest, document: EvaluationDocument, *, filename: str
) -> HttpResponse:
    if document.status == EvaluationDocument.Status.READY:
        response = FileResponse(document.file.open("rb"), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
    failed = document.status == EvaluationDocument.Status.FAILED
    return render(
        request,
        "evaluations/document_wait.html",
        {"document": document, "failed": failed},
        status=503 if failed else 202,
    )


# --- results, objections ---------------------------------------------------------------------


def _results_campaign(request: HttpRequest, pk: int) -> tuple[Campaign, bool]:
    """Results exist from the preliminary stage on (seed: 第五条); see ``may_view_results``.

    While scoring runs nobody gets them, in any format (issue 14 item 1): the
    answer is the same 404 before and after a ballot, so nothing moves.
    """
    campaign = _campaign(pk)
    if not services.may_view_results(request.user, campaign):
        raise Http404(gettext("The results are not public yet."))
    return campaign, services.may_view_staff(request.user, campaign)


@require_http_methods(["GET", "POST"])
def results(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, staff = _results_campaign(request, pk)
    errors: dict = {}
    text = ""
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        text = request.POST.get("text", "")
        target = campaign.targets.filter(pk=_int(request.POST.get("target"))).first()
        try:
            services.objection_file(actor=request.user, campaign=campaign, text=text, target=target)
        except PermissionDenied as exc:
            errors = {"__all__": [str(exc)]}
            status = 403
        except ValidationError as exc:
            errors = _error_dict(exc)
            status = 400
        else:
            messages.success(request, gettext("Your objection was filed; you will get an answer."))
            return redirect("evaluations:results", campaign.pk)
    window_open = (
        campaign.state == State.PUBLICITY
        and campaign.publicity_end is not None
        and timezone.now() < campaign.publicity_end
    )
    return render(
        request,
        "evaluations/results.html",
        {
            "campaign": campaign,
            "staff": staff,
            "final": campaign.results_public,
            "results": campaign_results(campaign),
            "min_distribution": MIN_BALLOTS_FOR_DISTRIBUTION,
            "objections": campaign.objections.filter(answered_at__isnull=False).order_by("pk"),
            "window_open": window_open,
            "targets": campaign.targets.select_related("organization", "member"),
            "errors": errors,
            "text": text,
        },
        status=status,
    )


@require_GET
def results_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Rendered by the worker (DESIGN.md §4 "PDF"); served when ready, polled until then."""
    campaign, _staff = _results_campaign(request, pk)
    document = services.document_current(campaign=campaign, kind=EvaluationDocument.Kind.RESULTS)
    return _document_response(request, document, filename=f"evaluation-{campaign.year}.pdf")


@require_GET
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, _staff = _results_campaign(request, pk)
    response = HttpResponse(
        exports.results_workbook(campaign),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="evaluation-{campaign.year}.xlsx"'
    return response


# --- 红黑榜 ----------------------------------------------------------------------------------


def _quarter_now() -> tuple[int, int]:
    quarter = periods.containing(periods.QUARTER, timezone.localdate())
    return quarter.year, quarter.index


@require_http_methods(["GET", "POST"])
def redblack(request: HttpRequest) -> HttpResponse:
    """The property company's quarterly red/black list and this quarter's short survey."""
    slug = request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    compound = get_object_or_404(Compound, slug=slug[:50])
    year, quarter = _quarter_now()
    errors: dict = {}
    status = 200
    can_rate = bool(
        request.user.is_authenticated and services.may_rate_quarter(request.user, compound)
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{settings.LOGIN_URL}?next={request.get_full_path()}")
        try:
            if request.POST.get("action") == "rate":
                prev_year, prev_q = services.previous_quarter(year, quarter)
                services.quarter_rate(
                    actor=request.user, compound=compound, year=prev_year, quarter=prev_q
                )
                messages.success(request, gettext("Quarter rated."))
            else:
                rating = services.quarter_rating_get(compound=compound, year=year, quarter=quarter)
                if rating is None:
                    raise Http404
                survey = forms.SurveyForm(request.POST)
                survey.is_valid()  # free text fields: always valid, numbers checked by the service
                services.survey_submit(actor=request.user, rating=rating, **survey.survey_values())
                messages.success(request, gettext("Thank you for answering the survey."))
        except PermissionDenied as exc:
            errors = {"__all__": [str(exc) or gettext("You may not do this.")]}
            status = 403
        except ValidationError as exc:
            errors = _error_dict(exc)
            status = 400
        else:
            return redirect(f"{request.path}?compound={compound.slug}")
    return render(
        request,
        "evaluations/redblack.html",
        {
            "compound": compound,
            "ratings": selectors.quarter_ratings(compound=compound),
            "year": year,
            "quarter": quarter,
            "errors": errors,
            "can_rate": can_rate,
            "scale": range(1, 6),
            "questions": [
                (key, label, _int(request.POST.get(key)))
                for key, label in (
                    ("cleanliness", gettext("Cleaning and greenery")),
                    ("security", gettext("Order and safety")),
                    ("responsiveness", gettext("Response to residents' requests")),
                )
            ],
            "verdicts": QuarterRating.Verdict,
            "referrals": selectors.year_end_referrals(compound=compound)
            if services.may_view_referral(request.user, compound)
            else [],
            "can_prepare": services.may_prepare_referral(request.user, compound),
            "referral_year": services.year_end_referral_year(timezone.localdate()) or year,
        },
        status=status,
    )


# --- year-end referral (小区党组织服务承诺 第10条) ------------------------------------------------


def _referral(request: HttpRequest, pk: int) -> YearEndReferral:
    referral = get_object_or_404(
        YearEndReferral.objects.select_related("compound", "company", "authority", "motion"), pk=pk
    )
    if not services.may_view_referral(request.user, referral.compound):
        raise PermissionDenied
    return referral


@login_required
@require_POST
def referral_create(request: HttpRequest) -> HttpResponse:
    """Button of the compound party organization: prepare the year's report now."""
    form = forms.ReferralCreateForm(request.POST)
    if not form.is_valid() and "compound" in form.errors:
        messages.error(request, _first_error(form))
        return redirect("evaluations:redblack")
    compound = form.cleaned_data["compound"]
    if form.errors:
        messages.error(request, _first_error(form))
    else:
        try:
            referral = services.year_end_referral_create(
                actor=request.user, compound=compound, year=form.cleaned_data["year"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Year-end report drafted."))
            return redirect("evaluations:referral", referral.pk)
    return redirect(f"{reverse('evaluations:redblack')}?compound={compound.slug}")


@login_required
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    return render(request, "evaluations/referral.html", _referral_context(request, referral))


def _referral_context(request: HttpRequest, referral: YearEndReferral, **extra) -> dict:
    user = request.user
    draft = referral.state == YearEndReferral.State.DRAFT
    return {
        "referral": referral,
        "events": referral.events.select_related("actor").order_by("at", "pk"),
        "can_submit": draft and services.may_prepare_referral(user, referral.compound),
        "can_propose": referral.state == YearEndReferral.State.SUBMITTED
        and referral.motion_id is None
        and user.has_perm("meetings.manage_motion", referral.compound),
        "authorities": services.referral_authorities(compound=referral.compound) if draft else [],
        "errors": {},
        **extra,
    }


@login_required
@require_POST
def referral_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    referral = _referral(request, pk)
    try:
        if action == "submit":
            authority = None
            if request.POST.get("authority"):
                authority = (
                    services.referral_authorities(compound=referral.compound)
                    .filter(pk=_int(request.POST.get("authority")))
                    .first()
                )
                if authority is None:
                    raise ValidationError(
                        {"authority": gettext("Choose a street-level authority.")}
                    )
            services.year_end_referral_submit(
                actor=request.user, referral=referral, authority=authority
            )
            messages.success(request, gettext("Report submitted."))
        elif action == "motion":
            services.year_end_referral_propose_motion(actor=request.user, referral=referral)
            messages.success(request, gettext("Draft motion created for the owners' assembly."))
        else:
            raise Http404
    except ValidationError as exc:
        referral.refresh_from_db()
        context = _referral_context(request, referral, errors=_error_dict(exc))
        return render(request, "evaluations/referral.html", context, status=400)
    return redirect("evaluations:referral", referral.pk)


@login_required
@require_GET
def referral_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Rendered by the worker (DESIGN.md §4 "PDF"); served when ready, polled until then."""
    referral = _referral(request, pk)
    pdf = referral_pdf_current(referral=referral)
    if pdf.status == EvaluationDocument.Status.READY:
        response = FileResponse(pdf.open(), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="redblack-referral-{referral.year}-{referral.pk}.pdf"'
        )
        return response
    failed = pdf.status == EvaluationDocument.Status.FAILED
    return render(
        request,
        "evaluations/document_wait.html",
        {"document": pdf, "failed": failed, "heading": f"{referral.year} {referral.company}"},
        status=503 if failed else 202,
    )

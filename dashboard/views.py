"""Dashboard pages: the compound dashboard, the community and street comparisons, the
work summaries, and the ``.xlsx`` twin of every table.

Views are thin: reads come from :mod:`dashboard.selectors` (which reads only the
other apps' selectors), charts from :mod:`dashboard.charts`, state changes from
:mod:`dashboard.services`. Permissions are the ``dashboard.*`` rules.

seed: 联席会议议事规则 第六条 (work summaries reported to the community party
organization); DESIGN.md §1 (the party organizations view dashboards).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.core import pagecache
from huashan.core.web import form_add_service_error as _apply_validation_error
from huashan.directory.models import Community, Street
from huashan.directory.selectors import compound_by_slug

from . import exports, selectors, services
from .charts import comparison_charts, compound_charts
from .models import WorkSummary

SLUG_MAX = 50
SORT_MAX = 40
SUMMARY_PAGE_SIZE = 50

State = WorkSummary.State


# --- helpers ------------------------------------------------------------------------------


def _deny(message=None) -> None:
    raise PermissionDenied(message or gettext("This dashboard is not open to you."))


def _compound_or_404(slug: str):
    compound = compound_by_slug(slug=str(slug)[:SLUG_MAX])
    if compound is None:
        raise Http404(gettext("No such compound."))
    return compound


def _own_compound(user):
    """The compound ``/dashboard/`` shows: the portal's compound if the person may see it,
    else the first compound they may see."""
    visible = selectors.visible_compounds(person=user)
    compound = visible.filter(slug=settings.HUASHAN_DEFAULT_COMPOUND).first() or visible.first()
    if compound is None:
        _deny(gettext("Dashboards are for the party organizations and the joint-meeting office."))
    return compound


def _visible_compound(request: HttpRequest, slug: str | None):
    if slug is None:
        return _own_compound(request.user)
    compound = _compound_or_404(slug)
    if not request.user.has_perm("dashboard.view_compound", compound):
        _deny()
    return compound


def _places(
    user, *, compound_pk: int | None = None, community_pk=None, street_pk=None
) -> dict[str, Any]:
    """What else the person may open (three queries, whatever the number of places)."""
    return {
        "visible_compounds": list(selectors.visible_compounds(person=user)[:60]),
        "visible_communities": list(selectors.visible_communities(person=user)[:60]),
        "visible_streets": list(selectors.visible_streets(person=user)[:20]),
        "current_compound_pk": compound_pk,
        "current_community_pk": community_pk,
        "current_street_pk": street_pk,
    }


# Figures where any number above zero (or "no") asks for attention.
ALERT_KEYS = frozenset(
    {
        "complaints_overdue",
        "action_items_overdue",
        "disclosures_late",
        "pledges_at_risk",
        "pledges_missed",
        "cases_open",
    }
)


def _is_alert(fig: selectors.Figure) -> bool:
    if fig.key == "joint_meeting_held":
        return fig.value is False
    return fig.key in ALERT_KEYS and bool(fig.value)


def _change(change: float | None) -> str:
    """A rate's change in percentage points, signed ("+5.0", "−2.5"); "—" when unknown."""
    if change is None:
        return "—"
    points = change * 100
    if abs(points) < 0.05:
        return "±0.0"
    return f"{points:+.1f}".replace("-", "−")


def _absolute(request: HttpRequest) -> Any:
    return lambda url: request.build_absolute_uri(url) if url.startswith("/") else url


# --- the compound dashboard ---------------------------------------------------------------


def _compound_data(compound):
    board = selectors.compound_dashboard(compound=compound)
    months, trend = selectors.compound_trend(compound=compound, now=board.now)
    return board, months, trend


@login_required
@require_GET
def compound(request: HttpRequest, compound_slug: str | None = None) -> HttpResponse:
    """One compound on one page, phone first; every figure links to the list behind it.

    Open complaints by tier and state, overdue and the oldest; the three rates this month
    vs last; agreed items due / overdue by body (联席会议议事规则 第五条); this month's joint
    meeting (小区党组织服务承诺 1); disclosures due / late (公示承诺制度 第二、三条); pledge items
    at risk or missed; open accountability cases; the latest evaluation (评议监督考核制度).
    """
    compound = _visible_compound(request, compound_slug)  # permission: on every request

    def build() -> HttpResponse:
        board, months, trend = _compound_data(compound)
        return render(
            request,
            "dashboard/compound.html",
            {
                "compound": compound,
                "board": board,
                "figures": [(fig, _is_alert(fig)) for fig in board.figures.values()],
                "rates": [(row, _change(row.change)) for row in board.rates],
                "charts": compound_charts(dashboard=board, months=months, trend=trend),
                "data_age": pagecache.PERSON_PAGE_AGE,
                **_places(request.user, compound_pk=compound.pk),
            },
        )

    # The same person sees the page's figures up to PERSON_PAGE_AGE seconds old; the page
    # states the time they were read ("数据截至"). Issue 20 item 4.
    return pagecache.person_page(request, "dashboard:compound", [compound.pk], build)


COMPOUND_EXPORTS = (
    "figures",
    "complaints",
    "overdue",
    "rates",
    "action_items",
    "pledges",
    "evaluation",
    "trends",
)


@login_required
@require_GET
def compound_export(request: HttpRequest, compound_slug: str, table: str) -> HttpResponse:
    """``.xlsx`` of one table of the compound dashboard, or ``all`` of them."""
    if table != "all" and table not in COMPOUND_EXPORTS:
        raise Http404(gettext("No such table."))
    compound = _visible_compound(request, compound_slug)
    board, months, trend = _compound_data(compound)
    tables = exports.compound_tables(dashboard=board, months=months, trend=trend)
    chosen = list(tables.values()) if table == "all" else [tables[table]]
    stamp = timezone.localdate(board.now).isoformat()
    return exports.xlsx_response(
        chosen,
        filename=f"dashboard-{compound.slug}-{table}-{stamp}.xlsx",
        link_for=_absolute(request),
    )


# --- community and street comparisons ---------------------------------------------------------


_SORT_RE = re.compile(rf"^-?[a-z_]{{1,{SORT_MAX}}}$")


def _parse_sort(raw: str) -> tuple[str, bool, bool]:
    """``?sort=key`` or ``?sort=-key`` (descending); ``name`` sorts by compound name.

    Returns ``(key, descending, valid)``; anything else is invalid (the page says so, 400).
    """
    raw = str(raw or "")
    if not raw:
        return "", False, True
    if len(raw) > SORT_MAX + 1 or not _SORT_RE.match(raw):
        return "", False, False
    descending = raw.startswith("-")
    key = raw.lstrip("-")
    if key == "name":
        return "", descending, True
    if key not in selectors.FIGURE_COLUMNS:
        return "", False, False
    return key, descending, True


def _headers(comparison, *, base: str, sort_raw: str) -> list[dict[str, Any]]:
    """Column headers with their sort links (server-side sort; works without JS)."""
    current, descending, _valid = _parse_sort(sort_raw)
    name_sorted = not current
    name_next = "-name" if name_sorted and not descending else "name"
    headers = [
        {
            "key": "name",
            "label": _("Compound"),
            "url": f"{base}?{urlencode({'sort': name_next})}",
            "aria_sort": ("descending" if descending else "ascending") if name_sorted else "none",
            "numeric": False,
        }
    ]
    for column in comparison.columns:
        active = column.key == current
        # Counts of trouble read best worst-first: the first click sorts descending.
        next_sort = column.key if active and descending else f"-{column.key}"
        headers.append(
            {
                "key": column.key,
                "label": column.label,
                "url": f"{base}?{urlencode({'sort': next_sort})}",
                "aria_sort": ("descending" if descending else "ascending") if active else "none",
                "numeric": True,
            }
        )
    return headers


def _group_page(
    request: HttpRequest,
    *,
    template: str,
    place,
    compounds,
    export_name: str,
    with_community: bool,
    extra: dict[str, Any] | Callable[[], dict[str, Any]],
) -> HttpResponse:
    """``extra``: more context, or a callable returning it (run only when the page is
    rendered, not when the person's cached copy is served)."""
    sort_raw = request.GET.get("sort", "")
    sort, descending, valid = _parse_sort(sort_raw)

    def build() -> HttpResponse:
        comparison = selectors.group_comparison(
            compounds=compounds, sort=sort, descending=descending
        )
        if comparison.missing:
            services.snapshots_refresh_queue()
        base = request.path
        return render(
            request,
            template,
            {
                "data_as_of": timezone.now(),
                "data_age": pagecache.PERSON_PAGE_AGE,
                "place": place,
                "comparison": comparison,
                "headers": _headers(comparison, base=base, sort_raw=sort_raw if valid else ""),
                "sort_error": not valid,
                "current_sort": ("-" if descending else "") + (sort or "name") if valid else "",
                "charts": comparison_charts(comparison=comparison),
                "with_community": with_community,
                "export_name": export_name,
                "trend_tables": [
                    (f"trend-{k}", label) for k, (label, _kind) in selectors.TREND_KEYS.items()
                ],
                **(extra() if callable(extra) else extra),
            },
            status=200 if valid else 400,
        )

    if not valid:
        return build()
    # Permission was checked by the caller, on every request; the same person sees the
    # figures up to PERSON_PAGE_AGE seconds old, the time they were read shown ("数据截至").
    return pagecache.person_page(request, f"dashboard:{template}", [place.pk], build)


def _group_export(
    request: HttpRequest, *, compounds, table: str, filename: str, with_community: bool
) -> HttpResponse:
    valid_tables = {"all", "figures", *(f"trend-{k}" for k in selectors.TREND_KEYS)}
    if table not in valid_tables:
        raise Http404(gettext("No such table."))
    sort, descending, valid = _parse_sort(request.GET.get("sort", ""))
    if not valid:
        return HttpResponse(
            gettext("Unknown sort column."), status=400, content_type="text/plain; charset=utf-8"
        )
    comparison = selectors.group_comparison(compounds=compounds, sort=sort, descending=descending)
    tables = exports.comparison_tables(comparison=comparison, with_community=with_community)
    chosen = list(tables.values()) if table == "all" else [tables[table]]
    stamp = timezone.localdate().isoformat()
    return exports.xlsx_response(chosen, filename=f"{filename}-{table}-{stamp}.xlsx")


def _community_or_404(slug: str) -> Community:
    community = Community.objects.select_related("street").filter(slug=str(slug)[:SLUG_MAX]).first()
    if community is None:
        raise Http404(gettext("No such community."))
    return community


def _street_or_404(slug: str) -> Street:
    street = Street.objects.filter(slug=str(slug)[:SLUG_MAX]).first()
    if street is None:
        raise Http404(gettext("No such street."))
    return street


@login_required
@require_GET
def community(request: HttpRequest, slug: str) -> HttpResponse:
    """The compounds of a community side by side, sortable, with 12-month trends."""
    place = _community_or_404(slug)
    if not request.user.has_perm("dashboard.view_community", place):
        _deny()
    return _group_page(
        request,
        template="dashboard/community.html",
        place=place,
        compounds=selectors.group_compounds(community=place),
        export_name="dashboard:community_export",
        with_community=False,
        extra=lambda: {"street": place.street, **_places(request.user, community_pk=place.pk)},
    )


@login_required
@require_GET
def community_export(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    place = _community_or_404(slug)
    if not request.user.has_perm("dashboard.view_community", place):
        _deny()
    return _group_export(
        request,
        compounds=selectors.group_compounds(community=place),
        table=table,
        filename=f"dashboard-community-{place.slug}",
        with_community=False,
    )


@login_required
@require_GET
def street(request: HttpRequest, slug: str) -> HttpResponse:
    """Every compound of every community of the street side by side."""
    place = _street_or_404(slug)
    if not request.user.has_perm("dashboard.view_street", place):
        _deny()
    return _group_page(
        request,
        template="dashboard/street.html",
        place=place,
        compounds=selectors.group_compounds(street=place),
        export_name="dashboard:street_export",
        with_community=True,
        extra=lambda: {
            "communities": list(place.communities.order_by("name", "pk")),
            **_places(request.user, street_pk=place.pk),
        },
    )


@login_required
@require_GET
def street_export(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    place = _street_or_404(slug)
    if not request.user.has_perm("dashboard.view_street", place):
        _deny()
    return _group_export(
        request,
        compounds=selectors.group_compounds(street=place),
        table=table,
        filename=f"dashboard-street-{place.slug}",
        with_community=True,
    )


# --- work summaries ------------------------------------------------------------------------


class SummaryRequestForm(forms.Form):
    """Generate (or regenerate) a half-year brief or an annual summary."""

    compound = forms.ChoiceField(label=_("Compound"))
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        help_text=_("2026H1 or 2026H2 for a half-year brief, 2026 for the annual summary."),
    )

    def __init__(self, *args, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.compounds = {c.slug: c for c in compounds}
        self.fields["compound"].choices = [(c.slug, c.name) for c in compounds]

    def clean_compound(self):
        return self.compounds[self.cleaned_data["compound"]]

    def clean_period(self) -> str:
        try:
            return selectors.period_parse(self.cleaned_data["period"]).code
        except ValueError as exc:
            raise ValidationError(str(exc.args[0]), code="period") from None


class SummaryEditForm(forms.Form):
    """The office's narrative and improvement suggestions (第六条 提出改进完善的意见和建议)."""

    narrative = forms.CharField(
        label=_("Work narrative"),
        required=False,
        max_length=services.NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("How the three parties' mechanism improved property services this period."),
    )
    suggestions = forms.CharField(
        label=_("Improvement suggestions"),
        required=False,
        max_length=services.NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class SummaryReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen it?"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


def _manageable(user, compounds) -> list:
    return [c for c in compounds if user.has_perm("dashboard.manage_summary", c)]


@login_required
@require_http_methods(["GET", "POST"])
def summary_list(request: HttpRequest) -> HttpResponse:
    """Half-year briefs and annual summaries of the compounds the person may see; the
    joint-meeting office generates one here (seed: 联席会议议事规则 第六条)."""
    visible = list(selectors.visible_compounds(person=request.user)[:200])
    if not visible:
        _deny(
            gettext("Work summaries are for the party organizations and the joint-meeting office.")
        )
    manageable = _manageable(request.user, visible)
    form = None
    status = 200
    if manageable:
        if request.method == "POST":
            form = SummaryRequestForm(request.POST, compounds=manageable)
            if form.is_valid():
                try:
                    summary = services.work_summary_request(
                        actor=request.user,
                        compound=form.cleaned_data["compound"],
                        period=form.cleaned_data["period"],
                    )
                except ValidationError as exc:
                    _apply_validation_error(form, exc)
                else:
                    messages.success(
                        request,
                        gettext("The figures are being generated; this page shows progress."),
                    )
                    return redirect("dashboard:summary", summary.pk)
            status = 400
        else:
            today = timezone.localdate()
            default = f"{today.year}H1" if today.month >= 7 else f"{today.year - 1}H2"
            form = SummaryRequestForm(
                initial={"period": default, "compound": manageable[0].slug}, compounds=manageable
            )
    elif request.method == "POST":
        _deny(gettext("Only the joint-meeting office generates work summaries."))
    summaries = list(selectors.work_summary_list(compounds=visible)[:SUMMARY_PAGE_SIZE])
    return render(
        request,
        "dashboard/summary_list.html",
        {"form": form, "summaries": summaries, **_places(request.user)},
        status=status,
    )


@login_required
@require_GET
def summary_list_export(request: HttpRequest) -> HttpResponse:
    visible = selectors.visible_compounds(person=request.user)
    summaries = list(selectors.work_summary_list(compounds=visible)[:1000])
    if not summaries and not visible.exists():
        _deny()
    return exports.xlsx_response(
        [exports.summary_list_table(summaries=summaries)],
        filename=f"work-summaries-{timezone.localdate().isoformat()}.xlsx",
    )


def _summary_or_404(request: HttpRequest, pk: int) -> WorkSummary:
    summary = selectors.work_summary_detail(pk=pk)
    if summary is None:
        raise Http404(gettext("No such work summary."))
    if not request.user.has_perm("dashboard.view_summary", summary.compound):
        _deny(gettext("This work summary is not open to you."))
    return summary


def _pdf_pending(summary: WorkSummary) -> bool:
    """A PDF was asked for (or the summary was submitted) and is not rendered yet."""
    requested = cache.get(services.pdf_request_key(summary))
    if summary.state == State.SUBMITTED and not summary.pdf:
        return True
    if requested is None:
        return False
    return summary.pdf_rendered_at is None or summary.pdf_rendered_at.timestamp() < requested


def _compliance_label(status: str) -> str:
    from disclosures.selectors import compliance_status_label

    try:
        return compliance_status_label(status)
    except KeyError:
        return status


def _summary_context(request: HttpRequest, summary: WorkSummary) -> dict[str, Any]:
    from .pdf import work_summary_pdf_context

    user = request.user
    compound = summary.compound
    can_manage = user.has_perm("dashboard.manage_summary", compound)
    can_approve = user.has_perm("dashboard.approve_summary", compound)
    context = work_summary_pdf_context(summary=summary) if summary.generated_at else {}
    return {
        "summary": summary,
        "compound": compound,
        "report": context,
        "disclosure_rows": [
            (_compliance_label(status), n) for status, n in context.get("disclosure_rows", [])
        ],
        # Shown as event.phrase (WorkSummaryEvent.VERB_LABELS), never the verb code.
        "events": list(selectors.work_summary_events(summary=summary)),
        "can_edit": can_manage and summary.state == State.DRAFT,
        "can_regenerate": can_manage and summary.state == State.DRAFT,
        "can_approve": can_approve and summary.state == State.DRAFT,
        "can_reopen": can_approve and summary.state == State.APPROVED,
        "can_submit": can_approve and summary.state == State.APPROVED,
        "can_render": (can_manage or can_approve) and summary.generated_at is not None,
        "pdf_pending": _pdf_pending(summary),
    }


@login_required
@require_http_methods(["GET", "POST"])
def summary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A work summary: its figures and charts, the office's narrative and suggestions
    (edited here while it is a draft), approve / reopen / submit, the PDF."""
    summary = _summary_or_404(request, pk)
    context = _summary_context(request, summary)
    status = 200
    if request.method == "POST":
        if not context["can_edit"]:
            _deny(gettext("Only the joint-meeting office edits a draft work summary."))
        edit_form = SummaryEditForm(request.POST)
        if edit_form.is_valid():
            try:
                services.work_summary_edit(
                    actor=request.user, summary=summary, **edit_form.cleaned_data
                )
            except ValidationError as exc:
                _apply_validation_error(edit_form, exc)
            else:
                messages.success(request, gettext("Saved."))
                return redirect("dashboard:summary", summary.pk)
        status = 400
    else:
        edit_form = SummaryEditForm(
            initial={"narrative": summary.narrative, "suggestions": summary.suggestions}
        )
    return render(
        request,
        "dashboard/summary_detail.html",
        {**context, "edit_form": edit_form, "reopen_form": SummaryReopenForm()},
        status=status,
    )


@login_required
@require_GET
def summary_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls every 2 s while figures or a PDF are being made.

    When what the page waited for (``?waiting=figures`` or ``pdf``) is ready, htmx is told
    to reload the page so the figures / download link appear.
    """
    summary = _summary_or_404(request, pk)
    waiting = request.GET.get("waiting", "")
    response = render(
        request,
        "dashboard/_summary_status.html",
        {"summary": summary, "pdf_pending": _pdf_pending(summary)},
    )
    ready = (waiting == "figures" and summary.generated_at is not None) or (
        waiting == "pdf" and not _pdf_pending(summary) and bool(summary.pdf)
    )
    if ready and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response


SUMMARY_STEPS = ("regenerate", "approve", "reopen", "submit", "pdf")


@login_required
@require_POST
def summary_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One button of the summary page: regenerate, approve, reopen, submit, prepare PDF."""
    if step not in SUMMARY_STEPS:
        raise Http404(gettext("No such step."))
    summary = _summary_or_404(request, pk)
    user = request.user
    reopen_form = SummaryReopenForm(request.POST if step == "reopen" else None)
    if step == "reopen" and not reopen_form.is_valid():
        return _step_failed(request, summary, reopen_form, [])
    try:
        if step == "regenerate":
            services.work_summary_request(
                actor=user, compound=summary.compound, period=summary.period
            )
            done = gettext("The figures are being generated; this page shows progress.")
        elif step == "approve":
            services.work_summary_approve(actor=user, summary=summary)
            done = gettext("Approved.")
        elif step == "reopen":
            services.work_summary_reopen(
                actor=user, summary=summary, reason=reopen_form.cleaned_data["reason"]
            )
            done = gettext("Reopened as a draft.")
        elif step == "submit":
            services.work_summary_submit(actor=user, summary=summary)
            done = gettext(
                "Submitted to the community party organization; the PDF is being prepared."
            )
        else:
            services.work_summary_pdf_request(actor=user, summary=summary)
            done = gettext("The PDF is being prepared; this page shows progress.")
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "reason" in exc.error_dict:
            _apply_validation_error(reopen_form, exc)
            return _step_failed(request, summary, reopen_form, [])
        return _step_failed(request, summary, reopen_form, exc.messages)
    messages.success(request, done)
    return redirect("dashboard:summary", summary.pk)


def _step_failed(
    request: HttpRequest, summary: WorkSummary, reopen_form: forms.Form, errors: list[str]
) -> HttpResponse:
    """Show the summary again with what went wrong, keeping what the person typed."""
    summary = selectors.work_summary_detail(pk=summary.pk) or summary
    edit_form = SummaryEditForm(
        initial={"narrative": summary.narrative, "suggestions": summary.suggestions}
    )
    return render(
        request,
        "dashboard/summary_detail.html",
        {
            **_summary_context(request, summary),
            "edit_form": edit_form,
            "reopen_form": reopen_form if reopen_form.is_bound else SummaryReopenForm(),
            "step_errors": errors,
        },
        status=400,
    )


@login_required
@require_GET
def summary_pdf(request: HttpRequest, pk: int) -> FileResponse:
    summary = _summary_or_404(request, pk)
    if not summary.pdf:
        raise Http404(gettext("The PDF is not ready."))
    try:
        handle = summary.pdf.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(gettext("The file is missing.")) from None
    return FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=True,
        filename=f"work-summary-{summary.compound.slug}-{summary.period}.pdf",
    )


@login_required
@require_GET
def summary_export(request: HttpRequest, pk: int) -> HttpResponse:
    from .pdf import work_summary_pdf_context

    summary = _summary_or_404(request, pk)
    if summary.generated_at is None:
        raise Http404(gettext("The figures have not been generated yet."))
    tables = exports.summary_tables(context=work_summary_pdf_context(summary=summary))
    return exports.xlsx_response(
        tables, filename=f"work-summary-{summary.compound.slug}-{summary.period}.xlsx"
    )

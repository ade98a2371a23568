"""Filing a complaint in two steps (text, then similar issues and photos) and 'me too' (附议).
Nothing typed is lost; photos are chosen once, on the final step.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import selectors, services
from ..forms import (
    PHOTOS_AGAIN,
    IssueFilingForm,
    IssuePhotosForm,
)
from ._common import (
    SESSION_DRAFT,
    SESSION_FILED,
    _apply_validation_error,
    _client_key,
    _compound,
    _filing_compound,
    _hazard_days,
    _rate_limited,
    _remember_code,
    _remembered_code,
)

# --- filing (two steps) ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def issue_file(request: HttpRequest) -> HttpResponse:
    """Step 1: what, where, who. Valid input goes to the session, then step 2.

    seed: 协同联动 第一条; 公示承诺制度 第一条 (the resident chooses what is public).
    """
    compound = _filing_compound(request)
    anonymous = not request.user.is_authenticated
    draft = request.session.get(SESSION_DRAFT)
    # The form's idempotency key: a missing, malformed or oversized one is replaced.
    key = services.idempotency_key_new()
    if request.method == "POST":
        form = IssueFilingForm(request.POST, compound=compound, anonymous=anonymous)
        posted = services.idempotency_key_clean(request.POST.get("idempotency_key"))
        try:
            replay = services.issue_submit_replay(actor=request.user, idempotency_key=posted)
        except ValidationError as exc:
            form.is_valid()
            _apply_validation_error(form, exc)
        else:
            if replay is not None:
                return _show_filed(request, replay)  # this form was sent already
            key = posted or key
            if form.is_valid():
                request.session[SESSION_DRAFT] = {
                    "compound": compound.pk,
                    "anonymous": anonymous,
                    "data": form.draft(),
                    "idempotency_key": key,
                }
                return redirect(f"{reverse('issues:file_confirm')}?compound={compound.slug}")
    elif draft and draft.get("compound") == compound.pk and draft.get("anonymous") == anonymous:
        # "Change what I wrote" from step 2: the form comes back filled in.
        form = IssueFilingForm(initial=draft["data"], compound=compound, anonymous=anonymous)
        key = services.idempotency_key_clean(draft.get("idempotency_key")) or key
    else:
        form = IssueFilingForm(compound=compound, anonymous=anonymous)
    return _step1_page(request, form, compound, key)


def _step1_page(request: HttpRequest, form, compound, key: str) -> HttpResponse:
    """Step 1 shown (first, again after an error, or back from step 2). The compound's
    hazard days are looked up here, for the page, never for a valid POST (issue 20)."""
    form.show_hazard_days(_hazard_days(compound))
    return render(
        request,
        "issues/file.html",
        {"form": form, "compound": compound, "step": 1, "idempotency_key": key},
    )


def _show_filed(request: HttpRequest, result) -> HttpResponse:
    """The "received" page for a complaint just filed, or filed before with this form's key."""
    issue = result.issue
    draft = request.session.get(SESSION_DRAFT)
    if draft is not None and (
        not result.replayed or draft.get("idempotency_key") == issue.idempotency_key
    ):
        del request.session[SESSION_DRAFT]
    if result.tracking_code:
        _remember_code(request, issue.tracking_number, result.tracking_code)
    request.session[SESSION_FILED] = {
        "tracking_number": issue.tracking_number,
        # A replay cannot show a code it never stored, only one this browser remembers.
        "code": result.tracking_code or _remembered_code(request, issue.tracking_number) or "",
        "replayed": result.replayed,
        # Anonymous without contact details: the code is the only way back.
        "no_contact": not issue.reporter_id and not issue.reporter_phone,
    }
    return redirect("issues:file_done")


def _draft_form(request: HttpRequest, compound) -> IssueFilingForm | None:
    draft = request.session.get(SESSION_DRAFT)
    anonymous = not request.user.is_authenticated
    if not draft or draft.get("compound") != compound.pk or draft.get("anonymous") != anonymous:
        return None
    return IssueFilingForm(draft["data"], compound=compound, anonymous=anonymous)


@require_http_methods(["GET", "POST"])
def issue_file_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: open issues that look the same ("me too"), the photos, and submit.

    The text of step 1 is re-validated from the session (a category may have
    been deactivated meanwhile); an error there sends the resident back to
    step 1 with everything filled in.
    """
    compound = _filing_compound(request)
    form = _draft_form(request, compound)
    if form is None:
        return _no_draft(request, compound)
    draft_key = services.idempotency_key_clean(
        request.session[SESSION_DRAFT].get("idempotency_key")
    ) or services.idempotency_key_clean(request.POST.get("idempotency_key"))
    if not form.is_valid():
        return _step1_page(request, form, compound, draft_key)
    data = form.cleaned_data
    photos_form = IssuePhotosForm()
    if request.method == "POST":
        photos_form = IssuePhotosForm(request.POST, request.FILES)
        if photos_form.is_valid():
            try:
                result = _submit_draft(request, compound, form, photos_form, draft_key)
            except services.RateLimited as exc:
                return _rate_limited(request, exc)
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and set(exc.error_dict) - {"photos", "__all__"}:
                    _apply_validation_error(form, exc)
                    return _step1_page(request, form, compound, draft_key)
                _apply_validation_error(photos_form, exc)
            else:
                return _show_filed(request, result)
    return render(
        request,
        "issues/file_confirm.html",
        {
            "compound": compound,
            "draft": data,
            "draft_hazard": bool(data.get("is_hazard") or data["category"].safety_related),
            "hazard_days": _hazard_days(compound),
            # Built for the page only: a valid photo POST redirects without it.
            "similar": _similar_public(compound, data),
            "photos_form": photos_form,
            "photos_again": PHOTOS_AGAIN if photos_form.errors else "",
            "step": 2,
            "idempotency_key": draft_key,
        },
    )


def _similar_public(compound, data) -> list:
    """Open public complaints that look like the draft ("me too" instead of a duplicate)."""
    return [
        issue
        for issue in selectors.issue_similar_open(
            compound=compound,
            category=data["category"],
            building=data.get("building"),
            description=data["description"],
        )
        if issue.is_public
    ]


def _no_draft(request: HttpRequest, compound) -> HttpResponse:
    """No draft in the session: after a sent form, what it filed; otherwise back to step 1."""
    if request.method == "POST":
        # The draft is gone because this form was sent: show what it filed.
        try:
            replay = services.issue_submit_replay(
                actor=request.user, idempotency_key=request.POST.get("idempotency_key")
            )
        except ValidationError:
            replay = None
        if replay is not None:
            return _show_filed(request, replay)
    messages.warning(request, gettext("Please fill in the form first."))
    return redirect(f"{reverse('issues:file')}?compound={compound.slug}")


def _submit_draft(request: HttpRequest, compound, form, photos_form, draft_key: str):
    """File the checked draft of step 1 with the photos of step 2 (raises the service's errors)."""
    data = form.cleaned_data
    return services.issue_submit(
        actor=request.user if request.user.is_authenticated else None,
        compound=compound,
        category=data["category"],
        description=data["description"],
        building=data.get("building"),
        unit=data.get("unit", ""),
        location_text=data.get("location_text", ""),
        is_public=data.get("is_public", False),
        # Ticked: a hazard; not ticked: as the category says (never unflags).
        is_hazard=True if data.get("is_hazard") else None,
        share_identity=data.get("share_identity", False),
        reporter_name=data.get("reporter_name", ""),
        reporter_phone=data.get("reporter_phone", ""),
        hotline_number=data.get("hotline_number", ""),
        photos=photos_form.cleaned_data["photos"],
        client_key=_client_key(request),
        idempotency_key=draft_key,
        no_contact=form.no_contact,
    )


@require_GET
def issue_file_done(request: HttpRequest) -> HttpResponse:
    """The tracking number; for an anonymous reporter the one-time code (shown once)."""
    filed = request.session.pop(SESSION_FILED, None)
    if not filed:
        return redirect("issues:mine" if request.user.is_authenticated else "issues:track")
    return render(request, "issues/file_done.html", filed)


@require_POST
def issue_me_too(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """ "Me too" instead of a duplicate (step 2 of filing, or the public detail page)."""
    compound = _compound(request)
    issue = selectors.issue_public_detail(compound=compound, tracking_number=tracking_number)
    if issue is None or not issue.is_open:
        raise Http404(gettext("No such open issue."))
    draft = request.session.get(SESSION_DRAFT) or {}
    phone = ""
    if not request.user.is_authenticated:
        phone = (draft.get("data") or {}).get("reporter_phone", "")
        if not phone:
            no_contact = (draft.get("data") or {}).get("contact") == "none"
            messages.error(
                request,
                gettext(
                    "“Me too” needs a mobile number, so that one person counts once. Choose "
                    "to be called back and fill in your number, or submit your own complaint."
                )
                if no_contact
                else gettext(
                    "Please fill in your mobile number in the form first, then add “me too”."
                ),
            )
            return redirect(f"{reverse('issues:file')}?compound={compound.slug}")
    try:
        services.issue_me_too(
            actor=request.user if request.user.is_authenticated else None,
            issue=issue,
            phone=phone,
        )
    except services.RateLimited as exc:
        return _rate_limited(request, exc)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        request.session.pop(SESSION_DRAFT, None)
        messages.success(
            request,
            gettext("Thank you: your “me too” was added to %(number)s.")
            % {"number": issue.tracking_number},
        )
    return redirect(
        f"{reverse('issues:detail', args=[issue.tracking_number])}?compound={compound.slug}"
    )

"""Setup pages: a compound's checklist (page + JSON), its fixes, and the templates in force."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huashan.core.web import form_add_service_error
from huashan.directory import selectors
from huashan.directory.models import Organization

from . import services, setup, templates
from .checklist import compound_checklist
from .forms import MemberForm, OrganizationForm, TemplateChangeForm
from .models import ObligationTemplate

Kind = Organization.Kind


def _compound(request: HttpRequest, slug: str):
    compound = selectors.compound_by_slug(slug=slug)
    if compound is None:
        raise Http404(_("No such compound."))
    if not request.user.has_perm("provisioning.setup_compound", compound):
        raise PermissionDenied(_("You may not set up this compound."))
    return compound


@login_required
def checklist(request: HttpRequest, compound_slug: str) -> HttpResponse:
    """What the rules need for this compound and what is missing, with where to fix it."""
    compound = _compound(request, compound_slug)
    items = compound_checklist(compound)
    context = {
        "compound": compound,
        "items": items,
        "open_count": sum(1 for i in items if not i.ok),
    }
    return render(request, "provisioning/checklist.html", context)


@login_required
def checklist_json(request: HttpRequest, compound_slug: str) -> JsonResponse:
    compound = _compound(request, compound_slug)
    items = compound_checklist(compound)
    return JsonResponse(
        {
            "compound": compound.slug,
            "open": sum(1 for i in items if not i.ok),
            "items": [i.as_json() for i in items],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
@require_POST
def provision(request: HttpRequest, compound_slug: str) -> HttpResponse:
    compound = _compound(request, compound_slug)
    result = setup.provision_now(actor=request.user, compound=compound)
    messages.success(
        request,
        _("This year's obligations are set up (%(letters)d letters, %(schedules)d schedules new).")
        % {"letters": len(result.letters_created), "schedules": result.schedules_created},
    )
    return redirect("provisioning:checklist", compound.slug)


def _kind(kind: str, allowed) -> str:
    if kind not in allowed:
        raise Http404(_("No such organization."))
    return kind


@login_required
def organization(request: HttpRequest, compound_slug: str, kind: str) -> HttpResponse:
    """Register the compound's organization of ``kind`` or correct its name and phone."""
    compound = _compound(request, compound_slug)
    kind = _kind(kind, setup.ORGANIZATION_NAMES)
    existing = Organization.objects.filter(compound=compound, kind=kind).order_by("pk").first()
    if request.method == "POST":
        form = OrganizationForm(request.POST)
        if form.is_valid():
            try:
                setup.organization_save(
                    actor=request.user, compound=compound, kind=kind, **form.cleaned_data
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("provisioning:checklist", compound.slug)
    else:
        initial = {"name": existing.name, "phone": existing.phone} if existing else {}
        form = OrganizationForm(initial=initial)
    context = {
        "compound": compound,
        "form": form,
        "kind_label": Kind(kind).label,
        "existing": existing,
        "phone_required": kind == Kind.PROPERTY_COMPANY,
    }
    return render(request, "provisioning/organization.html", context)


@login_required
def member(request: HttpRequest, compound_slug: str, kind: str) -> HttpResponse:
    """Seat a member (with the term start) in one of the compound's organizations."""
    compound = _compound(request, compound_slug)
    kind = _kind(kind, setup.MEMBER_ROLES)
    roles = setup.MEMBER_ROLES[kind]
    organization = Organization.objects.filter(compound=compound, kind=kind).order_by("pk").first()
    if organization is None:
        return redirect("provisioning:organization", compound.slug, kind)
    if request.method == "POST":
        form = MemberForm(request.POST, roles=roles)
        if form.is_valid():
            try:
                setup.member_add(
                    actor=request.user, compound=compound, kind=kind, **form.cleaned_data
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("provisioning:checklist", compound.slug)
    else:
        form = MemberForm(roles=roles, initial={"start": timezone.localdate()})
    context = {"compound": compound, "form": form, "organization": organization}
    return render(request, "provisioning/member.html", context)


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    """The obligation templates in force this year, each with its article and versions."""
    if not selectors.person_is_staff(person=request.user):
        raise PermissionDenied(_("Only staff can see the obligation templates."))
    year = timezone.localdate().year
    current = templates.in_force(year)
    versions: dict[str, int] = {}
    for code in ObligationTemplate.objects.values_list("code", flat=True):
        versions[code] = versions.get(code, 0) + 1
    # One permission question per kind of editor (street / community), not per row.
    allowed: dict[str, bool] = {}
    for t in current.values():
        if t.editor not in allowed:
            allowed[t.editor] = services.may_edit_template(request.user, t)
    rows = [
        {
            "template": t,
            "versions": versions.get(code, 1),
            "may_edit": t.kind != ObligationTemplate.Kind.DEADLINE_POLICY and allowed[t.editor],
        }
        for code, t in sorted(current.items(), key=lambda kv: (kv[1].kind, kv[0]))
    ]
    return render(request, "provisioning/templates.html", {"rows": rows, "year": year})


@login_required
def template_change(request: HttpRequest, code: str) -> HttpResponse:
    """A new version of a template from a later year (the right role only).

    seed: 评议监督考核制度 第三条 "民主测评标准由街道统一制定" — the street changes the
    evaluation standard; the community party organization adapts letters and schedules.
    """
    year = timezone.localdate().year
    template = templates.in_force(year + 1).get(code)
    if template is None:
        raise Http404(_("No such template."))
    if not services.may_edit_template(request.user, template):
        raise PermissionDenied(_("You may not change this template."))
    if template.kind == ObligationTemplate.Kind.DEADLINE_POLICY:
        raise Http404(_("Deadlines are kept with the working-day calendar."))
    if request.method == "POST":
        form = TemplateChangeForm(request.POST, template=template)
        if form.is_valid():
            try:
                services.template_revise(
                    actor=request.user,
                    template=template,
                    body=form.body(),
                    valid_from=form.cleaned_data["valid_from"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form_add_service_error(form, exc, aliases={"body": "__all__"})
            else:
                messages.success(request, _("Saved."))
                return redirect("provisioning:templates")
    else:
        form = TemplateChangeForm(template=template, initial={"valid_from": year + 1})
    return render(
        request, "provisioning/template_change.html", {"form": form, "template": template}
    )

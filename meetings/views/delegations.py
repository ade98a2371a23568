"""委托: the community party head entrusts a compound party head with convening and
chairing the joint meeting, and revokes it (seed: 联席会议议事规则 第三条).

One page per compound: the delegations with their periods, a form to grant one and a
revoke form on each delegation in force. Staff of the compound see it; only the
community party head (``meetings.delegate_chair``) changes it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from huashan.directory import delegations as service
from huashan.directory.models import ChairDelegation, Membership, Organization, Person

from ._common import _compound, _require_staff, _run

NOTE_MAX = service.NOTE_MAX
REASON_MAX = service.REASON_MAX


class DelegationGrantForm(forms.Form):
    delegate = forms.ModelChoiceField(
        label=_("Compound party head to entrust"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the compound party heads listed.")},
    )
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Scope and remarks"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, heads=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = heads if heads is not None else Person.objects.none()


class DelegationRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _heads(compound):
    """Current secretaries and chairs of the compound's party organization (one query)."""
    return Person.objects.filter(
        pk__in=Membership.objects.current()
        .filter(
            organization__compound=compound,
            organization__kind=Organization.Kind.COMPOUND_PARTY,
            role__in=service.HEAD_ROLES,
        )
        .values("person_id")
    ).order_by("name")


def _page(request, compound, *, grant_form=None, revoke_forms=None, status=200):
    rows = list(
        ChairDelegation.objects.filter(compound=compound)
        .select_related("delegator", "delegate", "revoked_by")
        .order_by("-start", "-pk")[:50]
    )
    today = timezone.localdate()
    revoke_forms = revoke_forms or {}
    for row in rows:
        row.in_force = row.is_active(today) or (row.start > today and row.revoked_on is None)
        row.revoke_form = revoke_forms.get(row.pk) or DelegationRevokeForm(
            prefix=f"revoke-{row.pk}"
        )
    can_grant = request.user.has_perm("meetings.delegate_chair", compound)
    return render(
        request,
        "meetings/delegations.html",
        {
            "compound": compound,
            "delegations": rows,
            "can_grant": can_grant,
            "grant_form": grant_form or DelegationGrantForm(prefix="grant", heads=_heads(compound)),
        },
        status=status,
    )


def _url(compound) -> str:
    return f"{reverse('meetings:delegations')}?compound={compound.slug}"


@login_required
def delegation_list(request: HttpRequest) -> HttpResponse:
    """GET: the page; POST: grant a delegation (the community party head)."""
    compound = _compound(request)
    _require_staff(request, compound)
    if request.method != "POST":
        return _page(request, compound)
    if not request.user.has_perm("meetings.delegate_chair", compound):
        raise PermissionDenied(
            gettext("Only the community party head can entrust the joint meeting.")
        )
    form = DelegationGrantForm(request.POST, prefix="grant", heads=_heads(compound))
    if form.is_valid() and _run(
        form,
        service.delegation_grant,
        actor=request.user,
        compound=compound,
        delegate=form.cleaned_data["delegate"],
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        note=form.cleaned_data["note"],
    ):
        messages.success(request, gettext("The delegation is recorded."))
        return redirect(_url(compound))
    return _page(request, compound, grant_form=form, status=400)


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = (
        ChairDelegation.objects.select_related("compound", "delegate").filter(pk=pk).first()
    )
    if delegation is None:
        raise Http404(gettext("No such delegation."))
    compound = delegation.compound
    _require_staff(request, compound)
    if not request.user.has_perm("meetings.delegate_chair", compound):
        raise PermissionDenied(gettext("Only the community party head can revoke the delegation."))
    form = DelegationRevokeForm(request.POST, prefix=f"revoke-{pk}")
    if form.is_valid() and _run(
        form,
        service.delegation_revoke,
        actor=request.user,
        delegation=delegation,
        reason=form.cleaned_data["reason"],
    ):
        messages.success(request, gettext("The delegation is revoked."))
        return redirect(_url(compound))
    return _page(request, compound, revoke_forms={pk: form}, status=400)

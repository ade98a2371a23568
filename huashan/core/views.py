"""Public pages: the home page and the friendly CSRF failure page."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.directory.models import Compound

# Fallback when the database holds no compound yet (fresh install before seeding).
DEFAULT_COMPOUND_NAME = "江南花山郡"

# Entry cards on the home page: (url name, label, description). A card shows
# only when its URL resolves, so each module appears once it is installed, and
# only to people who may open it (ENTRY_GATES; issue 13 item 6: no link to a 403).
HOME_ENTRIES: tuple[tuple[str, str, str], ...] = (
    (
        "issues:file",
        _("File a complaint"),
        workdays.number_text(
            _("Report a problem in the compound from your phone. We respond within %(n)d hours."),
            "response_hours",
        ),
    ),
    (
        "issues:board",
        _("Complaint progress"),
        _("See how reported problems are handled: small, big and hard matters."),
    ),
    (
        "issues:track",
        _("Check progress with a tracking code"),
        _("Reported without logging in? Enter the tracking number and the code you were given."),
    ),
    (
        "disclosures:board",
        _("Disclosure board"),
        _("Finances, service standards and notices published by the three parties."),
    ),
    (
        "pledges:board",
        _("Service pledges"),
        _("What the party organization, the PMC and the property company promised."),
    ),
    (
        "meetings:list",
        _("Joint meetings"),
        _("Monthly joint meetings: agenda, minutes and agreed items."),
    ),
    (
        "briefings:public",
        _("Briefings to residents"),
        _("Opinions the bodies received about the compound, and what they did about them."),
    ),
    (
        "dashboard:compound",
        _("Compound dashboard"),
        _("How the compound is doing, at a glance."),
    ),
)

# seed: 小区党组织服务承诺 第3条 and 结尾 (监督电话：027-87913119);
# seed: 物业管理委员会服务承诺 第3条 (24小时业主服务专线 027-81818577).
HOTLINES: tuple[tuple[str, str], ...] = (
    (_("Supervision hotline (compound party organization)"), "027-87913119"),
    (_("PMC 24-hour owner service line"), "027-81818577"),
)


@dataclass(frozen=True)
class HomeEntry:
    url: str
    label: str
    description: str


def _resolve_entry(name: str, compound: Compound | None) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        pass
    if compound is not None:
        try:
            return reverse(name, kwargs={"slug": compound.slug})
        except NoReverseMatch:
            pass
    return None


def _may_open_dashboard(user) -> bool:
    from huashan.core.context_processors import may_open_dashboard

    return may_open_dashboard(user)


# Cards only some people may open: url name -> predicate(user), the same decision the
# target view takes. Cards not listed here lead to public pages.
ENTRY_GATES = {
    "dashboard:compound": _may_open_dashboard,
}


def home_entries(compound: Compound | None, user=None) -> list[HomeEntry]:
    entries = []
    for name, label, description in HOME_ENTRIES:
        gate = ENTRY_GATES.get(name)
        if gate is not None and not gate(user):
            continue
        url = _resolve_entry(name, compound)
        if url:
            entries.append(HomeEntry(url=url, label=label, description=description))
    return entries


def home(request: HttpRequest) -> HttpResponse:
    """Public home page of the default compound; greets a logged-in resident."""
    compound = (
        Compound.objects.select_related("community__street")
        .filter(slug=settings.HUASHAN_DEFAULT_COMPOUND)
        .first()
    )
    residencies = []
    if request.user.is_authenticated:
        from huashan.accounts.selectors import person_residencies

        residencies = person_residencies(person=request.user)
    hotlines = [
        {"label": label, "number": number, "tel": number.replace("-", "")}
        for label, number in HOTLINES
    ]
    return render(
        request,
        "core/home.html",
        {
            "compound": compound,
            "compound_name": compound.name if compound else DEFAULT_COMPOUND_NAME,
            "entries": home_entries(compound, request.user),
            "hotlines": hotlines,
            "residencies": residencies,
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form page expired; tell people how to resubmit."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


def language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language with a plain GET link or form (no CSRF token).

    Only a preference cookie changes, so a forged request can do no harm; keeping
    tokens out of the header lets anonymous public pages be cached whole
    (``huashan.core.pagecache.anonymous_page``). An unknown language changes
    nothing; ``next`` must stay on this site, otherwise it goes home.
    """
    from django.http import HttpResponseRedirect
    from django.utils.http import url_has_allowed_host_and_scheme
    from django.utils.translation import check_for_language

    next_url = str(request.GET.get("next", ""))[:2000]
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("core:home")
    response = HttpResponseRedirect(next_url)
    code = str(request.GET.get("language", ""))[:20]
    if code in dict(settings.LANGUAGES) and check_for_language(code):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response

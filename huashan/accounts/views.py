"""Account pages: login, registration, my account, passwords, residency queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from huashan.accounts import selectors, services, throttle
from huashan.accounts.codes import (
    CHECK_MESSAGES,
    CodeCheck,
    CodeThrottled,
    code_check,
    code_request,
)
from huashan.accounts.codes import Purpose as CodePurpose
from huashan.accounts.forms import (
    CodeLoginForm,
    CodeSendForm,
    MobileAuthenticationForm,
    PersonFindForm,
    RegistrationForm,
    ResidencyRejectForm,
    ResidencyVerifyForm,
)
from huashan.directory.models import Person, Residency


def _throttled(request: HttpRequest, message: str) -> HttpResponse:
    """The Chinese 429 page of the account throttles (huashan/accounts/throttle.py)."""
    return render(request, "accounts/throttled.html", {"message": message}, status=429)


class LoginView(auth_views.LoginView):
    """Mobile + password. django-axes locks a number + address after failures (AXES_*);
    ``throttle.login_address_locked`` locks an address that fails on many numbers."""

    template_name = "accounts/login.html"
    authentication_form = MobileAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from huashan.accounts.wechat import enabled

        return {**super().get_context_data(**kwargs), "wechat_enabled": enabled()}

    def post(self, request, *args, **kwargs):
        if throttle.login_address_locked(request):
            return _throttled(
                request,
                _(
                    "Too many failed logins from your network. Please try again in "
                    "%(minutes)s minutes."
                )
                % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
            )
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:me")

    def form_valid(self, form):
        services.person_password_change(
            actor=self.request.user,
            person=self.request.user,
            password=form.cleaned_data["new_password1"],
        )
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Opened from the one-time link a staff member handed over."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def dispatch(self, *args, **kwargs):
        """Guessing links from one address is stopped (429) after a few invalid ones."""
        if throttle.reset_link_throttled(self.request):
            return _throttled(
                self.request,
                _("Too many invalid reset links from your network. Please try again in an hour."),
            )
        response = super().dispatch(*args, **kwargs)
        if not self.validlink:
            throttle.reset_link_miss(self.request)
        return response

    def form_valid(self, form):
        services.person_password_reset_complete(
            person=self.user, password=form.cleaned_data["new_password1"]
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your new password is set. Please log in."))
        return redirect(self.get_success_url())


CODE_SENT_MESSAGE = _(
    "If this number can receive it, a 6-digit code is on its way by SMS. It is good for "
    "%(minutes)s minutes."
)


def _send_code(request: HttpRequest, *, purpose: str) -> tuple[CodeSendForm, int]:
    """The "send me a code" button of the login and registration pages.

    One answer whether or not the number has an account; a limit answers 429 with
    the page and everything typed still on it.
    """
    send_form = CodeSendForm({"mobile": request.POST.get("mobile") or request.POST.get("username")})
    if not send_form.is_valid():
        return send_form, 400
    try:
        code_request(request=request, mobile=send_form.cleaned_data["mobile"], purpose=purpose)
    except CodeThrottled as throttled:
        send_form.add_error("mobile", throttled.message)
        return send_form, 429
    minutes = int(settings.SMS_CODE_TTL_MINUTES)
    messages.success(request, CODE_SENT_MESSAGE % {"minutes": minutes})
    return send_form, 200


def _safe_next(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


@never_cache
def code_login(request: HttpRequest) -> HttpResponse:
    """Sign in with an SMS code instead of a password (登录验证码, issue 21 item 1)."""
    from django.contrib.auth import login as auth_login

    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    from huashan.accounts.wechat import enabled as wechat_enabled

    context = {
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "wechat_enabled": wechat_enabled(),
    }
    if request.method != "POST":
        form = CodeLoginForm(request)
        return render(request, "accounts/login_code.html", {**context, "form": form})
    if throttle.login_address_locked(request):
        return _throttled(
            request,
            _("Too many failed logins from your network. Please try again in %(minutes)s minutes.")
            % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        )
    if request.POST.get("action") == "send":
        send_form, status = _send_code(request, purpose=CodePurpose.LOGIN)
        form = CodeLoginForm(request, initial={"username": request.POST.get("username", "")})
        if send_form.errors:
            form._errors = ErrorDict(username=send_form.errors["mobile"])
        return render(
            request,
            "accounts/login_code.html",
            {**context, "form": form, "sent": status == 200},
            status=status,
        )
    form = CodeLoginForm(request, data=request.POST)
    if form.is_valid():
        person = form.get_user()
        auth_login(request, person)
        services.person_code_login_record(person=person)
        return redirect(_safe_next(request))
    return render(request, "accounts/login_code.html", {**context, "form": form}, status=200)


def register(request: HttpRequest) -> HttpResponse:
    """Resident self-registration; the number is verified with an SMS code (issue 21),
    the household claim waits for staff."""
    if request.user.is_authenticated:
        return redirect("accounts:me")
    if request.method == "POST" and throttle.register_throttled(request):
        return _throttled(
            request,
            _("Too many registrations from your network. Please try again in an hour."),
        )
    if request.method == "POST" and request.POST.get("action") == "send":
        send_form, status = _send_code(request, purpose=CodePurpose.REGISTER)
        # Everything typed stays on the page (passwords excepted, as browsers expect).
        form = RegistrationForm(initial=request.POST.dict())
        if send_form.errors:
            form._errors = ErrorDict(mobile=send_form.errors["mobile"])
        return render(
            request, "accounts/register.html", {"form": form, "sent": status == 200}, status=status
        )
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        throttle.register_hit(request)
        checked = code_check(mobile=data["mobile"], purpose=CodePurpose.REGISTER, code=data["code"])
        if checked is not CodeCheck.OK:
            form.add_error("code", CHECK_MESSAGES[checked])
            return render(request, "accounts/register.html", {"form": form})
        try:
            services.registration_submit(
                mobile=data["mobile"],
                name=data["name"],
                password=data["password1"] or None,
                household=form.household,
                relation=data["relation"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The same answer for a new number and a taken one (whose owner is told):
            # the page must not reveal who has an account (issue 14 item 7).
            messages.success(
                request,
                _(
                    "Registration received. Log in with your mobile number and an SMS code "
                    "(or your password, if you set one). Your household claim waits for "
                    "verification by the staff. (If this number already had an account, "
                    "nothing was changed and its owner was told.)"
                ),
            )
            return redirect("accounts:code_login")
    return render(request, "accounts/register.html", {"form": form})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The person's own data and household claims (PIPL: a person sees their data)."""
    return render(
        request,
        "accounts/me.html",
        {"person": request.user, "residencies": selectors.person_residencies(person=request.user)},
    )


def _verifiable_compounds(user) -> list:
    from huashan.directory.selectors import person_staff_compounds

    return [
        compound
        for compound in person_staff_compounds(person=user)
        if user.has_perm("directory.verify_residency", compound)
    ]


def _queue_response(
    request: HttpRequest, *, failed: Residency | None = None, failed_form=None, status=200
) -> HttpResponse:
    compounds = _verifiable_compounds(request.user)
    if not compounds:
        raise PermissionDenied
    rows = []
    for residency in selectors.residencies_pending(compounds=compounds):
        if failed is not None and residency.pk == failed.pk:
            reject_form = failed_form
        else:
            reject_form = ResidencyRejectForm(prefix=f"r{residency.pk}")
        rows.append({"residency": residency, "reject_form": reject_form})
    return render(
        request,
        "accounts/residency_queue.html",
        {"rows": rows, "compounds": compounds, "find_form": PersonFindForm()},
        status=status,
    )


@login_required
def residency_queue(request: HttpRequest) -> HttpResponse:
    """Staff verify residents' household claims in their compounds."""
    return _queue_response(request)


def _residency_for_staff(request: HttpRequest, residency_id: int) -> Residency:
    residency = get_object_or_404(
        Residency.objects.select_related("person", "household__building__compound"),
        pk=residency_id,
    )
    if not request.user.has_perm("directory.verify_residency", residency.household.compound):
        raise PermissionDenied
    return residency


@login_required
@require_POST
def residency_verify(request: HttpRequest, residency_id: int) -> HttpResponse:
    from huashan.directory.services import residency_verify as verify

    residency = _residency_for_staff(request, residency_id)
    form = ResidencyVerifyForm(request.POST, prefix=f"v{residency.pk}")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        verify(actor=request.user, residency=residency, note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is verified for %(household)s.")
            % {"name": residency.person.name, "household": residency.household},
        )
    return redirect("accounts:residency_queue")


@login_required
@require_POST
def residency_reject(request: HttpRequest, residency_id: int) -> HttpResponse:
    from huashan.directory.services import residency_reject as reject

    residency = _residency_for_staff(request, residency_id)
    form = ResidencyRejectForm(request.POST, prefix=f"r{residency.pk}")
    if not form.is_valid():
        messages.error(request, _("Give a reason for rejecting the claim."))
        return _queue_response(request, failed=residency, failed_form=form, status=400)
    try:
        reject(actor=request.user, residency=residency, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The claim of %(name)s on %(household)s was rejected.")
            % {"name": residency.person.name, "household": residency.household},
        )
    return redirect("accounts:residency_queue")


@login_required
def staff_password_find(request: HttpRequest) -> HttpResponse:
    """Find a resident by mobile number to issue a reset link."""
    if not _verifiable_compounds(request.user) and not request.user.is_superuser:
        raise PermissionDenied
    form = PersonFindForm(request.GET or None)
    if form.is_valid():
        person = Person.objects.filter(mobile=form.cleaned_data["mobile"]).first()
        if person is not None and request.user.has_perm("accounts.reset_password", person):
            return redirect("accounts:staff_password_reset", person_id=person.pk)
        # Same answer whether the number is unknown or out of scope: no probing.
        form.add_error(
            "mobile", _("No resident with this mobile number lives in the compounds you serve.")
        )
    return render(request, "accounts/staff_password_find.html", {"form": form})


@never_cache
@login_required
def staff_password_reset(request: HttpRequest, person_id: int) -> HttpResponse:
    """Staff issue a one-time password-reset link; it is shown only in this response."""
    person = get_object_or_404(Person, pk=person_id)
    if not request.user.has_perm("accounts.reset_password", person):
        raise PermissionDenied
    link = ""
    if request.method == "POST":
        try:
            uidb64, token = services.person_password_reset_link_issue(
                actor=request.user, person=person
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            link = request.build_absolute_uri(
                reverse(
                    "accounts:password_reset_confirm",
                    kwargs={"uidb64": uidb64, "token": token},
                )
            )
    return render(
        request,
        "accounts/staff_password_reset.html",
        {
            "person": person,
            "residencies": selectors.person_residencies(person=person),
            "link": link,
        },
    )


# --- WeChat (issue 21): sign in with WeChat, linked by a verified mobile number ---------


def wechat_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to WeChat's authorisation page (网页授权, scope snsapi_base)."""
    from huashan.accounts import wechat

    wechat.require_enabled()
    state = wechat.new_state()
    request.session[wechat.SESSION_STATE] = state
    request.session[wechat.SESSION_NEXT] = _safe_next(request) if request.GET.get("next") else ""
    callback = request.build_absolute_uri(reverse("accounts:wechat_callback"))
    return redirect(wechat.authorize_url(redirect_uri=callback, state=state))


def _wechat_problem(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "accounts/wechat_problem.html", {"message": message}, status=status)


@never_cache
def wechat_callback(request: HttpRequest) -> HttpResponse:
    """WeChat sends the browser back with a one-time code: sign in, or link first."""
    from django.contrib.auth import login as auth_login

    from huashan.accounts import wechat
    from huashan.accounts.models import AccountEvent, WeChatLink

    wechat.require_enabled()
    expected = request.session.pop(wechat.SESSION_STATE, None)
    state, code = request.GET.get("state", ""), request.GET.get("code", "")
    if not expected or state != expected or not code or len(code) > 200:
        return _wechat_problem(
            request, _("This WeChat sign-in link has expired. Please start again.")
        )
    try:
        identity = wechat.code_exchange(code)
    except wechat.WeChatError:
        return _wechat_problem(
            request,
            _("WeChat did not confirm who you are. Please try again, or sign in with an SMS code."),
            status=502,
        )
    link = WeChatLink.objects.select_related("person").filter(openid=identity["openid"]).first()
    if link is not None and link.person.is_active:
        auth_login(request, link.person, backend="huashan.accounts.codes.SmsCodeBackend")
        AccountEvent.objects.create(
            person=link.person, actor=link.person, verb=AccountEvent.Verb.WECHAT_LOGIN
        )
        return redirect(request.session.pop(wechat.SESSION_NEXT, "") or settings.LOGIN_REDIRECT_URL)
    request.session[wechat.SESSION_OPENID] = identity["openid"]
    request.session[wechat.SESSION_UNIONID] = identity["unionid"]
    return redirect("accounts:wechat_link")


@never_cache
def wechat_link(request: HttpRequest) -> HttpResponse:
    """First WeChat sign-in: prove the mobile number with an SMS code, then link."""
    from django.contrib.auth import login as auth_login

    from huashan.accounts import wechat

    wechat.require_enabled()
    openid = request.session.get(wechat.SESSION_OPENID)
    if not openid:
        return redirect("accounts:wechat_start")
    context = {"wechat": True}
    if request.method != "POST":
        form = CodeLoginForm(request)
        return render(request, "accounts/wechat_link.html", {**context, "form": form})
    if throttle.login_address_locked(request):
        return _throttled(
            request,
            _("Too many failed logins from your network. Please try again in %(minutes)s minutes.")
            % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        )
    if request.POST.get("action") == "send":
        send_form, status = _send_code(request, purpose=CodePurpose.LOGIN)
        form = CodeLoginForm(request, initial={"username": request.POST.get("username", "")})
        if send_form.errors:
            form._errors = ErrorDict(username=send_form.errors["mobile"])
        return render(
            request,
            "accounts/wechat_link.html",
            {**context, "form": form, "sent": status == 200},
            status=status,
        )
    form = CodeLoginForm(request, data=request.POST)
    if form.is_valid():
        person = form.get_user()
        try:
            wechat.wechat_link(
                person=person,
                openid=openid,
                unionid=request.session.get(wechat.SESSION_UNIONID, ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            next_url = request.session.pop(wechat.SESSION_NEXT, "")
            auth_login(request, person)
            services.person_code_login_record(person=person)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/wechat_link.html", {**context, "form": form}, status=200)

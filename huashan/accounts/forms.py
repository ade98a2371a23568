"""Forms for login, registration, verification and passwords."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from huashan.accounts import selectors
from huashan.directory.models import Building, Compound, Person, Residency

mobile_input_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13812345678.")
)

_MOBILE_NOISE = re.compile(r"[\s\-()]")


def normalize_mobile(value: str) -> str:
    """Drop spaces, dashes and a +86 prefix people often type or paste."""
    value = _MOBILE_NOISE.sub("", value or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value


def _mobile_widget() -> forms.TextInput:
    return forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "username", "type": "tel"}
    )


class MobileAuthenticationForm(AuthenticationForm):
    """Log in with a mobile number; one vague error so numbers cannot be probed."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Mobile number or password is incorrect."),
        "inactive": _("This account is disabled. Please contact the residents' committee."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("Mobile number")
        username.max_length = 20  # accept "138 1234 5678"; normalised below
        username.widget = _mobile_widget()
        username.widget.attrs.update({"autofocus": True, "maxlength": "20"})
        self.fields["password"].label = _("Password")

    def clean_username(self) -> str:
        mobile = normalize_mobile(self.cleaned_data.get("username", ""))
        mobile_input_validator(mobile)
        return mobile


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("SMS code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "maxlength": "12",
                "pattern": "[0-9 ]*",
            }
        ),
        help_text=_("The 6 digits in the SMS. A code is good for 5 minutes."),
    )


def clean_code_value(value: str) -> str:
    code = "".join(str(value or "").split())
    if not re.fullmatch(r"\d{6}", code):
        raise forms.ValidationError(_("Type the 6 digits of the SMS code."), code="code_format")
    return code


class CodeSendForm(forms.Form):
    """Step one of a code: the number to send it to."""

    mobile = forms.CharField(label=_("Mobile number"), max_length=20, widget=_mobile_widget())

    def clean_mobile(self) -> str:
        mobile = normalize_mobile(self.cleaned_data["mobile"])
        mobile_input_validator(mobile)
        return mobile


class CodeLoginForm(forms.Form):
    """Sign in with the mobile number and the code sent to it (no password).

    ``authenticate(request, username=..., sms_code=...)`` runs every backend, so
    django-axes and the per-address throttle apply exactly as to passwords.
    """

    username = forms.CharField(label=_("Mobile number"), max_length=20, widget=_mobile_widget())
    code = _code_field()

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean_username(self) -> str:
        mobile = normalize_mobile(self.cleaned_data.get("username", ""))
        mobile_input_validator(mobile)
        return mobile

    def clean_code(self) -> str:
        return clean_code_value(self.cleaned_data.get("code", ""))

    def clean(self):
        from django.contrib.auth import authenticate

        from huashan.accounts.codes import CHECK_MESSAGES, CodeCheck

        cleaned = super().clean()
        mobile, code = cleaned.get("username"), cleaned.get("code")
        if mobile and code:
            self.user_cache = authenticate(self.request, username=mobile, sms_code=code)
            if self.user_cache is None:
                result = getattr(self.request, "sms_code_check", CodeCheck.WRONG)
                if result is CodeCheck.OK:  # the code was right but the account is disabled
                    raise forms.ValidationError(
                        MobileAuthenticationForm.error_messages["inactive"], code="inactive"
                    )
                self.add_error("code", CHECK_MESSAGES.get(result, CHECK_MESSAGES[CodeCheck.WRONG]))
        return cleaned

    def get_user(self):
        return self.user_cache


class RegistrationForm(forms.Form):
    """Resident self-registration with a household claim (verified later by staff).

    The number is verified with an SMS code (issue 21 item 1); a password is optional —
    without one the resident always signs in with a code.
    """

    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=_mobile_widget(),
        help_text=_("You will log in with this number."),
    )
    code = _code_field()
    name = forms.CharField(
        label=_("Real name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("As the staff know you; shown masked (张**) on public pages."),
    )
    password1 = forms.CharField(
        label=_("Password (optional)"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "You may leave it empty and always log in with an SMS code. If you set one: at "
            "least 8 characters, not only digits, not a common password."
        ),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    compound = forms.ModelChoiceField(
        label=_("Compound"),
        queryset=Compound.objects.none(),
        empty_label=None,
        widget=forms.Select(attrs={"data-filters-buildings": "id_building"}),
    )
    building = forms.TypedChoiceField(label=_("Building"), coerce=int, choices=())
    unit = forms.CharField(
        label=_("Unit"),
        max_length=20,
        required=False,
        help_text=_("e.g. 1单元; leave empty if none"),
    )
    room = forms.CharField(label=_("Room"), max_length=20, help_text=_("e.g. 1502"))
    relation = forms.ChoiceField(
        label=_("You are the household's"),
        choices=Residency.Relation.choices,
        initial=Residency.Relation.OWNER,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compounds = selectors.compounds_for_registration()
        self.fields["compound"].queryset = compounds
        default = next((c for c in compounds if c.slug == settings.HUASHAN_DEFAULT_COMPOUND), None)
        if default is not None:
            self.fields["compound"].initial = default.pk
        self.fields["building"].choices = [("", "---------"), *selectors.buildings_grouped()]
        self.household = None

    def clean_mobile(self) -> str:
        mobile = normalize_mobile(self.cleaned_data["mobile"])
        mobile_input_validator(mobile)
        # No "already registered" error: the page must not tell who has an account
        # (issue 14 item 7). accounts.services.registration_submit alerts the owner.
        return mobile

    def clean_code(self) -> str:
        return clean_code_value(self.cleaned_data.get("code", ""))

    def clean_building(self) -> Building:
        building = (
            Building.objects.select_related("compound")
            .filter(pk=self.cleaned_data["building"])
            .first()
        )
        if building is None:
            raise forms.ValidationError(_("Choose a building from the list."), code="building")
        return building

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if (password1 or password2) and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            candidate = Person(mobile=cleaned.get("mobile", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        compound, building = cleaned.get("compound"), cleaned.get("building")
        if compound and building and building.compound_id != compound.pk:
            self.add_error(
                "building", _("This building is not in the chosen compound. Choose again.")
            )
        elif building and "room" in cleaned:
            self.household = selectors.household_find(
                building=building, unit=cleaned.get("unit", ""), room=cleaned["room"]
            )
            if self.household is None:
                self.add_error(
                    "room",
                    _(
                        "There is no such household in this building. Check the unit and "
                        "room; if your home is missing, tell the residents' committee."
                    ),
                )
        return cleaned


class ResidencyRejectForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for rejecting"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The resident sees this reason."),
    )


class ResidencyVerifyForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class PersonFindForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, widget=_mobile_widget())

    def clean_mobile(self) -> str:
        mobile = normalize_mobile(self.cleaned_data["mobile"])
        mobile_input_validator(mobile)
        return mobile

"""Forms of the evaluation pages: they parse what was typed; the services decide.

Each form turns the raw POST into the values a service takes, with the same
Chinese messages keyed by field that the pages show next to the input (what
was typed is shown again, never lost). Rules (who may, which state, sums of
points) stay in the services; a form only says "this is not a number".
seed: 评议监督考核制度 第三条 (criteria set by the street) and 第五条 (results).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from huashan.directory.models import Community, Compound, Person

SETTINGS_BANDS = ("band_excellent", "band_good", "band_pass")


def to_int(value: Any) -> int:
    """A whole number typed on a page, 0 when it is none (the services refuse 0)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def errors_of(form: forms.Form) -> ValidationError:
    """The form's errors as the ``ValidationError`` the pages already render."""
    return ValidationError(form.errors.as_data())


class _Text(forms.CharField):
    """Optional raw text: the service cleans and refuses it, with its own message."""

    def __init__(self, *, cut: int | None = None, **kwargs: Any) -> None:
        self.cut = cut
        super().__init__(required=False, strip=False, **kwargs)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return value[: self.cut] if self.cut else value


class CampaignCreateForm(forms.Form):
    """One compound (``<pk>``) or a whole community (``community-<pk>``, issue 7 item 1)."""

    compound = _Text(cut=30)
    year = _Text()
    title = _Text()

    def clean_compound(self) -> dict[str, Any]:
        scope = self.cleaned_data["compound"]
        compound = community = None
        if scope.startswith("community-"):
            community = Community.objects.filter(pk=to_int(scope.removeprefix("community-")))
            community = community.first()
        else:
            compound = Compound.objects.filter(pk=to_int(scope)).first()
        if compound is None and community is None:
            raise ValidationError(gettext("Choose a compound."))
        return {"compound": compound, "community": community}

    def clean_year(self) -> int:
        try:
            return int(self.cleaned_data["year"])
        except (ValueError, OverflowError):
            raise ValidationError(gettext("Enter a year between 2000 and 2100.")) from None

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {**data["compound"], "year": data["year"], "title": data["title"]}


class AdvanceForm(forms.Form):
    to_state = _Text()
    note = _Text(cut=500)


class CriterionForm(forms.Form):
    group_name = _Text()
    name = _Text()
    max_score = _Text()
    weight = _Text()

    def clean_max_score(self) -> int:
        try:
            return int(self.cleaned_data["max_score"])
        except ValueError:
            raise ValidationError(gettext("Enter a whole number from 1 to 100.")) from None

    def clean_weight(self) -> Decimal | None:
        raw = self.cleaned_data["weight"].strip()
        if not raw:
            return None
        try:
            weight = Decimal(raw)
            if not weight.is_finite() or weight <= 0 or weight > 1000:
                raise InvalidOperation
        except InvalidOperation:
            raise ValidationError(gettext("Enter a positive number.")) from None
        return weight


class EvaluatorForm(forms.Form):
    name = _Text(cut=200)
    category = _Text()


class MemberForm(forms.Form):
    """A PMC member evaluated in person (第二条), found by mobile number."""

    mobile = _Text()

    def clean_mobile(self) -> Person:
        member = Person.objects.filter(mobile=self.cleaned_data["mobile"].strip()[:11]).first()
        if member is None:
            raise ValidationError(gettext("No person has this mobile number."))
        return member


class ObjectionAnswerForm(forms.Form):
    objection = _Text()
    answer = _Text()

    def clean_objection(self) -> int:
        return to_int(self.cleaned_data["objection"])


class SettingsForm(forms.Form):
    """Trimming, the grade bands and the star thresholds typed on the page.

    A form that sends none of the bands nor the thresholds (the old trimming-only
    form) changes only trimming.
    """

    trim_extremes = _Text()
    band_excellent = _Text(cut=20)
    band_good = _Text(cut=20)
    band_pass = _Text(cut=20)
    star_thresholds = _Text(cut=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        values: dict[str, Any] = {"trim_extremes": data.get("trim_extremes") == "on"}
        if not any(key in self.data for key in (*SETTINGS_BANDS, "star_thresholds")):
            self.values = values
            return data
        for key in SETTINGS_BANDS:
            raw = data.get(key, "").strip()
            try:
                number = Decimal(raw)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite() or not 0 <= number <= 100:
                self.add_error(key, gettext("Enter a percentage from 0 to 100."))
            elif number != number.quantize(Decimal("0.01")):
                self.add_error(key, gettext("Use at most two decimal places."))
            else:
                values[key] = number.quantize(Decimal("0.01"))
        stars = [p for p in re.split(r"[,，、\s]+", data.get("star_thresholds", "")) if p]
        if not 1 <= len(stars) <= 5 or not all(p.isascii() and p.isdigit() for p in stars):
            self.add_error(
                "star_thresholds",
                gettext("Star thresholds: one to five rising whole percentages from 0 to 100."),
            )
        else:
            values["star_thresholds"] = [int(p) for p in stars]
        self.values = values
        return data


class SurveyForm(forms.Form):
    """The quarter's three questions, 1 to 5 each (红黑榜 evidence); the service checks range."""

    cleanliness = _Text()
    security = _Text()
    responsiveness = _Text()

    def survey_values(self) -> dict[str, int]:
        return {key: to_int(self.cleaned_data[key]) for key in self.fields}


class ReferralCreateForm(forms.Form):
    compound = _Text(cut=50)
    year = _Text()

    def clean_compound(self) -> Compound:
        compound = Compound.objects.filter(slug=self.cleaned_data["compound"]).first()
        if compound is None:
            raise ValidationError(gettext("Choose a compound."))
        return compound

    def clean_year(self) -> int:
        try:
            return int(self.cleaned_data["year"])
        except (ValueError, OverflowError):
            raise ValidationError(gettext("Enter a year between 2000 and 2100.")) from None


class CriterionRemoveForm(forms.Form):
    """The criterion is looked up within the campaign by the view (a foreign pk is a 404)."""

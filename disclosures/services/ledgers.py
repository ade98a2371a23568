"""The money ledger of a disclosure: entered by hand or imported from a file.

seed: 物业管理委员会服务承诺 2 (公共收益 monthly, 维修资金 quarterly)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require

from ..ledger import (
    LedgerImportError,
    LedgerInput,
    ledger_check,
    ledger_parse_file,
    ledger_write,
)
from ..models import (
    Disclosure,
    Ledger,
)
from .common import DisclosureStateError, State, _event, _locked

# --- ledgers -----------------------------------------------------------------------


def disclosure_ledger_set(*, actor, disclosure: Disclosure, ledger: LedgerInput) -> Ledger:
    """Attach a checked ledger to a draft (seed: 公示承诺制度 第二条; 物管会服务承诺 2).

    Raises :class:`LedgerImportError` listing every problem; nothing is saved then.
    """
    person = _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not change this disclosure."),
    )
    with transaction.atomic():
        locked = _locked(disclosure)
        if locked.state != State.DRAFT:
            raise DisclosureStateError(
                _(
                    "The ledger of a published disclosure cannot be changed; publish a "
                    "correction instead."
                ),
                code="published_is_immutable",
            )
        errors = ledger_check(
            ledger, period_start=locked.period_start, period_end=locked.period_end
        )
        if errors:
            raise LedgerImportError(errors)
        saved = ledger_write(locked, ledger)
        _event(locked, actor=person, verb="ledger_set", note=f"{saved.line_count}")
    return saved


def disclosure_ledger_import(
    *,
    actor,
    disclosure: Disclosure,
    uploaded_file,
    opening_balance,
    stated_income,
    stated_expense,
    stated_closing_balance,
) -> Ledger:
    """Import a ledger from ``.xlsx``/``.csv``: all rows or none, row numbers in every error."""
    from ..ledger import RowError, parse_money

    _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not change this disclosure."),
    )
    totals = {}
    total_errors = []
    for name, value in (
        ("opening_balance", opening_balance),
        ("stated_income", stated_income),
        ("stated_expense", stated_expense),
        ("stated_closing_balance", stated_closing_balance),
    ):
        try:
            totals[name] = parse_money(value, allow_negative=name.endswith("balance"))
        except ValueError as exc:
            total_errors.append(RowError(None, name, f"{name}: {exc}"))
    lines, errors = ledger_parse_file(uploaded_file)
    errors = total_errors + errors
    if errors:
        raise LedgerImportError(errors)
    return disclosure_ledger_set(
        actor=actor, disclosure=disclosure, ledger=LedgerInput(lines=lines, **totals)
    )

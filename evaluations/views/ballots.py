"""The phone ballot (seed: 评议监督考核制度 第三条 量化测评; issue 19 item 4)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from huashan.core.clientip import client_key
from huashan.core.services import cache_count, cache_count_hit

from .. import forms, services
from ..models import (
    Campaign,
    Target,
)
from ..results import campaign_criteria
from ..services import ballots as ballot_service
from .common import (
    _error_dict,
    _raw_scores,
    _score_rows,
)

State = Campaign.State


# Wrong ballot tokens tolerated per client address in the window before 429.
BALLOT_MISSES = 10


BALLOT_MISS_WINDOW_SECONDS = 600


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

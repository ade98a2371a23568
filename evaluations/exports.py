"""``.xlsx`` export of results: per target and criterion, never a ballot or a person."""

from __future__ import annotations

import io

from django.utils.translation import gettext
from openpyxl import Workbook

from .models import Campaign
from .results import campaign_results


def results_workbook(campaign: Campaign) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Results")[:31]
    sheet.append(
        [
            gettext("Target"),
            gettext("Ballots"),
            gettext("Counted"),
            gettext("Weighted total"),
            gettext("Satisfaction share (%)"),
            gettext("Grade"),
            gettext("Stars"),
        ]
    )
    results = campaign_results(campaign)
    for r in results:
        sheet.append(
            [
                str(r.target),
                r.ballots,
                r.counted,
                None if r.weighted_total is None else float(r.weighted_total),
                None if r.satisfaction_share is None else float(r.satisfaction_share),
                r.band_label,
                r.stars,
            ]
        )
    detail = workbook.create_sheet(gettext("Criteria")[:31])
    detail.append(
        [
            gettext("Target"),
            gettext("Group"),
            gettext("Criterion"),
            gettext("Maximum"),
            gettext("Weight"),
            gettext("Count"),
            gettext("Mean"),
            gettext("Satisfaction share (%)"),
            gettext("Distribution"),
        ]
    )
    for r in results:
        for c in r.criteria:
            detail.append(
                [
                    str(r.target),
                    c.criterion.group.name,
                    c.criterion.name,
                    c.criterion.max_score,
                    float(c.criterion.weight),
                    c.count,
                    None if c.mean is None else float(c.mean),
                    None if c.satisfaction_share is None else float(c.satisfaction_share),
                    "; ".join(f"{k}:{v}" for k, v in c.distribution.items()),
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""``.xlsx`` export of results: per target and criterion, never a ballot or a person.

Written with :mod:`huashan.core.xlsx` (issue 14 item 8): a target named
``=HYPERLINK(…)`` stays text, columns fit their Chinese labels. Served only to
whoever may see the results at all (``services.may_view_results``, issue 14 item 1);
a distribution backed by fewer than ``results.MIN_BALLOTS_FOR_DISTRIBUTION``
ballots is left out.
"""

from __future__ import annotations

from django.utils.translation import gettext

from huashan.core.xlsx import new_workbook, workbook_bytes, write_sheet

from .models import Campaign
from .results import campaign_results


def results_workbook(campaign: Campaign) -> bytes:
    book = new_workbook()
    results = campaign_results(campaign)
    write_sheet(
        book.create_sheet(gettext("Results")[:31]),
        [
            gettext("Target"),
            gettext("Ballots"),
            gettext("Counted"),
            gettext("Weighted total"),
            gettext("Satisfaction share (%)"),
            gettext("Grade"),
            gettext("Stars"),
        ],
        (
            [
                str(r.target),
                r.ballots,
                r.counted,
                r.weighted_total,
                r.satisfaction_share,
                r.band_label,
                r.stars,
            ]
            for r in results
        ),
        number_formats={3: "0.00", 4: "0.00"},
    )
    write_sheet(
        book.create_sheet(gettext("Criteria")[:31]),
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
        ],
        (
            [
                str(r.target),
                c.criterion.group.name,
                c.criterion.name,
                c.criterion.max_score,
                c.criterion.weight,
                c.count,
                c.mean,
                c.satisfaction_share,
                "; ".join(f"{k}:{v}" for k, v in c.distribution.items())
                if c.distribution is not None
                else "",
            ]
            for r in results
            for c in r.criteria
        ),
        number_formats={6: "0.00", 7: "0.00"},
    )
    return workbook_bytes(book)

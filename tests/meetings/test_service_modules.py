"""The meetings services are split by what they serve (issue 15 item 2); the old import paths
keep giving the very same functions.

``meetings.services.meetings`` and ``meetings.services.motions`` were single modules: the
views, the API, the seed command and the tests import from them by those names. Each name
they defined must still be there, and be the object of the module that now holds it (a copy
would drift from the real one).
"""

from __future__ import annotations

import importlib

import pytest

MOVED = {
    "meetings": {
        "scheduling": [
            "meeting_create",
            "meeting_update",
            "meeting_cancel",
            "meeting_mark_held",
            "meeting_schedule_scan",
            "_validate_schedule",
            "_validate_past_start",
            "_reminder_day",
        ],
        "chairing": ["_default_chair", "_chair_allowed", "_joint_chair", "CHAIR_MESSAGE"],
        "members": [
            "meeting_members_derive",
            "meeting_member_add",
            "meeting_member_remove",
            "attendance_record",
            "STREET_MEMBER_KINDS",
        ],
        "street_referrals": [
            "street_referral_propose",
            "street_referral_request",
            "street_joint_meeting_convene",
            "street_referral_conclude",
            "PROPOSAL_MAX",
            "STREET_TIERS",
        ],
        "_common": ["_meeting_permission"],
    },
    "motions": {
        "motion_drafting": [
            "motion_propose",
            "motion_link_report",
            "motion_pmc_deliberate",
            "motion_party_review",
            "motion_withdraw",
        ],
        "owner_register": [
            "owner_register",
            "compound_register_totals",
            "compound_owner_totals",
            "register_set_unit",
            "owned_units",
        ],
        "motion_voting": [
            "motion_open_vote",
            "motion_vote_cast",
            "motion_paper_enter",
            "motion_paper_confirm",
            "motion_extend_vote",
            "_new_receipt",
            "RECEIPT_ALPHABET",
        ],
        "motion_results": [
            "counted_votes",
            "motion_tally",
            "motion_close_vote",
            "motion_publish_result",
        ],
    },
}

CASES = [
    (old, new, name)
    for old, targets in MOVED.items()
    for new, names in targets.items()
    for name in names
]


@pytest.mark.parametrize(("old", "new", "name"), CASES, ids=lambda v: str(v))
def test_the_old_module_gives_the_moved_object(old, new, name):
    before = importlib.import_module(f"meetings.services.{old}")
    now = importlib.import_module(f"meetings.services.{new}")
    assert getattr(before, name) is getattr(now, name)


@pytest.mark.parametrize(
    "name",
    [
        "meeting_create",
        "meeting_mark_held",
        "meeting_schedule_scan",
        "attendance_record",
        "motion_propose",
        "motion_open_vote",
        "motion_close_vote",
        "motion_tally",
        "compound_owner_totals",
    ],
)
def test_the_package_still_exports_the_services(name):
    """``from meetings import services; services.X`` (views, tasks, the API) keeps working."""
    from meetings import services

    module = importlib.import_module(getattr(services, name).__module__)
    assert module.__name__.startswith("meetings.services.")
    assert getattr(module, name) is getattr(services, name)

"""Access control (issue 9 item 6): every role × every named URL, one table.

Each named URL of every app (``get_resolver()``; the admin by its index) is requested
by each role with kwargs naming real objects of compound A (the seeded demo). GET first;
a URL that answers GET with 405 is POSTed empty. The outcome is

* ``deny``    — 401/403/404, or a redirect to a login page;
* ``refused`` — a POST the view turned down without saying why it is the role
                (400/409/422, a re-rendered form, a redirect carrying an error message):
                an empty POST cannot tell "not yours" from "fill in the form";
* ``allow``   — anything else below 500.

``ALLOWED[name]`` lists the roles that may use the URL (derived from docs/roles.md,
docs/issues.md "Visibility" and each app's rules). A role in the set must not be denied;
a role outside it must be denied (GET) or at least not succeed (POST). A 5xx fails
every cell.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.access.urls import named_urls
from tests.access.world import REPORTER_NAME, REPORTER_PHONE, ROLES, kwargs_for

# Setup-heavy: the seeded world of tests/access/world.py, built per module; left out of
# the quick loop (-m "not slow"), run by make test.
pytestmark = pytest.mark.slow

ALL = frozenset(ROLES)
LOGGED_IN = ALL - {"anonymous"}
#: directory.view_staff_pages for compound A (docs/roles.md).
STAFF = frozenset({"property_staff", "pmc", "rc", "compound_party", "community_party", "street"})
#: directory.import_roster / verify_residency / accounts.reset_password.
ROSTER = frozenset({"pmc", "rc", "compound_party", "community_party"})
#: issues: supervisors see every issue of their compounds (docs/issues.md, Visibility).
SUPERVISORS = frozenset({"rc", "compound_party", "community_party", "street"})
#: issues.manage_issue: MANAGER_KINDS (no street office, no PMC, no company).
MANAGERS = frozenset({"rc", "compound_party", "community_party"})
#: The first published disclosure of A was published by the compound party organization.
PUBLISHER = frozenset({"compound_party"})
#: Dashboards: compound party org / joint-meeting office, the community bodies, the street.
DASHBOARD = frozenset({"rc", "compound_party", "community_party", "street"})
#: provisioning.setup_compound (provisioning/rules.py, docs/operations.md).
SETUP = frozenset({"compound_party", "community_party", "street"})
NOBODY: frozenset[str] = frozenset()
REPORTER = frozenset({"owner_a"})

ALLOWED: dict[str, frozenset[str]] = {
    # --- core, accounts, directory, notify ------------------------------------------
    "set_language": ALL,
    "core:language": ALL,  # a GET that sets the language cookie and redirects
    "api-docs": ALL,
    "api-schema": ALL,
    "core:home": ALL,
    "core:healthz": ALL,
    "core:text_size": ALL,  # the 大字 switch of every page (docs/accessibility.md)
    "media": STAFF,  # an agreed item's evidence file: as meetings:action_item
    "admin:index": NOBODY,  # superusers only
    "accounts:login": ALL,
    "accounts:code_login": ALL,  # sign in with an SMS code: the sign-in page itself
    # WeChat sign-in (docs/accounts.md, WeChat): enabled for these cells (SETTINGS below);
    # the start, the callback (a missing state is refused, 400) and the link page are the
    # sign-in flow, open to everyone.
    "accounts:wechat_start": ALL,
    "accounts:wechat_callback": ALL,
    "accounts:wechat_link": ALL,
    "accounts:logout": ALL,
    "accounts:register": ALL,
    "accounts:password_reset_confirm": ALL,  # the signed link is the credential
    "accounts:me": LOGGED_IN,
    "accounts:password_change": LOGGED_IN,
    "accounts:residency_queue": ROSTER,
    "accounts:residency_verify": ROSTER,
    "accounts:residency_reject": ROSTER,
    "accounts:staff_password_find": ROSTER,
    "accounts:staff_password_reset": ROSTER,
    "directory:roster_import": ROSTER,
    "directory:roster_template": STAFF,  # a blank template: no data in it
    "notify:inbox": LOGGED_IN,
    "notify:mark_all_read": LOGGED_IN,
    "notify:mark_read": REPORTER,  # the notification is owner A's
    "notify:open": REPORTER,
    "notify:sms_preference": LOGGED_IN,  # one's own SMS choices
    # --- privacy (docs/privacy.md): the notice is public, "me" is always one's own -------
    "privacy:notice": ALL,
    "privacy:me": LOGGED_IN,
    "privacy:export": LOGGED_IN,
    "privacy:correct": LOGGED_IN,
    "privacy:withdraw": LOGGED_IN,
    "privacy:delete": LOGGED_IN,
    # --- provisioning (provisioning/rules.py; docs/operations.md, "Work through the
    # checklist"): the community party org, the street office and the compound's own
    # party org open and fix a compound's setup ------------------------------------------
    "provisioning:checklist": SETUP,
    "provisioning:checklist_json": SETUP,
    "provisioning:provision": SETUP,
    "provisioning:organization": SETUP,
    "provisioning:member": SETUP,
    "provisioning:templates": STAFF,  # read-only list for any staff (the view's rule)
    # the evaluation standard: the street only (评议监督考核制度 第三条)
    "provisioning:template_change": frozenset({"street"}),
    # --- briefings (briefings/rules.py; 决策报告制度 第一条、第三条): the compound's staff
    # read and send; an addressed body answers for itself; residents read the public ones
    "briefings:list": STAFF,
    "briefings:detail": STAFF,
    "briefings:public": ALL,
    "briefings:acknowledge": frozenset({"rc"}),  # the world's briefing is addressed to the RC
    "briefings:respond": frozenset({"rc"}),
    # --- rulebook: public, like the other boards ------------------------------------------
    "rulebook:index": ALL,
    "rulebook:compound": ALL,
    # --- issues -----------------------------------------------------------------------
    "issues:board": ALL,
    "issues:feed": ALL,
    "issues:file": ALL,
    "issues:file_confirm": ALL,
    "issues:file_done": ALL,
    "issues:track": ALL,
    "issues:detail": ALL,  # reporter: full view; staff: redirect; others: masked public view
    "issues:me_too": ALL,  # anyone with the same problem (anonymous with a phone)
    "issues:mine": LOGGED_IN,
    "issues:queue": STAFF,
    "issues:rate": REPORTER,
    "issues:confirm": REPORTER,
    "issues:reopen": REPORTER,
    "issues:reply": REPORTER,
    # transferred to the property company: it works it; supervisors see it
    "issues:staff_detail": SUPERVISORS | {"property_staff"},
    "issues:staff_action": MANAGERS | {"property_staff"},  # "progress": work_issue
    "issues:referral_ack": frozenset({"property_staff"}),  # the referral to the company
    "issues:summons_action": NOBODY,  # the first summons is not addressed to these people
    "issues_api:category-list": ALL,
    "issues_api:rates-list": ALL,
    "issues_api:issue-list": LOGGED_IN,  # each sees only their own / their queue
    "issues_api:issue-detail": SUPERVISORS | {"property_staff", "owner_a"},
    "issues_api:issue-accept": MANAGERS,
    "issues_api:issue-progress": MANAGERS | {"property_staff", "owner_a"},
    "issues_api:issue-reject": MANAGERS,
    "issues_api:issue-resolve": MANAGERS | {"property_staff"},
    "issues_api:issue-transfer": MANAGERS,
    "issues_api:issue-tier": MANAGERS,
    "issues_api:issue-hazard": MANAGERS,
    "issues_api:issue-whistle": frozenset({"compound_party", "community_party"}),
    "issues_api:issue-supervise": MANAGERS,
    "issues_api:issue-acknowledge": frozenset({"property_staff"}),
    "open311:discovery": ALL,
    "open311:services": ALL,
    "open311:service": ALL,
    "open311:requests": ALL,
    "open311:request": ALL,
    "open311:token": NOBODY,  # unknown token
    "open311:unknown": NOBODY,
    # --- meetings -----------------------------------------------------------------------
    "meetings:list": ALL,
    "meetings:calendar": ALL,
    "meetings:ical": ALL,
    "meetings:create": STAFF,
    "meetings:detail": STAFF | {"owner_a"},  # residents: redirected to the public page
    "meetings:public": STAFF | {"owner_a"},  # residents of the compound (issue 17)
    "meetings:edit": STAFF,
    "meetings:cancel": STAFF,
    "meetings:held": frozenset({"compound_party", "community_party"}),
    "meetings:topic_propose": STAFF,
    "meetings:topic_order": STAFF,
    "meetings:topic_decide": STAFF,
    "meetings:topic_move": frozenset({"compound_party"}),
    "meetings:notice": STAFF,
    "meetings:notice_send": frozenset({"compound_party", "community_party"}),
    "meetings:notice_sign": frozenset({"community_party"}),  # the receipt is theirs
    "meetings:attendance": STAFF,
    "meetings:minutes": STAFF,
    "meetings:minutes_autosave": STAFF,
    "meetings:minutes_revise": STAFF,
    "meetings:summary_draft": STAFF,
    "meetings:summary_return": STAFF,
    "meetings:summary_sign": frozenset({"community_party"}),  # the signature slot is theirs
    "meetings:summary_step": frozenset({"compound_party"}),
    "meetings:action_item_create": STAFF,
    "meetings:opinion_record": STAFF,
    "meetings:opinion_dispose": STAFF,
    "meetings:feedback_publish": STAFF,
    "meetings:documents": STAFF,
    "meetings:document_request": STAFF,
    "meetings:document_download": STAFF,
    "meetings:action_items": STAFF | {"owner_a"},  # residents: to the public list
    "meetings:action_items_public": STAFF | {"owner_a"},
    "meetings:action_item": STAFF,
    "meetings:action_item_step": STAFF,
    "meetings:decision_reports": STAFF,
    "meetings:decision_report": STAFF,
    "meetings:decision_report_answer": frozenset({"street"}),  # the recipient slot is theirs
    "meetings:intervention_respond": STAFF,
    "meetings:intervention_resolve": STAFF,
    "meetings:meetings_policy": frozenset({"community_party"}),  # set_policy
    "meetings:decision_report_step": frozenset({"pmc"}),  # can_file_decision_report
    "meetings:motions": STAFF | {"owner_a"},  # owners: the motions put to their vote
    "meetings:unit_register": STAFF,
    # verified owners of the compound, once the vote is open (docs/meetings.md; issue 17)
    "meetings:motion": STAFF | {"owner_a"},
    "meetings:motion_step": STAFF,
    "meetings:delegations": STAFF,
    "meetings:delegation_revoke": frozenset({"community_party"}),  # 第三条: its head only
    "meetings:visits": STAFF,
    "meetings:visit_opinion": STAFF,
    "meetings:visit_opinion_dispose": STAFF,
    "meetings:street_referrals": STAFF,
    "meetings:legacy": STAFF,
    "meetings:legacy_report": STAFF,
    "meetings:legacy_explain": STAFF,
    "meetings:legacy_step": frozenset({"property_staff"}),  # the company's confirmation slot
    "meetings:street_referral_step": frozenset({"community_party"}),  # 协同联动 第四条 提请
    "meetings_api:meeting-list": LOGGED_IN,  # filtered to what each may see
    "meetings_api:meeting-detail": STAFF,
    "meetings_api:meeting-cancel": STAFF,
    "meetings_api:meeting-held": frozenset({"compound_party", "community_party"}),
    "meetings_api:meeting-send-notice": frozenset({"compound_party", "community_party"}),
    "meetings_api:topic-list": LOGGED_IN,
    "meetings_api:topic-detail": STAFF,
    "meetings_api:topic-decide": STAFF,
    "meetings_api:action-item-list": LOGGED_IN,
    "meetings_api:action-item-detail": STAFF,
    "meetings_api:action-item-accept": frozenset({"compound_party"}),
    "meetings_api:action-item-done": STAFF,
    "meetings_api:action-item-progress": STAFF,
    "meetings_api:action-item-reject": STAFF,
    "meetings_api:decision-report-list": LOGGED_IN,
    "meetings_api:decision-report-detail": STAFF,
    "meetings_api:decision-report-acknowledge": STAFF,
    "meetings_api:decision-report-file-report": frozenset({"pmc"}),
    "meetings_api:decision-report-invite": frozenset({"compound_party"}),
    "meetings_api:decision-report-proceed": frozenset({"pmc"}),
    "meetings_api:motion-list": LOGGED_IN,
    "meetings_api:motion-detail": STAFF,
    "meetings_api:motion-tally": STAFF,
    "meetings_api:motion-vote": STAFF,
    # --- disclosures --------------------------------------------------------------------
    "disclosures:board": ALL,
    # 决议执行情况 (物业管理会服务承诺 1): public; its forms post for the PMC's officers.
    "disclosures:resolutions": ALL,
    "disclosures:resolutions_period": ALL,
    "disclosures:feed": ALL,
    "disclosures:detail": ALL,
    "disclosures:disclosure_qr_png": ALL,
    "disclosures:disclosure_qr_svg": ALL,
    "disclosures:sunshine": ALL,
    "disclosures:sunshine_png": ALL,
    "disclosures:sunshine_svg": ALL,
    "disclosures:sunshine_poster": STAFF,
    "disclosures:object": frozenset({"owner_a"}),  # owners of the compound
    "disclosures:staff": STAFF,
    "disclosures:create": STAFF,
    "disclosures:compliance": STAFF,
    "disclosures:reports": STAFF,
    "disclosures:report_status": STAFF,
    "disclosures:report_download": STAFF,
    "disclosures:edit": PUBLISHER,
    "disclosures:correct": PUBLISHER,
    "disclosures:delete": PUBLISHER,
    "disclosures:ledger_import": PUBLISHER,
    "disclosures:publish": PUBLISHER,
    "disclosures:archive": PUBLISHER,
    "disclosures:attachment": ALL,  # an attachment of a published disclosure
    "disclosures:attachment_add": PUBLISHER,
    "disclosures:attachment_remove": PUBLISHER,
    "disclosures:answer": frozenset({"pmc"}),  # the objection is to a PMC disclosure
    "disclosures_api:category-list": ALL,
    "disclosures_api:disclosure-list": ALL,
    "disclosures_api:disclosure-detail": ALL,
    "disclosures_api:compliance-list": STAFF,
    "disclosures_api:resolution-list": ALL,
    "disclosures_api:disclosure-attachments": PUBLISHER,
    "disclosures_api:disclosure-correct": PUBLISHER,
    "disclosures_api:disclosure-ledger": PUBLISHER,
    "disclosures_api:disclosure-publish": PUBLISHER,
    "disclosures_api:disclosure-objections": frozenset({"owner_a"}),
    "disclosures_api:objection-answer": frozenset({"pmc"}),
    # --- pledges ------------------------------------------------------------------------
    "pledges:board": ALL,
    "pledges:letter": ALL,
    "pledges:letter_pdf": ALL,
    "pledges:evidence": ALL,
    "pledges:activity": ALL,
    "pledges:inspection": ALL,
    "pledges:candidates": ALL,
    "pledges:staff": STAFF,
    "pledges:letter_new": frozenset({"property_staff", "pmc", "compound_party"}),
    "pledges:letter_manage": STAFF,
    "pledges:letter_publish": frozenset({"compound_party"}),
    "pledges:item_edit": frozenset({"compound_party"}),
    "pledges:item_attest": frozenset({"rc", "compound_party", "community_party"}),
    "pledges:activity_list": STAFF,
    "pledges:activity_new": STAFF,
    "pledges:inspection_list": STAFF,
    "pledges:inspection_new": STAFF,
    "pledges:inspection_manage": STAFF,
    # 联动物业的便民服务: recorded by the compound party organization or the company.
    "pledges:care_service_new": frozenset({"property_staff", "compound_party"}),
    "pledges:election_list": STAFF,
    "pledges:election": STAFF,
    "pledges:case_list": STAFF,
    "pledges:case": STAFF,
    "pledges_api:letter-list": ALL,
    "pledges_api:letter-detail": ALL,
    "pledges_api:item-list": ALL,
    "pledges_api:item-detail": ALL,
    "pledges_api:result-list": ALL,
    "pledges_api:result-detail": ALL,
    "pledges_api:activity-list": ALL,
    "pledges_api:activity-detail": ALL,
    "pledges_api:inspection-list": ALL,
    "pledges_api:inspection-detail": ALL,
    "pledges_api:finding-list": ALL,
    "pledges_api:finding-detail": ALL,
    "pledges_api:finding-fix": STAFF,
    "pledges_api:case-list": LOGGED_IN,  # filtered
    "pledges_api:case-detail": STAFF,
    "pledges_api:case-timeline": STAFF,
    "pledges_api:case-decide": STAFF,
    # --- dashboard (dashboard/rules.py) ---------------------------------------
    "dashboard:compound": DASHBOARD,
    "dashboard:compound_export": DASHBOARD,
    "dashboard:community": frozenset({"rc", "community_party", "street"}),
    "dashboard:community_export": frozenset({"rc", "community_party", "street"}),
    "dashboard:street": frozenset({"street"}),
    "dashboard:street_export": frozenset({"street"}),
    "dashboard:summaries": DASHBOARD,
    "dashboard:summaries_export": DASHBOARD,
    "dashboard:summary": DASHBOARD,
    "dashboard:summary_status": DASHBOARD,
    "dashboard:summary_export": DASHBOARD,
    "dashboard:summary_pdf": DASHBOARD,
    "dashboard:summary_step": frozenset({"compound_party"}),  # the joint-meeting office
    # --- evaluations ----------------------------------------------------------------------
    "evaluations:list": ALL,
    "evaluations:redblack": ALL,
    "evaluations:ballot": ALL,  # the token is the credential
    "evaluations:results": ALL,  # the first campaign (2025) is closed: results are public
    "evaluations:results_pdf": ALL,
    "evaluations:results_xlsx": ALL,
    "evaluations:evidence": ALL,
    "evaluations:evidence_pdf": ALL,
    "evaluations:create": frozenset({"community_party"}),  # can_organize_evaluation
    "evaluations:manage": STAFF,
    "evaluations:action": frozenset({"community_party"}),
    "evaluations:slips": frozenset({"community_party"}),
    "evaluations:paper": frozenset({"compound_party", "community_party"}),
    "evaluations:paper_check": frozenset({"compound_party", "community_party"}),
    "evaluations:report": frozenset({"rc", "community_party"}),
    # 小区党组织服务承诺 第10条: the year-end report is prepared and submitted by the
    # compound party organization; an empty POST to create is refused for everyone else.
    "evaluations:referral": STAFF,
    "evaluations:referral_pdf": STAFF,
    "evaluations:referral_create": frozenset({"compound_party"}),
    "evaluations:referral_action": frozenset({"compound_party"}),
    "evaluations_api:campaign-list": ALL,
    "evaluations_api:campaign-detail": ALL,
    "evaluations_api:campaign-results": ALL,
    "evaluations_api:redblack-list": ALL,
    "evaluations_api:redblack-detail": ALL,
}

#: Query strings for endpoints that need parameters to reach their permission check.
QUERY = {
    "issues_api:rates-list": "?compound=jiangnan-huashan&month=2026-01",
    "disclosures_api:compliance-list": "?compound=jiangnan-huashan&period=2026",
    "disclosures_api:resolution-list": "?compound=jiangnan-huashan",
}

#: Settings a URL needs to exist at all: WeChat sign-in answers 404 everywhere while it is
#: not configured (docs/accounts.md, WeChat). No request reaches WeChat: the start page
#: only builds the authorisation URL and the callback refuses a missing state first.
_WECHAT = {"WECHAT_APP_ID": "wx-access-matrix", "WECHAT_APP_SECRET": "access-matrix-secret"}
SETTINGS = {
    name: _WECHAT
    for name in ("accounts:wechat_start", "accounts:wechat_callback", "accounts:wechat_link")
}

#: Cells where the application's behaviour looks wrong: (url name, role) -> reason.
#: Strict xfail: when the app is fixed the marker must go.
KNOWN_WRONG: dict[tuple[str, str], str] = {}

URLS = named_urls()


def test_every_named_url_has_an_expectation():
    names = {name for name, _ in URLS}
    assert names - set(ALLOWED) == set(), "add these URLs to ALLOWED"
    assert set(ALLOWED) - names == set(), "these URLs no longer exist"


def outcome(response, method: str) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    location = response.get("Location", "")
    if status in (401, 403, 404) or (status in (301, 302, 303) and "/login/" in location):
        return "deny"
    if status in (400, 409, 422) or (method == "POST" and status == 200):
        return "refused"
    if status in (301, 302, 303) and any(
        m.level >= constants.ERROR for m in get_messages(response.wsgi_request)
    ):
        return "refused"
    return "allow"


def request(world, role: str, name: str, keys: list[str]):
    client = Client()
    if role != "anonymous":
        client.force_login(world.people[role])
    url = reverse(name, kwargs=kwargs_for(world, name, keys)) + QUERY.get(name, "")
    with override_settings(**SETTINGS.get(name, {})):
        response = client.get(url)
        if response.status_code == 405:
            return client.post(url, {}), "POST"
    return response, "GET"


def mismatch(world, name: str, keys: list[str], role: str) -> str | None:
    """Why the cell (name, role) disagrees with ALLOWED, or None. Rolled back after."""
    with transaction.atomic():
        response, method = request(world, role, name, keys)
        transaction.set_rollback(True)
    got = outcome(response, method)
    if got.startswith("error"):
        return f"{method} {name} as {role}: {got}"
    if role in ALLOWED.get(name, NOBODY):
        if got == "deny":
            return f"{role} is denied {method} {name} ({response.status_code})"
    elif method == "GET":
        if got != "deny":
            return f"{role} may GET {name} ({response.status_code}) but should not"
    elif got == "allow":
        return f"{role} succeeded with POST {name} ({response.status_code}) but should not"
    return None


def _cells():
    """One item per URL (all roles), plus one strict-xfail item per known-wrong cell.

    Grouping the roles of a URL in one item keeps 2,000 requests under a minute; each
    request still runs in its own savepoint.
    """
    for name, keys in URLS:
        roles = tuple(role for role in ROLES if (name, role) not in KNOWN_WRONG)
        yield pytest.param(name, keys, roles, id=name)
        for role in ROLES:
            if (name, role) in KNOWN_WRONG:
                yield pytest.param(
                    name,
                    keys,
                    (role,),
                    id=f"{name}-{role}",
                    marks=pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[(name, role)]),
                )


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "keys", "roles"), list(_cells()))
def test_access(world, name, keys, roles):
    problems = [m for role in roles if (m := mismatch(world, name, keys, role))]

    assert problems == []


# --- what a role can fetch ---------------------------------------------------------------


def response_text(response) -> str:
    """The text of a response: HTML/JSON/XML/CSV as is, .xlsx by its cells; else ''."""
    body = b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return " ".join(
                book.read(member).decode("utf-8", "replace")
                for member in book.namelist()
                if member.endswith(".xml")
            )
    if kind.startswith(("text/", "application/json", "application/xml", "application/atom")):
        return body.decode("utf-8", "replace")
    return ""


def everything_fetchable(world, role: str, extra: list[str]) -> list[tuple[str, str]]:
    """[(url, text)] of every GET the role is not denied: each named URL, then ``extra``."""
    client = Client()
    client.force_login(world.people[role])
    urls = [
        reverse(name, kwargs=kwargs_for(world, name, keys)) + QUERY.get(name, "")
        for name, keys in URLS
        if name not in {"accounts:logout", "set_language"}
    ]
    fetched = []
    for url in [*urls, *extra]:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200:
            fetched.append((url, response_text(response)))
    return fetched


@pytest.mark.django_db
def test_resident_of_a_never_sees_compound_b_private_data(world):
    secret, name, phone = "门锁密码 8642", "隔壁小区业主", "13700008888"
    b_number = world.issue_b.tracking_number
    b_only = [
        reverse("issues:detail", args=[b_number]),
        reverse("issues:staff_detail", args=[b_number]),
        reverse("issues_api:issue-detail", args=[b_number]),
        reverse("dashboard:compound", args=[world.b.slug]),
        reverse("directory:roster_import", args=[world.b.slug]),
    ]
    client = Client()
    client.force_login(world.people["owner_a"])
    own = client.get(reverse("issues_api:issue-list"))

    fetched = everything_fetchable(
        world,
        "owner_a",
        [
            "/api/issues/issues/?page_size=200",
            f"/api/issues/issues/?compound={world.b.slug}",
            f"/issues/board/?compound={world.b.slug}",
            f"/disclosures/c/{world.b.slug}/",
        ],
    )

    assert world.issue_a.tracking_number in own.content.decode()  # the scan can see data
    assert [client.get(url).status_code for url in b_only] == [404, 403, 404, 403, 403]
    leaks = [url for url, text in fetched if secret in text or name in text or phone in text]
    assert leaks == []
    assert not any(b_number in text for _, text in fetched)


@pytest.mark.django_db
def test_the_property_company_never_sees_who_complained(world):
    """docs/issues.md, Visibility: the party complained about must not learn who complained."""
    number = world.issue_a.tracking_number
    fetched = everything_fetchable(
        world,
        "property_staff",
        [
            reverse("issues:staff_detail", args=[number]),
            reverse("issues_api:issue-detail", args=[number]),
            "/api/issues/issues/?page_size=200",
            "/issues/queue/?all=1",
            "/open311/v2/requests.json",
            f"/open311/v2/requests/{number}.json",
            "/open311/v2/requests.xml",
        ],
    )
    pages = dict(fetched)

    assert "3栋电梯经常停运" in pages[reverse("issues:staff_detail", args=[number])]
    leaks = [url for url, text in fetched if REPORTER_NAME in text or REPORTER_PHONE in text]
    assert leaks == []

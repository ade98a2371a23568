"""Open311 GeoReport v2 for residents' complaints (http://wiki.open311.org/GeoReport_v2).

seed: 公示承诺制度 第一条 — the progress of residents' issues is public; Open311
lets other apps (a WeChat mini-program, the city's platform) read that public
trail and file complaints on a resident's behalf.

Mapping
-------
* service = an active :class:`~issues.models.Category`; ``service_code`` is its code.
* service request = a *public* :class:`~issues.models.Issue`;
  ``service_request_id`` is the tracking number (``HS-2026-000123``).
* status: the open states map to ``open``; resolved / closed / rejected / merged
  map to ``closed``.
* The reporter (name, phone, account) is never exposed; lat/long are not kept.
* ``jurisdiction_id`` (optional) is a compound slug.
* POST needs the ``api_key`` of an active :class:`~issues.models.Open311Client`;
  the issue belongs to that client's compound. Our ids exist as soon as the
  request is stored, so POST returns the ``service_request_id`` directly and a
  "token" is simply the tracking number: ``tokens/<tracking number>.json``
  answers with the same id.
* ``GET requests.json`` answers at most :data:`PAGE_SIZE` (200) requests, newest
  first — the spec lets the jurisdiction limit the number returned; ``page=2``,
  ``page=3``… (1–:data:`MAX_PAGE`) walk further and a ``Link: <…>; rel="next"``
  header says when there is more. Answers carry an ``ETag`` and ``Last-Modified``
  and a matching ``If-None-Match`` / ``If-Modified-Since`` gets ``304``.
* Errors use the spec's shape ``[{"code": 400, "description": "…"}]``
  (``<errors><error>…`` in XML) with the same HTTP status.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from huashan.core import pagecache
from huashan.core.clientip import client_key
from huashan.directory.models import Building, Compound
from issues.models import Category, Issue, IssueEvent, Open311Client
from issues.selectors import issue_public, issue_public_version
from issues.services import RateLimited, issue_submit

app_name = "open311"

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Bump when the shape of these endpoints changes (the spec's discovery "changeset").
CHANGESET = "2026-01-01T00:00:00+08:00"
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
DEFAULT_WINDOW = datetime.timedelta(days=90)
# The jurisdiction's cap on one GET requests.json answer (GeoReport v2 lets the
# jurisdiction limit the number of requests returned); ``page`` walks further.
PAGE_SIZE = 200
MAX_PAGE = 1000
# The parameters that shape a requests.json answer: its cache key (anything else,
# such as a cache-busting "_", is ignored and shares the entry).
LIST_PARAMETERS = (
    "service_request_id",
    "jurisdiction_id",
    "service_code",
    "status",
    "start_date",
    "end_date",
    "page",
)
# The cached list answer also depends on the clock (the default 90-day window ends
# now): a minute bounds that; changes to complaints are keyed by version.
LIST_CACHE_SECONDS = 60
MAX_IDS = 200
API_KEY_MAX_LENGTH = 64
CLOSED_STATES = frozenset(
    {
        Issue.Status.RESOLVED,
        Issue.Status.CLOSED,
        Issue.Status.REJECTED,
        Issue.Status.MERGED,
    }
)
# Element names for the items of each list when rendered as XML.
XML_ITEM_TAGS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Characters XML 1.0 cannot carry at all, not even escaped: drop them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PHONE_PREFIX = re.compile(r"^(?:\+?86|0086)")


class Open311Error(Exception):
    """An error answered in the spec's format with the same HTTP status."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# --- rendering ----------------------------------------------------------------


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_INVALID.sub("", str(value))


def _xml_fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child_value in value.items():
            if isinstance(child_value, list):
                container = ET.SubElement(element, key)
                item_tag = XML_ITEM_TAGS.get(key, "item")
                for item in child_value:
                    _xml_fill(ET.SubElement(container, item_tag), item)
            else:
                _xml_fill(ET.SubElement(element, key), child_value)
    else:
        # ElementTree escapes &, < and > (so "]]>" and "<script>" arrive as text).
        element.text = _xml_text(value)


def xml_document(root: str, item: str | None, data: Any) -> bytes:
    """Build the XML document: a list becomes ``<root><item>…</item>…</root>``."""
    element = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _xml_fill(ET.SubElement(element, item or "item"), entry)
    else:
        _xml_fill(element, data)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def serialize(data: Any, fmt: str, *, root: str, item: str | None = None) -> bytes:
    if fmt == "xml":
        return xml_document(root, item, data)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def render(
    data: Any, fmt: str, *, root: str, item: str | None = None, status: int = 200
) -> HttpResponse:
    return _response(serialize(data, fmt, root=root, item=item), fmt, status=status)


def _response(body: bytes, fmt: str, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def render_error(error: Open311Error, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        fmt = "json"
    payload = [{"code": error.status, "description": error.description}]
    return render(payload, fmt, root="errors", item="error", status=error.status)


def _has_nul(params) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in params.lists()
    )


def open311_view(*, methods: Iterable[str] = ("GET",)):
    """Wrap a view taking ``fmt``: check format and method, answer errors in the spec's shape."""
    allowed = frozenset(methods) | {"HEAD"} if "GET" in methods else frozenset(methods)

    def decorator(func):
        @functools.wraps(func)
        def view(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            fmt = fmt.lower()
            try:
                if fmt not in CONTENT_TYPES:
                    raise Open311Error(404, _("Unknown format: use .json or .xml."))
                if request.method not in allowed:
                    raise Open311Error(405, _("Method not allowed."))
                if any("\x00" in value for value in kwargs.values()):
                    raise Open311Error(404, _("Unknown Open311 endpoint."))
                if _has_nul(request.GET) or _has_nul(request.POST):
                    raise Open311Error(400, _("Parameters must not contain NUL characters."))
                return func(request, *args, fmt=fmt, **kwargs)
            except RequestDataTooBig:
                return render_error(Open311Error(413, _("The request is too large.")), fmt)
            except TooManyFieldsSent:
                return render_error(Open311Error(400, _("The request has too many fields.")), fmt)
            except Open311Error as error:
                return render_error(error, fmt)

        return view

    return decorator


# --- mapping --------------------------------------------------------------------


def _w3c(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": True,  # the optional "building" attribute
        "type": "realtime",
        "keywords": category.name,
        "group": "safety" if category.safety_related else "general",
    }


def _address(issue: Issue) -> str:
    parts = [issue.compound.name]
    if issue.building_id:
        parts.append(issue.building.number)
    if issue.unit:
        parts.append(issue.unit)
    if issue.location_text:
        parts.append(issue.location_text)
    return " ".join(parts)


def _request(issue: Issue) -> dict:
    """One public issue as a GeoReport service request (never the reporter)."""
    closed = issue.status in CLOSED_STATES
    return {
        "service_request_id": issue.tracking_number,
        "status": "closed" if closed else "open",
        "status_notes": issue.last_public_note or None,
        "service_name": issue.category.name,
        "service_code": issue.category.code,
        "description": issue.description,
        "agency_responsible": issue.assigned_org.name if issue.assigned_org_id else None,
        "service_notice": None,
        "requested_datetime": _w3c(issue.created_at),
        "updated_datetime": _w3c(issue.last_public_update_at or issue.created_at),
        "expected_datetime": None if closed else _w3c(issue.next_deadline),
        "address": _address(issue),
        "address_id": None,
        "zipcode": None,
        "media_url": None,
    }


def public_requests() -> QuerySet[Issue]:
    """Public issues (:func:`issues.selectors.issue_public`, the masked public view: never
    the reporter) with everything one service request needs, in a constant number of
    queries."""
    last_note = (
        IssueEvent.objects.filter(issue=OuterRef("pk"), public=True)
        .exclude(note="")
        .order_by("-at", "-pk")
        .values("note")[:1]
    )
    return (
        issue_public()
        .select_related("category", "compound", "building", "assigned_org")
        .annotate(last_public_note=Subquery(last_note))
        .order_by("-created_at", "-pk")
    )


def _jurisdiction(request: HttpRequest) -> Compound | None:
    slug = request.GET.get("jurisdiction_id", "").strip()
    if not slug:
        return None
    compound = Compound.objects.filter(slug=slug[:50]).first()
    if compound is None:
        raise Open311Error(404, _("Unknown jurisdiction_id."))
    return compound


def _parse_when(name: str, raw: str, *, end: bool = False) -> datetime.datetime:
    """A w3c datetime (``2026-03-01T08:00:00+08:00``, ``…Z``) or a date (whole local day)."""
    raw = raw.strip().replace(" ", "+") if "T" in raw else raw.strip()
    try:
        # A bare date first: fromisoformat() would read it as midnight.
        day = parse_date(raw) if len(raw) <= 10 else None
        if day is not None:
            if end:
                day += datetime.timedelta(days=1)
            value = datetime.datetime.combine(day, datetime.time.min)
        else:
            value = parse_datetime(raw)
            if value is None:
                raise ValueError(raw)
    except (ValueError, OverflowError):
        raise Open311Error(
            400,
            _("%(name)s is not a valid W3C date-time, e.g. 2026-03-01T08:00:00+08:00.")
            % {"name": name},
        ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


# --- views ----------------------------------------------------------------------


@open311_view()
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """Where the endpoint is and which formats it speaks."""
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    base = base.rsplit("/", 1)[0] + "/"
    data = {
        "changeset": CHANGESET,
        "contact": _("The joint-meeting office of the compound (联席会议办公室)."),
        "key_service": _("Ask the joint-meeting office for an API key to file requests."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, fmt, root="discovery")


@open311_view()
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """The active complaint categories as services."""
    _jurisdiction(request)
    data = [_service(category) for category in Category.objects.filter(active=True)]
    return render(data, fmt, root="services", item="service")


@open311_view()
def service_definition(request: HttpRequest, *, code: str, fmt: str) -> HttpResponse:
    """The one optional attribute we take: the building, from the compound's list."""
    category = Category.objects.filter(code=code[:40], active=True).first()
    if category is None:
        raise Open311Error(404, _("Unknown service_code."))
    compound = _jurisdiction(request) or _default_compound()
    buildings = Building.objects.filter(compound=compound) if compound else Building.objects.none()
    data = {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "building",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("The building number, e.g. 3栋."),
                "order": 1,
                "description": _("Building"),
                "values": [{"key": b.number, "name": b.number} for b in buildings],
            }
        ],
    }
    return render(data, fmt, root="service_definition")


def _default_compound() -> Compound | None:
    return Compound.objects.filter(slug=settings.HUASHAN_DEFAULT_COMPOUND).first()


def _requests_filtered(request: HttpRequest) -> QuerySet[Issue]:
    issues = public_requests()
    ids = _split(request.GET.get("service_request_id", ""))
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(
                400, _("Ask for at most %(count)d service_request_id values.") % {"count": MAX_IDS}
            )
        # The spec: with ids given, the other filters are ignored.
        return issues.filter(tracking_number__in=[i[:20] for i in ids])

    compound = _jurisdiction(request)
    if compound is not None:
        issues = issues.filter(compound=compound)
    codes = _split(request.GET.get("service_code", ""))
    if codes:
        issues = issues.filter(category__code__in=[c[:40] for c in codes])
    statuses = set(_split(request.GET.get("status", "").lower()))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed or both."))
    if statuses == {"open"}:
        issues = issues.filter(status__in=Issue.OPEN_STATES)
    elif statuses == {"closed"}:
        issues = issues.filter(status__in=CLOSED_STATES)

    raw_start = request.GET.get("start_date", "")
    raw_end = request.GET.get("end_date", "")
    end = _parse_when("end_date", raw_end, end=True) if raw_end.strip() else None
    start = _parse_when("start_date", raw_start) if raw_start.strip() else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        try:
            start = end - DEFAULT_WINDOW
        except OverflowError:
            raise Open311Error(400, _("end_date is out of range.")) from None
    if end is not None and start > end:
        raise Open311Error(400, _("start_date must be before end_date."))
    issues = issues.filter(created_at__gte=start)
    if end is not None:
        issues = issues.filter(created_at__lt=end)
    return issues


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "").strip()
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= MAX_PAGE):
        raise Open311Error(
            400, _("page must be a whole number from 1 to %(max)d.") % {"max": MAX_PAGE}
        )
    return int(raw)


def _list_entry(request: HttpRequest, *, fmt: str, page: int) -> dict:
    """One page of the list, serialized, with its ETag and whether a next page exists."""
    start = (page - 1) * PAGE_SIZE
    issues = list(_requests_filtered(request)[start : start + PAGE_SIZE + 1])
    body = serialize(
        [_request(issue) for issue in issues[:PAGE_SIZE]],
        fmt,
        root="service_requests",
        item="request",
    )
    return {
        "body": body,
        "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        # When this answer was built: a client's If-Modified-Since never gets a 304
        # for a list that changed (an issue leaving the 90-day window changes no
        # update time).
        "built": int(time.time()),
        "more": len(issues) > PAGE_SIZE,
    }


def _request_list_get(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET requests.json: at most PAGE_SIZE requests per answer (``page`` for more, a
    ``Link: rel="next"`` header says there are), the serialized answer cached per
    normalized query and version (a hit is one small query) and conditional GET:
    ``If-None-Match`` / ``If-Modified-Since`` → 304."""
    page = _page(request)
    query = [(name, request.GET[name]) for name in LIST_PARAMETERS if request.GET.get(name)]
    entry = pagecache.cached(
        "open311-requests",
        [fmt, urlencode(query), issue_public_version()],
        lambda: _list_entry(request, fmt=fmt, page=page),
        timeout=LIST_CACHE_SECONDS,
    )
    response = _response(entry["body"], fmt)
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["built"])
    response["Cache-Control"] = "no-cache"  # may be stored, but ask (cheaply) each time
    if entry["more"]:
        following = [(k, v) for k, v in query if k != "page"] + [("page", str(page + 1))]
        next_url = f"{request.build_absolute_uri(request.path)}?{urlencode(following)}"
        response["Link"] = f'<{next_url}>; rel="next"'
    return get_conditional_response(
        request, etag=entry["etag"], last_modified=entry["built"], response=response
    )


@csrf_exempt
@open311_view(methods=("GET", "POST"))
def request_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET: public service requests (filters per the spec), a page at a time.
    POST: file one with an api_key."""
    if request.method == "POST":
        return _request_create(request, fmt=fmt)
    return _request_list_get(request, fmt=fmt)


@open311_view()
def request_detail(request: HttpRequest, *, request_id: str, fmt: str) -> HttpResponse:
    """One public service request (a private one is answered like an unknown one)."""
    issue = public_requests().filter(tracking_number=request_id[:20]).first()
    if issue is None:
        raise Open311Error(404, _("Unknown service_request_id."))
    return render([_request(issue)], fmt, root="service_requests", item="request")


@open311_view()
def token_detail(request: HttpRequest, *, token: str, fmt: str) -> HttpResponse:
    """Our ids are immediate: the token a client holds is the tracking number itself."""
    if not issue_public().filter(tracking_number=token[:20]).exists():
        raise Open311Error(404, _("Unknown token."))
    data = [{"service_request_id": token, "token": token}]
    return render(data, fmt, root="service_requests", item="request")


# --- POST -----------------------------------------------------------------------


class Open311RequestForm(forms.Form):
    """The spec's form-encoded POST fields we use (lat/long/media_url are ignored)."""

    service_code = forms.CharField(max_length=40)
    description = forms.CharField(max_length=Issue._meta.get_field("description").max_length)
    first_name = forms.CharField(max_length=25, required=False)
    last_name = forms.CharField(max_length=25, required=False)
    phone = forms.CharField(max_length=20, required=False)
    email = forms.EmailField(required=False)
    address_string = forms.CharField(
        max_length=Issue._meta.get_field("location_text").max_length, required=False
    )
    building = forms.CharField(max_length=20, required=False)

    def clean_phone(self) -> str:
        phone = re.sub(r"[\s\-()]", "", self.cleaned_data["phone"])
        return _PHONE_PREFIX.sub("", phone) if len(phone) > 11 else phone


def _client(request: HttpRequest) -> Open311Client:
    key = request.POST.get("api_key", "")
    if not key or len(key) > API_KEY_MAX_LENGTH or not key.isprintable():
        raise Open311Error(403, _("A valid api_key is required."))
    client = (
        Open311Client.objects.filter(api_key=key, active=True).select_related("compound").first()
    )
    if client is None:
        raise Open311Error(403, _("A valid api_key is required."))
    return client


# Service and form field names → the Open311 parameter the client sent.
FIELD_LABELS = {
    "building": "attribute[building]",
    "reporter_phone": "phone",
    "reporter_name": "last_name",
    "location_text": "address_string",
    "category": "service_code",
}


def _describe(errors: dict[str, list[str]]) -> str:
    parts = []
    for field, messages in errors.items():
        label = FIELD_LABELS.get(field, field)
        prefix = "" if field in ("__all__", "non_field_errors") else f"{label}: "
        parts.append(prefix + " ".join(str(m) for m in messages))
    return "; ".join(parts)


def _client_ip(request: HttpRequest) -> str:
    return client_key(request)


def _request_create(request: HttpRequest, *, fmt: str) -> HttpResponse:
    client = _client(request)
    data = request.POST.copy()
    data["building"] = request.POST.get("attribute[building]", "")
    form = Open311RequestForm(data)
    if not form.is_valid():
        raise Open311Error(400, _describe(form.errors))
    fields = form.cleaned_data

    category = Category.objects.filter(code=fields["service_code"], active=True).first()
    if category is None:
        raise Open311Error(404, _("Unknown service_code."))
    building = None
    if fields["building"]:
        building = Building.objects.filter(
            compound=client.compound, number=fields["building"]
        ).first()
        if building is None:
            raise Open311Error(400, _("attribute[building]: no such building in this compound."))

    try:
        result = issue_submit(
            actor=None,
            compound=client.compound,
            category=category,
            description=fields["description"],
            building=building,
            location_text=fields["address_string"],
            is_public=True,
            reporter_name=(fields["last_name"] + fields["first_name"]).strip(),
            reporter_phone=fields["phone"],
            client_key=f"open311:{client.pk}:{_client_ip(request)}",
        )
    except RateLimited as error:
        raise Open311Error(429, " ".join(error.messages)) from None
    except PermissionDenied:
        raise Open311Error(403, _("This api_key may not file requests.")) from None
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        raise Open311Error(400, _describe(errors)) from None

    issue = result.issue
    notice = _(
        "Registered as %(number)s. It appears on the public board without the reporter's "
        "name or phone number."
    ) % {"number": issue.tracking_number}
    if result.tracking_code:
        notice += " " + _(
            "Tracking code: %(code)s — shown only once; the resident needs it to follow, "
            "confirm or reopen the request."
        ) % {"code": result.tracking_code}
    data = [
        {
            "service_request_id": issue.tracking_number,
            "service_notice": notice,
            "account_id": None,
        }
    ]
    return render(data, fmt, root="service_requests", item="request", status=201)


def unknown_endpoint(request: HttpRequest, path: str = "") -> HttpResponse:
    return render_error(Open311Error(404, _("Unknown Open311 endpoint.")), "json")


FMT = r"\.(?P<fmt>[A-Za-z0-9]{1,10})"

urlpatterns = [
    re_path(rf"^discovery{FMT}$", discovery, name="discovery"),
    re_path(rf"^services{FMT}$", service_list, name="services"),
    re_path(rf"^services/(?P<code>[^/]{{1,80}}?){FMT}$", service_definition, name="service"),
    re_path(rf"^requests{FMT}$", request_list, name="requests"),
    re_path(rf"^requests/(?P<request_id>[^/]{{1,40}}?){FMT}$", request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]{{1,40}}?){FMT}$", token_detail, name="token"),
    re_path(r"^(?P<path>.*)$", unknown_endpoint, name="unknown"),
]

"""The complaint-clock numbers on pages, rendered from their one source (``huashan.workdays``).

seed: 小区党组织服务承诺 第3条 "承诺48小时内响应业主诉求，7个工作日内反馈处理进展"; 第7条
"发现问题限期3日内整改". Templates never write these numbers themselves.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from huashan import workdays

register = template.Library()


def response_promise() -> str:
    """ "We respond within N hours and report progress within M working days."."""
    numbers = workdays.complaint_numbers()
    return gettext(
        "We respond within %(hours)d hours and report progress within %(days)d working days."
    ) % {"hours": numbers["response_hours"], "days": numbers["feedback_working_days"]}


@register.simple_tag
def complaint_response_promise() -> str:
    return response_promise()


@register.simple_tag
def complaint_number(name: str) -> int:
    """One number by its name in :func:`huashan.workdays.complaint_numbers`."""
    return workdays.complaint_numbers()[name]

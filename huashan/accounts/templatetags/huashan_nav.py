"""Template tags for the site header: which navigation a person sees."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def is_staff_person(context, user) -> bool:
    """``{% is_staff_person user as is_staff %}``: show the staff navigation?

    Staff-ness comes only from current memberships (DESIGN.md §1); the rule
    itself lives in ``huashan.directory.selectors.person_is_staff``. When the
    portal context processor already answered for this request's user, reuse it.
    """
    request = context.get("request")
    known = context.get("portal_is_staff")
    if known is not None and request is not None and getattr(request, "user", None) is user:
        return bool(known)
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from huashan.directory.selectors import person_is_staff

    return bool(person_is_staff(person=user))


@register.simple_tag
def can_see_dashboard(user) -> bool:
    """``{% can_see_dashboard user as can_dashboard %}``: link the dashboard only to
    people who may open one (property-company staff may not, so no link to a 403)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from huashan.core.context_processors import may_open_dashboard

    return may_open_dashboard(user)

"""Atom feed of the public board (seed: 公示承诺制度 第四条 — progress is published promptly)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from huashan.core.web import compound_from_request

from . import selectors
from .models import Issue

FEED_ITEMS = 50


class IssueBoardFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request):
        # ?compound=, else the portal's own; 404 for an unknown one (huashan.core.web).
        return compound_from_request(request)

    def title(self, obj) -> str:
        return gettext("Complaint progress · %(compound)s") % {"compound": obj.name}

    def subtitle(self, obj) -> str:
        return gettext("Issues residents allowed to be public. Names and phone numbers are hidden.")

    def link(self, obj) -> str:
        return f"{reverse('issues:board')}?compound={obj.slug}"

    def items(self, obj):
        return selectors.issue_public_board(compound=obj)[:FEED_ITEMS]

    def item_title(self, item: Issue) -> str:
        return f"{item.tracking_number} · {item.category.name} · {item.get_status_display()}"

    def item_description(self, item: Issue) -> str:
        # Feed generators escape this text; no HTML from residents reaches a reader unescaped.
        return item.description

    def item_link(self, item: Issue) -> str:
        return reverse("issues:detail", args=[item.tracking_number])

    def item_guid(self, item: Issue) -> str:
        return item.tracking_number

    item_guid_is_permalink = False

    def item_pubdate(self, item: Issue):
        return item.created_at

    def item_updateddate(self, item: Issue):
        return item.last_public_update_at or item.created_at

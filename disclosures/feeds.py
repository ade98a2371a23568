"""Atom feed of a compound's disclosure board.

seed: 公示承诺制度 第四条 (公示 through channels residents can reach; online ones
included); 第二条 (线上公示平台).
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.translation import gettext

from huashan.core.web import compound_from_request

from . import selectors
from .models import Disclosure

FEED_ITEMS = 50


class DisclosureBoardFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request):
        # ?compound=, else the portal's own; 404 for an unknown one (huashan.core.web).
        return compound_from_request(request)

    def title(self, obj) -> str:
        return gettext("Disclosures · %(compound)s") % {"compound": obj.name}

    def subtitle(self, obj) -> str:
        return gettext("What the compound's organizations have posted publicly.")

    def link(self, obj) -> str:
        return reverse("disclosures:board", kwargs={"compound_slug": obj.slug})

    def items(self, obj):
        return selectors.board_disclosures(compound=obj).order_by("-published_at", "-pk")[
            :FEED_ITEMS
        ]

    def item_title(self, item: Disclosure) -> str:
        version = f" (v{item.version})" if item.version > 1 else ""
        return f"{item.category.name} · {item.title}{version}"

    def item_description(self, item: Disclosure) -> str:
        # Plain text: the feed generator escapes it; no markup reaches a reader.
        return strip_tags(item.body_html)[:1000]

    def item_link(self, item: Disclosure) -> str:
        return reverse("disclosures:detail", args=[item.pk])

    def item_author_name(self, item: Disclosure) -> str:
        return item.organization.name

    def item_pubdate(self, item: Disclosure):
        return item.published_at

    def item_updateddate(self, item: Disclosure):
        return item.published_at

    def item_categories(self, item: Disclosure):
        return [item.category.name]

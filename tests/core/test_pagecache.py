"""The public-page fragment cache: versioned keys, outage tolerance."""

from unittest import mock

from django.core.cache import cache
from django.utils import translation

from huashan.core import pagecache


def test_hit_does_not_rebuild_and_new_version_does():
    calls = []

    def build():
        calls.append(1)
        return f"built {len(calls)}"

    assert pagecache.cached("t", ["c1", 5], build) == "built 1"
    assert pagecache.cached("t", ["c1", 5], build) == "built 1"
    assert pagecache.cached("t", ["c1", 6], build) == "built 2"
    assert len(calls) == 2


def test_language_is_part_of_the_key():
    with translation.override("zh-hans"):
        zh = pagecache.fragment_key("t", ["x"])
    with translation.override("en"):
        en = pagecache.fragment_key("t", ["x"])
    assert zh != en


def test_hostile_parts_make_a_short_plain_key():
    key = pagecache.fragment_key("t", ["\n\x00" + "长" * 5000, "<script>"])
    assert len(key) < 64
    assert key.isascii()
    assert key.isprintable()


def test_cache_outage_serves_the_fragment_uncached():
    with mock.patch.object(cache, "get", side_effect=ConnectionError("down")):
        assert pagecache.cached("t", ["o"], lambda: "fresh") == "fresh"
    with mock.patch.object(cache, "set", side_effect=ConnectionError("down")):
        assert pagecache.cached("t", ["o2"], lambda: "fresh") == "fresh"

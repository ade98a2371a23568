"""Templates are compiled once per process (issue 20 item 2): settings leave ``loaders``
unset, so Django 5.2 wraps the filesystem and app loaders in its cached loader."""

from django.conf import settings
from django.template import engines


def test_settings_leave_the_loaders_to_django():
    options = settings.TEMPLATES[0]["OPTIONS"]
    assert "loaders" not in options
    assert not settings.DEBUG


def test_the_template_engine_uses_the_cached_loader():
    engine = engines["django"].engine
    loaders = engine.template_loaders
    assert [type(loader).__module__ for loader in loaders] == ["django.template.loaders.cached"]
    inner = {type(loader).__module__ for loader in loaders[0].loaders}
    assert inner == {
        "django.template.loaders.filesystem",
        "django.template.loaders.app_directories",
    }
    first = engine.get_template("issues/queue.html")
    assert engine.get_template("issues/queue.html") is first

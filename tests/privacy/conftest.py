import pytest


@pytest.fixture(autouse=True)
def _whitenoise_without_collectstatic(settings):
    settings.WHITENOISE_AUTOREFRESH = True

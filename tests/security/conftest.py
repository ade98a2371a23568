"""The seeded world of tests/access (compound A = the demo, compound B = a neighbour)."""

from tests.access.conftest import world  # noqa: F401  (re-exported fixture)

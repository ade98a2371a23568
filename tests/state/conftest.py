"""Property-based state machines (issue 13, "Tests that must exist", second bullet)."""

"""Models of the rulebook app."""

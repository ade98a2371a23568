"""Read queries for notifications (stub, to be written)."""


def unread_count(*, user) -> int:
    return 0

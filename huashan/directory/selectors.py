"""Read queries for the directory (stub, to be written)."""


def person_is_staff(*, person) -> bool:
    return False

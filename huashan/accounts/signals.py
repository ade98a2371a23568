"""Signals of the accounts app: how apps above the foundation hear of an account's events
without the foundation importing them (dependencies point down, issue 15 item 7)."""

from django.dispatch import Signal

#: Sent inside the registration's transaction, with ``person``: the registration page
#: links the privacy notice, and registering accepts it (the privacy app records that).
person_registered = Signal()

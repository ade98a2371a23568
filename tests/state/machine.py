"""A state machine whose every run (one hypothesis example) is rolled back.

pytest-django's ``db`` gives the test one transaction; each run of the machine opens a
savepoint in ``__init__`` and rolls it back in ``teardown``, so runs never see each
other's rows and nothing is committed. Notifications queued with ``on_commit`` never
fire (nothing commits), as in every other non-transactional test.
"""

from __future__ import annotations

from django.db import transaction
from hypothesis.stateful import RuleBasedStateMachine


class SavepointMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

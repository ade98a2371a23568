"""Sessions kept in PostgreSQL and read from Redis for at most a minute (issue 20).

Every signed-in page read its session row from PostgreSQL: one statement of the three or
four a cached staff page costs. Django's ``cached_db`` engine reads the session from the
cache instead and writes every change to both, so nothing is lost when Redis is emptied
or down (the row stays the truth; a miss reads it again).

Django keeps the cached copy as long as the session lives (two weeks). Behind the cache
circuit breaker (:mod:`huashan.core.cachebreaker`) a write or a delete that cannot reach
Redis is dropped, so a logout while Redis is unreachable from one process would leave
the old copy readable until it expired. Here the copy lives at most
:data:`SESSION_CACHE_SECONDS`: a session ended in the database is gone from every page
within that minute at worst, and at once in the normal case (the delete reaches Redis).
Deactivating a person or changing their password still takes effect on the next
request, because the person's row (and the session's auth hash) is read from the
database each time.
"""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db

#: The longest a session's cached copy is read without looking at the database.
SESSION_CACHE_SECONDS = 60


class SessionStore(cached_db.SessionStore):
    """``cached_db`` with the cached copy bounded to :data:`SESSION_CACHE_SECONDS`."""

    cache_key_prefix = "huashan.sessions"

    def _cache_seconds(self, age: int) -> int:
        return max(0, min(int(age), SESSION_CACHE_SECONDS))

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # an unusable key (Django #17810): read the database
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        self._cache.set(
            self.cache_key, data, self._cache_seconds(self.get_expiry_age(expiry=row.expire_date))
        )
        return data

    def save(self, must_create=False):
        # The database first (the truth), then the copy, as Django's engine does.
        super(cached_db.SessionStore, self).save(must_create)
        try:
            self._cache.set(
                self.cache_key, self._session, self._cache_seconds(self.get_expiry_age())
            )
        except Exception:  # the copy is optional: the next read takes the row
            cached_db.logger.exception("Error saving to cache (%s)", self._cache)

    # The portal serves WSGI; should an async view use a session, it gets the same bound.
    async def aload(self):
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.load)()

    async def asave(self, must_create=False):
        from asgiref.sync import sync_to_async

        await sync_to_async(self.save)(must_create)

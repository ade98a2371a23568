"""The Redis cache with the complaint-submission rate limit read as zero (bench only).

All load comes from 127.0.0.1, so ``issues.services.rate_limit_check`` would
refuse every submission after the fifth. The Redis round trip still happens.
The production cache class (with its circuit breaker and its options) underneath.
"""

from huashan.core.cachebreaker import BreakerRedisCache

RATE_LIMIT_PREFIX = "issues:submit:"


class SubmitRateLimitBypassCache(BreakerRedisCache):
    def get(self, key, default=None, version=None):
        value = super().get(key, default, version)
        if str(key).startswith(RATE_LIMIT_PREFIX):
            return 0
        return value

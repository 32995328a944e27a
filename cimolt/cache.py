"""Django's Redis cache, made to survive Redis being away.

The cache holds nothing that must not be lost: the login rate-limit counters. Without this, a
Redis outage would turn every login (and any page that asks the cache) into an error page.
With it, a read finds nothing and a write is dropped, with a warning in the log, until Redis
is back."""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What each operation answers while Redis is away: a read finds nothing; a write is dropped
# but reported as done, so a caller that takes a lock with add() (allauth's rate limits) goes on.
FALLBACKS = {
    "add": True,
    "get": None,
    "set": None,
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "set_many": [],
    "delete_many": None,
    "clear": False,
}


# After a failure, Redis is left alone for this many seconds: a Redis that hangs instead of
# refusing costs one timeout, not one per cache call of every page.
PAUSE_SECONDS = 30


def _resilient(name, fallback):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if time.monotonic() >= self.down_until:
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                self.down_until = time.monotonic() + PAUSE_SECONDS
                logger.warning("Cache unavailable (%s failed): %s", name, error)
        if name == "get":
            return kwargs.get("default", args[1] if len(args) > 1 else None)
        return fallback

    return wrapper


class ResilientRedisCache(RedisCache):
    down_until = 0.0

    def __init__(self, server, params):
        # Give up on a Redis that does not answer within a second (redis-py waits for ever).
        options = {"socket_connect_timeout": 1, "socket_timeout": 1, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})

    def incr(self, key, delta=1, version=None):
        if time.monotonic() < self.down_until:
            return delta
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self.down_until = time.monotonic() + PAUSE_SECONDS
            logger.warning("Cache unavailable (incr failed): %s", error)
            return delta


for _name, _fallback in FALLBACKS.items():
    setattr(ResilientRedisCache, _name, _resilient(_name, _fallback))

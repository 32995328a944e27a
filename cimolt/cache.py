"""Django's Redis cache, made to survive Redis being away.

The cache holds nothing that must not be lost: the login rate-limit counters. Without this, a
Redis outage would turn every login (and any page that asks the cache) into an error page.
With it, a read finds nothing and a write is dropped, with a warning in the log, until Redis
is back."""

import functools
import logging

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


def _resilient(name, fallback):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            logger.warning("Cache unavailable (%s failed): %s", name, error)
            if name == "get":
                return kwargs.get("default", args[1] if len(args) > 1 else None)
            return fallback

    return wrapper


class ResilientRedisCache(RedisCache):
    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            logger.warning("Cache unavailable (incr failed): %s", error)
            return delta


for _name, _fallback in FALLBACKS.items():
    setattr(ResilientRedisCache, _name, _resilient(_name, _fallback))

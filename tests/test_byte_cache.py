"""The caches a site process keeps (posting lists, the API's answers) stay within their size."""

from search.lru import ENTRY_BYTES, ByteCache


def test_empty_values_count_and_leave_in_turn():
    """A stream of new words no release has (empty posting lists) cannot grow a worker without
    bound: each entry counts, and the oldest go first."""
    cache = ByteCache(100 * ENTRY_BYTES)
    for k in range(10_000):
        cache.put(("t", "body_en", f"word{k}"), (), 0)
    assert len(cache._items) == 100 and cache.used == 100 * ENTRY_BYTES
    assert cache.get(("t", "body_en", "word9999")) == () and cache.get(("t", "body_en", "word0")) is None


def test_the_least_recently_used_go_first_when_the_bytes_pass_the_limit():
    cache = ByteCache(3 * (1000 + ENTRY_BYTES))
    for key in "abc":
        cache.put(key, key * 1000, 1000)
    assert cache.get("a") == "a" * 1000  # "a" is now the most recently used
    cache.put("d", "d" * 1000, 1000)
    assert cache.get("b") is None and all(cache.get(k) for k in "acd")
    cache.put("huge", "x", 4 * (1000 + ENTRY_BYTES))  # over the limit alone: not kept
    assert cache.get("huge") is None and cache.used <= cache.limit

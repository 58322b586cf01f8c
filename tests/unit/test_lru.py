"""The cache's LRU (tracker.cache.lru): what it keeps, what it drops first."""

from tracker.cache.lru import LRU


def test_a_value_put_is_found_and_an_unknown_key_is_a_miss():
    cache = LRU()
    cache.put(("register", (), "supervisor", 7, None), "<table>…</table>")
    assert cache.get(("register", (), "supervisor", 7, None)) == (True, "<table>…</table>")
    # Another data version is another key: what was cached before a write is never found.
    assert cache.get(("register", (), "supervisor", 8, None)) == (False, None)
    assert (cache.hits, cache.misses) == (1, 1)


def test_past_its_entries_the_least_recently_used_goes_first():
    cache = LRU(max_entries=2)
    cache.put("a", "1")
    cache.put("b", "2")
    cache.get("a")  # a is now the most recent
    cache.put("c", "3")
    assert cache.get("b") == (False, None)
    assert cache.get("a") == (True, "1") and cache.get("c") == (True, "3")


def test_past_its_size_it_drops_old_pages_until_the_text_fits():
    cache = LRU(max_bytes=10)
    cache.put("old", "x" * 6)
    cache.put("new", "y" * 6)
    assert cache.get("old") == (False, None) and cache.get("new") == (True, "y" * 6)
    assert cache.bytes == 6


def test_putting_a_key_again_replaces_its_value_and_its_size():
    cache = LRU(max_bytes=10)
    cache.put("k", "x" * 8)
    cache.put("k", "y" * 2)
    assert cache.get("k") == (True, "yy") and cache.bytes == 2
    cache.clear()
    assert cache.get("k") == (False, None) and cache.bytes == 0


def test_a_value_that_is_not_text_counts_as_a_kilobyte():
    cache = LRU(max_bytes=2048)
    for n in range(3):
        cache.put(n, {"figures": n})
    assert cache.get(0) == (False, None) and cache.get(2) == (True, {"figures": 2})


def test_a_cached_page_counts_its_bytes_not_a_kilobyte():
    """A whole page is kept as (body bytes, headers): its size is its body's."""
    cache = LRU(max_bytes=10_000)
    cache.put("page", (b"x" * 6000, (("Vary", "Cookie"),)))
    assert cache.bytes == 6000 + len("Vary") + len("Cookie")
    cache.put("other", (b"y" * 6000, ()))
    assert cache.get("page") == (False, None)  # 12,000 bytes do not fit in 10,000

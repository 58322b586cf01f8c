"""Pure: a small thread-safe least-recently-used map, bounded by entries and by size."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

MAX_ENTRIES = 512
MAX_BYTES = 64 * 1024 * 1024  # of text kept per process; other values count as 1 KB
OTHER_SIZE = 1024


class LRU:
    """``get`` answers (found, value) and makes the key the most recent; ``put`` drops the least
    recent entries while there are more than ``max_entries`` or their text is over ``max_bytes``
    characters (a tuple counts its items; a value that is not text counts as ``OTHER_SIZE``)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self.bytes = 0
        self.hits = self.misses = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bool, Any]:
        with self.lock:
            found = self.items.get(key)
            if found is None:
                self.misses += 1
                return False, None
            self.items.move_to_end(key)
            self.hits += 1
            return True, found[0]

    def put(self, key: Hashable, value: Any) -> None:
        size = _size(value)
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self.items[key] = (value, size)
            self.bytes += size
            while self.items and (len(self.items) > self.max_entries or self.bytes > self.max_bytes):
                _, (_, dropped) = self.items.popitem(last=False)
                self.bytes -= dropped

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.bytes = 0


def _size(value: Any) -> int:
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, tuple):
        return sum(_size(item) for item in value) or OTHER_SIZE
    return OTHER_SIZE

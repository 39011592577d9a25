"""A least-recently-used cache bounded by the size of what it holds, shared by threads."""

import threading
from collections import OrderedDict

# What an entry costs beside its value (its key, the ordered dict's node, the pair held): an
# empty value (a word no release has) still takes this much, and a stream of new words would
# otherwise fill the cache with entries it counts as nothing.
ENTRY_BYTES = 200


class ByteCache:
    """Values with their size in bytes; the least recently used go first when the total passes
    ``limit_bytes``.  Each entry counts ENTRY_BYTES more than its value's size."""

    def __init__(self, limit_bytes: int):
        self.limit, self.used = limit_bytes, 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                return item[0]
            return None

    def put(self, key, value, size: int) -> None:
        size += ENTRY_BYTES
        if size > self.limit:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, size)
            self.used += size
            while self.used > self.limit:
                _, (_, dropped) = self._items.popitem(last=False)
                self.used -= dropped

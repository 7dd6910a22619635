"""A small, bounded, thread-safe least-recently-used map kept in one process: copies of what the
shared cache holds that do not change under their key (the key names their version), so that a
process reads and unpickles each once."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class LocalLRU:
    _every: weakref.WeakSet[LocalLRU] = weakref.WeakSet()

    def __init__(self, size: Callable[[], int] | int):
        self._size = size if callable(size) else (lambda: size)
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        LocalLRU._every.add(self)

    @classmethod
    def clear_every(cls) -> None:
        """Empty every LocalLRU of the process (between tests, whose rolled-back rows may come
        back under the same keys)."""
        for lru in list(cls._every):
            lru.clear()

    def get(self, key) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size():
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

"""A bounded memo: the most recently added values, the oldest dropped first."""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(OrderedDict[K, V]):
    """A dict of at most `size` items; adding one more drops the oldest. An OrderedDict: a
    plain dict's first key is slow to find after many deletions (their slots stay until the
    table is resized)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        if len(self) > self.size:
            self.popitem(last=False)

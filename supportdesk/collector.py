"""Python's cyclic garbage collector in a long-running process (a web worker, the mail
listener, the background worker), set once the process has loaded its code.

A request or a message allocates tens of thousands of short-lived objects, which
reference counting frees. CPython's cyclic collector still walks the youngest of them
every 700 allocations, and every so often every object the process holds: Django, the
apps, the URL table, the parsed policies, some 125,000 objects once started, none of
which ever becomes garbage. :func:`settle` moves what start-up made out of the
collector's sight (``gc.freeze``: it lives as long as the process anyway) and lets
:data:`YOUNG_THRESHOLD` allocations pass between collections of the youngest
generation, so most of a request's objects are freed before a collection looks at
them. Cycles are still collected, a little later. Measured: docs/performance.md, "The
tenth session".
"""

from __future__ import annotations

import gc

#: Allocations (less deallocations) of tracked objects between two collections of the
#: youngest generation; CPython's default is 700.
YOUNG_THRESHOLD = 10_000


def settle() -> None:
    """Freeze what the process holds now and space the young collections out; call it
    once start-up is done (a forked child inherits both)."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)

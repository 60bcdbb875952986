"""How every labkit process sets up the Python runtime, once, when it starts.

A web worker, a harvest and a harvest worker all call :func:`tune_garbage_collection` (the web
app when it starts, the ``labkit`` command before it runs).
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_EVERY = 10_000
"""New container objects between two collections of the youngest generation (Python: 700)."""
_tuned = False


def tune_garbage_collection() -> None:
    """Make Python's cyclic garbage collector cheap for labkit's work (the first call only).

    What start-up made (modules, plugins, templates, catalogues) is collected once and then frozen
    out of the collector's view (:func:`gc.freeze`), and the youngest generation is collected
    every :data:`YOUNG_COLLECTION_EVERY` new containers. A national harvest makes millions of
    short-lived dicts, lists and tuples: with Python's defaults it ran 2,400 collections, 20 of
    them walking every live object, a fifth of its CPU (``bench/bench_federation.py``: 6.4 s of
    CPU for 5,570 labs, 5.3 s after). Memory held by cycles waiting for a collection stays small
    (at most that many objects between two young collections).
    """
    global _tuned
    if _tuned:
        return
    _tuned = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, 10, 10)

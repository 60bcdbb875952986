"""Faster model classes: Tortoise looks for ``#:`` comments above each field of every model class
it creates (they become the fields' descriptions) by reading the class's source with
``inspect.getsource``, which in Python 3.11 parses the whole module again for each class. A
module without ``#:`` anywhere has no such comment, so the search is skipped for its classes:
the same descriptions, about a quarter of a second less for every process that loads the
built-in plugins (``labkit new``, ``labkit serve``, each test run). Imported by ``labkit``.
"""

from __future__ import annotations

import inspect
import linecache

from tortoise import models

_search = getattr(models, "_get_comments", None)


def _comments(cls: type[models.Model]) -> dict[str, str]:
    """Tortoise's ``_get_comments``, skipped for a class whose module holds no ``#:``."""
    try:
        path = inspect.getsourcefile(cls)
    except TypeError:  # a class without a source file: let Tortoise decide
        path = None
    if path and not any("#:" in line for line in linecache.getlines(path)):
        return {}
    assert _search is not None
    return _search(cls)


if _search is not None:  # a Tortoise without this private helper: nothing to speed up, nothing patched
    models._get_comments = _comments

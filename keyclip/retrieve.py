"""Open an index and retrieve evidence for a question (hybrid keyword + dense).

Example:
    >>> hits = retrieve_evidence(result.index_path, "what is a collision?", Settings())  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from keyclip.index.query import Hit, search_store
from keyclip.index.store import IndexStore
from keyclip.settings import Settings


def retrieve_evidence(index_path: Path, question: str, settings: Settings, k: int = 5, embedder=None) -> list[Hit]:
    """The ``k`` best records of one index; loads the text embedder unless one is given."""
    from keyclip.backends.registry import make_embedder

    store = IndexStore.open(index_path, readonly=True)
    try:
        if embedder is None and store.has_embeddings():
            embedder = make_embedder(settings)
        return search_store(store, question, embedder, k=k)
    finally:
        store.close()

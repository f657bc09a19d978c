"""keyclip: ask questions of long videos and get answers with timestamps and evidence.

The pipeline (see README "Architecture"):

    media/     probe, one streamed decode, 16 kHz audio
    tools/     scenes, speech, screen text, objects, text embeddings
    index/     per-video SQLite index (FTS5), staged build, hybrid query
    backends/  model roles -> backends; packaged offline weights

Example:
    >>> from keyclip.settings import Settings
    >>> from keyclip.index.build import build_index
    >>> result = build_index("lecture.mp4", Settings())      # doctest: +SKIP
    >>> from keyclip.index.query import search
    >>> hits = search(result.index_path, "entropy", Settings())  # doctest: +SKIP
"""

__version__ = "0.1.0"

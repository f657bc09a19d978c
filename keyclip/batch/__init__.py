"""Batch annotation of video archives: per-video outputs (transcript, chapters, slides, summary),
a resumable SQLite catalog, a local process engine and a Ray engine, and archive search/ask."""

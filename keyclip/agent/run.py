"""Ask questions of one indexed video: models loaded once, one graph run per question, and
multi-turn sessions kept in a LangGraph SQLite checkpointer (``<cache>/sessions.sqlite``).

Example:
    >>> with Asker(index_path, video, Settings()) as asker:                         # doctest: +SKIP
    ...     first = asker.ask("when is separate chaining explained?", session="s1")
    ...     again = asker.ask("and what does he say right after that?", session="s1")
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from keyclip.agent.claims import claims_notice
from keyclip.agent.evidence import Evidence
from keyclip.agent.graph import Tools, build_graph
from keyclip.agent.result import Answer
from keyclip.errors import CacheError
from keyclip.index.partial import STAGE_WORDS, partial_notice, pending_stages, speech_until
from keyclip.index.store import IndexStore
from keyclip.settings import Settings


class Asker:
    def __init__(self, index_path: Path, video: Path, settings: Settings, embedder=None, llm=None, vlm=None,
                 load_models: bool = True):
        from keyclip.backends.registry import make_llm, make_vlm

        self.settings = settings
        self._load_models = load_models
        self.store = IndexStore.open(index_path, readonly=True)
        self.store.refresh()  # what the index holds as its records are read
        embedder = self._embedder(embedder)
        self._owned = []
        """Models this asker made (and closes); ones passed in belong to the caller."""
        if llm is None and load_models:
            llm = make_llm(settings)
            self._owned.append(llm)
        if vlm is None and load_models:
            vlm = make_vlm(settings)
            self._owned.append(vlm)
        self._saver = None
        self._db: sqlite3.Connection | None = None
        self._read_index(Path(video), Path(index_path), embedder, llm, vlm)

    def _embedder(self, given):
        """``given`` (or, when models may be loaded and the index has embeddings, the configured
        embedder), remembering each text's vector; None without either."""
        from keyclip.tools.embed import MemoEmbedder

        if given is None and self._load_models and self.store.has_embeddings():
            from keyclip.backends.registry import make_embedder

            given = make_embedder(self.settings)
        return None if given is None else MemoEmbedder(given)

    def _read_index(self, video: Path, index_path: Path, embedder, llm, vlm) -> None:
        """Read the index's records (and build the graphs over them) as they are now."""
        self.tools = Tools(self.settings, video, index_path, self.store, Evidence(self.store, embedder), llm, vlm)
        self._plain = build_graph(self.tools)
        self._with_sessions = None

    def _follow_the_index(self) -> None:
        """An index being built gains stages while this asker is open (the chat keeps askers
        warm): its records are read again once the index holds more than when they were read,
        so no answer rests on a partial index after the rest has landed."""
        if self.store.refresh():
            t = self.tools  # an embedder is made here if the embeddings landed since
            self._read_index(t.video, t.index_path, t.evidence.embedder or self._embedder(None), t.llm, t.vlm)

    def _session_graph(self):
        if self._with_sessions is None:
            from langgraph.checkpoint.sqlite import SqliteSaver

            if self._saver is None:
                path = self.settings.cache_dir / "sessions.sqlite"
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    self._db = sqlite3.connect(path, check_same_thread=False)
                except (OSError, sqlite3.Error) as exc:
                    raise CacheError(f"cannot open the session store {path}: {exc}") from exc
                self._saver = SqliteSaver(self._db)
            self._with_sessions = build_graph(self.tools, checkpointer=self._saver)
        return self._with_sessions

    def ask(self, question: str, options: list[str] | None = None, session: str | None = None) -> Answer:
        start = time.perf_counter()
        self._follow_the_index()
        seen = len(self._model_failures())
        state = {"question": question, "options": list(options or [])}
        # numpy's OpenBLAS threads spin after each small matrix product and steal the cores
        # torch's MiniLM needs next: one BLAS thread halves query embedding time on 2 cores.
        with threadpool_limits(limits=1, user_api="blas"):
            if session:
                thread = f"{self.store.meta('content_hash')}:{session}"
                out = self._session_graph().invoke(state, {"configurable": {"thread_id": thread}})
            else:
                out = self._plain.invoke(state)
        answer = Answer.model_validate(out["result"])
        answer.seconds = round(time.perf_counter() - start, 3)
        answer.notices = [f"{line}; the answer is from the evidence alone" for line in self._new_failures(seen)]
        left_out = claims_notice(self.tools.evidence.claims)
        if left_out:
            answer.notices.append(left_out)
        pending, until = pending_stages(self.store), speech_until(self.store)
        answer.pending = [name for name in pending if name in STAGE_WORDS]
        still_to_come = partial_notice(pending, until)
        if still_to_come:  # the index is being built: the answer rests on the stages committed so far
            answer.notices.append(still_to_come)
        return answer

    def _model_failures(self) -> list[str]:
        return [f for model in (self.tools.llm, self.tools.vlm) for f in getattr(model, "failures", [])]

    def _new_failures(self, seen: int) -> list[str]:
        return list(dict.fromkeys(self._model_failures()[seen:]))

    def evidence_for(self, question: str, k: int) -> list[dict]:
        """The ``k`` best records for ``question`` (hybrid retrieval), as JSON-ready dicts."""
        return [{"kind": h.record.kind, "start": h.record.t0, "end": h.record.t1, "text": h.record.text,
                 "score": h.score} for h in self.tools.evidence.search(question, k=k)]

    def close(self) -> None:
        for model in self._owned:
            if hasattr(model, "close"):
                model.close()
        self.store.close()
        if self._db is not None:
            self._db.close()

    def __enter__(self) -> Asker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

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
from keyclip.index.partial import partial_notice, pending_stages, speech_until
from keyclip.index.store import IndexStore
from keyclip.settings import Settings


class Asker:
    def __init__(self, index_path: Path, video: Path, settings: Settings, embedder=None, llm=None, vlm=None,
                 load_models: bool = True):
        from keyclip.backends.registry import make_embedder, make_llm, make_vlm

        self.settings = settings
        self.store = IndexStore.open(index_path, readonly=True)
        if embedder is None and load_models and self.store.has_embeddings():
            embedder = make_embedder(settings)
        if embedder is not None:
            from keyclip.tools.embed import MemoEmbedder

            embedder = MemoEmbedder(embedder)
        self._owned = []
        """Models this asker made (and closes); ones passed in belong to the caller."""
        if llm is None and load_models:
            llm = make_llm(settings)
            self._owned.append(llm)
        if vlm is None and load_models:
            vlm = make_vlm(settings)
            self._owned.append(vlm)
        self.tools = Tools(settings, Path(video), Path(index_path), self.store, Evidence(self.store, embedder),
                           llm, vlm)
        self._saver = None
        self._db: sqlite3.Connection | None = None
        self._plain = build_graph(self.tools)
        self._with_sessions = None

    def _session_graph(self):
        if self._with_sessions is None:
            from langgraph.checkpoint.sqlite import SqliteSaver

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
        still_to_come = partial_notice(pending_stages(self.store), speech_until(self.store))
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

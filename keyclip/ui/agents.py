"""The chat app's agents: models loaded once and shared, one ``Asker`` per video and answer
settings (kept warm, least recently used closed first), questions answered one at a time.

One at a time because llama.cpp contexts are not thread-safe and the agent already uses both
cores; indexing runs beside it on its own thread.

Example:
    >>> agents = Agents(settings, embedder)                                        # doctest: +SKIP
    >>> agents.ask(index_path, video, "when is chaining explained?", AnswerChoice(8192, 3, "none"), "tab-1")
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from keyclip.agent.result import Answer
from keyclip.backends import packaged
from keyclip.settings import Settings, with_llm_model

if TYPE_CHECKING:  # the agent (LangGraph) is imported on first use: the page is served without it
    from keyclip.agent.run import Asker

NO_LLM = "none"


@dataclass(frozen=True)
class AnswerChoice:
    """What a person picks in the settings panel."""

    budget: int
    max_turns: int
    llm: str
    """A packaged/GGUF LLM spec, the configured server model, or ``none`` (evidence only)."""


def llm_choices(settings: Settings) -> list[tuple[str, str]]:
    """(label, value) for every LLM that can answer here, the configured choice first: the
    configured server or GGUF, the packaged ones that are installed (not SmolLM2 where its set-up
    check failed), and evidence only (the default)."""
    from keyclip.backends.llm_check import SPEC, recorded_failure

    configured: list[tuple[str, str]] = []
    if settings.llm.backend == "openai":
        configured.append((f"{settings.llm.model} (server)", settings.llm.model))
    elif settings.llm.backend == "llamacpp":
        configured.append((packaged.LLM_NAMES.get(settings.llm.model.removeprefix("packaged:"),
                                                  Path(settings.llm.model).name), settings.llm.model))
    others: list[tuple[str, str]] = []
    if packaged.installed("llama_cpp"):
        for spec in (f"packaged:{n}" for n in packaged.LLM_NAMES):
            if spec == settings.llm.model or (spec == SPEC and recorded_failure()):
                continue
            if packaged.llm_status(spec, settings.cache_dir)[0]:
                others.append((packaged.LLM_NAMES[spec.removeprefix("packaged:")], spec))
    evidence_only = [("none: answers from the evidence only", NO_LLM)]
    return configured + evidence_only + others


def settings_for(base: Settings, choice: AnswerChoice) -> Settings:
    return base.model_copy(update={
        "select": base.select.model_copy(update={"budget": choice.budget}),
        "agent": base.agent.model_copy(update={"max_turns": choice.max_turns}),
        "llm": with_llm_model(base.llm, choice.llm),
    })


class Agents:
    def __init__(self, settings: Settings, embedder=None, warm: int | None = None,
                 embedder_factory: Callable[[], object] | None = None):
        """``embedder`` shared with indexing, or ``embedder_factory`` to make it on first use (or
        in ``warm_up``), so the page is served before any model is loaded."""
        self.settings = settings
        self._embedder = embedder
        self._embedder_factory = embedder_factory
        self._vlm = None
        self._vlm_made = False
        self._llms: dict[str, object] = {}
        self._askers: OrderedDict[tuple, Asker] = OrderedDict()
        self._warm = warm or settings.ui.warm_agents
        self._lock = threading.Lock()

    def _llm(self, s: Settings):
        from keyclip.backends.registry import make_llm

        key = "none" if s.llm.backend == "none" else s.llm.model
        if key not in self._llms:
            self._llms[key] = make_llm(s)
        return self._llms[key]

    def _shared_models(self) -> None:
        import keyclip.agent.run  # noqa: F401 - half a second of LangGraph, off the page's path
        from keyclip.backends.registry import make_vlm

        if self._embedder is None and self._embedder_factory is not None:
            self._embedder = self._embedder_factory()
        if not self._vlm_made:
            self._vlm, self._vlm_made = make_vlm(self.settings), True

    def warm_up(self) -> None:
        """Load the models every answer needs (the app calls it in the background at start)."""
        with self._lock:
            self._shared_models()

    def _asker(self, index_path: Path, video: Path, choice: AnswerChoice) -> Asker:
        from keyclip.agent.run import Asker

        self._shared_models()
        key = (str(index_path), str(video), choice)
        asker = self._askers.get(key)
        if asker is None:
            s = settings_for(self.settings, choice)
            asker = Asker(index_path, video, s, embedder=self._embedder, llm=self._llm(s), vlm=self._vlm,
                          load_models=self._embedder is None)
            self._askers[key] = asker
            while len(self._askers) > self._warm:
                _, oldest = self._askers.popitem(last=False)
                oldest.close()
        self._askers.move_to_end(key)
        return asker

    def ask(self, index_path: Path, video: Path, question: str, choice: AnswerChoice, session: str) -> Answer:
        """Answer ``question`` in ``session`` (one conversation per session and video)."""
        with self._lock:
            return self._asker(index_path, video, choice).ask(question, session=session)

    def close(self) -> None:
        with self._lock:
            for asker in self._askers.values():
                asker.close()
            self._askers.clear()

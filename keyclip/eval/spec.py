"""What an evaluation run is: which benchmark (annotations, videos), which methods, budgets and
evidence settings to compare, which backends, and where results go.

A spec is a TOML or JSON file, a keyclip QA file (``*.jsonl``), or a folder holding one
(``qa.jsonl``)::

    # videomme.toml
    benchmark = "videomme"
    annotations = "/data/Video-MME/videomme/test-00000-of-00001.parquet"
    videos = "/data/Video-MME/data"
    subtitles = "/data/Video-MME/subtitle"
    methods = ["agent", "keyclips", "uniform"]
    budgets = [4096, 8192, 16384]
    evidence = [true, false]
    speech = ["none", "subtitles"]   # the papers' w/o subs and w/ subs; "asr" (the default) is keyclip's own
    limit = 300
    [settings.vlm]            # any keyclip setting: backends, token model, agent options
    backend = "openai"
    base_url = "http://127.0.0.1:8000/v1"
    model = "Qwen2-VL-7B-Instruct"

Relative paths are relative to the spec file.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from keyclip.errors import InputError
from keyclip.eval.methods import METHODS
from keyclip.settings import Settings

BENCHMARKS = ("videomme", "mlvu", "longvideobench", "egoschema", "keyclip")
SpeechSource = Literal["asr", "subtitles", "none"]
SPEECH_SUFFIX = {"asr": "", "subtitles": "+subs", "none": "+nospeech"}
SPEECH_LABEL = {"asr": "keyclip ASR", "subtitles": "w/ subs", "none": "w/o subs"}
"""How a report names each speech source: the benchmark papers' "w/o subs" (frames only) and
"w/ subs" (their subtitle files), and keyclip's own speech recognition."""


class RunConfig(BaseModel):
    """One column of the comparison."""

    method: str
    budget: int
    evidence: bool = True
    speech: SpeechSource = "asr"

    @property
    def key(self) -> str:
        return f"{self.method}@{self.budget}" + ("" if self.evidence else "-noev") + SPEECH_SUFFIX[self.speech]


class EvalSpec(BaseModel):
    model_config = {"extra": "forbid"}

    name: str = ""
    benchmark: str = "keyclip"
    annotations: Path
    videos: Path | None = None
    subtitles: Path | None = None
    answers: Path | None = None
    methods: list[str] = Field(default_factory=lambda: list(METHODS))
    budgets: list[int] = Field(default_factory=lambda: [4096, 8192])
    evidence: list[bool] = Field(default_factory=lambda: [True])
    speech: list[SpeechSource] = Field(default_factory=lambda: ["asr"])
    """Where each video's speech stage comes from: ``asr`` (keyclip's own recognition), ``subtitles``
    (the benchmark's subtitle files: its "w/ subs" setting), ``none`` (its "w/o subs", frames only).
    Each is its own index of the video, sharing the visual stages."""
    limit: int | None = Field(None, ge=1)
    """Evaluate the first ``limit`` items (in file order) only."""
    workers: int = Field(1, ge=1)
    """Processes, each taking whole videos (models load once per process)."""
    settings: dict = Field(default_factory=dict)
    """Overrides of keyclip settings (``{"vlm": {"backend": "openai", …}}``)."""
    out: Path | None = None

    @field_validator("benchmark")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in BENCHMARKS:
            raise ValueError(f"unknown benchmark {v!r}; one of {', '.join(BENCHMARKS)}")
        return v

    @field_validator("methods")
    @classmethod
    def _methods(cls, v: list[str]) -> list[str]:
        bad = [m for m in v if m not in METHODS]
        if bad:
            raise ValueError(f"unknown method {bad[0]!r}; methods: {', '.join(METHODS)}")
        return v

    @field_validator("budgets")
    @classmethod
    def _budgets(cls, v: list[int]) -> list[int]:
        if not v or any(b < 64 for b in v):
            raise ValueError("budgets must be visual-token counts of at least 64")
        return sorted(set(v))

    @field_validator("speech")
    @classmethod
    def _speech(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("speech needs at least one of asr, subtitles, none")
        return list(dict.fromkeys(v))

    def configs(self) -> list[RunConfig]:
        return [RunConfig(method=m, budget=b, evidence=e, speech=sp) for sp in self.speech for e in self.evidence
                for m in self.methods for b in self.budgets if e or m != "agent"]  # the agent always retrieves text

    def keyclip_settings(self, base: Settings) -> Settings:
        merged = base.model_dump()
        for section, values in self.settings.items():
            if isinstance(values, dict) and isinstance(merged.get(section), dict):
                merged[section] = {**merged[section], **values}
            else:
                merged[section] = values
        try:
            return Settings.model_validate(merged)
        except ValidationError as exc:
            raise InputError(f"bad [settings] in the eval spec: {exc.errors()[0]['loc']}: "
                             f"{exc.errors()[0]['msg']}") from exc

    def fingerprint(self, s: Settings) -> str:
        """What makes two runs' answers the same: the benchmark file, the index stages (models and
        options), and the answering models and options."""
        from keyclip.index.build import stage_fingerprints

        answering = {k: s.model_dump(mode="json")[k] for k in ("llm", "vlm", "agent", "select", "scorer")}
        blob = json.dumps({"benchmark": self.benchmark, "annotations": str(self.annotations.absolute()),
                           "stages": stage_fingerprints(s), "answering": answering}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


def load_spec(path: Path, **overrides) -> EvalSpec:
    """Read a spec file, or make one for a folder with a ``qa.jsonl``; ``overrides`` (CLI flags
    that were given) win over the file."""
    path = Path(path).expanduser().absolute()
    if path.is_dir() or (path.is_file() and path.suffix.lower() == ".jsonl"):
        qa = path / "qa.jsonl" if path.is_dir() else path
        if not qa.is_file():
            raise InputError(f"{path}: no qa.jsonl here; give a spec file (TOML or JSON), a QA file (.jsonl) "
                             "or a folder with qa.jsonl")
        name = path.name if path.is_dir() else path.parent.name if path.stem == "qa" else path.stem
        data: dict = {"name": name, "benchmark": "keyclip", "annotations": qa}
        base = qa.parent
    elif path.is_file():
        try:
            text = path.read_text()
            data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{path}: not a readable TOML/JSON eval spec ({exc})") from exc
        if not isinstance(data, dict):
            raise InputError(f"{path}: an eval spec is a table of settings (benchmark = …, annotations = …)")
        data.setdefault("name", path.stem)
        base = path.parent
    else:
        raise InputError(f"{path}: no such spec file or folder")
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key in ("annotations", "videos", "subtitles", "answers", "out"):
        if data.get(key) is not None:
            p = Path(data[key]).expanduser()
            data[key] = p if p.is_absolute() else (base / p)
    try:
        return EvalSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise InputError(f"{path}: {where}: {first['msg']}") from exc

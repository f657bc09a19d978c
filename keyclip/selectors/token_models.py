"""How many visual tokens a VLM spends on frames of a given size: one model per family.

Each token model answers two questions for the budget planner:

- ``fit(width, height, max_pixels)``: the frame size the model will actually use when keyclip
  sends a frame of the source's aspect with at most ``max_pixels`` pixels (the model's own
  resizing rules applied);
- ``tokens(n_frames, width, height)``: the tokens ``n_frames`` frames of one clip cost at a
  size returned by ``fit``.

Families and where their numbers come from (transformers 5.x source, checked in tests against
the real processors where they build offline):

- Qwen2-VL / Qwen2.5-VL: ``smart_resize`` to multiples of 28 px within min/max pixels; 14-px
  patches merged 2x2; as video, 2 consecutive frames share a temporal patch (odd counts are
  padded), so a clip of n frames of h x w costs ceil(n/2) * (h/28) * (w/28); as separate images
  each frame costs (h/28) * (w/28).
- LLaVA-OneVision video: frames resized to 384 x 384, 729 patches pooled to 196 per frame, plus
  one newline token per video.
- LLaVA-NeXT-Video: (crop/patch)^2 / 4 per frame.
- SmolVLM / Idefics3 video: frames squashed to one tile, ``image_seq_len`` + 3 tokens each.
- OpenAI-style images (provider documentation, not checked here): detail "low" 85; "high" fits
  2048 x 2048, scales the short side to 768, then 85 + 170 per 512-px tile.
- Gemini (provider documentation): 258 tokens per frame (66 at low media resolution).
- Fixed: any model that spends a fixed number of tokens per frame.

Example:
    >>> m = QwenVL()
    >>> w, h = m.fit(1280, 720, max_pixels=448 * 252)
    >>> (w, h), m.tokens(4, w, h)
    ((448, 252), 288)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol


class TokenModel(Protocol):
    name: str
    resolution_matters: bool
    """False when every frame costs the same whatever its size (the planner then only trades
    the number of frames)."""
    frame_multiple: int
    """Frames per clip are best a multiple of this (2 for Qwen video: frames pair up)."""

    def fit(self, width: int, height: int, max_pixels: int) -> tuple[int, int]: ...

    def tokens(self, n_frames: int, width: int, height: int) -> int: ...


def qwen_smart_resize(height: int, width: int, factor: int, min_pixels: int, max_pixels: int) -> tuple[int, int]:
    """transformers' ``qwen2_vl.image_processing_qwen2_vl.smart_resize``, ported exactly
    (Python's ``round`` is half-to-even there too)."""
    if max(height, width) / min(height, width) > 200:
        raise ValueError("absolute aspect ratio must be smaller than 200")
    h_bar = round(height / factor) * factor
    w_bar = round(width / factor) * factor
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


def _scaled(width: int, height: int, max_pixels: int) -> tuple[int, int]:
    """The source aspect scaled down (never up) to at most ``max_pixels``."""
    scale = min(1.0, math.sqrt(max_pixels / (width * height)))
    return max(1, int(width * scale)), max(1, int(height * scale))


@dataclass(frozen=True)
class QwenVL:
    """Qwen2-VL / Qwen2.5-VL. Defaults are the video processor's (min 128, max 768 patches of
    28 x 28); use ``as_video=False`` and the image defaults when frames go as separate images."""

    name: str = "qwen2-vl"
    min_pixels: int = 128 * 28 * 28
    max_pixels: int = 768 * 28 * 28
    patch_size: int = 14
    merge_size: int = 2
    temporal_patch_size: int = 2
    as_video: bool = True
    resolution_matters: bool = True

    @property
    def factor(self) -> int:
        return self.patch_size * self.merge_size

    @property
    def frame_multiple(self) -> int:
        return self.temporal_patch_size if self.as_video else 1

    def fit(self, width: int, height: int, max_pixels: int) -> tuple[int, int]:
        target = max(min(max_pixels, self.max_pixels), self.min_pixels)  # the model never goes below min
        w, h = _scaled(width, height, target)
        h, w = qwen_smart_resize(h, w, self.factor, self.min_pixels, target)
        for _ in range(4):  # what the processor will do to the frame we send: make it a fixed point
            nh, nw = qwen_smart_resize(h, w, self.factor, self.min_pixels, self.max_pixels)
            if (nh, nw) == (h, w):
                break
            h, w = nh, nw
        return w, h

    def tokens(self, n_frames: int, width: int, height: int) -> int:
        if n_frames <= 0:
            return 0
        per_grid = (height // self.patch_size) * (width // self.patch_size) // (self.merge_size**2)
        if self.as_video:
            return math.ceil(n_frames / self.temporal_patch_size) * per_grid
        return n_frames * per_grid


def qwen_images() -> QwenVL:
    """Qwen2-VL frames sent as separate images (the OpenAI-compatible servers' usual path)."""
    return QwenVL(name="qwen2-vl-images", min_pixels=56 * 56, max_pixels=28 * 28 * 1280, as_video=False)


@dataclass(frozen=True)
class FixedPerFrame:
    """Every frame costs ``per_frame`` tokens (plus ``per_clip`` once per clip), whatever its size;
    frames are sent at ``side`` x ``side`` or the source aspect within ``side``^2 pixels."""

    name: str
    per_frame: int
    per_clip: int = 0
    side: int = 384
    square: bool = True
    resolution_matters: bool = False
    frame_multiple: int = 1

    def fit(self, width: int, height: int, max_pixels: int) -> tuple[int, int]:
        if self.square:
            return self.side, self.side
        return _scaled(width, height, self.side * self.side)

    def tokens(self, n_frames: int, width: int, height: int) -> int:
        return n_frames * self.per_frame + (self.per_clip if n_frames else 0)


def llava_onevision() -> FixedPerFrame:
    """LLaVA-OneVision video: ceil(sqrt(729) / 2)^2 = 196 tokens per frame, one newline per video."""
    return FixedPerFrame("llava-onevision", per_frame=196, per_clip=1, side=384)


def llava_next_video(crop: int = 336, patch: int = 14) -> FixedPerFrame:
    return FixedPerFrame("llava-next-video", per_frame=(crop // patch) ** 2 // 4, side=crop)


def smolvlm_video(tile: int = 512, image_seq_len: int = 64) -> FixedPerFrame:
    """SmolVLM(2) video frames: one tile each, ``image_seq_len`` + 3 tokens (256M/500M: 512 px,
    64; 2.2B: 384 px, 81). The per-frame timestamp text is not counted."""
    return FixedPerFrame("smolvlm", per_frame=image_seq_len + 3, side=tile)


def gemini(low: bool = False) -> FixedPerFrame:
    return FixedPerFrame("gemini-low" if low else "gemini", per_frame=66 if low else 258, side=768, square=False)


@dataclass(frozen=True)
class OpenAIImages:
    """OpenAI-style image detail (provider documentation): ``low`` costs 85 per image; ``high``
    fits 2048 x 2048, scales the short side to at most 768, then 85 + 170 per 512-px tile."""

    name: str = "openai-high"
    detail: str = "high"
    frame_multiple: int = 1

    @property
    def resolution_matters(self) -> bool:
        return self.detail == "high"

    def fit(self, width: int, height: int, max_pixels: int) -> tuple[int, int]:
        if self.detail == "low":
            return _scaled(width, height, 512 * 512)
        w, h = _scaled(width, height, max_pixels)
        scale = min(1.0, 2048 / max(w, h))
        w, h = int(w * scale), int(h * scale)
        scale = min(1.0, 768 / min(w, h))
        return max(1, int(w * scale)), max(1, int(h * scale))

    def tokens(self, n_frames: int, width: int, height: int) -> int:
        if self.detail == "low":
            return 85 * n_frames
        tiles = math.ceil(width / 512) * math.ceil(height / 512)
        return n_frames * (85 + 170 * tiles)


def token_model(name: str) -> TokenModel:
    """A token model by name: qwen2-vl, qwen2-vl-images, llava-onevision, llava-next-video,
    smolvlm, smolvlm2-2.2b, openai-high, openai-low, gemini, gemini-low, fixed:N."""
    if name.startswith("fixed:"):
        return FixedPerFrame(name, per_frame=int(name.split(":", 1)[1]))
    table = {
        "qwen2-vl": QwenVL,
        "qwen2.5-vl": lambda: QwenVL(name="qwen2.5-vl"),
        "qwen2-vl-images": qwen_images,
        "llava-onevision": llava_onevision,
        "llava-next-video": llava_next_video,
        "smolvlm": smolvlm_video,
        "smolvlm2-2.2b": lambda: smolvlm_video(384, 81),
        "openai-high": OpenAIImages,
        "openai-low": lambda: OpenAIImages(name="openai-low", detail="low"),
        "gemini": gemini,
        "gemini-low": lambda: gemini(low=True),
    }
    if name not in table:
        raise ValueError(f"unknown token model {name!r}; choose one of {sorted(table)} or fixed:N")
    return table[name]()

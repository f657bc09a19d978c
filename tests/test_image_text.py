"""The image-text scorer path with a tiny randomly initialised CLIP built from the real
transformers classes (no CLIP/SigLIP weights ship in any package, so its scores are meaningless;
what is tested is the code path: loading a local folder, keyframe embeddings computed once at
index time and stored, and their use in clip relevance)."""

from __future__ import annotations

import json
import string
from pathlib import Path

import numpy as np
import pytest

from keyclip.index.build import build_index
from keyclip.index.store import IndexStore


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory) -> Path:
    transformers = pytest.importorskip("transformers")
    d = tmp_path_factory.mktemp("tiny-clip")
    chars = list(string.ascii_lowercase + string.digits + ".,'?!-")
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for suffix in ("", "</w>"):
        for c in chars:
            vocab[c + suffix] = len(vocab)
    (d / "vocab.json").write_text(json.dumps(vocab))
    (d / "merges.txt").write_text("#version: 0.2\n")
    tok = transformers.CLIPTokenizer(str(d / "vocab.json"), str(d / "merges.txt"), model_max_length=32)
    config = transformers.CLIPConfig(
        text_config=dict(vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=32),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=64, patch_size=16),
        projection_dim=16,
    )
    transformers.CLIPModel(config).save_pretrained(d)
    image_processor = transformers.CLIPImageProcessorPil(size={"shortest_edge": 64},
                                                         crop_size={"height": 64, "width": 64})
    transformers.CLIPProcessor(image_processor=image_processor, tokenizer=tok).save_pretrained(d)
    return d


def test_scorer_embeds_unit_vectors(tiny_clip):
    import cv2

    from keyclip.tools.image_text import HFImageTextScorer

    scorer = HFImageTextScorer(f"hf:{tiny_clip}")
    ok, jpeg = cv2.imencode(".jpg", np.random.default_rng(0).integers(0, 255, (90, 160, 3), dtype=np.uint8))
    images = scorer.embed_images([jpeg.tobytes()] * 3)
    texts = scorer.embed_text(["a deer crossing", "slides about hashing"])
    assert images.shape == (3, 16) and texts.shape == (2, 16)
    assert np.allclose(np.linalg.norm(images, axis=1), 1, atol=1e-5)
    assert np.allclose(images[0], images[1])


def test_missing_scorer_folder_is_a_clear_error(tmp_path):
    from keyclip.errors import ModelMissingError
    from keyclip.tools.image_text import HFImageTextScorer

    with pytest.raises(ModelMissingError, match="never downloads"):
        HFImageTextScorer(f"hf:{tmp_path / 'nope'}")


def test_keyframe_embeddings_are_built_once_and_used_for_relevance(sample_index, tiny_clip):
    from keyclip.selectors.plan import plan_for_question

    result, s = sample_index
    store = IndexStore.open(result.index_path, readonly=True)
    assert store.stages()["frames"]["info"] == {"skipped": "no image-text scorer configured"}
    with_scorer = s.model_copy(update={"scorer": s.scorer.model_copy(update={"model": f"hf:{tiny_clip}"})})
    rebuilt = build_index(result.video, with_scorer)
    assert rebuilt.stages_run == ["frames"]  # nothing else re-runs
    n_keyframes = rebuilt.counts["keyframes"]
    assert rebuilt.counts["keyframe_embeddings"] == n_keyframes > 0
    again = build_index(result.video, with_scorer)
    assert again.cache_hit
    selection = plan_for_question(result.index_path, "what is the load factor?", [], with_scorer)
    assert selection.signals == ("text", "image")
    assert selection.plan.total_tokens <= with_scorer.select.budget
    back = build_index(result.video, s)  # back to the session's settings: the scorer's vectors go
    assert back.stages_run == ["frames"] and back.counts["keyframe_embeddings"] == 0

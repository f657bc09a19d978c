"""The ``hf`` VLM backend and the agent's look-with-frames path, with a tiny randomly initialised
Qwen2-VL built here from the real transformers classes (no VLM weights exist on this machine and
none may be downloaded): a byte-level tokenizer made locally, the real Qwen2-VL image processor,
a 1-layer model saved to a folder and loaded back through the backend. Its answers are noise;
what is checked is the plumbing: frames go through the real processor, the image-token count
equals the budget plan, generation runs, the answer is typed and within budget."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from keyclip.backends.chat import Frame
from keyclip.selectors.token_models import qwen_images

from .conftest import needs_espeak

transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>{% else %}{{ c['text'] }}{% endif %}"
    "{% endfor %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def _byte_vocab() -> dict[str, int]:
    """GPT-2's byte-to-unicode table: every byte is one token, so any text encodes."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): i for i, c in enumerate(cs)}


@pytest.fixture(scope="module")
def tiny_qwen(tmp_path_factory):
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration

    tok = transformers.Qwen2Tokenizer(vocab=_byte_vocab(), merges=[])
    tok.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>", "<|vision_start|>",
                                                          "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"]})
    from transformers.models.qwen2_vl.video_processing_qwen2_vl import Qwen2VLVideoProcessor

    processor = transformers.Qwen2VLProcessor(image_processor=transformers.Qwen2VLImageProcessorPil(),
                                              video_processor=Qwen2VLVideoProcessor(), tokenizer=tok,
                                              chat_template=CHAT_TEMPLATE)
    ids = {t: tok.convert_tokens_to_ids(t) for t in ("<|image_pad|>", "<|video_pad|>", "<|vision_start|>",
                                                     "<|vision_end|>")}
    config = Qwen2VLConfig(
        text_config={"vocab_size": len(tok), "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                     "num_attention_heads": 2, "num_key_value_heads": 1, "max_position_embeddings": 8192,
                     "rope_scaling": {"type": "mrope", "mrope_section": [4, 2, 2]}},
        vision_config={"depth": 1, "embed_dim": 32, "hidden_size": 32, "num_heads": 2, "mlp_ratio": 2,
                       "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2, "in_chans": 3},
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
    )
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny-qwen2-vl")
    Qwen2VLForConditionalGeneration(config).save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def _jpeg(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 30)).save(buf, format="JPEG")
    return buf.getvalue()


def test_hf_backend_counts_the_planned_image_tokens_and_generates(tiny_qwen):
    from keyclip.backends.hf_vlm import HFVisionChat

    vlm = HFVisionChat(tiny_qwen, threads=2)
    model = qwen_images()
    for size, n in (((448, 252), 2), ((644, 364), 3), ((252, 448), 1)):
        frames = [Frame(float(i), _jpeg(*size), *size) for i in range(n)]
        reply = vlm.look([{"role": "user", "content": "What is shown?"}], frames, max_tokens=6)
        assert reply.extra["image_tokens"] == n * model.tokens(1, *size)
        assert reply.completion_tokens >= 1 and reply.prompt_tokens > reply.extra["image_tokens"]


@needs_espeak()
def test_agent_looks_at_planned_frames_with_a_vlm(tiny_qwen, sample_index, sample):
    from keyclip.agent.run import Asker

    result, s = sample_index
    s = s.model_copy(update={
        "llm": s.llm.model_copy(update={"backend": "none"}),
        "vlm": s.vlm.model_copy(update={"backend": "hf", "model": str(tiny_qwen), "max_new_tokens": 12}),
        "select": s.select.model_copy(update={"token_model": "qwen2-vl-images", "budget": 3000}),
    })
    with Asker(result.index_path, sample.path, s) as asker:
        answer = asker.ask("What colour are the moving shapes?", ["A. Red", "B. Green"])
    looks = [t for t in answer.turns if t.action in ("look", "zoom")]
    assert looks and all(t.frames > 0 for t in looks)
    assert not answer.abstained  # a VLM is configured: sight questions are looked at, not refused
    for t in looks:
        counted = int(t.note.split("counted ")[1].split()[0])
        assert counted == t.visual_tokens  # the processor's count is the plan's prediction
    assert 0 < answer.visual_tokens <= 3000 and answer.models["vlm"] == tiny_qwen.name


@needs_espeak()
def test_eval_single_turn_methods_give_the_vlm_their_frames_within_the_budget(tiny_qwen, sample_index, sample):
    """The eval harness's key-clips and uniform-frames methods through the same VLM path: the
    processor counts exactly the planned image tokens, within the budget, for both."""
    from keyclip.backends.hf_vlm import HFVisionChat
    from keyclip.eval.items import EvalItem
    from keyclip.eval.methods import VideoContext, run_method
    from keyclip.index.store import IndexStore

    result, s = sample_index
    s = s.model_copy(update={
        "vlm": s.vlm.model_copy(update={"backend": "hf", "model": str(tiny_qwen), "max_new_tokens": 12}),
        "select": s.select.model_copy(update={"token_model": "qwen2-vl-images"}),
    })
    item = EvalItem(id="v1", benchmark="keyclip", video_id="sample", video=sample.path,
                    question="What colour are the moving shapes?", options=["A. Red", "B. Green"], answer="A")
    ctx = VideoContext(s, sample.path, result.index_path, IndexStore.open(result.index_path, readonly=True),
                       vlm=HFVisionChat(tiny_qwen, threads=2))
    try:
        for method in ("keyclips", "uniform"):
            pred = run_method(method, item, ctx, budget=2000, evidence=True)
            assert not pred.abstained and pred.frames > 0, (method, pred)
            counted = int(pred.note.split("counted ")[1].split()[0])
            assert counted == pred.visual_tokens and 0 < pred.visual_tokens <= 2000, (method, pred)
            assert pred.letter in (None, "A", "B")  # a random model's reply, parsed or not
    finally:
        ctx.close()

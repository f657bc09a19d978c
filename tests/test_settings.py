"""Settings: defaults, environment, TOML file, and refusal of unknown keys."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from keyclip.settings import Settings


def test_environment_overrides_nested_options(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYCLIP_OCR__INTERVAL_S", "1.5")
    monkeypatch.setenv("KEYCLIP_CACHE_DIR", str(tmp_path))
    s = Settings()
    assert s.ocr.interval_s == 1.5 and s.cache_dir == tmp_path
    assert s.ocr.width == 960  # untouched defaults stay


def test_toml_file_then_env_then_arguments(monkeypatch, tmp_path):
    toml = tmp_path / "keyclip.toml"
    toml.write_text('[scenes]\ndetector = "content"\n[clips]\nmax_clip_s = 6.0\n[speech]\nbeam_size = 2\n')
    monkeypatch.setenv("KEYCLIP_CONFIG", str(toml))
    monkeypatch.setenv("KEYCLIP_SPEECH__BEAM_SIZE", "3")
    s = Settings(clips={"max_clip_s": 4.0})
    assert s.scenes.detector == "content"  # from the file
    assert s.speech.beam_size == 3  # env beats file
    assert s.clips.max_clip_s == 4.0  # arguments beat both


def test_unknown_or_invalid_settings_are_refused():
    with pytest.raises(ValidationError):
        Settings(ocr={"interval": 2})  # typo of interval_s
    with pytest.raises(ValidationError):
        Settings(scenes={"detector": "magic"})


def test_fingerprints_follow_options():
    a, b = Settings(), Settings(ocr={"width": 1280})
    assert a.ocr.fingerprint() != b.ocr.fingerprint()
    assert a.speech.fingerprint() == b.speech.fingerprint()


def test_none_turns_the_llm_off_in_flags_environment_toml_and_the_chat(monkeypatch, tmp_path):
    from keyclip.backends.registry import make_llm
    from keyclip.ui.agents import AnswerChoice, llm_choices, settings_for

    monkeypatch.setenv("KEYCLIP_LLM__MODEL", "none")
    from_env = Settings(cache_dir=tmp_path)
    assert from_env.llm.backend == "none" and make_llm(from_env) is None
    assert llm_choices(from_env)[0][1] == "none"  # the chat starts with no LLM either
    monkeypatch.delenv("KEYCLIP_LLM__MODEL")
    toml = tmp_path / "keyclip.toml"
    toml.write_text('[llm]\nmodel = "None"\n')
    monkeypatch.setenv("KEYCLIP_CONFIG", str(toml))
    assert Settings().llm.backend == "none"
    monkeypatch.delenv("KEYCLIP_CONFIG")
    assert Settings(llm={"model": "off"}).llm.backend == "none"
    assert Settings().llm.backend == "none"  # the default: answers from the evidence
    base = Settings(cache_dir=tmp_path, llm={"model": "packaged:smollm2-135m"})
    assert base.llm.backend == "llamacpp"
    assert settings_for(base, AnswerChoice(4096, 2, "none")).llm.backend == "none"
    chosen = settings_for(Settings(cache_dir=tmp_path), AnswerChoice(4096, 2, "packaged:qwen2.5-0.5b")).llm
    assert (chosen.backend, chosen.model) == ("llamacpp", "packaged:qwen2.5-0.5b")
    server = Settings(llm={"backend": "openai", "model": "served"})
    assert settings_for(server, AnswerChoice(4096, 2, "served")).llm.backend == "openai"
    import app

    for flag, backend in (("none", "none"), ("packaged:smollm2-135m", "llamacpp")):
        s = app._with_agent_flags(Settings(), None, None, flag, None, None, None)
        assert s.llm.backend == backend

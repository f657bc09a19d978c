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

"""Bad flags, settings and paths as a careful user (or a typo) gives them: each is one `error:`
line, exit 2 and no traceback, refused before any model loads, and an existing index is left
byte-identical. Real CLI processes (the start of issue 16's battery)."""

from __future__ import annotations

import hashlib

import pytest

from .test_cli import assert_one_line_error, run

VIDEO = "/nonexistent/talk.mp4"
"""Flags are checked before the path, so a flag error is reported whatever the path."""


@pytest.mark.parametrize("args,needle", [
    (["ask", VIDEO, "q", "--budget", "0"], "--budget"),
    (["ask", VIDEO, "q", "--budget", "-5"], "--budget"),
    (["select", VIDEO, "q", "--budget", "-5"], "--budget"),
    (["ask", VIDEO, "q", "--max-turns", "99"], "--max-turns"),
    (["ask", VIDEO, "q", "--max-turns", "0"], "--max-turns"),
    (["ask", VIDEO, "q", "-k", "-1"], "-k"),
    (["ask", VIDEO, "q", "-k", "0"], "-k"),
    (["select", VIDEO, "q", "--token-model", "nosuch-vlm"], "unknown token model"),
    (["select", VIDEO, "q", "--token-model", "fixed:abc"], "--token-model"),
    (["ask", VIDEO, "q", "--option", "", "--option", ""], "is empty"),
    (["ask", VIDEO, "q", "--option", "A.   ", "--option", "B. x"], "--option 1 is empty"),
    (["ask", VIDEO, "q", "--option", "A. x", "--option", "A. y"], "letters repeat (A)"),
    (["select", VIDEO, "q", "--option", "B) x", "--option", "b. y"], "letters repeat (B)"),
    (["ask", VIDEO, "   "], "question is empty"),
    (["ask", VIDEO, "q"], "no such file"),
    (["search", "/nonexistent/archive", "q"], "not an annotated archive"),
    (["search", "/nonexistent/archive", "q", "-k", "0"], "-k"),
])
def test_a_bad_flag_or_path_is_one_line_and_exit_2(args, needle, cache):
    proc = run(*args, cache=cache)
    assert_one_line_error(proc, needle)
    assert proc.returncode == 2


def test_a_folder_that_is_not_an_archive_is_refused(tmp_path, cache):
    for command in ("ask", "search"):
        proc = run(command, str(tmp_path), "what is said?", cache=cache)
        assert_one_line_error(proc, "not an annotated archive")
        assert proc.returncode == 2


@pytest.mark.parametrize("env,needle", [
    ({"KEYCLIP_SELECT__BUDGET": "abc"}, "select.budget"),
    ({"KEYCLIP_SELECT__BUDGET": "0"}, "KEYCLIP_SELECT__BUDGET"),
    ({"KEYCLIP_DETECT__MIN_CONFIDENCE": "2"}, "detect.min_confidence"),
    ({"KEYCLIP_VOICES__SAME_VOICE": "-1"}, "voices.same_voice"),
    ({"KEYCLIP_SELECT__TOKEN_MODEL": "nosuch"}, "unknown token model"),
])
def test_a_bad_setting_in_the_environment_is_one_line(env, needle, cache):
    for args in (["index", VIDEO], ["models"], ["ask", VIDEO, "q"]):
        proc = run(*args, cache=cache, env=env)
        assert_one_line_error(proc, needle)
        assert proc.returncode == 2


def test_a_broken_config_file_is_one_line_and_the_index_is_untouched(tmp_path, sample_index):
    result, s = sample_index
    before = hashlib.sha256(result.index_path.read_bytes()).hexdigest()
    bad = tmp_path / "bad.toml"
    bad.write_text("[select\nbudget = ")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[select]\nbudget = -3\n")
    for config, needle in ((bad, "cannot read the settings file"), (wrong, "select.budget")):
        proc = run("ask", result.video, "what is a collision?", cache=s.cache_dir, env={"KEYCLIP_CONFIG": str(config)})
        assert_one_line_error(proc, needle)
        assert proc.returncode == 2
    assert hashlib.sha256(result.index_path.read_bytes()).hexdigest() == before


def test_links_that_lead_nowhere_and_a_cache_that_is_a_file_say_so(tmp_path, sample, cache):
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone.mp4")
    for name, needle in (("loop1", "loops back on itself"), ("dangling", "which does not exist")):
        proc = run("index", str(tmp_path / name), cache=cache)
        assert_one_line_error(proc, needle)
        assert proc.returncode == 2
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for folder in (blocker, blocker / "sub"):
        proc = run("index", sample.path, "--cache-dir", str(folder), cache=cache)
        assert_one_line_error(proc, f"{blocker} is a file")
        assert proc.returncode == 4

"""The chat app end to end, in a real headless Chromium driven by Playwright.

``app.py chat`` runs as a real process on loopback with the offline models. Two browser contexts
play two people: one uploads a fresh lecture, waits for it to be indexed, asks, and clicks the
cited time; the other uploads a corrupt and an oversized file, then picks a video indexed before.
Screenshots go to ``artifacts/ui/`` (look at them after a run).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from keyclip.samples import Slide, make_sample_lecture
from tests.conftest import REPO, needs_espeak, stream_copy_late

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "artifacts" / "ui"

pytestmark = [
    needs_espeak(),
    pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="chromium not installed (scripts/setup.sh)"),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install -e '.[test]')")
pytest.importorskip("gradio", reason="gradio not installed (pip install -e '.[ui]')")
expect = playwright_api.expect

TALK_SLIDES = (
    Slide("Graph Search", ("Visit every vertex",),
          ("Breadth first search visits the nearest vertices first.",), (25, 45, 70), (240, 240, 240)),
    Slide("Shortest Paths", ("Weights on edges",),
          ("Dijkstra's algorithm finds the shortest path when every edge weight is positive.",),
          (235, 225, 200), (40, 30, 20)),
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui-media")
    talk = make_sample_lecture(folder / "graphs.mp4", slides=TALK_SLIDES, motion_s=2.0)
    corrupt = folder / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    big = folder / "big.mp4"
    big.write_bytes(os.urandom(4 * 1024 * 1024))  # over the app's 3 MB limit below
    # the talk as a recorder's MPEG-TS excerpt: every timestamp 120 s late, no re-encoding
    excerpt = stream_copy_late(Path(talk.path), folder / "excerpt.ts", "mpegts", late_s=120.0)
    # the talk with 20 s of moving pictures before its second slide: plenty to look at, little to hear
    moving = make_sample_lecture(folder / "graphs-moving.mp4", slides=TALK_SLIDES, motion_s=20.0)
    return {"talk": talk, "corrupt": corrupt, "big": big, "excerpt": excerpt, "moving": moving}


def _start_app(root: Path, cache_from: Path, env_extra: dict | None = None):
    """``app.py chat`` on a free loopback port, its cache a copy of ``cache_from``; yields what
    the tests use and kills the process group at the end."""
    cache = root / "cache"
    shutil.copytree(cache_from, cache, symlinks=True)  # models/ stays a link to the shared models
    tmp = root / "tmp"
    tmp.mkdir()
    # what a crashed run leaves: its folder with an upload, its owner process gone
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = tmp / "keyclip-ui-crashed"
    (stale / "uploads" / "x").mkdir(parents=True)
    (stale / "uploads" / "x" / "talk.mp4").write_bytes(b"0" * 1000)
    (stale / "owner.pid").write_text(str(gone.pid))
    port = _free_port()
    env = {**os.environ, "KEYCLIP_CACHE_DIR": str(cache), "TMPDIR": str(tmp),
           "KEYCLIP_UI__MAX_UPLOAD_MB": "3", "KEYCLIP_UI__MAX_DURATION_S": "600", **(env_extra or {})}
    log = (root / "app.log").open("w")
    proc = subprocess.Popen([sys.executable, str(REPO / "app.py"), "chat", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"chat app exited: {(root / 'app.log').read_text()[-2000:]}")
        try:
            if _get(url)[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chat app did not start in 120 s")
    yield {"url": url, "tmp": tmp, "log": root / "app.log", "proc": proc, "stale": stale}
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()


@pytest.fixture(scope="module")
def chat_app(tmp_path_factory, sample_index, media):
    """``app.py chat`` on a free loopback port, its cache holding the sample lecture's index."""
    _, sample_settings = sample_index
    yield from _start_app(tmp_path_factory.mktemp("ui-app"), sample_settings.cache_dir)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def _page(browser, url: str, outside: list[str]):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else outside.append(r.url))
    page.goto(url)
    return page


def _upload(page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator("#kc-upload").click()
    chooser.value.set_files(str(path))


def _ask(page, question: str) -> None:
    box = page.locator("#kc-q textarea")
    expect(box).to_be_enabled(timeout=10_000)
    box.fill(question)
    box.press("Enter")


def _player_time(page) -> float:
    return page.evaluate("() => document.querySelector('#kc-player video').currentTime")


def _ask_for_the_second_slide(page, talk):
    """Ask the talk's question with a known answer; its answer and first span link, checked to
    start inside the second slide."""
    _ask(page, "When is Dijkstra's algorithm explained?")
    answer = page.locator("#kc-chat .kc-answer").first
    expect(answer).to_be_visible(timeout=240_000)
    truth = talk.slides[1]
    link = answer.locator("p", has_text="Spans").locator("a.kc-seek").first
    t = float(link.get_attribute("href").split("#kc-t=")[1])
    assert truth["start"] - 1 <= t < truth["end"], (t, truth)
    return answer, link, t


def _wait_playable(page) -> None:
    page.wait_for_function("() => { const v = document.querySelector('#kc-player video');"
                           " return v && v.readyState >= 1 && v.duration > 0 }", timeout=20_000)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(700)  # let toasts fade in
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _toast(page, pattern: str):
    toast = page.locator(".toast-body, [data-testid='toast-body']").filter(has_text=re.compile(pattern, re.IGNORECASE))
    expect(toast.first).to_be_visible(timeout=20_000)
    return toast.first.inner_text()


def test_upload_index_ask_and_seek_then_errors_and_isolation(chat_app, browser, media):
    url, outside = chat_app["url"], []
    a = _page(browser, url, outside)
    b = _page(browser, url, outside)
    talk = media["talk"]

    # A uploads a lecture no one indexed: bars per stage while it is indexed in the background
    _upload(a, Path(talk.path))
    expect(a.locator("#kc-job")).to_be_visible(timeout=20_000)
    expect(a.locator("#kc-job .kc-stage progress").first).to_be_attached(timeout=30_000)
    _shot(a, "a-1-indexing")

    # meanwhile B is not blocked: a corrupt file and an oversized one are refused with a clear message
    _upload(b, media["corrupt"])
    corrupt_msg = _toast(b, "corrupt.mp4")
    assert "not a video" in corrupt_msg and "/" not in corrupt_msg.replace("corrupt.mp4", ""), corrupt_msg
    _shot(b, "b-1-corrupt-upload")
    _upload(b, media["big"])
    big_msg = _toast(b, r"too large|exceeds|limit|size")
    _shot(b, "b-2-oversized-upload")
    assert "big.mp4" in big_msg or "3" in big_msg, big_msg

    # B picks the video indexed before; A's upload is not in B's list
    b.locator("#kc-library input").click()
    options = b.locator("[role=option]")
    expect(options.first).to_be_visible(timeout=10_000)
    names = [o.inner_text() for o in options.all()]
    assert any("sample.mp4" in n for n in names) and not any("graphs.mp4" in n for n in names), names
    options.filter(has_text="sample.mp4").first.click()
    expect(b.locator("#kc-job[data-state=done]")).to_be_visible(timeout=60_000)
    _wait_playable(b)
    # B sets a smaller budget in the settings panel, asks, then follows up on "that"
    b.locator("#kc-settings").get_by_text("Settings").first.click()
    budget = b.locator("#kc-budget input[type=number]")
    budget.click()
    budget.press("Control+a")
    budget.press_sequentially("4096")  # typed key by key, as a person does
    budget.press("Tab")  # the slider takes a typed number when the field loses focus
    expect(b.locator("#kc-budget input[type=range]")).to_have_value("4096", timeout=10_000)
    _ask(b, "When is separate chaining mentioned?")
    expect(b.locator("#kc-chat .kc-answer")).to_have_count(1, timeout=240_000)
    _ask(b, "And what is said right after that?")
    expect(b.locator("#kc-chat .kc-answer")).to_have_count(2, timeout=240_000)
    first_start = max(float(x.get_attribute("href").split("#kc-t=")[1]) for x in
                    b.locator("#kc-chat .kc-answer").nth(0).locator("p", has_text="Spans").locator("a.kc-seek").all())
    follow_start = float(b.locator("#kc-chat .kc-answer").nth(1).locator("p", has_text="Spans")
                         .locator("a.kc-seek").first.get_attribute("href").split("#kc-t=")[1])
    assert follow_start > first_start, (first_start, follow_start)
    b.locator("#kc-plan-box").get_by_text("Budget plan").click()
    expect(b.locator("#kc-plan-summary")).to_contain_text("of 4096", timeout=10_000)
    expect(b.locator("#kc-plan table.kc-plan")).to_contain_text("follow-up: after")

    # A's video is ready: ask a question with a known answer, click the cited time
    expect(a.locator("#kc-job[data-state=done]")).to_be_visible(timeout=240_000)
    _wait_playable(a)
    answer, span_link, t = _ask_for_the_second_slide(a, talk)
    span_link.click()
    a.wait_for_function("t => Math.abs(document.querySelector('#kc-player video').currentTime - t) < 1", arg=t,
                        timeout=10_000)
    assert abs(_player_time(a) - t) < 1
    # a citation's thumbnail seeks too, and thumbnails are real images (data: URLs, no file served)
    thumbs = answer.locator("img.kc-thumb")
    assert thumbs.count() >= 1
    assert thumbs.first.evaluate("img => img.complete && img.naturalWidth > 0")
    a.evaluate("() => { document.querySelector('#kc-player video').currentTime = 0 }")
    cite_t = float(answer.locator(".kc-cite a.kc-seek").first.get_attribute("href").split("#kc-t=")[1])
    thumbs.first.click()
    a.wait_for_function("t => Math.abs(document.querySelector('#kc-player video').currentTime - t) < 1",
                        arg=cite_t, timeout=10_000)
    # the budget plan and latency panel
    a.locator("#kc-plan-box").get_by_text("Budget plan").click()
    expect(a.locator("#kc-plan-summary")).to_contain_text("visual tokens", timeout=10_000)
    assert a.locator("#kc-plan table.kc-plan tbody tr").count() >= 2
    _shot(a, "a-2-answer-after-seek")

    # the two people never see each other's chats
    a_text, b_text = a.locator("#kc-chat").inner_text(), b.locator("#kc-chat").inner_text()
    assert "Dijkstra" in a_text and "chaining" not in a_text.lower()
    assert "chaining" in b_text.lower() and "Dijkstra" not in b_text
    _shot(b, "b-3-own-chat")
    assert outside == [], f"the page fetched from outside the app: {outside[:5]}"


PICTURE_JS = """() => { const v = document.querySelector('#kc-player video');
  const c = document.createElement('canvas'); c.width = 32; c.height = 18;
  const g = c.getContext('2d'); g.drawImage(v, 0, 0, 32, 18);
  const d = g.getImageData(28, 3, 1, 1).data; return [d[0], d[1], d[2]]; }"""
"""The colour the player shows right of a slide's title (its background there)."""


def _page_loaded(page, timeout_ms: int = 15_000) -> bool:
    """Whether the page's load event has run (it fills the player of a restored chat)."""
    try:
        page.wait_for_function("() => !!document.querySelector('#kc-player video')", timeout=timeout_ms)
        return True
    except playwright_api.TimeoutError:
        return False


def _shows_slide(page, slide: Slide) -> bool:
    rgb = page.evaluate(PICTURE_JS)
    return all(abs(a - b) < 40 for a, b in zip(rgb, slide.background))


def test_a_file_whose_timestamps_start_late_plays_and_seeks_on_the_index_clock(chat_app, browser, media):
    """An MPEG-TS excerpt whose timestamps start at 120 s: the player is there at once (watch
    while indexing), its length is the video's, and a cited time shows the cited slide."""
    outside: list[str] = []
    page = _page(browser, chat_app["url"], outside)
    talk = media["talk"]
    _upload(page, media["excerpt"])
    _wait_playable(page)  # before indexing ends
    expect(page.locator("#kc-q textarea")).to_be_disabled()
    duration = page.evaluate("() => document.querySelector('#kc-player video').duration")
    assert abs(duration - talk.duration) < 0.5, (duration, talk.duration)
    _shot(page, "c-1-late-timestamps-watch-while-indexing")
    expect(page.locator("#kc-job[data-state=done]")).to_be_visible(timeout=240_000)
    _, link, t = _ask_for_the_second_slide(page, talk)
    truth = talk.slides[1]
    assert re.fullmatch(r"\d:\d\d–\d:\d\d", link.inner_text()), link.inner_text()  # m:ss under an hour
    link.click()
    page.wait_for_function("t => { const v = document.querySelector('#kc-player video');"
                           " return Math.abs(v.currentTime - t) < 1.5 && !v.paused && v.readyState >= 2 }",
                           arg=t, timeout=10_000)  # seeks, and plays from there
    # once past the slide's fade-in, the picture is the cited slide's (on a wrong clock it was not)
    page.wait_for_function("t => document.querySelector('#kc-player video').currentTime > t",
                           arg=max(t, truth["start"]) + 0.8, timeout=10_000)
    page.evaluate("() => document.querySelector('#kc-player video').pause()")
    assert _shows_slide(page, TALK_SLIDES[1]), page.evaluate(PICTURE_JS)
    _shot(page, "c-2-late-timestamps-after-seek")

    # beside the player: chapters and slides that seek, a transcript whose line being said lights up
    expect(page.locator("#kc-chapters li")).to_have_count(2, timeout=10_000)
    page.get_by_role("tab", name="Slides").click()
    slide_links = page.locator("#kc-slides a.kc-slide")
    expect(slide_links.first).to_be_visible(timeout=10_000)
    assert slide_links.count() == 2 and "Shortest Paths" in slide_links.nth(1).inner_text()
    assert slide_links.nth(1).locator("img").evaluate("img => img.complete && img.naturalWidth >= 160")
    slide_t = float(slide_links.nth(1).get_attribute("href").split("#kc-t=")[1])
    assert abs(slide_t - truth["start"]) < 1.5, (slide_t, truth)
    page.get_by_role("tab", name="Transcript").click()
    lines = page.locator("#kc-transcript .kc-line")
    expect(lines.first).to_be_visible(timeout=10_000)
    assert lines.count() >= 2
    lines.last.locator("a.kc-seek").click()
    expect(page.locator("#kc-transcript .kc-line.kc-now")).to_have_count(1, timeout=10_000)
    page.evaluate("() => document.querySelector('#kc-player video').pause()")
    page.locator("#kc-tsearch textarea, #kc-tsearch input").first.fill("shortest path")
    expect(lines).to_have_count(1, timeout=10_000)
    assert "shortest path" in lines.first.inner_text().lower()
    _shot(page, "c-3-transcript-search")

    # the conversation exported as Markdown with times, and as JSON without server paths
    with page.expect_download() as download:
        page.locator("#kc-export-md").click()
    text = Path(download.value.path()).read_text()
    assert "# Questions about excerpt.ts" in text and "## When is Dijkstra" in text, text
    assert re.search(r"Spans: \d:\d\d–\d:\d\d", text), text
    with page.expect_download() as download:
        page.locator("#kc-export-json").click()
    data = json.loads(Path(download.value.path()).read_text())
    answer_json = data["turns"][0]["answer"]
    assert answer_json["spans"] and answer_json["video"] == "excerpt.ts"
    assert all("thumbnail" not in c for c in answer_json["citations"])

    # suggested questions come from the video's slides; one click asks it
    ideas = page.locator("#kc-suggest button, #kc-suggest tr, #kc-suggest .gallery-item")
    expect(ideas.first).to_be_visible(timeout=10_000)
    texts = [t.strip() for t in page.locator("#kc-suggest").inner_text().splitlines() if "?" in t]
    assert any("Shortest Paths" in t for t in texts) and any("Graph Search" in t for t in texts), texts
    page.locator("#kc-suggest").get_by_text("What is said about Shortest Paths?").click()
    expect(page.locator("#kc-chat .kc-answer")).to_have_count(2, timeout=240_000)
    assert "Shortest Paths" in page.locator("#kc-chat .kc-question").nth(1).inner_text()
    _shot(page, "c-4-suggested-question-asked")

    # a reload finds the chat as it was: both answers, the video, the upload in the picker
    page.reload()
    if not _page_loaded(page):
        # in about 1 reload of 30 the new page's load event never ran (the player still shows the
        # empty page's text: no handler of ours was called); seen with Gradio 6.31, cause not
        # found. Reloading again is what a person would do; a chat lost by our restore still fails.
        page.reload()
        assert _page_loaded(page), "the page's load event did not run after two reloads"
    expect(page.locator("#kc-chat .kc-answer")).to_have_count(2, timeout=20_000)
    _wait_playable(page)
    assert "excerpt.ts" in page.locator("#kc-player").inner_text()
    expect(page.locator("#kc-q textarea")).to_be_enabled(timeout=10_000)
    page.locator("#kc-library input").click()
    expect(page.locator("[role=option]").filter(has_text="excerpt.ts")).to_have_count(1, timeout=10_000)
    page.keyboard.press("Escape")
    _shot(page, "c-5-after-reload")
    assert outside == []


@pytest.fixture(scope="module")
def slow_visual_app(tmp_path_factory, sample_index):
    """A second app whose visual pass reads the screen ten times a second whenever the picture
    changes, so on the talk with moving pictures its speech is in well before the rest of the
    index on any machine (the plain talk read twice a second was indexed whole before the page
    had shown the open question box in about 1 run of 2)."""
    _, sample_settings = sample_index
    yield from _start_app(tmp_path_factory.mktemp("ui-slow-app"), sample_settings.cache_dir,
                          {"KEYCLIP_OCR__CHANGE_THRESHOLD": "0", "KEYCLIP_OCR__INTERVAL_S": "0.1"})


def test_an_answer_given_while_indexing_is_updated_when_the_whole_video_is_in(slow_visual_app, browser, media):
    """Asked once the speech is in and the pictures are not: the answer says so and that it will
    be updated; when indexing ends the same message is replaced by the answer from the whole
    index (saying whether it changed), without asking again."""
    outside: list[str] = []
    page = _page(browser, slow_visual_app["url"], outside)
    talk = media["moving"]
    _upload(page, Path(talk.path))
    expect(page.locator("#kc-q textarea")).to_be_enabled(timeout=240_000)  # speech committed
    running = page.locator("#kc-job").get_attribute("data-state")
    _, _, early_t = _ask_for_the_second_slide(page, talk)
    answer = page.locator("#kc-chat .kc-answer").first
    state_then = page.locator("#kc-job").get_attribute("data-state")
    _shot(page, "d-1-answer-while-indexing")
    assert running == state_then == "running", (running, state_then)
    expect(answer.locator(".kc-will-update")).to_have_count(1)
    assert "still being indexed" in answer.inner_text()
    expect(page.locator("#kc-job[data-state=done]")).to_be_visible(timeout=240_000)
    updated = answer.locator(".kc-updated")
    expect(updated).to_have_count(1, timeout=120_000)
    assert re.search(r"Checked again|Updated now", updated.inner_text()), updated.inner_text()
    expect(answer.locator(".kc-will-update")).to_have_count(0)
    assert "still being indexed" not in answer.inner_text()
    expect(page.locator("#kc-chat .kc-answer")).to_have_count(1)  # replaced in place, not added
    truth = talk.slides[1]
    link = answer.locator("p", has_text="Spans").locator("a.kc-seek").first
    t = float(link.get_attribute("href").split("#kc-t=")[1])
    assert truth["start"] - 1 <= t < truth["end"], (t, early_t, truth)
    _shot(page, "d-2-answer-updated")
    # the export holds the updated answer
    with page.expect_download() as download:
        page.locator("#kc-export-json").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["turns"][0]["answer"]["pending"] == [] and len(data["turns"]) == 1
    log = slow_visual_app["log"].read_text()
    assert "Traceback" not in log and not re.search(r"warn", log, re.IGNORECASE), log[-3000:]
    assert outside == []


def _kill_llm_worker(app_pid: int, timeout_s: float = 60.0) -> int | None:
    """SIGKILL the app's LLM worker process as soon as it exists; its pid, or None."""
    import psutil

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for child in psutil.Process(app_pid).children(recursive=True):
            try:
                if "keyclip.backends.llm_worker" in " ".join(child.cmdline()):
                    child.kill()
                    return child.pid
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.05)
    return None


def test_an_answer_model_killed_mid_question_costs_one_line_and_the_chat_stays(chat_app, browser):
    """The LLM runs in its own process: killed while a question is answered, the page shows one
    line, the answer comes from the evidence, and the chat, the video and the server stay."""
    pytest.importorskip("psutil")
    page = _page(browser, chat_app["url"], [])
    page.locator("#kc-library input").click()
    page.locator("[role=option]").filter(has_text="sample.mp4").first.click()
    expect(page.locator("#kc-job[data-state=done]")).to_be_visible(timeout=60_000)
    _wait_playable(page)
    _ask(page, "When is separate chaining mentioned?")
    expect(page.locator("#kc-chat .kc-answer")).to_have_count(1, timeout=240_000)
    page.locator("#kc-settings").get_by_text("Settings").first.click()
    page.locator("#kc-llm input").click()
    smol = page.locator("[role=option]").filter(has_text="SmolLM2")
    if smol.count() == 0:
        pytest.skip("the packaged LLM is not offered here (its set-up check recorded a crash)")
    smol.first.click()
    _ask(page, "What does a hash table do with every key?")
    killed = _kill_llm_worker(chat_app["proc"].pid)
    assert killed is not None, "no LLM worker was started for the question"
    expect(page.locator("#kc-chat .kc-answer")).to_have_count(2, timeout=240_000)
    second = page.locator("#kc-chat .kc-answer").nth(1)
    notice = second.locator(".kc-notice")
    expect(notice.first).to_contain_text("crashed", timeout=10_000)
    assert "\n" not in notice.first.inner_text().strip() and "Traceback" not in second.inner_text()
    assert second.locator("a.kc-seek").count() >= 1  # still an answer with its times, from the evidence
    assert "collision" in page.locator("#kc-chat .kc-answer").nth(0).inner_text().lower()  # the first answer stays
    _wait_playable(page)
    assert chat_app["proc"].poll() is None
    _shot(page, "e-1-llm-killed-mid-question")


def test_the_picker_and_the_footer_on_a_phone_screen(chat_app, browser):
    """390 px wide: the player small on top, the chat right under it; the picker opened and
    closed without a choice says nothing; one Settings (the app's)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(chat_app["url"])
    expect(page.locator("#kc-library input")).to_be_visible(timeout=20_000)
    page.locator("#kc-library input").click()
    expect(page.locator("[role=option]").first).to_be_visible(timeout=10_000)
    page.keyboard.press("Escape")
    page.locator("h2").first.click()
    page.wait_for_timeout(1200)
    assert page.locator(".toast-body, [data-testid='toast-body']").count() == 0
    footer = page.locator("footer").inner_text().lower()
    assert "settings" not in footer, footer
    page.locator("#kc-library input").click()
    page.locator("[role=option]").filter(has_text="sample.mp4").first.click()
    expect(page.locator("#kc-job[data-state=done]")).to_be_visible(timeout=60_000)
    _wait_playable(page)
    chat_box = page.locator("#kc-chat").bounding_box()
    player_box = page.locator("#kc-player").bounding_box()
    upload_box = page.locator("#kc-upload").bounding_box()
    question_box = page.locator("#kc-q textarea").bounding_box()
    assert player_box["y"] < chat_box["y"] < question_box["y"] < 844 - question_box["height"], \
        (player_box, chat_box, question_box)
    assert upload_box["y"] > chat_box["y"], (upload_box, chat_box)
    _shot(page, "d-1-phone-layout")
    context.close()


def test_uploading_a_video_already_listed_opens_it_and_lists_it_once(chat_app, browser, sample, tmp_path):
    """The sample lecture is in the list (indexed before); uploaded again under another name it
    opens at once, indexed, and the list still holds one entry for it."""
    copy = tmp_path / "my lecture.mp4"
    shutil.copyfile(sample.path, copy)
    page = _page(browser, chat_app["url"], [])
    _upload(page, copy)
    expect(page.locator("#kc-job[data-state=done]")).to_be_visible(timeout=60_000)
    expect(page.locator("#kc-q textarea")).to_be_enabled(timeout=10_000)
    page.locator("#kc-library input").click()
    options = page.locator("[role=option]")
    expect(options.first).to_be_visible(timeout=10_000)
    names = [o.inner_text() for o in options.all()]
    assert sum("sample.mp4" in n for n in names) == 1 and not any("my lecture" in n for n in names), names
    page.keyboard.press("Escape")
    assert not list(chat_app["tmp"].glob("keyclip-ui-*/uploads/*/my lecture.mp4"))  # the copy is not kept
    page.context.close()


def test_a_crashed_run_s_folder_is_removed_at_start_and_a_running_one_kept(chat_app, tmp_path):
    from keyclip.ui.server import remove_stale_workdirs

    assert not chat_app["stale"].exists()
    mine = tmp_path / "keyclip-ui-running"
    mine.mkdir()
    (mine / "owner.pid").write_text(str(os.getpid()))
    assert remove_stale_workdirs(tmp_path) == [] and mine.is_dir()


def test_only_registered_videos_are_served(chat_app):
    url, tmp = chat_app["url"], chat_app["tmp"]
    uploads = sorted(p for p in tmp.glob("keyclip-ui-*/uploads/*/*") if p.is_file())
    assert uploads, "the upload test above should have left an accepted upload"
    for path in (uploads[0], Path("/etc/passwd"), tmp):
        status, _, _ = _get(f"{url}gradio_api/file={path}")
        assert status in (403, 404), (path, status)
    assert _get(f"{url}kc/media/not-a-token")[0] == 404
    assert _get(f"{url}kc/media/..%2F..%2Fetc%2Fpasswd")[0] == 404
    # Gradio's own served folder holds no upload once it has been accepted
    served = [p for p in tmp.glob("keyclip-ui-*/gradio/**/*") if p.is_file()]
    assert not [p for p in served if p.suffix in (".mp4", ".bin")], served


def test_media_route_serves_byte_ranges(chat_app, browser):
    """The player streams: a range request gets 206 and exactly the bytes asked for."""
    outside: list[str] = []
    page = _page(browser, chat_app["url"], outside)
    page.locator("#kc-library input").click()
    page.locator("[role=option]").filter(has_text="sample.mp4").first.click()
    expect(page.locator("#kc-job[data-state=done]")).to_be_visible(timeout=60_000)
    src = page.locator("#kc-player video").get_attribute("src")
    status, body, headers = _get(chat_app["url"] + src.lstrip("/"), {"Range": "bytes=100-199"})
    assert status == 206 and len(body) == 100, (status, len(body))
    assert headers.get("content-type", headers.get("Content-Type", "")).startswith("video/mp4")


def test_ctrl_c_stops_the_app_cleanly_and_removes_uploads(chat_app):
    """Runs last in this module: it stops the shared app."""
    proc = chat_app["proc"]
    assert list(chat_app["tmp"].glob("keyclip-ui-*"))
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(30) == 0
    text = chat_app["log"].read_text()
    assert "chat app stopped" in text and "Traceback" not in text, text[-2000:]
    assert not re.search(r"warn", text, re.IGNORECASE), text[-2000:]  # the whole module's run, crashes included
    assert not list(chat_app["tmp"].glob("keyclip-ui-*")), "the run's private folder (uploads) is left behind"


def test_chat_refuses_a_folder_that_is_not_an_archive(tmp_path):
    run = subprocess.run([sys.executable, str(REPO / "app.py"), "chat", "--archive", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "not an annotated archive" in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr


"""An answer as chat HTML: every time a link that seeks the player, citations with thumbnails.

Text from the video (speech, screen text) is untrusted: it is HTML-escaped and kept inside HTML
blocks, where Markdown is not interpreted, so it can neither add markup nor links. Seek links are
``<a class="kc-seek" href="#kc-t=SECONDS">``: the page's one click listener (``SEEK_JS``) reads
the fragment; Gradio's sanitizer keeps ``href`` and ``class`` (it strips ``data-*`` and ``on*``).
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from keyclip.agent.result import Answer
from keyclip.console import clock
from keyclip.index.partial import ASK_AGAIN

KIND_LABELS = {"speech": "said", "screen-text": "on screen", "seen": "seen", "frames": "seen (frames)", "scene": "footage"}

# 1:02:03, 12:03 or 0:07 (optionally with tenths) not inside a longer number
_TIME = re.compile(r"(?<![\d:.])(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)(?:\.(\d))?(?![\d:])")

SEEK_JS = """() => {
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a.kc-seek, a[href*="#kc-t="]');
    if (!link) return;
    const m = (link.getAttribute('href') || '').match(/#kc-t=([0-9]+(?:\\.[0-9]+)?)/);
    if (!m) return;
    event.preventDefault();
    event.stopPropagation();
    const video = document.querySelector('#kc-player video');
    if (!video) return;
    const t = parseFloat(m[1]);
    // play from the cited moment (a click is the gesture browsers require to start playback)
    const go = () => { video.currentTime = t; video.scrollIntoView({block: 'nearest'});
                       const p = video.play(); if (p) p.catch(() => {}); };
    if (video.readyState >= 1) go(); else video.addEventListener('loadedmetadata', go, {once: true});
  }, true);
  // the transcript line being said is highlighted as the video plays (media events do not
  // bubble; a capturing listener on the document still sees them)
  document.addEventListener('timeupdate', (event) => {
    const video = event.target;
    if (!(video instanceof HTMLVideoElement) || !video.closest('#kc-player')) return;
    let now = null;
    for (const line of document.querySelectorAll('#kc-transcript .kc-line')) {
      const a = line.querySelector('a.kc-seek');
      const m = a && (a.getAttribute('href') || '').match(/#kc-t=([0-9.]+)/);
      if (m && parseFloat(m[1]) <= video.currentTime + 0.05) now = line;
      line.classList.remove('kc-now');
    }
    if (now) now.classList.add('kc-now');
  }, true);
  // a format the browser cannot play: say so under the player (answers and times still work)
  document.addEventListener('error', (event) => {
    const video = event.target;
    if (!(video instanceof HTMLVideoElement) || !video.closest('#kc-player')) return;
    if (video.nextElementSibling && video.nextElementSibling.classList.contains('kc-error')) return;
    const note = document.createElement('div');
    note.className = 'kc-error';
    note.textContent = 'This browser cannot play this video (its format or codec); answers still cite its times.';
    video.after(note);
  }, true);
}"""

CSS = """
#kc-player video { width: 100%; max-height: 60vh; background: #000; border-radius: 6px; }
.kc-stage { display: flex; gap: .5em; align-items: center; font-size: .9em; }
.kc-stage progress { flex: 1; }
.kc-stage .kc-stage-name { width: 7em; }
.kc-error { color: #c62828; }
.kc-cites { display: flex; flex-direction: column; gap: .4em; margin-top: .5em; }
.kc-cite { display: flex; gap: .6em; align-items: flex-start; }
.kc-cite img.kc-thumb { width: 160px; height: auto; border-radius: 4px; transition: transform .15s;
                        transform-origin: left top; position: relative; }
.kc-cite img.kc-thumb:hover { transform: scale(2.2); z-index: 20; box-shadow: 0 2px 12px rgba(0,0,0,.4); }
.kc-question { white-space: pre-wrap; }
.kc-transcript { max-height: 40vh; overflow-y: auto; font-size: .9em; }
.kc-line { padding: .1em .3em; border-radius: 3px; }
.kc-line.kc-now { background: rgba(255, 200, 0, .25); }
.kc-chapters { margin: 0; padding-left: 1.6em; }
.kc-slides { display: flex; flex-wrap: wrap; gap: .6em; }
.kc-slide { display: flex; flex-direction: column; width: 160px; font-size: .8em; text-decoration: none; }
.kc-slide img.kc-thumb { width: 160px; height: auto; border-radius: 4px; }
/* narrow screens: a small player kept on top, the chat right under it, upload and status after */
@media (max-width: 640px) {
  #kc-main, #kc-left, #kc-right { display: contents !important; }
  #kc-player { order: 1; position: sticky; top: 0; z-index: 10; background: var(--body-background-fill); }
  #kc-player video { max-height: 28vh; }
  #kc-chat { order: 2; height: 45vh !important; }
  #kc-q, #kc-right > :has(#kc-q) { order: 3; }
  #kc-status { order: 4; }
  #kc-intake { order: 5; }
  #kc-export { order: 4; }
  #kc-panels { order: 6; }
  #kc-plan-box { order: 7; }
  #kc-settings { order: 8; }
  :has(> #kc-main) { display: flex !important; flex-direction: column; }
}
.kc-kind { font-size: .8em; opacity: .75; }
a.kc-seek { cursor: pointer; font-variant-numeric: tabular-nums; }
table.kc-plan { font-size: .85em; border-collapse: collapse; width: 100%; }
table.kc-plan th, table.kc-plan td { padding: .2em .4em; text-align: left; vertical-align: top; }
table.kc-plan tr.kc-note td { font-size: .9em; opacity: .7; padding-bottom: .5em; }
"""


def page_clock(t: float, duration: float | None = None) -> str:
    """A time as the player shows it: ``m:ss`` in a video under an hour, else ``H:MM:SS``."""
    if duration is None or duration >= 3600:
        return clock(t)
    total = int(max(0.0, float(t)))
    return f"{total // 60}:{total % 60:02d}"


_DEVELOPER_WORDS = (
    (re.compile(r"\s*\((?:set |see )?KEYCLIP_[^)]*\)"), ""),
    (re.compile(r"\s*\bset KEYCLIP_\w+(?:=\S+)?"), ""),
    (re.compile(r"\bthat FFmpeg can read\b"), "that can be read"),
    (re.compile(r"\bvisual-token budget\b"), "picture budget"),
)


def for_people(text: str) -> str:
    """keyclip's own message in a user's words: set-up hints (``KEYCLIP_*`` variables), library
    names and planner jargon are left to the details panel and the server log. Never applied to
    text from the video (an answer that quotes it)."""
    for pattern, words in _DEVELOPER_WORDS:
        text = pattern.sub(words, text)
    return text


def seek_link(t: float, label: str | None = None, duration: float | None = None) -> str:
    return f'<a class="kc-seek" href="#kc-t={t:.2f}">{html.escape(label or page_clock(t, duration))}</a>'


def link_times(text: str, duration: float | None = None, exact: list[float] | None = None) -> str:
    """``text`` HTML-escaped, with every clock time in it (``1:02:03``, ``12:03``) made a seek
    link (times past the video's end are left as text). A time written in whole seconds seeks to
    the ``exact`` time it was rounded from (a span's start), if one is within the second."""
    out, last = [], 0
    for m in _TIME.finditer(text):
        h, mnt, sec, tenth = m.groups()
        t = int(h or 0) * 3600 + int(mnt) * 60 + int(sec) + (int(tenth) / 10 if tenth else 0.0)
        if duration is not None and t > duration + 1:
            continue
        t = next((e for e in exact or [] if 0 <= e - t < 1), t)
        out.append(html.escape(text[last:m.start()]))
        out.append(seek_link(t, page_clock(t, duration) if duration is not None else m.group(0)))
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def thumbnail_url(path: str | None, max_bytes: int = 96_000) -> str | None:
    """A data: URL for a citation's JPEG (so no cache file is ever served), or None."""
    if not path:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if len(data) > max_bytes:
        return None
    return jpeg_data_url(data)


def jpeg_data_url(jpeg: bytes | None) -> str | None:
    """JPEG bytes as a data: URL (a page shows it without any file being served), or None."""
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii") if jpeg else None


def answer_html(answer: Answer, duration: float | None = None, earlier: Answer | None = None) -> str:
    """The chat message for ``answer`` (one HTML block: no blank lines inside); ``earlier``: the
    answer it replaces, given while the video was still being indexed."""
    title = "I can't answer that from this video" if answer.abstained else ""
    parts = ['<div class="kc-answer">']
    if earlier is not None:
        parts.append(f'<p class="kc-kind kc-updated">{html.escape(updated_line(earlier, answer, duration))}</p>')
    if title:
        parts.append(f"<p><strong>{html.escape(title)}.</strong></p>")
    starts = [a for a, _ in answer.spans] + [c.start for c in answer.citations]
    # an answer quotes the video: only an abstention's words are keyclip's own to reword
    text = for_people(answer.answer) if answer.abstained else answer.answer
    parts.append(f"<p>{link_times(_one_line(text, 2000), duration, starts)}</p>")
    if answer.abstain_reason:
        parts.append(f'<p class="kc-kind">{html.escape(_one_line(for_people(answer.abstain_reason)))}</p>')
    for notice in answer.notices:
        if answer.pending:  # the chat updates it by itself: no need to ask again
            notice = notice.replace(ASK_AGAIN, "")
        parts.append(f'<p class="kc-kind kc-notice">Notice: {html.escape(_one_line(for_people(notice)))}</p>')
    if answer.pending:
        parts.append('<p class="kc-kind kc-notice kc-will-update">This answer is updated here when the '
                     'whole video is indexed.</p>')
    if answer.spans:
        links = ", ".join(seek_link(a, f"{page_clock(a, duration)}–{page_clock(b, duration)}")
                          for a, b in answer.spans)
        parts.append(f"<p>Spans: {links}</p>")
    if answer.citations:
        parts.append('<div class="kc-cites">')
        for c in answer.citations[:8]:
            thumb = thumbnail_url(c.thumbnail)
            img = (f'<a class="kc-seek" href="#kc-t={c.start:.2f}"><img class="kc-thumb" src="{thumb}" '
                   f'alt="frame at {page_clock(c.start, duration)}"></a>' if thumb else "")
            label = KIND_LABELS.get(c.kind, c.kind)
            parts.append(f'<div class="kc-cite">{img}<div>{seek_link(c.start, duration=duration)}–'
                         f'{html.escape(page_clock(c.end, duration))} '
                         f'<span class="kc-kind">{html.escape(label)}</span><br>'
                         f'{html.escape(_one_line(c.text))}</div></div>')
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def updated_line(earlier: Answer, answer: Answer, duration: float | None = None) -> str:
    """One line over an answer that replaced one given from a partial index: whether it changed,
    and what the first one said (people may have read it)."""
    def said(a: Answer) -> str:
        if a.abstained:
            return "no answer"
        where = f" at {page_clock(a.spans[0][0], duration)}" if a.spans else ""
        return f"\u201c{_one_line(a.answer, 160)}\u201d{where}"

    same = (earlier.abstained == answer.abstained and earlier.answer == answer.answer
            and earlier.spans[:1] == answer.spans[:1])
    if same:
        return "Checked again now that the whole video is indexed: the answer stands."
    return f"Updated now that the whole video is indexed (the first answer, from part of it, was {said(earlier)})."


PLAN_HEADERS = ("turn", "clips", "frames", "resolution", "visual tok.", "text tok.", "s")


def plan_html(answer: Answer, duration: float | None = None) -> str:
    """The answer's budget plan and latency: a summary line, then one row per turn (what the
    agent did, its clips as seek links, frames, resolution, tokens, seconds) and its note."""
    models = ", ".join(f"{k}: {v}" for k, v in answer.models.items() if v) or "no LLM or VLM (evidence only)"
    head = (f'<p id="kc-plan-summary"><strong>{answer.visual_tokens} of {answer.budget}</strong> visual tokens '
            f"used over {len(answer.turns)} turns · answered in <strong>{answer.seconds:.2f} s</strong> · "
            f"{html.escape(models)}</p>")
    rows = []
    for t in answer.turns:
        clips = ", ".join(seek_link(a, f"{page_clock(a, duration)}–{page_clock(b, duration)}")
                          for a, b in t.clips) or "—"
        rows.append(f"<tr><td>{html.escape(t.action)}</td><td>{clips}</td><td>{t.frames}</td>"
                    f"<td>{html.escape(t.resolution or '—')}</td><td>{t.visual_tokens}</td><td>{t.text_tokens}</td>"
                    f"<td>{t.seconds:.2f}</td></tr>"
                    f'<tr class="kc-note"><td></td><td colspan="6">{html.escape(_one_line(t.note))}</td></tr>')
    header = "".join(f"<th>{h}</th>" for h in PLAN_HEADERS)
    return f'{head}<table class="kc-plan"><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


NO_PLAN = '<p id="kc-plan-summary">No answer yet.</p>'


STAGE_NAMES = {"scenes": "scenes", "speech": "speech", "ocr": "screen text", "objects": "objects",
               "embed": "search", "voices": "voices", "classes": "image labels", "kinds": "scene kinds",
               "frames": "picture search"}
"""Index stages as a status line names them (the one decode that feeds scenes, screen text and
objects, ``decode: scenes+ocr+objects`` to the build, is "pictures")."""


def stage_name(stage: str) -> str:
    return "pictures" if stage.startswith("decode:") else STAGE_NAMES.get(stage, stage)


def _duration_words(seconds: float) -> str:
    if seconds < 60:
        return f"{max(5, int(round(seconds / 5)) * 5)} s"
    return f"{int(round(seconds / 60))} min"


def job_html(name: str, state: str, stages: dict, notices: list[str], ahead: int = 0, error: str | None = None) -> str:
    """Indexing status: one bar per stage (``stages``: name -> StageBar)."""
    name = html.escape(name)
    if state == "failed":
        return f'<div id="kc-job" class="kc-error" data-state="failed">{html.escape(error or "indexing failed")}</div>'
    if state == "done":
        return f'<div id="kc-job" data-state="done">Indexed <strong>{name}</strong>: ask away.</div>'
    head = (f"Waiting to index <strong>{name}</strong> ({ahead} ahead)" if state == "queued"
            else f"Indexing <strong>{name}</strong>…")
    rows = []
    for stage, bar in stages.items():
        frac = bar.fraction
        value = f' value="{frac:.3f}"' if frac is not None else ""
        pct = f"{frac:.0%}" if frac is not None else ""
        left = bar.seconds_left()
        if left is not None:
            pct += f" · about {_duration_words(left)} left"
        rows.append(f'<div class="kc-stage"><span class="kc-stage-name">{html.escape(stage_name(stage))}</span>'
                    f'<progress max="1"{value}></progress><span>{pct}</span></div>')
    notes = "".join(f'<div class="kc-kind">{html.escape(n)}</div>' for n in notices[-3:])
    return f'<div id="kc-job" data-state="{state}"><div>{head}</div>{"".join(rows)}{notes}</div>'

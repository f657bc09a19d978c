"""The chat page (Gradio Blocks): a player beside a chat, uploads indexed in the background,
settings, and each answer's budget plan.

Per browser tab, ``gr.State`` holds a ``TabState``: its id (the agent's session), the video it
is on, the indexing job it waits for and one chat history per video. Nothing in it is shared
with another tab.
"""

from __future__ import annotations

import html
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

from keyclip.agent.result import Answer
from keyclip.backends.registry import model_table
from keyclip.console import clock
from keyclip.errors import KeyclipError
from keyclip.logs import logger
from keyclip.settings import Settings
from keyclip.ui.agents import Agents, AnswerChoice, llm_choices
from keyclip.ui.export import conversation_json, conversation_markdown
from keyclip.ui.jobs import IndexJobs
from keyclip.ui.library import Library, VideoEntry
from keyclip.ui.panels import VideoPanels, video_panels
from keyclip.ui.render import NO_PLAN, answer_html, for_people, job_html, page_clock, plan_html
from keyclip.ui.tabs import TabRegistry

VIDEO_TYPES = [".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".wmv", ".flv", ".ogv"]


@dataclass
class ChatTurn:
    """One question of a chat, its answer, the settings it was asked with, and where the answer
    is in the chat's history (so it can be replaced when the whole video is indexed)."""

    question: str
    answer: Answer
    choice: AnswerChoice
    message: int


@dataclass
class TabState:
    session: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    video: str | None = None
    """The library token of the video the chat is on (set once it is indexed)."""
    index_path: str | None = None
    job: str | None = None
    chats: dict[str, list[dict]] = field(default_factory=dict)
    conversations: dict[str, str] = field(default_factory=dict)
    """The agent session of each video's chat (a cleared chat starts a new one)."""
    turns: dict[str, list[ChatTurn]] = field(default_factory=dict)
    """Each video's questions and answers (for export, and to update answers given while it was
    being indexed)."""
    panels: VideoPanels | None = None
    panels_of: tuple = ()
    """What ``panels`` were built from: (video token, committed stages)."""
    search: str = ""
    """The transcript search (kept while the panels refresh)."""
    updates: int = 0
    """How many times answers were updated (the value ``update_due`` is set to)."""

    def conversation(self, token: str) -> str:
        return self.conversations.setdefault(token, f"{self.session}-{secrets.token_hex(4)}")


@dataclass
class ChatApp:
    settings: Settings
    library: Library
    jobs: IndexJobs
    agents: Agents
    uploads: Path
    """Where accepted uploads are moved (outside Gradio's served folder)."""
    tabs: TabRegistry = field(default_factory=TabRegistry)
    """Each browser's chat state, found again after a reload."""


def _entry_for(app: ChatApp, tab: TabState, token: str | None) -> VideoEntry | None:
    entry = app.library.get(token or "")
    if entry is None or (entry.owner is not None and entry.owner != tab.session):
        return None
    return entry


def _library_choices(app: ChatApp, tab: TabState) -> list[tuple[str, str]]:
    out = []
    for e in app.library.visible_to(tab.session):
        length = f" · {page_clock(e.duration, e.duration)}" if e.duration else ""
        where = {"cache": "indexed", "archive": "archive", "upload": "your upload"}[e.source]
        out.append((f"{e.name}{length} · {where}", e.token))
    return out


def player_html(entry: VideoEntry) -> str:
    return (f'<video src="/kc/media/{entry.token}" controls preload="metadata" playsinline></video>'
            f'<div class="kc-kind">{html.escape(entry.name)}'
            f'{" · " + page_clock(entry.duration, entry.duration) if entry.duration else ""}</div>')


SESSION_KEY = "keyclip-session"
READ_SESSION_JS = f"(tab, s) => [tab, window.localStorage.getItem('{SESSION_KEY}') || '']"
KEEP_SESSION_JS = f"(s) => {{ if (s) window.localStorage.setItem('{SESSION_KEY}', s); }}"
NO_PANEL = '<p class="kc-kind">Open a video to see its chapters, slides and transcript.</p>'
EMPTY_PLAYER = '<div class="kc-kind">Upload a video or pick one already indexed.</div>'


def _clean(message: str, entry: VideoEntry, settings: Settings) -> str:
    """A message safe to show: the video's server path replaced by its name, other server folders
    (the cache, the app's own) by a word."""
    message = message.replace(str(entry.path), entry.name).replace(str(entry.path.parent) + "/", "")
    message = message.replace(str(settings.cache_dir), "<cache>")
    return re.sub(r"(/[\w.\-]+){2,}", "<server path>", message)


def upload_file_name(name: str) -> str:
    """The name an upload is kept under: the person's own file name (so the picker shows it after
    a restart too), reduced to safe characters."""
    path = Path(name)
    stem = re.sub(r"[^\w.\- ]+", "_", path.stem).strip(" .") or "video"
    return stem[:80] + path.suffix.lower()


def question_html(text: str) -> str:
    """A person's question as chat HTML: escaped and inside an HTML block, so Markdown in it
    (links, images) stays text."""
    lines = [html.escape(line) for line in text.splitlines() if line.strip()]
    return '<div class="kc-question">' + "<br>".join(lines) + "</div>"


def build_blocks(app: ChatApp) -> gr.Blocks:
    s = app.settings
    models = "".join(f"<tr><td>{html.escape(r.role)}</td><td>{html.escape(r.backend)}</td>"
                     f"<td>{html.escape(r.model)}</td><td>{'yes' if r.present else 'no'}</td></tr>"
                     for r in model_table(s))
    llms = llm_choices(s)

    with gr.Blocks(title="keyclip chat", analytics_enabled=False) as demo:
        tab = gr.State(lambda: TabState())  # called per tab (a class would be taken for a value)
        # this browser's session id, read from and kept in its localStorage by the page itself
        # (read synchronously before the load event is sent, so a reload never races it)
        stored = gr.Textbox(visible=False, elem_id="kc-session")
        timer = gr.Timer(1.0, active=False)
        # bumped when answers given from a partial index can be updated: its change event
        # re-asks them in the answering queue (never inside a tick)
        update_due = gr.State(0)
        gr.Markdown("## keyclip · ask a video, get answers with the moments they rest on")
        with gr.Row(equal_height=False, elem_id="kc-main"):
            with gr.Column(scale=5, elem_id="kc-left"):
                player = gr.HTML(EMPTY_PLAYER, elem_id="kc-player")
                with gr.Row(elem_id="kc-intake"):
                    upload = gr.UploadButton("Upload a video", file_types=VIDEO_TYPES, type="filepath",
                                             elem_id="kc-upload", variant="primary", scale=0, min_width=160)
                    pick = gr.Dropdown(choices=[], value=None, label="or pick one already indexed",
                                       elem_id="kc-library", interactive=True, scale=1)
                status = gr.HTML("", elem_id="kc-status")
                with gr.Tabs(elem_id="kc-panels"):
                    with gr.Tab("Chapters", elem_id="kc-tab-chapters"):
                        chapters_panel = gr.HTML(NO_PANEL, elem_id="kc-chapters")
                    with gr.Tab("Slides", elem_id="kc-tab-slides"):
                        slides_panel = gr.HTML(NO_PANEL, elem_id="kc-slides")
                    with gr.Tab("Transcript", elem_id="kc-tab-transcript"):
                        search = gr.Textbox(placeholder="Search the transcript", show_label=False,
                                            elem_id="kc-tsearch", submit_btn=False)
                        transcript_panel = gr.HTML(NO_PANEL, elem_id="kc-transcript")
            with gr.Column(scale=6, elem_id="kc-right"):
                chat = gr.Chatbot(elem_id="kc-chat", height=520, feedback_options=None, label="chat",
                                  sanitize_html=True, render_markdown=True, group_consecutive_messages=False,
                                  buttons=["copy", "copy_all"], latex_delimiters=[])  # video text is not LaTeX
                question = gr.Textbox(placeholder="Ask about the video…", show_label=False, elem_id="kc-q",
                                      interactive=False, submit_btn=True)
                suggest = gr.Dataset(components=[gr.Textbox(visible=False)], samples=[], type="values",
                                     label="Try asking", elem_id="kc-suggest", visible=False, samples_per_page=4)
                with gr.Row(elem_id="kc-export"):
                    export_md = gr.DownloadButton("Export chat (Markdown)", value=None, interactive=False,
                                                  elem_id="kc-export-md", size="sm", variant="secondary")
                    export_json = gr.DownloadButton("Export chat (JSON)", value=None, interactive=False,
                                                    elem_id="kc-export-json", size="sm", variant="secondary")
                with gr.Accordion("Budget plan and latency of the last answer", open=False, elem_id="kc-plan-box"):
                    plan = gr.HTML(NO_PLAN, elem_id="kc-plan")
                with gr.Accordion("Settings", open=False, elem_id="kc-settings"):
                    budget = gr.Slider(1024, 32768, value=s.select.budget, step=512,
                                       label="how much of the picture the model may look at (visual tokens, "
                                             "all turns)", elem_id="kc-budget")
                    turns = gr.Slider(1, 8, value=s.agent.max_turns, step=1, label="max turns", elem_id="kc-turns")
                    llm = gr.Dropdown(choices=llms, value=llms[0][1], label="LLM for open answers", elem_id="kc-llm")
                    gr.HTML('<p class="kc-kind">Model backends (as <code>app.py models</code> lists them; set in '
                            'keyclip.toml or KEYCLIP_* variables)</p><table class="kc-plan"><thead><tr><th>role</th>'
                            f'<th>backend</th><th>model</th><th>present</th></tr></thead><tbody>{models}</tbody></table>',
                            elem_id="kc-models")

        def unchanged() -> list:
            """A skip for every output of opening a video but the tab (``opened``, defined with
            the events below)."""
            return [gr.skip()] * (len(opened) - 1)

        def on_load(tab: TabState, session: str | None):
            """A new page, or this browser's page reloaded: then its chats, uploads and video
            are as they were."""
            known = app.tabs.recall(session)
            if known is None:
                app.tabs.remember(tab.session, tab)
                return (gr.update(choices=_library_choices(app, tab), value=None), *unchanged(), tab,
                        tab.session)
            tab = known
            tab.search = ""  # the new page's search box is empty
            entry = _entry_for(app, tab, tab.video)
            shown = open_video(tab, entry) if entry is not None else unchanged()
            return (gr.update(choices=_library_choices(app, tab), value=entry.token if entry else None),
                    *shown, tab, tab.session)

        def open_video(tab: TabState, entry: VideoEntry):
            """Switch the tab to ``entry`` at once: its player (watch while it is indexed), its own
            chat, and the question box closed until its index holds speech."""
            job = app.jobs.submit(entry)
            tab.job, tab.video = job.id, entry.token
            tab.index_path = str(job.index_path) if app.jobs.askable(job) and job.index_path else None
            snap, notices = job.progress.snapshot()
            status_html = job_html(entry.name, job.state, snap, notices, app.jobs.ahead_of(job))
            history = tab.chats.setdefault(entry.token, [])
            running = job.state in ("queued", "running")
            return (status_html, player_html(entry), history, question_state(job, entry), gr.Timer(active=running),
                    *panels_update(tab, job, entry, tab.search, force=True), *export_files(tab, entry),
                    update_signal(tab, job, entry))

        def question_state(job, entry: VideoEntry):
            if job.state == "done":
                return gr.update(interactive=True, placeholder="Ask about the video…")
            if job.state == "failed":
                return gr.update(interactive=False, placeholder=f"{entry.name} could not be indexed.")
            if app.jobs.askable(job):
                return gr.update(interactive=True, placeholder="Ask about the video… (its speech is in; "
                                 "on-screen text and pictures are still being indexed)")
            return gr.update(interactive=False, placeholder=f"Questions open once the speech of {entry.name} "
                             "is indexed; you can watch it meanwhile.")

        def panels_update(tab: TabState, job, entry: VideoEntry, query: str = "", force: bool = False):
            """The three panels, rebuilt when the video or its committed stages changed (else left
            as they are on the page, so a scrolled transcript is not redrawn every second)."""
            hidden = gr.Dataset(samples=[], visible=False)
            if not tab.index_path:
                tab.panels, tab.panels_of = None, ()
                return NO_PANEL, NO_PANEL, NO_PANEL, hidden
            made_of = (entry.token, job.state, tuple(sorted(job.committed)))
            if tab.panels is not None and tab.panels_of == made_of and not force:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            try:
                tab.panels = video_panels(Path(tab.index_path), entry.duration)
            except KeyclipError as exc:
                logger.warning("%s: panels not shown (%s)", entry.name, exc)
                tab.panels, tab.panels_of = None, ()
                return NO_PANEL, NO_PANEL, NO_PANEL, hidden
            tab.panels_of = made_of
            p = tab.panels
            ideas = p.suggestions()
            return (p.chapters_html(), p.slides_html(), p.transcript_html(query),
                    gr.Dataset(samples=[[q] for q in ideas], visible=bool(ideas)))

        def update_signal(tab: TabState, job, entry: VideoEntry):
            """A new value for ``update_due`` when ``entry``'s index is complete and some of its
            answers were given before it was, else a skip."""
            if job is None or job.state != "done" or not any(t.answer.pending for t in tab.turns.get(entry.token, [])):
                return gr.skip()
            tab.updates += 1
            return tab.updates

        def export_files(tab: TabState, entry: VideoEntry):
            turns = [(t.question, t.answer) for t in tab.turns.get(entry.token, [])]
            if not turns:
                return gr.update(value=None, interactive=False), gr.update(value=None, interactive=False)
            folder = app.uploads.parent / "exports" / tab.session
            folder.mkdir(parents=True, exist_ok=True)
            stem = Path(upload_file_name(entry.name)).stem
            md, js = folder / f"{stem} chat.md", folder / f"{stem} chat.json"
            md.write_text(conversation_markdown(entry.name, entry.duration, turns), encoding="utf-8")
            js.write_text(conversation_json(entry.name, entry.duration, turns), encoding="utf-8")
            return gr.update(value=str(md), interactive=True), gr.update(value=str(js), interactive=True)

        def on_upload(path: str | None, tab: TabState):
            if not path:
                raise gr.Error("No file arrived.", print_exception=False)
            source = Path(path)
            name = source.name
            # Gradio names an upload by its content: two people uploading the same file share one
            # path, so each takes its own hard link before anything else
            private = app.uploads / secrets.token_hex(16)
            private.mkdir(parents=True)
            mine = private / upload_file_name(name)
            try:
                try:
                    os.link(source, mine)
                except OSError:
                    shutil.copyfile(source, mine)
            except OSError:
                shutil.rmtree(private, ignore_errors=True)
                raise gr.Error(f"The upload of {name} did not arrive whole; please upload it again.",
                               print_exception=False) from None
            finally:
                source.unlink(missing_ok=True)  # Gradio's copy: never left in its served folder
            try:
                entry = _accept_upload(app, tab, mine, name)
            except BaseException:
                shutil.rmtree(private, ignore_errors=True)
                raise
            return (gr.update(choices=_library_choices(app, tab), value=entry.token), *open_video(tab, entry), tab)

        def on_pick(token: str | None, tab: TabState):
            if not token:  # the picker opened and closed without a choice
                return *unchanged(), tab
            entry = _entry_for(app, tab, token)
            if entry is None:
                raise gr.Error("That video is not available.", print_exception=False)
            if entry.token == tab.video and tab.job is None and tab.index_path:
                return *unchanged(), tab  # already open
            return (*open_video(tab, entry), tab)

        def on_tick(tab: TabState):
            job = app.jobs.get(tab.job or "")
            if job is None or job.entry.token != tab.video:
                return gr.skip(), gr.skip(), gr.Timer(active=False), *[gr.skip()] * len(panels), gr.skip(), tab
            entry = job.entry
            snap, notices = job.progress.snapshot()
            notices = [_clean(n, entry, app.settings) for n in notices]
            error = job.error and _clean(job.error, entry, app.settings)
            status_html = job_html(entry.name, job.state, snap, notices, app.jobs.ahead_of(job), error)
            if app.jobs.askable(job) and job.index_path is not None:
                tab.index_path = str(job.index_path)
            if job.state in ("queued", "running"):
                return (status_html, question_state(job, entry), gr.Timer(active=True),
                        *panels_update(tab, job, entry, tab.search), gr.skip(), tab)
            tab.job = None
            if job.state == "failed":
                tab.index_path = None
                gr.Warning(error or "indexing failed")
            return (status_html, question_state(job, entry), gr.Timer(active=False),
                    *panels_update(tab, job, entry, tab.search), update_signal(tab, job, entry), tab)

        def on_search(query: str, tab: TabState):
            tab.search = query or ""
            if tab.panels is None:
                return gr.skip(), tab
            return tab.panels.transcript_html(tab.search), tab

        def on_ask(text: str, tab: TabState, budget_v: float, turns_v: float, llm_v: str):
            text = (text or "").strip()
            entry = _entry_for(app, tab, tab.video)
            if entry is None or not tab.index_path:
                raise gr.Error("Upload or pick a video first.", print_exception=False)
            if not text:
                return *[gr.skip()] * 6, tab
            choice = AnswerChoice(int(budget_v), int(turns_v), llm_v or "none")
            try:
                answer = app.agents.ask(Path(tab.index_path), entry.path, text, choice,
                                        session=tab.conversation(entry.token))
            except KeyclipError as exc:
                raise gr.Error(_clean(str(exc), entry, app.settings), print_exception=False) from None
            except Exception as exc:  # noqa: BLE001 - logged here; the page gets a line without internals
                logger.exception("answering %r on %s failed", text, entry.name)
                raise gr.Error(f"Answering failed ({type(exc).__name__}); the server log has the details.",
                               print_exception=False) from None
            history = tab.chats.setdefault(entry.token, [])
            history += [{"role": "user", "content": question_html(text)},
                        {"role": "assistant", "content": answer_html(answer, entry.duration)}]
            tab.turns.setdefault(entry.token, []).append(ChatTurn(text, answer, choice, len(history) - 1))
            if tab.video != entry.token:  # another video was opened meanwhile: file the answer under its own
                return gr.skip(), "", gr.skip(), gr.skip(), gr.skip(), gr.skip(), tab
            # the index may have been finished while this answer was given from part of it
            job = app.jobs.of_video(entry.token)
            return (history, "", plan_html(answer, entry.duration), *export_files(tab, entry),
                    update_signal(tab, job, entry), tab)

        def on_update(_due: int, tab: TabState):
            """Answer again, from the whole index, the questions of the open video that were
            answered while it was being indexed, and put the new answers in place of the old
            (each says whether it changed). Every question of the chat is asked again in a new
            conversation, in order, so follow-ups refer to the updated answers; those answered
            from the whole index already are left as shown."""
            entry = _entry_for(app, tab, tab.video)
            turns = tab.turns.get(entry.token, []) if entry is not None else []
            if entry is None or not tab.index_path or not any(t.answer.pending for t in turns):
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), tab
            tab.conversations.pop(entry.token, None)
            session = tab.conversation(entry.token)
            history = tab.chats.setdefault(entry.token, [])
            for turn in turns:
                try:
                    answer = app.agents.ask(Path(tab.index_path), entry.path, turn.question, turn.choice,
                                            session=session)
                except Exception:  # noqa: BLE001 - the first answer stays, as it was shown
                    logger.exception("updating the answer to %r on %s failed", turn.question, entry.name)
                    continue
                if answer.pending or not turn.answer.pending:
                    continue  # still not the whole index (another build is running), or asked from it already
                earlier, turn.answer = turn.answer, answer
                if turn.message < len(history):
                    history[turn.message] = {"role": "assistant",
                                             "content": answer_html(answer, entry.duration, earlier=earlier)}
            if tab.video != entry.token or tab.chats.get(entry.token) is not history:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), tab  # another video, or the chat was cleared
            last = turns[-1].answer
            return history, plan_html(last, entry.duration), *export_files(tab, entry), tab

        def on_clear(tab: TabState):
            if tab.video:
                tab.chats[tab.video] = []
                tab.turns.pop(tab.video, None)
                tab.conversations.pop(tab.video, None)  # follow-ups no longer refer to the cleared turns
            off = gr.update(value=None, interactive=False)
            return NO_PLAN, off, off, tab

        # errors are toasts: no "Error" badge left over the picker or the status
        panels = [chapters_panel, slides_panel, transcript_panel, suggest]
        exports = [export_md, export_json]
        opened = [status, player, chat, question, timer, *panels, *exports, update_due, tab]
        demo.load(on_load, [tab, stored], [pick, *opened, stored], api_visibility="private",
                  js=READ_SESSION_JS).then(None, [stored], None, js=KEEP_SESSION_JS)
        upload.upload(on_upload, [upload, tab], [pick, *opened], api_visibility="private",
                      concurrency_id="intake", concurrency_limit=4, show_progress="hidden")
        pick.input(on_pick, [pick, tab], opened, api_visibility="private",
                   concurrency_id="intake", show_progress="hidden")
        timer.tick(on_tick, [tab], [status, question, timer, *panels, update_due, tab], api_visibility="private",
                   concurrency_limit=None, show_progress="hidden")
        question.submit(on_ask, [question, tab, budget, turns, llm], [chat, question, plan, *exports, update_due, tab],
                        api_visibility="private", concurrency_id="ask", concurrency_limit=1)
        update_due.change(on_update, [update_due, tab], [chat, plan, *exports, tab], api_visibility="private",
                          concurrency_id="ask", concurrency_limit=1, show_progress="hidden")
        chat.clear(on_clear, [tab], [plan, *exports, tab], api_visibility="private")
        # a suggested question is asked as if typed (the box must be open: the video is askable)
        suggest.click(lambda values: values[0], [suggest], [question], api_visibility="private",
                      show_progress="hidden").then(
            on_ask, [question, tab, budget, turns, llm], [chat, question, plan, *exports, update_due, tab],
            api_visibility="private", concurrency_id="ask", concurrency_limit=1)
        search.change(on_search, [search, tab], [transcript_panel, tab], api_visibility="private",
                      show_progress="hidden", concurrency_limit=None)
    return demo


def _accept_upload(app: ChatApp, tab: TabState, source: Path, name: str) -> VideoEntry:
    """Check an upload already in the app's private upload folder (size, type, readable video,
    duration) and register it for ``tab`` (or, when ``tab`` already sees the same video, return
    that entry and drop the upload); raises gr.Error (one line) when it is refused."""
    from keyclip.media.probe import probe

    limits = app.settings.ui
    if source.stat().st_size > limits.max_upload_mb * 1024 * 1024:
        raise gr.Error(f"{name} is larger than the {limits.max_upload_mb:g} MB upload limit.", print_exception=False)
    if source.suffix.lower() not in VIDEO_TYPES:
        raise gr.Error(f"{name} is not a video file keyclip accepts ({', '.join(VIDEO_TYPES)}).",
                       print_exception=False)
    try:
        media = probe(source)
    except KeyclipError as exc:
        message = for_people(re.sub(r"\[Errno -?\d+\] ", "", str(exc).replace(str(source), name)))
        raise gr.Error(f"Rejected: {message}", print_exception=False) from None
    if media.video is None:
        raise gr.Error(f"Rejected: {name} has no video stream.", print_exception=False)
    if media.duration > limits.max_duration_s:
        raise gr.Error(f"Rejected: {name} is {clock(media.duration)} long; the limit is "
                       f"{clock(limits.max_duration_s)}.", print_exception=False)
    from keyclip.media.hashing import content_hash

    try:
        content = content_hash(source, app.settings.cache_dir)  # remembered: indexing reads it again
    except KeyclipError:
        content = None
    entry, added = app.library.add_upload(source, name, owner=tab.session, duration=media.duration, content=content)
    if not added and app.uploads in source.parents:  # listed already (indexed, or uploaded before)
        shutil.rmtree(source.parent, ignore_errors=True)
    return entry

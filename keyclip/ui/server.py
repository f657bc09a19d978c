"""``app.py chat``: the Gradio page mounted on a FastAPI app that also streams the library's
videos (``/kc/media/<token>``, HTTP range requests), served by uvicorn.

Gradio serves files from its own temp folder to whoever knows their path, so the app gives it a
private folder per run, moves each accepted upload out of it at once, and serves videos only by
token. Analytics and update checks are off (no network is needed or used).
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from keyclip.logs import logger
from keyclip.settings import Settings

WORKDIR_PREFIX = "keyclip-ui-"
OWNER_FILE = "owner.pid"
UNOWNED_AFTER_S = 24 * 3600
"""A run folder without an owner file (an older keyclip's) is left alone for this long."""


def remove_stale_workdirs(root: Path) -> list[Path]:
    """Delete the run folders (Gradio's temp files, uploads) of chat apps that were killed or
    crashed: their owner process is gone. Folders of running apps are kept."""
    import time

    removed = []
    for folder in root.glob(WORKDIR_PREFIX + "*"):
        if not folder.is_dir():
            continue
        try:
            pid = int((folder / OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            pid = None
        if pid is not None and _alive(pid):
            continue
        if pid is None and time.time() - folder.stat().st_mtime < UNOWNED_AFTER_S:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, archives: list[Path] | None = None,
          ready: Callable[[str], None] | None = None) -> None:
    """Run the chat app until interrupted; ``ready(url)`` is called once it listens."""
    for stale in remove_stale_workdirs(Path(tempfile.gettempdir())):
        logger.info("removed %s, left by a chat app that did not stop cleanly", stale.name)
    workdir = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX))
    (workdir / OWNER_FILE).write_text(str(os.getpid()))
    os.environ["GRADIO_TEMP_DIR"] = str(workdir / "gradio")
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("GRADIO_RUN_HISTORY", "False")
    try:
        _serve(settings, host, port, archives or [], workdir, ready)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _serve(settings: Settings, host: str, port: int, archives: list[Path], workdir: Path,
           ready: Callable[[str], None] | None) -> None:
    import gradio as gr
    import uvicorn
    from fastapi import FastAPI, HTTPException
    from fastapi.responses import FileResponse

    from keyclip.media.playback import PlaybackFiles, playback_key
    from keyclip.ui.agents import Agents
    from keyclip.ui.blocks import ChatApp, build_blocks
    from keyclip.ui.jobs import IndexJobs
    from keyclip.ui.library import Library
    from keyclip.ui.render import CSS, SEEK_JS

    library = Library.scan(settings, archives)
    jobs = IndexJobs(settings)
    agents = Agents(settings, embedder_factory=jobs.models.embedder)  # loaded after the page is up
    chat = ChatApp(settings, library, jobs, agents, uploads=workdir / "uploads")
    demo = build_blocks(chat)
    demo.queue(default_concurrency_limit=2, max_size=64)

    api = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    playback = PlaybackFiles(settings.cache_dir / "playback")

    @api.get("/kc/media/{token}")
    def media(token: str):
        entry = library.get(token)
        if entry is None or not entry.path.is_file():
            raise HTTPException(status_code=404, detail="no such video")
        served = playback.path_for(entry.path, playback_key(entry.path))
        kind = mimetypes.guess_type(served.name)[0] or "application/octet-stream"
        return FileResponse(served, media_type=kind,
                            headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"})

    gr.mount_gradio_app(api, demo, path="", server_name=host, server_port=port, footer_links=["gradio"],
                        allowed_paths=[], max_file_size=int(settings.ui.max_upload_mb * 1024 * 1024),
                        ssr_mode=False, show_error=False, css=CSS, js=SEEK_JS, mcp_server=False)
    config = uvicorn.Config(api, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)
    server = uvicorn.Server(config)
    quiet = _OpenPagesAtShutdown()
    logging.getLogger("uvicorn.error").addFilter(quiet)

    def started() -> None:
        threading.Thread(target=_warm_up, args=(agents,), name="keyclip-ui-warm", daemon=True).start()
        if ready is not None:
            ready(f"http://{host}:{port}/")

    _on_startup(api, started)
    try:
        server.run()
    finally:
        logging.getLogger("uvicorn.error").removeFilter(quiet)
        jobs.close()
        agents.close()


def _warm_up(agents) -> None:
    """Load the answering models while the first page is already served."""
    try:
        agents.warm_up()
    except Exception:  # noqa: BLE001 - the first question loads them again and reports the error
        logger.exception("loading the answering models failed")


class _OpenPagesAtShutdown(logging.Filter):
    """Pages left open keep streams (Gradio's event stream, the video) that uvicorn cancels when
    it stops; that is the normal way a server stops, not an error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, asyncio.CancelledError):
            return False
        return not record.getMessage().startswith("Cancel ")


def _on_startup(api, fn: Callable[[], None]) -> None:
    """Call ``fn`` once the server accepts connections (after Gradio's own start-up)."""
    import contextlib

    inner = api.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app):
        async with inner(app) as state:
            fn()
            yield state

    api.router.lifespan_context = lifespan

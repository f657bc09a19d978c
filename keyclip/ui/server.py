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
from collections.abc import Callable
from pathlib import Path

from keyclip.settings import Settings


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, archives: list[Path] | None = None,
          ready: Callable[[str], None] | None = None) -> None:
    """Run the chat app until interrupted; ``ready(url)`` is called once it listens."""
    workdir = Path(tempfile.mkdtemp(prefix="keyclip-ui-"))
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
    agents = Agents(settings, embedder=jobs.models.embedder())
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
    if ready is not None:
        _on_startup(api, lambda: ready(f"http://{host}:{port}/"))
    try:
        server.run()
    finally:
        logging.getLogger("uvicorn.error").removeFilter(quiet)
        jobs.close()
        agents.close()


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

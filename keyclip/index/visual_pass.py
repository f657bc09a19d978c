"""The single streamed decode that feeds every visual analyser.

Scene detection, keyframe thumbnails, OCR and object detection each subscribe to the same
frame stream; nothing re-opens the video per stage. Each analyser's result is returned as a
writer, so the caller commits each stage in its own transaction.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from keyclip.index.models import IndexModels
from keyclip.index.store import IndexStore
from keyclip.media.container import Damage
from keyclip.media.frames import stream_frames
from keyclip.media.probe import MediaInfo
from keyclip.settings import Settings
from keyclip.tools.scenes import SceneCutter, Span, split_into_clips

Writer = Callable[..., None]
"""Called with the stage's fingerprint as ``fingerprint=``; commits the stage."""


def run_visual_pass(
    path: Path,
    media: MediaInfo,
    s: Settings,
    todo: list[str],
    store: IndexStore,
    threads: int,
    progress,
    note: Callable[[str], None],
    models: IndexModels,
    should_stop: Callable[[], bool] = lambda: False,
    layout: tuple[list[Span], list[tuple[int, Span]]] | None = None,
) -> dict[str, tuple[float, Writer]]:
    """Run the visual stages in ``todo`` over one decode. Returns ``stage -> (seconds, writer)``.

    May run on a thread of its own when the caller passes ``layout`` (``stored_layout(store)``,
    needed when scenes are done and OCR or objects are not): it then never touches ``store`` and
    returns writers for the caller's thread to commit.
    ``should_stop`` is polled on every frame (InterruptedError)."""
    from keyclip.tools.detect import ObjectSampler, seen_crops, summarise
    from keyclip.tools.keyframes import ThumbnailSampler
    from keyclip.tools.ocr import ScreenTextTracker
    from keyclip.tools.scene_kinds import PictureMeter

    results: dict[str, tuple[float, Writer]] = {}
    duration = media.duration
    t_start = time.perf_counter()

    if media.video is None:  # audio only: one scene, clips for retrieval, nothing to look at
        scenes = [Span(0.0, duration)]
        clips = split_into_clips(scenes, s.clips.max_clip_s)
        if "scenes" in todo:
            results["scenes"] = (0.0, partial(
                store.write_scenes, seconds=0.0, scenes=[(x.t0, x.t1) for x in scenes],
                clips=[(i, c.t0, c.t1) for i, c in clips], keyframes=[], info={"skipped": "no video stream"}))
        for name in ("ocr", "objects"):
            if name in todo:
                results[name] = (0.0, partial(store.mark_skipped, name, reason="no video stream"))
        note(f"{path.name}: no video stream, visual stages skipped (speech only)")
        return results

    need_scenes = "scenes" in todo
    if not need_scenes and layout is None:
        layout = stored_layout(store)
    cutter = SceneCutter(s.scenes, media.video.average_fps) if need_scenes else None
    thumbs = ThumbnailSampler(s.clips) if need_scenes else None
    meter = PictureMeter() if need_scenes else None
    tracker = ScreenTextTracker(models.ocr(threads=threads), s.ocr) if "ocr" in todo else None
    sampler = None
    if "objects" in todo:
        detector, why_not = models.detector()
        if detector is None:
            note(why_not)
            results["objects"] = (0.0, partial(store.mark_skipped, "objects", reason=why_not))
        else:
            sampler = ObjectSampler(detector, s.detect)

    consumers = [c for c in (cutter, thumbs, meter, tracker, sampler) if c is not None]
    label = "decode: " + "+".join(n for n in todo if n in ("scenes", "ocr", "objects") and n not in results)
    progress.start(label, duration)
    frames = 0
    last_t = 0.0
    damage = Damage()
    for frame in stream_frames(path, skip_nonref=s.decode.skip_nonref, damage=damage):
        if should_stop():
            raise InterruptedError("visual pass stopped")
        for consumer in consumers:
            consumer.add(frame)
        frames += 1
        last_t = frame.t
        if frames % 25 == 0:
            progress.update(label, frame.t)
    decode_secs = time.perf_counter() - t_start
    progress.finish(label, f"{frames} frames")
    damaged = damage.notice(path.name, "picture")
    if damaged:
        note(damaged)
    if duration - last_t > max(2.0, 0.05 * duration):
        if damage.stopped_at is None:
            note(f"{path.name}: video ends early at {last_t:.1f}s of {duration:.1f}s (truncated file?)")
        duration = max(last_t, 0.04)

    if cutter is not None and thumbs is not None and meter is not None:
        scenes = cutter.finish(duration)
        clips = split_into_clips(scenes, s.clips.max_clip_s)
        keyframes = thumbs.choose(clips)
        results["scenes"] = (decode_secs, partial(
            store.write_scenes,
            seconds=decode_secs,
            scenes=[(x.t0, x.t1) for x in scenes],
            clips=[(i, c.t0, c.t1) for i, c in clips],
            keyframes=[(ci, th.t, th.width, th.height, th.jpeg) for ci, th in keyframes],
            info={"frames": frames, "detector": s.scenes.detector, "cuts": len(scenes) - 1},
            features=meter.features([(x.t0, x.t1) for x in scenes]),
        ))
        clip_spans = [(ci + 1, c) for ci, (_, c) in enumerate(clips)]
    else:
        scenes, clip_spans = layout
    cuts = [x.t0 for x in scenes[1:]]

    if tracker is not None:
        results["ocr"] = (decode_secs, partial(
            store.write_ocr,
            seconds=decode_secs,
            spans=tracker.finish(duration, cuts),
            info={"engine": tracker.engine.version, "samples": tracker.samples, "reads": tracker.reads},
        ))
    if sampler is not None:
        starts = [span.t0 for _, span in clip_spans]
        per_clip: dict[int, list] = {}
        for d in sampler.detections:
            k = bisect.bisect_right(starts, d.t) - 1
            if k >= 0:
                per_clip.setdefault(clip_spans[k][0], []).append(d)
        summaries = {cid: summarise(dets, max_gap_s=3 * s.detect.interval_s) for cid, dets in per_clip.items()}
        # the thumbnail of each clip's seen object: its largest box, cropped from its frame (frames
        # taken again are not turned upright, so a rotated video's citations keep the keyframe)
        w, h = media.video.width or 640, media.video.height or 360
        crops = {} if media.video.rotation else seen_crops(
            path, {(cid, o.label): (o.best_t, o.best_box) for cid, summary in summaries.items() for o in summary.seen},
            (640, max(2, round(640 * h / w / 2) * 2)))
        results["objects"] = (decode_secs, partial(
            store.write_objects,
            seconds=decode_secs,
            detections=sampler.detections,
            per_clip=summaries,
            crops=crops,
            info={"model": sampler.detector.version, "frames_checked": sampler.frames_checked,
                  "frames_looked": sampler.frames_looked, "checked_t": [round(t, 2) for t in sampler.checked_t]},
        ))
    # commit scenes before the stages that refer to its clips
    order = {"scenes": 0, "ocr": 1, "objects": 2}
    return dict(sorted(results.items(), key=lambda kv: order[kv[0]]))


def stored_layout(store: IndexStore) -> tuple[list[Span], list[tuple[int, Span]]]:
    """The committed scenes and ``(clip id, span)`` of an index."""
    return [Span(a, b) for a, b in store.scenes()], [(c.id, Span(c.t0, c.t1)) for c in store.clips()]

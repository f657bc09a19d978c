"""Probe, the one streamed decode, and audio chunks, on real encoded media."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from keyclip.errors import InputError
from keyclip.media.audio import SAMPLE_RATE, iter_audio_chunks
from keyclip.media.frames import DecodedFrame, stream_frames
from keyclip.media.probe import probe


def test_probe_reads_streams_and_duration(sample):
    info = probe(sample.path)
    assert info.video is not None and info.audio is not None
    assert (info.video.width, info.video.height) == (sample.width, sample.height)
    assert info.video.average_fps == 25.0 and not info.video.variable_frame_rate
    assert info.duration == pytest.approx(sample.duration, abs=0.1)


def test_every_frame_once_with_monotonic_times(sample):
    times = [f.t for f in stream_frames(sample.path)]
    assert len(times) == round(sample.duration * 25)
    assert all(b > a for a, b in zip(times, times[1:]))
    assert times[0] == pytest.approx(0.0, abs=1e-6)
    assert times[-1] == pytest.approx(sample.duration - 0.04, abs=1e-3)


def test_skip_nonref_keeps_true_times(sample):
    all_times = {round(f.t, 3) for f in stream_frames(sample.path)}
    some = [round(f.t, 3) for f in stream_frames(sample.path, skip_nonref=True)]
    assert 0 < len(some) <= len(all_times)
    assert set(some) <= all_times


def test_frames_convert_to_requested_widths(sample):
    frame = next(iter(stream_frames(sample.path)))
    small, big = frame.bgr(160), frame.bgr(10_000)
    assert small.shape == (90, 160, 3) and small.dtype == np.uint8
    assert big.shape == (sample.height, sample.width, 3)  # never upscaled
    assert frame.gray(160).shape == (90, 160)
    assert frame.bgr(160) is small  # converted once, then cached


def test_rotation_turns_frames_upright():
    img = np.zeros((40, 80, 3), dtype=np.uint8)
    img[:, :40] = 255  # left half white
    raw = av.VideoFrame.from_ndarray(img, format="bgr24")
    upright = DecodedFrame(t=0.0, index=0, rotation=90, _frame=raw)
    assert upright.display_size == (40, 80)
    out = upright.bgr(40)
    assert out.shape == (80, 40, 3)
    # 90 degrees counter-clockwise: the white left half becomes the bottom half
    assert out[-10:].mean() > 200 and out[:10].mean() < 50


def test_variable_frame_rate_times_come_from_timestamps(tmp_path):
    """Frames at irregular times: decoded times must equal the written pts, not index x fps."""
    path = tmp_path / "vfr.mp4"
    written = [0.0, 0.04, 0.5, 0.54, 1.5, 1.54, 3.0]
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=25)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        s.codec_context.time_base = Fraction(1, 1000)
        for i, t in enumerate(written):
            f = av.VideoFrame.from_ndarray(np.full((64, 64, 3), i * 30, np.uint8), format="rgb24")
            f.pts, f.time_base = int(t * 1000), Fraction(1, 1000)
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    got = [round(f.t, 3) for f in stream_frames(path)]
    assert got == pytest.approx(written, abs=0.002)


def test_audio_chunks_are_contiguous_16k_mono(sample):
    chunks = list(iter_audio_chunks(sample.path, chunk_s=10.0))
    assert len(chunks) == 3
    total = 0
    for start, samples in chunks:
        assert samples.dtype == np.float32 and samples.ndim == 1
        assert start == pytest.approx(total / SAMPLE_RATE, abs=0.05)
        total += samples.size
    assert total / SAMPLE_RATE == pytest.approx(sample.duration, abs=0.1)


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"this is not a video at all\n" * 40, "not a video"),
    ],
)
def test_bad_files_raise_one_clear_error(tmp_path, content, message):
    path = tmp_path / "input.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        probe(path)


def test_truncated_file_decodes_what_it_has(sample, tmp_path):
    data = open(sample.path, "rb").read()
    cut = tmp_path / "truncated.mp4"
    cut.write_bytes(data[: len(data) // 2])
    # mp4 with its index (moov) at the end cannot be opened once truncated; one that can
    # must give frames up to where the data stops
    try:
        info = probe(cut)
    except InputError as exc:
        assert "truncated.mp4" in str(exc)
        return
    times = [f.t for f in stream_frames(cut)]
    assert 0 < len(times) and times[-1] <= info.duration


def test_frames_far_apart_in_one_clip_are_the_frames_grabbed_one_by_one(sample):
    """A plan whose frames spread over the video (stratified, uniform) is grabbed with a seek per
    far-apart time: the pictures are exactly those of a short clip around each time."""
    from keyclip.media.grab import grab_frames

    times = [1.0, 2.0, 13.3, 25.5]
    together = grab_frames(sample.path, [(0.5, 26.0, times, (160, 90))])
    alone = [grab_frames(sample.path, [(t - 1, t + 1, [t], (160, 90))])[0] for t in times]
    assert [f.time for f in together] == times
    assert [f.jpeg for f in together] == [f.jpeg for f in alone]

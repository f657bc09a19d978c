"""Voices bench: the index's voices against each lecture set's speakers, and how far apart the
voice prints are.

    python bench/voice_bench.py [--json]

For every set found (``../shared/eval/dev`` and ``devsets/out/*``) the video is indexed with the
defaults (cached) and each speech segment is matched to the ground-truth speaker it overlaps most.
Per set: the speakers in the truth, the voices the index found, how many segments carry the
majority voice of their speaker (purity), and the separation of the prints the grouping relies
on: the lowest similarity of a segment to its own speaker's mean print and the highest to
another speaker's (``voices.same_voice`` must lie between them), and ms per segment.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sets import lecture_sets  # noqa: E402
from keyclip.backends.registry import make_voice_encoder  # noqa: E402
from keyclip.index.build import build_index  # noqa: E402
from keyclip.index.store import IndexStore  # noqa: E402
from keyclip.media.audio import SAMPLE_RATE, iter_audio_chunks  # noqa: E402
from keyclip.settings import Settings  # noqa: E402


def run_set(folder: Path, s: Settings, encoder) -> dict:
    gt = json.loads((folder / "ground_truth.json").read_text())
    video = folder / gt["video"]
    built = build_index(video, s)
    store = IndexStore.open(built.index_path, readonly=True)
    rows = store.voices()
    store.close()
    audio = np.concatenate([c for _, c in iter_audio_chunks(video, chunk_s=900)])
    speakers, voices, prints, ms = [], [], [], []
    for t0, t1, v in rows:
        if t1 - t0 < s.voices.min_speech_s:
            continue
        truth = max(gt["speech"], key=lambda x: min(x["end"], t1) - max(x["start"], t0))
        speakers.append(truth["speaker"])
        voices.append(v)
        t = time.perf_counter()
        prints.append(encoder.embed(audio[int(t0 * SAMPLE_RATE):int(t1 * SAMPLE_RATE)]))
        ms.append((time.perf_counter() - t) * 1000)
    x = np.stack(prints)
    means = {}
    for who in set(speakers):
        m = x[[i for i, w in enumerate(speakers) if w == who]].mean(axis=0)
        means[who] = m / np.linalg.norm(m)
    own = min(float(x[i] @ means[w]) for i, w in enumerate(speakers))
    other = max((float(x[i] @ means[o]) for i, w in enumerate(speakers) for o in means if o != w), default=float("nan"))
    majority = {w: Counter(v for v, sw in zip(voices, speakers, strict=True) if sw == w).most_common(1)[0][0]
                for w in set(speakers)}
    pure = sum(1 for v, w in zip(voices, speakers, strict=True) if v is not None and v == majority[w])
    return {"set": folder.name if folder.name != "dev" else "dev", "speakers": len(set(gt_speaker["speaker"]
            for gt_speaker in gt["speech"])), "voices": len({v for v in voices if v is not None}),
            "segments": len(voices), "no_voice": sum(v is None for v in voices), "pure": pure,
            "own_min": round(own, 3), "other_max": round(other, 3), "ms_per_segment": round(float(np.median(ms)), 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    s = Settings()
    encoder, why = make_voice_encoder(s)
    if encoder is None:
        print(f"error: {why}", file=sys.stderr)
        return 3
    rows = [run_set(folder, s, encoder) for _, folder in lecture_sets()]
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"voices.same_voice = {s.voices.same_voice}")
    print("| set | speakers (truth) | voices found | segments | without a voice | majority voice | "
          "own-speaker min | other-speaker max | ms/segment |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['set']} | {r['speakers']} | {r['voices']} | {r['segments']} | {r['no_voice']} | "
              f"{r['pure']}/{r['segments']} | {r['own_min']} | {r['other_max']} | {r['ms_per_segment']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

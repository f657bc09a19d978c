"""Embedder benchmark: the default int8 ONNX MiniLM against sentence-transformers on torch.

    .venv/bin/python bench/embed_bench.py          # sample lecture + dev lecture (if present)

Per evaluation set and backend: retrieval hit@1 / hit@5 (a retrieved record overlaps the item's
answer span) for the dense half alone and for the hybrid search the agent uses (FTS5 + dense,
RRF), the cosine between the two backends' vectors of the same records, and the seconds to embed
the set's records (model loaded), in one run; import and load times are in ``cold_start.py``.
Items are the dev QA (``qa.jsonl``) and, for the generated sample lecture, one question per
slide written from its known text. Needs the ``st`` extra for the second backend.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from keyclip.backends.registry import make_embedder
from keyclip.index.build import build_index
from keyclip.index.query import dense_ranking, search_store
from keyclip.index.store import IndexStore
from keyclip.samples import make_sample_lecture
from keyclip.settings import Settings

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev"
BACKENDS = ("onnx", "sentence-transformers")


def _overlaps(record, span) -> bool:
    return record.t0 < span[1] and span[0] < record.t1


def sets(cache: Path) -> list[tuple[str, Path, list[dict]]]:
    out = []
    sample = make_sample_lecture(Path(tempfile.mkdtemp(prefix="kc-embed-")) / "sample.mp4")
    items = [{"question": f"Where is {sl['title'].lower()} explained?", "answer_span": [sl["start"], sl["end"]]}
             for sl in sample.slides]
    out.append(("sample lecture", Path(sample.path), items))
    if (DEV / "qa.jsonl").is_file():
        dev_items = [json.loads(line) for line in (DEV / "qa.jsonl").read_text().splitlines() if line.strip()]
        out.append(("dev lecture", DEV / "hash_tables_lecture.mp4", [i for i in dev_items if i["type"] != "visual"]))
    return out


def main() -> None:
    console = Console()
    table = Table("set", "backend", "items", "dense hit@1", "dense hit@5", "hybrid hit@1", "hybrid hit@5",
                  "embed s (records)", title="text embedders (one run)")
    base = Settings()
    for name, video, items in sets(base.cache_dir):
        vectors = {}
        for backend in BACKENDS:
            s = base.model_copy(update={"embed": base.embed.model_copy(update={"backend": backend})})
            result = build_index(video, s)
            store = IndexStore.open(result.index_path, readonly=True)
            records = store.records()
            embedder = make_embedder(s)
            start = time.perf_counter()
            vectors[backend] = embedder.embed([r.text for r in records])
            embed_s = time.perf_counter() - start
            hits = {"d1": 0, "d5": 0, "h1": 0, "h5": 0}
            by_id = {r.id: r for r in records}
            for item in items:
                q = embedder.embed([item["question"]])[0]
                dense = [by_id[rid] for rid, _ in dense_ranking(store, q, limit=5)]
                hybrid = [h.record for h in search_store(store, item["question"], embedder, k=5)]
                span = item["answer_span"]
                hits["d1"] += bool(dense[:1]) and _overlaps(dense[0], span)
                hits["d5"] += any(_overlaps(r, span) for r in dense)
                hits["h1"] += bool(hybrid[:1]) and _overlaps(hybrid[0], span)
                hits["h5"] += any(_overlaps(r, span) for r in hybrid)
            n = len(items)
            table.add_row(name, backend, str(n), *(f"{hits[k] / n:.2f}" for k in ("d1", "d5", "h1", "h5")),
                          f"{embed_s:.2f} ({len(records)})")
            store.close()
        onnx, st = vectors["onnx"], vectors["sentence-transformers"]
        cos = np.sum(onnx * st, axis=1)
        table.add_row(name, f"cosine onnx·st per record: mean {cos.mean():.4f}, min {cos.min():.4f}",
                      *[""] * 6)
    console.print(table)


if __name__ == "__main__":
    main()

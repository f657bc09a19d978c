"""Each benchmark's own results file, one per configuration of a run, so a number can be checked
with the benchmark's own scorer or uploaded to its server.

- Video-MME: the repository's output format (``evaluation/output_test_template.json`` filled in):
  per video ``video_id``, ``duration``, ``domain``, ``sub_category`` and ``questions[]`` with
  ``question_id``, ``task_type``, ``question``, ``options``, ``answer`` and keyclip's ``response``
  (its letter; ``""`` for an abstention, which the official ``eval_your_results.py`` scores wrong).
- EgoSchema: ``{q_uid: answer index}``, the shape its answer server takes; abstentions are left out.
- LongVideoBench, MLVU and keyclip QA: ``{question id: letter}``, abstentions left out.

Files go to ``<out>/submissions/<benchmark>-<config>.json``.

Example:
    >>> write_submissions(Path("eval-results/videomme"), "videomme", items, rows)  # doctest: +SKIP
    [{'config': 'agent@8192', 'path': '…/submissions/videomme-agent@8192.json', 'answered': 2612, ...}]
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from keyclip.eval.items import LETTERS, EvalItem
from keyclip.eval.jsonl import write_json


def write_submissions(out: Path, benchmark: str, items: list[EvalItem], rows: list[dict]) -> list[dict]:
    """One file per configuration in ``rows`` (this run's result rows); what each holds."""
    by_config: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in rows:
        by_config[row["config"]][row["item"]] = row
    folder = out / "submissions"
    written = []
    for config, answers in sorted(by_config.items()):
        ours = [i for i in items if i.id in answers]
        data = _videomme(ours, answers) if benchmark == "videomme" else _by_id(ours, answers, benchmark)
        folder.mkdir(parents=True, exist_ok=True)
        path = write_json(folder / f"{benchmark}-{config}.json", data, indent=1, ensure_ascii=False)
        answered = sum(1 for i in ours if _letter(answers[i.id], i) is not None)
        written.append({"config": config, "path": str(path), "questions": len(ours), "answered": answered,
                        "left_blank": len(ours) - answered})
    return written


def _letter(row: dict, item: EvalItem) -> str | None:
    """The row's letter if it is an answer among the item's options (not an abstention or an error)."""
    letter = row.get("letter")
    if row.get("abstained") or row.get("error") or not letter or letter not in LETTERS[: len(item.options)]:
        return None
    return letter


def _videomme(items: list[EvalItem], answers: dict[str, dict]) -> list[dict]:
    videos: dict[str, dict] = {}
    for item in items:
        src = item.source
        key = str(src.get("video_id") or item.video_id)
        video = videos.setdefault(key, {"video_id": key,
                                        "duration": src.get("duration") or src.get("duration_category")
                                        or item.duration_group,
                                        "domain": src.get("domain") or src.get("video_category") or "",
                                        "sub_category": src.get("sub_category") or src.get("video_subcategory") or "",
                                        "questions": []})
        video["questions"].append({"question_id": item.id, "task_type": item.question_type,
                                   "question": item.question, "options": item.options, "answer": item.answer,
                                   "response": _letter(answers[item.id], item) or ""})
    return list(videos.values())


def _by_id(items: list[EvalItem], answers: dict[str, dict], benchmark: str) -> dict:
    data: dict[str, int | str] = {}
    for item in items:
        letter = _letter(answers[item.id], item)
        if letter is not None:
            data[item.id] = LETTERS.index(letter) if benchmark == "egoschema" else letter
    return data

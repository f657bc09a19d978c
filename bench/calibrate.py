"""Fit ``confidence`` (the probability that a multiple-choice answer is right) on the evaluation
lectures, and choose ``agent.min_confidence`` from the risk/coverage curve.

    .venv/bin/python bench/ask_bench.py --json /tmp/ask.json      # every set, with features
    .venv/bin/python bench/calibrate.py /tmp/ask.json [--write]

Fits a logistic model over the grounding features of every multiple-choice item (label: the
best-supported option is the right one). Reported honestly: each set's ECE and selective
accuracy come from a model fitted on the *other* sets (leave one set out); the pooled reliability
table from those held-out predictions. ``--write`` stores the model fitted on all sets in
``keyclip/agent/data/calibration.json`` with how it was made and the chosen threshold.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from keyclip.agent.calibration import FEATURES, expected_calibration_error, fit_logistic, packaged_path

TARGET_SELECTIVE = 0.95
THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 20)]


def curve(rows: list[dict], probs: list[float], text_total: int) -> list[dict]:
    """Coverage of the text items (``text_total``, refused ones included) and selective accuracy
    over all answered items, per threshold."""
    out = []
    for th in THRESHOLDS:
        answered = [r for r, p in zip(rows, probs) if p >= th and not r["refused"]]
        text = range(text_total)
        covered = [r for r, p in zip(rows, probs) if r["needs"] == "text" and p >= th and not r["refused"]]
        out.append({"threshold": th, "coverage_text": len(covered) / max(1, len(text)),
                    "selective": sum(r["label"] for r in answered) / max(1, len(answered)), "answered": len(answered)})
    return out


def choose_threshold(points: list[dict], per_set: dict[str, list[dict]]) -> dict:
    """The lowest threshold at which the pooled held-out selective accuracy reaches the target
    (per set, ~35 items each, one wrong answer moves it by 0.03: too noisy to choose on; the
    per-set values are printed beside it)."""
    for rule in ("pooled",):
        ok = [p for k, p in enumerate(points)
              if (all(s[k]["selective"] >= TARGET_SELECTIVE for s in per_set.values()) if rule == "every set"
                  else p["selective"] >= TARGET_SELECTIVE)]
        if ok:
            return {**min(ok, key=lambda p: p["threshold"]), "rule": rule}
    return {**max(points, key=lambda p: (p["selective"], -p["threshold"])), "rule": "best selective accuracy"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+", help="ask_bench --json outputs")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    console = Console()
    rows = []
    text_totals: dict[str, int] = {}
    for path in args.runs:
        for r in json.loads(path.read_text())["items"]:
            text_totals[r["set"]] = text_totals.get(r["set"], 0) + (r["needs"] == "text")
            refused = bool(r["reason"]) and "probability" not in (r["reason"] or "")
            if r.get("features") and r.get("best_option") and not refused:
                # refused answers (a count no layer can make, an anchor not found, ...) never use p
                rows.append({**r, "label": int(r["best_option"] == r["truth"]), "refused": False})
    sets = sorted({r["set"] for r in rows})
    held_out: dict[int, float] = {}
    per_set = Table("held-out set", "items", "ECE", "selective acc.", "text answered",
                    title="leave one set out (fitted on the others)")
    for name in sets:
        train = [r for r in rows if r["set"] != name]
        test = [(i, r) for i, r in enumerate(rows) if r["set"] == name]
        if len(sets) > 1:
            model = fit_logistic([r["features"] for r in train], [r["label"] for r in train], l2=args.l2)
        else:
            model = fit_logistic([r["features"] for r in rows], [r["label"] for r in rows], l2=args.l2)
        for i, r in test:
            held_out[i] = model.probability(r["features"])
    pooled_probs = [held_out[i] for i in range(len(rows))]
    text_total = sum(text_totals.values())
    per_set_curves = {name: curve([r for r in rows if r["set"] == name],
                                  [p for p, r in zip(pooled_probs, rows) if r["set"] == name], text_totals[name])
                      for name in sets}
    best = choose_threshold(curve(rows, pooled_probs, text_total), per_set_curves)
    for name in sets:
        idx = [i for i, r in enumerate(rows) if r["set"] == name]
        ece, _ = expected_calibration_error([held_out[i] for i in idx], [rows[i]["label"] for i in idx])
        answered = [i for i in idx if held_out[i] >= best["threshold"] and not rows[i]["refused"]]
        text_answered = [i for i in answered if rows[i]["needs"] == "text"]
        per_set.add_row(name, str(len(idx)), f"{ece:.3f}",
                        f"{sum(rows[i]['label'] for i in answered) / max(1, len(answered)):.2f} ({len(answered)})",
                        f"{len(text_answered) / max(1, text_totals[name]):.2f}")
    console.print(per_set)
    ece, table = expected_calibration_error(pooled_probs, [r["label"] for r in rows])
    rel = Table("bin", "items", "mean p", "accuracy", title=f"pooled held-out reliability: ECE {ece:.3f}")
    for b in table:
        rel.add_row(b["bin"], str(b["items"]), f"{b['confidence']:.2f}", f"{b['accuracy']:.2f}")
    console.print(rel)
    cur = Table("threshold", "text coverage", "selective acc.", "answered",
                *[f"{name} sel. / cov." for name in sets], title="risk / coverage (held-out p)")
    for k, p in enumerate(curve(rows, pooled_probs, text_total)):
        mark = " <" if p["threshold"] == best["threshold"] else ""
        cur.add_row(f"{p['threshold']:.2f}{mark}", f"{p['coverage_text']:.2f}", f"{p['selective']:.2f}", str(p["answered"]),
                    *[f"{per_set_curves[n][k]['selective']:.2f} / {per_set_curves[n][k]['coverage_text']:.2f}" for n in sets])
    console.print(cur)
    final = fit_logistic([r["features"] for r in rows], [r["label"] for r in rows], l2=args.l2)
    fitted_ece, _ = expected_calibration_error([final.probability(r["features"]) for r in rows],
                                               [r["label"] for r in rows])
    console.print(f"threshold {best['threshold']:.2f} ({best['rule']}): held-out text coverage "
                  f"{best['coverage_text']:.2f}, selective accuracy {best['selective']:.2f}")
    console.print("weights (fitted on all sets): " + ", ".join(f"{k} {v:+.2f}" for k, v in final.weights.items())
                  + f", bias {final.bias:+.2f}; in-sample ECE {fitted_ece:.3f}; threshold {best['threshold']:.2f}")
    if args.write:
        meta = {"fitted": True, "sets": sets, "items": len(rows), "l2": args.l2, "features": list(FEATURES),
                "held_out_ece": round(ece, 4), "in_sample_ece": round(fitted_ece, 4),
                "threshold": best["threshold"], "threshold_rule": f"lowest with held-out selective accuracy >= "
                f"{TARGET_SELECTIVE} on {best['rule']}", "held_out_text_coverage": round(best["coverage_text"], 3),
                "held_out_selective": round(best["selective"], 3),
                "made_by": "bench/calibrate.py"}
        packaged_path().write_text(json.dumps({**final.to_dict(), "meta": meta}, indent=1) + "\n")
        console.print(f"wrote {packaged_path()}")


if __name__ == "__main__":
    main()

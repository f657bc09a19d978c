"""An evaluation's report: ``report.md`` (tables a person reads), ``report.json`` (everything),
and ``accuracy_vs_budget.png`` (accuracy against the visual-token budget, one line per method
and evidence setting)."""

from __future__ import annotations

import json
from pathlib import Path

from keyclip.eval.jsonl import read_jsonl, result_rows
from keyclip.eval.metrics import index_cost, summarise


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def _num(v: float | None, fmt: str = "{:.0f}") -> str:
    return "–" if v is None else fmt.format(v)


def load_rows(out: Path, fingerprint: str, keys: set[tuple[str, str]] | None = None) -> list[dict]:
    """This run's rows (``keys``: the (item, config) pairs it covers), one per pair: an answer
    wins over a failed attempt at it."""
    rows: dict[tuple, dict] = {}
    for row in result_rows(out, fingerprint):
        key = (row.get("item"), row.get("config"))
        if keys is not None and key not in keys:
            continue
        if key not in rows or (rows[key].get("error") and not row.get("error")):
            rows[key] = row
    return list(rows.values())


def load_index_rows(out: Path) -> list[dict]:
    return list(read_jsonl([out / "indexes.jsonl"]))


def config_order(summary: list[dict]) -> list[dict]:
    methods = {"agent": 0, "keyclips": 1, "uniform": 2}
    speech = {"asr": 0, "none": 1, "subtitles": 2}
    return sorted(summary, key=lambda s: (speech.get(s.get("speech", "asr"), 9), not s["evidence"],
                                          methods.get(s["method"], 9), s["budget"]))


def method_label(s: dict) -> str:
    """The method, with its speech source when it is not keyclip's own ASR (``keyclips (w/ subs)``)."""
    from keyclip.eval.spec import SPEECH_LABEL

    speech = s.get("speech", "asr")
    return s["method"] if speech == "asr" else f"{s['method']} ({SPEECH_LABEL[speech]})"


DURATION_ORDER = {"short": 0, "medium": 1, "long": 2}


def duration_groups(summary: list[dict]) -> list[str]:
    """The duration groups of ``summary``: short, medium, long, then LongVideoBench's seconds in
    order, then any other."""
    return sorted({k for s in summary for k in s["by_duration"]},
                  key=lambda g: (DURATION_ORDER.get(g, 3), float(g) if g.replace(".", "").isdigit() else 0, g))


def subtitle_table(summary: list[dict]) -> list[str]:
    """Accuracy with each speech source side by side, per duration group and overall, as the
    Video-MME and LongVideoBench papers report "w/o subs" and "w/ subs"; empty with one source."""
    from keyclip.eval.spec import SPEECH_LABEL

    sources = [k for k in ("none", "subtitles", "asr") if any(s.get("speech", "asr") == k for s in summary)]
    if len(sources) < 2:
        return []
    groups = duration_groups(summary)
    columns = [*(g for g in groups if len(groups) > 1), "overall"]
    cells = {}
    for s in summary:
        row = (s["method"], s["budget"], s["evidence"])
        speech = s.get("speech", "asr")
        for g in columns:
            cells[row, g, speech] = s["accuracy"] if g == "overall" else s["by_duration"].get(g)
    lines = ["", "Accuracy by speech source (" + ", ".join(f"{SPEECH_LABEL[k]}: " + {
        "none": "frames only", "subtitles": "the benchmark's subtitle files", "asr": "keyclip's speech recognition"}[k]
        for k in sources) + "):", "",
             "| method | budget | evidence | " + " | ".join(f"{g} {SPEECH_LABEL[k]}" for g in columns for k in sources)
             + " |", "|---|---:|---|" + "---:|" * (len(columns) * len(sources))]
    seen = set()
    for s in config_order(summary):
        row = (s["method"], s["budget"], s["evidence"])
        if row in seen:
            continue
        seen.add(row)
        lines.append(f"| {s['method']} | {s['budget']} | {'yes' if s['evidence'] else 'no'} | "
                     + " | ".join(_pct(cells.get((row, g, k))) for g in columns for k in sources) + " |")
    return lines


def markdown(title: str, summary: list[dict], cost: dict, notes: list[str], problems: list[str] | None = None
             ) -> str:
    lines = [f"# {title}", ""]
    lines += ["| method | budget | evidence | items | accuracy | temporal hit | mean IoU | abstained | "
              "visual tok. | text tok. | p50 s | p95 s |",
              "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in config_order(summary):
        lines.append(f"| {method_label(s)} | {s['budget']} | {'yes' if s['evidence'] else 'no'} | {s['items']} | "
                     f"{_pct(s['accuracy'])} | {_pct(s['temporal_hit'])} | {_pct(s['mean_iou'])} | "
                     f"{_pct(s['abstained'])} | {_num(s['visual_tokens'])} | {_num(s['text_tokens'])} | "
                     f"{_num(s['p50_s'], '{:.2f}')} | {_num(s['p95_s'], '{:.2f}')} |")
    for field, name in (("by_type", "question type"), ("by_duration", "duration group")):
        keys = sorted({k for s in summary for k in s[field]})
        if len(keys) <= 1 and name == "duration group":
            continue
        lines += ["", f"Accuracy per {name}:", "",
                  "| method | budget | evidence | " + " | ".join(keys) + " |",
                  "|---|---:|---|" + "---:|" * len(keys)]
        for s in config_order(summary):
            lines.append(f"| {method_label(s)} | {s['budget']} | {'yes' if s['evidence'] else 'no'} | "
                         + " | ".join(_pct(s[field].get(k)) for k in keys) + " |")
    lines += subtitle_table(summary)
    lines += ["", f"Index: {cost['videos']} videos, {cost['video_hours']:.3f} video-hours; stage time "
                  f"{_num(cost['stage_seconds_per_video_hour'])} s per video-hour"
                  + (f"; built in this run: {cost['built_this_run']} videos at "
                     f"{_num(cost['wall_seconds_per_video_hour'])} s wall per video-hour"
                     if cost["built_this_run"] else " (all indexes were cached)") + "."]
    lines += [f"- {n}" for n in notes]
    if problems:
        lines += ["", f"Items not read from the annotation files ({len(problems)}; left out, the rest were run):", ""]
        lines += [f"- {p}" for p in problems]
    return "\n".join(lines) + "\n"


def plot(summary: list[dict], path: Path, title: str) -> str:
    """Write the accuracy-vs-budget PNG: one line per method (and evidence / speech setting), the
    uniform baseline dashed; with more than one duration group, a panel per group beside the
    overall one. Returns a one-line description of the overall panel."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [g for g in duration_groups(summary) if g != "-"]
    panels = [("all items", None)] + ([(f"duration: {g}", g) for g in groups] if len(groups) > 1 else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(6.4 + 4.2 * (len(panels) - 1), 4.2), dpi=120, squeeze=False,
                             sharey=True)
    budgets = sorted({s["budget"] for s in summary})
    lines: dict[str, list] = {}
    for ax, (name, group) in zip(axes[0], panels, strict=True):
        panel_lines = _accuracy_lines(summary, group)
        if group is None:
            lines = panel_lines
        _draw(ax, panel_lines, budgets)
        ax.set_title(title if group is None and len(panels) == 1 else name, fontsize=10)
    if len(panels) > 1:
        fig.suptitle(title, fontsize=10)
    axes[0][0].set_ylabel("multiple-choice accuracy")
    axes[0][0].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    parts = []
    for label, points in sorted(lines.items()):
        parts.append(f"{label}: " + ", ".join(f"{b}→{a:.2f}" for b, a in sorted(points)))
    return "; ".join(parts)


def _accuracy_lines(summary: list[dict], group: str | None) -> dict[str, list[tuple[int, float]]]:
    lines: dict[str, list] = {}
    for s in summary:
        accuracy = s["accuracy"] if group is None else s["by_duration"].get(group)
        if accuracy is None:
            continue
        label = method_label(s) + ("" if s["evidence"] else " (no speech/OCR)")
        lines.setdefault(label, []).append((s["budget"], accuracy))
    return lines


def _draw(ax, lines: dict[str, list[tuple[int, float]]], budgets: list[int]) -> None:
    # the agent is drawn wide and pale underneath, so equal lines on top of it stay visible
    styles = {"agent": dict(fmt="o-", lw=5, ms=11, alpha=0.35, zorder=1),
              "keyclips": dict(fmt="s-", lw=1.8, ms=6, alpha=1.0, zorder=3),
              "uniform": dict(fmt="^--", lw=1.8, ms=6, alpha=1.0, zorder=2)}
    for label, points in sorted(lines.items()):
        points.sort()
        style = dict(styles.get(label.split()[0], dict(fmt="x-", lw=1.5, ms=6, alpha=1.0, zorder=2)))
        if "no speech" in label:
            style.update(fmt=style["fmt"][0] + ":", alpha=0.6)
        fmt = style.pop("fmt")
        ax.plot([p[0] for p in points], [p[1] for p in points], fmt, label=label, linewidth=style.pop("lw"),
                markersize=style.pop("ms"), **style)
    ax.set_xscale("log", base=2)
    ax.set_xticks(budgets, [f"{b // 1024}k" if b % 1024 == 0 else str(b) for b in budgets])
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("visual-token budget per question")
    ax.grid(alpha=0.3)


def write_report(out: Path, title: str, fingerprint: str, notes: list[str], meta: dict,
                 keys: set[tuple[str, str]] | None = None, problems: list[str] | None = None) -> dict:
    """``report.md``, ``report.json`` and the plot for this run's rows; ``problems``: one line per item
    of the annotation files that could not be read."""
    rows = load_rows(out, fingerprint, keys)
    errors = sum(1 for r in rows if r.get("error"))
    if errors:
        notes.append(f"{errors} answers failed (backend errors; counted as abstentions here, asked again "
                     f"by a re-run): " + "; ".join(sorted({r['note'][:120] for r in rows if r.get('error')})[:3]))
    summary = summarise(rows)
    cost = index_cost(load_index_rows(out))
    report = {"title": title, "fingerprint": fingerprint, **meta, "configs": config_order(summary),
              "index": cost, "notes": notes, "problems": list(problems or [])}
    if summary:
        try:
            report["plot"] = {"path": "accuracy_vs_budget.png",
                              "shows": plot(summary, out / "accuracy_vs_budget.png", title)}
        except ImportError:
            notes.append("no plot: matplotlib is not installed (pip install -e '.[eval]')")
    (out / "report.md").write_text(markdown(title, summary, cost, notes, problems))
    (out / "report.json").write_text(json.dumps(report, indent=2))
    return report

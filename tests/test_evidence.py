"""Screen structure the option judge relies on, on a real SQLite index written by the store:
which lines belong to one slide, and which lines are boilerplate (a footer) rather than content
- also when the whole lecture is repeated, as in an archive that holds a video twice."""

from __future__ import annotations

from keyclip.agent.evidence import Evidence
from keyclip.index.store import IndexStore
from keyclip.tools.ocr import OCRSpan

FOOTER = "CS 201 - Lecture 7"


def _slides(offset: float) -> list[OCRSpan]:
    """Three slides of 30 s from ``offset``; a footer OCR'd as one span across the first two and
    again with the third slide (the same span as its lines)."""
    box = (0.1, 0.1, 0.9, 0.2)
    spans = [OCRSpan(offset, offset + 60, FOOTER, box, 0.9)]
    for i, lines in enumerate((["Hashing", "Keys map to buckets"], ["Probing", "Linear", "Quadratic"],
                               ["Summary", "Hash the key", "Resolve collisions", "Resize early"])):
        a, b = offset + 30 * i, offset + 30 * (i + 1)
        spans += [OCRSpan(a, b, line, box, 0.9) for line in lines]
    spans.append(OCRSpan(offset + 60, offset + 90, FOOTER, box, 0.9))
    return spans


def _evidence(tmp_path, copies: int) -> Evidence:
    store = IndexStore.open(tmp_path / "index.sqlite")
    store.write_ocr("test", 0.0, [s for k in range(copies) for s in _slides(90.0 * k)], {})
    store.close()
    return Evidence(IndexStore.open(tmp_path / "index.sqlite", readonly=True))


def test_a_footer_is_boilerplate_and_slide_lines_are_not(tmp_path):
    ev = _evidence(tmp_path, copies=1)
    assert ev.recurring_lines() == {"cs 201 lecture 7"}


def test_a_repeated_lecture_does_not_turn_its_slides_into_boilerplate(tmp_path):
    ev = _evidence(tmp_path, copies=4)
    assert ev.recurring_lines() == {"cs 201 lecture 7"}


def test_same_screen_gives_the_lines_of_one_slide(tmp_path):
    ev = _evidence(tmp_path, copies=2)
    title = next(r for r in ev.records if r.text == "Probing" and r.t0 > 90)
    assert [r.text for r in ev.same_screen(title)] == ["Probing", "Linear", "Quadratic"]
    spanning = [r for r in ev.records if r.text == FOOTER and r.t1 - r.t0 > 30]
    assert [r.text for r in ev.same_screen(spanning[0])] == [FOOTER]

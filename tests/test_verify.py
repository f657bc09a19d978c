"""The check an LLM's open answer must pass before it replaces the extractive answer."""

from __future__ import annotations

from keyclip import prompts
from keyclip.agent.verify import check_open_answer, stated_times

EVIDENCE = [
    {"t0": 10.0, "t1": 22.0, "text": "Collisions and Chaining"},
    {"t0": 12.0, "t1": 18.5, "text": "When two keys land in the same bucket, that is a collision."},
    {"t0": 26.0, "t1": 33.0, "text": "Entries divided by buckets"},
]


def test_a_grounded_answer_with_a_cited_time_passes():
    verdict = check_open_answer("A collision is when two keys land in the same bucket (0:00:14).", EVIDENCE)
    assert verdict.ok and verdict.why == ""


def test_the_evidence_block_copied_back_is_refused():
    lines = [prompts.EvidenceLine(e["t0"], e["t1"], "on screen", e["text"]) for e in EVIDENCE]
    for echo in (prompts.fence(lines), "Evidence:\n" + "\n".join(prompts.fence(lines).splitlines()[1:-1]),
                 "[0:00:10-0:00:22 on screen] Collisions and Chaining"):
        verdict = check_open_answer(echo, EVIDENCE)
        assert not verdict.ok and "copied the evidence" in verdict.why


def test_a_time_no_evidence_covers_is_refused():
    verdict = check_open_answer("At 0:01:40 two keys land in the same bucket, a collision.", EVIDENCE)
    assert not verdict.ok and "0:01:40" in verdict.why


def test_words_the_video_never_said_are_refused():
    verdict = check_open_answer("Quantum entanglement links particles across galaxies instantly.", EVIDENCE)
    assert not verdict.ok and "not grounded" in verdict.why
    assert not check_open_answer("   ", EVIDENCE).ok


def test_stated_times_reads_both_clock_forms():
    assert stated_times("at 1:05 and 0:02:10, not 3.14 or 12:345") == [65, 130]


def test_a_model_repeating_itself_or_cut_off_at_its_limit_is_refused():
    loop = ("The evidence is a message about hash tables. The evidence is a message about a collision. "
            "The evidence is a message about hash tables. The evidence")
    verdict = check_open_answer(loop, EVIDENCE)
    assert not verdict.ok and "rambled" in verdict.why
    assert not check_open_answer("Two keys land in the same bucket, a collision", EVIDENCE, cut_off=True).ok


def test_only_records_that_speak_of_the_question_are_cited_beside_the_answer():
    from keyclip.agent.verify import supporting

    def match(q, text):  # the share of the question's words in the text
        words = set(q.lower().strip("?").split()) - {"what", "is", "a"}
        return len(words & set(text.lower().replace(".", "").split())) / len(words)

    records = [{"text": "When two keys land in the same bucket, that is a collision."},
               {"text": "objects seen: 2 frisbee"}]
    assert supporting("what is a collision?", records, match) == records[:1]

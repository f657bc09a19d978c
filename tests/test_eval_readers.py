"""Benchmark readers (keyclip.eval.readers) on small invented excerpts in each benchmark's published format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keyclip.errors import InputError
from keyclip.eval.readers import VideoIndex, find_video, normalize_options, read_benchmark
from keyclip.media.subtitles import read_subtitles

DEV_QA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "qa.jsonl"


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_json(path: Path, data: object) -> Path:
    return touch(path, json.dumps(data, indent=1))


# -- Video-MME -------------------------------------------------------------------------------

VIDEOMME_ROWS = [
    {"video_id": "001", "duration": "short", "domain": "Knowledge", "sub_category": "Astronomy",
     "url": "https://www.youtube.com/watch?v=AbC_dEf-123", "videoID": "AbC_dEf-123", "question_id": "001-1",
     "task_type": "Counting Problem", "question": "How many moons are drawn on the board?",
     "options": ["A. One.", "B. Two.", "C. Three.", "D. Four."], "answer": "C"},
    {"video_id": "001", "duration": "short", "domain": "Knowledge", "sub_category": "Astronomy",
     "url": "https://www.youtube.com/watch?v=AbC_dEf-123", "videoID": "AbC_dEf-123", "question_id": "001-2",
     "task_type": "OCR Problems", "question": "Which word is written under the telescope?",
     "options": ["A. Orbit.", "B. Comet.", "C. Nebula.", "D. Quasar."], "answer": "A"},
    {"video_id": "601", "duration": "long", "domain": "Sports Competition", "sub_category": "Football",
     "url": "https://www.youtube.com/watch?v=zz9Missing0", "videoID": "zz9Missing0", "question_id": "601-3",
     "task_type": "Temporal Reasoning", "question": "What happens right after the second whistle?",
     "options": ["A. A corner kick.", "B. A substitution.", "C. A penalty.", "D. Half time."], "answer": "D"},
]

VIDEOMME_SRT = """1
00:00:01,000 --> 00:00:03,500
<font color="white" size=".72c">the first moon appears</font>

2
00:00:04,000 --> 00:00:06,250
<font color="white" size=".72c">and then a second one</font>
"""


def videomme_tree(root: Path, fmt: str) -> Path:
    touch(root / "data" / "AbC_dEf-123.mp4")
    touch(root / "subtitle" / "AbC_dEf-123.srt", VIDEOMME_SRT)
    if fmt == "parquet":
        import pandas as pd

        path = root / "videomme" / "test-00000-of-00001.parquet"
        path.parent.mkdir(parents=True)
        pd.DataFrame(VIDEOMME_ROWS).to_parquet(path)
        return path
    if fmt == "jsonl":
        return touch(root / "videomme.jsonl", "\n".join(json.dumps(r) for r in VIDEOMME_ROWS) + "\n")
    return write_json(root / "videomme.json", VIDEOMME_ROWS)


@pytest.mark.parametrize("fmt", ["parquet", "json", "jsonl"])
def test_videomme(tmp_path: Path, fmt: str) -> None:
    items = read_benchmark("videomme", videomme_tree(tmp_path, fmt)).items
    assert [i.id for i in items] == ["001-1", "001-2", "601-3"]
    first = items[0]
    assert first.benchmark == "videomme" and first.video_id == "AbC_dEf-123"
    assert first.video == tmp_path / "data" / "AbC_dEf-123.mp4"
    assert first.options == ["A. One.", "B. Two.", "C. Three.", "D. Four."]  # not "A. A. One."
    assert first.answer == "C" and items[1].answer == "A" and items[2].answer == "D"
    assert first.question_type == "Counting Problem" and first.duration_group == "short"
    assert items[2].duration_group == "long"
    assert first.subtitles == tmp_path / "subtitle" / "AbC_dEf-123.srt" and first.subtitle_offset == 0.0
    assert items[2].video is None and items[2].subtitles is None  # missing video/subtitle: reported, not raised


def test_videomme_explicit_folders_and_repo_grouped_format(tmp_path: Path) -> None:
    touch(tmp_path / "vids" / "002.mkv")
    grouped = [{"video_id": "002", "duration_category": "medium", "video_category": "Knowledge",
                "video_subcategory": "Law", "questions": [
                    {"question_id": "002-1", "task_type": "Object Recognition", "question": "Which item is shown?",
                     "choices": ["A. A gavel.", "B. A scale.", "C. A book.", "D. A flag."], "answer": "B"}]}]
    ann = write_json(tmp_path / "output_test_template.json", grouped)
    (item,) = read_benchmark("videomme", ann, videos=tmp_path / "vids", subtitles=tmp_path / "nosubs").items
    assert item.id == "002-1" and item.video == tmp_path / "vids" / "002.mkv"
    assert item.duration_group == "medium" and item.answer == "B" and item.options[1] == "B. A scale."


def test_videomme_template_with_trailing_commas(tmp_path: Path) -> None:
    # the repository's current output_test_template.json is hand-edited JSON with trailing commas
    ann = touch(tmp_path / "output_test_template.json", """[
    {
        "video_id": "001",
        "duration": "short",
        "questions": [
            {
                "question_id": "001-1",
                "question": "Which sign says \\"stop, here\\",?",
                "options": ["A. Red.", "B. Blue, ]", "C. Green.", "D. Black.",],
                "answer": "A",
            },
        ],
    },
]""")
    (item,) = read_benchmark("videomme", ann).items
    assert item.id == "001-1" and item.question == 'Which sign says "stop, here",?'
    assert item.options == ["A. Red.", "B. Blue, ]", "C. Green.", "D. Black."] and item.answer == "A"
    touch(ann, '[{"video_id": "001", "questions": [\n  {"question_id": "001-1" "question": "?"}]}]')
    with pytest.raises(InputError, match=r"output_test_template\.json is not valid JSON \(line 2: Expecting ','"
                                         r".*the benchmark's parquet file reads too"):
        read_benchmark("videomme", ann)


def test_videomme_srt_subtitles(tmp_path: Path) -> None:
    (item, *_) = read_benchmark("videomme", videomme_tree(tmp_path, "json")).items
    cues = read_subtitles(item.subtitles, item.subtitle_offset)
    assert cues == [(1.0, 3.5, "the first moon appears"), (4.0, 6.25, "and then a second one")]
    assert read_subtitles(item.subtitles, offset=2.0)[0] == (3.0, 5.5, "the first moon appears")


# -- MLVU -------------------------------------------------------------------------------------


def mlvu_tree(root: Path) -> Path:
    write_json(root / "MLVU" / "json" / "1_plotQA.json", [
        {"video": "cartoon_7.mp4", "duration": 312.5, "question": "What does the fox carry across the river?",
         "candidates": ["A lantern", "A basket", "A kite", "A drum"], "answer": "A basket", "question_type": "plotQA"},
        {"video": "cartoon_9.mp4", "duration": 401, "question": "Where does the chase end?",
         "candidates": ["On a roof", "In a cave", "At a well", "On a boat"], "answer": "On a boat",
         "question_type": "plotQA"},
    ])
    write_json(root / "MLVU" / "json" / "4_count.json", [
        {"video": "count_3.mp4", "duration": 520.0, "question": "How many times is a bell rung?",
         "candidates": ["3", "1", "4", "2"], "answer": "4", "question_type": "count"},
    ])
    write_json(root / "MLVU" / "json" / "9_summary.json", [
        {"video": "summary_1.mp4", "duration": 480.0, "question": "Please summarize this video.",
         "answer": "A fox and a hen race to the harbour.", "question_type": "summary"},
    ])
    touch(root / "MLVU" / "video" / "1_plotQA" / "cartoon_7.mp4")
    touch(root / "MLVU" / "video" / "4_count" / "count_3.mp4")
    touch(root / "MLVU" / "video" / "5_order" / "count_3.mp4")  # same name in another task's folder
    return root / "MLVU" / "json"


def test_mlvu_folder(tmp_path: Path) -> None:
    items = read_benchmark("mlvu", mlvu_tree(tmp_path)).items
    by_id = {i.id: i for i in items}
    assert list(by_id) == ["1_plotQA/0", "1_plotQA/1", "4_count/0", "9_summary/0"]
    fox = by_id["1_plotQA/0"]
    assert fox.benchmark == "mlvu" and fox.video_id == "cartoon_7"
    assert fox.options == ["A. A lantern", "B. A basket", "C. A kite", "D. A drum"]
    assert fox.answer == "B" and fox.answer_text == "A basket" and fox.question_type == "plotQA"
    assert fox.video == tmp_path / "MLVU" / "video" / "1_plotQA" / "cartoon_7.mp4"
    assert by_id["1_plotQA/1"].answer == "D" and by_id["1_plotQA/1"].video is None
    count = by_id["4_count/0"]
    assert count.answer == "C" and count.question_type == "count"  # the text "4", not a letter
    assert count.video == tmp_path / "MLVU" / "video" / "4_count" / "count_3.mp4"  # the task's own folder wins
    summary = by_id["9_summary/0"]
    assert summary.options == [] and summary.answer is None and summary.answer_text.startswith("A fox")


def test_mlvu_one_file_and_bad_answer(tmp_path: Path) -> None:
    folder = mlvu_tree(tmp_path)
    items = read_benchmark("mlvu", folder / "4_count.json").items
    assert [i.id for i in items] == ["4_count/0"] and items[0].video is not None
    # as in the published dev set's needle task: an answer that is none of the item's options
    write_json(folder / "2_needle.json", [{"video": "needle_1.mp4", "question": "What falls?",
                                           "candidates": ["a cup", "a hat"], "answer": "a shoe"},
                                          {"video": "needle_2.mp4", "question": "What rises?",
                                           "candidates": ["a kite", "a hat"], "answer": "a kite"}])
    read = read_benchmark("mlvu", folder)
    assert [p.line() for p in read.problems] == ["2_needle.json: item 2_needle/0: answer 'a shoe' is not one of "
                                                 "its 2 options"]
    assert [i.id for i in read.items] == ["1_plotQA/0", "1_plotQA/1", "2_needle/1", "4_count/0", "9_summary/0"]


# -- LongVideoBench ---------------------------------------------------------------------------


def lvb_tree(root: Path) -> Path:
    rows = [
        {"video_id": "vlogA", "question": "After the chef lifts the blue pot, what is added?",
         "question_wo_referring_query": "What is added?", "candidates": ["salt", "rice", "eggs", "milk", "oil"],
         "correct_choice": 3, "position": [120], "topic_category": "LC-Lifestyle-Cooking-Recipes",
         "question_category": "E3E", "level": "L2-Relation", "id": "vlogA_0", "video_path": "vlogA.mp4",
         "subtitle_path": "vlogA_en.json", "duration_group": 600, "starting_timestamp_for_subtitles": 100.5,
         "duration": 420.0, "view_count": 12},
        {"video_id": "@maker-77", "question": "What colour is the sign?", "candidates": ["red", "green", "white"],
         "correct_choice": 0, "topic_category": "LV-Lifestyle-Life-Vlogs", "question_category": "S2A",
         "id": "@maker-77_1", "video_path": "@maker-77.mp4", "subtitle_path": "@maker-77_en.json",
         "duration_group": 15, "starting_timestamp_for_subtitles": 0, "duration": 12.0},
    ]
    write_json(root / "subtitles" / "vlogA_en.json", [
        {"timestamp": [90.0, 99.0], "text": "before the clip starts"},
        {"timestamp": [101.0, 104.5], "text": "now lift the blue pot"},
        {"timestamp": [106.0, None], "text": "and pour the milk"},
    ])
    write_json(root / "subtitles" / "@maker-77_en.json", [
        {"start": "00:00:01.200", "end": "00:00:02.700", "line": "look at this sign"},
        {"start": "00:00:03.000", "end": "00:00:04.000", "line": "so green"},
    ])
    touch(root / "videos" / "vlogA.mp4")
    return write_json(root / "lvb_val.json", rows)


def test_longvideobench(tmp_path: Path) -> None:
    a, b = read_benchmark("longvideobench", lvb_tree(tmp_path)).items
    assert a.id == "vlogA_0" and a.benchmark == "longvideobench" and a.video_id == "vlogA"
    assert a.options == ["A. salt", "B. rice", "C. eggs", "D. milk", "E. oil"] and a.answer == "D"
    assert a.question_type == "E3E" and a.duration_group == "600"
    assert a.video == tmp_path / "videos" / "vlogA.mp4"
    assert a.subtitles == tmp_path / "subtitles" / "vlogA_en.json" and a.subtitle_offset == -100.5
    assert b.answer == "A" and b.duration_group == "15" and b.video is None and b.subtitle_offset == 0.0
    assert b.options == ["A. red", "B. green", "C. white"]  # a 3-option item stays 3-option, never padded


def test_longvideobench_subtitles_rebased(tmp_path: Path) -> None:
    a, b = read_benchmark("longvideobench", lvb_tree(tmp_path)).items
    # file time = subtitle time - starting_timestamp_for_subtitles; the cue before the clip is dropped and
    # the open-ended last cue (end null) runs to the clip's end
    assert read_subtitles(a.subtitles, a.subtitle_offset, duration=420.0) == [
        (0.5, 4.0, "now lift the blue pot"), (5.5, 420.0, "and pour the milk")]
    assert read_subtitles(b.subtitles, b.subtitle_offset) == [(1.2, 2.7, "look at this sign"), (3.0, 4.0, "so green")]


def test_longvideobench_parquet_options_and_test_set(tmp_path: Path) -> None:
    import pandas as pd

    rows = [{"video_id": "v1", "id": "v1_0", "video_path": "v1.mp4", "subtitle_path": "v1_en.json",
             "correct_choice": 1, "question": "Which tool?", "option0": "saw", "option1": "drill",
             "option2": "file", "option3": "N/A", "option4": "N/A", "duration": 50.0, "duration_group": 60,
             "question_category": "O2E", "topic_category": "KS-Knowledge-STEM",
             "starting_timestamp_for_subtitles": 12.0}]
    pd.DataFrame(rows).to_parquet(tmp_path / "validation-00000-of-00001.parquet")
    (item,) = read_benchmark("longvideobench", tmp_path / "validation-00000-of-00001.parquet").items
    assert item.options == ["A. saw", "B. drill", "C. file"] and item.answer == "B"
    assert item.duration_group == "60" and item.subtitle_offset == -12.0 and item.subtitles is None
    test_rows = [{k: v for k, v in rows[0].items() if k != "correct_choice"}]
    (hidden,) = read_benchmark("longvideobench", write_json(tmp_path / "lvb_test_wo_gt.json", test_rows)).items
    assert hidden.answer is None


# -- EgoSchema --------------------------------------------------------------------------------

EGO_UIDS = ["0a1b2c3d-0000-4000-8000-000000000001", "0a1b2c3d-0000-4000-8000-000000000002",
            "0a1b2c3d-0000-4000-8000-000000000003"]


def ego_tree(root: Path) -> Path:
    questions = [
        {"q_uid": uid, "google_drive_id": f"drive{n}", "question": f"What is c mainly doing in clip {n}?",
         "option 0": "c paints a fence", "option 1": "c repairs a bike", "option 2": "c waters plants",
         "option 3": "c folds laundry", "option 4": "c bakes bread"}
        for n, uid in enumerate(EGO_UIDS)
    ]
    touch(root / "videos" / f"{EGO_UIDS[0]}.mp4")
    touch(root / "videos" / f"{EGO_UIDS[1]}.mp4")
    write_json(root / "subset_answers.json", {EGO_UIDS[0]: 2, EGO_UIDS[1]: 0})
    return write_json(root / "questions.json", questions)


def test_egoschema(tmp_path: Path) -> None:
    items = read_benchmark("egoschema", ego_tree(tmp_path)).items
    assert [i.id for i in items] == EGO_UIDS and all(i.benchmark == "egoschema" for i in items)
    assert items[0].video_id == EGO_UIDS[0] and items[0].video == tmp_path / "videos" / f"{EGO_UIDS[0]}.mp4"
    assert items[0].options[0] == "A. c paints a fence" and items[0].options[4] == "E. c bakes bread"
    assert [i.answer for i in items] == ["C", "A", None]  # the third is not in the public subset
    assert items[2].video is None


def test_egoschema_explicit_answers_file(tmp_path: Path) -> None:
    ann = ego_tree(tmp_path)
    write_json(tmp_path / "other" / "answers.json", {EGO_UIDS[2]: 4})
    items = read_benchmark("egoschema", ann, answers=tmp_path / "other" / "answers.json").items
    assert [i.answer for i in items] == [None, None, "E"]
    write_json(tmp_path / "bad.json", {EGO_UIDS[0]: 7})
    read = read_benchmark("egoschema", ann, answers=tmp_path / "bad.json")
    assert [p.line() for p in read.problems] == [f"questions.json: item {EGO_UIDS[0]}: answer index 7 is outside "
                                                 "its 5 options"]
    assert [i.id for i in read.items] == EGO_UIDS[1:]


# -- keyclip QA -------------------------------------------------------------------------------


def test_keyclip_qa(tmp_path: Path) -> None:
    lines = [
        {"id": "t-01", "video": "clips/talk.mp4", "question": "When is the kettle mentioned?", "type": "when_said",
         "answer_text": "0:12-0:15", "answer_span": [12.0, 15.5], "options": ["A. 0:01-0:04", "B. 0:12-0:15"],
         "answer": "B", "evidence_spans": [[12.0, 15.5]]},
        {"id": "t-02", "video": "clips/gone.mp4", "question": "How many cups?", "type": "count",
         "answer_text": "3", "answer_span": [1, 9], "options": ["A. 2", "B. 3", "C. 4"], "answer": "B",
         "evidence_spans": [[1, 2], [5, 6], [8, 9]]},
    ]
    touch(tmp_path / "clips" / "talk.mp4")
    ann = touch(tmp_path / "qa.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    a, b = read_benchmark("keyclip", ann).items
    assert a.video == tmp_path / "clips" / "talk.mp4" and a.video_id == "talk" and a.benchmark == "keyclip"
    assert a.options == ["A. 0:01-0:04", "B. 0:12-0:15"] and a.answer == "B" and a.question_type == "when_said"
    assert a.answer_span == (12.0, 15.5) and a.evidence_spans == [(12.0, 15.5)]
    assert b.video is None and b.evidence_spans == [(1.0, 2.0), (5.0, 6.0), (8.0, 9.0)]
    moved = read_benchmark("keyclip", ann, videos=tmp_path / "elsewhere").items
    assert moved[0].video is None


@pytest.mark.skipif(not DEV_QA.is_file(), reason="shared/eval/dev/qa.jsonl is not present")
def test_keyclip_dev_set() -> None:
    items = read_benchmark("keyclip", DEV_QA).items
    assert len(items) >= 10 and len({i.id for i in items}) == len(items)
    for i in items:
        assert i.answer is not None and i.answer in "ABCDEFGHIJ"[: len(i.options)]
        assert i.answer_span is not None and i.answer_span[0] <= i.answer_span[1]
        assert all(o[1:3] == ". " for o in i.options)


# -- finding videos ---------------------------------------------------------------------------


def test_find_video(tmp_path: Path) -> None:
    touch(tmp_path / "a" / "b" / "clip.webm")
    touch(tmp_path / "a" / "clip.MOV")
    touch(tmp_path / "top.mp4")
    touch(tmp_path / "notes.txt")
    assert find_video(tmp_path, "top.mp4") == tmp_path / "top.mp4"
    assert find_video(tmp_path, "top") == tmp_path / "top.mp4"
    assert find_video(tmp_path, "clip") == tmp_path / "a" / "b" / "clip.webm"  # webm comes before mov
    assert find_video(tmp_path, "clip.mp4") == tmp_path / "a" / "b" / "clip.webm"  # another extension of the stem
    assert find_video(tmp_path, "notes") is None and find_video(tmp_path, "") is None
    assert find_video(tmp_path / "nope", "top") is None and find_video(None, "top") is None
    index = VideoIndex(tmp_path)
    assert index.find("top") is not None
    touch(tmp_path / "late" / "new.mp4")
    assert index.find("new") is None  # the listing is made once per index
    assert index.find("late/new.mp4") == tmp_path / "late" / "new.mp4"  # the exact path is still tried
    assert VideoIndex(tmp_path).find("new") == tmp_path / "late" / "new.mp4"


def test_normalize_options() -> None:
    assert normalize_options(["red", "blue"]) == ["A. red", "B. blue"]
    assert normalize_options(["(A) red", "(B) blue"]) == ["A. red", "B. blue"]
    assert normalize_options(["A. red", "C. blue"]) == ["A. A. red", "B. C. blue"]  # not lettered in order: texts
    with pytest.raises(InputError, match="should be a list"):
        normalize_options("A. red")


# -- malformed input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "content", "message"),
    [
        ("videomme", "broken.json", "[{\"question_id\": ", r"broken\.json is not valid JSON \(line 1.*parquet"),
        ("videomme", "obj.json", "{\"a\": 1}", r"obj\.json: expected a list"),
        ("keyclip", "qa.jsonl", "{\"id\": \"1\"}\nnot json\n", r"qa\.jsonl: line 2 is not JSON"),
        ("videomme", "bad.parquet", "not a parquet file", r"cannot read Video-MME parquet .*bad\.parquet"),
    ],
)
def test_malformed_files_raise_input_error(tmp_path: Path, kind: str, name: str, content: str, message: str) -> None:
    path = touch(tmp_path / name, content)
    with pytest.raises(InputError, match=message) as err:
        read_benchmark(kind, path)
    assert "\n" not in str(err.value)


GOOD = {
    "videomme": {"question_id": "2-1", "videoID": "x", "question": "?", "options": ["A. a", "B. b"], "answer": "B"},
    "longvideobench": {"id": "good", "video_id": "v", "question": "?", "candidates": ["a", "b"], "correct_choice": 1},
    "egoschema": {"q_uid": "good", "question": "?", "option 0": "a", "option 1": "b"},
    "keyclip": {"id": "good", "video": "v.mp4", "question": "?", "options": ["A. x"], "answer": "A"},
}


@pytest.mark.parametrize(
    ("kind", "bad", "line"),
    [
        ("videomme", {"question_id": "1-1", "videoID": "x", "options": []}, "item 1-1: has no 'question' field"),
        ("videomme", {"question_id": "9-1", "videoID": "x", "question": "?", "options": "A. x"},
         "item 9-1: options should be a list, got str"),
        ("videomme", {"videoID": "x", "question": "?", "options": ["A. x"]}, "item #1: has no 'question_id' / 'id' field"),
        ("longvideobench", {"id": "q", "video_id": "v", "question": "?", "candidates": ["a"], "correct_choice": 3},
         "item q: answer index 3 is outside its 1 options"),
        ("egoschema", {"q_uid": "u", "question": "?"}, "item u: has no 'option 0' ... 'option 4' fields"),
        ("keyclip", {"id": "k", "video": "v.mp4", "question": "?", "evidence_spans": 5},
         "item k: evidence_spans should be a list of [start, end], got 5"),
        ("keyclip", {"id": "k", "video": "v.mp4", "question": "?", "options": ["A. x"], "answer": "A",
                     "answer_span": [5, 1]}, "item k: span [5, 1] ends before it starts"),
    ],
)
def test_a_bad_item_is_reported_and_the_rest_read(tmp_path: Path, kind: str, bad: dict, line: str) -> None:
    name = "qa.jsonl" if kind == "keyclip" else "questions.json"
    rows = [bad, GOOD[kind]]
    text = "\n".join(json.dumps(r) for r in rows) if kind == "keyclip" else json.dumps(rows)
    read = read_benchmark(kind, touch(tmp_path / name, text))
    assert [p.line() for p in read.problems] == [f"{name}: {line}"]
    assert [i.id for i in read.items] == [GOOD[kind].get("question_id") or GOOD[kind].get("id")
                                          or GOOD[kind]["q_uid"]]


def test_duplicate_question_ids_keep_the_first(tmp_path: Path) -> None:
    rows = [{"id": "k", "video": "one.mp4", "question": "first?"}, {"id": "k", "video": "two.mp4", "question": "again?"},
            {"id": "m", "video": "two.mp4", "question": "other?"}]
    read = read_benchmark("keyclip", touch(tmp_path / "qa.jsonl", "\n".join(json.dumps(r) for r in rows)))
    assert [(i.id, i.question) for i in read.items] == [("k", "first?"), ("m", "other?")]
    assert [p.line() for p in read.problems] == ["qa.jsonl: item k: question id used twice (first for 'one'): "
                                                 "the second is skipped"]


def test_unknown_kind_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unknown benchmark 'nextqa'.*videomme"):
        read_benchmark("nextqa", tmp_path)
    with pytest.raises(InputError, match=r"annotations not found: .*nothere\.json"):
        read_benchmark("egoschema", tmp_path / "nothere.json")
    with pytest.raises(InputError, match=r"no MLVU task files"):
        read_benchmark("mlvu", tmp_path)
    with pytest.raises(InputError, match=r"cannot read subtitles .*none\.srt"):
        read_subtitles(tmp_path / "none.srt")


def test_malformed_subtitles(tmp_path: Path) -> None:
    bad = write_json(tmp_path / "subs.json", [{"when": 3, "text": "hi"}])
    with pytest.raises(InputError, match=r"subs\.json: cue 1 has neither"):
        read_subtitles(bad)
    with pytest.raises(InputError, match=r"junk\.json is not valid JSON"):
        read_subtitles(touch(tmp_path / "junk.json", "[{"))
    with pytest.raises(InputError, match=r"junk\.srt has no SubRip"):
        read_subtitles(touch(tmp_path / "junk.srt", "hello there\nno cues here\n"))

"""What the detector saw, in the words people use: the seen layer of the index ("objects seen:
6 person, 1 car") read as counts per COCO class, and the classes a question or an option names
("pedestrians" -> person, "vans" -> truck or car).

Only the 80 COCO classes an 80-class detector reports can be named; a word outside them
("skyscraper", "lawn", "white") names nothing, so a question about it is not carried by the
seen layer and is abstained without a vision-language model.

Example:
    >>> sorted(classes_named("Which vehicles are parked behind the pedestrians?"))
    ['bus', 'car', 'motorcycle', 'person', 'train', 'truck']
    >>> seen_counts("seen: 6 person (3 at once, 6:31.0-6:50.0), 1 car (6:40.0)")
    {'person': 6, 'car': 1}
"""

from __future__ import annotations

import re
from collections import Counter


def _base(word: str) -> str:
    """Singular of an English noun, enough for the class words ("buses" -> "bus", "vans" -> "van")."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ses", "xes", "ches", "shes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w

COCO_CLASSES = frozenset(c.replace("_", " ") for c in (
    "person bicycle car motorcycle airplane bus train truck boat traffic_light fire_hydrant stop_sign "
    "parking_meter bench bird cat dog horse sheep cow elephant bear zebra giraffe backpack umbrella handbag "
    "tie suitcase frisbee skis snowboard sports_ball kite baseball_bat baseball_glove skateboard surfboard "
    "tennis_racket bottle wine_glass cup fork knife spoon bowl banana apple sandwich orange broccoli carrot "
    "hot_dog pizza donut cake chair couch potted_plant bed dining_table toilet tv laptop mouse remote "
    "keyboard cell_phone microwave oven toaster sink refrigerator book clock vase scissors teddy_bear "
    "hair_drier toothbrush").split())
"""The 80 classes of COCO-trained detectors (YOLO, SSD)."""

# everyday words for the classes (singulars are compared, so plurals match)
_WORDS: dict[str, tuple[str, ...]] = {
    "person": ("person", "people", "pedestrian", "man", "men", "woman", "women", "child", "children", "kid",
               "boy", "girl", "walker", "crowd", "human", "passer", "someone", "player", "rider", "lecturer"),
    "bicycle": ("bicycle", "bike", "cyclist", "cycle", "cycling", "biking"), "car": ("car", "automobile", "taxi", "van", "vehicle", "suv"),
    "motorcycle": ("motorcycle", "motorbike", "scooter", "vehicle"), "airplane": ("airplane", "aeroplane", "plane",
                                                                                   "aircraft", "jet"),
    "bus": ("bus", "coach", "vehicle"), "train": ("train", "tram", "locomotive", "railway", "vehicle"),
    "truck": ("truck", "lorry", "van", "pickup", "vehicle"), "boat": ("boat", "ship", "sailboat", "yacht", "canoe"),
    "traffic light": ("traffic light",), "bench": ("bench",), "bird": ("bird", "pigeon", "gull", "duck", "seagull"),
    "cat": ("cat", "kitten"), "dog": ("dog", "puppy", "hound"), "horse": ("horse", "pony"), "sheep": ("sheep", "lamb"),
    "cow": ("cow", "cattle", "calf"), "elephant": ("elephant",), "bear": ("bear",), "zebra": ("zebra",),
    "giraffe": ("giraffe",), "backpack": ("backpack", "rucksack"), "umbrella": ("umbrella",),
    "handbag": ("handbag", "purse"), "suitcase": ("suitcase", "luggage"), "kite": ("kite",),
    "sports ball": ("ball", "football"), "skateboard": ("skateboard",), "bottle": ("bottle",), "cup": ("cup", "mug"),
    "chair": ("chair", "seat"), "couch": ("couch", "sofa"), "potted plant": ("plant", "houseplant"),
    "bed": ("bed",), "dining table": ("table", "desk"), "tv": ("tv", "television", "monitor", "screen"),
    "laptop": ("laptop", "notebook computer"), "keyboard": ("keyboard",), "cell phone": ("phone", "smartphone"),
    "book": ("book",), "clock": ("clock",), "refrigerator": ("refrigerator", "fridge"), "oven": ("oven",),
    "microwave": ("microwave",), "sink": ("sink",), "vase": ("vase",), "scissors": ("scissors",),
}
_INDEX: dict[str, set[str]] = {}
for _cls, _ws in _WORDS.items():
    for _w in _ws:
        _INDEX.setdefault(" ".join(_base(x) for x in _w.split()), set()).add(_cls)
for _cls in COCO_CLASSES:
    _INDEX.setdefault(" ".join(_base(x) for x in _cls.split()), set()).add(_cls)
_WORD = re.compile(r"[a-z]+")
_SEEN = re.compile(r"(\d+)\s+([a-z][a-z ]*?)\s*(?=,|$)")


def classes_named(text: str) -> set[str]:
    """COCO classes that ``text`` names (by everyday word, singular or plural)."""
    words = [_base(w) for w in _WORD.findall(text.lower())]
    out: set[str] = set()
    for n in (2, 1):
        for i in range(len(words) - n + 1):
            out |= _INDEX.get(" ".join(words[i:i + n]), set())
    return out


def seen_counts(text: str) -> dict[str, int]:
    """``"seen: 6 person (3 at once, 6:31-6:50), 1 car (6:40)"`` -> ``{"person": 6, "car": 1}``."""
    body = text.split(":", 1)[1] if ":" in text else text
    body = re.sub(r"\([^)]*\)", "", body)
    return {m.group(2).strip(): int(m.group(1)) for m in _SEEN.finditer(body.strip().lower())}


_HOW_MANY = re.compile(r"\bhow many\s+((?:[a-z-]+\s+){0,2}?[a-z-]+)\b", re.I)
_APART = re.compile(r"\b(apart from|besides|other than|excluding|except|not counting|aside from)\b", re.I)


def counted_classes(question: str) -> set[str]:
    """The COCO classes a *how many* question counts: the noun right after "how many"
    ("how many different people walk past" -> person); empty when it counts something else."""
    m = _HOW_MANY.search(question)
    if not m:
        return set()
    words = m.group(1).split()
    return classes_named(words[-1]) or (classes_named(" ".join(words)) if len(words) > 1 else set())


def count_seen(store, classes: set[str], question: str, max_gap_s: float = 3.0):
    """``(count, seen rows, "")`` for the objects of ``classes`` the detector saw in the whole
    video, or ``(None, rows, why not)`` when the count is not carried: the question excepts some
    of them ("apart from the cyclist"), nothing of the class was seen, or the tracks and the most
    seen at once disagree (the count is then only known to lie between them)."""
    from keyclip.tools.detect import count_tracks

    rows = [o for o in store.seen_objects() if o.label in classes]
    if _APART.search(question):
        return None, rows, "the question leaves some of them out, and which detections those are cannot be told"
    if not rows:
        return None, rows, f"the detector saw no {' or '.join(sorted(classes))} anywhere in the video"
    dets = store.detections(classes)
    at_once = Counter(d.t for d in dets).most_common(1)[0][1]
    tracked = max(at_once, count_tracks(dets, max_gap_s))
    if tracked != at_once:
        return None, rows, (f"the detector saw up to {at_once} at once and tracked {tracked} in all, so the "
                            "number of different ones is not certain")
    return at_once, rows, ""

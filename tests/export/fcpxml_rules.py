"""Checking an FCPXML 1.10 file against Apple's DTD rules for the elements Director writes.

Apple's DTD (FCPXMLv1_10.dtd) is Apple's copyrighted file and is not in this repository. The
tests check, element by element, the rules of that DTD that Director's output touches: which
children each element may have and in which order, which attributes it may and must carry, that
every IDREF names an ID, and that every time is rational seconds. When the environment variable
FCPXML_DTD names Apple's DTD file, xmllint (or lxml, the same libxml2 validator) also validates
the whole file against it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

# element: (children in the order the DTD allows them, allowed attributes, required attributes)
CLIP_ATTRS = {"lane", "offset", "name", "start", "duration", "enabled"}
RULES: dict[str, tuple[list[str], set[str], set[str]]] = {
    "fcpxml": (["import-options", "resources", "library"], {"version"}, {"version"}),
    "resources": (["asset|effect|format|media|locator"], set(), set()),
    "format": ([], {"id", "name", "frameDuration", "fieldOrder", "width", "height", "paspH", "paspV", "colorSpace", "projection", "stereoscopic"}, {"id"}),
    "asset": (["media-rep", "metadata"], {"id", "name", "uid", "start", "duration", "hasVideo", "format", "hasAudio", "videoSources", "audioSources", "audioChannels", "audioRate", "customLUTOverride", "colorSpaceOverride", "projectionOverride", "stereoscopicOverride", "auxVideoFlags"}, {"id"}),
    "media-rep": (["bookmark"], {"kind", "sig", "src", "suggestedFilename"}, {"src"}),
    "metadata": (["md"], set(), set()),
    "md": (["array"], {"key", "value", "editable", "type", "displayName", "description", "source"}, {"key"}),
    "media": (["multicam|sequence"], {"id", "name", "uid", "projectRef", "modDate"}, {"id"}),
    "multicam": (["mc-angle", "metadata"], {"format", "duration", "tcStart", "tcFormat", "renderFormat"}, {"format"}),
    "mc-angle": (["asset-clip|gap|clip|video|audio|title|mc-clip|ref-clip|sync-clip|audition|transition"], {"name", "angleID"}, {"angleID"}),
    "library": (["event|smart-collection"], {"location", "colorProcessing"}, set()),
    "event": (["clip|audition|mc-clip|ref-clip|sync-clip|asset-clip|collection-folder|keyword-collection|smart-collection|project"], {"name", "uid"}, set()),
    "project": (["sequence"], {"name", "uid", "id", "modDate"}, set()),
    "sequence": (["note", "spine", "metadata"], {"format", "duration", "tcStart", "tcFormat", "audioLayout", "audioRate", "renderFormat", "keywords"}, {"format"}),
    "spine": (["asset-clip|gap|clip|video|audio|title|mc-clip|ref-clip|sync-clip|audition|transition"], {"lane", "offset", "name", "format"}, set()),
    "asset-clip": (["note", "conform-rate", "timeMap", "metadata"], CLIP_ATTRS | {"ref", "srcEnable", "audioStart", "audioDuration", "format", "tcStart", "tcFormat", "modDate", "audioRole", "videoRole"}, {"ref"}),
    "mc-clip": (["note", "conform-rate", "timeMap", "adjust-volume", "adjust-panner", "mc-source", "metadata"], CLIP_ATTRS | {"ref", "srcEnable", "audioStart", "audioDuration", "modDate"}, {"ref", "duration"}),
    "mc-source": ([], {"angleID", "srcEnable"}, {"angleID"}),
    "gap": (["note", "metadata"], {"name", "offset", "start", "duration", "enabled"}, {"duration"}),
    "note": ([], set(), set()),
    "conform-rate": ([], {"scaleEnabled", "srcFrameRate", "frameSampling"}, set()),
}
ENUMS = {
    ("media-rep", "kind"): {"original-media", "proxy-media"},
    ("conform-rate", "scaleEnabled"): {"0", "1"},
    ("conform-rate", "frameSampling"): {"floor", "nearest-neighbor", "frame-blending", "optical-flow-classic", "optical-flow"},
    ("mc-source", "srcEnable"): {"all", "audio", "video", "none"},
    ("asset-clip", "enabled"): {"0", "1"},
    ("gap", "enabled"): {"0", "1"},
    ("sequence", "tcFormat"): {"DF", "NDF"},
    ("multicam", "tcFormat"): {"DF", "NDF"},
}
TIME_ATTRS = {"offset", "start", "duration", "tcStart", "frameDuration"}
TIME = re.compile(r"^-?\d+(/\d+)?s$")
IDREF_ATTRS = {"ref", "format"}


def _matches_order(children: list[str], order: list[str]) -> bool:
    """Children appear in the DTD's order; an entry 'a|b' may repeat, others at most once (every
    element Director writes is optional or starred in the DTD, so only order and repeats matter)."""
    k = 0
    for child in children:
        while k < len(order) and child not in order[k].split("|"):
            k += 1
        if k == len(order):
            return False
        if "|" not in order[k] and order[k] not in ("md", "mc-angle", "mc-source", "media-rep", "event"):
            k += 1
    return True


def check_fcpxml(path: Path) -> None:
    text = Path(path).read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n')
    root = ET.fromstring(text.split("\n", 2)[2])
    assert root.tag == "fcpxml" and root.get("version") == "1.10"
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert len(ids) == sum(1 for e in root.iter() if e.get("id")), "IDs must be unique"
    for e in root.iter():
        assert e.tag in RULES, f"<{e.tag}> is not an element Director should write"
        order, allowed, required = RULES[e.tag]
        children = [c.tag for c in e]
        assert _matches_order(children, order), f"<{e.tag}> children {children} break the DTD's order {order}"
        assert set(e.attrib) <= allowed, f"<{e.tag}> has attributes the DTD does not allow: {set(e.attrib) - allowed}"
        assert required <= set(e.attrib), f"<{e.tag}> lacks {required - set(e.attrib)}"
        for name, value in e.attrib.items():
            if (e.tag, name) in ENUMS:
                assert value in ENUMS[(e.tag, name)], f"<{e.tag} {name}={value!r}>"
            if name in TIME_ATTRS:
                assert TIME.match(value), f"<{e.tag} {name}={value!r}> is not a time"
            if name in IDREF_ATTRS and e.tag != "format":
                assert value in ids, f"<{e.tag} {name}={value!r}> names no ID"
    dtd = os.environ.get("FCPXML_DTD")
    if dtd:
        _validate_with_dtd(Path(path), Path(dtd))


def _validate_with_dtd(path: Path, dtd: Path) -> None:
    if shutil.which("xmllint"):
        run = subprocess.run(["xmllint", "--noout", "--dtdvalid", str(dtd), str(path)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return
    from lxml import etree

    assert etree.DTD(str(dtd)).validate(etree.parse(str(path))), "invalid against the DTD"

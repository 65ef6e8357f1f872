"""What qualitative-analysis programs do to a REFI-QDA file the toolkit wrote, simulated for round-trip tests.

QualCoder (and programs like it) regenerate every GUID on import and export and name selections by their text;
:func:`qualcoder_reexport` does the same to a ``.qdpx``, :func:`regenerated_codebook` to a ``.qdc``.
"""

from __future__ import annotations

import random
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

PNS = "urn:QDA-XML:project:1.0"
CNS = "urn:QDA-XML:codebook:1.0"


def q(tag: str, ns: str = PNS) -> str:
    return f"{{{ns}}}{tag}"


def zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def load_project(path: Path) -> tuple[ET.Element, dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    return ET.fromstring(files["project.qde"]), files


def save_project(root: ET.Element, files: dict[str, bytes], path: Path) -> Path:
    ET.register_namespace("", PNS)
    return zip_with(path, {**files, "project.qde": ET.tostring(root, encoding="utf-8", xml_declaration=True)})


GUID_ATTRIBUTES = ("guid", "targetGUID", "creatingUser", "creatingUserGUID", "modifyingUser")
"""The attributes of a REFI-QDA document that hold a GUID or point to one."""


class NewGuids:
    """New random GUIDs for old ones, the same new one for the same old one (any case) within a file."""

    def __init__(self, seed: int, upper: bool) -> None:
        self.rng, self.upper, self.made = random.Random(seed), upper, {}

    def __call__(self, old: str) -> str:
        key = old.strip("{}").lower()
        if key not in self.made:
            new = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            self.made[key] = new.upper() if self.upper else new
        return self.made[key]

    def rewrite(self, root: ET.Element) -> None:
        for el in root.iter():
            for attr in GUID_ATTRIBUTES:
                if el.get(attr):
                    el.set(attr, self(el.get(attr)))


def qualcoder_reexport(source: Path, target: Path, *, upper: bool = False, seed: int = 7) -> Path:
    """What QualCoder makes of a ``.qdpx`` the toolkit wrote when it imports and exports it again: every GUID
    (users, codes, sources, selections, codings, notes, cases, variables) replaced by a new random one, the
    same one wherever the file refers to it (``plainTextPath`` and the source files follow); every selection
    named by the text it selects; QualCoder as ``origin``. ``upper``: the GUIDs in upper case."""
    root, files = load_project(source)
    NewGuids(seed, upper).rewrite(root)
    kept = {name: data for name, data in files.items() if not name.startswith("sources/")}
    for src in root.iter(q("TextSource")):
        old = "sources/" + src.get("plainTextPath").removeprefix("internal://")
        src.set("plainTextPath", f"internal://{src.get('guid')}.txt")
        kept[f"sources/{src.get('guid')}.txt"] = files[old]
        text = files[old].decode("utf-8")
        for sel in src.iter(q("PlainTextSelection")):
            sel.set("name", text[int(sel.get("startPosition")) : int(sel.get("endPosition"))])
    root.set("origin", "QualCoder 3.6")
    return save_project(root, kept, target)


def regenerated_codebook(source: Path, target: Path, *, upper: bool = False, seed: int = 7) -> Path:
    """A ``.qdc`` as a program that makes its own GUIDs writes it back: new random code GUIDs."""
    root = ET.parse(source).getroot()
    NewGuids(seed, upper).rewrite(root)
    root.set("origin", "QualCoder 3.6")
    ET.register_namespace("", CNS)
    ET.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)
    return target

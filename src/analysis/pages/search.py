"""What the index's search compares: each row's words, with the other names a reader may type.

The alias table (``templates/search_aliases.yaml``: short names such as Jabar or DKI, English
province names, "Kab."/"Kota"/"City", city abbreviations such as Bdg) is data with its sources. It
is applied here, once, when the index is written: a row's search text holds its code without dots,
its name and every alias, normalised as the page's script normalises what is typed (``NORMALISE_JS``
does the same steps), so the script only checks that each typed word starts a word of the row.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import yaml

ALIASES_FILE = Path(str(files("analysis.pages").joinpath("templates", "search_aliases.yaml")))

# The same steps in the page's script: compatibility decomposition, marks dropped, lower case,
# dots between digits dropped (32.73 -> 3273), anything else but letters and digits a space.
NORMALISE_JS = ('s.normalize("NFKD").replace(/\\p{M}/gu, "").toLowerCase().replace(/(\\d)\\.(?=\\d)/g, "$1")'
                '.replace(/[^a-z0-9]+/g, " ").trim()')


def normalise(text: str) -> str:
    """Words of ``text`` as the search compares them: ``"Kab. Cianjúr 32.03"`` -> ``"kab cianjur 3203"``."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.category(c).startswith("M")).lower()
    return re.sub(r"[^a-z0-9]+", " ", re.sub(r"(\d)\.(?=\d)", r"\1", plain)).strip()


@lru_cache(maxsize=1)
def aliases() -> tuple[dict[str, tuple[str, ...]], tuple[tuple[str, tuple[str, ...]], ...]]:
    """``({code: names}, ((phrase, names), ...))`` from the alias file, normalised; longer phrases first."""
    doc = yaml.safe_load(ALIASES_FILE.read_text(encoding="utf-8"))
    regions = {str(code): tuple(normalise(n) for part in ("short", "en") for n in names.get(part) or ())
               for code, names in doc["regions"].items()}
    words = sorted(((normalise(w), tuple(normalise(n) for n in names)) for w, names in doc["words"].items()),
                   key=lambda item: -len(item[0].split()))
    return regions, tuple(words)


def search_text(code: str, name: str) -> str:
    """The words a row is found by: its code (``3273`` finds ``32.73``), its name, the region's
    short and English names and, for each word or phrase of the name, what a reader types for it."""
    regions, words = aliases()
    own = normalise(name)
    found = [normalise(code), own, *regions.get(code, ())]
    padded = f" {own} "
    for phrase, names in words:
        if f" {phrase} " in padded:
            found.extend(names)
    return " ".join(dict.fromkeys(" ".join(found).split()))

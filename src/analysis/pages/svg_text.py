"""Text measured once per process for every SVG chart it draws, instead of at every draw.

matplotlib measures a text (its width, height and descent) and lays it out (its lines, box and
alignment offsets) every time a chart is drawn, and keeps what it measured per renderer only;
every SVG file gets a new renderer. A worker draws thousands of charts whose texts are a few
hundred tick labels, axis labels and legend entries, so it measured the same strings again and
again: about a quarter of drawing a chart.

Every SVG renderer measures with the same ``TextToPath`` at 72 dpi, so one table of sizes and one
table of layouts serve them all. A layout depends only on the text's string, font, dpi,
rotation, alignments and line spacing (never its position), and is keyed by exactly those.

Both tables apply only while ``shared_text(fig)`` draws ``fig``: its renderer is registered, and
any other drawing (an analyst's ``plt.plot``, inline figures, other backends) is measured by
matplotlib as usual. Both rest on matplotlib internals (``text._get_text_metrics_function``'s
per-renderer table and ``Text._get_layout``); where a matplotlib version lacks one, charts are
measured as before, with the same bytes.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import matplotlib.text
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.textpath import TextToPath

_TEXT_TO_PATH = TextToPath()
_MEASURE = getattr(matplotlib.text, "_get_text_metrics_function", None)
_RENDERER_METRICS = next(iter(getattr(_MEASURE, "__defaults__", None) or ()), None)
_OWN_LAYOUT = getattr(Text, "_get_layout", None)
_SHARED: weakref.WeakSet = weakref.WeakSet()  # renderers drawing inside shared_text
_LAYOUTS: dict[tuple, tuple] = {}
LAYOUTS_KEPT = 20_000  # distinct texts; the table starts again when full (a few MB at most)


@lru_cache(maxsize=8192)
def text_metrics(text: str, fontprop: FontProperties, ismath: bool | str, dpi: float) -> tuple[float, float, float]:  # noqa: ARG001 - dpi keys the cache
    """Width, height and descent in points of a text as every SVG renderer measures it."""
    return _TEXT_TO_PATH.get_text_width_height_descent(text, fontprop, ismath)


def _layout(text: Text, renderer) -> tuple:  # noqa: ANN001 - a matplotlib renderer
    """``Text._get_layout`` kept per process for registered renderers (callers only read the result)."""
    if renderer not in _SHARED or text.get_usetex() or text.get_wrap():
        return _OWN_LAYOUT(text, renderer)
    key = (text.get_text(), tuple(sorted(text.get_fontproperties().__dict__.items())), text.figure.dpi,
           text.get_rotation(), text.get_rotation_mode(), text.get_horizontalalignment(), text.get_verticalalignment(),
           text._linespacing, text._get_multialignment(), text.get_parse_math())
    layout = _LAYOUTS.get(key)
    if layout is None:
        if len(_LAYOUTS) >= LAYOUTS_KEPT:
            _LAYOUTS.clear()
        layout = _LAYOUTS[key] = _OWN_LAYOUT(text, renderer)
    return layout


if _OWN_LAYOUT is not None:
    Text._get_layout = _layout


@contextmanager
def shared_text(fig: Figure) -> Iterator[None]:
    """Draw ``fig`` (e.g. ``savefig`` to SVG) with the process's tables of text sizes and layouts."""
    draw = type(fig).draw

    def registered(renderer) -> None:  # noqa: ANN001 - a matplotlib renderer
        if isinstance(_RENDERER_METRICS, weakref.WeakKeyDictionary):
            _RENDERER_METRICS[renderer] = text_metrics
        _SHARED.add(renderer)
        draw(fig, renderer)

    fig.draw = registered
    try:
        yield
    finally:
        del fig.draw

"""How page blocks and reports show in a notebook: styled as on the published page in JupyterLab,
and as the page itself for the nbconvert template (the notebook's parameters: ``analysis.lab.parameters``).

A block (``analysis.pages.markup.Html``) is displayed twice over in one output: ``text/html`` for
JupyterLab, wrapped in ``<div class="cakupan-nb">`` with links to other pages of a portfolio
unwrapped (they would be 404s inside Lab), the page stylesheet scoped to that class (every rule
prefixed, so nothing restyles JupyterLab itself) carried by one output of the notebook, not each;
and :data:`PAGE_MIME`, the block exactly as the published page shows it, which the nbconvert
template ``cakupan`` prefers. ``text/plain`` is one line naming the block.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from importlib.resources import files

from analysis import __version__
from analysis.pages.frames import Frames
from analysis.core.messages import LANGUAGES, fmt_pct, t

PAGE_MIME = "application/vnd.cakupan.page+html"  # a block as the published page shows it
SCOPE = "cakupan-nb"  # class of the wrapper around every block shown in a notebook
_STYLES = files("analysis.pages").joinpath("templates", "cakupan")

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_LOCAL_LINK = re.compile(r'<a href="(?!https?://|#|mailto:)[^"]*"[^>]*>(.*?)</a>', re.S)


# The wrapper's class three times over: the same element, but a specificity of (0,3,0) before the
# page's own selector, above JupyterLab's output rules (up to ``.jp-ThemedContainer
# .jp-RenderedHTMLCommon :not(pre) > code`` and ``h2:first-child``), so the page's rules win in Lab.
SCOPED = f".{SCOPE}" * 3


def _prefix_selector(selector: str) -> str:
    selector = selector.strip()
    if selector in (":root", "html", "body"):
        return SCOPED
    return f"{SCOPED} {selector}"


def scope_css(css: str) -> str:
    """``css`` with every selector inside the wrapper (:data:`SCOPED`; ``:root`` and ``body`` become the wrapper);
    ``@media`` blocks are kept with their rules scoped, ``@page`` and other at-rules dropped."""
    css = _COMMENT.sub("", css)
    out, i = [], 0
    while i < len(css):
        start = css.find("{", i)
        if start < 0:
            break
        head = css[i:start].strip()
        depth, j = 1, start + 1
        while depth and j < len(css):
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        body = css[start + 1:j - 1]
        if head.startswith("@media"):
            out.append(f"{head} {{\n{scope_css(body)}}}\n")
        elif not head.startswith("@"):
            out.append(",".join(_prefix_selector(s) for s in head.split(",")) + " {" + body.strip() + "}\n")
        i = j
    return "".join(out)


@lru_cache(maxsize=1)
def notebook_css() -> str:
    """The page stylesheet scoped to the wrapper, then the rules that undo JupyterLab's own output styles."""
    page = _STYLES.joinpath("style.css").read_text(encoding="utf-8")
    extra = _STYLES.joinpath("notebook.css").read_text(encoding="utf-8")
    return scope_css(page) + scope_css(extra)


_CARRIER: dict[str, str] = {}  # kernel client session -> the cell whose output carries the stylesheet


def _carries_style() -> bool:
    """Whether the output being made carries the stylesheet: once per notebook, not in every output.

    In a kernel, the first cell of a client's session (one open notebook) that shows a block carries
    it, and again whenever that cell runs again; the other cells' blocks, and widgets redrawn by a
    slider, are styled by it. Outside a kernel request (a build, a script) every block carries it.
    """
    from IPython import get_ipython

    kernel = getattr(get_ipython(), "kernel", None)
    parent = kernel.get_parent() if kernel is not None and hasattr(kernel, "get_parent") else None
    header = (parent or {}).get("header") or {}
    session = header.get("session")
    if not session:
        return True
    if header.get("msg_type") != "execute_request":  # a widget redrawn: the notebook's carrier styles it
        return session not in _CARRIER
    cell = (parent.get("metadata") or {}).get("cellId") or header.get("msg_id", "")
    return _CARRIER.setdefault(session, cell) == cell


def lab_html(block: str, style: bool | None = None) -> str:
    """A block as JupyterLab shows it: wrapper, links to other pages as plain text, and the scoped
    stylesheet when this output carries it (``style``; by default :func:`_carries_style`)."""
    text = _LOCAL_LINK.sub(r"\1", block)
    css = f"<style>{notebook_css()}</style>" if (_carries_style() if style is None else style) else ""
    return f'<div class="{SCOPE}">{css}{text}</div>'


_HEADING = re.compile(r"<h[1-3][^>]*>(.*?)</h[1-3]>", re.S)
_TAG = re.compile(r"<[^>]+>")
_SELF_LINK = re.compile(r'<a class="self"[^>]*>.*?</a>', re.S)  # a heading's link to itself (markup.section)


def plain_line(block: str) -> str:
    """A block's ``text/plain``: its first heading, one line (the page's HTML would otherwise be
    stored a third time in every saved notebook)."""
    found = _HEADING.search(block)
    title = html.unescape(_TAG.sub("", _SELF_LINK.sub("", found.group(1)))).strip() if found else ""
    return f"<Cakupan block: {title}>" if title else "<Cakupan block>"


def block_bundle(block: str) -> dict[str, str]:
    """Display data of a page block (see the module notes)."""
    return {"text/html": lab_html(block), PAGE_MIME: block}


def footer_html(summary: dict) -> str:
    """What the ``publish(...)`` cell shows in JupyterLab, in place of an empty output: one line saying the summary
    was published for the build (not the page's footer, which names the build time and parameters)."""
    lang = summary.get("lang") if summary.get("lang") in LANGUAGES else "en"
    return lab_html(f'<footer class="built"><p>{_escape(t("workbench.footer.lab", lang, version=__version__))}</p></footer>')


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


# --- parameters and the load cell ------------------------------------------------------------

# --- rich display of reports -------------------------------------------------------------------

class Workbench:
    """Mixed into ``RegionReport`` and ``Overview``: a compact display, and ``frames``, the data
    behind each section as DataFrames (:mod:`analysis.pages.frames`), built from ``summary()``."""

    lang: str

    def summary(self) -> dict:  # pragma: no cover - provided by the report class
        raise NotImplementedError

    @property
    def frames(self) -> Frames:
        return Frames(self.summary())

    frames.__doc__ = Frames.__doc__  # what ``report.frames?`` shows: every frame, one line each

    def _facts(self) -> tuple[str, str, list[str]]:
        """(title line, headline, sections with data)."""
        summary = self.summary()
        lang = self.lang
        title = summary.get("nama") or summary.get("title") or summary.get("kode")
        level = summary.get("tingkat")
        if level:
            title = f"{title} ({summary['kode']}, {t(f'level.{level}', lang)}, {lang})"
        latest = summary.get("latest")
        if latest and latest.get("cakupan") is not None:
            headline = t("workbench.repr.headline", lang, year=latest["tahun"],
                         value=fmt_pct(latest["cakupan"], lang) + (" ◇" if latest.get("sintetis") else ""))
        else:
            headline = t("workbench.repr.no_headline", lang) if level else ""
        if summary.get("sintetis"):
            headline = "; ".join(filter(None, (headline, t("workbench.repr.sample", lang))))
        return title, headline, Frames(summary).available

    def __repr__(self) -> str:
        title, headline, sections = self._facts()
        lines = [f"<{type(self).__name__} {title}>"]
        if headline:
            lines.append(f"  {headline}")
        lines.append(f"  frames: {', '.join(sections) or '-'}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        title, headline, sections = self._facts()
        items = " ".join(f"<code>.frames.{_escape(s)}</code>" for s in sections) or "–"
        return lab_html(
            f'<div class="repr"><p><strong>{_escape(type(self).__name__)}</strong> {_escape(title)}'
            + (f"<br>{_escape(headline)}" if headline else "")
            + f'</p><p class="muted">{_escape(t("workbench.repr.sections", self.lang))}: {items}</p></div>'
        )

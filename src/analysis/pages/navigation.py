"""Finding one's way in a page: the table of contents, the glossary and links from each term's first use.

The page is the blocks its notebook displayed, in order (``analysis.pages.preprocessor`` hands them
over). :func:`navigate` links the first use of each glossary term in the page's text (never inside a
link, a heading, an attribute, code or the glossary itself) to its entry, and puts a ``<nav>`` listing
every section of the page right after the status block, so the status stays on the first screen.
Each section heading links to itself (:func:`analysis.pages.markup.section`), so ``32.html#forecast``
can be shared.
"""

from __future__ import annotations

import html
import re

from analysis.core.messages import t
from analysis.pages.markup import Html, esc, section

# (entry id, the words that are this term on a page); entries in the order the glossary lists them
GLOSSARY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pu", ("PU",)), ("bpu", ("BPU",)), ("jakon", ("Jakon", "JAKON")), ("pmi", ("PMI",)), ("ucj", ("UCJ",)),
    ("rpjmn", ("RPJMN",)), ("rpjpn", ("RPJPN",)), ("rkp", ("RKP",)), ("sakernas", ("Sakernas",)),
    ("pp", ("pp",)), ("mase", ("MASE",)), ("logit", ("logit",)), ("m1", ("M1",)),
)
ENTRY = "gl-{}"  # id of a glossary entry
_TERM = re.compile("|".join(rf"(?<![\w/.-])(?P<{slug}>{'|'.join(map(re.escape, words))})(?![\w-])" for slug, words in GLOSSARY))
_TAG = re.compile(r"(<[^>]*>)")
_NAME = re.compile(r"^<\s*(/?)\s*([a-zA-Z0-9]+)")
SKIP = frozenset({"a", "h1", "h2", "h3", "h4", "h5", "h6", "nav", "script", "style", "code", "title", "summary", "button"})
VOID = frozenset({"img", "br", "hr", "meta", "input", "link", "source", "wbr"})
_SECTION = re.compile(r'<section class="block[^"]*" id="([^"]+)"><h2>(.*?)</h2>', re.S)
_SELF = re.compile(r'\s*<a class="self"[^>]*>.*?</a>', re.S)


def glossary_block(lang: str) -> Html:
    """The glossary section: every term a page may use, each entry an anchor the first use links to."""
    items = "".join(f'<dt id="{ENTRY.format(slug)}">{esc(words[0])}</dt><dd>{esc(t(f"glossary.{slug}", lang))}</dd>'
                    for slug, words in GLOSSARY)
    return section("glossary.title", lang, f'<p>{esc(t("glossary.lead", lang))}</p><dl class="glossary">{items}</dl>')


def link_terms(blocks: list[str]) -> list[str]:
    """The blocks with the first use of each glossary term (in text, outside links, headings, code and
    the glossary) made a link to its entry; later uses stay plain."""
    seen: set[str] = set()
    out = []
    for block in blocks:
        if 'id="glossary"' in block:
            out.append(block)
            continue
        parts, depth = [], 0
        for piece in _TAG.split(block):
            if piece.startswith("<"):
                match = _NAME.match(piece)
                if match and match.group(2).lower() in SKIP and not piece.endswith("/>"):
                    depth += -1 if match.group(1) else 1
                parts.append(piece)
            elif depth > 0 or not piece:
                parts.append(piece)
            else:
                parts.append(_TERM.sub(lambda m: _link(m, seen), piece))
        out.append("".join(parts))
    return out


def _link(match: re.Match, seen: set[str]) -> str:
    slug = match.lastgroup
    if slug in seen:
        return match.group(0)
    seen.add(slug)
    return f'<a class="term" href="#{ENTRY.format(slug)}">{match.group(0)}</a>'


def page_sections(blocks: list[str]) -> list[tuple[str, str]]:
    """(id, heading text) of every section of the page, in order."""
    found = []
    for block in blocks:
        for slug, heading in _SECTION.findall(block):
            text = html.unescape(re.sub(r"<[^>]+>", "", _SELF.sub("", heading))).strip()
            found.append((slug, text))
    return found


def contents(sections: list[tuple[str, str]], lang: str) -> str:
    """The table of contents: a ``<nav>`` linking every section."""
    items = "".join(f'<li><a href="#{esc(slug)}">{esc(title)}</a></li>' for slug, title in sections)
    return f'<nav class="contents" aria-label="{esc(t("nav.contents", lang))}"><p class="contents-title">{esc(t("nav.contents", lang))}</p><ol>{items}</ol></nav>'


def navigate(blocks: list[str], lang: str, after: list[tuple[str, str]] = ()) -> list[str]:
    """The page's blocks (as many as given) with terms linked and the table of contents right after the
    status block, else before the first section; ``after``: sections the template adds at the end (the downloads)."""
    blocks = link_terms(blocks)
    nav = contents([*page_sections(blocks), *after], lang)
    status = next((i for i, block in enumerate(blocks) if 'id="status"' in block), None)
    if status is not None:
        blocks[status] += nav
    else:
        first = next((i for i, block in enumerate(blocks) if "<section" in block), None)
        if first is not None:
            blocks[first] = nav + blocks[first]
    return blocks

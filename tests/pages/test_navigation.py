"""Finding one's way in a page (analysis.pages.navigation): contents, section links, glossary, one UCJ caveat."""

from __future__ import annotations

import json
import re

from analysis.core.messages import t
from analysis.pages.navigation import GLOSSARY, contents, glossary_block, link_terms, navigate, page_sections

SECTION = re.compile(r'<section class="block[^"]*" id="([^"]+)"')


def test_only_the_first_use_of_a_term_in_text_is_linked():
    blocks = ['<section class="block" id="a"><h2>PU and BPU</h2><img alt="PU share"><p>Formal (PU) and informal (BPU) workers; '
              'PU again, <a href="x">BPU in a link</a>, UCJ-like and XPU stay plain.</p></section>',
              '<section class="block" id="b"><p>BPU again; <code>MASE</code> then MASE.</p></section>',
              glossary_block("en")]
    first, second, glossary = link_terms(blocks)
    assert first.count('href="#gl-pu"') == 1 and first.count('href="#gl-bpu"') == 1
    assert '<h2>PU and BPU</h2>' in first and 'alt="PU share"' in first  # not in headings nor attributes
    assert '(<a class="term" href="#gl-pu">PU</a>)' in first and "PU again" in first and ">BPU in a link</a>" in first
    assert "XPU" in first and 'href="#gl-ucj"' not in first  # UCJ-like is a word of its own kind: no link
    assert 'href="#gl-bpu"' not in second and second.count('href="#gl-mase"') == 1 and "<code>MASE</code>" in second
    assert glossary == blocks[2]  # the glossary links nothing to itself


def test_contents_follow_the_status_block_and_list_every_section():
    blocks = ['<header><h1>T</h1></header>', '<section class="block" id="status"><h2>At a glance <a class="self" href="#status">#</a></h2></section>',
              '<section class="block" id="trend"><h2>Trend &amp; more</h2></section>']
    out = navigate(list(blocks), "en", [("unduh", "Download")])
    assert len(out) == 3 and out[0] == blocks[0]
    assert out[1].startswith(blocks[1]) and out[1].endswith("</nav>")
    assert re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>', out[1]) == [("status", "At a glance"), ("trend", "Trend &amp; more"), ("unduh", "Download")]
    assert page_sections(blocks) == [("status", "At a glance"), ("trend", "Trend & more")]
    assert contents([], "en").startswith('<nav class="contents" aria-label="Contents">')


def _page(portfolio, lang, stem):
    return portfolio.page(lang, stem).read_text(encoding="utf-8")


def _stems(portfolio):
    return [*portfolio.regions, "overview"]


def test_every_page_opens_with_the_status_section_and_links_every_section(built_portfolio):
    for lang in built_portfolio.languages:
        for stem in _stems(built_portfolio):
            html = _page(built_portfolio, lang, stem)
            ids = SECTION.findall(html)
            assert ids[0] == "status", (lang, stem, ids[:3])
            nav = re.search(r'<nav class="contents".*?</nav>', html, re.S).group(0)
            assert re.findall(r'href="#([^"]+)"', nav) == ids, (lang, stem)
            for slug in ids:  # each heading links to its own section
                assert re.search(rf'id="{slug}"><h2>[^<]*<a class="self" href="#{slug}"', html), (lang, stem, slug)
            assert "glossary" in ids and html.index('id="status"') < html.index('<nav class="contents"') < html.index(f'id="{ids[1]}"')


def test_glossary_links_resolve_and_each_term_is_linked_once(built_portfolio):
    for lang in built_portfolio.languages:
        for stem in _stems(built_portfolio):
            html = _page(built_portfolio, lang, stem)
            links = re.findall(r'<a class="term" href="#(gl-[a-z0-9]+)">', html)
            assert links and len(links) == len(set(links)), (lang, stem)
            for target in links:
                assert html.count(f'id="{target}"') == 1, (lang, stem, target)
            assert {f"gl-{slug}" for slug, _ in GLOSSARY} <= set(re.findall(r'<dt id="(gl-[a-z0-9]+)"', html))
    report = _page(built_portfolio, "en", "32")
    for slug in ("pu", "bpu", "ucj", "mase", "logit", "m1", "rpjmn"):
        assert f'href="#gl-{slug}"' in report, slug


def test_the_ucj_caveat_is_printed_once_a_page_and_linked_from_the_others(built_portfolio):
    for lang in built_portfolio.languages:
        caveat = t("ucj.note", lang, value="\0", period="", source="", own="", year="").split("\0")[0]
        for stem in _stems(built_portfolio):
            html = _page(built_portfolio, lang, stem)
            text = re.sub(r"<[^>]+>", "", html).replace("&#x27;", "'")  # terms in it may link to the glossary
            assert text.count(caveat) == 1 and html.count('id="ucj"') == 1, (lang, stem)
            assert html.count('href="#ucj"') >= 1, (lang, stem)


def test_every_region_json_carries_its_status(built_portfolio):
    keys = {"headline": 6, "milestone": 6, "on_track": 7, "reached_year": 6, "best_lever": 4}
    for lang in built_portfolio.languages:
        for stem in _stems(built_portfolio):
            status = json.loads((built_portfolio.root / lang / f"{stem}.json").read_text(encoding="utf-8"))["status"]
            assert {k: len(status[k]) for k in keys} == keys and isinstance(status["sintetis"], bool), (lang, stem)

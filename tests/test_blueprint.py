"""`rankcollapse blueprint`: a static, self-contained site.  Static checks on the HTML
(every node links to an existing page, MathML present, no network reference), then a
real browser: headless Chromium loads the pages, the graph and the formulas are in the
rendered DOM with non-zero size, and screenshots are not blank.  The browser part skips,
with the reason, where no Chromium is installed."""
import json
import re

import pytest

from rankcollapse.blueprint import browser
from rankcollapse.claims import uses_graph as D
from rankcollapse.claims import load
from rankcollapse.cli import main

FEW = ["corollary-2", "lemma-2-printed-lower-bound", "theorem-1"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The fast path: `verify --json` on a handful of claims, then `--from-json`."""
    tmp = tmp_path_factory.mktemp("bp")
    from rankcollapse.blueprint import run_results
    results = run_results(FEW, progress=False)
    js = tmp / "verify.json"
    js.write_text(json.dumps({"claims": results, "summary": {}}))
    figs = tmp / "figs"
    figs.mkdir()
    # a stand-in figure: the page must embed the PNG that `rankcollapse figures` wrote
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [1, 0])
    fig.savefig(figs / "theory_theorem1.png")
    plt.close(fig)
    out = tmp / "site"
    assert main(["blueprint", "--out", str(out), "--from-json", str(js),
                 "--figures", str(figs)]) == 0
    return out


def _hrefs(html):
    return re.findall(r'<a href="([^"]+)" class="node(?: formal)?" data-node="([^"]+)"', html)


def test_every_node_has_a_page_and_every_graph_node_links_to_it(site):
    reg = load()
    g = D.graph()
    index = (site / "index.html").read_text()
    links = _hrefs(index)
    linked = {n for _, n in links}
    assert linked == set(g["nodes"]), set(g["nodes"]) ^ linked
    for href, n in links:
        assert href in (f"claims/{n}.html",) and (site / href).exists(), href
    assert set(reg) <= linked
    assert '<svg id="depgraph"' in index
    graph_svg = index[index.index('<svg id="depgraph"'):]
    for n in g["nodes"]:       # every label whole (squeezed with textLength, never cut)
        assert re.search(rf'class="nid"[^>]*>{re.escape(n)}</text>', graph_svg), n
    assert '<svg id="route-theorem-1-paper"' in index and '<svg id="route-theorem-1-ours"' in index


def test_pages_are_self_contained(site):
    for p in [site / "index.html", site / "claims.html", *(site / "claims").glob("*.html")]:
        html = p.read_text()
        # only namespace URIs may name a host; nothing is fetched
        refs = re.findall(r'(?:src|href)="(https?:[^"]*)"', html)
        assert refs == [], (p.name, refs)
        assert "<link " not in html and "@import" not in html


def test_claim_page_contents(site):
    t1 = (site / "claims" / "theorem-1.html").read_text()
    assert "<math" in t1 and "<mfrac>" in t1          # LaTeX rendered to MathML
    for part in ("the paper</h3>", "ours</h3>", "What our route changes", "Proof idea", "Evidence",
                 "tests/test_bounds.py::test_theorem1_negative_controls",
                 "rankcollapse.claims.section4_1_theorem1.theorem1", "../figures/theory_theorem1.png",
                 "mask: complete", "mask: unidirectional_window", "random seed"):
        assert part in t1, part
    assert (site / "figures" / "theory_theorem1.png").exists()
    fail = (site / "claims" / "lemma-2-printed-lower-bound.html").read_text()
    assert "Witness (rerunnable)" in fail and "What holds instead" in fail
    # a node without evidence in this build says so
    assert "not run in this build" in (site / "claims" / "lemma-9.html").read_text()


def test_bad_inputs_are_one_line_errors(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["blueprint", "--out", str(tmp_path / "s"), "--from-json", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--from-json" in err


# ------------------------------------------------------------------ a real browser
EXE = browser.find()
needs_browser = pytest.mark.skipif(
    EXE is None, reason="no Chromium on the PATH (Debian: apt-get install chromium); the "
                        "browser checks of the blueprint are skipped")


@needs_browser
def test_browser_exercise_mode_hides_every_answer(site):
    dom = browser.dump_dom(str((site / "claims" / "lemma-3.html").resolve().as_uri()) +
                           "#exercise", exe=EXE)
    total = int(re.search(r'data-answers="(\d+)"', dom).group(1))
    hidden = int(re.search(r'data-answers-hidden="(\d+)"', dom).group(1))
    from rankcollapse.claims import walk
    n_cmp = sum(1 for s in walk("lemma-3").steps if s.kind == "compare")
    assert total == n_cmp > 10 and hidden == total     # one hidden value per comparison
    plain = browser.dump_dom((site / "claims" / "lemma-3.html"), exe=EXE)
    assert re.search(r'data-answers-hidden="0"', plain)


@needs_browser
def test_browser_prints_the_book_to_pdf(site, tmp_path):
    pdf = browser.print_pdf(site / "book.html", tmp_path / "b.pdf", exe=EXE)
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= len(D.graph()["nodes"])      # a chapter per node starts a new page


@needs_browser
def test_browser_renders_graph_and_links(site):
    dom = browser.dump_dom(site / "index.html", exe=EXE)
    body = re.search(r"<body([^>]*)>", dom).group(1)
    n_nodes = len(D.graph()["nodes"])
    assert f'data-graph-nodes="{n_nodes}"' in body, body
    w, h = map(int, re.search(r'data-graph-size="(\d+)x(\d+)"', body).groups())
    assert w > 500 and h > 300
    assert {n for _, n in _hrefs(dom)} == set(D.graph()["nodes"])


@needs_browser
def test_browser_renders_mathml(site):
    dom = browser.dump_dom(site / "claims" / "theorem-1.html", exe=EXE)
    body = re.search(r"<body([^>]*)>", dom).group(1)
    total = int(re.search(r'data-math-total="(\d+)"', body).group(1))
    shown = int(re.search(r'data-math-rendered="(\d+)"', body).group(1))
    assert total >= 1 and shown == total, body
    # Chromium lays out MathML natively (display "block math"), not as unknown inline text
    assert 'data-math-display="block math"' in body, body


@needs_browser
def test_browser_screenshots_are_not_blank(site, tmp_path):
    """A blank page renders as one colour with no ink (colour_stats' baseline, checked in
    its own right on a white PNG); the graph page and a claim page must carry content,
    and differ from each other."""
    import numpy as np
    from matplotlib.image import imsave
    white = tmp_path / "white.png"
    imsave(white, np.ones((100, 140, 3)))
    base = browser.colour_stats(white)
    assert base["distinct_colours"] == 1 and base["nonwhite_fraction"] == 0
    stats = []
    for page in (site / "index.html", site / "claims" / "theorem-1.html"):
        st = browser.colour_stats(browser.screenshot(page, tmp_path / f"{page.stem}.png",
                                                     exe=EXE))
        assert st["size"] == [1400, 1000]
        assert st["distinct_colours"] > 200 and st["nonwhite_fraction"] > 0.05, (page, st)
        stats.append(st)
    assert stats[0] != stats[1]


def test_formal_nodes_are_marked_only_when_coq_checked_them(site):
    """theorem-1's node carries the tick and its page the Coq statements exactly when the
    evidence the site was built from has a formal part that holds; a claim without Coq
    theorems is never marked."""
    from rankcollapse import formal
    index = (site / "index.html").read_text()
    marked = set(re.findall(r'data-node="([^"]+)" data-formal="yes"', index))
    assert "attention-row-stochastic" not in marked
    t1 = (site / "claims" / "theorem-1.html").read_text()
    assert "Formal proof (Coq)" in t1 and "theorem1_mu" in t1
    if formal.coq_version() is None:
        assert not marked and "Not re-checked in this build" in t1
    else:
        assert "theorem-1" in marked and "\u2714 Re-checked by" in t1
        assert "mu2 (lprod ps *m X)" in t1                       # the statement Coq printed
        assert (site / "coq" / "RankCollapse.MuBound.html").exists()
        assert 'href="../coq/RankCollapse.MuBound.html#theorem1_mu"' in t1


def test_claim_pages_carry_their_walkthrough_or_say_why_not(site):
    """A claim with a walkthrough shows it rendered (both sides of every comparison and
    its verdict); a claim without one says in one line why none applies."""
    from rankcollapse.claims import walkthroughs
    WALKTHROUGHS = walkthroughs()
    reg = load()
    for cid in reg:
        page = (site / "claims" / f"{cid}.html").read_text()
        if cid in WALKTHROUGHS:
            assert 'class="walk"' in page and "comparisons," in page, cid
        else:
            assert "<h2>Walkthrough</h2><p class=\"muted\">None: " in page, cid
    t1 = (site / "claims" / "theorem-1.html").read_text()
    assert "radius of the mask" in t1 and "comparisons, " in t1


@pytest.mark.skipif(browser.find() is None, reason="no Chromium on the PATH (apt-get install "
                    "chromium)")
@pytest.mark.parametrize("mode, adj_of", [("up", "used"), ("down", "users")])
def test_graph_tools_show_what_a_node_rests_on(site, mode, adj_of):
    """index.html#find=theorem-1&mode=up highlights theorem-1 and everything it rests on
    (down: everything that rests on it), counted in Chromium and compared with the graph."""
    g = D.graph()
    adj = {}
    for a, b, _ in g["edges"]:
        if adj_of == "used":
            adj.setdefault(b, set()).add(a)
        else:
            adj.setdefault(a, set()).add(b)
    seen, stack = {"theorem-1"}, ["theorem-1"]
    while stack:
        for m in adj.get(stack.pop(), ()):
            if m not in seen:
                seen.add(m)
                stack.append(m)
    dom = browser.dump_dom((site / "index.html").resolve().as_uri() +
                           f"#find=theorem-1&mode={mode}")
    assert int(re.search(r'data-highlighted="(\d+)"', dom).group(1)) == len(seen)
    w = int(re.search(r'data-graph-size="(\d+)x', dom).group(1))
    assert w <= 1400                                 # fits the 1400 px window


def page_mismatches(site, registry) -> list[str]:
    """``id.field`` for every card field its page does not show as the card says: the
    reference, statement, TeX (as MathML), the uses on each route, the repair, the two proof
    ideas, the erratum, the test and the notes heading."""
    from html import escape

    from rankcollapse.blueprint.html import tex_to_mathml
    out = []
    for cid, c in registry.items():
        page = (site / "claims" / f"{cid}.html").read_text()
        proof = page[page.index("<h2>Proof idea</h2>"):page.index("<p><b>Used by:</b>")]
        lists = [re.findall(r'href="([a-z0-9-]+)\.html"', x)
                 for x in re.findall(r"<p><b>Uses:</b>(.*?)</p>", proof)]
        shown = {"paper": lists[0], "ours": lists[-1]} if lists else {}
        if shown != c.uses:
            out.append(f"{cid}.uses")
        want = {"ref": c.ref, "statement": c.statement, "repair": c.repair,
                "idea_paper": c.idea_paper, "idea_ours": c.idea_ours or "Same route",
                "test": c.test, "notes": c.notes,
                "erratum": c.erratum[1] if c.erratum else ""}
        for k, v in want.items():
            if v and escape(v) not in page:
                out.append(f"{cid}.{k}")
        if c.tex and tex_to_mathml(c.tex) not in page:
            out.append(f"{cid}.tex")
    return out


def test_pages_say_what_the_cards_say(site):
    reg = load()
    assert page_mismatches(site, reg) == []


def test_negative_control_a_page_off_its_card_is_caught(site, monkeypatch):
    reg = load()
    monkeypatch.setattr(reg["lemma-3"], "idea_ours", "an idea the page does not show")
    monkeypatch.setattr(reg["corollary-2"], "uses_paper", ("lemma-2",))
    assert page_mismatches(site, {k: reg[k] for k in ("lemma-3", "corollary-2", "lemma-1")}) \
        == ["lemma-3.idea_ours", "corollary-2.uses"]


def test_route_strips_draw_real_edges_and_broken_steps_in_red(site):
    """Each route strip draws only that route's uses edges; an edge from a statement that
    fails (Lemma 2's (12) as printed, used by the paper's Lemma 3) is red, and no edge of our
    route is."""
    from rankcollapse.claims.uses_graph import adjacency
    index = (site / "index.html").read_text()
    for route in ("paper", "ours"):
        strip = index[index.index(f'<svg id="route-theorem-1-{route}"'):]
        strip = strip[:strip.index("</svg>")]
        adj = adjacency(route)
        edges = re.findall(r'data-from="([a-z0-9-]+)" data-to="([a-z0-9-]+)"', strip)
        assert edges and all(u in adj[v] for u, v in edges), route
        broken = re.findall(r'class="edge route-\w+ broken" data-from="([a-z0-9-]+)" '
                            r'data-to="([a-z0-9-]+)"', strip)
        if route == "paper":
            assert ("lemma-2-printed-lower-bound", "lemma-3") in broken
        else:
            assert broken == []


def test_broken_edge_rule():
    from rankcollapse.blueprint.graph import broken_edge
    assert broken_edge({"status": "fails"}) and not broken_edge({"status": "holds"})
    assert not broken_edge(None) and not broken_edge({"status": "open"})


def test_book_holds_every_page_in_order_and_prints(site):
    book = (site / "book.html").read_text()
    ids = re.findall(r'<section id="([a-z0-9-]+)" class="chapter">', book)
    assert sorted(ids) == sorted(D.graph()["nodes"])
    # paper order: popoviciu (declared beside Theorem 1) comes right after that module's
    # claims, long before the beyond-the-paper chapters
    assert ids.index("theorem-1") < ids.index("popoviciu") < ids.index("lemma-2")
    assert '<svg id="bookgraph"' in book and '<svg id="route-theorem-1-paper"' in book
    assert "@media print" in book and 'href="#lemma-1"' in book
    assert 'src="../' not in book


def test_walkthrough_pages_have_why_and_exercise_mode(site):
    page = (site / "claims" / "corollary-2.html").read_text()
    assert "<th>why</th>" in page and "rcExercise" in page
    assert page.count('class="answer') >= 10
    # a claim without a walkthrough says why in one line, from its card or its scope
    assert re.search(r"<h2>Walkthrough</h2><p class=\"muted\">None: ", (
        site / "claims" / "appendix-b2-mu-identity.html").read_text())


def test_no_empty_section_and_every_claim_has_an_idea(site):
    """Every section of every page has content; every claim page has a proof idea and a
    walkthrough or the one-line reason why none applies; the statement's formula appears
    once (one MathML block per page at most, for the statement)."""
    for p in (site / "claims").glob("*.html"):
        html = p.read_text()
        main = html[html.index("<main>"):html.index("</main>")]
        sections = re.split(r"<h2[^>]*>", main)[1:]
        for sec in sections:
            head, _, body = sec.partition("</h2>")
            text = re.sub(r"<[^>]+>", "", body).strip()
            assert text, f"{p.name}: section {head!r} is empty"
        assert "<h2>Proof idea</h2>" in main, p.name
        assert main.count('<div class="math"') <= 1, p.name
    for cid in load():
        main = (site / "claims" / f"{cid}.html").read_text()
        assert "<h2>Walkthrough" in main, cid
        idea = main[main.index("<h2>Proof idea</h2>"):]
        assert "<p>-</p>" not in idea[:idea.index("<b>Uses:</b>")], cid


def test_no_edge_runs_across_a_box():
    """Every edge is drawn in the gaps between columns and, in a column it skips, through a
    slot of its own: the straight piece at height y inside a column meets no node box of
    that column.  Negative control: with the slots removed (waypoints at a box's height),
    the check reports the crossing."""
    from rankcollapse.blueprint.graph import NODE_H, NODE_W, layout
    g = D.graph()
    pos = layout(g["nodes"], g["edges"])

    def crossings(waypoints):
        out = []
        for (u, v), via in waypoints.items():
            for wx, wy in via:
                for n, (x, y) in ((n, p) for n, p in pos.items()
                                  if n not in (None, "waypoints")):
                    if x == wx and y - 1 <= wy <= y + NODE_H + 1:
                        out.append((u, v, n))
        return out

    assert pos["waypoints"] and any(pos["waypoints"].values())
    assert crossings(pos["waypoints"]) == []
    (u, v), via = next((e, w) for e, w in pos["waypoints"].items() if w)
    x, _ = via[0]
    box = next(p for n, p in pos.items() if n not in (None, "waypoints") and p[0] == x)
    planted = {(u, v): [(x, box[1] + NODE_H / 2)]}
    assert crossings(planted)
    assert NODE_W > 0


def test_only_solver_text_is_folded():
    """SMT-LIB text is folded under its own summary; other values whose keys merely look
    alike (a model type, a query's short name) stay in the table."""
    from rankcollapse.blueprint.evidence import evidence_html, is_solver_text
    smt = "(declare-fun E () Real)\n(assert (>= E 1.0))\n(check-sat)"
    html = evidence_html({"query": smt, "model_type": "gemma2", "name": "lemma2-base-n2"})
    assert is_solver_text(smt) and not is_solver_text("gemma2") and not is_solver_text(3)
    assert html.count('<details class="raw">') == 1
    raw = html[html.index('<details class="raw">'):]
    assert "declare-fun" in raw and "gemma2" not in raw
    assert "gemma2" in html and "lemma2-base-n2" in html


def test_pdf_failure_is_one_line(tmp_path, capsys, monkeypatch):
    """A Chromium that fails to print gives one line naming --pdf (exit 2), not an
    internal error; the site is still written."""
    from rankcollapse.blueprint import browser as B

    def broken(*a, **k):
        raise RuntimeError("chromium --print-to-pdf wrote nothing (1): crashed")
    monkeypatch.setattr(B, "find", lambda: "/bin/true")
    monkeypatch.setattr(B, "print_pdf", broken)
    out = tmp_path / "s"
    assert main(["blueprint", "--out", str(out), "--no-evidence", "--pdf"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    errors = [x for x in err if "error" in x]      # progress lines ([blueprint] ...) aside
    assert len(errors) == 1 and "--pdf" in errors[0] and "internal error" not in errors[0]
    assert err[-1] == errors[0] and (out / "book.html").exists()

"""HTML pages of the blueprint: self-contained (inline CSS, MathML, inline SVG, no CDN)."""
from __future__ import annotations

import inspect
import json
import re
from html import escape
from pathlib import Path

from .evidence import evidence_html, scope_text
from .style import CSS, STATUS_COLOUR, badge
from .walkthrough import walkthrough_html

#: the dependency graph's tools: find a node, show what it rests on (ancestors) or what rests
#: on it (descendants), fit the graph to the page; also driven by the URL,
#: index.html#find=theorem-1&mode=up (the count of highlighted nodes is left on <body>)
GRAPH_TOOLS = """<p class="tools"><input id="gfind" placeholder="find a claim, e.g. theorem-1"
 size="28"> <select id="gmode"><option value="">just the node</option>
<option value="up">what it rests on</option><option value="down">what rests on it</option>
</select> <label><input type="checkbox" id="gfit" checked> fit to page</label>
<span id="ginfo" class="muted"></span></p>"""

GRAPH_SCRIPT = """<script>
(function(){var g=document.getElementById('depgraph');if(!g)return;
var up={},down={};g.querySelectorAll('path[data-from]').forEach(function(e){
 var a=e.getAttribute('data-from'),b=e.getAttribute('data-to');
 (up[b]=up[b]||[]).push(a);(down[a]=down[a]||[]).push(b);});
function reach(start,adj){var seen={},st=[start];seen[start]=1;while(st.length){var n=st.pop();
 (adj[n]||[]).forEach(function(m){if(!seen[m]){seen[m]=1;st.push(m);}});}return seen;}
function apply(q,mode){var nodes=g.querySelectorAll('a.node'),hit=null;q=(q||'').trim();
 if(q){nodes.forEach(function(n){var id=n.getAttribute('data-node');
  if(id===q)hit=id;});if(!hit)nodes.forEach(function(n){var id=n.getAttribute('data-node');
  if(!hit&&id.indexOf(q)>=0)hit=id;});}
 var keep=null;if(hit){keep=mode==='up'?reach(hit,up):mode==='down'?reach(hit,down):{};keep[hit]=1;}
 var count=0;nodes.forEach(function(n){var id=n.getAttribute('data-node'),on=!keep||keep[id];
  n.style.opacity=on?1:0.15;if(keep&&on)count++;});
 g.querySelectorAll('path[data-from]').forEach(function(e){var on=!keep||(keep[e.getAttribute('data-from')]&&keep[e.getAttribute('data-to')]);
  e.style.opacity=on?1:0.08;});
 document.body.setAttribute('data-highlighted',keep?count:0);
 document.getElementById('ginfo').textContent=hit?(hit+': '+count+' node(s) shown'):(q?'no match':'');
 if(hit){var el=g.querySelector('a.node[data-node="'+hit+'"]');if(el&&el.scrollIntoView)el.scrollIntoView({block:'center'});}}
var f=document.getElementById('gfind'),m=document.getElementById('gmode'),fit=document.getElementById('gfit');
function go(){apply(f.value,m.value);}f.addEventListener('input',go);m.addEventListener('change',go);
function sz(){if(fit.checked){g.style.maxWidth='100%';g.style.height='auto';}else{g.style.maxWidth='none';g.style.height='';}}
fit.addEventListener('change',sz);sz();
var h={};location.hash.replace(/^#/,'').split('&').forEach(function(kv){var p=kv.split('=');
 if(p[0])h[p[0]]=decodeURIComponent(p[1]||'');});
if(h.find){f.value=h.find;m.value=h.mode||'';go();}})();
</script>"""

RENDER_CHECK = """<script>
(function(){var m=document.querySelectorAll('math'),ok=0,disp='';
m.forEach(function(e){var r=e.getBoundingClientRect();if(r.width>0&&r.height>0)ok++;
 if(!disp)disp=getComputedStyle(e).display;});
var b=document.body;b.setAttribute('data-math-total',m.length);b.setAttribute('data-math-rendered',ok);
b.setAttribute('data-math-display',disp);
var g=document.getElementById('depgraph');if(g){var r=g.getBoundingClientRect();
 b.setAttribute('data-graph-size',Math.round(r.width)+'x'+Math.round(r.height));
 b.setAttribute('data-graph-nodes',g.querySelectorAll('a.node').length);}})();
</script>"""


def page(title: str, body: str, *, up: str = "") -> str:
    nav = f'<a href="{up}index.html">dependency graph</a> · <a href="{up}claims.html">all claims</a>'
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<title>{escape(title)}</title><style>{CSS}</style></head><body>'
            f'<header><b>rankcollapse blueprint</b> · {nav}</header><main>{body}</main>'
            f'{RENDER_CHECK}</body></html>\n')


def tex_to_mathml(tex: str, display: bool = True) -> str:
    """LaTeX to MathML with latex2mathml; the LaTeX source in a <pre> if that fails."""
    try:
        from latex2mathml.converter import convert
        return convert(tex, display="block" if display else "inline")
    except Exception as exc:  # a formula the converter cannot read: show the source
        return f'<pre title="not rendered: {escape(str(exc))}">{escape(tex)}</pre>'


# ----------------------------------------------------------------------- paper_notes.md
def notes_path() -> Path | None:
    import rankcollapse
    p = Path(rankcollapse.__file__).resolve().parents[1] / "paper_notes.md"
    return p if p.exists() else None


# ----------------------------------------------------------------------- claim page
def _links(ids, up="") -> str:
    if not ids:
        return '<span class="muted">nothing (a base node)</span>'
    return ", ".join(f'<a href="{up}{escape(i)}.html"><code>{escape(i)}</code></a>' for i in ids)


def formal_html(claim, res: dict | None, coq_docs: bool) -> str:
    """The "Formal proof (Coq)" section: each Coq theorem with its statement as Coq prints
    it, a link to its coqdoc page, how it differs from the paper's statement, and whether
    it was re-checked in the run whose evidence this page shows."""
    if not claim or not claim.formal:
        return ""
    parts = (res or {}).get("evidence", {}).get("parts") or []
    fp = next((p for p in parts if p.get("level") == "formal"), None)
    out = ["<h2>Formal proof (Coq)</h2>"]
    if fp and fp.get("status") == "holds":
        d = fp.get("details", {})
        out.append('<p class="formal-ok">\u2714 Re-checked by <code>coqc</code> '
                   f'({escape(str(d.get("coq_version", "")))}) in the run that produced this '
                   f'evidence{" (from the cache keyed by the source hash)" if d.get("from_cache") else ""}; '
                   "every theorem below is closed under the global context (no axioms).</p>")
        stmts = d.get("coq_theorems", {})
    elif fp:
        out.append("<p><b>Not proved in this run:</b> "
                   f"{escape(str(fp.get('details', {}).get('open_reason', 'open')))}</p>")
        stmts = {}
    else:
        note = (res or {}).get("evidence", {}).get("formal") or "no evidence in this build"
        out.append(f"<p class=\"muted\">Not re-checked in this build ({escape(str(note))}); "
                   "the level above is what the other checks established.</p>")
        stmts = {}
    out.append("<table>")
    for name in claim.formal:
        short = name.split(".", 1)[1]
        link = (f'<a href="../coq/{escape(name.rsplit(".", 1)[0])}.html#'
                f'{escape(name.rsplit(".", 1)[1])}"><code>{escape(short)}</code></a>'
                if coq_docs else f"<code>{escape(short)}</code>")
        st = (stmts.get(name) or {}).get("statement", "")
        out.append(f'<tr><td class="k">{link}</td><td>'
                   + (f"<pre class=\"coq\">{escape(st)}</pre>" if st else
                      '<span class="muted">statement shown when re-checked</span>')
                   + "</td></tr>")
    out.append("</table>")
    if claim.formal_note:
        out.append(f"<p><b>Coq's statement beside the paper's:</b> {escape(claim.formal_note)}</p>")
    return "".join(out)


def claim_body(nid: str, e: dict, claim, res: dict | None, used_by: dict,
               figures: list, walkthrough: bool, coq_docs: bool = False) -> str:
    """One node's proof page, in study order: the statement (its formula once, as
    MathML), the proof idea on the paper's route and ours with what each uses, the
    walkthrough (or why none applies), the Coq proof, then the evidence folded, then where
    it lives.  Everything about the claim comes from its card (``e`` and ``claim``)."""
    parts = []
    kind = e.get("kind", "finding")
    ref = claim.ref if claim else e.get("title", "")
    parts.append(f"<h1><code>{escape(nid)}</code> · {escape(ref)}</h1>")
    if res:
        st = res.get("status")
        parts.append("<p>" + badge(st, STATUS_COLOUR.get(st)) + badge(f"kind: {kind}") +
                     badge(f"level: {res.get('level')}") +
                     badge(f"scope: {(res.get('scope') or {}).get('kind', '-')}") +
                     badge(f"{res.get('seconds', '?')} s, seed {res.get('seed', '?')}") + "</p>")
    else:
        parts.append("<p>" + badge(f"kind: {kind}") +
                     badge("not a registered claim" if not e.get("claim", True)
                           else "not run in this build") + "</p>")
    statement = claim.statement if claim else e.get("statement", "")
    parts.append(f"<h2>Statement</h2><p>{escape(statement)}</p>")
    if claim and e.get("title") and e.get("kind") == "assumption":
        parts.append(f"<p><b>The hypothesis:</b> {escape(e['title'])}</p>")
    if e.get("tex"):
        parts.append(f'<div class="math" title="the formula of the statement">'
                     f'{tex_to_mathml(e["tex"])}</div>')
    if claim and claim.assumptions:
        parts.append("<p>Assumptions: " + "; ".join(escape(a) for a in claim.assumptions) +
                     "</p>")
    if claim and claim.erratum:
        parts.append(f'<p class="erratum"><b>Against the printed statement: '
                     f'{escape(claim.erratum[0])}.</b> {escape(claim.erratum[1])}</p>')
    # the proof: idea and uses, route by route
    idea_p, idea_o = e.get("idea_paper"), e.get("idea_ours")
    parts.append("<h2>Proof idea</h2>")
    if e["paper"] == e["ours"] and not idea_o:
        parts.append(f"<p>{escape(idea_p or '-')}</p><p><b>Uses:</b> {_links(e['paper'])}</p>")
    else:
        parts.append('<div class="cols">'
                     f'<div class="col paper"><h3>the paper</h3><p>{escape(idea_p or "-")}</p>'
                     f"<p><b>Uses:</b> {_links(e['paper'])}</p></div>"
                     f'<div class="col ours"><h3>ours</h3>'
                     f'<p>{escape(idea_o or "Same route as the paper.")}</p>'
                     f"<p><b>Uses:</b> {_links(e['ours'])}</p></div></div>")
    if e.get("repair"):
        parts.append(f"<p><b>What our route changes:</b> {escape(e['repair'])}</p>")
    parts.append(f"<p><b>Used by:</b> {_links(sorted(used_by.get(nid, [])))}</p>")
    if walkthrough:
        parts.append(walkthrough_html(nid))
    elif not claim:
        parts.append("<h2>Walkthrough</h2><p class=\"muted\">None: a node of the graph, not a "
                     "claim; the claims that use it (above) show it at work.</p>")
    elif claim:
        kind = ((res or {}).get("scope") or {}).get("kind")
        why = claim.no_walkthrough or {
            "witness": "the claim is settled by the explicit instance in the evidence below",
            "exhaustive": "the claim is an enumeration of a finite set, listed in the evidence",
            "sampled": "the claim is checked on the sampled runs in the evidence below"}.get(
                kind, "the evidence below is the check itself")
        parts.append(f"<h2>Walkthrough</h2><p class=\"muted\">None: {escape(why)}; "
                     f"<code>rankcollapse explain {escape(nid)}</code> prints the statement, "
                     "what it uses, the function and the test.</p>")
    parts.append(formal_html(claim, res, coq_docs))
    # evidence, folded
    if res:
        st = res.get("status")
        parts.append(f'<h2>Evidence</h2><p><b>Covers:</b> {escape(scope_text(res.get("scope")))}'
                     "</p>")
        if res.get("narrower"):
            parts.append(f"<p><b>What holds instead:</b> {escape(res['narrower'])}</p>")
        parts.append("<details><summary>" + badge(st or "?", STATUS_COLOUR.get(st)) +
                     "the checks, part by part (click to open)</summary>" +
                     evidence_html(res.get("evidence", {})) + "</details>")
        if res.get("witness") is not None:
            parts.append("<h3>Witness (rerunnable)</h3><pre>" +
                         escape(json.dumps(res["witness"], indent=1)[:8000]) + "</pre>")
    # where
    parts.append("<h2>Where it is stated and checked</h2><table>")
    if not claim:
        parts.append(f'<tr><td class="k">declared in</td><td><code>{escape(e.get("module", "-"))}'
                     "</code> (a node of the graph, not a claim: nothing is checked for it "
                     "on its own)</td></tr>")
    if claim:
        fn = claim.check
        src = ""
        try:
            src = str(Path(inspect.getsourcefile(fn)).resolve().relative_to(
                Path(notes_path() or ".").resolve().parent))
        except Exception:
            src = fn.__module__.replace(".", "/") + ".py"
        doc = inspect.getdoc(fn) or ""
        parts.append(f'<tr><td class="k">function</td><td><code>{escape(fn.__module__)}.'
                     f'{escape(fn.__qualname__)}</code> in <code>{escape(src)}</code>'
                     + (f"<pre>{escape(doc)}</pre>" if doc else "") + "</td></tr>")
        parts.append(f'<tr><td class="k">test</td><td><code>{escape(claim.test or "-")}</code>'
                     "</td></tr>")
        parts.append(f'<tr><td class="k">notes</td><td>paper_notes.md, section '
                     f'<i>{escape(claim.notes or "-")}</i></td></tr>')
        parts.append(f'<tr><td class="k">rerun</td><td><code>rankcollapse verify --claim '
                     f'{escape(nid)} -v</code></td></tr>')
        if walkthrough:
            parts.append(f'<tr><td class="k">walkthrough</td><td><code>rankcollapse explain '
                         f'{escape(nid)}</code></td></tr>')
    missing = [name for name, rel in figures if not rel]
    if missing:
        parts.append('<tr><td class="k">figures</td><td>' + ", ".join(
            f"<code>{escape(n)}</code>" for n in missing) + " (not in this build: <code>"
            "rankcollapse figures --out DIR</code>, then rebuild with <code>--figures DIR"
            "</code>)</td></tr>")
    parts.append("</table>")
    shown = [(name, rel) for name, rel in figures if rel]
    if shown:
        parts.append("<h2>Figure</h2>")
        for name, rel in shown:
            parts.append(f'<figure><img src="{escape(rel)}" alt="{escape(name)}" '
                         f'style="max-width:100%"><figcaption>{escape(name)}.png '
                         "(from <code>rankcollapse figures</code>)</figcaption></figure>")
    return "".join(parts)


def claim_page(nid: str, *args, **kw) -> str:
    """The page ``claims/<nid>.html`` (see :func:`claim_body`)."""
    return page(f"{nid} - rankcollapse blueprint", claim_body(nid, *args, **kw), up="../")


def book(bodies: list[tuple[str, str]], intro: str) -> str:
    """Every page in one document (``book.html``, for reading away from the screen and for
    ``--pdf``): the bodies of ``claims/<id>.html`` in paper order, links turned into
    anchors within the book."""
    out = [f'<section class="front"><h1>rankcollapse blueprint: every claim</h1>{intro}'
           "</section>"]
    for nid, body in bodies:
        body = body.replace('src="../', 'src="').replace('href="../', 'href="')
        body = re.sub(r'href="([a-z0-9-]+)\.html"', r'href="#\1"', body)
        out.append(f'<section id="{escape(nid)}" class="chapter">{body}</section>')
    return page("rankcollapse blueprint: every claim", "".join(out))

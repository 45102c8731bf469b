"""HTML pages of the blueprint: self-contained (inline CSS, MathML, inline SVG, no CDN)."""
from __future__ import annotations

import inspect
import json
from html import escape
from pathlib import Path

KEY_LABELS = {
    "checked": "what was checked",
    "parts": "parts (each a check of its own)",
    "seed": "random seed",
    "instances": "number of instances",
    "comparisons": "inequalities compared",
    "inequalities": "inequalities compared",
    "inequalities_checked": "inequalities compared",
    "proof_step_inequalities": "proof-step inequalities compared",
    "windows": "windows of r consecutive matrices",
    "masks": "masks tried",
    "sizes": "sizes N",
    "radii": "radii r met",
    "max_n": "largest N",
    "steps": "steps per sequence",
    "n": "N (tokens)",
    "d": "d (dimension)",
    "r": "r (radius)",
    "eps": "eps (lower bound of the weights on edges)",
    "T": "T (layers / horizon)",
    "C": "C (the constant)",
    "S": "S (score bound)",
    "p": "p (position parameter of Lemma 3)",
    "per_mask": "per mask",
    "size": "size",
    "digits": "decimal digits (arb)",
    "digits_tried": "digits tried (doubled until decided)",
    "undecided": "comparisons left undecided",
    "n_undecided": "number of undecided comparisons",
    "bound_rate": "rate promised by the bound (per layer)",
    "bound_rate_per_layer": "rate promised by the bound (per layer)",
    "measured_rate": "measured rate (per layer)",
    "measured_rate_per_layer": "measured rate (per layer)",
    "mu_T": "mu(X(T))",
    "mu_T_over_bound_T": "mu(X(T)) / bound(T)",
    "max_lhs_over_rhs": "largest lhs / rhs (1 = attained)",
    "max_ratio_of_rth_powers": "largest osc(t)^r / (C^r (1-eps^r)^t) (1 = attained)",
    "min_centre_column_over_eps_r": "smallest centre column / eps^r",
    "sharpness_cases": "cases where the constant is attained",
    "z3_seconds": "seconds spent in z3",
    "smt2": "SMT-LIB query (rerun with z3)",
    "smallest_weight": "smallest attention weight met",
    "slack_smallest_over_eps": "smallest weight / eps",
    "edge_weights_checked": "edge weights checked",
    "steps_checked": "layers checked",
    "n_centres": "centres counted (eccentricity <= r)",
    "n_centres_all": "all centres",
    "t0_first_phi_nonneg": "t0: first t with phi(t) >= 0",
    "distinct_per_rank": "distinct equilibria per rank",
    "rank": "rank",
    "arithmetic": "arithmetic",
    "w": "w (value-matrix parameter)",
    "threshold": "threshold on |w|",
    "form": "form of (12)",
    "failed_case": "case that failed",
    "facts": "facts checked",
    "method": "method",
    "domain": "domain",
    "error": "error",
}

STATUS_COLOUR = {"holds": "#059669", "fails": "#dc2626", "open": "#d97706",
                 "error": "#7c3aed"}

CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#111827;background:#fff}
header{background:#111827;color:#f9fafb;padding:10px 20px}
header a{color:#93c5fd}
main{padding:12px 22px;max-width:1500px}
h1{font-size:22px;margin:8px 0} h2{font-size:18px;margin:22px 0 6px;border-bottom:1px solid #e5e7eb}
.badge{display:inline-block;border-radius:4px;padding:1px 7px;margin-right:5px;font-size:13px;
 border:1px solid #d1d5db;background:#f9fafb}
.status{color:#fff;border:none}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.col{border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px}
.col h3{margin:2px 0 6px;font-size:15px}
.paper h3{color:#c2410c} .ours h3{color:#1d4ed8}
table{border-collapse:collapse;margin:4px 0;font-size:13.5px}
td,th{border:1px solid #e5e7eb;padding:3px 7px;vertical-align:top;text-align:left}
td.k{white-space:nowrap;color:#374151} td.k code{color:#6b7280;font-size:12px}
pre{background:#f3f4f6;padding:8px;overflow:auto;font-size:12.5px;max-height:340px}
pre.coq{white-space:pre-wrap;word-break:break-word;max-height:none}
table.walk td.ok{color:#047857} table.walk td.bad{color:#b91c1c;font-weight:700}
table.walk code{font-size:12px}
.erratum{border-left:4px solid #c2410c;padding-left:8px}
.math{font-size:19px;margin:10px 0;padding:6px 10px;background:#f8fafc;border-left:3px solid #94a3b8}
.legend span{margin-right:14px;white-space:nowrap}
.swatch{display:inline-block;width:14px;height:12px;border:1px solid #555;vertical-align:middle;margin-right:4px}
.graphbox{overflow:auto;border:1px solid #e5e7eb;border-radius:6px}
details{margin:4px 0 4px 6px} summary{cursor:pointer}
.muted{color:#6b7280}
"""

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


def badge(text, colour=None):
    if colour:
        return f'<span class="badge status" style="background:{colour}">{escape(text)}</span>'
    return f'<span class="badge">{escape(text)}</span>'


def label(k: str) -> str:
    lab = KEY_LABELS.get(k, k.replace("_", " "))
    return f'{escape(lab)} <code>{escape(k)}</code>' if lab != k else f"<code>{escape(k)}</code>"


def _scalar(v) -> str:
    s = v if isinstance(v, str) else json.dumps(v)
    if len(s) > 300:
        return (f"<details><summary>{escape(s[:110])}\u2026 ({len(s)} chars)</summary>"
                f"<pre>{escape(s)}</pre></details>")
    return escape(s)


def scope_text(scope) -> str:
    if not scope:
        return "-"
    from rankcollapse.commands.verify import scope_text as st
    return st(scope, long=True)


def evidence_html(d, depth: int = 0, part_names=None) -> str:
    """A nested evidence dict as labelled tables; ``parts`` as collapsible sub-checks."""
    if not isinstance(d, dict):
        return _scalar(d)
    rows = []
    names = None
    subparts = d.get("parts")
    if not (isinstance(subparts, list) and subparts and
            all(isinstance(p, dict) and "status" in p for p in subparts)):
        subparts = None
    if isinstance(d.get("per_mask"), dict) and subparts and \
            len(d["per_mask"]) == len(subparts):
        names = [f"mask: {m}" for m in d["per_mask"]]
    for k, v in d.items():
        if (k == "parts" and subparts) or k == "traceback":
            continue
        if isinstance(v, dict) and v and depth < 4:
            cell = evidence_html(v, depth + 1)
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v) and depth < 4:
            cell = "".join(evidence_html(x, depth + 1) for x in v[:20])
        else:
            cell = _scalar(v)
        rows.append(f'<tr><td class="k">{label(k)}</td><td>{cell}</td></tr>')
    out = f"<table>{''.join(rows)}</table>" if rows else ""
    if subparts:
        for i, p in enumerate(subparts):
            out += part_html(p, i, (names or part_names or [None] * 99)[i], depth)
    return out


def part_html(p: dict, i: int, name, depth: int) -> str:
    st = p.get("status")
    head = (f"part {i + 1}" + (f" ({escape(name)})" if name else "") + ": " +
            badge(st or "?", STATUS_COLOUR.get(st)) + badge(p.get("level") or "-") +
            badge(scope_text(p.get("scope"))[:80]) + escape(p.get("statement", "")))
    body = evidence_html(p.get("details", {}), depth + 1)
    if p.get("witness") is not None:
        body += f"<p>witness:</p><pre>{escape(json.dumps(p['witness'], indent=1)[:4000])}</pre>"
    return f"<details{' open' if depth < 1 else ''}><summary>{head}</summary>{body}</details>"


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


def walkthrough_html(cid: str) -> str:
    """The claim's walkthrough (``rankcollapse explain CLAIM`` on its default instance),
    rendered: sections, values, and every comparison with both sides and its verdict
    (a negative control is marked as such).  Empty when the claim has none."""
    from rankcollapse.claims import walk, walkthroughs
    if cid not in walkthroughs():
        return ""
    try:
        w = walk(cid, None)
    except Exception as exc:  # the page still builds; the failure is shown, not hidden
        return (f"<h2>Walkthrough</h2><p><b>The walkthrough did not run:</b> "
                f"{escape(type(exc).__name__)}: {escape(str(exc))}</p>")
    out = [f"<h2>Walkthrough <span class=\"muted\">(rankcollapse explain {escape(cid)}; "
           f"{escape(w.title)})</span></h2>"]
    table: list = []

    def flush():
        if table:
            out.append("<table class=\"walk\"><tr><th>step</th><th>left side</th>"
                       "<th></th><th>right side</th><th>verdict</th></tr>" + "".join(table) +
                       "</table>")
            table.clear()
    for st in w.steps:
        if st.kind == "section":
            flush()
            out.append(f"<h3>{escape(st.label)}</h3>")
            if st.lhs:
                out.append(f"<p>{escape(st.lhs)}</p>")
        elif st.kind == "note":
            flush()
            out.append(f"<p class=\"muted\">{escape(st.label)}</p>")
        elif st.kind == "value":
            table.append(f"<tr><td>{escape(st.label)}</td><td><code>{escape(st.lhs)}</code>"
                         f"</td><td>:=</td><td><code>{escape(st.lhs_value)}</code></td>"
                         "<td></td></tr>")
        else:
            verdict = ("undecided" if st.holds is None else
                       ("holds" if st.holds else "fails") +
                       ("" if st.expect else " (negative control: expected to fail)"))
            ok = "ok" if st.as_expected else "bad"
            table.append(f"<tr><td>{escape(st.label)}</td><td><code>{escape(st.lhs)}</code> = "
                         f"{escape(st.lhs_value)}</td><td>{escape(st.rel)}</td><td><code>"
                         f"{escape(st.rhs)}</code> = {escape(st.rhs_value)}</td>"
                         f"<td class=\"{ok}\">{escape(verdict)}</td></tr>")
    flush()
    sm = w.summary()
    out.append(f"<p><b>{sm['comparisons']} comparisons, {sm['as_expected']} as expected"
               f"{', ' + str(sm['negative_controls']) + ' negative controls' if sm['negative_controls'] else ''}."
               "</b> Other instances: <code>rankcollapse explain " + escape(cid) +
               " --instance KEY=VALUE</code>.</p>")
    return "".join(out)


def claim_page(nid: str, e: dict, claim, res: dict | None, used_by: dict,
               figures: list, walkthrough: bool, coq_docs: bool = False) -> str:
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
    if claim and claim.erratum:
        parts.append(f'<p class="erratum"><b>Against the printed statement: '
                     f'{escape(claim.erratum[0])}.</b> {escape(claim.erratum[1])}</p>')
    if claim and e.get("title") and e.get("kind") == "assumption":
        parts.append(f"<p><b>The hypothesis:</b> {escape(e['title'])}</p>")
    if e.get("tex"):
        parts.append(f'<div class="math">{tex_to_mathml(e["tex"])}</div>')
    if claim and claim.assumptions:
        parts.append("<p>Assumptions: " + "; ".join(escape(a) for a in claim.assumptions) +
                     "</p>")
    # uses
    parts.append("<h2>Uses</h2>")
    same = e["paper"] == e["ours"]
    if same:
        parts.append(f"<p>Both routes: {_links(e['paper'])}</p>")
    else:
        parts.append('<div class="cols"><div class="col paper"><h3>the paper\'s route</h3>'
                     f"{_links(e['paper'])}</div><div class=\"col ours\"><h3>our route</h3>"
                     f"{_links(e['ours'])}</div></div>")
    if e.get("repair"):
        parts.append(f"<p><b>Repair:</b> {escape(e['repair'])}</p>")
    parts.append(f"<p>Used by: {_links(sorted(used_by.get(nid, [])))}</p>")
    # proof ideas (on the card; a claim with one route says so)
    idea_p, idea_o = e.get("idea_paper"), e.get("idea_ours")
    if idea_p or idea_o:
        parts.append('<h2>Proof idea</h2><div class="cols">'
                     f'<div class="col paper"><h3>the paper</h3><p>{escape(idea_p or "-")}</p></div>'
                     f'<div class="col ours"><h3>ours</h3><p>{escape(idea_o or "Same route as the paper.")}</p></div></div>')
    if walkthrough:
        parts.append(walkthrough_html(nid))
    elif claim:
        kind = ((res or {}).get("scope") or {}).get("kind")
        why = claim.no_walkthrough or {"witness": "the claim is settled by the explicit instance shown below",
               "exhaustive": "the claim is an enumeration of a finite set, listed below",
               "sampled": "the claim is checked on the sampled trajectories below"}.get(
                   kind, "the evidence below is the check itself")
        parts.append(f"<h2>Walkthrough</h2><p class=\"muted\">None: {escape(why)}; "
                     f"<code>rankcollapse explain {escape(nid)}</code> prints the statement, "
                     "what it uses, the function and the test.</p>")
    parts.append(formal_html(claim, res, coq_docs))
    # evidence
    if res:
        parts.append("<h2>Evidence</h2>")
        parts.append(f"<p><b>Covers:</b> {escape(scope_text(res.get('scope')))}</p>")
        parts.append(evidence_html(res.get("evidence", {})))
        if res.get("witness") is not None:
            parts.append("<h3>Witness (rerunnable)</h3><pre>" +
                         escape(json.dumps(res["witness"], indent=1)[:8000]) + "</pre>")
        if res.get("narrower"):
            parts.append(f"<p><b>What holds instead:</b> {escape(res['narrower'])}</p>")
    # where
    parts.append("<h2>Where it is stated and checked</h2><table>")
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
    parts.append("</table>")
    if figures:
        parts.append("<h2>Figure</h2>")
        for name, rel in figures:
            if rel:
                parts.append(f'<figure><img src="{escape(rel)}" alt="{escape(name)}" '
                             f'style="max-width:100%"><figcaption>{escape(name)}.png '
                             "(from <code>rankcollapse figures</code>)</figcaption></figure>")
            else:
                parts.append(f"<p class=\"muted\">Illustrated by <code>{escape(name)}</code>: "
                             f"run <code>rankcollapse figures --out DIR --only "
                             f"{escape('theory' if name.startswith('theory_') else name)}</code> and rebuild with "
                             "<code>--figures DIR</code>.</p>")
    return page(f"{nid} - rankcollapse blueprint", "".join(parts), up="../")

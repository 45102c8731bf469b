"""A claim's walkthrough rendered for study: each stage, each value, and each comparison
with both sides, its verdict and why the step holds (the lemma, equation or hypothesis it
uses).  Exercise mode hides the value of every right-hand side until clicked (the
expression stays, so the student computes it)."""
from __future__ import annotations

from html import escape

#: the exercise switch: hides the value of each right-hand side (class ``answer``); a click
#: on a hidden value shows it.  Works offline; printing shows everything unless the switch is on.
EXERCISE_SCRIPT = """<script>
function rcExercise(btn){var on=document.body.classList.toggle('exercise');
 document.querySelectorAll('.answer.shown').forEach(function(e){e.classList.remove('shown')});
 btn.textContent=on?'show every answer':'exercise: hide the right-hand sides';}
document.addEventListener('click',function(ev){var t=ev.target.closest('.answer');
 if(t&&document.body.classList.contains('exercise'))t.classList.add('shown');});
/* page.html#exercise opens in exercise mode; the count of answers actually hidden is left
   on <body> (data-answers, data-answers-hidden) for the browser test */
window.addEventListener('load',function(){var b=document.body;
 if(location.hash==='#exercise'){var btn=document.querySelector('button[onclick^=rcExercise]');
  if(btn)rcExercise(btn);}
 var a=document.querySelectorAll('.answer'),h=0;
 a.forEach(function(e){if(getComputedStyle(e).color==='rgba(0, 0, 0, 0)')h++;});
 b.setAttribute('data-answers',a.length);b.setAttribute('data-answers-hidden',h);});
</script>"""


def _verdict(st) -> str:
    if st.holds is None:
        return "undecided"
    v = "holds" if st.holds else "fails"
    return v + ("" if st.expect else " (negative control: expected to fail)")


def walkthrough_html(cid: str) -> str:
    """The claim's walkthrough (``rankcollapse explain CLAIM`` on its default instance),
    rendered: sections, values, and every comparison with both sides, its verdict (a
    negative control is marked as such) and why it holds.  Empty when the claim has none."""
    from rankcollapse.claims import walk, walkthroughs
    if cid not in walkthroughs():
        return ""
    try:
        w = walk(cid, None)
    except Exception as exc:  # the page still builds; the failure is shown, not hidden
        return (f"<h2>Walkthrough</h2><p><b>The walkthrough did not run:</b> "
                f"{escape(type(exc).__name__)}: {escape(str(exc))}</p>")
    inst = ", ".join(f"{k} = {v}" for k, v in w.instance.items()) or "fixed"
    out = [f"<h2>Walkthrough <span class=\"muted\">(rankcollapse explain {escape(cid)})"
           "</span></h2>",
           f"<p><b>Instance:</b> {escape(w.title)} <span class=\"muted\">(parameters: "
           f"{escape(inst)}; arithmetic: {escape(w.level)})</span></p>",
           '<p class="noprint"><button type="button" onclick="rcExercise(this)">exercise: hide '
           "the right-hand sides</button> <span class=\"muted\">then work out each one and "
           "click it to check</span></p>"]
    table: list = []

    def flush():
        if table:
            out.append("<table class=\"walk\"><tr><th>step</th><th>left side</th>"
                       "<th></th><th>right side</th><th>verdict</th><th>why</th></tr>" +
                       "".join(table) + "</table>")
            table.clear()
    for st in w.steps:
        why = f"<td class=\"why\">{escape(st.why)}</td>"
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
                         f"</td><td>:=</td><td><code>{escape(st.lhs_value)}"
                         f"</code></td><td></td>{why}</tr>")
        else:
            ok = "ok" if st.as_expected else "bad"
            table.append(f"<tr><td>{escape(st.label)}</td><td><code>{escape(st.lhs)}</code> = "
                         f"{escape(st.lhs_value)}</td><td>{escape(st.rel)}</td>"
                         f"<td><code>{escape(st.rhs)}</code> = <span class=\"answer\">"
                         f"{escape(st.rhs_value)}</span></td><td class=\"{ok}\">"
                         f"{escape(_verdict(st))}</td>{why}</tr>")
    flush()
    sm = w.summary()
    out.append(f"<p><b>{sm['comparisons']} comparisons, {sm['as_expected']} as expected"
               f"{', ' + str(sm['negative_controls']) + ' negative controls' if sm['negative_controls'] else ''}."
               "</b> Other instances: <code>rankcollapse explain " + escape(cid) +
               " --instance KEY=VALUE</code>.</p>" + EXERCISE_SCRIPT)
    return "".join(out)

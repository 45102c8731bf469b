"""The evidence of a claim as readable HTML: labelled tables, numbered folded parts
(1, 2, 2.1, ...), each part's scope in words, solver text folded away unless asked for."""
from __future__ import annotations

import json
from html import escape

from .style import STATUS_COLOUR, badge

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


def label(k: str) -> str:
    """The human label of an evidence key; the key itself (as in ``verify --json``) is the
    tooltip."""
    lab = KEY_LABELS.get(k, k.replace("_", " "))
    return f'<span title="JSON key: {escape(k)}">{escape(lab)}</span>'


def _scalar(v) -> str:
    if v is None:
        return '<span class="muted">none</span>'
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


def is_solver_text(v) -> bool:
    """A value that is a solver query (SMT-LIB text): shown only when asked (folded).
    Decided by the text, not the key (``model_type`` or a query's short name stay shown).

    >>> is_solver_text("(declare-fun E () Real)\\n(assert (>= E 1.0))"), is_solver_text("gemma2")
    (True, False)
    """
    return isinstance(v, str) and v.lstrip().startswith("(") and (
        "(declare-" in v or "(assert" in v or "(set-" in v)


def evidence_html(d, depth: int = 0, part_names=None, number: str = "") -> str:
    """A nested evidence dict as labelled tables; ``parts`` as numbered, folded sub-checks
    (1, 2, 2.1, ...); solver text folded under its own summary."""
    if not isinstance(d, dict):
        return _scalar(d)
    rows = []
    raw = []
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
        if is_solver_text(v):
            raw.append((k, v))
            continue
        if isinstance(v, dict) and v and depth < 4:
            cell = evidence_html(v, depth + 1)
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v) and depth < 4:
            cell = "".join(evidence_html(x, depth + 1) for x in v[:20])
        else:
            cell = _scalar(v)
        rows.append(f'<tr><td class="k">{label(k)}</td><td>{cell}</td></tr>')
    out = f"<table>{''.join(rows)}</table>" if rows else ""
    for k, v in raw:
        text = v if isinstance(v, str) else json.dumps(v, indent=1)
        out += (f'<details class="raw"><summary>{label(k)}: solver text, to rerun the '
                f"decision (click to show)</summary><pre>{escape(text)}</pre></details>")
    if subparts:
        for i, p in enumerate(subparts):
            out += part_html(p, f"{number}.{i + 1}" if number else f"{i + 1}",
                             (names or part_names or [None] * 999)[i], depth)
    return out


def part_html(p: dict, number: str, name, depth: int) -> str:
    st = p.get("status")
    sc = p.get("scope") or {}
    role = sc.get("role")
    kind = sc.get("kind", "-")
    if kind == "sampled" and sc.get("instances"):
        kind = f"sampled, {sc['instances']} instances"
    head = (f"<b>part {escape(number)}</b>" + (f" ({escape(name)})" if name else "") + " " +
            badge(st or "?", STATUS_COLOUR.get(st)) + badge(p.get("level") or "-") +
            badge(kind) + (badge(f"covers the {role}") if role else "") +
            escape(p.get("statement", "")))
    body = ""
    said = [f"<b>{k}:</b> {escape(str(v))}" for k, v in (
        ("covers", sc.get("domain")), ("how", sc.get("method")),
        ("generator", sc.get("generator")), ("seed", sc.get("seed"))) if v not in (None, "")]
    if said:
        body += "<p>" + "; ".join(said) + "</p>"
    body += evidence_html(p.get("details", {}), depth + 1, number=number)
    if p.get("witness") is not None:
        body += f"<p>witness:</p><pre>{escape(json.dumps(p['witness'], indent=1)[:4000])}</pre>"
    return f"<details><summary>{head}</summary>{body}</details>"

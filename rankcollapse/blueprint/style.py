"""The blueprint's colours, stylesheet (screen and print) and small HTML pieces."""
from __future__ import annotations

from html import escape

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
td,th{border:1px solid #e5e7eb;padding:3px 7px;vertical-align:top;text-align:left;
 overflow-wrap:anywhere}
main table{max-width:100%} code{overflow-wrap:anywhere}
td.k{white-space:nowrap;color:#374151} td.k code{color:#6b7280;font-size:12px}
pre{background:#f3f4f6;padding:8px;overflow:auto;font-size:12.5px;max-height:340px;
 white-space:pre-wrap;overflow-wrap:anywhere}
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
table.walk td.why{color:#374151;font-style:italic;font-size:12.5px}
.exercise .answer:not(.shown){color:transparent;background:#e5e7eb;cursor:pointer;
 border-radius:3px;padding:0 4px}
details.raw summary{color:#6b7280;font-size:13px}
@media print{
 header,.tools,.noprint,button,input{display:none!important}
 main{max-width:none;padding:0}
 body{font-size:11pt}
 .graphbox{overflow:visible;border:none}
 .graphbox svg{max-width:100%;height:auto}
 pre{max-height:none;white-space:pre-wrap;word-break:break-word}
 details:not([open]) > *:not(summary){display:none}
 h1,h2,h3{break-after:avoid} tr,figure,.math,summary{break-inside:avoid}
 .cols{display:block} .col{margin:4px 0}
 a{color:inherit;text-decoration:none}
 section.chapter{break-before:page}
}
"""


def badge(text, colour=None):
    if colour:
        return f'<span class="badge status" style="background:{colour}">{escape(text)}</span>'
    return f'<span class="badge">{escape(text)}</span>'

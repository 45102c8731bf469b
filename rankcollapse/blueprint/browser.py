"""Headless Chromium for the blueprint: the rendered DOM and screenshots (tests, docs).

Only Debian's ``chromium`` (or ``chromium-browser`` / ``google-chrome``) on the PATH is
used; nothing is downloaded.  Every run uses a fresh temporary profile and switches off
networking features, so a page that needed the network would show it.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def find() -> str | None:
    """The path of a Chromium executable, or ``None``."""
    for n in NAMES:
        p = shutil.which(n)
        if p:
            return p
    return None


def _run(exe, args, page, timeout):
    with tempfile.TemporaryDirectory(prefix="rc-chromium-") as prof:
        url = page if str(page).startswith("file:") else Path(page).resolve().as_uri()
        cmd = [exe, *FLAGS, f"--user-data-dir={prof}", *args, url]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def dump_dom(page, *, exe: str | None = None, timeout: float = 60) -> str:
    """The DOM after the page loaded and its scripts ran (``--dump-dom``)."""
    exe = exe or find()
    if not exe:
        raise FileNotFoundError("no Chromium on the PATH")
    out = _run(exe, ["--window-size=1400,1000", "--dump-dom"], page, timeout)
    if out.returncode != 0 or "<html" not in out.stdout:
        raise RuntimeError(f"chromium --dump-dom failed ({out.returncode}): {out.stderr[-800:]}")
    return out.stdout


def screenshot(page, png, *, size=(1400, 1000), exe: str | None = None,
               timeout: float = 60) -> Path:
    """A PNG of the page as Chromium renders it at ``size``."""
    exe = exe or find()
    if not exe:
        raise FileNotFoundError("no Chromium on the PATH")
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    if png.exists():
        png.unlink()
    out = _run(exe, [f"--window-size={size[0]},{size[1]}", f"--screenshot={png}"], page,
               timeout)
    if not png.exists():
        raise RuntimeError(f"chromium --screenshot wrote nothing ({out.returncode}): "
                           f"{out.stderr[-800:]}")
    return png


def print_pdf(page, pdf, *, exe: str | None = None, timeout: float = 300) -> Path:
    """The page printed to PDF by Chromium (its print stylesheet applies)."""
    exe = exe or find()
    if not exe:
        raise FileNotFoundError("no Chromium on the PATH")
    pdf = Path(pdf).resolve()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    if pdf.exists():
        pdf.unlink()
    out = _run(exe, [f"--print-to-pdf={pdf}", "--no-pdf-header-footer"], page, timeout)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise RuntimeError(f"chromium --print-to-pdf wrote nothing ({out.returncode}): "
                           f"{out.stderr[-800:]}")
    return pdf


def colour_stats(png) -> dict:
    """Distinct colours and the fraction of pixels that are not (near) white: a blank
    page has one colour and fraction 0."""
    import numpy as np
    from matplotlib.image import imread

    img = imread(str(png))
    rgb = (np.asarray(img)[..., :3] * 255).round().astype(np.uint8)
    flat = rgb.reshape(-1, 3)
    packed = (flat[:, 0].astype(np.int32) << 16) | (flat[:, 1].astype(np.int32) << 8) | flat[:, 2]
    distinct = int(np.unique(packed).size)
    nonwhite = float((flat.min(axis=1) < 240).mean())
    return {"size": [int(rgb.shape[1]), int(rgb.shape[0])], "distinct_colours": int(distinct),
            "nonwhite_fraction": round(nonwhite, 4)}

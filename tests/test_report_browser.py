"""build/report.html in a real browser: headless Chromium loads it, every link resolves, every image loads."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from tests.test_run_all import make_notebook
from tools import browser, run_all

# Appended to a copy of a page (same folder, so relative links resolve alike): after load, what the browser saw.
PROBE = """<script>
window.addEventListener("load", () => {
  const seen = {
    images: [...document.images].map(i => ({src: i.src.slice(0, 60), ok: i.complete && i.naturalWidth > 0})),
    links: [...document.links].map(a => a.href),
    charset: document.characterSet,
    title: document.title,
  };
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(seen);
  document.body.appendChild(pre);
});
</script>
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    found = browser.find()
    if not found:
        pytest.skip("no Chromium/Chrome on PATH: run `make browser` (as root it apt-get installs chromium)")
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A report of two tiny notebooks (one with a plot), built by make run's own code."""
    tmp = tmp_path_factory.mktemp("report")
    plot = (
        "import matplotlib.pyplot as plt\n%matplotlib inline\n"
        "plt.plot([0, 1, 4, 9]); plt.title('squares'); plt.show()\nimport helpers\nhelpers.record('test_accuracy', 0.9)"
    )
    first = make_notebook(tmp / "nbs" / "a_plot.ipynb", plot, title="그림이 있는 노트북 (Plot)")
    second = make_notebook(tmp / "nbs" / "b_text.ipynb", "print('안녕하세요')", title="글자만 있는 노트북 (Text)")
    assert run_all.main([str(first), str(second), "--out", str(tmp / "build")]) == run_all.EXIT_OK
    return tmp / "build" / "report.html"


def look(chromium: str, page: Path, tmp: Path) -> dict:
    """Load a copy of `page` with the probe script; return what the browser saw."""
    probe = page.with_name(f"probe-{page.name}")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    cmd = browser.headless(chromium, tmp / "profile", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri())
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    probe.unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"the browser did not run the page (exit {proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def test_report_loads_with_working_links_and_images(chromium, report, tmp_path):
    seen = look(chromium, report, tmp_path)
    assert seen["charset"] == "UTF-8" and "케라스 창시자에게 배우는 딥러닝" in seen["title"]
    assert seen["images"] and all(i["ok"] for i in seen["images"]), seen["images"]
    assert len(seen["links"]) == 6  # rendered page, executed copy and log of each notebook
    for href in seen["links"]:
        url = urlparse(href)
        assert url.scheme == "file", f"{href}: the report links only files beside it"
        assert Path(unquote(url.path)).is_file(), f"{href} does not resolve to a file"


def test_rendered_notebook_page_shows_its_plot_and_hangul(chromium, report, tmp_path):
    page = report.parent / "html" / "a_plot.html"
    seen = look(chromium, page, tmp_path)
    assert seen["charset"] == "UTF-8"
    plots = [i for i in seen["images"] if i["src"].startswith("data:image/png")]
    assert plots and all(i["ok"] for i in plots), seen["images"]
    assert "그림이 있는 노트북" in page.read_text(encoding="utf-8")


def test_screenshot_of_the_report(chromium, report, tmp_path):
    import matplotlib.image

    shot = tmp_path / "report.png"
    cmd = browser.headless(chromium, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,900")
    subprocess.run([*cmd, report.as_uri()], capture_output=True, timeout=180)
    assert shot.is_file(), "no screenshot written"
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (900, 1280) and pixels.std() > 0.05  # not a blank page

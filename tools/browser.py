"""Headless Chromium for the report's browser test (tests/test_report_browser.py); `make browser` runs this.

    python3 tools/browser.py   find Chromium/Chrome; when missing and running as root with apt-get, install
                               Debian's `chromium` (and `fonts-nanum`, a Hangul font, when no Korean font is
                               installed). Prints one line; always exits 0 (without a browser the test skips).

Standard library only: `make test` runs it with the system Python before the venv matters.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find() -> str | None:
    """The first Chromium-family browser on PATH (the report test), or None."""
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


def headless(browser: str, profile: Path, *args: str) -> list[str]:
    """A headless command line that touches no network service and no real profile (the report test)."""
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]


def _has_korean_font() -> bool:
    if not shutil.which("fc-list"):
        return True  # cannot tell: install nothing
    out = subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True).stdout
    return bool(out.strip())


def _apt_install(packages: list[str]) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    if subprocess.run(cmd, **quiet).returncode == 0:
        return True
    subprocess.run(["apt-get", "update", "-qq"], **quiet)  # stale package lists: refresh once, then retry
    return subprocess.run(cmd, **quiet).returncode == 0


def install() -> str | None:
    """apt-get install chromium (+ a Hangul font) when root on Debian/Ubuntu; the browser found afterwards, or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return find()
    packages = [] if find() else ["chromium"]
    if not _has_korean_font():
        packages.append("fonts-nanum")
    if packages:
        print(f"browser: installing {' '.join(packages)} with apt-get (once) ...", flush=True)
        _apt_install(packages)
    return find()


def main() -> int:
    browser = install()
    if browser:
        print(f"browser: {browser}")
    else:
        print("browser: none found and none installable here; the report's browser test will be skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

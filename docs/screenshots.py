"""Take the README's screenshots with headless Chromium: the HTML report of the 2023 drought case
and the what-if page (K14 recovery 0.75, cut 0.10). Run from the repository root:

    .venv/bin/python docs/screenshots.py

Writes docs/report.png and docs/app.png (shrunk to small palette PNGs).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser import chromium  # noqa: E402
from tests.test_app_browser import type_into, value_of  # noqa: E402

DOCS = Path(__file__).resolve().parent


def shrink(png: Path, width: int = 900) -> None:
    image = Image.open(png).convert("RGB")
    image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    image.quantize(colors=128).save(png, optimize=True)


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    report = tmp / "report.html"
    subprocess.run([sys.executable, "-m", "model", "solve", "kaohsiung-2023-drought",
                    "--html", str(report)], check=True, capture_output=True)
    driver = chromium(tmp / "profile", width=1200, height=1500)
    try:
        driver.get(report.as_uri())
        driver.save_screenshot(str(DOCS / "report.png"))
        server = subprocess.Popen([sys.executable, "-m", "model", "app"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            driver.set_window_size(1200, 1000)
            driver.get(server.stdout.readline().split()[2])
            wait = WebDriverWait(driver, 60)
            first = wait.until(lambda d: value_of(d, "tap"))
            type_into(driver, '{"train":"K14","type":"recovery"}', "0.75")
            type_into(driver, "cut", "0.1")
            wait.until(lambda d: value_of(d, "shortage") and value_of(d, "tap") != first)
            driver.save_screenshot(str(DOCS / "app.png"))
        finally:
            server.terminate()
            server.wait()
    finally:
        driver.quit()
    for png in (DOCS / "report.png", DOCS / "app.png"):
        shrink(png)
        print(png, png.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

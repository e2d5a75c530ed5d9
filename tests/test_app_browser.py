"""The what-if page in a real browser: `wateralloc app` on a free loopback port, driven by
headless Chromium. The page's tap and shortage after a change equal `wateralloc solve` on a
case folder with the same change; invalid input shows the command line's message and no
figure; an option switched in gives the plan of the case with that option built in; the page
logs no console error."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from model.bundled import bundled_case
from model.case import load_case
from model.case.options import apply_options
from model.cli import main
from model.studies import plan
from tests.browser import chromium, console_errors
from tests.case_folder import valid_tables, write_case
from tests.case_workbook import as_workbook

CASE = "ntip-2019-phase2"
WAIT_S = 90  # generous on 2 shared cores; a solve of this case takes about a second


@pytest.fixture(scope="module")
def address():
    """Start the page the way a user does and read the address it prints."""
    server = subprocess.Popen([sys.executable, "-m", "model", "app", CASE],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = server.stdout.readline()
        assert line.startswith("wateralloc app: http://127.0.0.1:"), line
        yield line.split()[2]
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("profile"))
    yield driver
    driver.quit()


def value_of(driver, element_id: str) -> float | None:
    """The exact figure behind a headline value (None while there is none)."""
    try:
        found = driver.find_elements(By.ID, element_id)
        return float(found[0].get_attribute("data-value")) if found else None
    except StaleElementReferenceException:  # re-rendered between finding and reading
        return None


def wait_for(driver, condition, what: str):
    return WebDriverWait(driver, WAIT_S, poll_frequency=0.2).until(
        lambda d: condition(d), message=what)


def type_into(driver, element_id: str, text: str) -> None:
    """Replace a field's text and press Enter (the page re-plans on Enter)."""
    for _ in range(5):  # the field may be re-rendered while the page settles
        try:
            field = driver.find_element(By.XPATH, f"//*[@id='{element_id}']")  # ids hold quotes
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys(Keys.BACKSPACE)
            field.send_keys(text, Keys.ENTER)
            return
        except StaleElementReferenceException:
            time.sleep(0.5)
    raise AssertionError(f"the field {element_id} kept being re-rendered")


def open_page(driver, address: str) -> float:
    driver.get(address)
    return wait_for(driver, lambda d: value_of(d, "tap"), "the first plan")


def solve_changed(tmp_path: Path, recovery: float, cut: float) -> dict:
    """`wateralloc solve` on a copy of the case whose K14 recovery is changed, with --cut."""
    folder = Path(shutil.copytree(bundled_case(CASE), tmp_path / "changed"))
    with (folder / "treatment.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["recovery"] = str(recovery)
    with (folder / "treatment.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "summary.json"
    assert main(["solve", str(folder), "--cut", str(cut), "--no-largest-cut",
                 "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_k14_recovery_and_a_cut_give_what_solve_gives(address, browser, tmp_path, capsys):
    before = open_page(browser, address)
    expected = solve_changed(tmp_path, 0.75, 0.1)
    tap, shortage = expected["tap_m3_per_day"], expected["shortage_m3"] / expected["days"]
    type_into(browser, '{"train":"K14","type":"recovery"}', "0.75")
    type_into(browser, "cut", "0.1")
    wait_for(browser, lambda d: value_of(d, "tap") == pytest.approx(tap, rel=1e-9)
             and value_of(d, "shortage") == pytest.approx(shortage, rel=1e-9, abs=1e-9),
             f"the page to show tap {tap} and shortage {shortage}")
    browser.save_screenshot(str(tmp_path / "page.png"))
    assert value_of(browser, "tap") == pytest.approx(tap, rel=1e-9) and tap < before
    assert shortage > 0  # a 10% cut of the least tap cannot be absorbed by a steady plan
    assert browser.find_element(By.ID, "tap").text == f"{tap:,.0f} m3/day"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#plants-table tr")) == 6  # 5 plants
    assert browser.find_elements(By.CSS_SELECTOR, "#sankey g.sankey")
    assert (tmp_path / "page.png").stat().st_size > 10_000
    assert console_errors(browser) == []


def test_an_invalid_upload_shows_the_command_lines_message(address, browser, tmp_path, capsys):
    open_page(browser, address)
    tables = valid_tables()
    tables["uses.csv"][0]["return_fraction"] = "7"
    book, _ = as_workbook(write_case(tmp_path / "bad", tables), tmp_path / "bad-case.xlsx")
    assert main(["solve", str(book)]) == 2
    cli = capsys.readouterr().err.strip()
    assert "bad-case.xlsx, sheet 'uses', row 2, column D 'return_fraction'" in cli
    browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(book))
    shown = wait_for(browser, lambda d: d.find_element(By.ID, "message").text,
                     "the upload's message")
    assert shown == cli.replace(str(book), book.name)
    assert "Traceback" not in browser.page_source


def test_an_invalid_value_shows_the_message_and_no_figure(address, browser):
    open_page(browser, address)
    type_into(browser, '{"train":"K14","type":"recovery"}', "1.5")
    shown = wait_for(browser, lambda d: d.find_element(By.ID, "message").text,
                     "the message for recovery 1.5")
    assert shown == "wateralloc: invalid option K14 recovery 1.5: must be in (0, 1]"
    assert value_of(browser, "tap") is None and not browser.find_elements(By.ID, "plants-table")
    assert not browser.find_elements(By.CSS_SELECTOR, "#sankey g.sankey")
    assert "Traceback" not in browser.page_source


def choose_case(driver, name: str) -> None:
    """Pick a bundled case in the case dropdown (open it, click the case's option)."""
    driver.find_element(By.ID, "case").click()
    wait_for(driver, lambda d: d.find_elements(By.XPATH, f"//*[@role='option' and "
                                                  f"normalize-space()='{name}']"),
             "the list of cases")[0].click()


def test_an_option_switched_in_gives_the_cold_plan_of_that_choice(address, browser, tmp_path):
    # ntip-2028-phase3 with Nanzih reclaimed water: `wateralloc options` plans a portfolio as
    # the case with the option built in; its least tap, 11,667.0 m3/day, is README's 16,496.2
    # less the 4,829 it saves
    open_page(browser, address)
    choose_case(browser, "ntip-2028-phase3")
    case = load_case(bundled_case("ntip-2028-phase3"))
    without = plan(case).summary.tap_m3_per_day
    wait_for(browser, lambda d: value_of(d, "tap") == pytest.approx(without, rel=1e-9),
             "the phase 3 case without options")
    switch = '{"option":"Nanzih-reclaimed","type":"option"}'
    browser.find_element(By.XPATH, f"//*[@id='{switch}']//input[@value='in']").click()
    tap = plan(apply_options(case, ["Nanzih-reclaimed"])).summary.tap_m3_per_day
    wait_for(browser, lambda d: value_of(d, "tap") == pytest.approx(tap, rel=1e-9),
             f"the page to show tap {tap} with the option in")
    assert tap == pytest.approx(16496.2 - 4829, abs=0.6)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#options-table tr")) == 8  # 7 options
    browser.save_screenshot(str(tmp_path / "options.png"))
    browser.find_element(By.XPATH, f"//*[@id='{switch}']//input[@value='out']").click()
    wait_for(browser, lambda d: value_of(d, "tap") == pytest.approx(without, rel=1e-9),
             "the page to show the plan without the option again")
    assert console_errors(browser) == []

"""The app in a real browser: Debian's Chromium driven by Playwright.

Starts ``streamlit run app.py`` on a free port (with a temporary scenario store), runs two
bundled scenarios from the Scenario page and saves each, and visits every page. Fails on an exception shown in a page, on a console error and
on any request that leaves this machine. Keeps a screenshot of each page in
``tests/artifacts/`` and prints how long each page took.

Skipped when Chromium (``/usr/bin/chromium``) or Playwright is missing, unless
``PLANNER_REQUIRE_BROWSER=1`` (as in CI), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = {"127.0.0.1", "localhost"}
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
#: The pages after the Scenario page, by their menu titles and their headings.
PAGES = (
    ("Plan", "Plan"),
    ("Network", "Network"),
    ("Parts", "Parts"),
    ("Trade-off", "Trade-off"),
    ("Check", "Check"),
    ("Plugins", "Products and plugins"),
)
LEAN = "Excavators: cost-cutting plan"

pytestmark = pytest.mark.slow


def require_browser():
    """Playwright's sync API, or a skip (a failure when the browser is required)."""
    required = os.environ.get("PLANNER_REQUIRE_BROWSER") == "1"
    missing = None
    if not CHROMIUM.is_file():
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        from playwright import sync_api
    except ImportError:
        missing = missing or "the playwright package is missing (pip install playwright)"
        sync_api = None
    if missing:
        if required:
            pytest.fail(f"PLANNER_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    return sync_api


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    """The app's scenario store: a temporary SQLite file."""
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'scenarios.sqlite'}"


@pytest.fixture(scope="module")
def server(store_url):
    require_browser()
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    env = dict(os.environ, SERVICE_PLANNER_DB=store_url)
    log = open(ARTIFACTS / "streamlit-server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            text = (ARTIFACTS / "streamlit-server.log").read_text(errors="replace")
            pytest.fail(f"streamlit did not start:\n{text[-2000:]}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def settle(page, timeout: float = 120_000) -> None:
    """Wait for the script to finish its run (after it had a moment to start one)."""
    page.wait_for_timeout(250)
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_load_state("networkidle")


def save_as(page, name: str) -> None:
    """Save the current run under ``name`` with the Scenario page's form."""
    box = page.get_by_label("Save as (a name; saving it again adds a version)")
    box.fill(name)
    page.locator("[data-testid=stFormSubmitButton] button", has_text="Save").click()
    page.get_by_text(f"saved {name} version 1 in").wait_for(timeout=60_000)
    settle(page)


def test_every_page_in_a_real_browser(server, store_url):
    sync_api = require_browser()
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    outside: list[str] = []
    timings: dict[str, float] = {}

    def route(r):
        url = r.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.hostname in LOCAL:
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2000})
            page.route("**/*", route)
            page.on(
                "console",
                lambda m: (
                    errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None
                ),
            )
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))

            def check(name: str) -> None:
                shown = page.locator("[data-testid=stException]")
                if shown.count():
                    errors.append(f"{name}: exception shown: {shown.first.inner_text()[:500]}")
                page.screenshot(
                    path=str(ARTIFACTS / f"{len(timings):02d}-{name}.png"), full_page=True
                )

            start = time.perf_counter()
            page.goto(server, wait_until="domcontentloaded")
            page.get_by_role("heading", name="Scenario", exact=True).wait_for(timeout=60_000)
            settle(page)
            timings["Scenario (first load)"] = time.perf_counter() - start
            check("scenario-start")

            start = time.perf_counter()
            page.locator("[data-testid=stFormSubmitButton] button", has_text="Run").click()
            page.get_by_text("Total cost (CNY a year)").wait_for(timeout=180_000)
            settle(page, 180_000)
            timings["Scenario (run today's network)"] = time.perf_counter() - start
            check("scenario-result")

            start = time.perf_counter()
            save_as(page, "today")
            timings["Scenario (save as today)"] = time.perf_counter() - start

            start = time.perf_counter()
            choice = page.get_by_role("combobox", name="Scenario", exact=True)
            choice.click()
            choice.fill("cost-cutting")
            page.get_by_role("option", name=LEAN).first.click()
            settle(page)
            page.locator("[data-testid=stFormSubmitButton] button", has_text="Run").click()
            page.get_by_role("heading", name=f"Result: {LEAN}").wait_for(timeout=180_000)
            settle(page, 180_000)
            timings["Scenario (run the cost-cutting plan)"] = time.perf_counter() - start
            start = time.perf_counter()
            save_as(page, "lean")
            timings["Scenario (save as lean)"] = time.perf_counter() - start
            check("scenario-saved")

            for title, heading in PAGES:
                start = time.perf_counter()
                page.locator("[data-testid=stSidebarNav] a", has_text=title).first.click()
                page.get_by_role("heading", name=heading).first.wait_for(timeout=120_000)
                settle(page)
                if page.locator("[data-testid=stVegaLiteChart]").count():
                    page.locator(
                        "[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg"
                    ).first.wait_for()
                timings[title] = time.perf_counter() - start
                check(title.lower())
                assert not page.get_by_text("No scenario has run yet").count(), title

            # Compare: the two saved scenarios side by side, the first as the baseline
            start = time.perf_counter()
            page.locator("[data-testid=stSidebarNav] a", has_text="Compare").first.click()
            page.get_by_role("heading", name="Compare").first.wait_for(timeout=120_000)
            settle(page)
            page.locator(
                "[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg"
            ).first.wait_for()
            timings["Compare (two saved)"] = time.perf_counter() - start
            check("compare")
            grid = page.locator("[data-testid=stDataFrame]").first
            grid.wait_for()
            # the cost-by-component and the KPI-change charts: the two scenarios differ
            assert page.locator("[data-testid=stVegaLiteChart]").count() == 2
            assert not page.get_by_text("Nothing is saved yet").count()

            # Export: the first saved scenario's workbook, downloaded and opened
            start = time.perf_counter()
            page.locator("[data-testid=stSidebarNav] a", has_text="Export").first.click()
            page.get_by_role("heading", name="Export").first.wait_for(timeout=120_000)
            settle(page)
            timings["Export"] = time.perf_counter() - start
            check("export")
            start = time.perf_counter()
            with page.expect_download(timeout=60_000) as download:
                page.get_by_role("button", name="Download XLSX").click()
            workbook = ARTIFACTS / "export.xlsx"
            download.value.save_as(workbook)
            timings["Export (XLSX download)"] = time.perf_counter() - start
            exported = download.value.suggested_filename
        finally:
            browser.close()

    print("\npage timings (s):")
    for name, seconds in timings.items():
        print(f"  {name:<32} {seconds:6.2f}")
    assert not outside, f"requests left this machine: {outside}"
    # the workbook is the first saved scenario's: a summary, one sheet per region, parts
    from openpyxl import load_workbook

    from planner.store import open_store

    with open_store(store_url) as store:
        first = store.names()[0].name
        result = store.load(first).result
    assert exported == f"{first}-v1.xlsx"
    book = load_workbook(workbook, read_only=True)
    assert book.sheetnames == ["summary", *(o.region for o in result.regions), "parts"]
    summary = {c for row in book["summary"].iter_rows(values_only=True) for c in row}
    assert result.scenario.name in summary
    assert not errors, "\n".join(errors)

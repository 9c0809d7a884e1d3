"""The console in a real browser: Playwright driving Debian's chromium (never a downloaded
browser). A 税務課 requester asks for a tax job through its form, the section head and an
operator sign, the operator runs it, the requester receives the report, the auditor sees
every step; a 水道課 user can neither see nor request the job nor fetch its output by URL.
Screenshots of the main pages are taken (DENSAN_SCREENSHOTS=dir keeps them) and checked."""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.server.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (apt-get install chromium)")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path):
    d = Path(os.environ.get("DENSAN_SCREENSHOTS") or tmp_path / "shots")
    d.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = d / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, name       # a real, non-blank picture
        return path
    return take


def login(browser, console, user: str):
    ctx = browser.new_context(base_url=console.url, accept_downloads=True, viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.goto("/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]
    return ctx, page


def test_request_approve_run_receive_audit(browser, console, shots):
    # 1. the requester fills the tax job's form
    ctx, page = login(browser, console, "zeimu1")
    page.goto("/jobs")
    assert page.locator("text=ZTAXLIST").count() >= 1 and page.locator("text=SHUNOD").count() == 0
    page.click("a[href='/jobs/ZTAXLIST/request']")
    shots(page, "01-request-form")
    page.fill("#p_fy", "R8")
    page.fill("#p_district", "045")
    page.select_option("#p_kind", "随時")
    page.select_option("#when", "now")
    page.fill("#purpose", "随時課税の対象者確認")
    page.click("#submit")
    page.wait_for_load_state()
    rid = int(re.search(r"/requests/(\d+)", page.url).group(1))
    assert page.inner_text("#status") == "PENDING"
    ctx.close()
    # 2. the section head approves
    ctx, page = login(browser, console, "zeimu-chief")
    page.goto(f"/requests/{rid}")
    page.fill("#reason", "課長承認")
    page.click("#approve")
    page.wait_for_load_state()
    assert page.inner_text("#status") == "PENDING" and "operator" in page.content()
    ctx.close()
    # 3. the operator sees it on the night, signs and runs it
    ctx, page = login(browser, console, "oper1")
    page.goto("/night")         # the operating day's page shows the `now` request at any hour
    assert page.locator(f"a[href='/requests/{rid}']").count() == 1
    page.goto(f"/requests/{rid}")
    page.click("#approve")
    page.wait_for_load_state()
    assert page.inner_text("#status") == "READY"
    page.check("#confirm-run")
    page.click("#run")
    page.wait_for_load_state()
    for _ in range(150):
        if page.inner_text("#status") in ("ENDED", "FAILED"):
            break
        time.sleep(0.2)
        page.reload()
    assert page.inner_text("#status") == "ENDED"
    page.goto("/night")
    assert page.locator("svg.gantt rect").count() >= 1
    shots(page, "03-night-gantt")
    run_link = page.locator("#night a[href^='/runs/']").last.get_attribute("href")
    page.goto(run_link)
    assert "12********" in page.inner_text(".sysout") and "1234567890" not in page.content()   # masked for IT
    shots(page, "04-run-masked")
    page.goto("/calendar")
    shots(page, "05-calendar")
    ctx.close()
    # 4. the requester receives the report
    ctx, page = login(browser, console, "zeimu1")
    page.goto(f"/requests/{rid}")
    shots(page, "02-request-ended")
    with page.expect_download() as dl:
        page.click("a.download")
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "年度 2026  地区 045  随時" in text and "1234567890" in text
    output_url = page.locator("a.download").first.get_attribute("href")
    ctx.close()
    # 5. the auditor sees each step
    ctx, page = login(browser, console, "audit1")
    page.goto("/audit")
    table = page.inner_text("#audit")
    for action, who in (("request", "zeimu1"), ("approve", "zeimu-chief"), ("approve", "oper1"), ("run", "oper1"),
                        ("download", "zeimu1")):
        assert re.search(rf"{re.escape(who)}\s+\S+\s+\S+\s+{action}\b", table), (action, who)
    shots(page, "06-audit")
    page.goto("/audit/verify")
    assert "改ざんなし" in page.inner_text("#verify")
    ctx.close()
    # 6. 水道課 cannot see, request or fetch it
    ctx, page = login(browser, console, "suido1")
    page.goto("/jobs")
    assert page.locator("text=ZTAXLIST").count() == 0
    for url in ("/jobs/ZTAXLIST/request", "/jobs/ZTAXLIST", f"/requests/{rid}", output_url):
        resp = page.goto(url)
        assert resp.status == 403, url
        assert "1234567890" not in page.content()
    shots(page, "07-forbidden")
    ctx.close()

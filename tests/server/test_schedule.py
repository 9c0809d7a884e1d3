"""The console over the scheduler (engine.schedule.state): a jobnet's night on the night page
and API with JP1 statuses, and the operators' actions (skip, hold, release) with a reason,
in the scheduler's history and the console's audit."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

from tests.server.conftest import csrf_of, env_for


def test_jobnet_night_and_operator_actions(console):
    day = dt.date.today()
    r = subprocess.run([sys.executable, "-m", "engine.cli", "run", "ZTAXNET", "--param", f"date={day:%Y%m%d}", "-q"],
                       env=env_for(console.home), capture_output=True, text=True, timeout=300)
    assert r.returncode != 0, r.stdout + r.stderr                  # ZTAXFAIL abends
    op = console.api("oper1")
    night = op.get("/densan/v1/night", params={"date": day.isoformat()}).json()
    units = {i["job"]: i for i in night["items"] if i["jobnet"] == "ZTAXNET"}
    assert units["ZTAXLIST"]["status"] == "ENDED" and units["ZTAXLIST"]["raw_status"] == "ended-normally"
    assert units["ZTAXFAIL"]["status"] == "ABNORMAL" and units["ZTAXFAIL"]["colour"] == "#ff8a80"
    assert units["ZTAXFAIL"]["run_id"].startswith("J")
    page = console.client("oper1")
    html = page.get("/night", params={"date": day.isoformat()}).text
    assert 'id="jobnets"' in html and "ZTAXNET" in html
    assert f"運用日 {day} 00:00 — 翌 00:00" in html      # ZTAXNET's base time (midnight) is the earliest
    token = csrf_of(html)
    form = {"csrf": token, "jobnet": "ZTAXNET", "unit": "ZTAXFAIL", "date": day.isoformat(), "action": "skip",
            "reason": "", "confirm": "yes"}
    assert page.post("/night/action", data=form).status_code == 422             # a reason is required
    assert page.post("/night/action", data=dict(form, reason="税率表を修正後に翌日再実行",
                                                confirm="")).status_code == 422  # and the confirmation
    assert console.client("zeimu1").post("/night/action", data=dict(form, reason="x")).status_code == 403
    r = page.post("/night/action", data=dict(form, reason="税率表を修正後に翌日再実行"))
    assert r.status_code == 303
    night = op.get("/densan/v1/night", params={"date": day.isoformat()}).json()
    assert next(i for i in night["items"] if i["job"] == "ZTAXFAIL" and i["jobnet"])["raw_status"] == "skipped"
    from engine.schedule import state as S
    events = S.history("ZTAXNET", day, home=console.home)
    assert events[0]["action"] == "skip" and events[0]["who"] == "oper1" and events[0]["why"] == "税率表を修正後に翌日再実行"
    audit = console.api("audit1").get("/densan/v1/audit", params={"action": "skip"}).json()
    assert audit[0]["who"] == "oper1" and "ZTAXNET" in audit[0]["what"] and audit[0]["owner"] == "ZEIMU"
    # hold and release the whole jobnet run
    for action in ("hold", "release"):
        r = page.post("/night/action", data=dict(form, unit="", action=action, reason=f"{action} test"))
        assert r.status_code == 303
    assert [e["action"] for e in S.history("ZTAXNET", day, home=console.home)[:2]] == ["release", "hold"]
    cal = op.get("/densan/v1/calendar", params={"month": f"{day:%Y-%m}"}).json()
    assert any("NIGHTLY" in " ".join(d["planned"]) for d in cal["days"] if d["open"])

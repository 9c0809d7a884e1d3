"""Schedule rules: which operating days a root jobnet runs on, and why.

A jobnet's `schedule:` is a list of rules; it runs on every day any rule gives. A rule is a
mapping with one base and some modifiers:

    - every: open-day                 # every open day (also: every: day)
    - weekdays: [mon, thu]            # those weekdays
    - day: 15                         # the 15th (day: end, or -1: the month end; -2 the day before)
    - open_day: 3                     # the 3rd open day of the month (open_day: -1 = the last)
    - period: 上旬                    # 上旬/中旬/下旬 (early 1-10, middle 11-20, late 21-end):
      open_day: 1                     #   its N-th open day (default 1; -1 = its last)
    - date: 2027-03-31                # one date
  modifiers:
      months: [4, 7, 10, 1]           # only these months
      closed: before                  # a closed base day moves: before | after | cancel | run
      max_shift: 3                    # ... by at most 3 days, else the run is cancelled
      offset: -2                      # 起算: then 2 open days before (+2: after)

`closed:` applies to the calendar-day bases (day, weekdays, date, every: day); it defaults
to `after`. Open-day bases never land on a closed day. Example 起算 from the spec: "pay day
is the 15th, earlier if closed; payroll runs 2 open days before pay day" is
`{day: 15, closed: before, offset: -2}`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.calendar import CityCalendar
from engine.schedule.jobnet import JobnetError

BASES = ("every", "weekdays", "day", "open_day", "period", "date")
MODIFIERS = ("months", "closed", "max_shift", "offset")
SUBSTITUTIONS = ("before", "after", "cancel", "run")
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
            "月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}
PERIODS = {"上旬": (1, 10), "early": (1, 10), "中旬": (11, 20), "middle": (11, 20),
           "下旬": (21, 31), "late": (21, 31)}


class RuleError(JobnetError):
    """A schedule rule that cannot be planned as written."""


@dataclass(frozen=True)
class Planned:
    """One planned run: the operating day and the rule's reason."""
    date: dt.date
    rule: int                     # 1-based index of the rule that put it there
    why: str


def _month_end(y: int, m: int) -> dt.date:
    return (dt.date(y, m, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def validate_rule(rule, where: str) -> None:
    if not isinstance(rule, dict):
        raise RuleError(f"{where}: a rule is a mapping such as {{every: open-day}} or {{day: 15, closed: before}}")
    unknown = set(rule) - set(BASES) - set(MODIFIERS)
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {sorted(unknown)}",
                        hint="bases: " + ", ".join(BASES) + "; modifiers: " + ", ".join(MODIFIERS))
    bases = [b for b in BASES if b in rule]
    if "period" in bases and "open_day" in bases:
        bases.remove("open_day")
    if len(bases) != 1:
        raise RuleError(f"{where}: give exactly one of {', '.join(BASES)} (got {', '.join(bases) or 'none'})")
    b = bases[0]
    v = rule[b]
    if b == "every" and str(v) not in ("open-day", "day"):
        raise RuleError(f"{where}: every: {v!r}: write every: open-day or every: day")
    if b == "weekdays":
        items = v if isinstance(v, list) else [v]
        bad = [x for x in items if str(x).lower()[:3] not in WEEKDAYS and str(x) not in WEEKDAYS]
        if bad or not items:
            raise RuleError(f"{where}: weekdays: {bad or v!r} is not a weekday (mon … sun)")
    if b == "day" and not (v == "end" or (isinstance(v, int) and 1 <= abs(v) <= 31)):
        raise RuleError(f"{where}: day: {v!r}: write 1..31, end, or -1 (the month end), -2 …")
    if b == "period" and str(v) not in PERIODS:
        raise RuleError(f"{where}: period: {v!r}: write 上旬, 中旬, 下旬 (or early, middle, late)")
    if "open_day" in rule:
        ov = rule["open_day"]
        if not (ov in ("last", "first") or (isinstance(ov, int) and ov != 0 and abs(ov) <= 23)):
            raise RuleError(f"{where}: open_day: {ov!r}: write 1, 2, … or -1 (the last), -2 …")
    if b == "date":
        try:
            dt.date.fromisoformat(str(v))
        except ValueError:
            raise RuleError(f"{where}: date: {v!r} is not a date (YYYY-MM-DD)") from None
    if "closed" in rule and str(rule["closed"]) not in SUBSTITUTIONS:
        raise RuleError(f"{where}: closed: {rule['closed']!r}: write one of {', '.join(SUBSTITUTIONS)}")
    for k in ("max_shift", "offset"):
        if k in rule and not isinstance(rule[k], int):
            raise RuleError(f"{where}: {k}: {rule[k]!r} must be a whole number")
    if "months" in rule:
        ms = rule["months"] if isinstance(rule["months"], list) else [rule["months"]]
        if not all(isinstance(m, int) and 1 <= m <= 12 for m in ms):
            raise RuleError(f"{where}: months: {rule['months']!r}: write month numbers 1..12")


def describe(rule: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in rule.items())


def _open_index(v) -> int:
    return {"first": 1, "last": -1}.get(v, v)


def _bases(rule: dict, y: int, m: int, cal: CityCalendar) -> list[tuple[dt.date, bool, str]]:
    """(base date, whether closed-day substitution applies, how it was found) of one month."""
    end = _month_end(y, m)
    if "period" in rule:
        lo, hi = PERIODS[str(rule["period"])]
        days = cal.open_days_between(dt.date(y, m, lo), min(end, dt.date(y, m, min(hi, end.day))))
        n = _open_index(rule.get("open_day", 1))
        if abs(n) > len(days):
            return []
        d = days[n - 1] if n > 0 else days[n]
        return [(d, False, f"open day {n} of {rule['period']} {y}-{m:02d}")]
    if "open_day" in rule:
        n = _open_index(rule["open_day"])
        d = cal.nth_open_day(y, m, n)
        return [] if d is None else [(d, False, f"open day {n} of {y}-{m:02d}" if n > 0 else
                                      f"{'last' if n == -1 else f'{n}th from the end'} open day of {y}-{m:02d}")]
    if "every" in rule:
        days = [dt.date(y, m, i) for i in range(1, end.day + 1)]
        if rule["every"] == "open-day":
            return [(d, False, "an open day") for d in days if cal.is_open(d)]
        return [(d, True, "every day") for d in days]
    if "weekdays" in rule:
        items = rule["weekdays"] if isinstance(rule["weekdays"], list) else [rule["weekdays"]]
        want = {WEEKDAYS.get(str(x).lower()[:3], WEEKDAYS.get(str(x))) for x in items}
        return [(d, True, d.strftime("a %A")) for d in (dt.date(y, m, i) for i in range(1, end.day + 1))
                if d.weekday() in want]
    if "day" in rule:
        v = rule["day"]
        if v == "end" or v == -1:
            return [(end, True, f"the month end {end}")]
        if v < 0:
            d = end + dt.timedelta(days=v + 1)
            return [(d, True, f"{-v - 1} days before the month end")]
        if v > end.day:
            return []
        return [(dt.date(y, m, v), True, f"day {v}")]
    if "date" in rule:
        d = dt.date.fromisoformat(str(rule["date"]))
        return [(d, True, f"the date {d}")] if (d.year, d.month) == (y, m) else []
    raise RuleError(f"rule {rule!r} has no base")


def apply_rule(rule: dict, index: int, y: int, m: int, cal: CityCalendar) -> list[Planned]:
    """The planned days one rule gives for the base days of month y-m (the result may fall
    in a neighbouring month after a shift or an offset)."""
    months = rule.get("months")
    if months is not None and m not in (months if isinstance(months, list) else [months]):
        return []
    mode = str(rule.get("closed", "after"))
    max_shift = rule.get("max_shift")
    offset = int(rule.get("offset", 0))
    out = []
    for base, substitutable, how in _bases(rule, y, m, cal):
        d, note = base, how
        if substitutable and not cal.is_open(base):
            reason = cal.why(base)
            if mode == "cancel":
                continue
            if mode == "run":
                note += f" ({reason}; run anyway)"
            else:
                d = cal.roll_back(base) if mode == "before" else cal.roll_forward(base)
                shift = abs((d - base).days)
                if max_shift is not None and shift > max_shift:
                    continue
                note += f" ({reason}; moved {mode} to {d})"
        if offset:
            d2 = cal.add_open_days(d, offset)
            note += f"; {abs(offset)} open day{'s' if abs(offset) > 1 else ''} {'before' if offset < 0 else 'after'} -> {d2}"
            d = d2
        out.append(Planned(d, index, f"rule {index} ({describe(rule)}): {note}"))
    return out


def plan_days(rules: list[dict], start: dt.date, end: dt.date, cal: CityCalendar) -> list[Planned]:
    """Planned operating days in [start, end], one per day (the first rule that gives it wins)."""
    found: dict[dt.date, Planned] = {}
    y, m = (start.year, start.month - 1) if start.month > 1 else (start.year - 1, 12)
    last = (end.year, end.month + 1) if end.month < 12 else (end.year + 1, 1)
    while (y, m) <= last:                 # a month either side: shifts and offsets cross months
        for i, rule in enumerate(rules, 1):
            for p in apply_rule(rule, i, y, m, cal):
                if start <= p.date <= end:
                    prev = found.get(p.date)
                    if prev is None or p.rule < prev.rule:
                        found[p.date] = p
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)
    return [found[d] for d in sorted(found)]

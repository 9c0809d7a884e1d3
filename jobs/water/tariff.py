"""The tariff table (料金表, RYOKIN records) loaded and checked as SUIDO01 does
before any customer: any fault ends the run (RC 16) with the record and why.

The table is small (a few dozen rows), so it is read record by record; the
billing itself uses it as a handful of column expressions."""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from engine.program.legacy_shell import Abend, recno
from engine.program.records import digits_value

MAX_DIAMETERS, MAX_BANDS, OPEN_END = 20, 10, 99999


@dataclass
class Tariff:
    basic: list[tuple[int, int]] = field(default_factory=list)         # (diameter mm, yen a month)
    sewer_basic: int | None = None
    water_bands: list[tuple[int, int, int]] = field(default_factory=list)   # (from, to, yen per m3)
    sewer_bands: list[tuple[int, int, int]] = field(default_factory=list)

    def basic_frame(self) -> pl.DataFrame:
        return pl.DataFrame({"kokei": [k for k, _ in self.basic], "basic": [y for _, y in self.basic]},
                            schema={"kokei": pl.Int64, "basic": pl.Int64})


def load_tariff(data, cs) -> Tariff:
    """Take the TARIFF-IN records in order; the first fault is the abend message."""
    t = Tariff()
    z = cs.zone
    types = {cs.text(c)[0]: c for c in "BGWS"}

    def num(rec: bytes, a: int, b: int) -> int | None:
        value, numeric = digits_value(rec[a:b], z)
        return int(value[0]) if numeric[0] else None

    def band(rec: bytes, bands: list, name: str) -> str:
        kara, made, tanka = num(rec, 4, 9), num(rec, 9, 14), num(rec, 14, 19)
        if kara is None or made is None or tanka is None:
            return "BAND FROM, TO OR RATE NOT NUMERIC"
        if kara == 0 or kara > made:
            return "BAND FROM IS ZERO OR ABOVE BAND TO"
        if bands and kara != bands[-1][1] + 1:
            return f"{name} BAND GAP OR OVERLAP"
        if len(bands) >= MAX_BANDS:
            return f"MORE THAN 10 {name} BANDS"
        bands.append((kara, made, tanka))
        return ""

    if not data.readable:
        data.read_error()
    for n, row in enumerate(data.records, 1):
        rec = row.tobytes()
        kind = types.get(rec[0])
        if kind == "B":
            kokei, yen = num(rec, 1, 4), num(rec, 19, 26)
            if kokei is None or yen is None:
                msg = "DIAMETER OR BASIC CHARGE NOT NUMERIC"
            elif any(k == kokei for k, _ in t.basic):
                msg = "SECOND BASIC CHARGE FOR THE SAME DIAMETER"
            elif len(t.basic) >= MAX_DIAMETERS:
                msg = "MORE THAN 20 DIAMETERS (TYPE B)"
            else:
                t.basic.append((kokei, yen))
                msg = ""
        elif kind == "G":
            yen = num(rec, 19, 26)
            if yen is None:
                msg = "SEWER BASIC CHARGE NOT NUMERIC"
            elif t.sewer_basic is not None:
                msg = "SECOND SEWER BASIC CHARGE (TYPE G)"
            else:
                t.sewer_basic, msg = yen, ""
        elif kind == "W":
            msg = band(rec, t.water_bands, "WATER")
        elif kind == "S":
            msg = band(rec, t.sewer_bands, "SEWER")
        else:
            msg = "RECORD TYPE NOT B, G, W OR S"
        if msg:
            raise Abend(f"TARIFF TABLE (TARIFF-IN) INVALID AT RECORD {recno(n)}: {msg}",
                        f'  RECORD: "{cs.show(rec)}"')
    if data.tail is not None:
        data.wrong_length(len(data.records) + 1)
    for missing, msg in ((not t.basic, "NO WATER BASIC CHARGE (TYPE B)"),
                         (t.sewer_basic is None, "NO SEWER BASIC CHARGE (TYPE G)"),
                         (not t.water_bands, "NO WATER BAND (TYPE W)"),
                         (not t.sewer_bands, "NO SEWER BAND (TYPE S)"),
                         (t.water_bands and t.water_bands[-1][1] != OPEN_END,
                          "LAST WATER BAND DOES NOT END AT 99999"),
                         (t.sewer_bands and t.sewer_bands[-1][1] != OPEN_END,
                          "LAST SEWER BAND DOES NOT END AT 99999")):
        if missing:
            raise Abend(f"TARIFF TABLE (TARIFF-IN) INVALID: {msg}")
    return t


"""JINKO — monthly population statistics (人口統計) by polling district, age band and sex.

No legacy program: written from the issue's description. The population on the
base date B (PARM, YYYYMMDD, usually a month end) is every active resident
(JM-JOTAI '0') of the resident master; the age is the completed years on B counted
on birthdays (満年齢; born on 29 February: a year older on 1 March in a common year),
in five-year bands 0-4 ... 95-99 and 100+. Sex '1' male, '2' female, anything
else OTHER. Districts are JM-TOHYOKU (01-12).

REPORT: one table per district and one for the city (age bands down, MALE FEMALE
OTHER TOTAL across); STATS-CSV: district, band, sex, count (every combination,
zeros included); CHART (optional): the city's population pyramid as PNG.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from engine.program.dates import age_on, is_valid_date
from engine.program.printfile import edit_one, line, rule
from engine.program.records import Records
from engine.program.step import ProgramStep

PROGRAM = "JINKO"
BANDS = [f"{a}-{a + 4}" for a in range(0, 100, 5)] + ["100+"]
SEXES = ("MALE", "FEMALE", "OTHER")


def population(rec: Records, base: int) -> pl.DataFrame:
    """Counts per (district, band, sex) as a frame with every combination."""
    birth = rec.value("JM-SEINEN-BI")
    keep = rec.equals("JM-JOTAI", "0") & rec.numeric("JM-SEINEN-BI") & is_valid_date(birth) & (birth <= base)
    age = age_on(birth[keep], np.int64(base))
    band = np.minimum(age // 5, len(BANDS) - 1)
    sex = np.where(rec.equals("JM-SEIBETSU", "1")[keep], 0, np.where(rec.equals("JM-SEIBETSU", "2")[keep], 1, 2))
    district = rec.value("JM-TOHYOKU")[keep]
    districts = np.unique(district)
    counts = pl.DataFrame({"district": district, "band": band, "sex": sex}).group_by(
        ["district", "band", "sex"]).len("count")
    grid = pl.DataFrame({"district": np.repeat(districts, len(BANDS) * 3),
                         "band": np.tile(np.repeat(np.arange(len(BANDS)), 3), len(districts)),
                         "sex": np.tile(np.arange(3), len(districts) * len(BANDS))},
                        schema={"district": pl.Int64, "band": pl.Int64, "sex": pl.Int64})
    return (grid.join(counts.cast({"district": pl.Int64, "band": pl.Int64, "sex": pl.Int64}),
                      on=["district", "band", "sex"], how="left")
            .with_columns(pl.col("count").fill_null(0).cast(pl.Int64)).sort(["district", "band", "sex"]))


def _table(title: str, counts: np.ndarray) -> list[bytes]:
    """counts: (bands, 3) -> the printed table."""
    out = [b"", title.encode(), line((1, "AGE"), (13, "       MALE      FEMALE       OTHER       TOTAL")), rule()]
    for label, row in zip(BANDS + ["TOTAL"], np.vstack([counts, counts.sum(axis=0)])):
        if label == "TOTAL":
            out.append(rule())
        cells = [edit_one(int(v), "ZZZ,ZZZ,ZZ9") for v in [*row, row.sum()]]
        out.append(line((1, label), (13, " ".join(cells))))
    return out


def report(pop: pl.DataFrame, shown: str) -> list[bytes]:
    out = [line((1, PROGRAM), (37, "JINKO TOKEI (POPULATION BY DISTRICT, AGE AND SEX)"), (124, "PAGE    1")),
           line((37, f"BASE DATE (KIJUN-BI) {shown}")), rule()]
    arr = pop["count"].to_numpy().reshape(-1, len(BANDS), 3)
    for i, d in enumerate(pop["district"].unique(maintain_order=True).to_list()):
        out += _table(f"TOHYOKU {d:02d}", arr[i])
    out += _table("CITY TOTAL", arr.sum(axis=0) if len(arr) else np.zeros((len(BANDS), 3), np.int64))
    return out + [b"", b"*** END OF REPORT ***"]


def csv_frame(pop: pl.DataFrame) -> pl.DataFrame:
    return pop.with_columns(pl.format("{}", pl.col("district")).str.zfill(2).alias("district"),
                            pl.col("band").replace_strict(list(range(len(BANDS))), BANDS, return_dtype=pl.String),
                            pl.col("sex").replace_strict([0, 1, 2], list(SEXES), return_dtype=pl.String))


def chart(pop: pl.DataFrame, path, shown: str) -> None:
    """The city's population pyramid (PNG), labels in Japanese with IPAGothic."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import font_manager
    import matplotlib.pyplot as plt

    from engine.program.printfile import font_path
    try:
        font_manager.fontManager.addfont(font_path())
        family = font_manager.FontProperties(fname=font_path()).get_name()
    except Exception:  # noqa: BLE001 — no Japanese font: the chart still draws, in the default font
        family = None
    arr = pop["count"].to_numpy().reshape(-1, len(BANDS), 3).sum(axis=0) if pop.height else np.zeros((len(BANDS), 3))
    fig, ax = plt.subplots(figsize=(7, 6), dpi=100)
    y = np.arange(len(BANDS))
    ax.barh(y, -arr[:, 0], color="#4a78b5", label="男 male")
    ax.barh(y, arr[:, 1], color="#d0605e", label="女 female")
    ax.set_yticks(y, BANDS)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [f"{abs(int(t)):,}" for t in ticks])
    ax.set_title(f"人口ピラミッド {shown}（住民 {int(arr.sum()):,} 人）", fontfamily=family)
    ax.legend(prop={"family": family} if family else None)
    ax.set_xlabel("人", fontfamily=family)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)


def run(ctx) -> int:
    step = ProgramStep(ctx)
    parm = (step.parm or "").strip()
    if not (len(parm) == 8 and parm.isdigit() and is_valid_date(np.array([int(parm)]))[0]):
        step.log(f"{PROGRAM} PARM IS NOT A BASE DATE YYYYMMDD: {parm!r}")
        return 16
    rec = step.records("RES-IN", "JUKIMST")
    pop = population(rec, int(parm))
    shown = f"{parm[:4]}/{parm[4:6]}/{parm[6:]}"
    step.write_lines("REPORT", report(pop, shown))
    if step.has("STATS-CSV"):
        step.write_bytes("STATS-CSV", csv_frame(pop).write_csv().encode(), count=pop.height)
    if step.has("CHART"):
        dd = step.dd("CHART")
        chart(pop, dd.path, shown)
        dd.count(written=1)
    step.log(f"{PROGRAM} RES-IN {len(rec)}, POPULATION {int(pop['count'].sum())} ON {shown}")
    return 0

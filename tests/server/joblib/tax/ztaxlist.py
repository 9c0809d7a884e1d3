"""Test program: a short taxpayer list with person numbers (personal data) in a report."""


def run(step) -> int:
    fy, district, kind = step.parm.split(",")
    report = step.dd("REPORT")
    with open(report.path, "w", encoding="utf-8") as fh:
        fh.write(f"課税対象者一覧  年度 {fy}  地区 {district}  {kind}\n")
        for n in range(3):
            fh.write(f"{1234567890 + n:010d} 掛川 太郎{n}  {10000 * (n + 1):>10,}\n")
    report.count(written=4)
    step.log(f"  LIST {fy} {district} {kind}: 3 taxpayers")
    return 0


def abend(step) -> int:
    raise ValueError("division by zero in tax rate table for district 999")


def nap(step) -> int:
    import time
    time.sleep(float(step.parm))
    return 0

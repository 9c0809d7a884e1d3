"""The sample city's collection follow-ups: the payers' bank accounts (口座マスタ,
KOZAMST) for the items paid by account transfer, the late-fee rate table
(ENTAIRT), and a simulated bank that answers a Zengin request with result codes."""
from __future__ import annotations

import numpy as np
import polars as pl

from jobs.collection import zengin

CITY_RATES = [(20210101, 2500, 8800), (20220101, 2400, 8700), (20230101, 2400, 8700),
              (20240101, 2400, 8700), (20250101, 2400, 8700), (20260101, 2800, 9100)]
BANKS = [(149, "ｼｽﾞｵｶｷﾞﾝｺｳ"), (5, "ﾐﾂﾋﾞｼUFJ"), (9, "ﾐﾂｲｽﾐﾄﾓ"), (1, "ﾐｽﾞﾎ"), (9900, "ﾕｳﾁﾖ")]
BRANCHES = ["ﾎﾝﾃﾝ", "ｼﾐｽﾞ", "ｴｷﾏｴ", "ﾐﾅﾐ", "ｷﾀ", "ﾋｶﾞｼ"]
SURNAMES = ["ﾔﾏﾀﾞ", "ｽｽﾞｷ", "ﾀﾅｶ", "ｻﾄｳ", "ﾜﾀﾅﾍﾞ", "ｲﾄｳ", "ﾅｶﾑﾗ", "ｺﾊﾞﾔｼ", "ｶﾄｳ", "ﾖｼﾀﾞ"]
GIVEN = ["ﾀﾛｳ", "ﾊﾅｺ", "ｲﾁﾛｳ", "ﾕｳｺ", "ｹﾝｼﾞ", "ﾐﾕｷ", "ｻﾄｼ", "ｱｷﾗ"]


def rate_table(encoding: str = "ascii") -> bytes:
    """The city's late-fee rate table (ENTAIRT, 20-byte records) in the city's code page."""
    text = "".join(f"{s:08d}{r1:05d}{r2:05d}  " for s, r1, r2 in CITY_RATES)
    if encoding.lower() == "ascii":
        return text.encode("ascii")
    from engine.codepages import get_codepage
    return get_codepage(encoding).encode(text)


def accounts(person_numbers: np.ndarray, *, seed: int = 0, stopped: float = 0.02) -> pl.DataFrame:
    """One KOZAMST row (KZ-KAMOKU 00: every item) per payer, sorted by key; a few
    accounts stopped (停止日 set) so that requests also meet stopped accounts."""
    rng = np.random.default_rng(seed)
    persons = np.unique(np.asarray(person_numbers, dtype=np.int64))
    n = len(persons)
    bank = rng.integers(0, len(BANKS), n)
    names = (pl.Series(SURNAMES)[rng.integers(0, len(SURNAMES), n)] + " "
             + pl.Series(GIVEN)[rng.integers(0, len(GIVEN), n)])
    return pl.DataFrame({
        "KZ-KOJIN-NO": persons, "KZ-KAMOKU": np.zeros(n, np.int64),
        "KZ-BANK-NO": np.array([BANKS[i][0] for i in range(len(BANKS))])[bank],
        "KZ-BANK-NAME": pl.Series([b[1] for b in BANKS])[bank],
        "KZ-BRANCH-NO": rng.integers(1, 400, n),
        "KZ-BRANCH-NAME": pl.Series(BRANCHES)[rng.integers(0, len(BRANCHES), n)],
        "KZ-YOKIN-SHUMOKU": np.where(rng.random(n) < 0.9, 1, 2),
        "KZ-KOZA-NO": rng.integers(1, 9_999_999, n),
        "KZ-YOKINSHA-NAME": names,
        "KZ-SHINKI-CODE": np.where(rng.random(n) < 0.05, 1, 0),
        "KZ-KAISHI-BI": np.full(n, 20200401),
        "KZ-TEISHI-BI": np.where(rng.random(n) < stopped, 20250101, 0),
    })


def bank_result(request_path, result_path, *, seed: int = 0, failure_rate: float = 0.1,
                code_kubun: str = "0", codes: list[int] | None = None) -> pl.DataFrame:
    """Answer a request as a bank does: every record back with a result code (0, or
    now and then 1-4, 8, 9) and the trailer's 済 / 不能 totals filled in. Returns the
    data records with their codes."""
    frames = zengin.read(request_path, code_kubun=code_kubun, what="request")
    data = frames[zengin.DATA]
    if codes is None:
        rng = np.random.default_rng(seed)
        fail = rng.random(data.height) < failure_rate
        codes = np.where(fail, rng.choice([1, 1, 1, 2, 3, 4, 8, 9], data.height), 0).tolist()
    data = data.with_columns(pl.Series("ZD-FURIKAE-KEKKA", codes, dtype=pl.Int64))
    trailer = zengin.trailer(data, result=True).with_columns(frames[zengin.TRAILER]["__record_no__"])
    result = {**frames, zengin.DATA: data, zengin.TRAILER: trailer}
    zengin.write({k: v.drop("__record__", strict=False) for k, v in result.items()}, result_path,
                 code_kubun=code_kubun)
    return data


def with_transfer_flags(master: np.ndarray, cols: dict) -> np.ndarray:
    """The master with SH-KOFURI-KBN '1' on every installment of a notice paid by
    account transfer (the generator marks only those already paid): the items the
    account-transfer request picks up on their due date."""
    out = master.copy()
    out[:, 76] = np.where(cols["kofuri"], ord("1"), out[:, 76]).astype(np.uint8)
    return out


def flag_transfer_notices(master: np.ndarray) -> np.ndarray:
    """The master with SH-KOFURI-KBN '1' on every live installment (not cancelled) of each
    notice with an installment paid by account transfer: the generator flags only the paid
    ones, so the night's account-transfer request (KOFURI1) would find nothing unpaid to
    request. The notice is SH-KEY without the installment (bytes 1-16)."""
    notice = master[:, :16].copy().view(f"S16").ravel()
    flagged = np.isin(notice, np.unique(notice[master[:, 76] == ord("1")]))
    out = master.copy()
    out[:, 76] = np.where(flagged & (master[:, 75] != ord("9")), ord("1"), master[:, 76]).astype(np.uint8)
    return out


def transfer_payers(master: np.ndarray) -> np.ndarray:
    """The 個人番号 of the payers with at least one item paid by account transfer."""
    rows = master[master[:, 76] == ord("1")]
    digits = (rows[:, 18:28] - 0x30).astype(np.int64)
    return np.unique(digits @ (10 ** np.arange(9, -1, -1, dtype=np.int64)))


def catalog_followups(master: np.ndarray, *, home=None, seed: int = 1, say=None,
                      encoding: str = "ascii") -> list[str]:
    """Catalog what the follow-up jobs read beside the master: the account master
    (CITY.KOZA.MASTER, JIS as the banks' files) and the late-fee rate table
    (CITY.ENTAI.RATE, in the city's code page: ENTAI01 reads it beside the master in
    the night); define the GDG bases their outputs go to."""
    import tempfile
    from pathlib import Path

    from engine.job.catalog import Catalog, import_dataset
    from engine.records.dataset import write_dataset

    catalog = Catalog(home)
    try:
        for base in ("CITY.ENTAI.NOTICE", "CITY.ENTAI.LIST", "CITY.ENTAI.ERROR", "CITY.KOFURI.REQUEST",
                     "CITY.KOFURI.RESULT", "CITY.KOFURI.FUNO", "CITY.KONBINI.REJECT"):
            if catalog.gdg(base) is None:
                catalog.define_gdg(base, 7)
    finally:
        catalog.close()
    with tempfile.TemporaryDirectory(prefix="followups-") as tmp:
        koza, rates = Path(tmp) / "koza.dat", Path(tmp) / "rates.dat"
        write_dataset(accounts(transfer_payers(master), seed=seed), koza, "KOZAMST", encoding="cp932")
        rates.write_bytes(rate_table(encoding))
        made = [import_dataset("CITY.KOZA.MASTER", koza, copybook="KOZAMST", encoding="cp932", recfm="FB",
                               lrecl=120, move=True, home=home, say=say, replace=True).dsn,
                import_dataset("CITY.ENTAI.RATE", rates, copybook="ENTAIRT", encoding=encoding, recfm="FB", lrecl=20,
                               move=True, home=home, say=say, replace=True).dsn]
    return made

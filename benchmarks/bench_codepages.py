"""Text-column throughput of engine.codepages, beside a baseline measured in the same run:
decoding each row on its own with Python's codec (or glibc iconv for cp930, which Python
lacks; also for cp290, the single-byte part of IBM930) and building the same Arrow
string array from the results, run on a sample and scaled (rows_per_s).

    DENSAN_BENCH_TEXT_ROWS=1000000 python -m pytest benchmarks/bench_codepages.py -q

Size: DENSAN_BENCH_TEXT_ROWS (default 1,000,000 rows, a city's residents) of a 40-byte
name/address field, decoded and encoded in chunks of DENSAN_BENCH_CHUNK rows (default
131,072) as the record codec does.
"""
from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pytest

from engine.codepages import get_codepage

ROWS = int(os.environ.get("DENSAN_BENCH_TEXT_ROWS", 1_000_000))
CHUNK = int(os.environ.get("DENSAN_BENCH_CHUNK", 131_072))
WIDTH = 40
SAMPLE = 50_000

LATIN = ["YAMADA TARO", "SUZUKI HANAKO", "TANAKA ICHIRO", "SATO MISAKI", "ITO KENJI"]
JAPANESE = ["ﾔﾏﾀﾞ ﾀﾛｳ", "山田 太郎", "ｽｽﾞｷ 鈴木花子", "田中一郎 ﾀﾅｶ", "ABC ｱｲｳ 漢字", "佐藤 美咲"]
PAGES = {"ascii": LATIN, "cp037": LATIN, "cp290": ["ﾔﾏﾀﾞ ﾀﾛｳ", "ｽｽﾞｷ ﾊﾅｺ", "ABC ｱｲｳ"],
         "cp930": JAPANESE, "cp932": JAPANESE, "utf-8": JAPANESE}


def _values(page: str) -> pa.Array:
    words = PAGES[page]
    i = np.arange(ROWS)
    return pa.array([f"{words[k % len(words)]} {k % 9973}" for k in i.tolist()], pa.large_string())


@pytest.fixture(scope="module", params=list(PAGES))
def column(request):
    page = request.param
    cp = get_codepage(page)
    values = _values(page)
    block = np.concatenate([cp.encode_column(values[i:i + CHUNK], WIDTH)[0] for i in range(0, ROWS, CHUNK)])
    return page, cp, values, block


def _rates(benchmark, rows: int, **extra) -> None:
    t = benchmark.stats.stats.min
    benchmark.extra_info.update({"rows_per_s": round(rows / t), "MB_per_s": round(rows * WIDTH / t / 1e6, 1),
                                 **extra})


def test_decode(benchmark, column):
    page, cp, values, block = column

    def decode():
        return [cp.decode_column(block[i:i + CHUNK])[0] for i in range(0, ROWS, CHUNK)]
    out = benchmark.pedantic(decode, rounds=3, iterations=1)
    assert out[0].to_pylist()[:3] == [v.rstrip(" ") for v in values[:3].to_pylist()]
    _rates(benchmark, ROWS, page=page)


def test_encode(benchmark, column):
    page, cp, values, block = column

    def encode():
        return [cp.encode_column(values[i:i + CHUNK], WIDTH)[0] for i in range(0, ROWS, CHUNK)]
    out = benchmark.pedantic(encode, rounds=3, iterations=1)
    assert np.array_equal(out[0], block[:CHUNK])
    _rates(benchmark, ROWS, page=page)


def test_baseline_per_row(benchmark, column):
    """Decode each row by itself with the reference converter (what a first port would do)."""
    page, cp, values, block = column
    rows = [r.tobytes() for r in block[:SAMPLE]]
    if page in ("cp930", "cp290"):
        from engine.codepages.iconv import Converter
        conv = Converter("IBM930", "UTF-8")

        def decode():
            return pa.array([conv(r).decode("utf-8").rstrip(" ") for r in rows], pa.large_string())
    else:
        def decode():
            return pa.array([r.decode(page).rstrip(" ") for r in rows], pa.large_string())
    benchmark.pedantic(decode, rounds=1, iterations=1)
    _rates(benchmark, SAMPLE, page=page, baseline="per-row " + ("iconv" if page in ("cp930", "cp290") else "bytes.decode"))

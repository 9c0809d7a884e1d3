"""`densan city`: set up the sample city in the densan home and run its nightly
collection job (SHUNOD) on it, printing the job log and the posting report."""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import click

from datasets.generate import CITY_MASTERS, DEFAULT_DATE, SAMPLE_MASTERS, SAMPLE_TRANSACTIONS, BENCH_TRANSACTIONS
from engine.errors import DensanError

MASTER_DSN, TRAN_DSN, ERROR_DSN = "CITY.SHUNO.MASTER", "CITY.SHUNO.TRAN", "CITY.SHUNO.ERROR"
GDG_LIMIT = 7                  # a week of generations, as the host kept
TRAN_LIMIT = 99                # payments wait in CITY.SHUNO.TRAN until SHUNOD posts them (a
                               # generation per channel a night): rolling one off would lose payments


def catalog_city(master_path: Path, tran_path: Path, *, encoding: str, home: Path | None = None,
                 say=None) -> tuple[str, str]:
    """Catalog the two files as new generations of CITY.SHUNO.MASTER and
    CITY.SHUNO.TRAN (defining the GDG bases, and CITY.SHUNO.ERROR, when missing)."""
    from engine.job.catalog import Catalog, import_dataset

    catalog = Catalog(home)
    try:
        for base in (MASTER_DSN, TRAN_DSN, ERROR_DSN):
            if catalog.gdg(base) is None:
                catalog.define_gdg(base, TRAN_LIMIT if base == TRAN_DSN else GDG_LIMIT)
    finally:
        catalog.close()
    dialect = "ibm" if encoding != "ascii" else "gnucobol"
    master = import_dataset(f"{MASTER_DSN}(+1)", master_path, copybook="SHUNOMST", encoding=encoding,
                            recfm="FB", lrecl=100, dialect=dialect, move=True, home=home, say=say)
    tran = import_dataset(f"{TRAN_DSN}(+1)", tran_path, copybook="NOFUTRN", encoding=encoding,
                          recfm="FB", lrecl=60, dialect=dialect, move=True, home=home, say=say)
    return master.dsn, tran.dsn


@click.command("city")
@click.option("--masters", type=click.IntRange(min=1), default=None,
              help=f"Collection master records (default {SAMPLE_MASTERS:,}).")
@click.option("--full", is_flag=True,
              help=f"City-sized: {CITY_MASTERS:,} masters and {BENCH_TRANSACTIONS:,} transactions.")
@click.option("--transactions", type=click.IntRange(min=0), default=None,
              help=f"Payment transactions of the day (default {SAMPLE_TRANSACTIONS:,}).")
@click.option("--encoding", type=click.Choice(["ascii", "cp930"], case_sensitive=False), default="ascii",
              show_default=True, help="ascii: GnuCOBOL conventions like the legacy files; cp930: the IBM host's EBCDIC.")
@click.option("--date", "date", default=DEFAULT_DATE, show_default=True, help="Processing date YYYYMMDD.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same city, byte for byte.")
@click.option("--unsorted", is_flag=True, help="Write the transactions in arrival order (SHUNOD sorts them).")
@click.option("--no-run", is_flag=True, help="Only generate and catalog the datasets.")
@click.option("--bill-water", is_flag=True,
              help="Before SHUNOD, bill the water round (SUIDOB) and add the day's payments of the new items.")
def city(masters, full, transactions, encoding, date, seed, unsorted, no_run, bill_water):
    """Make the sample city's collection data (CITY.SHUNO.MASTER and CITY.SHUNO.TRAN,
    new generations in the densan home's catalog) and run the nightly job SHUNOD on
    it: SORT the day's payments, then post them (SHUNO01)."""
    from datasets.generate import generate_city, write_city
    from datasets.residents import catalog_residents
    from engine.config import densan_home

    if masters is None:
        masters = CITY_MASTERS if full else SAMPLE_MASTERS
    if transactions is None:
        transactions = BENCH_TRANSACTIONS if full else SAMPLE_TRANSACTIONS
    encoding = encoding.lower()
    home = densan_home()
    try:
        t0 = time.perf_counter()
        made = generate_city(masters, transactions, seed=seed, date=date, sort=not unsorted)
        from datasets.collection_followups import flag_transfer_notices   # unpaid items for KOFURI1 too
        made.master = flag_transfer_notices(made.master)
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="city-", dir=home) as tmp:
            mpath, tpath = Path(tmp) / "master.dat", Path(tmp) / "tran.dat"
            write_city(made, mpath, tpath, encoding=encoding)
            master_dsn, tran_dsn = catalog_city(mpath, tpath, encoding=encoding, home=home, say=click.echo)
            from datasets.tax import city_tax      # the tax section's masters, owned by the residents
            tax_line = city_tax(seed=seed, full=full, folder=tmp, home=home, say=click.echo)
            people, moves = catalog_residents(tmp, full=full, seed=seed, date=date, encoding=encoding, home=home,
                                              say=click.echo)      # the population: run JUKID for their day
        from datasets.collection_followups import catalog_followups     # accounts, late-fee rates (ENTAI01, KOFURI1)
        catalog_followups(made.master, home=home, seed=seed, say=click.echo, encoding=encoding)
        from datasets.konbini import catalog_konbini      # the agents' files of the day (KONBINI1 in the night)
        konbini = catalog_konbini(made.master, made.transactions, date=date, seed=seed, home=home, say=click.echo,
                                  folder=home)
        click.echo(f"CITY  {masters:,} MASTERS -> {master_dsn}   {transactions:,} TRANSACTIONS -> {tran_dsn}"
                   f"   {encoding.upper()}  SEED {seed}  ({time.perf_counter() - t0:.1f} s)")
        click.echo(f"      {people:,} RESIDENTS -> CITY.JUKI.MASTER   {moves:,} MOVEMENTS -> CITY.JUKI.MOVE"
                   f"   (densan run JUKID --param date={date})")
        click.echo("      intended: " + "  ".join(f"{k} {v:,}" for k, v in made.intended.items()))
        click.echo("      konbini: " + "  ".join(f"{k} {v:,} -> CITY.KONBINI.{k}" for k, v in konbini.items())
                   + f"   (the night's KONBINI1: densan run NIGHTLY --param date={date})")
        click.echo(tax_line)
        click.echo(f"      home: {home}")
        from datasets.water import CITY_CUSTOMERS, SAMPLE_CUSTOMERS, catalog_water, generate_water
        from datasets.residents import CITY_RESIDENTS, SAMPLE_RESIDENTS
        water = generate_water(CITY_CUSTOMERS if full else SAMPLE_CUSTOMERS, seed=seed, date=date, sort=False,
                               residents=CITY_RESIDENTS if full else SAMPLE_RESIDENTS)
        catalog_water(water, encoding=encoding, home=home, say=click.echo)
        from datasets.demo_users import make_demo_users, print_demo_users
        print_demo_users(make_demo_users(home), click.echo)
        if no_run:
            return
        from engine.job.runner import run_job

        if bill_water:                       # bill the round, load it, pay some of it
            from datasets.water import add_water_payments
            p = water.parm
            wres = run_job("SUIDOB", params={"nendo": p[:4], "month": p[4:10], "date": p[10:18],
                                             "due": p[18:]}, echo=click.echo)
            if wres.status == "COMPLETED":
                add_water_payments(date=date, seed=seed, encoding=encoding, home=home, say=click.echo)

        result = run_job("SHUNOD", params={"date": date}, echo=click.echo)
        for report in sorted(Path(home, "logs", result.run_id).glob("*.REPORT.txt")):
            click.echo("")
            click.echo(report.read_text(encoding="utf-8", errors="replace").rstrip("\n"))
        sys.exit(result.exit_code)
    except DensanError as exc:
        click.echo(f"densan city: {exc}", err=True)
        sys.exit(2)

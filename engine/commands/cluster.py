"""`densan cluster status`: the Dask cluster densan would use, and the partitions of
the latest partitioned runs (from the catalog)."""
from __future__ import annotations

import sys

import click

from engine.errors import DensanError


@click.group("cluster")
def cluster() -> None:
    """The cluster partitioned steps run on (Dask distributed; pip install 'densan[cluster]')."""


@cluster.command("status")
@click.option("--cluster", "address", default=None, metavar="tcp://HOST:8786",
              help="The scheduler (default: DENSAN_CLUSTER).")
@click.option("--runs", default=3, show_default=True, help="Partitioned runs to list from the catalog.")
def status(address: str | None, runs: int) -> None:
    """Show the scheduler, each worker (threads, memory, tasks) and recent partitions."""
    from engine.cluster import cluster_address
    from engine.cluster.status import cluster_lines, partition_lines
    from engine.config import densan_home

    address = cluster_address(address)
    try:
        if address is None:
            click.echo("NO CLUSTER: steps run locally (give --cluster or set DENSAN_CLUSTER=tcp://HOST:8786)")
        else:
            for line in cluster_lines(address):
                click.echo(line)
        for line in partition_lines(densan_home(), runs):
            click.echo(line)
    except DensanError as exc:
        click.echo(f"densan cluster: {exc}", err=True)
        sys.exit(exc.exit_code)

"""Running the same jobs on a cluster (issue 15): an executor interface (local, the
default, or Dask distributed), record partitions (byte ranges of whole records, key
ranges of sorted files), a sample sort across partitions, the catalog's record of a
step's partitions, and the cluster's status.

A step runs on a cluster when a cluster address is given (``--cluster`` or
``DENSAN_CLUSTER=tcp://host:8786``), its program declares itself partitionable
(a ``run_partitioned(step, executor)`` function next to its ``run(step)``), and the
step does not say ``executor: local``. Its outputs are byte-identical to the local run's.
Dask is an optional extra: ``pip install densan[cluster]``.
"""
from __future__ import annotations

import os

ENV_ADDRESS = "DENSAN_CLUSTER"
ENV_SLOTS = "DENSAN_CLUSTER_SLOTS"           # partitions one worker holds at a time
ENV_PARTITION_MB = "DENSAN_PARTITION_MB"     # target size of one partition


def cluster_address(option: str | None = None) -> str | None:
    """The cluster to use: --cluster, else DENSAN_CLUSTER; None (or 'local') = run locally."""
    value = option if option is not None else os.environ.get(ENV_ADDRESS)
    value = (value or "").strip()
    return None if not value or value.lower() == "local" else value


def partition_bytes(default_mb: int = 64) -> int:
    """Target bytes per partition (DENSAN_PARTITION_MB): what one worker holds at a time."""
    raw = os.environ.get(ENV_PARTITION_MB, "")
    try:
        mb = float(raw) if raw else default_mb
    except ValueError:
        mb = default_mb
    return max(1, int(mb * 1024 * 1024))

"""The job layer: job definitions (YAML), the catalog with GDGs, the runner with restart and
locks, the job log. Programs see `StepContext` and `DD` (engine.job.step)."""
from engine.job.step import DD, Abend, StepContext

__all__ = ["DD", "Abend", "StepContext", "run_job", "load_job", "parse_job", "Catalog", "JobResult"]


def __getattr__(name):      # the runner and catalog load on first use (programs need only step.py)
    if name in ("run_job", "JobResult"):
        from engine.job import runner
        return getattr(runner, name)
    if name in ("load_job", "parse_job"):
        from engine.job import definition
        return getattr(definition, name)
    if name == "Catalog":
        from engine.job.catalog import Catalog
        return Catalog
    raise AttributeError(name)

"""densan: the domain-free batch engine (copybooks, record codecs, datasets and
catalog, job runner, utilities, CLI). The city's application lives in `jobs/`."""

__version__ = "0.1.0"

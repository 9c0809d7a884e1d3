"""The nightly schedule: jobnets (jobnet.py), schedule rules (rules.py), the scheduler's state
and the operators' API (state.py), what a tick does (engine.py), the unit process (launch.py)
and the service (service.py)."""

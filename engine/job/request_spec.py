"""The `request:` block of a job definition: who owns the job, who may ask for it, and the
parameters a department fills in on its request form (電算処理依頼).

    request:
      section: 出納室              # the owning section; only it sees and requests the job
      personal_data: true          # outputs hold personal data: purpose required, every read audited
      approval: [approver, operator]   # who signs before it runs (four eyes); [operator] or []
      outputs: [POST.REPORT]       # what is handed over (STEP.DD of SYSOUT/datasets); default all
      params:
        date: {type: date, label: 処理日, required: true}
        fy:   {type: fiscal_year, label: 年度}
        kind: {type: choice, choices: [本算定, 随時], default: 本算定}
        copies: {type: number, min: 1, max: 9}
        district: {type: district}      # a 3-digit district code (地区コード)

A form value is checked and turned into the job param's text form by `RequestParam.coerce`
(dates as YYYYMMDD, fiscal years as YYYY), so the job runs exactly as from the CLI.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from engine.errors import JobDefinitionError

PARAM_TYPES = {"date", "fiscal_year", "choice", "number", "district", "text"}
APPROVERS = ("approver", "operator")
REQUEST_KEYS = {"section", "personal_data", "approval", "outputs", "params", "description"}
PARAM_KEYS = {"type", "label", "required", "default", "choices", "min", "max", "pattern", "help"}
DISTRICT_RE = re.compile(r"^\d{3}$")
ERA_RE = re.compile(r"^\s*(R|令和)\s*(\d{1,2})\s*$", re.IGNORECASE)


class ParamValueError(ValueError):
    """A form value that does not fit its declared type: says which field and why."""

    def __init__(self, name: str, message: str):
        self.name = name
        super().__init__(f"{name}: {message}")


@dataclass
class RequestParam:
    name: str
    type: str = "text"
    label: str = ""
    required: bool = False
    default: str | None = None
    choices: list[str] = field(default_factory=list)
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    help: str = ""

    def coerce(self, raw: object) -> str | None:
        """The job param's text for a submitted value, or ParamValueError."""
        text = "" if raw is None else str(raw).strip()
        if not text:
            if self.default is not None:
                text = str(self.default)
            elif self.required:
                raise ParamValueError(self.name, "is required")
            else:
                return None
        if self.type == "date":
            for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
                try:
                    return _dt.datetime.strptime(text, fmt).strftime("%Y%m%d")
                except ValueError:
                    pass
            raise ParamValueError(self.name, f"{text!r} is not a date (YYYY-MM-DD)")
        if self.type == "fiscal_year":
            m = ERA_RE.match(text)
            year = 2018 + int(m.group(2)) if m else (int(text) if text.isdigit() else None)
            if year is None or not 1989 <= year <= 2100:
                raise ParamValueError(self.name, f"{text!r} is not a fiscal year (2026 or R8)")
            return f"{year:04d}"
        if self.type == "choice":
            if text not in self.choices:
                raise ParamValueError(self.name, f"{text!r} is not one of {', '.join(self.choices)}")
            return text
        if self.type == "number":
            try:
                value = float(text) if "." in text else int(text)
            except ValueError:
                raise ParamValueError(self.name, f"{text!r} is not a number") from None
            if self.min is not None and value < self.min:
                raise ParamValueError(self.name, f"{value} is below the minimum {self.min:g}")
            if self.max is not None and value > self.max:
                raise ParamValueError(self.name, f"{value} is above the maximum {self.max:g}")
            return str(value)
        if self.type == "district":
            if not DISTRICT_RE.match(text):
                raise ParamValueError(self.name, f"{text!r} is not a district code (3 digits)")
            return text
        if self.pattern and not re.fullmatch(self.pattern, text):
            raise ParamValueError(self.name, f"{text!r} does not match {self.pattern}")
        if len(text) > 200 or any(ord(c) < 32 for c in text):
            raise ParamValueError(self.name, "text too long or with control characters")
        return text

    @property
    def input_type(self) -> str:
        """The HTML input type of its form field."""
        return {"date": "date", "number": "number"}.get(self.type, "text")


@dataclass
class RequestSpec:
    section: str
    personal_data: bool = False
    approval: list[str] = field(default_factory=lambda: ["approver", "operator"])
    outputs: list[str] = field(default_factory=list)
    params: dict[str, RequestParam] = field(default_factory=dict)
    description: str = ""

    def coerce(self, values: dict[str, object]) -> dict[str, str]:
        """Every declared param checked; the job params to run with (unknown names refused)."""
        unknown = set(values) - set(self.params)
        if unknown:
            raise ParamValueError(sorted(unknown)[0], "is not a parameter of this job")
        out = {}
        for name, p in self.params.items():
            v = p.coerce(values.get(name))
            if v is not None:
                out[name] = v
        return out


def parse_request(raw: object, source: str, job_params: dict[str, str]) -> RequestSpec:
    where = f"{source}: key request"
    if not isinstance(raw, dict):
        raise JobDefinitionError(f"{where}: a mapping with section:, params:, personal_data:, approval:")
    for key in raw:
        if key not in REQUEST_KEYS:
            raise JobDefinitionError(f"{where}: unknown key {key!r}", hint="allowed keys: " + ", ".join(sorted(REQUEST_KEYS)))
    section = raw.get("section")
    if not isinstance(section, str) or not section.strip():
        raise JobDefinitionError(f"{where}: key section: the owning section is required (e.g. 出納室)")
    pd = raw.get("personal_data", False)
    if not isinstance(pd, bool):
        raise JobDefinitionError(f"{where}: key personal_data: write true or false")
    approval = raw.get("approval", ["approver", "operator"])
    if not isinstance(approval, list) or any(a not in APPROVERS for a in approval) or len(set(approval)) != len(approval):
        raise JobDefinitionError(f"{where}: key approval: a list of approver, operator (in signing order), or []")
    outputs = raw.get("outputs") or []
    if not isinstance(outputs, list):
        raise JobDefinitionError(f"{where}: key outputs: a list of STEP.DD names")
    params_raw = raw.get("params") or {}
    if not isinstance(params_raw, dict):
        raise JobDefinitionError(f"{where}: key params: a mapping of name: {{type: …}}")
    params = {}
    for name, spec in params_raw.items():
        pw = f"{where}: param {name}"
        if name not in job_params:
            raise JobDefinitionError(f"{pw}: the job has no param {name!r}", hint="declare it under params: too")
        spec = {"type": spec} if isinstance(spec, str) else spec
        if not isinstance(spec, dict):
            raise JobDefinitionError(f"{pw}: a mapping such as {{type: date, label: 処理日}}")
        for key in spec:
            if key not in PARAM_KEYS:
                raise JobDefinitionError(f"{pw}: unknown key {key!r}", hint="allowed keys: " + ", ".join(sorted(PARAM_KEYS)))
        ptype = spec.get("type", "text")
        if ptype not in PARAM_TYPES:
            raise JobDefinitionError(f"{pw}: type {ptype!r} is not one of {', '.join(sorted(PARAM_TYPES))}")
        choices = [str(c) for c in spec.get("choices") or []]
        if ptype == "choice" and not choices:
            raise JobDefinitionError(f"{pw}: a choice needs choices: [..]")
        params[name] = RequestParam(name=name, type=ptype, label=str(spec.get("label") or name),
                                    required=bool(spec.get("required", False)),
                                    default=None if spec.get("default") is None else str(spec["default"]),
                                    choices=choices, min=spec.get("min"), max=spec.get("max"),
                                    pattern=spec.get("pattern"), help=str(spec.get("help") or ""))
    return RequestSpec(section=section.strip(), personal_data=pd, approval=list(approval),
                       outputs=[str(o).upper() for o in outputs], params=params,
                       description=str(raw.get("description") or ""))

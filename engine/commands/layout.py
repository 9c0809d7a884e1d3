"""`densan layout COPYBOOK`: the field map of a copybook, as a compiler listing
shows it (level, name, start, end, length, usage, picture, digits, scale,
occurs and notes), or as JSON with --json."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import click

from engine.copybook.model import Condition, Field, Figurative, Layout, Renames
from engine.errors import DensanError


def _value_text(v) -> str:
    if isinstance(v, Figurative):
        return f"ALL '{v.name[4:]}'" if v.name.startswith("ALL:") else v.name
    if isinstance(v, bytes):
        return f"X'{v.hex().upper()}'"
    if isinstance(v, Decimal):
        return format(v, "f")
    return "'" + str(v).replace("'", "''") + "'"


def _json_value(v):
    if isinstance(v, Figurative):
        return {"figurative": v.name} if not v.name.startswith("ALL:") else {"all": v.name[4:]}
    if isinstance(v, bytes):
        return {"hex": v.hex().upper()}
    if isinstance(v, Decimal):
        return str(v)
    return v


def _condition_text(c: Condition) -> str:
    parts = [_value_text(v) for v in c.values]
    parts += [f"{_value_text(lo)} THRU {_value_text(hi)}" for lo, hi in c.ranges]
    return ", ".join(parts)


def _sign(f: Field) -> str | None:
    if f.picture is None or not f.picture.signed or f.usage.value != "DISPLAY" or \
            f.picture.category.value != "numeric":
        return None
    return ("leading" if f.sign_leading else "trailing") + (" separate" if f.sign_separate else "")


def _occurs(f: Field) -> str | None:
    if not f.occurs and not f.depending_on:
        return None
    if f.depending_on:
        return f"{f.occurs_min or 0} TO {f.occurs}"
    return str(f.occurs)


def _row(f: Field, depth: int) -> dict:
    pic = f.picture
    return {
        "level": f.level,
        "name": f.name,
        "depth": depth,
        "start": f.offset + 1,
        "end": f.offset + f.total_size,
        "length": f.size,
        "total_length": f.total_size,
        "usage": "GROUP" if f.children else f.usage.value,
        "picture": pic.source if pic else None,
        "category": "group" if f.children else (pic.category.value if pic else None),
        "digits": pic.digits if pic and pic.digits else None,
        "scale": pic.scale if pic and (pic.digits or pic.scale) else None,
        "occurs": f.occurs,
        "occurs_min": f.occurs_min,
        "redefines": f.redefines,
        "depending_on": f.depending_on,
        "sign": _sign(f),
        "justified": f.justified or None,
        "blank_when_zero": f.blank_when_zero or None,
        "synchronized": f.synchronized or None,
        "value": _json_value(f.value) if f.value is not None else None,
        "conditions": [{"name": c.name, "values": [_json_value(v) for v in c.values],
                        "ranges": [[_json_value(lo), _json_value(hi)] for lo, hi in c.ranges]}
                       for c in f.conditions],
    }


def rows(layout: Layout) -> list[dict]:
    """One dict per item (records, groups, elementary items, then 66 RENAMES)."""
    out: list[dict] = []

    def visit(f: Field, depth: int) -> None:
        out.append(_row(f, depth))
        for c in f.children:
            visit(c, depth + 1)

    for record in layout.records:
        visit(record, 0)
    for r in layout.renames:
        out.append(_renames_row(r))
    return out


def _renames_row(r: Renames) -> dict:
    return {"level": 66, "name": r.name, "depth": 0, "start": r.offset + 1,
            "end": r.offset + r.size, "length": r.size, "total_length": r.size,
            "usage": "RENAMES", "picture": None, "category": None, "digits": None, "scale": None,
            "occurs": None, "occurs_min": None, "redefines": None, "depending_on": None,
            "sign": None, "renames": [r.first, r.last], "conditions": []}


def render_text(layout: Layout) -> str:
    """The field map as an aligned table, 88 levels under their item."""
    table = rows(layout)
    name_w = max([len(" " * 2 * r["depth"] + f"{r['level']:02d} {r['name']}") for r in table] + [20])
    head = (f"{'LVL NAME':<{name_w}}  {'START':>6} {'END':>6} {'LENGTH':>6}  {'USAGE':<9} "
            f"{'PICTURE':<14} {'DIG':>3} {'SCL':>3} {'OCCURS':>8}  NOTES")
    lines = [f"LAYOUT {layout.name}" + (f"  ({layout.source})" if layout.source else "")
             + f"  RECORD LENGTH {layout.record_length}", head, "-" * len(head)]
    fields = {id(r): f for r, f in zip(table, _all_items(layout))}
    for r in table:
        label = " " * 2 * r["depth"] + f"{r['level']:02d} {r['name']}"
        notes = []
        if r.get("redefines"):
            notes.append(f"REDEFINES {r['redefines']}")
        if r.get("depending_on"):
            notes.append(f"DEPENDING ON {r['depending_on']}")
        if r.get("sign"):
            notes.append(f"SIGN {r['sign'].upper()}")
        if r.get("synchronized"):
            notes.append("SYNC")
        if r.get("justified"):
            notes.append("JUST RIGHT")
        if r.get("blank_when_zero"):
            notes.append("BLANK WHEN ZERO")
        if r.get("renames"):
            first, last = r["renames"]
            notes.append(f"RENAMES {first}" + (f" THRU {last}" if last else ""))
        occurs = r["occurs"]
        occ = "" if occurs is None and not r.get("depending_on") else (
            f"{r['occurs_min'] or 0}:{occurs}" if r.get("depending_on") else str(occurs))
        lines.append(
            f"{label:<{name_w}}  {r['start']:>6} {r['end']:>6} {r['length']:>6}  {r['usage']:<9} "
            f"{r['picture'] or '':<14} {'' if r['digits'] is None else r['digits']:>3} "
            f"{'' if r['scale'] is None else r['scale']:>3} {occ:>8}  {'  '.join(notes)}".rstrip())
        f = fields.get(id(r))
        if f is not None:
            for c in f.conditions:
                indent = " " * 2 * (r["depth"] + 1)
                lines.append(f"{indent}88 {c.name}  VALUE {_condition_text(c)}")
    return "\n".join(lines) + "\n"


def _all_items(layout: Layout):
    for record in layout.records:
        yield from record.walk()


@click.command("layout")
@click.argument("copybook")
@click.option("--json", "as_json", is_flag=True, help="print a JSON list of objects instead of a table")
@click.option("--dialect", type=click.Choice(["ibm", "gnucobol"], case_sensitive=False),
              default="ibm", show_default=True, help="binary and pointer sizes")
@click.option("--copy-path", "copy_path", multiple=True, type=click.Path(file_okay=False),
              help="directory to search for the copybook and its COPY members (repeatable); "
                   "default: DENSAN_COPYLIB or ./copybooks")
@click.option("--format", "source_format", type=click.Choice(["auto", "fixed", "free"]),
              default="auto", show_default=True, help="source reference format")
def layout(copybook: str, as_json: bool, dialect: str, copy_path: tuple[str, ...],
           source_format: str) -> None:
    """Show the field map of COPYBOOK (a member name or a file path)."""
    from engine.copybook.parser import load_copybook

    try:
        paths = [Path(p) for p in copy_path] or None
        result = load_copybook(copybook, copy_path=paths, dialect=dialect.lower(),
                               source_format=source_format)
    except DensanError as exc:
        click.echo(f"densan layout: {exc}", err=True)
        raise SystemExit(exc.exit_code) from None
    if as_json:
        click.echo(json.dumps(rows(result), ensure_ascii=False, indent=1))
    else:
        click.echo(render_text(result), nl=False)

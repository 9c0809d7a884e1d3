"""Build and run a legacy COBOL batch program with GnuCOBOL, as the host ran it.

The reference for a migrated job is the original program. This module compiles
it once (`cobc -x -O2 -I <copybook dirs>`) into a cache keyed by a hash of the
source, the copybooks and the cobc version, and runs it the way the legacy
workstation harness does: every DD is an environment variable holding a file
path (the DD name with '-' turned into '_'), and the EXEC PARM is the variable
PARM. Nothing here knows any particular program.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from engine.errors import DensanError

COBC_FLAGS = ("-x", "-O2")

# GnuCOBOL runtime settings that would change how files are read and written;
# they are removed from the program's environment so that it always behaves the
# same way, whatever the caller's shell holds.
_CLEARED_RUNTIME_VARS = (
    "COB_FILE_PATH", "COB_LS_FIXED", "COB_LS_NULLS", "COB_LS_SPLIT", "COB_LS_USES_CR",
    "COB_LS_VALIDATE", "COB_VARSEQ_FORMAT", "COB_SYNC", "COB_UNIX_LF", "COB_PRE_LOAD",
    "COB_LIBRARY_PATH",
)


class LegacyError(DensanError):
    """The legacy program cannot be built or started (not: it ended with a bad RC)."""


@dataclass(frozen=True)
class LegacyResult:
    """How a legacy program run ended."""
    program: str
    rc: int
    stdout: str
    stderr: str
    executable: Path


def cobc_version() -> str:
    """The first line of `cobc --version`; LegacyError when cobc is not installed."""
    cobc = shutil.which("cobc")
    if cobc is None:
        raise LegacyError("GnuCOBOL compiler 'cobc' not found on PATH",
                          hint="install GnuCOBOL 3.x (Debian/Ubuntu: apt-get install gnucobol3)")
    try:
        out = subprocess.run([cobc, "--version"], capture_output=True, text=True,
                             errors="replace", check=False).stdout
    except OSError as exc:
        raise LegacyError(f"cannot run cobc: {exc}") from None
    return (out.splitlines() or [""])[0].strip()


def cache_root() -> Path:
    """LEGACY_CACHE_DIR, else $TMPDIR/legacy-cobol-<uid> (the harness's own default)."""
    env = os.environ.get("LEGACY_CACHE_DIR")
    if env:
        return Path(env)
    return Path(tempfile.gettempdir()) / f"legacy-cobol-{os.getuid()}"


def _copybooks(copy_dirs: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for d in copy_dirs:
        files.extend(sorted(p for p in Path(d).glob("*.cpy") if p.is_file()))
    return files


def build_key(source: Path, copy_dirs: Sequence[Path], version: str,
              flags: Sequence[str] = COBC_FLAGS) -> str:
    """16 hex digits covering the cobc version, the flags, the source and every copybook."""
    h = hashlib.sha256()
    h.update(version.encode() + b"\n")
    h.update(" ".join(flags).encode() + b"\n")
    h.update(Path(source).read_bytes())
    for cpy in _copybooks(copy_dirs):
        h.update(f"== {cpy.name}\n".encode())
        h.update(cpy.read_bytes())
    return h.hexdigest()[:16]


def compile_program(source: str | Path, copy_dirs: Sequence[str | Path] = (), *,
                    cache_dir: str | Path | None = None,
                    flags: Sequence[str] = COBC_FLAGS) -> Path:
    """The executable of `source`, compiled now or taken from the cache.

    Concurrent callers are safe: each builds in its own directory and the
    result is moved into place atomically.
    """
    source = Path(source).resolve()
    if not source.is_file():
        raise LegacyError(f"legacy program source not found: {source}",
                          hint="give the path of the .cob file, or the program name and its folder")
    dirs = [Path(d).resolve() for d in copy_dirs]
    version = cobc_version()
    program = source.stem
    root = Path(cache_dir) if cache_dir is not None else cache_root()
    bindir = root / f"{program}-{build_key(source, dirs, version, flags)}"
    exe = bindir / program
    if exe.is_file() and os.access(exe, os.X_OK):
        return exe
    try:
        root.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix="build.", dir=root))
    except OSError as exc:
        raise LegacyError(f"cannot create the legacy build cache {root}: {exc}",
                          hint="set LEGACY_CACHE_DIR to a writable directory") from None
    try:
        cmd = ["cobc", *flags]
        for d in dirs:
            cmd += ["-I", str(d)]
        cmd += ["-o", str(build / program), str(source)]
        proc = subprocess.run(cmd, cwd=build, capture_output=True, text=True, errors="replace")
        if proc.returncode != 0 or not (build / program).is_file():
            detail = (proc.stderr or proc.stdout).strip()
            raise LegacyError(f"compilation of {source} failed (cobc exit {proc.returncode})"
                              + (f":\n{detail}" if detail else ""),
                              hint="fix the source or the copybook folders (-I) and run again")
        bindir.mkdir(parents=True, exist_ok=True)
        tmp = bindir / f"{program}.{os.getpid()}"
        os.replace(build / program, tmp)
        os.replace(tmp, exe)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return exe


def env_name(dd: str) -> str:
    """The environment variable of a DD: MASTER-IN -> MASTER_IN."""
    return dd.replace("-", "_")


def program_environment(dds: Mapping[str, str | os.PathLike | None], parm: str | None, *,
                        cwd: str | Path | None = None,
                        base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a run: the caller's (or `base`), minus the GnuCOBOL file
    settings, plus one variable per DD (relative paths made absolute against `cwd`)
    and PARM. A DD mapped to None is left unset, as a DD missing from the JCL."""
    env = dict(os.environ if base is None else base)
    for var in _CLEARED_RUNTIME_VARS:
        env.pop(var, None)
    here = Path(cwd) if cwd is not None else Path.cwd()
    for dd, path in dds.items():
        name = env_name(dd)
        if not name or name[0].isdigit() or not name.replace("_", "").isalnum():
            raise LegacyError(f"bad DD name {dd!r}", hint="DD names are letters, digits and '-'")
        if path is None:
            env.pop(name, None)
            continue
        value = os.fspath(path)
        if value and not os.path.isabs(value):
            value = str(here / value)
        env[name] = value
    if parm is None:
        env.pop("PARM", None)
    else:
        env["PARM"] = parm
    return env


def run_program(source: str | Path, dds: Mapping[str, str | os.PathLike | None],
                parm: str | None = None, *, copy_dirs: Sequence[str | Path] = (),
                cwd: str | Path | None = None, cache_dir: str | Path | None = None,
                timeout: float | None = None) -> LegacyResult:
    """Compile (cached) and run one legacy program; its return code is the exit status."""
    exe = compile_program(source, copy_dirs, cache_dir=cache_dir)
    env = program_environment(dds, parm, cwd=cwd)
    try:
        proc = subprocess.run([str(exe)], env=env, cwd=cwd, capture_output=True,
                              text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LegacyError(f"legacy program {exe.name} did not end within {timeout} s") from None
    except OSError as exc:
        raise LegacyError(f"cannot start legacy program {exe}: {exc}") from None
    return LegacyResult(Path(source).stem, proc.returncode, proc.stdout, proc.stderr, exe)


def run_legacy(program: str, dds: Mapping[str, str | os.PathLike | None],
               parm: str | None = None, *, legacy_dir: str | Path,
               cwd: str | Path | None = None, cache_dir: str | Path | None = None,
               timeout: float | None = None) -> LegacyResult:
    """Run `program` from a legacy folder laid out as programs/NAME.cob + copybooks/
    (the layout of the migration hand-over), like its run-legacy.sh."""
    if not program or not program.isalnum():
        raise LegacyError(f"bad program name {program!r}", hint="a program name is letters and digits")
    base = Path(legacy_dir)
    source = base / "programs" / f"{program}.cob"
    if not source.is_file():
        raise LegacyError(f"no such legacy program: {source}",
                          hint=f"expected {program}.cob under {base / 'programs'}")
    return run_program(source, dds, parm, copy_dirs=[base / "copybooks"], cwd=cwd,
                       cache_dir=cache_dir, timeout=timeout)

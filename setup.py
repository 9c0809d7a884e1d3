"""The compiled kernels, built by `pip install` with the machine's C compiler: the field
codecs' (engine/records/_kernel.c) and compare's byte-column statistics
(engine/migration/_colsums.c). Each is optional: without a compiler (or Python's
headers) the build skips it and the code runs on NumPy alone. Everything else about
the package is in pyproject.toml."""
import hashlib
from pathlib import Path

from setuptools import Extension, setup


def kernel(module: str, source: str) -> Extension:
    """An optional extension that remembers which source it was built from (its
    SOURCE_HASH), so that engine.native refuses a stale build: an editable install
    whose C file changed since pip built it."""
    digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()[:16]
    return Extension(module, [source], define_macros=[("SOURCE_HASH", f'"{digest}"')],
                     extra_compile_args=["-O3"], optional=True)


setup(ext_modules=[kernel("engine.records._kernel", "engine/records/_kernel.c"),
                   kernel("engine.migration._colsums", "engine/migration/_colsums.c")])

"""The compiled kernels, built by `pip install` with the machine's C compiler: the field
codecs' (engine/records/_kernel.c) and compare's byte-column statistics
(engine/migration/_colsums.c). Each is optional: without a compiler (or Python's
headers) the build skips it and the code runs on NumPy alone. Everything else about
the package is in pyproject.toml."""
from setuptools import Extension, setup

setup(ext_modules=[Extension("engine.records._kernel", ["engine/records/_kernel.c"],
                             extra_compile_args=["-O3"], optional=True),
                   Extension("engine.migration._colsums", ["engine/migration/_colsums.c"],
                             extra_compile_args=["-O3"], optional=True)])

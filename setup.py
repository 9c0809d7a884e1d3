"""The compiled kernel of the field codecs (engine/records/_kernel.c), built by
`pip install` with the machine's C compiler. It is optional: without a compiler
(or Python's headers) the build skips it and the codecs run on NumPy alone.
Everything else about the package is in pyproject.toml."""
from setuptools import Extension, setup

setup(ext_modules=[Extension("engine.records._kernel", ["engine/records/_kernel.c"],
                             extra_compile_args=["-O3"], optional=True)])

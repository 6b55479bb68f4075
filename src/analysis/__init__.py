"""Cakupan: coverage of Indonesian workers by BPJS Ketenagakerjaan (jamsostek)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cakupan")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+src"

"""The version of the library (hatch reads it here)."""

__version__ = "0.1.0"

"""DXKB domain layer: reading, repairing and parsing inspection reports.

This package imports neither Flask nor Whoosh.
"""

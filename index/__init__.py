"""DXKB search layer: Sudachi analysis, Whoosh schema, index build and search.

Imports ``kb``; never Flask.
"""

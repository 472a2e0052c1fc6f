"""Loaders: pure functions from a source's text to RDF (see ``DESIGN.md`` section 1).

- :mod:`helsegraf.loaders.helsedata`: the helsedata.no listing of data sources.
"""

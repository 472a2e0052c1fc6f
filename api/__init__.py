"""helsegraf's HTTP api (importable as ``helsegraf.api``).

Not built yet: the SPARQL endpoint, catalog and linked-data pages come with the api issue.
Until then ``helsegraf serve`` explains how to query the loaded graph from the command line.
"""

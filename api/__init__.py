"""helsegraf's HTTP api (importable as ``helsegraf.api``): the FastAPI application of
:mod:`helsegraf.api.app`, with the SPARQL 1.1 Protocol endpoint, the named queries, the DCAT
catalog, the linked-data pages and the browse page, each in its own module.
"""

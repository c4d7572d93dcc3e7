"""Writing for the email channel: ``ingest`` (mail in), ``outbound`` (case mail out),
``held`` (an agent's decisions on held and failed messages).

Import the submodules directly; this package re-exports nothing, so the cases services
can import ``outbound`` without importing the ingest pipeline that calls them.
"""

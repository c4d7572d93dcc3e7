"""The framework-free core: calendars, SLA clocks, triage, routing, escalation rules.

Nothing here imports Django or Celery, performs I/O or reads the wall clock: every
function that needs "now" takes it as an argument.
"""

"""Cases: intake, triage, lifecycle, SLA clocks, work orders and sprints (issue 5)."""

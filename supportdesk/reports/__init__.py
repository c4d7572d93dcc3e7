"""Reports: read-only figures over cases and escalations (selectors only, no models)."""

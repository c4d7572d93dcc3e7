"""Answer work: macros (canned replies with actions) and tags on cases."""

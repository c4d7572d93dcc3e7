"""Customer satisfaction: a resolved case's requester rates it good or bad (CSAT)."""

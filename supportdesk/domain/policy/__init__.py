"""The policy-file schema (``model``) and its validating loader (``loader``)."""

from supportdesk.domain.policy.loader import load_policy, load_policy_text
from supportdesk.domain.policy.model import Policy

__all__ = ["Policy", "load_policy", "load_policy_text"]

"""Writing for the email channel: ``ingest`` (mail in), ``replies`` (automatic answers to
mail that opened no case), ``held`` (an agent's decisions on held and failed messages).
Case mail out is ``cases.notices``.
"""

"""Backup and restore: a consistent, versioned archive of the whole system or of one tenant.

``export`` writes it (``supportdesk export``), ``restore`` loads it into an empty
database (``supportdesk import``); ``archive`` is the file format, ``tables`` which
tables it holds, in what order, and how a row's values are written.
"""

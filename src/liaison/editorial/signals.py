"""What the editorial workflow tells the apps built on it, so that they follow without editorial importing them.

Each signal is sent inside the transaction that made the change, so a receiver's work commits or rolls back with it.
"""

from django.dispatch import Signal

# A contribution was accepted (again, or for the first time): its translations become due. Sent with ``contribution``.
contribution_accepted = Signal()

# A person saved a new text of a contribution. Sent with ``contribution`` (refreshed, holding the new text).
contribution_saved = Signal()

# Liaison rewrote a contribution's citations because the items they cite moved in their issue. Sent with
# ``contribution``, ``previous_revision`` and ``revision`` (the numbers of the revisions before and after) and
# ``rewrite``, the function that made the change, for texts derived from this one (its translations) to follow.
citations_followed = Signal()

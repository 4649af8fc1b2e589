"""What distribution tells the parts built on it (the sender), so that they follow without being imported here."""

from django.dispatch import Signal

# Dispatches became due: ``create_dispatches`` made new ones for an edition, or a claim's answer re-opened some as
# back issues. Sent once the transaction that made them has committed, with ``edition`` (or None for a claim's
# answer) and ``count``, the number of dispatches made or re-opened. The sender starts sending on it.
dispatches_created = Signal()

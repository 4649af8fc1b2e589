"""What publishing tells the apps built on it, so that they follow without publishing importing them."""

from django.dispatch import Signal

# An edition became visible (a first version or a correction). Sent with ``edition`` once the transaction that
# published it has committed, so a receiver never acts on an edition that a rollback would hide again.
edition_published = Signal()

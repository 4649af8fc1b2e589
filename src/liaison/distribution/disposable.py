"""Domains of well-known disposable ("throw-away") email services, refused for subscriptions.

A subscription needs an address that will still read the bulletin next month. This is a small hand-kept list of the
commonest services, not an exhaustive one: add a domain when one turns up. A subdomain of a listed domain is refused
too. (Kept as a module rather than a text file so that it ships with the package without packaging rules.)
"""

from __future__ import annotations

DOMAINS: frozenset[str] = frozenset(
    {
        "10minutemail.com",
        "10minutemail.net",
        "20minutemail.com",
        "burnermail.io",
        "discard.email",
        "dispostable.com",
        "emailondeck.com",
        "fakeinbox.com",
        "getairmail.com",
        "getnada.com",
        "guerrillamail.biz",
        "guerrillamail.com",
        "guerrillamail.de",
        "guerrillamail.info",
        "guerrillamail.net",
        "guerrillamail.org",
        "grr.la",
        "incognitomail.org",
        "jetable.org",
        "mailcatch.com",
        "maildrop.cc",
        "mailinator.com",
        "mailinator.net",
        "mailnesia.com",
        "mintemail.com",
        "mohmal.com",
        "mytemp.email",
        "sharklasers.com",
        "spambox.us",
        "spamgourmet.com",
        "temp-mail.org",
        "tempail.com",
        "tempinbox.com",
        "tempmail.net",
        "tempmailo.com",
        "tempr.email",
        "throwawaymail.com",
        "trash-mail.com",
        "trashmail.com",
        "trashmail.de",
        "wegwerfmail.de",
        "yopmail.com",
        "yopmail.fr",
        "yopmail.net",
    }
)


def is_disposable(domain: str) -> bool:
    """``domain`` or one of its parent domains is listed (``x.mailinator.com`` as well as ``mailinator.com``)."""
    labels = domain.strip().rstrip(".").lower().split(".")
    return any(".".join(labels[i:]) in DOMAINS for i in range(len(labels) - 1))

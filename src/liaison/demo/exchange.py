"""The demo's exchange of papers: the French and Mexican sections send each other their monthly papers.

"La Lettre des cercles" (French section) reaches Mexico irregularly: No. 4 never arrived and the Mexican section has
claimed it, No. 6 is on its way. "Boletín del Círculo" (Mexican section) is late: its No. 4 was expected two
months ago and has not been registered. Dates are counted back from the day the demo is loaded, so the flags
show whatever the day. Built through the exchange services, as the sections' correspondents.
"""

from __future__ import annotations

import datetime

from liaison.accounts.models import User
from liaison.exchange import schedule, services
from liaison.federation.access import actor_for_user
from liaison.periodicals.models import Periodical


def build() -> None:
    """Load the exchange; needs the demo federation (``liaison.demo.federation.build``) first."""
    today = schedule.today()
    french = actor_for_user(User.objects.get(username="correspondent"))
    mexican = actor_for_user(User.objects.get(username="corresponsal"))
    lettre = Periodical.objects.select_related("section").get(name="La Lettre des cercles")
    boletin = Periodical.objects.select_related("section").get(name="Boletín del Círculo")
    assert lettre.section is not None and boletin.section is not None
    since = schedule.add_months(today, -8)
    services.add_partner(french, lettre, boletin.section, started_on=since, today=today)
    services.add_partner(mexican, boletin, lettre.section, started_on=since, today=today)

    # La Lettre: six monthly issues, the last ten days ago.
    latest = today - datetime.timedelta(days=10)
    lettre_issues = [
        services.register_issue(
            french,
            lettre,
            number=number,
            date=schedule.add_months(latest, number - 6),
            title=TITLES.get(number, ""),
            today=today,
        )
        for number in range(1, 7)
    ]
    for issue in lettre_issues:
        if issue.number in (1, 2, 3, 5):
            services.record_arrival(mexican, boletin.section, issue, note="Llegó por correo.")
    services.claim_missing(
        mexican, boletin.section, lettre, [lettre_issues[3]], note="El n.º 4 nunca llegó; ¿pueden reenviarlo?"
    )

    # El Boletín: three monthly issues, the last three months ago; No. 4 is late.
    for number in range(1, 4):
        issue = services.register_issue(
            mexican, boletin, number=number, date=schedule.add_months(today, number - 6), today=today
        )
        services.record_arrival(french, lettre.section, issue, note="Reçu par la poste.")


TITLES = {5: "Numéro spécial : les cercles d'étude", 6: "Après le congrès"}

"""The demo bulletin: two issues with their calls, and twenty contributions from the demo sections in six languages
and every state of the workflow, with issue No. 1 assembled and ready to publish.

All names and texts are invented for the demo. Everything goes through the editorial services, as the pages would
do it; only the clock is set back, so that the history reads as it would have happened (the call went out a month
ago, the texts came in over the following weeks, the decisions were taken on the days shown).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from unittest import mock

from django.utils import timezone

from liaison.accounts.models import User
from liaison.editorial import services
from liaison.editorial.models import Call, Contribution, Item, Kind, State
from liaison.federation.access import Actor, actor_for_user
from liaison.federation.models import Person, Region, RoleKind, Section
from liaison.periodicals.models import Issue, Periodical

# Who speaks for each section in the demo: a login where there is one, otherwise the correspondent without an
# account from ``federation.OFFLINE_PEOPLE`` (the services only ask which section an actor writes for).
LOGIN_OF = {"Section française": "correspondent", "Sección mexicana": "corresponsal"}

CALL_ONE = (
    "Our circles' year: what we taught, and what we learned from it",
    "Which courses drew the most workers? What kept others away? What would you ask the other sections?",
)
CALL_TWO = (
    "Reaching workers on the night shift, in other languages, and far from the cities",
    "How do your circles meet workers whose hours, language or distance keep them out? What has worked?",
)


@dataclass(frozen=True)
class Step:
    """Something that happens to a contribution, ``day`` days from now (negative: in the past)."""

    day: float
    action: str  # submit, return, revise, resubmit, accept, decline, withdraw
    text: str = ""  # the reason given, or the revised body


@dataclass(frozen=True)
class Text:
    key: str
    section: str
    language: str
    kind: str
    title: str
    body: str
    written: float
    call: int | None = None
    signed: bool = False
    steps: tuple[Step, ...] = field(default_factory=tuple)


TEXTS: list[Text] = [
    # Issue No. 1: the call to the European sections ------------------------------------------------------------
    Text(
        "lyon",
        "Section française",
        "fr",
        Kind.REPORT,
        "Les cercles du soir à Lyon et à Saint-Étienne",
        "Depuis septembre, nos deux cercles de Lyon et de Saint-Étienne se réunissent chaque mardi soir, après la "
        "sortie des ateliers. Nous avons choisi de lire ensemble, chapitre par chapitre, une histoire des caisses de "
        "secours mutuel, puis de comparer ce que nous lisions avec les règlements actuels de nos propres "
        "caisses.[^1]\n\n"
        "La fréquentation a doublé depuis que nous tenons les séances dans la salle de la bourse du travail plutôt "
        "que dans un café : les camarades qui ne boivent pas viennent plus volontiers, et les enfants peuvent "
        "attendre dans la bibliothèque voisine. Nous proposons aux autres sections d'échanger nos fiches de "
        "lecture, que nous pouvons traduire en allemand et en espagnol.[^2]\n\n"
        "[^1]: Le compte rendu complet des séances est disponible auprès du correspondant de la section.\n"
        "[^2]: Deux camarades de Saint-Étienne ont proposé de relire les traductions.\n",
        written=-22,
        call=1,
        steps=(Step(-20, "submit"), Step(-9, "accept")),
    ),
    Text(
        "leipzig",
        "Deutsche Sektion",
        "de",
        Kind.REPORT,
        "Abendschule in Leipzig: ein erstes Jahr",
        "Im vergangenen Herbst haben wir in Leipzig eine Abendschule für Kolleginnen und Kollegen aus der Logistik "
        "eröffnet. Der Unterricht findet zweimal wöchentlich statt, jeweils nach der Spätschicht, und umfasst "
        "Arbeitsrecht, Buchhaltung für Betriebsräte und einen Schreibkurs.[^1]\n\n"
        "Die größte Schwierigkeit bleibt der Schichtplan: Wer in der Nachtschicht arbeitet, verpasst die Hälfte "
        "der Kurse. Wir nehmen deshalb jede Sitzung auf und verschicken die Notizen am folgenden Morgen. Wir würden "
        "gern erfahren, wie andere Sektionen dieses Problem lösen.\n\n"
        "[^1]: Der Schreibkurs entstand auf Wunsch der Teilnehmenden selbst, die Flugblätter und Briefe an die "
        "Geschäftsleitung verfassen wollten.\n",
        written=-19,
        call=1,
        signed=True,
        steps=(Step(-18, "submit"), Step(-8, "accept")),
    ),
    Text(
        "distancia",
        "Sección española",
        "es",
        Kind.OPINION,
        "La formación a distancia no sustituye al círculo",
        "Las clases por videoconferencia se han presentado en muchos sindicatos como la solución para los "
        "afiliados que viven lejos de las ciudades. Nosotros pensamos que son la solución para todo.\n\n"
        "Las clases por videoconferencia, como decíamos, se presentan como la solución para todos los afiliados, y "
        "según los datos que tenemos la mayoría de los participantes las abandona pronto.\n",
        written=-18,
        call=1,
        steps=(
            Step(-17, "submit"),
            Step(
                -12,
                "return",
                "Thank you. The second paragraph repeats the first: could you cut it, and give the source of the "
                "figures you mention, so that other sections can compare?",
            ),
            Step(
                -10.5,
                "revise",
                "Las clases por videoconferencia se han presentado en muchos sindicatos como la solución para los "
                "afiliados que viven lejos de las ciudades. Nuestra experiencia en Asturias y en Valencia nos lleva "
                "a una conclusión más prudente: sirven para complementar los círculos de estudio, no para "
                "sustituirlos.[^1]\n\n"
                "Un círculo no es solo un lugar donde se transmite información. Es el lugar donde los compañeros "
                "discuten, se contradicen y aprenden a tomar la palabra en público. Nada de eso ocurre ante una "
                "pantalla con el micrófono apagado.\n\n"
                "[^1]: Según nuestra encuesta de marzo, dos tercios de los participantes en línea abandonaron antes "
                "de la tercera sesión, frente a uno de cada cinco en los círculos presenciales.\n",
            ),
            Step(-10, "resubmit"),
            Step(-5, "accept"),
        ),
    ),
    Text(
        "samara",
        "Русская секция",
        "ru",
        Kind.REPORT,
        "Библиотека кружка в Самаре",
        "Весной наш кружок в Самаре открыл небольшую библиотеку в помещении профсоюзного комитета завода. Сейчас в "
        "ней около четырёхсот книг и брошюр, в основном подаренных самими рабочими.[^1]\n\n"
        "Книги выдаются на две недели, а раз в месяц мы устраиваем обсуждение одной из них. Самым многолюдным "
        "оказалось обсуждение истории восьмичасового рабочего дня: пришло больше сорока человек, и разговор "
        "продолжался до позднего вечера.\n\n"
        "[^1]: Список книг мы готовы переслать другим секциям по запросу.\n",
        written=-16,
        call=1,
        steps=(Step(-15, "submit"), Step(-6, "accept")),
    ),
    Text(
        "liege",
        "Section belge",
        "fr",
        Kind.LETTER,
        "Lettre de Liège sur les cours de langue",
        "Chers camarades,\n\n"
        "Notre section compte des membres francophones et néerlandophones et, depuis l'an dernier, une vingtaine "
        "de camarades arrivés de Turquie et du Maroc. Nous avons donc ouvert deux cours de langue, l'un en "
        "français, l'autre en néerlandais, donnés par des membres bénévoles.[^1]\n\n"
        "Nous aimerions savoir si d'autres sections ont fait la même expérience, et quels manuels elles utilisent. "
        "Cette lettre arrive après la date limite : nous remercions la rédaction de l'accueillir malgré tout.\n\n"
        "[^1]: Les cours ont lieu le samedi matin, avec une garderie assurée par le cercle des jeunes.\n",
        written=-6,
        call=1,
        signed=True,
        steps=(Step(-5, "submit"), Step(-3, "accept")),
    ),
    Text(
        "langues",
        "Section française",
        "fr",
        Kind.OPINION,
        "Pour une conférence tenue dans toutes nos langues",
        "La première conférence internationale de la fédération approche. Nous proposons que chaque intervention "
        "soit traduite au moins dans les cinq langues de travail, et que les textes préparatoires paraissent dans "
        "ce bulletin un mois au moins avant l'ouverture.[^1]\n\n"
        "Une conférence où seuls ceux qui parlent anglais suivent les débats ne serait pas une conférence "
        "internationale, mais une réunion de quelques-uns.\n\n"
        "[^1]: Les sections qui disposent de traducteurs sont invitées à se faire connaître du secrétariat.\n",
        written=-12,
        call=1,
        steps=(Step(-11, "submit"), Step(-4, "accept")),
    ),
    Text(
        "division",
        "Grupo Nueva Época",
        "es",
        Kind.POSITION,
        "Sobre la división de la sección española",
        "Queremos explicar a las demás secciones por qué un grupo de compañeros dejó la sección española en "
        "noviembre de 2023. La dirección de la sección decidió, sin consultar a los círculos, apoyar a un "
        "candidato en las elecciones municipales, y quienes se opusieron fueron apartados de sus "
        "responsabilidades.[^1]\n\n"
        "Pedimos que el boletín publique también los nombres de los responsables de esa decisión, para que cada "
        "sección juzgue por sí misma.\n\n"
        "[^1]: Conservamos las actas de las reuniones en las que se tomó la decisión.\n",
        written=-15,
        call=1,
        steps=(
            Step(-14, "submit"),
            Step(
                -9,
                "decline",
                "The bulletin publishes the sections' work and their positions on the conference questions; it does "
                "not publish accusations against named members of another section. We would gladly publish your "
                "group's position on the questions of the conference agenda.",
            ),
        ),
    ),
    Text(
        "kassel",
        "Deutsche Sektion",
        "de",
        Kind.REPORT,
        "Bericht über die Tagung in Kassel",
        "Im Mai trafen sich in Kassel Vertreterinnen und Vertreter unserer Bildungskreise. Der Bericht folgt.\n",
        written=-17,
        call=1,
        steps=(
            Step(-16, "submit"),
            Step(-13, "withdraw", "Wir schicken eine vollständige Fassung für die nächste Nummer."),
        ),
    ),
    Text(
        "cuotas",
        "Sección española",
        "es",
        Kind.LETTER,
        "Carta sobre las cuotas de la federación",
        "Compañeros del secretariado:\n\n"
        "Proponemos revisar el reparto de las cuotas, que hoy pesa demasiado sobre las secciones pequeñas.\n",
        written=-13,
        signed=True,
        steps=(
            Step(-12, "submit"),
            Step(
                -8,
                "return",
                "Please give the amounts in euros as well as in percentages, so that the other sections can "
                "compare them with their own dues.",
            ),
            Step(
                -6.5,
                "revise",
                "Compañeros del secretariado:\n\n"
                "Proponemos revisar el reparto de las cuotas, que hoy pesa demasiado sobre las secciones pequeñas. "
                "Nuestra sección paga cada año 1.200 euros, es decir, el 15 % de lo que recibe de sus afiliados; "
                "una sección grande paga proporcionalmente mucho menos.[^1]\n\n"
                "Sugerimos una cuota proporcional al número de afiliados, con un mínimo simbólico para las "
                "secciones que empiezan.\n\n"
                "[^1]: Las cifras proceden del último informe de tesorería de la federación.\n",
            ),
            Step(-6, "resubmit"),
        ),
    ),
    Text(
        "bureau",
        "Section française",
        "fr",
        Kind.REPORT,
        "Compte rendu du bureau de section",
        "Le bureau de la section s'est réuni le 4 octobre. Il a approuvé le programme des cercles pour l'hiver et "
        "désigné deux camarades pour préparer la contribution de la section à la conférence internationale.\n\n"
        "Il a aussi décidé de proposer au secrétariat un échange régulier de notre Lettre des cercles avec les "
        "bulletins des sections allemande et espagnole.[^1]\n\n"
        "[^1]: À compléter avant l'envoi : la liste des numéros déjà échangés.\n",
        written=-1,
    ),
    Text(
        "kassel-2",
        "Deutsche Sektion",
        "de",
        Kind.REPORT,
        "Die Tagung in Kassel: junge Beschäftigte erreichen",
        "Im Mai trafen sich in Kassel Vertreterinnen und Vertreter aus elf Bildungskreisen der Deutschen Sektion. "
        "Im Mittelpunkt stand die Frage, wie wir jüngere Kolleginnen und Kollegen erreichen, die in Plattformarbeit "
        "und mit befristeten Verträgen arbeiten.[^1]\n\n"
        "Die Tagung beschloss, im Herbst drei Versuchskreise in Berlin, Hamburg und Köln zu gründen, die sich "
        "ausdrücklich an Kurierfahrerinnen und Kurierfahrer richten.\n\n"
        "[^1]: Ein ausführliches Protokoll kann bei der Sektion angefordert werden.\n",
        written=-2,
        signed=True,
        steps=(Step(-1.5, "submit"),),
    ),
    # Issue No. 2: the call to the Americas, Asia and Africa ---------------------------------------------------
    Text(
        "juarez",
        "Sección mexicana",
        "es",
        Kind.REPORT,
        "Círculos de estudio en las maquiladoras de Ciudad Juárez",
        "En Ciudad Juárez, la mayoría de nuestros compañeros trabaja en maquiladoras con turnos rotativos de doce "
        "horas. Desde enero organizamos círculos de estudio los domingos por la mañana, el único momento en que "
        "casi todos están libres.[^1]\n\n"
        "Leemos textos cortos sobre la historia del movimiento obrero en la frontera y discutimos los problemas de "
        "cada planta. Las compañeras han pedido un círculo propio, que empezará el mes próximo.\n\n"
        "[^1]: Los círculos se reúnen en el local de una cooperativa de vivienda que nos presta una sala.\n",
        written=-3,
        call=2,
    ),
    Text(
        "cuarenta",
        "Sección mexicana",
        "es",
        Kind.OPINION,
        "La semana de cuarenta horas, una reivindicación de toda la federación",
        "El debate sobre la reducción de la jornada a cuarenta horas semanales ha vuelto al Congreso mexicano. "
        "Creemos que esta reivindicación no es solo nacional: en todos los países donde la federación tiene "
        "secciones, las jornadas largas impiden a los trabajadores estudiar, organizarse y descansar.\n\n"
        "Proponemos que la conferencia internacional incluya esta cuestión en su orden del día y que cada sección "
        "explique la situación en su país.[^1]\n\n"
        "[^1]: Enviamos al secretariado un resumen de la legislación mexicana vigente.\n",
        written=-4,
        call=2,
        steps=(Step(-3, "submit"),),
    ),
    Text(
        "coimbatore",
        "India Section",
        "en",
        Kind.REPORT,
        "Night classes for textile workers in Coimbatore",
        "Our circle in Coimbatore began night classes for spinning-mill workers in June. Most of those who come are "
        "young women from the villages who work in the mills and live in company hostels, where visitors are not "
        "allowed; we therefore meet in a hall near the bus stand.[^1]\n\n"
        "Reading the report from Lyon and Saint-Étienne ([[bulletin/1/1]]), we were struck by how much attendance "
        "depends on the place chosen. We found the same: when we moved from a union office, which some workers "
        "feared to be seen entering, to a neutral hall, attendance tripled.\n\n"
        "[^1]: The classes are held in Tamil, with some reading material in English.\n",
        written=-1.2,
        call=2,
        signed=True,
        steps=(Step(-1, "submit"),),
    ),
    Text(
        "strike-fund",
        "India Section",
        "en",
        Kind.POSITION,
        "For a federation-wide strike fund",
        "The India Section proposes that the federation create a common strike fund, to which every section "
        "contributes a small share of its dues. In the last two years three of our sections faced long strikes "
        "with no means to support the strikers' families.[^1]\n\n"
        "A common fund would be a practical expression of solidarity between sections, and a reason for workers "
        "to join beyond the exchange of ideas. We ask that this proposal be placed on the agenda of the "
        "conference.\n\n"
        "[^1]: The sections concerned were consulted before this proposal was written.\n",
        written=-9,
        call=2,
        steps=(Step(-8, "submit"), Step(-2.5, "accept")),
    ),
    Text(
        "mahalla",
        "القسم المصري",
        "ar",
        Kind.REPORT,
        "حلقات القراءة لعمال النسيج في المحلة الكبرى",
        "منذ بداية العام، ينظم قسمنا حلقة قراءة أسبوعية لعمال النسيج في المحلة الكبرى. نجتمع كل يوم خميس بعد "
        "انتهاء الوردية، ونقرأ معًا نصوصًا قصيرة عن تاريخ الحركة العمالية في مصر وفي بلدان أخرى.[^1]\n\n"
        "أكبر صعوبة نواجهها هي قلة الكتب باللغة العربية عن تجارب الأقسام الأخرى في الاتحاد. لذلك نقترح أن "
        "تُترجم بعض مقالات هذه النشرة إلى العربية، ونحن مستعدون للمساعدة في الترجمة والمراجعة.\n\n"
        "[^1]: يحضر الحلقة في المتوسط خمسة عشر عاملًا وعاملة.\n",
        written=-3,
        call=2,
        steps=(Step(-2, "submit"),),
    ),
    Text(
        "durban",
        "South African Section",
        "en",
        Kind.REPORT,
        "Teaching in three languages in Durban",
        "In Durban our circles meet in English, isiZulu and, since this year, Afrikaans. Each session begins with a "
        "short talk in one language, followed by discussion in small groups where everyone uses the language they "
        "are most at ease in.[^1]\n\n"
        "This is slow, but it has brought into the circles workers who had never attended a union meeting, "
        "because they could not follow the English spoken there.\n\n"
        "[^1]: Two members of each circle interpret between the groups.\n",
        written=-7,
        call=2,
        steps=(
            Step(-6, "submit"),
            Step(
                -4,
                "return",
                "A fine report. Could you add a short paragraph on how the circles are funded? Several sections "
                "have asked the same question.",
            ),
        ),
    ),
    Text(
        "reply-liege",
        "South African Section",
        "en",
        Kind.LETTER,
        "On language courses: a reply to Liège",
        "Dear comrades,\n\nWe read about the language courses in Belgium with interest. We do the same in Durban.\n",
        written=-5,
        call=2,
        signed=True,
        steps=(
            Step(-4.5, "submit"),
            Step(
                -3,
                "return",
                "Please cite the letter you are answering (it will be in issue No. 1), so that readers can find "
                "it, and say a little more about your own courses.",
            ),
            Step(
                -1.8,
                "revise",
                "Dear comrades,\n\n"
                "We read the letter from Liège ({liege}) with great interest. In Durban we also teach languages, "
                "but the other way round: our circles teach English to workers who speak isiZulu at home, because "
                "the contracts, the payslips and the labour court all speak English.[^1]\n\n"
                "We use no textbook. Each lesson starts from a real document a member brings: a contract, a "
                "warning letter, a notice on the factory wall.\n\n"
                "[^1]: The courses are given on Sunday afternoons by two retired teachers.\n",
            ),
            Step(-1.6, "resubmit"),
        ),
    ),
    Text(
        "osaka",
        "日本支部",
        "ja",
        Kind.REPORT,
        "大阪の学習会について",
        "昨年の秋から、大阪の物流倉庫で働く仲間と月に二回の学習会を開いています。参加者は十人ほどで、労働法の基礎や"
        "賃金明細の読み方を一緒に学んでいます。[^1]\n\n"
        "私たちはまだ加盟申請中の支部ですが、他の支部の経験から学びたいと考えています。特に、夜勤の労働者が参加しやすい"
        "時間帯の工夫について教えていただければ幸いです。\n\n"
        "[^1]: 資料は日本語と英語で用意しています。\n",
        written=-2,
        call=2,
        steps=(Step(-0.5, "submit"),),
    ),
    Text(
        "perevody",
        "Русская секция",
        "ru",
        Kind.LETTER,
        "Письмо о переводах бюллетеня",
        "Дорогие товарищи,\n\n"
        "наша секция готова взять на себя перевод части материалов бюллетеня на русский язык. У нас есть три "
        "товарища, которые свободно читают по-английски и по-немецки, и один — по-французски.\n\n"
        "Просим секретариат сообщить, в каком виде удобнее присылать переводы и кто будет их проверять.\n",
        written=-0.8,
    ),
]

ASSEMBLY_DAY = -2.0


@contextmanager
def _clock(moment: datetime.datetime) -> Iterator[None]:
    """Run the services as if it were ``moment``: every date they record (and every check against "now", such
    as a call's deadline) is then that of the story, not of the day the demo is loaded."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@dataclass
class _Story:
    bulletin: Periodical
    editor: Actor
    sections: dict[str, Section]
    actors: dict[str, Actor]
    issues: dict[int, Issue] = field(default_factory=dict)
    calls: dict[int, Call] = field(default_factory=dict)
    contributions: dict[str, Contribution] = field(default_factory=dict)


def _section_actors(sections: dict[str, Section]) -> dict[str, Actor]:
    actors: dict[str, Actor] = {}
    for name, username in LOGIN_OF.items():
        actors[name] = actor_for_user(User.objects.get(username=username))
    for person in Person.objects.filter(
        roles__kind=RoleKind.CORRESPONDENT, user__isnull=True, roles__section__isnull=False
    ).prefetch_related("roles__section"):
        for role in person.roles.all():
            if role.kind == RoleKind.CORRESPONDENT and role.section is not None:
                actors.setdefault(
                    role.section.name,
                    Actor(
                        person_id=person.pk,
                        pseudonym=person.pseudonym,
                        correspondent_of=frozenset({role.section.pk}),
                    ),
                )
    return actors


def build() -> Periodical:
    """Load the demo bulletin into a database holding the demo registry (``federation.build``)."""
    bulletin = Periodical.objects.get(slug="bulletin")
    sections = {s.name: s for s in Section.objects.all()}
    story = _Story(
        bulletin=bulletin,
        editor=actor_for_user(User.objects.get(username="editor")),
        sections=sections,
        actors=_section_actors(sections),
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0)

    def at(day: float) -> datetime.datetime:
        return start + datetime.timedelta(days=day)

    # The story in the order it happened; on the same day, the issues' events come before the texts'.
    events: list[tuple[float, int, Callable[[], object]]] = [
        (-30, 0, partial(_plan_issues, story, at)),
        (-10, 0, partial(_call_two, story, at)),
        (ASSEMBLY_DAY, 0, partial(_assemble, story)),
    ]
    for order, text in enumerate(TEXTS, start=1):
        events.append((text.written, order, partial(_write, story, text)))
        events.extend((step.day, order, partial(_step, story, text, step)) for step in text.steps)
    for day, _order, event in sorted(events, key=lambda e: (e[0], e[1])):
        with _clock(at(day)):
            event()
    return bulletin


def _plan_issues(story: _Story, at: Callable[[float], datetime.datetime]) -> None:
    one = services.create_issue(
        story.editor,
        story.bulletin,
        planned_date=at(7).date(),
        budget_pages=12,
        title="The circles' year",
    )
    two = services.create_issue(story.editor, story.bulletin, planned_date=at(60).date(), budget_pages=16)
    story.issues = {1: one, 2: two}
    topic, questions = CALL_ONE
    story.calls[1] = services.open_call(
        story.editor,
        one,
        topic=topic,
        questions=questions,
        deadline=at(-7).replace(hour=23, minute=59),
        regions=[Region.objects.get(name="Europe")],
    )


def _call_two(story: _Story, at: Callable[[float], datetime.datetime]) -> None:
    topic, questions = CALL_TWO
    story.calls[2] = services.open_call(
        story.editor,
        story.issues[2],
        topic=topic,
        questions=questions,
        deadline=at(21).replace(hour=23, minute=59),
        regions=list(Region.objects.filter(name__in=["The Americas", "Asia", "Africa"])),
    )


def _assemble(story: _Story) -> None:
    # Issue No. 1 is assembled, not published: publishing is a later part of Liaison.
    services.assemble_issue(story.editor, story.issues[1])


def _signature(story: _Story, text: Text) -> Person | None:
    actor = story.actors[text.section]
    return Person.objects.get(pk=actor.person_id) if text.signed and actor.person_id else None


def _write(story: _Story, text: Text) -> None:
    story.contributions[text.key] = services.create_contribution(
        story.actors[text.section],
        section=story.sections[text.section],
        periodical=story.bulletin,
        call=story.calls[text.call] if text.call else None,
        title=text.title,
        language=text.language,
        kind=text.kind,
        body=text.body,
        signed_by=_signature(story, text),
    )


def _step(story: _Story, text: Text, step: Step) -> None:
    contribution = story.contributions[text.key]
    section = story.actors[text.section]
    if step.action == "revise":
        # A revision may cite what issue No. 1 holds by now; its item numbers come from the assembly.
        body = step.text.format(**_citations(story))
        services.save_contribution(
            section,
            contribution,
            base_version=contribution.version,
            title=text.title,
            language=text.language,
            kind=text.kind,
            body=body,
            signed_by=_signature(story, text),
        )
        return
    target, actor = {
        "submit": (State.SUBMITTED, section),
        "resubmit": (State.RESUBMITTED, section),
        "withdraw": (State.WITHDRAWN, section),
        "return": (State.RETURNED, story.editor),
        "accept": (State.ACCEPTED, story.editor),
        "decline": (State.DECLINED, story.editor),
    }[step.action]
    services.transition(actor, contribution, target, reason=step.text)


def _citations(story: _Story) -> dict[str, str]:
    """``{key}`` → ``[[bulletin/1/N]]`` for every contribution placed in issue No. 1."""
    items = Item.objects.filter(issue=story.issues[1]).select_related("contribution")
    by_id = {item.contribution_id: item.position for item in items}
    return {
        key: f"[[{story.bulletin.slug}/1/{by_id[c.pk]}]]" for key, c in story.contributions.items() if c.pk in by_id
    }

"""The demo conference: the federation's first international conference, in preparation.

What it leaves for a visitor to find:

- a public conference in Liège some four months ahead, with a timeline of four milestones;
- its agenda of four questions, in the five working languages: a strike fund, dues in proportion to membership, the
  forty-hour week (each with options), and the sections and elections (without options: each section answers in
  its own words, the question that split the Spanish section);
- two reply waves: Europe, whose deadline has passed, answering in issue No. 1; the Americas, Asia and Africa
  answering in issue No. 2, three weeks from now; the secretariat moved the suspended United States Section into the
  European wave, and it stated nothing: the one section overdue;
- the six European sections' positions on all four questions, each a stance in the section's own language and a
  statement accepted, placed in issue No. 1 and translated (approved) into English, French, German and Spanish, so
  that publishing issue No. 1 publishes them; one abstention;
- the French section's change of mind on dues: stated "oppose", then revised to "support" with a new statement
  (the position's history holds both versions; the first statement was withdrawn);
- the other regions' positions under way: submitted by the Mexican, Indian, South African and Egyptian sections
  (Arabic), and drafts of the Mexican section (for "corresponsal" to finish) and the Japanese one;
- once issue No. 1 is published (``liaison demo --publish``): European sections endorsing each other's positions
  (``endorse_published``: an endorsement needs a published position).

Everything goes through the conference, editorial and translations services, with the clock set back as in
``editorial``, so that the dates read as they would have happened.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.utils import timezone

from liaison.accounts.models import User
from liaison.conference import services
from liaison.conference.models import Conference, Option, Position, Question, Wave
from liaison.demo.editorial import _clock, _section_actors
from liaison.editorial import services as editorial
from liaison.editorial.models import Contribution, State
from liaison.errors import Conflict
from liaison.federation.access import Actor, actor_for_user
from liaison.federation.models import Region, Section
from liaison.periodicals.models import Issue, Periodical
from liaison.translations import services as translations
from liaison.translations.models import Translation, TranslationState

TITLE = "First International Conference of the Federation"
PLACE = "Liège (Belgium)"
OPENS = 120  # days from now
LASTS = 3  # days

EUROPE, OTHERS = "Europe", "The Americas, Asia and Africa"
OTHER_REGIONS = ["The Americas", "Asia", "Africa"]
# The same deadlines as the bulletin's calls (``editorial``): a week ago, and three weeks from now.
EUROPE_DEADLINE, OTHERS_DEADLINE = -7, 21

OVERDUE_SECTION = "United States Section"
MOVE_REASON = (
    "Suspended for two years of unanswered letters: the secretariat asked the section to state its positions with "
    "the European sections, by the first deadline, so that the conference can decide on its reinstatement knowing "
    "where it stands."
)

# Each milestone: days from now, and its title in the working languages.
MILESTONES: list[tuple[int, dict[str, str]]] = [
    (
        -29,
        {
            "en": "The secretariat adopts the agenda",
            "fr": "Le secrétariat adopte l'ordre du jour",
            "de": "Das Sekretariat beschließt die Tagesordnung",
            "ru": "Секретариат утверждает повестку дня",
            "es": "El secretariado aprueba el orden del día",
        },
    ),
    (
        60,  # issue No. 2's planned date
        {
            "en": "Issue No. 2: the positions of the Americas, Asia and Africa",
            "fr": "Numéro 2 : les positions des Amériques, de l'Asie et de l'Afrique",
            "de": "Nummer 2: die Positionen Amerikas, Asiens und Afrikas",
            "ru": "Выпуск № 2: позиции Америки, Азии и Африки",
            "es": "Número 2: las posiciones de las Américas, Asia y África",
        },
    ),
    (
        100,
        {
            "en": "The sections send their delegates' mandates",
            "fr": "Les sections envoient les mandats de leurs délégués",
            "de": "Die Sektionen schicken die Mandate ihrer Delegierten",
            "ru": "Секции присылают мандаты своих делегатов",
            "es": "Las secciones envían los mandatos de sus delegados",
        },
    ),
    (
        OPENS,
        {
            "en": "Opening of the conference in Liège",
            "fr": "Ouverture de la conférence à Liège",
            "de": "Eröffnung der Konferenz in Lüttich",
            "ru": "Открытие конференции в Льеже",
            "es": "Apertura de la conferencia en Lieja",
        },
    ),
]

SUPPORT, OPPOSE, AMEND, ALTERNATIVE = Option.SUPPORT, Option.OPPOSE, Option.AMEND, Option.ALTERNATIVE
OWN, ABSTAIN = Option.OWN, Option.ABSTAIN

# The agenda, in order: title and description in the working languages, and the options offered.
QUESTIONS: list[tuple[dict[str, str], dict[str, str], list[str]]] = [
    (
        {
            "en": "A federation-wide strike fund",
            "fr": "Une caisse de grève de toute la fédération",
            "de": "Eine gemeinsame Streikkasse der Föderation",
            "ru": "Общий забастовочный фонд федерации",
            "es": "Una caja de resistencia de toda la federación",
        },
        {
            "en": "Should every section pay a share of its dues into a common fund that supports the strikers of any "
            "section during a long strike, as the India Section proposes?",
            "fr": "Chaque section doit-elle verser une part de ses cotisations à une caisse commune qui soutienne les "
            "grévistes de toute section pendant une longue grève, comme le propose la section indienne ?",
            "de": "Soll jede Sektion einen Teil ihrer Beiträge in eine gemeinsame Kasse einzahlen, die bei einem "
            "langen Streik die Streikenden jeder Sektion unterstützt, wie es die indische Sektion vorschlägt?",
            "ru": "Должна ли каждая секция отчислять часть своих взносов в общий фонд, который поддерживает бастующих "
            "любой секции во время долгой забастовки, как предлагает индийская секция?",
            "es": "¿Debe cada sección aportar una parte de sus cuotas a una caja común que sostenga a los huelguistas "
            "de cualquier sección durante una huelga larga, como propone la sección india?",
        },
        [SUPPORT, OPPOSE, AMEND],
    ),
    (
        {
            "en": "Dues in proportion to membership",
            "fr": "Des cotisations proportionnelles au nombre d'adhérents",
            "de": "Beiträge nach der Mitgliederzahl",
            "ru": "Взносы пропорционально числу членов",
            "es": "Cuotas proporcionales al número de afiliados",
        },
        {
            "en": "Should each section's dues to the federation be set in proportion to its number of members, with "
            "a token minimum for new sections, as the Spanish section proposes?",
            "fr": "La cotisation de chaque section à la fédération doit-elle être proportionnelle à son nombre "
            "d'adhérents, avec un minimum symbolique pour les nouvelles sections, comme le propose la section "
            "espagnole ?",
            "de": "Soll der Beitrag jeder Sektion an die Föderation nach ihrer Mitgliederzahl bemessen werden, mit "
            "einem symbolischen Mindestbeitrag für neue Sektionen, wie es die spanische Sektion vorschlägt?",
            "ru": "Следует ли устанавливать взнос каждой секции в федерацию пропорционально числу её членов, с "
            "символическим минимумом для новых секций, как предлагает испанская секция?",
            "es": "¿Debe fijarse la cuota de cada sección a la federación en proporción a su número de afiliados, "
            "con un mínimo simbólico para las secciones nuevas, como propone la sección española?",
        },
        [SUPPORT, OPPOSE, ALTERNATIVE],
    ),
    (
        {
            "en": "The forty-hour week as a common demand",
            "fr": "La semaine de quarante heures, revendication commune",
            "de": "Die Vierzigstundenwoche als gemeinsame Forderung",
            "ru": "Сорокачасовая рабочая неделя как общее требование",
            "es": "La semana de cuarenta horas, reivindicación común",
        },
        {
            "en": "Should the federation make the forty-hour week, without loss of pay, a demand of all its "
            "sections, as the Mexican section proposes?",
            "fr": "La fédération doit-elle faire de la semaine de quarante heures, sans perte de salaire, une "
            "revendication de toutes ses sections, comme le propose la section mexicaine ?",
            "de": "Soll die Föderation die Vierzigstundenwoche bei vollem Lohnausgleich zur Forderung aller ihrer "
            "Sektionen machen, wie es die mexikanische Sektion vorschlägt?",
            "ru": "Должна ли федерация сделать сорокачасовую рабочую неделю без снижения заработной платы "
            "требованием всех своих секций, как предлагает мексиканская секция?",
            "es": "¿Debe la federación hacer de la semana de cuarenta horas, sin reducción salarial, una "
            "reivindicación de todas sus secciones, como propone la sección mexicana?",
        },
        [SUPPORT, OPPOSE, AMEND],
    ),
    (
        {
            "en": "The sections and elections",
            "fr": "Les sections et les élections",
            "de": "Die Sektionen und die Wahlen",
            "ru": "Секции и выборы",
            "es": "Las secciones y las elecciones",
        },
        {
            "en": "May a section support candidates in national or local elections, and if so, on what conditions "
            "and who decides? The question divided the Spanish section in 2023; each section is asked to say how "
            "it sees it.",
            "fr": "Une section peut-elle soutenir des candidats à des élections nationales ou locales et, si oui, à "
            "quelles conditions et qui en décide ? La question a divisé la section espagnole en 2023 ; chaque "
            "section est invitée à dire comment elle la voit.",
            "de": "Darf eine Sektion bei nationalen oder kommunalen Wahlen Kandidaturen unterstützen, und wenn ja, "
            "unter welchen Bedingungen und wer entscheidet darüber? Die Frage hat 2023 die spanische Sektion "
            "gespalten; jede Sektion wird gebeten, ihre Sicht darzulegen.",
            "ru": "Может ли секция поддерживать кандидатов на общенациональных или местных выборах, и если да, то "
            "на каких условиях и кто принимает решение? В 2023 году этот вопрос расколол испанскую секцию; каждую "
            "секцию просят изложить свою точку зрения.",
            "es": "¿Puede una sección apoyar a candidatos en elecciones nacionales o municipales y, en tal caso, con "
            "qué condiciones y quién lo decide? La cuestión dividió a la sección española en 2023; se pide a cada "
            "sección que exponga su punto de vista.",
        },
        [],  # no options: each section answers in its own words, or abstains
    ),
]

# A statement's title in its language: the section, the question's number and its title in that language.
STATEMENT_TITLES = {
    "en": "{section} on question {n}: {title}",
    "fr": "{section} sur la question {n} : {title}",
    "de": "{section} zu Frage {n}: {title}",
    "es": "{section} sobre la cuestión {n}: {title}",
    "ru": "{section} по вопросу {n}: {title}",
    # Not working languages: the questions have no title in them.
    "ar": "موقف {section} من السؤال {n}",
    "ja": "{section}：第{n}問についての立場",
}

LANGUAGE_OF = {
    "Section française": "fr",
    "Deutsche Sektion": "de",
    "Section belge": "fr",
    "Sección española": "es",
    "Grupo Nueva Época": "es",
    "Русская секция": "ru",
    "Sección mexicana": "es",
    "India Section": "en",
    "South African Section": "en",
    "القسم المصري": "ar",
    "日本支部": "ja",
}


@dataclass(frozen=True)
class Said:
    """A section's position on a question, stated ``day`` days from now: its stance (what the matrix shows, in the
    section's language), followed by its reasons, make the full statement; ``translations`` are the whole statement
    in the other languages of issue No. 1's editions."""

    section: str
    question: int
    option: str
    stance: str
    reasons: str
    day: float
    translations: dict[str, str] = field(default_factory=dict)
    submit: bool = True

    @property
    def language(self) -> str:
        return LANGUAGE_OF[self.section]

    @property
    def statement(self) -> str:
        return f"{self.stance} {self.reasons}"


FR, DE, BE, ES, NE, RU = (
    "Section française",
    "Deutsche Sektion",
    "Section belge",
    "Sección española",
    "Grupo Nueva Época",
    "Русская секция",
)

# The French section's first view on dues, which it revised after its circles discussed it (``EUROPE_SAID``).
FIRST_VIEW = Said(
    FR,
    2,
    OPPOSE,
    "Nous sommes opposés à des cotisations proportionnelles : la cotisation égale fait de chaque section l'égale "
    "des autres.",
    "Une section qui paierait dix fois plus finirait par peser dix fois plus.",
    day=-20,
)
REVISED = (FR, 2)
REVISED_ON = -12.0

# The European wave's positions, all submitted before its deadline, accepted, placed in issue No. 1 and translated.
EUROPE_SAID: list[Said] = [
    # Question 1: the strike fund ----------------------------------------------------------------------------------
    Said(
        FR,
        1,
        SUPPORT,
        "Nous soutenons la caisse de grève commune : la solidarité entre sections doit pouvoir se compter en argent, "
        "pas seulement en motions.",
        "Nous proposons que chaque section y verse deux pour cent de ses cotisations dès l'année prochaine.",
        day=-21,
        translations={
            "en": "We support the common strike fund: solidarity between sections must be counted in money, not "
            "only in motions. We propose that every section pay two per cent of its dues into it from next year.",
            "de": "Wir unterstützen die gemeinsame Streikkasse: Die Solidarität zwischen den Sektionen muss sich in "
            "Geld bemessen lassen, nicht nur in Resolutionen. Wir schlagen vor, dass jede Sektion ab dem nächsten "
            "Jahr zwei Prozent ihrer Beiträge einzahlt.",
            "es": "Apoyamos la caja de resistencia común: la solidaridad entre secciones debe poder contarse en "
            "dinero, no solo en resoluciones. Proponemos que cada sección aporte el dos por ciento de sus cuotas a "
            "partir del año próximo.",
        },
    ),
    Said(
        DE,
        1,
        AMEND,
        "Wir unterstützen die Streikkasse, wenn die Sektionen, die einzahlen, gemeinsam über jede Auszahlung "
        "entscheiden.",
        "Eine Kasse, über die allein das Sekretariat verfügt, würde das Vertrauen der kleineren Sektionen schnell "
        "verlieren; ihre Abrechnung sollte jedes Jahr im Bulletin erscheinen.",
        day=-19,
        translations={
            "en": "We support the strike fund if the sections that pay into it decide together on every payment. A "
            "fund at the disposal of the secretariat alone would soon lose the trust of the smaller sections; its "
            "accounts should appear in the bulletin every year.",
            "fr": "Nous soutenons la caisse de grève si les sections qui y cotisent décident ensemble de chaque "
            "versement. Une caisse dont le secrétariat disposerait seul perdrait vite la confiance des petites "
            "sections ; ses comptes devraient paraître chaque année dans le bulletin.",
            "es": "Apoyamos la caja de resistencia si las secciones que aportan a ella deciden juntas cada pago. "
            "Una caja de la que solo dispusiera el secretariado perdería pronto la confianza de las secciones "
            "pequeñas; sus cuentas deberían publicarse cada año en el boletín.",
        },
    ),
    Said(
        BE,
        1,
        SUPPORT,
        "La section belge soutient la caisse de grève commune et propose d'en tenir la comptabilité.",
        "Nos camarades de la mutuelle de Liège ont l'habitude de gérer une caisse de solidarité et peuvent en rendre "
        "compte chaque trimestre.",
        day=-16,
        translations={
            "en": "The Belgian section supports the common strike fund and offers to keep its accounts. Our comrades "
            "of the Liège mutual society are used to running a solidarity fund and can report on it every quarter.",
            "de": "Die belgische Sektion unterstützt die gemeinsame Streikkasse und bietet an, ihre Buchhaltung zu "
            "führen. Unsere Genossinnen und Genossen von der Lütticher Hilfskasse sind es gewohnt, eine "
            "Solidaritätskasse zu verwalten, und können jedes Vierteljahr darüber berichten.",
            "es": "La sección belga apoya la caja de resistencia común y se ofrece a llevar su contabilidad. Nuestros "
            "compañeros de la mutualidad de Lieja están acostumbrados a gestionar una caja de solidaridad y pueden "
            "rendir cuentas cada trimestre.",
        },
    ),
    Said(
        ES,
        1,
        AMEND,
        "Apoyamos la caja de resistencia, pero solo después de que las cuotas sean proporcionales al número de "
        "afiliados.",
        "Con el reparto actual, la caja cargaría todavía más a las secciones pequeñas, que ya pagan "
        "proporcionalmente más que las grandes.",
        day=-18,
        translations={
            "en": "We support the strike fund, but only once dues are in proportion to the number of members. With "
            "the present sharing, the fund would weigh still more on the small sections, which already pay "
            "proportionally more than the large ones.",
            "fr": "Nous soutenons la caisse de grève, mais seulement une fois que les cotisations seront "
            "proportionnelles au nombre d'adhérents. Avec la répartition actuelle, la caisse pèserait encore "
            "davantage sur les petites sections, qui paient déjà proportionnellement plus que les grandes.",
            "de": "Wir unterstützen die Streikkasse, aber erst, wenn die Beiträge nach der Mitgliederzahl bemessen "
            "werden. Bei der heutigen Verteilung würde die Kasse die kleinen Sektionen noch stärker belasten, die "
            "schon jetzt verhältnismäßig mehr zahlen als die großen.",
        },
    ),
    Said(
        NE,
        1,
        SUPPORT,
        "Apoyamos sin reservas la caja de resistencia común.",
        "Las huelgas largas se pierden muchas veces por hambre antes que por falta de razón; una caja internacional "
        "es la solidaridad más concreta que la federación puede ofrecer.",
        day=-17,
        translations={
            "en": "We support the common strike fund without reservation. Long strikes are often lost to hunger "
            "rather than for want of a just cause; an international fund is the most concrete solidarity the "
            "federation can offer.",
            "fr": "Nous soutenons sans réserve la caisse de grève commune. Les longues grèves se perdent souvent par "
            "la faim plutôt que faute de bon droit ; une caisse internationale est la solidarité la plus concrète "
            "que la fédération puisse offrir.",
            "de": "Wir unterstützen die gemeinsame Streikkasse ohne Vorbehalt. Lange Streiks gehen oft eher am "
            "Hunger verloren als an einer schwachen Sache; eine internationale Kasse ist die greifbarste "
            "Solidarität, die die Föderation bieten kann.",
        },
    ),
    Said(
        RU,
        1,
        OPPOSE,
        "Мы против общего забастовочного фонда в предложенном виде: наша секция по закону не может ни получать "
        "деньги из-за рубежа, ни отправлять их туда.",
        "Вместо этого мы предлагаем прямые сборы между секциями для каждой отдельной забастовки.",
        day=-15,
        translations={
            "en": "We oppose the common strike fund as proposed: by law our section can neither receive money from "
            "abroad nor send it there. We propose instead direct collections between sections for each particular "
            "strike.",
            "fr": "Nous sommes opposés à la caisse de grève commune telle qu'elle est proposée : notre section ne "
            "peut légalement ni recevoir d'argent de l'étranger ni en envoyer. Nous proposons à la place des "
            "collectes directes entre sections pour chaque grève.",
            "de": "Wir lehnen die gemeinsame Streikkasse in der vorgeschlagenen Form ab: Unsere Sektion darf "
            "rechtlich weder Geld aus dem Ausland erhalten noch dorthin schicken. Wir schlagen stattdessen direkte "
            "Sammlungen zwischen den Sektionen für jeden einzelnen Streik vor.",
            "es": "Nos oponemos a la caja de resistencia común tal como se propone: por ley, nuestra sección no "
            "puede ni recibir dinero del extranjero ni enviarlo. Proponemos en su lugar colectas directas entre "
            "secciones para cada huelga concreta.",
        },
    ),
    # Question 2: dues --------------------------------------------------------------------------------------------
    Said(
        FR,
        2,
        SUPPORT,
        "Après la discussion dans nos cercles, nous soutenons des cotisations proportionnelles au nombre d'adhérents.",
        "La cotisation égale, que nous défendions d'abord, fait payer aux petites sections une part de leurs "
        "ressources bien plus lourde que la nôtre ; les voix à la conférence, elles, restent une par section.",
        day=REVISED_ON,
        translations={
            "en": "After discussion in our circles, we support dues in proportion to the number of members. The "
            "equal dues we first defended make the small sections pay a far heavier share of their means than "
            "ours; the votes at the conference remain one per section.",
            "de": "Nach der Diskussion in unseren Kreisen unterstützen wir Beiträge nach der Mitgliederzahl. Der "
            "gleiche Beitrag, den wir zuerst verteidigt haben, lässt die kleinen Sektionen einen viel größeren Teil "
            "ihrer Mittel zahlen als uns; die Stimmen auf der Konferenz bleiben eine je Sektion.",
            "es": "Tras la discusión en nuestros círculos, apoyamos cuotas proporcionales al número de afiliados. La "
            "cuota igual que defendíamos al principio hace pagar a las secciones pequeñas una parte de sus recursos "
            "mucho mayor que a nosotros; los votos en la conferencia siguen siendo uno por sección.",
        },
    ),
    Said(
        DE,
        2,
        SUPPORT,
        "Wir unterstützen Beiträge nach der Mitgliederzahl mit einem Mindestbeitrag für neue Sektionen.",
        "Die Mitgliederzahlen sollten jedes Jahr von den Sektionen selbst gemeldet und im internen Bulletin "
        "veröffentlicht werden.",
        day=-18.5,
        translations={
            "en": "We support dues in proportion to membership, with a minimum for new sections. The membership "
            "figures should be reported by the sections themselves every year and published in the internal "
            "bulletin.",
            "fr": "Nous soutenons des cotisations proportionnelles au nombre d'adhérents, avec un minimum pour les "
            "nouvelles sections. Les effectifs devraient être déclarés chaque année par les sections elles-mêmes "
            "et publiés dans le bulletin intérieur.",
            "es": "Apoyamos cuotas proporcionales al número de afiliados, con un mínimo para las secciones nuevas. "
            "Las cifras de afiliación deberían declararlas cada año las propias secciones y publicarse en el "
            "boletín interno.",
        },
    ),
    Said(
        BE,
        2,
        ALTERNATIVE,
        "Nous proposons une autre règle : des cotisations proportionnelles aux ressources de chaque section, non au "
        "nombre de ses adhérents.",
        "Deux sections de même taille n'ont pas les mêmes moyens quand les salaires varient du simple au quintuple "
        "d'un pays à l'autre.",
        day=-15.5,
        translations={
            "en": "We propose another rule: dues in proportion to each section's income, not to its number of "
            "members. Two sections of the same size do not have the same means when wages differ fivefold from one "
            "country to another.",
            "de": "Wir schlagen eine andere Regel vor: Beiträge nach den Einnahmen jeder Sektion, nicht nach ihrer "
            "Mitgliederzahl. Zwei gleich große Sektionen haben nicht dieselben Mittel, wenn sich die Löhne von "
            "Land zu Land um das Fünffache unterscheiden.",
            "es": "Proponemos otra regla: cuotas proporcionales a los ingresos de cada sección, no a su número de "
            "afiliados. Dos secciones del mismo tamaño no tienen los mismos medios cuando los salarios varían del "
            "simple al quíntuple de un país a otro.",
        },
    ),
    Said(
        ES,
        2,
        SUPPORT,
        "Apoyamos nuestra propuesta: cuotas proporcionales al número de afiliados, con un mínimo simbólico para las "
        "secciones que empiezan.",
        "Hoy nuestra sección paga el quince por ciento de lo que recibe de sus afiliados, mientras que una sección "
        "grande paga mucho menos.",
        day=-17.5,
        translations={
            "en": "We support our proposal: dues in proportion to the number of members, with a token minimum for "
            "sections that are starting out. Today our section pays fifteen per cent of what it receives from its "
            "members, while a large section pays much less.",
            "fr": "Nous soutenons notre proposition : des cotisations proportionnelles au nombre d'adhérents, avec "
            "un minimum symbolique pour les sections qui débutent. Aujourd'hui notre section verse quinze pour cent "
            "de ce qu'elle reçoit de ses adhérents, alors qu'une grande section paie beaucoup moins.",
            "de": "Wir unterstützen unseren Vorschlag: Beiträge nach der Mitgliederzahl, mit einem symbolischen "
            "Mindestbeitrag für Sektionen, die neu anfangen. Heute zahlt unsere Sektion fünfzehn Prozent dessen, "
            "was sie von ihren Mitgliedern erhält, während eine große Sektion viel weniger zahlt.",
        },
    ),
    Said(
        NE,
        2,
        SUPPORT,
        "Apoyamos las cuotas proporcionales, y pedimos que cada sección publique sus cifras de afiliación.",
        "Una regla justa solo funciona si las cifras en que se basa pueden comprobarse.",
        day=-16.5,
        translations={
            "en": "We support proportional dues, and ask that every section publish its membership figures. A fair "
            "rule only works if the figures it rests on can be checked.",
            "fr": "Nous soutenons les cotisations proportionnelles et demandons que chaque section publie ses "
            "effectifs. Une règle juste ne fonctionne que si les chiffres sur lesquels elle repose peuvent être "
            "vérifiés.",
            "de": "Wir unterstützen Beiträge nach der Mitgliederzahl und verlangen, dass jede Sektion ihre "
            "Mitgliederzahlen veröffentlicht. Eine gerechte Regel funktioniert nur, wenn sich die Zahlen überprüfen "
            "lassen, auf denen sie beruht.",
        },
    ),
    Said(
        RU,
        2,
        ABSTAIN,
        "Наша секция воздерживается: мы ещё не успели обсудить этот вопрос в кружках.",
        "Мы выскажем своё мнение на конференции федерации, когда вопрос обсудит наше весеннее собрание.",
        day=-14.5,
        translations={
            "en": "Our section abstains: we have not yet had time to discuss the question in our circles. We will "
            "state our view at the federation's conference, once our spring meeting has discussed it.",
            "fr": "Notre section s'abstient : nous n'avons pas encore eu le temps de discuter la question dans nos "
            "cercles. Nous donnerons notre avis à la conférence de la fédération, quand notre assemblée de "
            "printemps en aura débattu.",
            "de": "Unsere Sektion enthält sich: Wir hatten noch keine Zeit, die Frage in unseren Kreisen zu "
            "besprechen. Wir werden unsere Meinung auf der Konferenz der Föderation sagen, wenn unsere "
            "Frühjahrsversammlung darüber beraten hat.",
            "es": "Nuestra sección se abstiene: todavía no hemos tenido tiempo de discutir la cuestión en nuestros "
            "círculos. Daremos nuestra opinión en la conferencia de la federación, cuando nuestra asamblea de "
            "primavera la haya debatido.",
        },
    ),
    # Question 3: the forty-hour week -----------------------------------------------------------------------------
    Said(
        FR,
        3,
        AMEND,
        "Nous soutenons la semaine de quarante heures comme revendication minimale de toute la fédération, non comme "
        "un plafond.",
        "En France, où la durée légale est déjà de trente-cinq heures, la revendication commune doit laisser chaque "
        "section libre d'aller plus loin.",
        day=-20.5,
        translations={
            "en": "We support the forty-hour week as the minimum demand of the whole federation, not as a ceiling. "
            "In France, where the legal week is already thirty-five hours, the common demand must leave each "
            "section free to go further.",
            "de": "Wir unterstützen die Vierzigstundenwoche als Mindestforderung der ganzen Föderation, nicht als "
            "Obergrenze. In Frankreich, wo die gesetzliche Wochenarbeitszeit schon fünfunddreißig Stunden beträgt, "
            "muss die gemeinsame Forderung jeder Sektion erlauben, weiter zu gehen.",
            "es": "Apoyamos la semana de cuarenta horas como reivindicación mínima de toda la federación, no como un "
            "techo. En Francia, donde la jornada legal es ya de treinta y cinco horas semanales, la reivindicación "
            "común debe dejar a cada sección libre de ir más lejos.",
        },
    ),
    Said(
        DE,
        3,
        SUPPORT,
        "Wir unterstützen die Vierzigstundenwoche bei vollem Lohnausgleich als gemeinsame Forderung.",
        "Auch bei uns arbeiten viele Kolleginnen und Kollegen in der Logistik weit mehr als vierzig Stunden, wenn man "
        "die Überstunden mitzählt.",
        day=-18,
        translations={
            "en": "We support the forty-hour week without loss of pay as a common demand. Here too, many of our "
            "fellow workers in logistics work well over forty hours once overtime is counted.",
            "fr": "Nous soutenons la semaine de quarante heures sans perte de salaire comme revendication commune. "
            "Chez nous aussi, beaucoup de collègues de la logistique travaillent bien plus de quarante heures, "
            "heures supplémentaires comprises.",
            "es": "Apoyamos la semana de cuarenta horas sin reducción salarial como reivindicación común. También "
            "aquí muchos compañeros de la logística trabajan mucho más de cuarenta horas si se cuentan las horas "
            "extraordinarias.",
        },
    ),
    Said(
        BE,
        3,
        SUPPORT,
        "Nous soutenons la semaine de quarante heures comme revendication de toute la fédération.",
        "Une revendication commune donnera du poids à chaque section face à son propre patronat.",
        day=-15,
        translations={
            "en": "We support the forty-hour week as a demand of the whole federation. A common demand will give "
            "every section weight in front of its own employers.",
            "de": "Wir unterstützen die Vierzigstundenwoche als Forderung der ganzen Föderation. Eine gemeinsame "
            "Forderung gibt jeder Sektion Gewicht gegenüber den eigenen Unternehmern.",
            "es": "Apoyamos la semana de cuarenta horas como reivindicación de toda la federación. Una reivindicación "
            "común dará peso a cada sección frente a su propia patronal.",
        },
    ),
    Said(
        ES,
        3,
        SUPPORT,
        "Apoyamos la semana de cuarenta horas como reivindicación común de la federación.",
        "Es la reivindicación que mejor une a las secciones de los países donde la jornada real sigue siendo muy "
        "larga.",
        day=-17,
        translations={
            "en": "We support the forty-hour week as the federation's common demand. It is the demand that best "
            "unites the sections of the countries where the real working week is still very long.",
            "fr": "Nous soutenons la semaine de quarante heures comme revendication commune de la fédération. C'est "
            "la revendication qui unit le mieux les sections des pays où la durée réelle du travail reste très "
            "longue.",
            "de": "Wir unterstützen die Vierzigstundenwoche als gemeinsame Forderung der Föderation. Sie ist die "
            "Forderung, die die Sektionen der Länder am besten eint, in denen die tatsächliche Arbeitszeit noch "
            "sehr lang ist.",
        },
    ),
    Said(
        NE,
        3,
        AMEND,
        "Apoyamos la reivindicación con una enmienda: treinta y cinco horas donde la ley ya garantiza las cuarenta.",
        "En España la jornada legal es de cuarenta horas desde hace décadas; pedir lo mismo no movilizaría a nadie.",
        day=-16,
        translations={
            "en": "We support the demand with an amendment: thirty-five hours where the law already guarantees "
            "forty. In Spain the legal working week has been forty hours for decades; asking for the same would "
            "mobilise no one.",
            "fr": "Nous soutenons la revendication avec un amendement : trente-cinq heures là où la loi garantit "
            "déjà les quarante. En Espagne, la durée légale est de quarante heures depuis des décennies ; demander "
            "la même chose ne mobiliserait personne.",
            "de": "Wir unterstützen die Forderung mit einem Änderungsantrag: fünfunddreißig Stunden dort, wo das "
            "Gesetz die vierzig schon garantiert. In Spanien gilt die Vierzigstundenwoche seit Jahrzehnten; "
            "dasselbe zu fordern, würde niemanden mobilisieren.",
        },
    ),
    Said(
        RU,
        3,
        SUPPORT,
        "Мы поддерживаем сорокачасовую рабочую неделю как общее требование федерации.",
        "Наш закон её уже предусматривает, но на многих заводах сверхурочные стали обычным делом, и общее "
        "требование поможет нам добиваться соблюдения закона.",
        day=-14,
        translations={
            "en": "We support the forty-hour week as the federation's common demand. Our law already provides for "
            "it, but in many factories overtime has become the rule, and a common demand will help us fight for "
            "the law to be respected.",
            "fr": "Nous soutenons la semaine de quarante heures comme revendication commune de la fédération. Notre "
            "loi la prévoit déjà, mais dans beaucoup d'usines les heures supplémentaires sont devenues la règle, et "
            "une revendication commune nous aidera à lutter pour que la loi soit respectée.",
            "de": "Wir unterstützen die Vierzigstundenwoche als gemeinsame Forderung der Föderation. Unser Gesetz "
            "sieht sie schon vor, aber in vielen Fabriken sind Überstunden zur Regel geworden, und eine gemeinsame "
            "Forderung wird uns helfen, für die Einhaltung des Gesetzes zu kämpfen.",
            "es": "Apoyamos la semana de cuarenta horas como reivindicación común de la federación. Nuestra ley ya "
            "la prevé, pero en muchas fábricas las horas extraordinarias se han vuelto la norma, y una "
            "reivindicación común nos ayudará a luchar por que se cumpla la ley.",
        },
    ),
    # Question 4: the sections and elections, without options ---------------------------------------------------
    Said(
        FR,
        4,
        OWN,
        "Une section ne peut soutenir un candidat que par un vote de ses cercles, jamais sur la seule décision de sa "
        "direction.",
        "Le candidat doit d'abord répondre en public aux questions des cercles, et la section garde le droit de le "
        "critiquer ensuite.",
        day=-10,
        translations={
            "en": "A section may support a candidate only by a vote of its circles, never on the decision of its "
            "leadership alone. The candidate must first answer the circles' questions in public, and the section "
            "keeps the right to criticise them afterwards.",
            "de": "Eine Sektion darf eine Kandidatur nur nach einer Abstimmung ihrer Kreise unterstützen, niemals "
            "allein auf Beschluss ihrer Leitung. Wer kandidiert, muss zuerst öffentlich die Fragen der Kreise "
            "beantworten, und die Sektion behält das Recht, danach Kritik zu üben.",
            "es": "Una sección solo puede apoyar a un candidato por votación de sus círculos, nunca por decisión de "
            "su dirección sola. El candidato debe responder antes en público a las preguntas de los círculos, y la "
            "sección conserva el derecho de criticarlo después.",
        },
    ),
    Said(
        DE,
        4,
        OWN,
        "Die Deutsche Sektion unterstützt keine Kandidaturen: Unsere Kreise bilden, sie führen keinen Wahlkampf.",
        "Unsere Mitglieder wählen, wen sie wollen; die Sektion lädt Kandidatinnen und Kandidaten aller Listen ein, "
        "sich den Fragen der Kreise zu stellen.",
        day=-17.8,
        translations={
            "en": "The German section supports no candidates: our circles educate, they do not campaign. Our members "
            "vote for whom they wish; the section invites the candidates of every list to face the circles' "
            "questions.",
            "fr": "La section allemande ne soutient aucune candidature : nos cercles forment, ils ne font pas "
            "campagne. Nos adhérents votent pour qui ils veulent ; la section invite les candidats de toutes les "
            "listes à répondre aux questions des cercles.",
            "es": "La sección alemana no apoya ninguna candidatura: nuestros círculos forman, no hacen campaña. "
            "Nuestros afiliados votan a quien quieren; la sección invita a los candidatos de todas las listas a "
            "responder a las preguntas de los círculos.",
        },
    ),
    Said(
        BE,
        4,
        OWN,
        "Nous laissons chaque cercle libre de soutenir un candidat local, mais la section comme telle ne soutient "
        "personne aux élections nationales.",
        "Dans un pays partagé en communautés linguistiques, un soutien national diviserait la section elle-même.",
        day=-14.8,
        translations={
            "en": "We leave each circle free to support a local candidate, but the section as such supports no one "
            "in national elections. In a country divided into language communities, national support would divide "
            "the section itself.",
            "de": "Wir lassen jedem Kreis die Freiheit, eine Kandidatur vor Ort zu unterstützen, aber die Sektion "
            "als solche unterstützt bei nationalen Wahlen niemanden. In einem Land, das in Sprachgemeinschaften "
            "geteilt ist, würde eine nationale Unterstützung die Sektion selbst spalten.",
            "es": "Dejamos a cada círculo libre de apoyar a un candidato local, pero la sección como tal no apoya a "
            "nadie en las elecciones nacionales. En un país dividido en comunidades lingüísticas, un apoyo "
            "nacional dividiría a la propia sección.",
        },
    ),
    Said(
        ES,
        4,
        OWN,
        "Una sección puede apoyar a candidatos que defiendan las reivindicaciones obreras, por decisión de su "
        "dirección entre dos congresos.",
        "Las elecciones no esperan a los congresos; la dirección responde después ante el congreso de cada decisión "
        "tomada.",
        day=-16.8,
        translations={
            "en": "A section may support candidates who defend the workers' demands, by decision of its leadership "
            "between two congresses. Elections do not wait for congresses; the leadership answers afterwards to "
            "the congress for every decision taken.",
            "fr": "Une section peut soutenir des candidats qui défendent les revendications ouvrières, sur décision "
            "de sa direction entre deux congrès. Les élections n'attendent pas les congrès ; la direction rend "
            "compte ensuite au congrès de chaque décision prise.",
            "de": "Eine Sektion darf Kandidaturen unterstützen, die die Forderungen der Arbeiterinnen und Arbeiter "
            "vertreten, auf Beschluss ihrer Leitung zwischen zwei Kongressen. Wahlen warten nicht auf Kongresse; "
            "die Leitung legt danach dem Kongress über jeden Beschluss Rechenschaft ab.",
        },
    ),
    Said(
        NE,
        4,
        OWN,
        "Nunca por decisión de la dirección sola: solo por votación de los círculos, después de que los candidatos "
        "hayan respondido en público a sus preguntas.",
        "Así se evitará lo que dividió a la sección española en 2023, cuando se apoyó a un candidato sin consultar "
        "a nadie.",
        day=-15.8,
        translations={
            "en": "Never by decision of the leadership alone: only by a vote of the circles, after the candidates "
            "have answered their questions in public. That will avoid what divided the Spanish section in 2023, "
            "when a candidate was supported without anyone being consulted.",
            "fr": "Jamais sur la seule décision de la direction : seulement par un vote des cercles, après que les "
            "candidats ont répondu en public à leurs questions. On évitera ainsi ce qui a divisé la section "
            "espagnole en 2023, quand un candidat a été soutenu sans que personne ait été consulté.",
            "de": "Niemals allein auf Beschluss der Leitung: nur nach einer Abstimmung der Kreise, nachdem die "
            "Kandidatinnen und Kandidaten öffentlich auf deren Fragen geantwortet haben. So lässt sich vermeiden, "
            "was 2023 die spanische Sektion gespalten hat, als eine Kandidatur unterstützt wurde, ohne dass "
            "jemand gefragt worden wäre.",
        },
    ),
    Said(
        RU,
        4,
        OWN,
        "В нашей стране независимых кандидатов почти никогда не допускают к выборам, поэтому для нас этот вопрос "
        "пока не стоит.",
        "Мы считаем, что решение о поддержке кандидата должны принимать кружки, а не руководство секции.",
        day=-13.5,
        translations={
            "en": "In our country independent candidates are hardly ever allowed to stand, so for us the question "
            "does not arise for now. We believe that the decision to support a candidate should be taken by the "
            "circles, not by the section's leadership.",
            "fr": "Dans notre pays, les candidats indépendants ne sont presque jamais admis à se présenter ; pour "
            "nous, la question ne se pose donc pas pour l'instant. Nous pensons que la décision de soutenir un "
            "candidat doit être prise par les cercles, non par la direction de la section.",
            "de": "In unserem Land werden unabhängige Kandidatinnen und Kandidaten kaum je zu Wahlen zugelassen; "
            "für uns stellt sich die Frage daher vorerst nicht. Wir meinen, dass über die Unterstützung einer "
            "Kandidatur die Kreise entscheiden sollten, nicht die Leitung der Sektion.",
            "es": "En nuestro país casi nunca se permite presentarse a candidatos independientes, así que para "
            "nosotros la cuestión no se plantea por ahora. Creemos que la decisión de apoyar a un candidato deben "
            "tomarla los círculos, no la dirección de la sección.",
        },
    ),
]

# The second wave, three weeks before its deadline: some positions submitted, two drafts, most still to come.
OTHERS_SAID: list[Said] = [
    Said(
        "Sección mexicana",
        3,
        SUPPORT,
        "Apoyamos la semana de cuarenta horas: es nuestra propuesta, y en México la jornada legal sigue siendo de "
        "cuarenta y ocho.",
        "En las maquiladoras de Ciudad Juárez los turnos de doce horas son la regla; una reivindicación de toda la "
        "federación nos daría fuerza.",
        day=-2.5,
    ),
    Said(
        "India Section",
        1,
        SUPPORT,
        "We support the strike fund we proposed: every section pays a small share of its dues, and the sections "
        "decide together on every payment.",
        "Last year the strike at the spinning mills of Coimbatore lasted eleven weeks; the strikers' families lived "
        "on loans.",
        day=-1.5,
    ),
    Said(
        "القسم المصري",
        1,
        SUPPORT,
        "ندعم إنشاء صندوق إضراب مشترك للاتحاد.",
        "واجه عمال النسيج في المحلة الكبرى إضرابات طويلة دون أي دعم، والتضامن الدولي يجب أن يكون ملموسًا.",
        day=-1.2,
    ),
    Said(
        "South African Section",
        4,
        OWN,
        "A section may support the candidates of a workers' party, by a vote of its circles, and must say publicly "
        "where it disagrees with them.",
        "In South Africa, the unions' alliance with the governing party has taught us what support without "
        "criticism costs.",
        day=-1.0,
    ),
    Said(
        "日本支部",
        3,
        SUPPORT,
        "私たちは週四十時間労働を連盟共通の要求とすることを支持します。",
        "日本の物流倉庫では残業が常態化しており、共通の要求は私たちの力になります。",
        day=-0.8,
        submit=False,
    ),
    # For "corresponsal" to finish and submit.
    Said(
        "Sección mexicana",
        1,
        SUPPORT,
        "Apoyamos la caja de resistencia común.",
        "Antes de enviar esta posición, la asamblea de la sección debe fijar cuánto podemos aportar cada año.",
        day=-0.4,
        submit=False,
    ),
]

# After issue No. 1 is published: (the endorsing section, the section endorsed, the question).
ENDORSEMENTS = [
    (BE, FR, 4),
    (NE, FR, 4),
    (DE, ES, 2),
    (FR, DE, 1),
]

# The European statements are accepted after issue No. 1's first assembly (``editorial.ASSEMBLY_DAY``), one after
# the other, then placed by a second assembly; their translators start soon after each acceptance.
ACCEPTED_FROM, ACCEPT_STEP = -1.9, 0.01
SECOND_ASSEMBLY = -1.6

NADIA, MARTA, EDITOR = "translator", "reviewer", "editor"
# Target language → (translator, reviewer): nobody reviews their own work; the editor reviews the German ones.
TRANSLATORS = {"en": (NADIA, MARTA), "fr": (MARTA, NADIA), "es": (MARTA, NADIA), "de": (NADIA, EDITOR)}


def statement_title(section: str, question: Question, language: str) -> str:
    """A statement's title (or its translation's) in ``language``, as the bulletin's contents list it."""
    title = question.title.get(language) or question.title["en"]
    return STATEMENT_TITLES[language].format(section=section, n=question.number, title=title)


@dataclass
class _Story:
    bulletin: Periodical
    editor: Actor
    sections: dict[str, Section]
    actors: dict[str, Actor]
    translators: dict[str, Actor]
    conference: Conference | None = None
    questions: dict[int, Question] = field(default_factory=dict)
    waves: dict[str, Wave] = field(default_factory=dict)
    positions: dict[tuple[str, int], Position] = field(default_factory=dict)
    # The statements' translations, by (statement, language): the services refresh them at each step.
    translations: dict[tuple[int, str], Translation] = field(default_factory=dict)

    def statement_id(self, said: Said) -> int:
        """The position's current statement (``contribution_id`` is kept up to date by the services)."""
        return self.positions[(said.section, said.question)].contribution_id


def build() -> Conference:
    """Load the demo conference into a database holding the demo bulletin and its translations."""
    bulletin = Periodical.objects.get(slug="bulletin")
    sections = {s.name: s for s in Section.objects.select_related("region")}
    editor = actor_for_user(User.objects.get(username=EDITOR))
    story = _Story(
        bulletin=bulletin,
        editor=editor,
        sections=sections,
        actors=_section_actors(sections),
        translators={name: actor_for_user(User.objects.get(username=name)) for name in (NADIA, MARTA, EDITOR)},
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0)

    def at(day: float) -> datetime.datetime:
        return start + datetime.timedelta(days=day)

    events: list[tuple[float, Callable[[], object]]] = [
        (-29, partial(_prepare, story, at)),
        (-28, partial(_waves, story, at)),
        (-25, partial(_move, story)),
        (FIRST_VIEW.day, partial(_state, story, FIRST_VIEW)),
    ]
    for said in EUROPE_SAID:
        if (said.section, said.question) == REVISED:
            events.append((said.day, partial(_revise, story, said)))
        else:
            events.append((said.day, partial(_state, story, said)))
    for index, said in enumerate(EUROPE_SAID):
        accepted = ACCEPTED_FROM + index * ACCEPT_STEP
        events.append((accepted, partial(_accept, story, said)))
        for order, language in enumerate(sorted(said.translations)):
            begin = accepted + 0.15 + order * 0.02
            events.append((begin, partial(_translate, story, said, language)))
            events.append((begin + 0.05, partial(_send, story, said, language)))
            events.append((begin + 0.25, partial(_approve, story, said, language)))
    events.append((SECOND_ASSEMBLY, partial(editorial.assemble_issue, editor, _issue(1))))
    events.extend((said.day, partial(_state, story, said)) for said in OTHERS_SAID)
    # Stable: on the same moment, in the order written above.
    for day, event in sorted(events, key=lambda e: e[0]):
        if day > 0:
            raise AssertionError("A demo conference event would be in the future: shorten its delays.")
        with _clock(at(day)):
            event()
    assert story.conference is not None
    return story.conference


def _issue(number: int) -> Issue:
    return Issue.objects.get(periodical__slug="bulletin", number=number)


def _prepare(story: _Story, at: Callable[[float], datetime.datetime]) -> None:
    opens = at(OPENS).date()
    conference = services.create_conference(
        story.editor,
        title=TITLE,
        bulletin=story.bulletin,
        place=PLACE,
        starts_on=opens,
        ends_on=opens + datetime.timedelta(days=LASTS - 1),
        public=True,
    )
    for day, title in MILESTONES:
        services.add_milestone(story.editor, conference, date=at(day).date(), title=title)
    for number, (title, description, options) in enumerate(QUESTIONS, start=1):
        story.questions[number] = services.create_question(
            story.editor, conference, title=title, description=description, options=options
        )
    story.conference = conference


def _waves(story: _Story, at: Callable[[float], datetime.datetime]) -> None:
    assert story.conference is not None
    story.waves[EUROPE] = services.create_wave(
        story.editor,
        story.conference,
        name=EUROPE,
        regions=[Region.objects.get(name=EUROPE)],
        deadline=at(EUROPE_DEADLINE).replace(hour=23, minute=59),
        issue=_issue(1),
    )
    story.waves[OTHERS] = services.create_wave(
        story.editor,
        story.conference,
        name=OTHERS,
        regions=list(Region.objects.filter(name__in=OTHER_REGIONS)),
        deadline=at(OTHERS_DEADLINE).replace(hour=23, minute=59),
        issue=_issue(2),
    )


def _move(story: _Story) -> None:
    services.move_section(story.editor, story.waves[EUROPE], story.sections[OVERDUE_SECTION], reason=MOVE_REASON)


def _state(story: _Story, said: Said) -> None:
    assert story.conference is not None
    question = story.questions[said.question]
    story.positions[(said.section, said.question)] = services.state_position(
        story.actors[said.section],
        story.conference,
        question,
        story.sections[said.section],
        option=said.option,
        stance=said.stance,
        statement=said.statement,
        language=said.language,
        title=statement_title(said.section, question, said.language),
        submit=said.submit,
    )


def _revise(story: _Story, said: Said) -> None:
    position = story.positions[(said.section, said.question)]
    position.refresh_from_db()
    story.positions[(said.section, said.question)] = services.revise_position(
        story.actors[said.section],
        position,
        base_version=position.version,
        option=said.option,
        stance=said.stance,
        statement=said.statement,
        language=said.language,
        title=statement_title(said.section, story.questions[said.question], said.language),
        submit=True,
    )


def _accept(story: _Story, said: Said) -> None:
    statement = Contribution.objects.get(pk=story.statement_id(said))
    editorial.transition(story.editor, statement, State.ACCEPTED)
    # Accepting makes its translations due; called here too, as in ``translations``, so that the demo does not
    # depend on the translations app listening to the editorial services.
    for translation in translations.ensure_translations(statement):
        story.translations[(statement.pk, translation.language)] = translation


def _translation(story: _Story, said: Said, language: str) -> Translation:
    return story.translations[(story.statement_id(said), language)]


def _translate(story: _Story, said: Said, language: str) -> None:
    by, _reviewer = TRANSLATORS[language]
    translation = translations.claim(story.translators[by], _translation(story, said, language))
    translations.save_translation(
        story.translators[by],
        translation,
        base_version=translation.version,
        title=statement_title(said.section, story.questions[said.question], language),
        body=said.translations[language],
    )


def _send(story: _Story, said: Said, language: str) -> None:
    by, _reviewer = TRANSLATORS[language]
    translations.transition(story.translators[by], _translation(story, said, language), TranslationState.IN_REVIEW)


def _approve(story: _Story, said: Said, language: str) -> None:
    _by, reviewer = TRANSLATORS[language]
    translations.transition(story.translators[reviewer], _translation(story, said, language), TranslationState.APPROVED)


def endorse_published() -> int:
    """Once issue No. 1 is published (``liaison demo --publish``), some European sections endorse others'
    positions: an endorsement needs a published position. Returns how many were made; none when the positions are
    not published (the issue was not, or not yet)."""
    conference = Conference.objects.filter(title=TITLE).first()
    if conference is None:
        return 0
    sections = {s.name: s for s in Section.objects.all()}
    actors = _section_actors(sections)
    made = 0
    for endorser, endorsed, number in ENDORSEMENTS:
        position = Position.objects.filter(
            conference=conference, section=sections[endorsed], question__number=number
        ).first()
        if position is None or position.contribution.state != State.PUBLISHED:
            continue
        try:
            services.endorse(actors[endorser], sections[endorser], position)
        except Conflict:
            continue  # already endorsed: run again on a published demo
        made += 1
    return made

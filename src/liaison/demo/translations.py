"""The demo's translations and glossary, told as they would have happened since the texts were accepted.

What it leaves for a visitor to find:

- issue No. 1 readable in full in English, French, German and Spanish: each item approved in each of them, or
  written in it;
- its Russian edition under way: two items approved, one waiting in review for "reviewer", one sent back to its
  translator with the reviewer's reason, and one machine draft that no person has checked yet;
- the India Section's strike-fund proposal, whose French translation was approved before the editor changed the
  original: stale, with the changes for the translator to see;
- the other translations of accepted texts still needed, some of them assigned;
- the federation's glossary: its key terms in the five working languages.

The translators are "translator" (Nadia Perevod, all five languages) and "reviewer" (Marta Lectora: en, fr, es, ru);
each reviews the other's work, and the editor reviews the German translations. Everything goes through the
translations services, as the desk would do it, with the clock set back as in ``editorial``. The machine draft comes
from a provider with canned answers, so that the demo needs no network and no translation server.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.utils import timezone

from liaison.accounts.models import User
from liaison.demo.editorial import TEXTS, _clock
from liaison.editorial import services as editorial
from liaison.editorial.models import Contribution
from liaison.federation.access import Actor, actor_for_user
from liaison.periodicals.models import Periodical
from liaison.translations import glossary, services
from liaison.translations.models import Translation, TranslationState
from liaison.translations.providers import ProviderRefused

APPROVED, IN_REVIEW, RETURNED, DRAFT = "approved", "in_review", "returned", "draft"


@dataclass(frozen=True)
class Work:
    """One translation and how far it got: ``start`` is the day, counted from the original's acceptance, on which its
    translator saved the first text; it went to review some five hours later, and the reviewer decided about ten hours
    after that."""

    key: str  # the original, by its key in ``editorial.TEXTS``
    language: str
    title: str
    body: str
    by: str  # the translator's login
    reviewer: str | None = None  # None: not sent for review yet
    outcome: str = APPROVED  # approved, in_review, returned (sent back with ``reason``), or draft
    reason: str = ""
    start: float = 0.5
    assigned: bool = False  # the editor assigned it; otherwise the translator claimed it from the queue


NADIA, MARTA, EDITOR = "translator", "reviewer", "editor"

WORKS: list[Work] = [
    # Lyon and Saint-Étienne (fr) ---------------------------------------------------------------------------------
    Work(
        "lyon",
        "en",
        "Evening circles in Lyon and Saint-Étienne",
        "Since September, our two circles in Lyon and Saint-Étienne have met every Tuesday evening, after the "
        "workshops let out. We chose to read together, chapter by chapter, a history of the mutual aid societies, "
        "and then to compare what we were reading with the present rules of our own funds.[^1]\n\n"
        "Attendance has doubled since we began holding the sessions in the hall of the Bourse du Travail, the town's "
        "labour exchange, rather than in a café: comrades who do not drink come more readily, and the children can "
        "wait in the library next door. We propose to the other sections that we exchange our reading notes, which "
        "we can translate into German and Spanish.[^2]\n\n"
        "[^1]: The full minutes of the sessions are available from the section's correspondent.\n"
        "[^2]: Two comrades from Saint-Étienne have offered to check the translations.\n",
        by=NADIA,
        reviewer=MARTA,
        start=0.4,
        assigned=True,
    ),
    Work(
        "lyon",
        "de",
        "Die Abendkreise in Lyon und Saint-Étienne",
        "Seit September treffen sich unsere beiden Kreise in Lyon und Saint-Étienne jeden Dienstagabend, wenn die "
        "Werkstätten schließen. Wir haben beschlossen, gemeinsam Kapitel für Kapitel eine Geschichte der "
        "Hilfskassen auf Gegenseitigkeit zu lesen und das Gelesene dann mit den heutigen Satzungen unserer eigenen "
        "Kassen zu vergleichen.[^1]\n\n"
        "Die Teilnahme hat sich verdoppelt, seit wir die Sitzungen im Saal des Gewerkschaftshauses statt in einem "
        "Café abhalten: Genossinnen und Genossen, die keinen Alkohol trinken, kommen lieber, und die Kinder können "
        "in der benachbarten Bibliothek warten. Wir schlagen den anderen Sektionen vor, unsere Lesenotizen "
        "auszutauschen; wir können sie ins Deutsche und ins Spanische übersetzen.[^2]\n\n"
        "[^1]: Das vollständige Protokoll der Sitzungen ist beim Korrespondenten der Sektion erhältlich.\n"
        "[^2]: Zwei Genossen aus Saint-Étienne haben angeboten, die Übersetzungen gegenzulesen.\n",
        by=NADIA,
        reviewer=EDITOR,
        start=1.2,
        assigned=True,
    ),
    Work(
        "lyon",
        "es",
        "Los círculos vespertinos de Lyon y Saint-Étienne",
        "Desde septiembre, nuestros dos círculos de Lyon y Saint-Étienne se reúnen cada martes por la tarde, a la "
        "salida de los talleres. Decidimos leer juntos, capítulo por capítulo, una historia de las sociedades de "
        "socorros mutuos, y comparar después lo que leíamos con los reglamentos actuales de nuestras propias "
        "cajas.[^1]\n\n"
        "La asistencia se ha duplicado desde que celebramos las sesiones en la sala de la casa sindical y no en un "
        "café: los compañeros que no beben vienen con más gusto, y los niños pueden esperar en la biblioteca de al "
        "lado. Proponemos a las demás secciones intercambiar nuestras fichas de lectura, que podemos traducir al "
        "alemán y al español.[^2]\n\n"
        "[^1]: El acta completa de las sesiones puede pedirse al corresponsal de la sección.\n"
        "[^2]: Dos compañeros de Saint-Étienne se han ofrecido a revisar las traducciones.\n",
        by=MARTA,
        reviewer=NADIA,
        start=0.6,
    ),
    Work(
        "lyon",
        "ru",
        "Вечерние кружки в Лионе и Сент-Этьене",
        "С сентября наши два кружка в Лионе и Сент-Этьене собираются каждый вторник вечером, после окончания работы "
        "в мастерских. Мы решили читать вместе, глава за главой, историю касс взаимопомощи, а затем сравнивать "
        "прочитанное с нынешними уставами наших собственных касс.[^1]\n\n"
        "Посещаемость удвоилась с тех пор, как мы стали проводить занятия в зале биржи труда, а не в кафе: "
        "товарищи, которые не пьют, приходят охотнее, а дети могут подождать в соседней библиотеке. Мы предлагаем "
        "другим секциям обмениваться конспектами прочитанного; мы можем перевести их на немецкий и испанский.[^2]\n\n"
        "[^1]: Полный отчёт о занятиях можно получить у корреспондента секции.\n"
        "[^2]: Двое товарищей из Сент-Этьена вызвались вычитать переводы.\n",
        by=NADIA,
        reviewer=MARTA,
        start=2.0,
    ),
    # Leipzig (de) ----------------------------------------------------------------------------------------------
    Work(
        "leipzig",
        "en",
        "An evening school in Leipzig: the first year",
        "Last autumn we opened an evening school in Leipzig for our fellow workers in logistics. Classes are held "
        "twice a week, each time after the late shift, and cover labour law, bookkeeping for works councils and a "
        "writing course.[^1]\n\n"
        "The greatest difficulty remains the shift roster: those who work nights miss half the classes. We "
        "therefore record every session and send out the notes the next morning. We would like to hear how other "
        "sections solve this problem.\n\n"
        "[^1]: The writing course was started at the request of the participants themselves, who wanted to write "
        "leaflets and letters to the management.\n",
        by=NADIA,
        reviewer=MARTA,
        start=0.3,
        assigned=True,
    ),
    Work(
        "leipzig",
        "fr",
        "Une école du soir à Leipzig : la première année",
        "L'automne dernier, nous avons ouvert à Leipzig une école du soir pour les collègues de la logistique. Les "
        "cours ont lieu deux fois par semaine, chaque fois après le poste du soir, et comprennent le droit du "
        "travail, la comptabilité pour les élus du personnel et un atelier d'écriture.[^1]\n\n"
        "La plus grande difficulté reste le planning des équipes : ceux qui travaillent de nuit manquent la moitié "
        "des cours. Nous enregistrons donc chaque séance et envoyons les notes le lendemain matin. Nous aimerions "
        "savoir comment les autres sections résolvent ce problème.\n\n"
        "[^1]: L'atelier d'écriture est né à la demande des participants eux-mêmes, qui voulaient rédiger des tracts "
        "et des lettres à la direction.\n",
        by=NADIA,
        reviewer=MARTA,
        start=0.9,
        assigned=True,
    ),
    Work(
        "leipzig",
        "es",
        "Una escuela nocturna en Leipzig: el primer año",
        "El otoño pasado abrimos en Leipzig una escuela nocturna para compañeras y compañeros de la logística. Las "
        "clases se dan dos veces por semana, siempre después del turno de tarde, y comprenden derecho laboral, "
        "contabilidad para comités de empresa y un taller de escritura.[^1]\n\n"
        "La mayor dificultad sigue siendo el cuadrante de turnos: quien trabaja en el turno de noche se pierde la "
        "mitad de las clases. Por eso grabamos cada sesión y enviamos los apuntes a la mañana siguiente. Nos "
        "gustaría saber cómo resuelven este problema otras secciones.\n\n"
        "[^1]: El taller de escritura nació a petición de los propios participantes, que querían redactar octavillas "
        "y cartas a la dirección.\n",
        by=NADIA,
        reviewer=MARTA,
        start=1.5,
    ),
    Work(
        "leipzig",
        "ru",
        "Вечерняя школа в Лейпциге: первый год",
        "Прошлой осенью мы открыли в Лейпциге вечернюю школу для работниц и работников логистики. Занятия проходят "
        "два раза в неделю, каждый раз после вечерней смены, и включают трудовое право, бухгалтерию для членов "
        "производственных советов и курс письма.[^1]\n\n"
        "Главной трудностью остаётся график смен: кто работает в ночную смену, пропускает половину занятий. Поэтому "
        "мы записываем каждое занятие и на следующее утро рассылаем конспекты. Нам хотелось бы узнать, как решают "
        "эту проблему другие секции.\n\n"
        "[^1]: Курс письма появился по просьбе самих слушателей, которые хотели научиться составлять листовки и "
        "письма руководству предприятия.\n",
        by=NADIA,
        reviewer=MARTA,
        start=2.5,
    ),
    # Distance learning (es) ------------------------------------------------------------------------------------
    Work(
        "distancia",
        "en",
        "Distance learning is no substitute for the circle",
        "In many unions, classes by videoconference have been presented as the answer for members who live far "
        "from the cities. Our experience in Asturias and Valencia leads us to a more cautious conclusion: they can "
        "complement the study circles, not replace them.[^1]\n\n"
        "A circle is not just a place where information is passed on. It is where comrades argue, contradict one "
        "another and learn to speak up in public. None of that happens in front of a screen with the microphone "
        "switched off.\n\n"
        "[^1]: According to our March survey, two thirds of the online participants dropped out before the third "
        "session, against one in five in the circles that meet in person.\n",
        by=MARTA,
        reviewer=NADIA,
        start=0.3,
    ),
    Work(
        "distancia",
        "fr",
        "La formation à distance ne remplace pas le cercle",
        "Dans bien des syndicats, les cours par visioconférence ont été présentés comme la solution pour les "
        "adhérents qui vivent loin des villes. Notre expérience dans les Asturies et à Valence nous conduit à une "
        "conclusion plus prudente : ils peuvent compléter les cercles d'études, non les remplacer.[^1]\n\n"
        "Un cercle n'est pas seulement un lieu où l'on transmet des informations. C'est le lieu où les camarades "
        "discutent, se contredisent et apprennent à prendre la parole en public. Rien de tout cela ne se produit "
        "devant un écran, micro coupé.\n\n"
        "[^1]: D'après notre enquête de mars, deux tiers des participants en ligne ont abandonné avant la troisième "
        "séance, contre un sur cinq dans les cercles qui se réunissent en personne.\n",
        by=MARTA,
        reviewer=NADIA,
        start=0.8,
    ),
    Work(
        "distancia",
        "de",
        "Fernunterricht ersetzt den Kreis nicht",
        "In vielen Gewerkschaften wird Unterricht per Videokonferenz als die Lösung für Mitglieder dargestellt, die "
        "fern der Städte wohnen. Unsere Erfahrungen in Asturien und Valencia führen uns zu einem vorsichtigeren "
        "Schluss: Er kann die Studienkreise ergänzen, aber nicht ersetzen.[^1]\n\n"
        "Ein Kreis ist nicht nur ein Ort, an dem Informationen weitergegeben werden. Er ist der Ort, an dem die "
        "Genossinnen und Genossen diskutieren, einander widersprechen und lernen, öffentlich das Wort zu ergreifen. "
        "Nichts davon geschieht vor einem Bildschirm mit ausgeschaltetem Mikrofon.\n\n"
        "[^1]: Nach unserer Umfrage vom März brachen zwei Drittel der Online-Teilnehmenden vor der dritten Sitzung "
        "ab, gegenüber einem Fünftel in den Kreisen, die sich vor Ort treffen.\n",
        by=NADIA,
        reviewer=EDITOR,
        start=1.0,
        assigned=True,
    ),
    Work(
        "distancia",
        "ru",
        "Дистанционное обучение не заменяет кружок",
        "Во многих профсоюзах занятия по видеосвязи преподносят как решение для членов, живущих далеко от городов. "
        "Наш опыт в Астурии и Валенсии приводит нас к более осторожному выводу: они могут дополнять учебные кружки, "
        "но не заменять их.[^1]\n\n"
        "Кружок — это не просто место, где передаётся информация. Это место, где товарищи спорят, возражают друг "
        "другу и учатся выступать публично. Ничего этого не происходит перед экраном с выключенным микрофоном.\n\n"
        "[^1]: По данным нашего мартовского опроса, две трети участников онлайн-занятий бросили их до третьего "
        "занятия, тогда как в очных кружках — лишь каждый пятый.\n",
        by=NADIA,
        reviewer=MARTA,
        outcome=IN_REVIEW,
        start=4.2,
    ),
    # Samara (ru) -----------------------------------------------------------------------------------------------
    Work(
        "samara",
        "en",
        "The Samara circle's library",
        "In the spring our circle in Samara opened a small library in the rooms of the factory's trade union "
        "committee. It now holds some four hundred books and pamphlets, most of them given by the workers "
        "themselves.[^1]\n\n"
        "Books are lent for two weeks, and once a month we hold a discussion of one of them. The best attended was "
        "the discussion of the history of the eight-hour day: more than forty people came, and the conversation went "
        "on late into the evening.\n\n"
        "[^1]: We will gladly send the list of books to other sections on request.\n",
        by=NADIA,
        reviewer=MARTA,
        start=0.4,
    ),
    Work(
        "samara",
        "fr",
        "La bibliothèque du cercle de Samara",
        "Au printemps, notre cercle de Samara a ouvert une petite bibliothèque dans le local du comité syndical de "
        "l'usine. Elle compte aujourd'hui environ quatre cents livres et brochures, pour la plupart offerts par les "
        "ouvriers eux-mêmes.[^1]\n\n"
        "Les livres sont prêtés pour deux semaines, et une fois par mois nous organisons une discussion autour de "
        "l'un d'eux. La plus suivie a porté sur l'histoire de la journée de huit heures : plus de quarante personnes "
        "sont venues, et la conversation s'est prolongée tard dans la soirée.\n\n"
        "[^1]: Nous enverrons volontiers la liste des livres aux sections qui la demanderont.\n",
        by=MARTA,
        reviewer=NADIA,
        start=0.7,
    ),
    Work(
        "samara",
        "de",
        "Die Bibliothek des Kreises in Samara",
        "Im Frühjahr hat unser Kreis in Samara in den Räumen des Gewerkschaftskomitees des Werks eine kleine "
        "Bibliothek eröffnet. Sie umfasst inzwischen rund vierhundert Bücher und Broschüren, die meisten von den "
        "Arbeitern selbst geschenkt.[^1]\n\n"
        "Die Bücher werden für zwei Wochen ausgeliehen, und einmal im Monat besprechen wir gemeinsam eines davon. Am "
        "besten besucht war die Diskussion über die Geschichte des Achtstundentags: Mehr als vierzig Menschen kamen, "
        "und das Gespräch dauerte bis spät in den Abend.\n\n"
        "[^1]: Die Bücherliste schicken wir anderen Sektionen auf Anfrage gern zu.\n",
        by=NADIA,
        reviewer=EDITOR,
        start=1.1,
        assigned=True,
    ),
    Work(
        "samara",
        "es",
        "La biblioteca del círculo de Samara",
        "En primavera, nuestro círculo de Samara abrió una pequeña biblioteca en el local del comité sindical de la "
        "fábrica. Hoy cuenta con unos cuatrocientos libros y folletos, la mayoría donados por los propios "
        "obreros.[^1]\n\n"
        "Los libros se prestan por dos semanas, y una vez al mes organizamos un debate sobre uno de ellos. El más "
        "concurrido fue el de la historia de la jornada de ocho horas: vinieron más de cuarenta personas y la "
        "conversación se alargó hasta bien entrada la noche.\n\n"
        "[^1]: Enviaremos con gusto la lista de libros a las secciones que la soliciten.\n",
        by=MARTA,
        reviewer=NADIA,
        start=1.3,
    ),
    # A conference in all our languages (fr) ---------------------------------------------------------------------
    Work(
        "langues",
        "en",
        "For a conference held in all our languages",
        "The federation's first international conference is drawing near. We propose that every speech be "
        "translated into at least the five working languages, and that the preparatory texts appear in this "
        "bulletin at least a month before the opening.[^1]\n\n"
        "A conference where only those who speak English can follow the debates would not be an international "
        "conference, but a meeting of the few.\n\n"
        "[^1]: Sections that have translators are invited to make themselves known to the secretariat.\n",
        by=NADIA,
        reviewer=MARTA,
        start=0.2,
    ),
    Work(
        "langues",
        "de",
        "Für eine Konferenz in all unseren Sprachen",
        "Die erste internationale Konferenz der Föderation rückt näher. Wir schlagen vor, dass jeder Redebeitrag "
        "mindestens in die fünf Arbeitssprachen übersetzt wird und dass die vorbereitenden Texte spätestens einen "
        "Monat vor der Eröffnung in diesem Bulletin erscheinen.[^1]\n\n"
        "Eine Konferenz, deren Debatten nur verfolgen kann, wer Englisch spricht, wäre keine internationale "
        "Konferenz, sondern ein Treffen einiger weniger.\n\n"
        "[^1]: Sektionen, die über Übersetzerinnen oder Übersetzer verfügen, werden gebeten, sich beim Sekretariat "
        "zu melden.\n",
        by=NADIA,
        reviewer=EDITOR,
        start=0.6,
        assigned=True,
    ),
    Work(
        "langues",
        "es",
        "Por una conferencia celebrada en todas nuestras lenguas",
        "Se acerca la primera conferencia internacional de la federación. Proponemos que cada intervención se "
        "traduzca al menos a las cinco lenguas de trabajo y que los textos preparatorios aparezcan en este boletín "
        "como mínimo un mes antes de la apertura.[^1]\n\n"
        "Una conferencia en la que solo quienes hablan inglés pueden seguir los debates no sería una conferencia "
        "internacional, sino una reunión de unos pocos.\n\n"
        "[^1]: Se invita a las secciones que cuenten con traductores a darse a conocer al secretariado.\n",
        by=MARTA,
        reviewer=NADIA,
        start=0.9,
    ),
    # Sent back on purpose: the draft's footnote asks the translators, not the sections that have them, to write to
    # the secretariat. The reviewer caught it; correcting it is the translator's next task in the demo.
    Work(
        "langues",
        "ru",
        "За конференцию на всех наших языках",
        "Приближается первая международная конференция федерации. Мы предлагаем, чтобы каждое выступление "
        "переводилось по меньшей мере на пять рабочих языков и чтобы подготовительные тексты публиковались в этом "
        "бюллетене не позднее чем за месяц до открытия.[^1]\n\n"
        "Конференция, на которой за дебатами могут следить только говорящие по-английски, была бы не международной "
        "конференцией, а собранием немногих.\n\n"
        "[^1]: Переводчиков секций просят сообщить о себе в секретариат.\n",
        by=NADIA,
        reviewer=MARTA,
        outcome=RETURNED,
        reason=(
            "Footnote 1 asks the wrong people: in the original it is the sections that have translators who should "
            "make themselves known to the secretariat, not the translators themselves. The rest reads well."
        ),
        start=2.6,
    ),
    # A letter from Liège (fr) -----------------------------------------------------------------------------------
    Work(
        "liege",
        "en",
        "A letter from Liège on language courses",
        "Dear comrades,\n\n"
        "Our section has French-speaking and Dutch-speaking members and, since last year, some twenty comrades who "
        "came from Turkey and Morocco. We have therefore opened two language courses, one in French and one in "
        "Dutch, taught by volunteer members.[^1]\n\n"
        "We would like to know whether other sections have had the same experience, and which textbooks they use. "
        "This letter arrives after the deadline: we thank the editors for accepting it all the same.\n\n"
        "[^1]: The courses are held on Saturday mornings, with childcare provided by the youth circle.\n",
        by=MARTA,
        reviewer=NADIA,
        start=0.3,
    ),
    Work(
        "liege",
        "de",
        "Brief aus Lüttich über die Sprachkurse",
        "Liebe Genossinnen und Genossen,\n\n"
        "unsere Sektion hat französisch- und niederländischsprachige Mitglieder und seit dem vergangenen Jahr etwa "
        "zwanzig Genossinnen und Genossen, die aus der Türkei und aus Marokko gekommen sind. Wir haben deshalb zwei "
        "Sprachkurse eingerichtet, einen für Französisch und einen für Niederländisch, die ehrenamtlich von "
        "Mitgliedern gegeben werden.[^1]\n\n"
        "Wir würden gern wissen, ob andere Sektionen dieselbe Erfahrung gemacht haben und welche Lehrbücher sie "
        "benutzen. Dieser Brief kommt nach dem Einsendeschluss: Wir danken der Redaktion, dass sie ihn trotzdem "
        "aufnimmt.\n\n"
        "[^1]: Die Kurse finden samstagvormittags statt; die Kinderbetreuung übernimmt der Jugendkreis.\n",
        by=NADIA,
        reviewer=EDITOR,
        start=0.7,
        assigned=True,
    ),
    Work(
        "liege",
        "es",
        "Carta de Lieja sobre los cursos de idiomas",
        "Queridos compañeros:\n\n"
        "Nuestra sección tiene afiliados francófonos y neerlandófonos y, desde el año pasado, una veintena de "
        "compañeros llegados de Turquía y de Marruecos. Por eso hemos abierto dos cursos de idiomas, uno de francés "
        "y otro de neerlandés, impartidos por afiliados voluntarios.[^1]\n\n"
        "Nos gustaría saber si otras secciones han tenido la misma experiencia y qué manuales utilizan. Esta carta "
        "llega después del plazo: agradecemos a la redacción que la acoja de todos modos.\n\n"
        "[^1]: Los cursos se dan los sábados por la mañana, y el círculo de jóvenes se ocupa de cuidar a los niños.\n",
        by=MARTA,
        reviewer=NADIA,
        start=1.0,
    ),
    # The strike fund (en), approved in French before the original changed: the stale one --------------------------
    Work(
        "strike-fund",
        "fr",
        "Pour une caisse de grève de toute la fédération",
        "La section indienne propose que la fédération crée une caisse de grève commune, à laquelle chaque section "
        "verserait une petite part de ses cotisations. Au cours des deux dernières années, trois de nos sections ont "
        "connu de longues grèves sans avoir les moyens de soutenir les familles des grévistes.[^1]\n\n"
        "Une caisse commune serait une expression concrète de la solidarité entre les sections, et une raison "
        "d'adhérer qui va au-delà de l'échange d'idées. Nous demandons que cette proposition soit inscrite à l'ordre "
        "du jour de la conférence.\n\n"
        "[^1]: Les sections concernées ont été consultées avant la rédaction de cette proposition.\n",
        by=NADIA,
        reviewer=MARTA,
        start=0.3,
    ),
]

# The machine draft: the Liège letter into Russian, as a machine gives it (literal in places, and wrong about the
# "cercle des jeunes", which it takes for a geometric circle; the glossary beside the editor says "кружок").
MACHINE_DRAFT = ("liege", "ru")
MACHINE_ANSWERS = {
    "Lettre de Liège sur les cours de langue": "Письмо из Льежа о языковых курсах",
    "Chers camarades,": "Дорогие товарищи,",
    "Notre section compte des membres francophones et néerlandophones et, depuis l'an dernier, une vingtaine de "
    "camarades arrivés de Turquie et du Maroc. Nous avons donc ouvert deux cours de langue, l'un en français, "
    "l'autre en néerlandais, donnés par des membres bénévoles.": (
        "Наша секция насчитывает франкоязычных и нидерландскоязычных членов и, с прошлого года, около двадцати "
        "товарищей, прибывших из Турции и Марокко. Поэтому мы открыли два языковых курса, один на французском, "
        "другой на нидерландском, которые ведут члены-добровольцы."
    ),
    "Nous aimerions savoir si d'autres sections ont fait la même expérience, et quels manuels elles utilisent. Cette "
    "lettre arrive après la date limite : nous remercions la rédaction de l'accueillir malgré tout.": (
        "Мы хотели бы знать, имели ли другие секции такой же опыт, и какие учебники они используют. Это письмо "
        "приходит после крайнего срока: мы благодарим редакцию за то, что она принимает его несмотря ни на что."
    ),
    "Les cours ont lieu le samedi matin, avec une garderie assurée par le cercle des jeunes.": (
        "Курсы проходят в субботу утром, с детским садом, обеспеченным кругом молодёжи."
    ),
}


class CannedProvider:
    """A machine-translation provider that answers from a fixed table: the demo's stand-in for a LibreTranslate
    server. A text it has no answer for is refused, as a real server refuses a language it lacks."""

    name = "demo machine translation (canned answers)"

    def __init__(self, source: str, target: str, answers: dict[str, str]) -> None:
        self.source, self.target, self.answers = source, target, answers

    def translate(self, text: str, source: str, target: str, *, format: str = "text") -> str:
        answer = self.answers.get(text) if (source, target) == (self.source, self.target) else None
        if answer is None:
            raise ProviderRefused(f"The demo's canned machine translation has no answer for {text!r}.")
        return answer


# The change the editor made to the strike-fund proposal after its French translation was approved, at the India
# Section's request: a correction of fact, and a sentence citing the conference proposal in issue No. 1.
STRIKE_FUND_CHANGE = (
    (
        "In the last two years three of our sections faced long strikes",
        "In the last two years four sections of the federation faced long strikes",
    ),
    (
        "beyond the exchange of ideas. ",
        "beyond the exchange of ideas. Like the French section's proposal for a conference held in all our "
        "languages ({langues}), it asks the larger sections to share their means so that the smaller ones are not "
        "left out. ",
    ),
)
STRIKE_FUND_CHANGED = 1.5  # days after its acceptance

# The federation's key terms: concept, definition, and its terms in each working language (the first one preferred;
# a term may carry a usage note after a "|").
GLOSSARY: list[tuple[str, str, dict[str, list[str]]]] = [
    (
        "section",
        "A national organisation adhering to the federation; the federation's members belong to it.",
        {
            "en": ["section", "sections|plural"],
            "fr": ["section", "sections|pluriel"],
            "de": ["Sektion", "Sektionen|Plural"],
            "ru": ["секция", "секции|родительный падеж единственного и именительный множественного числа"],
            "es": ["sección", "secciones|plural"],
        },
    ),
    (
        "correspondent",
        "The member a section names to write and speak for it to the secretariat and in the bulletin.",
        {
            "en": ["correspondent"],
            "fr": ["correspondant", "correspondante"],
            "de": ["Korrespondent", "Korrespondentin"],
            "ru": ["корреспондент"],
            "es": ["corresponsal"],
        },
    ),
    (
        "bulletin",
        "The federation's periodical, edited by the secretariat from the sections' contributions.",
        {
            "en": ["bulletin"],
            "fr": ["bulletin"],
            "de": ["Bulletin|nicht „Mitteilungsblatt“: der Name des Periodikums"],
            "ru": ["бюллетень"],
            "es": ["boletín"],
        },
    ),
    (
        "general-strike",
        "A strike of the workers of every trade at once, in a town, a region or the whole country.",
        {
            "en": ["general strike"],
            "fr": ["grève générale"],
            "de": ["Generalstreik"],
            "ru": ["всеобщая забастовка"],
            "es": ["huelga general"],
        },
    ),
    (
        "united-front",
        "Joint action of several workers' organisations on agreed demands, each keeping its own views and its "
        "freedom to criticise the others.",
        {
            "en": ["united front"],
            "fr": ["front unique|et non « front uni »"],
            "de": ["Einheitsfront"],
            "ru": ["единый фронт"],
            "es": ["frente único"],
        },
    ),
    (
        "conference",
        "The federation's international conference, where the sections' delegates decide its positions.",
        {
            "en": ["conference"],
            "fr": ["conférence"],
            "de": ["Konferenz"],
            "ru": ["конференция"],
            "es": ["conferencia"],
        },
    ),
    (
        "position",
        "A section's or group's stated stand on a question before the federation, published as such in the bulletin.",
        {
            "en": ["position"],
            "fr": ["prise de position", "position"],
            "de": ["Stellungnahme", "Position"],
            "ru": ["позиция"],
            "es": ["toma de posición", "posición"],
        },
    ),
    (
        "secretariat",
        "The federation's elected body between conferences: it edits the bulletin and keeps the sections in touch.",
        {
            "en": ["secretariat"],
            "fr": ["secrétariat"],
            "de": ["Sekretariat"],
            "ru": ["секретариат"],
            "es": ["secretariado|no «secretaría»"],
        },
    ),
    (
        "study-circle",
        "A section's local group that meets regularly to read, discuss and learn together.",
        {
            "en": ["study circle", "circle"],
            "fr": ["cercle d'études", "cercle"],
            "de": ["Bildungskreis", "Studienkreis", "Kreis"],
            "ru": ["кружок|не «круг»", "учебный кружок"],
            "es": ["círculo de estudio", "círculo"],
        },
    ),
    (
        "working-language",
        "One of the five languages in which the federation publishes and holds its meetings.",
        {
            "en": ["working language", "working languages|plural"],
            "fr": ["langue de travail", "langues de travail|pluriel"],
            "de": ["Arbeitssprache", "Arbeitssprachen|Plural"],
            "ru": ["рабочий язык", "рабочих языков|родительный падеж множественного числа"],
            "es": ["lengua de trabajo", "lenguas de trabajo|plural"],
        },
    ),
    (
        "strike-fund",
        "Money collected in advance to support strikers and their families during a strike.",
        {
            "en": ["strike fund"],
            "fr": ["caisse de grève"],
            "de": ["Streikkasse"],
            "ru": ["забастовочный фонд"],
            "es": ["caja de resistencia", "fondo de huelga"],
        },
    ),
    (
        "dues",
        "What members pay to their section, and a section to the federation.",
        {
            "en": ["dues"],
            "fr": ["cotisations"],
            "de": ["Beiträge"],
            "ru": ["взносы"],
            "es": ["cuotas"],
        },
    ),
    (
        "trade-union",
        "A workers' organisation that defends their pay and conditions; not to be confused with a section.",
        {
            "en": ["trade union", "union"],
            "fr": ["syndicat"],
            "de": ["Gewerkschaft"],
            "ru": ["профсоюз"],
            "es": ["sindicato"],
        },
    ),
    (
        "federation",
        "The international federation of the sections, which this bulletin serves.",
        {
            "en": ["federation"],
            "fr": ["fédération"],
            "de": ["Föderation"],
            "ru": ["федерация"],
            "es": ["federación"],
        },
    ),
]
GLOSSARY_DAY = -25.0  # days from now: the translators set the terms down before the call for issue No. 1

TITLES = {text.key: text.title for text in TEXTS}


@dataclass
class _Desk:
    bulletin: Periodical
    actors: dict[str, Actor]
    originals: dict[str, Contribution]

    def translation(self, key: str, language: str) -> Translation:
        return Translation.objects.get(contribution=self.originals[key], language=language)


def build() -> None:
    """Load the demo's translations and glossary into a database holding the demo bulletin (``editorial.build``)."""
    bulletin = Periodical.objects.get(slug="bulletin")
    desk = _Desk(
        bulletin=bulletin,
        actors={name: actor_for_user(User.objects.get(username=name)) for name in (NADIA, MARTA, EDITOR)},
        originals={key: Contribution.objects.get(periodical=bulletin, title=title) for key, title in TITLES.items()},
    )
    now = timezone.now()

    def days_after(key: str, days: float) -> datetime.datetime:
        accepted = desk.originals[key].accepted_at
        assert accepted is not None, f"the demo text {key!r} was never accepted"
        return accepted + datetime.timedelta(days=days)

    events: list[tuple[datetime.datetime, Callable[[], object]]] = [
        (now + datetime.timedelta(days=GLOSSARY_DAY), partial(_glossary, desk)),
    ]
    # Accepting a text makes its translations due; called here too, since that hook is the translations app's to
    # keep (calling it again creates nothing).
    for key, original in desk.originals.items():
        if original.state in services.OPEN_STATES:
            events.append((days_after(key, 0), partial(services.ensure_translations, original)))
    for work in WORKS:
        events.append((days_after(work.key, work.start - 0.2), partial(_take, desk, work)))
        events.append((days_after(work.key, work.start), partial(_save, desk, work)))
        if work.reviewer is not None:
            events.append((days_after(work.key, work.start + 0.2), partial(_send, desk, work)))
            if work.outcome != IN_REVIEW:
                events.append((days_after(work.key, work.start + 0.6), partial(_decide, desk, work)))
    key, language = MACHINE_DRAFT
    events.append((days_after(key, 0.2), partial(_assign, desk, key, language, NADIA)))
    events.append((days_after(key, 0.5), partial(_machine_draft, desk, key, language)))
    events.append((days_after("strike-fund", 0.4), partial(_assign, desk, "strike-fund", "de", NADIA)))
    events.append((days_after("strike-fund", 1.0), partial(_claim, desk, "strike-fund", "es", MARTA)))
    events.append((days_after("strike-fund", STRIKE_FUND_CHANGED), partial(_change_strike_fund, desk)))
    # Stable: on the same moment, in the order written above.
    for moment, event in sorted(events, key=lambda e: e[0]):
        if moment > now:
            raise AssertionError("A demo translation event would be in the future: shorten its delays.")
        with _clock(moment):
            event()


def _glossary(desk: _Desk) -> None:
    for concept, definition, terms in GLOSSARY:
        for language, texts in terms.items():
            for entry in texts:
                text, _bar, note = entry.partition("|")
                glossary.add_term(
                    desk.actors[NADIA], concept=concept, language=language, text=text, note=note, definition=definition
                )


def _take(desk: _Desk, work: Work) -> None:
    if work.assigned:
        _assign(desk, work.key, work.language, work.by)
    else:
        _claim(desk, work.key, work.language, work.by)


def _assign(desk: _Desk, key: str, language: str, to: str) -> None:
    translator = desk.actors[to].user
    services.assign(desk.actors[EDITOR], desk.translation(key, language), translator)


def _claim(desk: _Desk, key: str, language: str, by: str) -> None:
    services.claim(desk.actors[by], desk.translation(key, language))


def _save(desk: _Desk, work: Work) -> None:
    translation = desk.translation(work.key, work.language)
    services.save_translation(
        desk.actors[work.by], translation, base_version=translation.version, title=work.title, body=work.body
    )


def _send(desk: _Desk, work: Work) -> None:
    services.transition(desk.actors[work.by], desk.translation(work.key, work.language), TranslationState.IN_REVIEW)


def _decide(desk: _Desk, work: Work) -> None:
    assert work.reviewer is not None
    translation = desk.translation(work.key, work.language)
    if work.outcome == RETURNED:
        services.transition(desk.actors[work.reviewer], translation, TranslationState.DRAFT, reason=work.reason)
    else:
        services.transition(desk.actors[work.reviewer], translation, TranslationState.APPROVED)


def _machine_draft(desk: _Desk, key: str, language: str) -> None:
    translation = desk.translation(key, language)
    provider = CannedProvider(desk.originals[key].language, language, MACHINE_ANSWERS)
    # As the desk does it: the check first (may this translator ask, now?), then the draft.
    services.check_machine_draft(desk.actors[NADIA], translation, provider)
    services.machine_draft(translation, requested_by=desk.actors[NADIA].user, provider=provider)


def _change_strike_fund(desk: _Desk) -> None:
    original = desk.originals["strike-fund"]
    original.refresh_from_db()
    langues = desk.originals["langues"]
    item = langues.item  # issue No. 1 is assembled by now
    body = original.body
    for before, after in STRIKE_FUND_CHANGE:
        assert before in body, f"the strike-fund text no longer holds {before!r}"
        body = body.replace(before, after.format(langues=f"[[{desk.bulletin.slug}/1/{item.position}]]"), 1)
    editorial.save_contribution(
        desk.actors[EDITOR],
        original,
        base_version=original.version,
        title=original.title,
        language=original.language,
        kind=original.kind,
        body=body,
    )
    # The translations app marks them itself when it hears of the save; asking again is harmless, and keeps the
    # demo's stale example whether or not it listens.
    services.mark_stale(original)

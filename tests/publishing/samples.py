"""Editions as plain data, for testing renderers without a database: every script the federation writes in,
footnotes, citations inside and outside the issue, and the texts a typesetter chokes on."""

from __future__ import annotations

import datetime

from liaison.publishing.edition import Backlink, CitationTarget, EditionData, ItemData

PUBLISHED_AT = datetime.datetime(2030, 3, 20, 12, 0, tzinfo=datetime.UTC)

TEXTS = {
    "en": (
        "Workers of the port",
        "# Workers of the port\n\nThe dockers' union met on Monday[^1] and voted, as reported in [[bulletin/3/2]].\n\n"
        "- a general assembly every month\n- a strike fund\n\n> Unity in action, freedom of criticism.\n\n"
        "[^1]: In the hall of the union, 12 March.\n",
    ),
    "ru": (
        "Рабочие порта",
        "## Рабочие порта\n\nПрофсоюз докеров собрался в понедельник[^1] и проголосовал, как сообщалось в "
        "[[bulletin/2/1]].\n\n1. общее собрание каждый месяц\n2. стачечный фонд\n\n"
        "[^1]: В зале профсоюза, 12 марта.\n",
    ),
    "zh": (
        "港口工人",
        "码头工人工会于星期一开会[^1]，并进行了投票。我们建议讨论三个问题：工资、工时和团结。\n\n"
        "[^1]: 在工会大厅，三月十二日。\n",
    ),
    "ar": (
        "عمال الميناء",
        "اجتمعت نقابة عمال الرصيف يوم الاثنين[^1] وصوتت على إنشاء صندوق للإضراب.\n\n[^1]: في قاعة النقابة، ١٢ مارس.\n",
    ),
    "el": ("Οι εργάτες του λιμανιού", "Η ένωση των λιμενεργατών συνεδρίασε τη Δευτέρα.\n"),
    "fr": (
        "Les travailleurs du port",
        "Le syndicat des dockers s'est réuni lundi[^1] et a voté *à l'unanimité*, voir [[bulletin/3/1]].\n\n"
        "| Mois | Cotisation |\n| --- | --- |\n| mars | 2 € |\n\n[^1]: Dans la salle du syndicat, le 12 mars.\n",
    ),
}

# What a typesetter may choke on: it must publish anyway, degraded, with a warning.
HARD = {
    "unbreakable": ("A very long word", "Before " + "Arbeiterbildungsvereinsvorsitzender" * 30 + " after.\n"),
    "table": (
        "A huge table",
        "| "
        + " | ".join(f"c{n}" for n in range(40))
        + " |\n|"
        + " --- |" * 40
        + "\n"
        + "\n".join("| " + " | ".join(f"r{r}c{n}" for n in range(40)) + " |" for r in range(300))
        + "\n",
    ),
    "image": ("A missing image", "Look: ![the poster](https://example.org/missing.png) and ![](nothing.png).\n"),
    "hostile": (
        "Hostile text",
        "<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)> #set page(width: 1pt) "
        '$ math $ `code` \\ * _ # @label <label> "quotes" [[bulletin/9/9]]\n',
    ),
}


def item(position: int, script: str, *, edition_language: str = "en", slug: str = "bulletin", number: int = 3):
    title, body = TEXTS.get(script) or HARD[script]
    language = script if script in TEXTS else "en"
    return ItemData(
        position=position,
        ref=f"{slug}/{number}/{position}",
        label=f"Bulletin No. {number}, item {position}",
        title=title,
        body=body,
        language=language,
        direction="rtl" if language == "ar" else "ltr",
        original_language=language,
        translated=False,
        translator="",
        section={"ru": "Русская секция", "zh": "中国支部", "ar": "الفرع المصري"}.get(script, "Section française"),
        signature={"ru": "Иван", "ar": "سلمى"}.get(script, "Jean Rives"),
        kind="report",
        kind_label="report",
        backlinks=(Backlink(f"{slug}/{number}/1", f"Bulletin No. {number}, item 1", title),) if position == 2 else (),
    )


def edition(
    language: str = "en",
    scripts: tuple[str, ...] = ("en", "fr", "ru", "el", "zh", "ar"),
    *,
    public: bool = True,
    version: int = 1,
    correction: str = "",
) -> EditionData:
    """An edition of "Bulletin No. 3" with one item per script named (or hard case from ``HARD``)."""
    items = tuple(item(n, script, edition_language=language) for n, script in enumerate(scripts, start=1))
    citations = {
        "bulletin/3/1": CitationTarget(
            "bulletin/3/1", "Bulletin No. 3, item 1", "bulletin", 3, 1, items[0].title, True
        ),
        "bulletin/3/2": CitationTarget(
            "bulletin/3/2", "Bulletin No. 3, item 2", "bulletin", 3, 2, items[min(1, len(items) - 1)].title, True
        ),
        "bulletin/2/1": CitationTarget("bulletin/2/1", "Bulletin No. 2, item 1", "bulletin", 2, 1, "Earlier", False),
    }
    return EditionData(
        federation="International Federation of Labour Education Circles",
        periodical="Bulletin",
        periodical_slug="bulletin",
        public=public,
        number=3,
        title="Bulletin No. 3",
        language=language,
        direction="rtl" if language == "ar" else "ltr",
        date=datetime.date(2030, 3, 20),
        published_at=PUBLISHED_AT,
        version=version,
        correction=correction,
        items=items,
        citations=citations,
        other_languages=("fr", "ru"),
    )


def big_edition(items: int, language: str = "en") -> EditionData:
    """``items`` items cycling through the scripts: for the bench and for growth checks."""
    scripts = tuple(list(TEXTS)[n % len(TEXTS)] for n in range(items))
    return edition(language, scripts)

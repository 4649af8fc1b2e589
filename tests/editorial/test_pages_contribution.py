"""A contribution's pages through the real forms: writing (text or file), hostile input, every script, the workflow
actions with and without HTMX, the history the section reads, editing with a conflict, and comparing revisions."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.editorial import services
from liaison.editorial.models import Contribution, Revision, State

HOSTILE = """# Hello

<script>alert("stolen")</script>

<img src=x onerror=alert(1)>

[click me](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

<a href="javascript:alert(2)" onclick="alert(3)">raw link</a>

![pixel](javascript:alert(4)) ![inline](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)

A footnote[^1].

[^1]: <iframe src="javascript:alert(5)"></iframe>
"""


class Markup(HTMLParser):
    """Every element and attribute a page really contains (text, however it reads, is not markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def assert_inert(html: str) -> None:
    """No script but the site's own, no event handler, no ``javascript:`` or ``data:`` URL anywhere in the markup.

    Text that merely reads "javascript:" or "onerror=" (the author's words, escaped and shown as such) is inert,
    which is why the markup is parsed rather than searched."""
    markup = Markup()
    markup.feed(html)
    for tag, attrs in markup.tags:
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs
        assert tag not in ("iframe", "object", "embed", "img"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action", "formaction", "hx-post", "hx-get"):
                assert not value.strip().lower().startswith(("javascript:", "data:")), (tag, name, value)


def body_of(html: str) -> str:
    match = re.search(r'<div class="contribution-body"[^>]*>(.*?)</div>\s*</?section', html, re.S)
    assert match, "no contribution body on the page"
    return match[1]


def new(client, data, *, section="alpha", files=None):
    return client.post(f"/contributions/new/?section={section}", {**data, **(files or {})})


@pytest.fixture
def form(bulletin):
    return {"periodical": bulletin.pk, "title": "Our report", "language": "fr", "kind": "report", "body": "Text."}


# Writing ---------------------------------------------------------------------------------------------------------


def test_it_saves_a_draft_answering_a_call(world, client_as, form, call):
    client = client_as("corr_a")
    page = client.get(f"/contributions/new/?section=alpha&call={call.pk}")
    assert page.context["form"].initial["call"] == call.pk
    signer = world.people["member"]
    response = new(client, {**form, "call": call.pk, "signed_by": signer.pk})
    contribution = Contribution.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contributions/{contribution.pk}/"
    assert (contribution.state, contribution.call, contribution.signed_by) == (State.DRAFT, call, signer)
    page = client.get(response["Location"])
    assert "is saved as a draft" in page.content.decode()
    assert "Alpha Member" in page.content.decode()


def test_it_refuses_a_signature_from_outside_the_section(world, client_as, form):
    response = new(client_as("corr_a"), {**form, "signed_by": world.people["corr_b"].pk})
    assert response.status_code == 400
    assert response.context["form"].errors["signed_by"]
    assert not Contribution.objects.exists()


def test_it_shows_the_services_refusal_next_to_the_field(client_as, form):
    response = new(client_as("corr_a"), {**form, "language": "klingon"})
    assert response.status_code == 400
    assert "Unknown language code" in str(response.context["form"].errors["language"])
    assert "Nothing was saved" in response.content.decode()


def test_an_empty_text_says_what_to_do(client_as, form):
    response = new(client_as("corr_a"), {**form, "body": "   "})
    assert response.status_code == 400
    assert "upload it as a file" in str(response.context["form"].errors["body"])


def test_a_text_past_the_limit_is_refused_by_the_service(client_as, form):
    response = new(client_as("corr_a"), {**form, "body": "word " * 41_000})
    assert response.status_code == 400
    assert "at most 200000" in str(response.context["form"].errors["body"]).replace(",", "")
    assert not Contribution.objects.exists()


def test_it_takes_the_text_from_a_utf8_file(client_as, form):
    text = "# Доклад\n\nТекст секции.\n"
    upload = SimpleUploadedFile("report.md", "\ufeff".encode() + text.encode(), content_type="text/markdown")
    response = new(client_as("corr_a"), {**form, "body": ""}, files={"upload": upload})
    assert response.status_code == 302
    assert Contribution.objects.get().body == text


def test_it_refuses_a_file_that_is_not_utf8(client_as, form):
    upload = SimpleUploadedFile("report.txt", "Rapport de la section, été".encode("latin-1"))
    response = new(client_as("corr_a"), {**form, "body": ""}, files={"upload": upload})
    assert response.status_code == 400
    error = str(response.context["form"].errors["upload"])
    assert "not UTF-8" in error
    assert not Contribution.objects.exists()


def test_it_refuses_a_file_over_two_megabytes(client_as, form):
    upload = SimpleUploadedFile("big.md", b"a " * (1024 * 1024 + 1))
    response = new(client_as("corr_a"), {**form, "body": ""}, files={"upload": upload})
    assert response.status_code == 400
    assert "2 MB" in str(response.context["form"].errors["upload"])
    assert not Contribution.objects.exists()


def test_it_refuses_a_file_of_another_kind(client_as, form):
    upload = SimpleUploadedFile("report.docx", b"PK\x03\x04")
    response = new(client_as("corr_a"), {**form, "body": ""}, files={"upload": upload})
    assert response.status_code == 400
    assert ".md" in str(response.context["form"].errors["upload"])


def test_it_will_not_choose_between_a_text_and_a_file(client_as, form):
    upload = SimpleUploadedFile("report.md", b"From the file")
    response = new(client_as("corr_a"), form, files={"upload": upload})
    assert response.status_code == 400
    assert "not both" in str(response.context["form"].errors["upload"])
    assert "Text.</textarea>" in response.content.decode()


def test_hostile_markdown_is_stored_but_rendered_inert(world, client_as, form, make_contribution, issue):
    client = client_as("corr_a")
    response = new(client, {**form, "body": HOSTILE})
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.body == HOSTILE.replace("\r\n", "\n")
    page = client.get(f"/contributions/{contribution.pk}/").content.decode()
    assert_inert(page)
    body = body_of(page)
    assert "<script" not in body and "<iframe" not in body
    assert "&lt;script&gt;" in body  # shown as the author's text, never run
    assert_inert(client.get(f"/contributions/{contribution.pk}/edit/").content.decode())
    # Published, it reaches anonymous readers the same way.
    services.submit(world.actor("corr_a"), contribution)
    services.transition(world.actor("editor"), contribution, State.ACCEPTED)
    item = services.place(world.actor("editor"), contribution, issue, reason="test")
    services.mark_published(world.actor("editor"), issue)
    public = client_as("anonymous").get(f"/bulletins/bulletin/1/{item.position}/")
    assert public.status_code == 200
    assert_inert(public.content.decode())
    assert "<script" not in body_of(public.content.decode())


@pytest.mark.parametrize(
    ("title", "body", "language", "direction"),
    [
        ("Доклад секции о конференции", "Мы предлагаем обсудить **три** вопроса.", "ru", "ltr"),
        ("关于会议的报告", "我们建议讨论三个问题。", "zh", "ltr"),
        ("تقرير القسم عن المؤتمر", "نقترح مناقشة ثلاث مسائل.", "ar", "rtl"),
    ],
)
def test_titles_and_texts_in_every_script_are_shown_as_written(client_as, form, title, body, language, direction):
    client = client_as("corr_a")
    response = new(client, {**form, "title": title, "body": body, "language": language})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f'<h1 dir="auto" lang="{language}">{title}</h1>' in page
    assert f'<div class="contribution-body" lang="{language}" dir="{direction}">' in page
    assert body.replace("**три**", "<strong>три</strong>") in page
    dashboard = client.get("/sections/alpha/dashboard/").content.decode()
    assert f'dir="auto" lang="{language}">{title}</a>' in dashboard


# The workflow ----------------------------------------------------------------------------------------------------


def test_an_action_with_htmx_answers_the_fragment(client_as, make_contribution):
    contribution = make_contribution(State.DRAFT)
    response = client_as("corr_a").post(
        f"/contributions/{contribution.pk}/move/", {"to_state": State.SUBMITTED}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="workflow"')
    assert "<html" not in html
    assert "is now submitted" in html  # the message, inside the fragment
    assert 'role="status"' in html
    contribution.refresh_from_db()
    assert contribution.state == State.SUBMITTED


def test_an_action_without_javascript_redirects_with_a_message(client_as, make_contribution):
    contribution = make_contribution(State.DRAFT)
    client = client_as("corr_a")
    response = client.post(f"/contributions/{contribution.pk}/move/", {"to_state": State.SUBMITTED})
    assert response.status_code == 302
    assert response["Location"] == f"/contributions/{contribution.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert page.count("is now submitted") == 1
    contribution.refresh_from_db()
    assert contribution.state == State.SUBMITTED


def test_a_return_without_a_reason_is_refused_next_to_the_reason(client_as, make_contribution):
    contribution = make_contribution(State.SUBMITTED)
    client = client_as("editor")
    url = f"/contributions/{contribution.pk}/move/"
    response = client.post(url, {"to_state": State.RETURNED, "reason": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Give the reason" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.post(url, {"to_state": State.RETURNED})
    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    contribution.refresh_from_db()
    assert contribution.state == State.SUBMITTED


def test_a_refused_move_says_why(client_as, make_contribution):
    contribution = make_contribution(State.ACCEPTED)
    response = client_as("editor").post(
        f"/contributions/{contribution.pk}/move/", {"to_state": State.DECLINED, "reason": "no"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "cannot become declined" in response.content.decode()


def test_the_section_reads_who_returned_it_when_and_why(client_as, make_contribution):
    contribution = make_contribution(State.SUBMITTED)
    client_as("editor").post(
        f"/contributions/{contribution.pk}/move/",
        {"to_state": State.RETURNED, "reason": "Please cut the second part <b>now</b>."},
    )
    for role in ("corr_a", "member"):
        page = client_as(role).get(f"/contributions/{contribution.pk}/").content.decode()
        assert "Editor Pseud" in page
        assert "Please cut the second part &lt;b&gt;now&lt;/b&gt;." in page
        assert "from submitted to returned" in page
    assert client_as("corr_b").get(f"/contributions/{contribution.pk}/").status_code == 403
    dashboard = client_as("corr_a").get("/sections/alpha/dashboard/").content.decode()
    assert "Please cut the second part" in dashboard


def test_a_reader_of_a_published_item_sees_the_text_not_the_history(client_as, make_contribution):
    contribution = make_contribution(State.PUBLISHED)
    page = client_as("anonymous").get(f"/contributions/{contribution.pk}/").content.decode()
    assert contribution.body in page
    assert "History" not in page and "Revisions" not in page
    assert "Submit" not in page and "Edit the text" not in page


def test_the_buttons_are_the_moves_allowed_to_each(client_as, make_contribution):
    contribution = make_contribution(State.SUBMITTED)
    section = client_as("corr_a").get(f"/contributions/{contribution.pk}/")
    editor = client_as("editor").get(f"/contributions/{contribution.pk}/")
    assert [a["to"] for a in section.context["actions"]] == [State.WITHDRAWN]
    assert sorted(a["to"] for a in editor.context["actions"]) == sorted(
        [State.RETURNED, State.ACCEPTED, State.DECLINED]
    )
    assert 'name="reason"' in editor.content.decode()


def test_an_editor_takes_a_placed_item_out_from_its_page(client_as, make_contribution, issue):
    first = make_contribution(State.PLACED, title="First", issue=issue)
    second = make_contribution(State.PLACED, section="b", title="Second", issue=issue)
    response = client_as("editor").post(
        f"/contributions/{first.pk}/move/", {"to_state": State.ACCEPTED, "reason": "Next issue."}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == State.ACCEPTED
    assert second.item.position == 1


# Editing and conflicts -------------------------------------------------------------------------------------------


def edit_data(page, **changes):
    form = page.context["form"]
    data = {name: form.initial.get(name, "") for name in ("base_version", "title", "language", "kind", "body")}
    data["signed_by"] = form.initial.get("signed_by") or ""
    return {**data, **changes}


def test_the_edit_page_carries_the_version(client_as, make_contribution):
    contribution = make_contribution(State.DRAFT)
    page = client_as("corr_a").get(f"/contributions/{contribution.pk}/edit/")
    assert '<input type="hidden" name="base_version" value="1"' in page.content.decode()
    response = client_as("corr_a").post(f"/contributions/{contribution.pk}/edit/", edit_data(page, body="Better."))
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert (contribution.body, contribution.version) == ("Better.", 2)


def test_two_editors_from_the_same_version_lose_nothing(world, client_as, make_contribution):
    contribution = make_contribution(State.DRAFT, body="The original text.\nSecond line.")
    first, second = client_as("corr_a"), client_as("corr_a")
    url = f"/contributions/{contribution.pk}/edit/"
    page_one, page_two = first.get(url), second.get(url)
    assert first.post(url, edit_data(page_one, body="Theirs: a shorter text.\nSecond line.")).status_code == 302

    response = second.post(url, edit_data(page_two, title="Our title, changed", body="Yours: <b>a longer</b> text."))
    assert response.status_code == 409
    html = response.content.decode()
    conflict = response.context["conflict"]
    assert (conflict.theirs.body, conflict.yours.body) == (
        "Theirs: a shorter text.\nSecond line.",
        "Yours: <b>a longer</b> text.",
    )
    assert "Someone saved this contribution while you were editing it" in html
    assert "Theirs (revision 2)" in html and "Yours (revision 3)" in html
    assert '<table class="diff">' in html and "<del>" in html and "<ins>" in html
    assert "<b>a longer</b>" not in html and "&lt;b&gt;a longer&lt;/b&gt;" in html
    # The form is prefilled with this person's text, against the version saved meanwhile.
    assert response.context["form"].initial["body"] == "Yours: <b>a longer</b> text."
    assert response.context["form"].initial["title"] == "Our title, changed"
    assert '<input type="hidden" name="base_version" value="2"' in html
    assert Revision.objects.get(contribution=contribution, number=3).conflict

    again = second.post(url, edit_data(response))
    assert again.status_code == 302
    contribution.refresh_from_db()
    assert contribution.body == "Yours: <b>a longer</b> text."
    assert list(contribution.revisions.values_list("body", flat=True)) == [
        "The original text.\nSecond line.",
        "Theirs: a shorter text.\nSecond line.",
        "Yours: <b>a longer</b> text.",
        "Yours: <b>a longer</b> text.",
    ]


def test_a_section_cannot_edit_what_it_submitted(client_as, make_contribution):
    contribution = make_contribution(State.SUBMITTED)
    assert client_as("corr_a").get(f"/contributions/{contribution.pk}/edit/").status_code == 403
    assert client_as("editor").get(f"/contributions/{contribution.pk}/edit/").status_code == 200


# Comparing revisions ---------------------------------------------------------------------------------------------


def test_the_diff_page_compares_two_revisions_and_escapes_everything(world, client_as, make_contribution):
    contribution = make_contribution(State.DRAFT, body="Line one.\n<script>alert(1)</script>\nLine three.")
    services.save_contribution(
        world.actor("corr_a"),
        contribution,
        base_version=1,
        title="Our report",
        language="fr",
        kind="report",
        body="Line one.\n<script>alert(2)</script> <img src=x onerror=alert(3)>\nLine three.",
    )
    client = client_as("corr_a")
    response = client.get(f"/contributions/{contribution.pk}/diff/?a=1&b=2")
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html)
    assert "<del>1</del>" in html and "<ins>2</ins>" in html
    assert "&lt;script&gt;" in html
    assert client.get(f"/contributions/{contribution.pk}/diff/").context["new"].number == 2
    assert client.get(f"/contributions/{contribution.pk}/diff/?a=1&b=9").status_code == 404
    assert client.get(f"/contributions/{contribution.pk}/diff/?a=x&b=1").status_code == 404


def test_the_diff_marks_words_in_chinese_one_character_at_a_time(world, client_as, make_contribution):
    contribution = make_contribution(State.DRAFT, body="我们建议讨论三个问题。", language="zh")
    services.save_contribution(
        world.actor("corr_a"),
        contribution,
        base_version=1,
        title="Our report",
        language="zh",
        kind="report",
        body="我们建议讨论四个问题。",
    )
    html = client_as("corr_a").get(f"/contributions/{contribution.pk}/diff/?a=1&b=2").content.decode()
    assert "<del>三</del>" in html and "<ins>四</ins>" in html


FRAGMENTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[a](javascript:alert(1))",
    "[b](JaVaScRiPt:alert(1))",
    "[c](data:text/html,<script>alert(1)</script>)",
    "![d](data:image/png;base64,AAAA)",
    '<a href="javascript:x" onmouseover="y">z</a>',
    "<svg onload=alert(1)>",
    "[[bulletin/1/1]]",
    "> - * nested\n>   - list",
    "| a | b |\n|---|---|\n| <b>c</b> | d |",
    "`<script>` in code",
    "\u202e\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
]


@given(parts=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(min_size=1, max_size=40)), min_size=1, max_size=8))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_through_the_form_is_saved_or_refused_and_never_runs(client_as, form, parts):
    client = client_as("corr_a")
    body = "\n\n".join(parts)
    response = new(client, {**form, "body": body})
    if response.status_code == 400:
        # Refused, and said so next to a field (an empty text, a NUL character, a citation of nothing...).
        assert response.context["form"].errors
        return
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert_inert(page.content.decode())
    assert "<script" not in body_of(page.content.decode())


def test_choosing_the_section_as_signer_again_is_saved(world, client_as, make_contribution):
    contribution = make_contribution(State.DRAFT)
    url = f"/contributions/{contribution.pk}/edit/"
    client = client_as("corr_a")
    client.post(url, edit_data(client.get(url), signed_by=world.people["member"].pk))
    client.post(url, edit_data(client.get(url), signed_by=""))
    contribution.refresh_from_db()
    assert contribution.signed_by is None

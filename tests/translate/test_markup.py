"""Protecting Slack markup from translators and restoring it, whatever the translator does to placeholders."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from handlers.translate.markup import protect, quiet_broadcasts, restore
from tests.support.libretranslate import FakeLibreTranslate, fake_translation

SAMPLE = (
    "Hi <@U123|ada> and <#C42|sales>, see <https://x.test/a?b=1|the doc> :wave::skin-tone-2: "
    "<!here> <!subteam^S1|@support> `run --fast` mail ops@acme.test or https://y.test/z. "
    "```\nline one\nline two\n``` at 10:30:45 a &lt; b &amp;&amp; c"
)
KEPT = [
    "<@U123|ada>",
    "<#C42|sales>",
    "<https://x.test/a?b=1|the doc>",
    ":wave::skin-tone-2:",
    "<!here>",
    "<!subteam^S1|@support>",
    "`run --fast`",
    "ops@acme.test",
    "https://y.test/z",
    "```\nline one\nline two\n```",
]


def test_every_kind_of_markup_is_replaced_by_a_placeholder():
    protected = protect(SAMPLE)
    for token in KEPT:
        assert token not in protected.text
        assert token in protected.tokens
    assert "10:30:45" in protected.text, "a time is not an emoji code"
    assert "a < b && c" in protected.text, "the translator sees plain characters, not Slack escapes"
    assert not re.search(r"<[@#!h]|`|:wave:|@acme", protected.text)


def test_restore_puts_everything_back_and_escapes_again():
    protected = protect(SAMPLE)
    restored = restore(fake_translation(protected.text, "de"), protected.tokens)
    for token in KEPT:
        assert token in restored
    assert "A &lt; B &amp;&amp; C" in restored
    assert restored.startswith("[de] HI <@U123|ada> AND <#C42|sales>")


def test_restore_tolerates_what_translators_do_to_placeholders():
    protected = protect("Thanks <@U1>, see <https://x.test|doc>")
    fake = FakeLibreTranslate()
    try:
        for mangle in ("spaces", "fullwidth"):
            fake.mangle = mangle
            restored = restore(fake.translate(protected.text, "ja"), protected.tokens)
            assert restored == "[ja] THANKS <@U1>, SEE <https://x.test|doc>", mangle
        fake.mangle = "drop"
        restored = restore(fake.translate(protected.text, "ja"), protected.tokens)
        assert "<@U1>" in restored and "<https://x.test|doc>" in restored, "lost pieces are appended"
    finally:
        fake.stop()


def test_other_brackets_translators_use_are_read_back():
    protected = protect("a <@U1> b <@U2>")
    assert restore("x 【0】 y ［ 1 ］", protected.tokens) == "x <@U1> y <@U2>"


def test_text_that_looks_like_a_placeholder_is_kept_as_typed():
    protected = protect("see note [1] and <@U1>")
    assert restore(protected.text, protected.tokens) == "see note [1] and <@U1>"


def test_glossary_terms_match_whole_words_in_any_case():
    protected = protect("ACME Cloud and acme cloud's plan, not AcmeCloudy; AT&amp;T too", ["Acme Cloud", "AT&T"])
    assert protected.tokens == ("ACME Cloud", "acme cloud", "AT&amp;T")
    assert "AcmeCloudy" in protected.text
    assert restore(protected.text, protected.tokens) == "ACME Cloud and acme cloud's plan, not AcmeCloudy; AT&amp;T too"


def test_repeated_markup_shares_one_placeholder():
    protected = protect("<@U1> meets <@U1>")
    assert protected.tokens == ("<@U1>",)
    assert protected.text == "⟦0⟧ meets ⟦0⟧"


def test_markup_only_text_has_no_words():
    assert not protect("<@U1> :wave: <https://x.test> 12:30").has_words
    assert protect("<@U1> hello").has_words


def test_broadcasts_are_quietened_for_posts():
    assert quiet_broadcasts("<!here> <!channel|channel> <!everyone> <!subteam^S1|@ops> <@U1>") == (
        "@here @channel @everyone @ops <@U1>"
    )


slack_text = st.lists(
    st.one_of(
        st.text(alphabet="abc xyzÄé日本 .,!?\n", max_size=12),  # Slack sends & < > escaped only
        st.sampled_from(["<@U1>", "<#C1|x>", "<https://x.test|a b>", ":tada:", "`x y`", "&lt;", "&amp;", "[3]"]),
    ),
    max_size=12,
).map("".join)


@given(slack_text)
def test_protect_then_restore_is_the_identity(text):
    protected = protect(text, ["abc"])
    assert restore(protected.text, protected.tokens) == text

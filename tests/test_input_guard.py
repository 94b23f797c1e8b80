"""The input guard: what Rasa gets to see for odd, long or hostile input."""

from bot.rasa.input_guard import NO_CONTENT_PAYLOAD, PayloadPolicy, guard

POLICY = PayloadPolicy(frozenset({"greet", "request_human", "ask_jobcoaching"}), frozenset({"gemeente"}))


def see(raw, max_length=1000):
    return guard(raw, POLICY, max_length)


def test_plain_text_passes_unchanged():
    assert see("Heb ik recht op een jobcoach?").text == "Heb ik recht op een jobcoach?"


def test_empty_whitespace_and_non_text_become_no_content():
    for raw in ["", "   \n\t", None, 42, {"a": 1}]:
        assert see(raw).text == NO_CONTENT_PAYLOAD


def test_only_emoji_or_punctuation_becomes_no_content():
    for raw in ["😊😊😊", "???", "...", "👍🏽", "—"]:
        assert see(raw).text == NO_CONTENT_PAYLOAD


def test_long_message_is_cut_and_flagged():
    result = see("a" * 10_000, max_length=1000)
    assert result.truncated and len(result.text) == 1000
    assert not see("kort bericht").truncated


def test_control_characters_are_removed_and_text_normalised():
    assert see("hoi\u0000 daar\u202e").text == "hoi daar"
    assert see("cafe\u0301").text == "café"


def test_button_payload_for_known_intent_passes():
    assert see("/request_human").text == "/request_human"
    assert see('/ask_jobcoaching{"gemeente": "GM0344"}').text == '/ask_jobcoaching{"gemeente": "GM0344"}'


def test_typed_payload_for_unknown_intent_becomes_words():
    assert see('/delete_everything{"x": "y"}').text == "delete everything  x :  y"
    assert see("/nlu_fallback").text == "nlu fallback"


def test_payload_with_protected_or_odd_entities_becomes_words():
    assert not see('/greet{"consent": "ja"}').text.startswith("/")
    assert not see('/greet{"gemeente": ["GM0344"]}').text.startswith("/")
    assert not see("/greet{not json}").text.startswith("/")


def test_slash_alone_is_no_content():
    assert see("/").text == NO_CONTENT_PAYLOAD
    assert see("/{}").text == NO_CONTENT_PAYLOAD


def test_html_and_sql_are_passed_as_text_not_changed():
    for raw in ["<script>alert(1)</script>", "'; DROP TABLE events; --"]:
        assert see(raw).text == raw


def test_bsn_and_iban_are_removed_before_rasa_sees_them():
    result = see("mijn bsn is 111222333 en mijn rekening NL91ABNA0417164300")
    assert "111222333" not in result.text and "NL91ABNA0417164300" not in result.text
    assert result.removed_numbers and "[BSN verwijderd]" in result.text
    assert not see("bel me op 0612345678").removed_numbers

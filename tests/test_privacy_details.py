"""What the input guard takes out of a message before anything is stored (issue #15, group 3), without Rasa:
every BSN and IBAN variant of the issue, street addresses, postcodes and full dates, contact details in a button
payload, personal details in a sender id; and the rate limiter (group 4)."""

from __future__ import annotations

import pytest
import yaml

from bot.common.privacy import scrub, scrub_with_kinds
from bot.common.rate_limit import RateLimiter
from bot.rasa.input_guard import HASHED_SENDER_PREFIX, NOT_TEXT, PayloadPolicy, guard, safe_sender_id
from bot.tools.bench.pii import KINDS, SENTENCES, measure, ours

# The variants of the issue, then our own.
BSNS = [
    "123  456  708",
    "123/456/721",
    "123_456_733",
    "+123456745",
    "123456708",
    "123.456.708",
    "123 - 456 - 721",
    "12 34 56 708",
]
IBANS = [
    "NL64-ABNA-0417-1643-01",
    "NL37.ABNA.0417.1643.02",
    "NL10  ABNA 0417 1643 03",
    "NL91ABNA0417164300",
    "nl91 abna 0417 1643 00",
    "NL91_ABNA_0417_1643_00",
]
DETAILS = {
    "address": ["Kerkstraat 12", "dorpsstraat 3a", "Laan van Nieuw Oost-Indië 45", "Havenweg 8-2"],
    "postcode": ["3512 AB", "3512ab", "1011AB"],
    "date": ["12-03-1985", "01/02/1990", "1985-03-12", "3 maart 1985", "5-6-99"],
}
POLICY = PayloadPolicy(frozenset({"inform"}), frozenset({"preferred_time", "gemeente", "channel"}))


@pytest.mark.parametrize("number", BSNS + IBANS)
def test_every_bsn_and_iban_variant_is_removed(number: str) -> None:
    text, kinds = scrub_with_kinds(f"Mijn nummer is {number}, klopt dat?")
    assert number not in text and "".join(c for c in number if c.isdigit())[-3:] not in text
    assert kinds & {"bsn", "iban"} and guard(f"nummer {number}", POLICY, 1000).removed_numbers


@pytest.mark.parametrize("kind,detail", [(k, d) for k, values in DETAILS.items() for d in values])
def test_addresses_postcodes_and_dates_are_removed(kind: str, detail: str) -> None:
    result = guard(f"Ik woon hier: {detail} en meer niet", POLICY, 1000)
    assert detail not in result.text and result.removed_details and not result.removed_numbers
    assert kind in scrub_with_kinds(detail)[1]


@pytest.mark.parametrize(
    "text",
    [
        "Ik zit sinds 2015 in de Wajong.",
        "Ik werk 20 uur per week.",
        "Bel me op 0612345678",
        "Mijn afspraak is op 12 maart.",
        "Ik woon in Utrecht, in de Kerkstraat.",
        "Ik loop elke dag 2 uur in het park",
        "Ik ben 23 jaar",
        "om 10.30 uur",
    ],
)
def test_ordinary_sentences_are_left_alone(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(
    "text", ["wat is de status van ww 6944 hn?", "WW 6944 HN", "mijn code is ww.6944.hn", "ww6944hn", "WW-6944-HN"]
)
def test_a_reference_code_with_a_postcode_shape_is_kept(text: str) -> None:
    """Codes like WW-6944-HN look like a postcode after "ww ": the person's code stays, so the status is found."""
    result = guard(text, POLICY, 1000)
    assert result.text == text and not result.removed_details
    assert scrub_with_kinds("Ik woon op 6944 HN in Didam")[1] == frozenset({"postcode"}), "a postcode still goes"


def test_on_the_measured_sentences_nothing_is_missed_and_nothing_wrongly_removed() -> None:
    """The figures of docs/measures/pii.md: names are not detected (kept, as the privacy answer says)."""
    result = measure(ours)
    assert all(result["found"][k] == result["total"][k] for k in KINDS if k != "name")
    assert result["false_positives"] == []
    assert len(yaml.safe_load(SENTENCES.read_text(encoding="utf-8"))) >= 40


@pytest.mark.parametrize("value", ["0611111104 of a@example.com", "a@example.com", "06 1111 1104", "bel 0611111104"])
def test_contact_details_in_a_button_entity_make_it_plain_words(value: str) -> None:
    result = guard('/inform{"preferred_time": "%s"}' % value, POLICY, 1000)
    assert not result.text.startswith("/"), "not a payload: the channel's contact vault takes the words"
    assert "123456708" not in guard('/inform{"preferred_time": "123456708"}', POLICY, 1000).text


def test_plain_button_values_stay_payloads() -> None:
    for value in ("ochtend", "geen voorkeur", "GM0344", "chat of beeldbellen"):
        payload = '/inform{"preferred_time": "%s"}' % value
        assert guard(payload, POLICY, 1000).text == payload


@pytest.mark.parametrize("raw", [{"text": "mijn bsn is 123456708"}, ["a"], 42, 1.5, True, NOT_TEXT])
def test_a_message_that_is_not_text_goes_no_further(raw) -> None:
    result = guard(raw, POLICY, 1000)
    assert result.not_text


@pytest.mark.parametrize(
    "sender",
    [
        "0612345678",
        "user-123456708",
        "jan@example.com",
        "NL91ABNA0417164300",
        "x" * 200_000,
        "a b",
        "ik-123/456/721",
        "k\u00e9n",
    ],
)
def test_a_sender_id_with_personal_details_or_odd_characters_becomes_a_keyed_hash(sender: str) -> None:
    hashed = safe_sender_id(sender, b"key")
    assert hashed.startswith(HASHED_SENDER_PREFIX) and len(hashed) <= 69
    assert hashed == safe_sender_id(sender, b"key"), "the same id: the conversation goes on"
    assert hashed != safe_sender_id(sender, b"other key"), "keyed: a BSN cannot be found back by trying them all"


def test_an_ordinary_sender_id_is_kept() -> None:
    for sender in ("test-abcdefabcdef", "5f1c2a9e", "widget:demo_1"):
        assert safe_sender_id(sender, b"key") == sender


def test_the_rate_limiter_allows_a_burst_then_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b"), "per key"
    now[0] += 20.0  # a third of a minute: one token back
    assert limiter.allow("a") and not limiter.allow("a")
    assert all(RateLimiter(0).allow("a") for _ in range(1000)), "0 switches it off"


def test_the_rate_limiter_forgets_the_oldest_keys() -> None:
    limiter = RateLimiter(1, max_keys=10)
    for i in range(100):
        limiter.allow(str(i))
    assert len(limiter._buckets) == 10 and limiter.allow("0"), "forgotten: a full bucket again"


def test_the_channel_guard_answers_a_flood_from_one_conversation_calmly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Socket.io has no status codes: the guard itself refuses the message and says why (REST answers 429 before)."""
    import asyncio

    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from bot.conversation.messages import text as system_text
    from bot.rasa import channels

    monkeypatch.setattr(channels, "SENDERS", RateLimiter(2))
    seen: list = []

    async def rasa(message: UserMessage) -> None:
        seen.append(message.text)
        await message.output_channel.send_response(message.sender_id, {"text": "Dank je."})

    out = CollectingOutputChannel()
    for _ in range(3):
        asyncio.run(channels.guarded(rasa)(UserMessage("hoi", out, "flood")))
    assert len(seen) == 2 and out.messages[-1]["text"] == system_text("too_fast")
    asyncio.run(channels.guarded(rasa, limit_senders=False)(UserMessage("hoi", out, "flood")))
    assert len(seen) == 3, "REST counted it already in its middleware"

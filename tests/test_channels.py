"""The channel wrapper: cleaned text reaches Rasa, the person is told about cuts, and never left without answer."""

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.common import settings
from bot.rasa.channels import guarded, payload_policy


def handle(text, on_new_message):
    out = CollectingOutputChannel()
    asyncio.run(guarded(on_new_message)(UserMessage(text, out, "s1")))
    return [m["text"] for m in out.messages]


async def answer(message: UserMessage):
    await message.output_channel.send_response(message.sender_id, {"text": f"gezien: {message.text[:20]}"})


def test_rasa_sees_the_cleaned_text_and_answers():
    assert handle("  hallo\u0000 ", answer) == ["gezien: hallo"]


def test_long_text_is_cut_and_the_person_told_first():
    texts = handle("x" * (settings.MAX_MESSAGE_LENGTH + 50), answer)
    assert f"eerste {settings.MAX_MESSAGE_LENGTH} tekens" in texts[0] and texts[1].startswith("gezien: xxx")


def test_failure_inside_rasa_still_gives_an_answer():
    async def broken(message):
        raise RuntimeError("database is weg")

    assert "geen antwoord" in handle("hallo", broken)[0]


def test_a_message_rasa_gives_up_on_still_gets_an_answer():
    async def timed_out(message):
        raise asyncio.CancelledError()

    out = CollectingOutputChannel()
    try:
        asyncio.run(guarded(timed_out)(UserMessage("hallo", out, "s1")))
    except asyncio.CancelledError:
        pass  # Rasa's REST channel catches it and answers with what was collected
    else:
        raise AssertionError("the cancellation goes on")
    assert "geen antwoord" in out.messages[0]["text"]


def test_no_answer_from_rasa_gives_an_answer():
    async def silent(message):
        return None

    assert "geen antwoord" in handle("hallo", silent)[0]


def test_payload_policy_knows_the_domain_intents_but_not_internal_ones():
    policy = payload_policy()
    assert {"greet", "request_human", "ask_jobcoaching", "restart"} <= policy.intents
    assert "nlu_fallback" not in policy.intents and "session_start" not in policy.intents


def test_a_bsn_never_reaches_rasa_and_the_person_is_told():
    seen = []

    async def record(message):
        seen.append(message.text)
        await answer(message)

    texts = handle("mijn bsn is 111222333", record)
    assert "111222333" not in seen[0] and "weggehaald" in texts[0]

"""A handoff conversation as Rasa 3.6 hands its events to the action server (`tracker.events`), after the one in
issue 17: a 47-year-old woman with MS in Houten clicks buttons, asks two questions the assistant cannot answer,
and gives her phone number. The assistant's texts are its real ones where they matter (the fallback messages)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.conversation.messages import message

START = 1795600000.0  # 25-11-2026 09:46 UTC
FIRST_QUESTION = (
    "Ik ben een vrouw van 47 en heb MS. Ik werk sinds 2019 niet meer en mijn man werkt, dus ik krijg "
    "geen uitkering. Ik wil graag weer iets doen, een paar uur per week, maar ik ben snel moe."
)
UNANSWERED = ("hoe lang duurt dat?", "raak ik mijn spaargeld kwijt?")
ARTICLE = (
    "**Recht op ondersteuning zonder uitkering**\n\nOok zonder uitkering kan de gemeente je helpen bij werk.\n"
    "- een jobcoach\n- aanpassingen op je werk\n\nKijk op [www.houten.nl](https://www.houten.nl) of bel 14 030."
)
CONSENT = "Mag ik je vraag en dit gesprek doorgeven aan een consulent van de gemeente?"
YES_NO = [
    {"title": "Ja, geef mijn vraag door", "payload": "/affirm"},
    {"title": "Nee, liever niet", "payload": "/deny"},
]
CHANNELS = [
    {"title": "Telefoon", "payload": '/inform{"channel": "telefoon"}'},
    {"title": "E-mail", "payload": '/inform{"channel": "e-mail"}'},
]
PHONE = "06 12345678"


def conversation() -> List[Dict[str, Any]]:
    events: List[Dict[str, Any]] = [{"event": "session_started", "timestamp": START}]
    clock = [START]

    def at() -> float:
        clock[0] += 7.0
        return clock[0]

    def person(text: str, intent: str) -> None:
        events.append({"event": "action", "name": "action_listen", "timestamp": at()})
        events.append(
            {
                "event": "user",
                "text": text,
                "timestamp": at(),
                "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": []},
            }
        )

    def bot(text: str, buttons: Optional[List[Dict[str, str]]] = None, utter_action: Optional[str] = None) -> None:
        events.append(
            {
                "event": "bot",
                "text": text,
                "timestamp": at(),
                "data": {
                    "elements": None,
                    "quick_replies": None,
                    "buttons": buttons,
                    "attachment": None,
                    "image": None,
                    "custom": None,
                },
                "metadata": {"utter_action": utter_action} if utter_action else {},
            }
        )

    person("/greet", "greet")  # sent by the widget when it opens
    bot(
        "Hallo! Ik ben Wegwijzer Werk. Waar kan ik je mee helpen?",
        [{"title": "Heb ik recht op hulp?", "payload": "/ask_right_to_support"}],
        "utter_greet",
    )
    person("/ask_right_to_support", "ask_right_to_support")
    bot(
        ARTICLE,
        [
            {"title": "Meer uitleg", "payload": "/more_info"},
            {"title": "Praat met een medewerker", "payload": "/request_human"},
        ],
    )
    person(FIRST_QUESTION, "ask_right_to_support")
    bot("Dan kan de gemeente kijken wat je nodig hebt. **Een jobcoach** helpt je op je werk.")
    person(UNANSWERED[0], "nlu_fallback")
    bot(
        message("did_you_mean")["text"],
        [
            {"title": "Jobcoaching", "payload": "/ask_jobcoaching"},
            {"title": "Nee, iets anders", "payload": "/out_of_scope"},
        ],
    )
    person("/out_of_scope", "out_of_scope")
    bot(message("ask_rephrase")["text"], [{"title": "Praat met een medewerker", "payload": "/request_human"}])
    person(UNANSWERED[1], "nlu_fallback")
    bot(message("give_up")["text"], YES_NO)
    person("/affirm", "affirm")
    bot(CONSENT, YES_NO)
    bot(CONSENT, YES_NO)  # the same message twice in a row: the person saw it once
    person("/affirm", "affirm")
    events.append({"event": "slot", "name": "handoff_consent", "value": True, "timestamp": at()})
    bot("In welke gemeente woon je?")
    person("Houten", "inform")
    bot("Hoe wil je dat de gemeente contact met je opneemt?", CHANNELS)
    person('/inform{"channel": "telefoon"}', "inform")
    bot("Op welk telefoonnummer kan de gemeente je bellen?")
    person(PHONE, "inform")
    bot("Wanneer kan de gemeente je het best bellen?")
    person('/inform{"preferred_time": "ochtend"}', "inform")  # typed, without buttons just before
    bot("Hoe mag de medewerker je noemen?")
    person("Sam", "inform")
    return events

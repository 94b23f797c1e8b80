"""The warm handoff: consent, gemeente, how to be contacted, a check of the summary, then the handoff is stored.

After the yes, what the conversation already told (her phone number or e-mail address, when to call, what she
wants) is not asked again: people who tire quickly get a handoff in a few turns (issue 17)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.gemeente import check_gemeente, gemeente_answer
from actions.latest import latest_intent, latest_text, person_texts, widget_gemeente
from actions.rights import asked_code_to_withdraw, withdraw_answer
from bot.common import settings
from bot.common.db import session_scope
from bot.common.gemeente_contact import contact, contact_sentence
from bot.common.privacy import mask_email, mask_phone, scrub
from bot.common.regions import get_gemeente
from bot.conversation.answers import HUMAN
from bot.conversation.knowledge import library
from bot.conversation.messages import message, text
from bot.handoff import contact_vault
from bot.handoff import texts as handoff_texts
from bot.handoff.config import ConfigError
from bot.handoff.contact import (
    EMAIL,
    TELEFOON,
    InvalidContact,
    validate_channel,
    validate_email,
    validate_phone,
    validate_preferred_time,
)
from bot.handoff.service import HandoffRequest, status_message, submit_handoff
from bot.handoff.situation import situation, told_wish
from bot.handoff.transcript import from_rasa_events
from bot.portal.accounts import reads_handoffs
from bot.understanding.reference import find_code

# Optional, for the consulent's summary (reflection cards, seed 003 §4.4); "Sla de rest over" skips them all.
OPTIONAL_SLOTS = ["handoff_next_step", "handoff_helps", "handoff_in_the_way", "handoff_notes"]
CONTACT_SLOTS = [
    "contact_channel",
    "contact_phone",
    "contact_email",
    "preferred_time",
    "contact_alias",
    *OPTIONAL_SLOTS,
    "handoff_confirmed",
]
ALL_SLOTS = ["handoff_consent", "handoff_consent_at", "handoff_reason"] + CONTACT_SLOTS
# What "aanpassen" on the summary asks again, per button.
CORRECTABLE = {
    "gemeente": ["gemeente"],
    "contact": ["contact_channel", "contact_phone", "contact_email", "preferred_time"],
    "naam": ["contact_alias"],
    "notities": OPTIONAL_SLOTS,
    "toevoegen": ["handoff_notes"],
}
SKIPPED = "-"
SKIP_REST = "rest"
MAX_ALIAS, MAX_NOTES = 40, 500

logger = logging.getLogger(__name__)


def _said_no(tracker: Tracker) -> bool:
    return latest_intent(tracker) == "deny"


def _optional_answer(slot: str) -> Callable[..., Dict[Text, Any]]:
    """The form's check for an optional answer in the person's words (numbers scrubbed): "Overslaan" skips it,
    "Sla de rest over" skips it and every optional question after it."""

    def validate(
        self: Any, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if _said_no(tracker):
            if next(tracker.get_latest_entity_values("field"), None) == SKIP_REST:
                return dict.fromkeys(OPTIONAL_SLOTS[OPTIONAL_SLOTS.index(slot) :], SKIPPED)
            return {slot: SKIPPED}
        return {slot: scrub(str(value)).strip()[:MAX_NOTES] or SKIPPED}

    return validate


class ValidateHandoffForm(FormValidationAction):
    """Checks each answer; what is asked depends on the chosen contact channel."""

    def name(self) -> Text:
        return "validate_handoff_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if tracker.get_slot("handoff_consent") is False:
            return ["handoff_consent"]
        if not_taken(tracker.get_slot("gemeente")):
            return []  # nothing more to ask: action_submit_handoff tells the person how to reach the gemeente
        channel = tracker.get_slot("contact_channel")
        contact = ["contact_phone", "preferred_time"] if channel == TELEFOON else ["contact_email"] if channel else []
        return [
            "handoff_consent",
            "gemeente",
            "contact_channel",
            *contact,
            "contact_alias",
            *OPTIONAL_SLOTS,
            "handoff_confirmed",
        ]

    def validate_handoff_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is True:
            return {
                **already_told(tracker),
                "handoff_consent": True,
                "handoff_consent_at": datetime.now(timezone.utc).isoformat(),
            }
        return {"handoff_consent": False}

    async def extract_gemeente(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # The widget's gemeente, so the form need not ask; not while the form asks for it (after "aanpassen"
        # the person's own answer counts, also a name the model does not know).
        if tracker.get_slot("requested_slot") == "gemeente":
            return gemeente_answer(tracker)
        if tracker.get_slot("gemeente"):
            return {}
        code = widget_gemeente(tracker)
        return {"gemeente": code} if code else {}

    def validate_gemeente(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return check_gemeente(value, dispatcher, tracker)

    def validate_contact_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return _checked("contact_channel", lambda: validate_channel(str(value)), dispatcher)

    def validate_contact_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        real = _from_vault(tracker, contact_vault.PHONE) or str(value)
        return _checked("contact_phone", lambda: mask_phone(validate_phone(real).national), dispatcher)

    def validate_contact_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        real = _from_vault(tracker, contact_vault.EMAIL) or str(value)
        return _checked("contact_email", lambda: mask_email(validate_email(real)), dispatcher)

    def validate_preferred_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return _checked("preferred_time", lambda: validate_preferred_time(str(value)), dispatcher)

    def validate_contact_alias(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"contact_alias": SKIPPED if _said_no(tracker) else scrub(str(value)).strip()[:MAX_ALIAS] or SKIPPED}

    validate_handoff_next_step = _optional_answer("handoff_next_step")
    validate_handoff_helps = _optional_answer("handoff_helps")
    validate_handoff_in_the_way = _optional_answer("handoff_in_the_way")
    validate_handoff_notes = _optional_answer("handoff_notes")

    def validate_handoff_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is True:
            return {"handoff_confirmed": True}
        field = next(tracker.get_latest_entity_values("field"), "contact")
        dispatcher.utter_message(**message("handoff_correct"))
        return dict.fromkeys(CORRECTABLE.get(field, CORRECTABLE["contact"]) + ["handoff_confirmed"])


def already_told(tracker: Tracker) -> Dict[Text, Any]:
    """The form's slots the conversation already answered before the yes, so they are not asked again: the phone
    number or e-mail address she typed (read back from the contact vault only now, after consent), the part of the
    day she said with it, and what she wants. When she said what she wants, the other optional questions are
    skipped and the check offers "stuur mijn vraag zo door"; "Iets toevoegen" there asks for more."""
    person = [e for e in tracker.events if e.get("event") == "user"]
    told: Dict[Text, Any] = {}
    phone, email = _from_vault(tracker, contact_vault.PHONE), _from_vault(tracker, contact_vault.EMAIL)
    try:
        if phone:
            told = {"contact_channel": TELEFOON, "contact_phone": mask_phone(validate_phone(phone).national)}
            moment = _told_time(person)
            told.update({"preferred_time": moment} if moment else {})
        elif email:
            told = {"contact_channel": EMAIL, "contact_email": mask_email(validate_email(email))}
    except InvalidContact:
        told = {}  # the form asks, and says what is wrong with it
    wish = told_wish(" ".join(person_texts(tracker)))
    if wish:
        told.update(
            {
                "handoff_next_step": wish[:MAX_NOTES],
                "contact_alias": SKIPPED,
                **{slot: SKIPPED for slot in OPTIONAL_SLOTS if slot != "handoff_next_step"},
            }
        )
    return {slot: value for slot, value in told.items() if tracker.get_slot(slot) is None}


def _told_time(person: List[Dict[Text, Any]]) -> Optional[str]:
    """The part of the day to call, as a recognised entity or in the message that gave the phone number."""
    for event in reversed(person):
        entities = (event.get("parse_data") or {}).get("entities") or []
        said = [str(e.get("value")) for e in entities if e.get("entity") == "preferred_time"]
        if (event.get("metadata") or {}).get(contact_vault.CONTACT_REF):
            said.append(str(event.get("text") or ""))
        for text_said in said:
            try:
                return validate_preferred_time(text_said)
            except InvalidContact:
                continue
    return None


def _checked(slot: str, check: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    try:
        return {slot: check()}
    except InvalidContact as problem:
        dispatcher.utter_message(text=problem.message)
        return {slot: None}


def _from_vault(tracker: Tracker, kind: str) -> Optional[str]:
    try:
        with session_scope() as session:
            return contact_vault.latest(session, tracker.sender_id, kind, contact_vault.refs_in(tracker.events))
    except SQLAlchemyError:
        return None


class AskMessage(Action):
    """Asks for one slot with the message of the same key."""

    slot = ""
    key = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(**message(self.key))
        return []


def consent_message() -> Dict[str, Any]:
    """What the person says yes to: who gets what, why, how long it is kept, and that it is voluntary."""
    return message("handoff_explain", days=settings.HANDOFF_RETENTION_DAYS)


class ActionAskHandoffConsent(AskMessage):
    slot = "handoff_consent"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(**consent_message())
        return []


class ActionAskContactChannel(AskMessage):
    slot, key = "contact_channel", "handoff_ask_channel"


class ActionAskContactPhone(AskMessage):
    slot, key = "contact_phone", "handoff_ask_phone"


class ActionAskContactEmail(AskMessage):
    slot, key = "contact_email", "handoff_ask_email"


class ActionAskPreferredTime(AskMessage):
    slot, key = "preferred_time", "handoff_ask_time"


class ActionAskContactAlias(AskMessage):
    slot, key = "contact_alias", "handoff_ask_alias"


class ActionAskHandoffNextStep(AskMessage):
    slot, key = "handoff_next_step", "handoff_ask_next_step"


class ActionAskHandoffHelps(AskMessage):
    slot, key = "handoff_helps", "handoff_ask_helps"


class ActionAskHandoffInTheWay(AskMessage):
    slot, key = "handoff_in_the_way", "handoff_ask_in_the_way"


class ActionAskHandoffNotes(AskMessage):
    slot, key = "handoff_notes", "handoff_ask_notes"


class ActionAskHandoffConfirmed(Action):
    """Shows what will be sent, and asks "Klopt dit?"."""

    def name(self) -> Text:
        return "action_ask_handoff_confirmed"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        gemeente = get_gemeente(tracker.get_slot("gemeente") or "")
        channel = tracker.get_slot("contact_channel")
        if channel == TELEFOON:
            contact = f"bellen naar {tracker.get_slot('contact_phone')} ({tracker.get_slot('preferred_time')})"
        else:
            contact = f"{channel} via {tracker.get_slot('contact_email')}"
        not_told = text("not_told")
        told = {slot: _told(tracker, slot) or not_told for slot in ["contact_alias", *OPTIONAL_SLOTS]}
        if _ready(tracker):
            story = "; ".join(situation(person_texts(tracker)).values()) or not_told
            dispatcher.utter_message(
                **message(
                    "handoff_ready",
                    gemeente=gemeente.roo_name if gemeente else not_told,
                    contact=contact,
                    next_step=told["handoff_next_step"],
                    story=story,
                )
            )
            return []
        dispatcher.utter_message(
            **message(
                "handoff_summary",
                gemeente=gemeente.roo_name if gemeente else not_told,
                contact=contact,
                alias=told["contact_alias"],
                next_step=told["handoff_next_step"],
                helps=told["handoff_helps"],
                in_the_way=told["handoff_in_the_way"],
                notes=told["handoff_notes"],
            )
        )
        return []


def _ready(tracker: Tracker) -> bool:
    """She said what she wants and nothing optional is left to ask: one step sends it."""
    skipped = all(tracker.get_slot(s) == SKIPPED for s in ("contact_alias", "handoff_helps", "handoff_in_the_way"))
    return skipped and tracker.get_slot("handoff_notes") == SKIPPED and _told(tracker, "handoff_next_step") is not None


def _told(tracker: Tracker, slot: str) -> Optional[str]:
    """A slot's answer, or None when it was skipped or not asked."""
    value = tracker.get_slot(slot)
    return value if value and value != SKIPPED else None


def with_gemeente_contact(answer: Dict[str, Any], tracker: Tracker) -> Dict[str, Any]:
    """When the person is pointed to their gemeente and it is known: its general number and website too."""
    code = tracker.get_slot("gemeente") or widget_gemeente(tracker)
    return {**answer, "text": f"{answer['text']} {contact_sentence(code)}"} if code else answer


def not_taken(code: Optional[str]) -> Optional[Dict[str, Any]]:
    """For a gemeente that does not take handoffs through the assistant: the message that says so, with its own
    phone number, website and a sentence to use. None when it does, when it is unknown, or when the database
    cannot say (then storing fails honestly later, with handoff_failed)."""
    reach = contact(code)
    if reach is None:
        return None
    try:
        with session_scope() as session:
            if reads_handoffs(session, reach.code):
                return None
    except (SQLAlchemyError, ConfigError):
        return None
    return message("handoff_not_taken", gemeente=reach.name, phone=reach.phone, website=reach.website_link)


def _reset(tracker: Tracker) -> List[Dict[Text, Any]]:
    try:
        with session_scope() as session:
            contact_vault.forget(session, tracker.sender_id, contact_vault.refs_in(tracker.events))
    except SQLAlchemyError:
        pass  # the vault empties itself after VAULT_MINUTES
    return [SlotSet(slot, None) for slot in ALL_SLOTS]


class ActionSubmitHandoff(Action):
    """Stores the handoff (and queues its delivery) when the person agreed; otherwise gives the route to call."""

    def name(self) -> Text:
        return "action_submit_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        if (plainly := not_taken(tracker.get_slot("gemeente"))) is not None:
            dispatcher.utter_message(**plainly)
            return _reset(tracker)
        if tracker.get_slot("handoff_consent") is not True or tracker.get_slot("handoff_confirmed") is not True:
            dispatcher.utter_message(**with_gemeente_contact(message("handoff_declined"), tracker))
            return _reset(tracker)
        if not agreed_in_this_session(tracker):
            logger.warning(
                "Handoff refused: consent and confirmation are not answers in this session (%s)",
                contact_vault.conversation_hash(tracker.sender_id)[:12],
            )
            dispatcher.utter_message(**with_gemeente_contact(message("handoff_failed"), tracker))
            return _reset(tracker)
        try:
            receipt = submit_handoff(self.request(tracker))
        except (InvalidContact, ValueError, ConfigError, SQLAlchemyError):
            dispatcher.utter_message(**with_gemeente_contact(message("handoff_failed"), tracker))
            return _reset(tracker)
        for line in receipt.messages():
            dispatcher.utter_message(text=line)
        return _reset(tracker) + [SlotSet("last_handoff_code", receipt.reference_code)]

    @staticmethod
    def request(tracker: Tracker) -> HandoffRequest:
        channel = tracker.get_slot("contact_channel")
        events = list(tracker.events)
        person = [e for e in events if e.get("event") == "user"]
        articles = list(
            dict.fromkeys(
                e.get("value")
                for e in events
                if e.get("event") == "slot" and e.get("name") == "last_article" and e.get("value")
            )
        )
        return HandoffRequest(
            gemeente_code=tracker.get_slot("gemeente"),
            consent_text=consent_message()["text"],
            consent_at=datetime.fromisoformat(tracker.get_slot("handoff_consent_at")),
            contact_channel=channel,
            phone=_from_vault(tracker, contact_vault.PHONE) if channel == TELEFOON else None,
            email=_from_vault(tracker, contact_vault.EMAIL) if channel != TELEFOON else None,
            preferred_time=tracker.get_slot("preferred_time") or "geen voorkeur",
            alias=_told(tracker, "contact_alias"),
            reason=tracker.get_slot("handoff_reason") or "vraagt zelf om een medewerker",
            question=next((str(e.get("text")) for e in person if not str(e.get("text", "")).startswith("/")), ""),
            answers=_answers(tracker, person),
            articles_shown=articles,
            topics=[a.title for a in map(library().get, articles) if a],
            intents=list(
                dict.fromkeys(
                    (e.get("parse_data") or {}).get("intent", {}).get("name")
                    for e in person
                    if (e.get("parse_data") or {}).get("intent", {}).get("name")
                )
            ),
            transcript=from_rasa_events(events),
        )


def agreed_in_this_session(tracker: Tracker, now: Optional[datetime] = None) -> bool:
    """Consent and confirmation were the person's own answers in this session: each slot was set after the
    assistant asked for it and the person replied, and the consent time lies inside the session. The slots alone
    could come from a tracker someone made up; the events show the questions were really asked and answered."""
    events = list(tracker.events)
    starts = [i for i, e in enumerate(events) if e.get("event") == "session_started"]
    session = events[starts[-1] + 1 :] if starts else events
    started = float(events[starts[-1]].get("timestamp") or 0) if starts else 0.0

    def answered(slot: str, ask: str, after: int) -> Optional[int]:
        asked = replied = None
        for i, event in enumerate(session[after:], start=after):
            kind = event.get("event")
            # The form asks for a slot by setting requested_slot (and running action_ask_<slot>).
            if (kind == "action" and event.get("name") == ask) or (
                kind == "slot" and event.get("name") == "requested_slot" and event.get("value") == slot
            ):
                asked, replied = i, None
            elif kind == "user" and asked is not None:
                replied = i
            elif kind == "slot" and event.get("name") == slot and event.get("value") is True and replied:
                return i
        return None

    consent = answered("handoff_consent", "action_ask_handoff_consent", 0)
    confirmed = answered("handoff_confirmed", "action_ask_handoff_confirmed", consent + 1) if consent else None
    try:
        consent_at = datetime.fromisoformat(str(tracker.get_slot("handoff_consent_at"))).timestamp()
    except ValueError:
        return False
    latest = (now or datetime.now(timezone.utc)).timestamp() + 60
    return consent is not None and confirmed is not None and started - 1 <= consent_at <= latest


def _answers(tracker: Tracker, person: List[Dict[Text, Any]]) -> Dict[str, Any]:
    """What the person told, for the summary: the situation from their messages, then the optional answers."""
    told = {
        key: _told(tracker, slot)
        for key, slot in (
            ("wish", "handoff_next_step"),
            ("helps", "handoff_helps"),
            ("in_the_way", "handoff_in_the_way"),
            ("limits_and_wishes", "handoff_notes"),
            ("preferred_term", "preferred_term"),
        )
    }
    return {**situation(str(e.get("text") or "") for e in person), **{k: v for k, v in told.items() if v}}


class ActionCancelHandoff(Action):
    """The person stops halfway: nothing is sent, and what they gave is wiped."""

    def name(self) -> Text:
        return "action_cancel_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(**message("handoff_cancelled"))
        return _reset(tracker)


class ActionHandoffStatus(Action):
    """'Hoe staat het met mijn vraag? WW-…': in any conversation, what the status means and what happens next; the
    code is found anywhere in the message, else the one from this conversation, else the person is asked for it."""

    def name(self) -> Text:
        return "action_handoff_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        code = find_code(latest_text(tracker)) or tracker.get_slot("last_handoff_code")
        if code and asked_code_to_withdraw(tracker):  # the answer to "welke vraag wil je intrekken?"
            dispatcher.utter_message(text=withdraw_answer(code), buttons=[HUMAN])
            return []
        if not code:
            dispatcher.utter_message(text=handoff_texts.text("status_ask_code"), buttons=[HUMAN])
            return []
        try:
            with session_scope() as session:
                answer = status_message(session, code)
        except SQLAlchemyError:
            answer = message("technical_problem")["text"]
        dispatcher.utter_message(text=answer, buttons=[HUMAN])
        return []

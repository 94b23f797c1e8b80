"""The conversations the simulated users hold: ours in the words people use, the reference in the moodbot's own.

Every conversation has four messages, so that a level sends the same number of messages to both bots. `expect`
is a piece of the answer that shows the message was understood; a miss is counted as unexpected (a quality
signal under load), not as an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from bot.conversation.messages import text as system_text


@dataclass(frozen=True)
class Turn:
    message: str
    expect: Optional[str] = None


Conversation = Tuple[Turn, ...]


@dataclass(frozen=True)
class Script:
    name: str
    conversations: Tuple[Conversation, ...]
    # Answers that are non-empty but still a failure: the assistant's own "something went wrong" message.
    failure_texts: Tuple[str, ...] = ()


def wegwijzer() -> Script:
    """A knowledge question, a social-map search in a gemeente, a follow-up, and a thank-you (tests/test_personas.py
    and tests/test_conversation_social_map.py hold the same phrasings with their checks)."""
    return Script(
        "wegwijzer",
        (
            (
                Turn("Heb ik recht op hulp als ik geen uitkering heb?"),
                Turn("Is er in Houten een jobcoach?", "Houten"),
                Turn("en waar kan ik terecht met mijn schulden?", "Houten"),
                Turn("dank je wel"),
            ),
            (
                Turn("Als ik straks een baan heb, kan er dan een jobcoach meekijken zodat het niet weer misgaat?"),
                Turn("waar kan ik terecht voor hulp met mijn cv?", "welke gemeente"),
                Turn("Zeist", "Zeist"),
                Turn("bedankt"),
            ),
            (
                Turn("Moet ik een werkgever vertellen dat ik long covid heb als ik solliciteer?"),
                Turn("Is er in De Bilt een organisatie die zzp'ers met een beperking helpt?", "De Bilt"),
                Turn("en waar kan ik terecht voor vrijwilligerswerk?", "De Bilt"),
                Turn("dank je"),
            ),
            (
                Turn("Ik heb vergrotingssoftware en een brailleleesregel nodig op kantoor. Wie betaalt dat?"),
                Turn("Is er in Utrecht een jobcoach?", "Utrecht"),
                Turn("en waar kan ik terecht met mijn schulden?", "Utrecht"),
                Turn("dank je wel"),
            ),
        ),
        failure_texts=(system_text("technical_problem"),),
    )


def moodbot() -> Script:
    """The `rasa init` example bot's own paths (greet, mood, affirm or deny, goodbye)."""
    return Script(
        "moodbot",
        (
            (
                Turn("hello there", "How are you"),
                Turn("I am sad", "cheer you up"),
                Turn("yes", "carry on"),
                Turn("bye", "Bye"),
            ),
            (
                Turn("good morning", "How are you"),
                Turn("my day was horrible", "cheer you up"),
                Turn("no", "Bye"),
                Turn("goodbye", "Bye"),
            ),
            (
                Turn("hey", "How are you"),
                Turn("I am great", "carry on"),
                Turn("are you a bot?", "bot"),
                Turn("see you later", "Bye"),
            ),
        ),
    )

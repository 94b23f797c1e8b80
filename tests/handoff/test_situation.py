"""The situation the person told, picked from their own messages for the consulent's summary."""

from bot.handoff.situation import situation, told_wish
from bot.handoff.summary import build_summary


def test_why_no_benefit_beperking_and_work_history_are_picked_from_what_the_person_said():
    told = situation(
        [
            "Ik heb autisme en mijn vriend verdient, dus ik krijg niks.",
            "Ik werkte als verpleegkundige in een ziekenhuis.",
            "/affirm",
        ]
    )
    assert told == {
        "why_no_benefit": "inkomen van de partner",
        "beperking": "autisme",
        "work_history": "ik werkte als verpleegkundige in een ziekenhuis",
    }


def test_several_reasons_are_kept_and_nothing_is_invented():
    told = situation(["Mijn Wajong is afgewezen en ik woon nog thuis.", "Ik heb MS."])
    assert told["why_no_benefit"] == "woont bij de ouders; Wajong afgewezen" and told["beperking"] == "MS"
    assert situation(["hallo", "wat is jobcoaching?"]) == {}


def test_numbers_in_the_work_history_are_scrubbed():
    told = situation(["ik heb gewerkt bij een bank, mijn bsn is 111222333"])
    assert "111222333" not in told["work_history"]


def test_the_summary_shows_what_was_told():
    summary = build_summary("Wat kan ik doen?", situation(["Ik heb long covid en ben zzp'er."]))
    flat = str(summary)
    assert "long covid" in flat and "zelfstandige (zzp)" in flat


def test_what_she_wants_is_read_but_a_wish_to_talk_is_not():
    assert told_wish("Ik woon in Houten en ik wil graag weer een paar uur per week werken.") == (
        "weer een paar uur per week werken"
    )
    assert told_wish("ik wil een baan dichtbij, bel 0612345678") == "een baan dichtbij"
    assert told_wish("Ik wil graag weer iets doen, een paar uur per week, maar ik ben snel moe.") == (
        "weer iets doen, een paar uur per week"
    ), "the words of issue 17, without the 'maar'"
    for not_a_wish in ("ik wil iemand spreken over werk", "ik wil een consulent", "ik werk niet", ""):
        assert told_wish(not_a_wish) is None, not_a_wish

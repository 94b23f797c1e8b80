"""The situation the person told, picked from their own messages for the consulent's summary."""
from bot.handoff.situation import situation
from bot.handoff.summary import build_summary


def test_why_no_benefit_beperking_and_work_history_are_picked_from_what_the_person_said():
    told = situation(["Ik heb autisme en mijn vriend verdient, dus ik krijg niks.",
                      "Ik werkte als verpleegkundige in een ziekenhuis.", "/affirm"])
    assert told == {"why_no_benefit": "inkomen van de partner", "beperking": "autisme",
                    "work_history": "ik werkte als verpleegkundige in een ziekenhuis"}


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

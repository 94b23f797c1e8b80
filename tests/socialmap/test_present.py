"""What a search says before its results (bot/socialmap/present.py), with real result objects."""

from __future__ import annotations

from typing import List

from bot.common import regions
from bot.conversation.messages import text
from bot.socialmap.present import result_messages, theme_label
from bot.socialmap.search import SearchResult, ServiceHit


def _hit(service_id: str, level: str) -> ServiceHit:
    return ServiceHit(
        service_id, level, "Werk en inkomen", "Gemeente Houten", "Hulp bij werk.", None, None, None, None, False, None
    )


def _result(hits: List[ServiceHit]) -> SearchResult:
    gemeente = regions.get_gemeente("GM0321")
    counts = {
        "gemeente": sum(h.level == "gemeente" for h in hits),
        "landelijk": sum(h.level == "landelijk" for h in hits),
    }
    return SearchResult("jobcoaching", gemeente, None, hits, 0, 5, False, counts, front_door=True)


def test_only_the_front_door_nearby_promises_national_options_only_when_they_follow() -> None:
    houten = regions.get_gemeente("GM0321")
    assert houten is not None
    label = theme_label("jobcoaching")
    with_national = result_messages(_result([_hit("front", "gemeente"), _hit("uwv", "landelijk")]))
    assert with_national[0]["text"] == text("only_front_door", theme=label, gemeente=houten.roo_name)
    alone = result_messages(_result([_hit("front", "gemeente")]))
    assert alone[0]["text"] == text("only_front_door_alone", theme=label, gemeente=houten.roo_name)
    assert "landelijke" not in alone[0]["text"]

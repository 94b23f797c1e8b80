"""Turns social-map search results into chat messages: at most a page of services, each with how to reach it."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.common.regions import Gemeente
from bot.conversation.answers import HUMAN
from bot.conversation.messages import text
from bot.socialmap.search import SearchResult, ServiceHit
from bot.socialmap.taxonomy import THEME, load_taxonomy

MORE = {"title": "Meer", "payload": "/show_more_results"}
OTHER = {"title": "Andere hulp", "payload": "/find_other_service"}

Message = Dict[str, Any]


def theme_label(code: str) -> str:
    for term in load_taxonomy().of(THEME):
        if term.code == code:
            return term.label
    return code


def theme_buttons(codes: Optional[List[str]] = None) -> List[Dict[str, str]]:
    """Theme choices as buttons that fill the form's theme slot."""
    terms = [t for t in load_taxonomy().of(THEME) if t.code != "crisis" and (codes is None or t.code in codes)]
    return [{"title": t.label, "payload": f'/inform{{"theme": "{t.code}"}}'} for t in terms]


def level_label(hit: ServiceHit, gemeente: Optional[Gemeente]) -> str:
    if hit.level == "regio" and gemeente and gemeente.arbeidsmarktregio:
        return text("level_regio", regio=gemeente.arbeidsmarktregio.name)
    return text(f"level_{hit.level}")


def service_message(hit: ServiceHit, gemeente: Optional[Gemeente]) -> Message:
    """One service: name, level, what it does and how to reach it. Only the Markdown the widget renders (**bold**,
    links, "- " lists); an example record (the demo only) says so in words."""
    lines = [
        f"**{hit.name}**" + (f" ({hit.organization})" if hit.organization and hit.organization != hit.name else "")
    ]
    lines.append(level_label(hit, gemeente))
    if hit.demo:
        lines.append(text("demo_marker"))
    if hit.description:
        lines.append(hit.description)
    reach = []
    if hit.website:
        reach.append(f"Website: [{hit.website.split('//')[-1].rstrip('/')}]({hit.website})")
    if hit.phone:
        reach.append(f"Telefoon: {hit.phone}")
    if hit.email:
        reach.append(f"E-mail: {hit.email}")
    if hit.address:
        reach.append(f"Adres: {hit.address}")
    if hit.opening_text:
        reach.append(hit.opening_text)
    lines.extend(f"- {r}" for r in reach)
    return {"text": "\n".join(lines)}


def result_messages(result: SearchResult) -> List[Message]:
    """An intro, one message per service, and the next-step buttons on the last one."""
    label = theme_label(result.theme)
    if not result.hits:
        return [{"text": text("nothing_found"), "buttons": [HUMAN, OTHER]}]
    if result.gemeente and not result.found_nearby and result.front_door:
        national = any(hit.level == "landelijk" for hit in result.hits)
        key = "only_front_door" if national else "only_front_door_alone"
        intro = text(key, theme=label, gemeente=result.gemeente.roo_name)
    elif result.gemeente and not result.found_nearby:
        intro = text("nothing_nearby", gemeente=result.gemeente.roo_name)
    elif result.gemeente:
        intro = text("results_intro", theme=label, gemeente=result.gemeente.roo_name)
    else:
        intro = text("results_intro_national", theme=label)
    messages: List[Message] = [{"text": intro}] + [service_message(hit, result.gemeente) for hit in result.hits]
    messages[-1]["buttons"] = ([MORE] if result.has_more else []) + [OTHER, HUMAN]
    return messages

"""The portal's insight pages (#20): for teamleiders and beheerders, about their own gemeenten only (or every
gemeente, "Heel Nederland", for an account a beheerder gave national insight). Counts, never conversations; small
counts shown as "< 5" (bot/insight/report.py). The same figures as CSV and as JSON (and `/api/inzicht/…` with a
token, for the gemeente's own reporting)."""

from __future__ import annotations

import csv
import io
from typing import Any, Dict, List, Tuple

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.common import regions
from bot.insight import gaps as social_map
from bot.insight import handoffs as quality
from bot.insight import report as insight
from bot.insight import unanswered
from bot.insight.fold import topics
from bot.insight.models import NEW_TOPIC
from bot.portal import service
from bot.portal.models import BEHEERDER, TEAMLEIDER, PortalUser
from bot.web.database import get_db
from bot.web.portal.auth import role_required
from bot.web.portal.charts import bars, columns
from bot.web.portal.views import _user, bp

READERS = (TEAMLEIDER, BEHEERDER)
ALL_OWN = "alle"


def _asked(user: PortalUser) -> Tuple[Tuple[str, ...], str, int]:
    """The gemeenten (one of the user's own, all of them: "alle", or every gemeente: "nederland" with national
    insight; 404 for any other), unit and period count."""
    asked = request.args.get("gemeente", "")
    gemeenten = insight.own_scope(user.gemeente_codes, "" if asked == ALL_OWN else asked, bool(user.national_insight))
    if gemeenten is None:
        abort(404)
    unit = request.args.get("eenheid", insight.WEEK)
    if unit not in insight.UNITS:
        abort(400)
    return gemeenten, unit, insight.PERIOD_COUNT[unit]


def _choice(user: PortalUser) -> Dict[str, Any]:
    """What every insight page needs for its choice of gemeente: the user's own (code, name), whether "Heel
    Nederland" is theirs to choose, what was chosen, and the threshold for small counts."""
    found = [regions.get_gemeente(code) for code in user.gemeente_codes]
    return {
        "gemeenten": [(g.code, g.name) for g in found if g is not None],
        "national": bool(user.national_insight),
        "chosen": request.args.get("gemeente", ALL_OWN),
        "small": insight.SMALL,
    }


def _report(user: PortalUser) -> insight.Report:
    gemeenten, unit, count = _asked(user)
    return insight.what_people_ask(get_db(), gemeenten, unit, count=count)


@bp.get("/inzicht")
@role_required(*READERS)
def insight_page() -> ResponseReturnValue:
    user = _user()
    result = _report(user)
    labels = [p.short for p in result.periods]
    conversations = [insight.shown(n) for n in result.conversations]
    top = result.topics[:10]
    return render_template(
        "portal/insight.html",
        report=result,
        rows=insight.as_rows(result),
        shares={kind: insight.share(sum(v), sum(result.conversations)) for kind, v in result.outcomes.items()},
        outcome_labels=insight.OUTCOME_LABELS,
        **_choice(user),
        chart_conversations=columns(
            "gesprekken",
            f"Gesprekken per {result.unit}",
            "De tabel hieronder geeft dezelfde aantallen.",
            labels,
            conversations,
        ),
        chart_topics=bars(
            "onderwerpen",
            "De meest gestelde vragen",
            "Totaal over de hele periode; de tabel geeft ze per periode.",
            [label for _i, label, _v in top],
            [insight.protect([v])[0][-1] for _i, _l, v in top],
        ),
    )


@bp.get("/inzicht/vragen.csv")
@role_required(*READERS)
def insight_csv() -> ResponseReturnValue:
    return _csv(insight.as_rows(_report(_user())), "vragen")


@bp.get("/inzicht/vragen.json")
@role_required(*READERS)
def insight_json() -> ResponseReturnValue:
    return jsonify(insight.as_json(_report(_user())))


def _csv(rows: List[List[insight.Shown]], name: str) -> Response:
    """The table as a CSV download, named wegwijzer-<name>.csv."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=wegwijzer-{name}.csv"},
    )


def _quality(user: PortalUser) -> quality.Quality:
    gemeenten, unit, count = _asked(user)
    return quality.quality(get_db(), gemeenten, unit, count=count)


@bp.get("/inzicht/overdrachten")
@role_required(*READERS)
def insight_handoffs() -> ResponseReturnValue:
    user = _user()
    found = _quality(user)
    handoffs = found.shown_parts[-1][:-1]  # as the table shows them
    return render_template(
        "portal/insight_handoffs.html",
        found=found,
        rows=quality.as_rows(found),
        on_time=insight.share(sum(found.in_time), sum(found.due)),
        hours=quality.average_hours(sum(found.minutes), sum(found.contacted)),
        **_choice(user),
        chart=columns(
            "overdrachten",
            f"Overdrachten per {found.unit}",
            "; ".join(f"{p.label}: {n}" for p, n in zip(found.periods, handoffs)),
            [p.short for p in found.periods],
            handoffs,
        ),
    )


@bp.get("/inzicht/overdrachten.csv")
@role_required(*READERS)
def insight_handoffs_csv() -> ResponseReturnValue:
    return _csv(quality.as_rows(_quality(_user())), "overdrachten")


@bp.get("/inzicht/overdrachten.json")
@role_required(*READERS)
def insight_handoffs_json() -> ResponseReturnValue:
    return jsonify(quality.as_json(_quality(_user())))


GROUPS_SHOWN = 50  # groups on the page (largest first); the rest after these are decided


def _topic_choices() -> List[Tuple[str, str]]:
    """The topics a question can be added to as an example: (intent, label), by label."""
    return sorted(((t, insight.topic_label(t)) for t in topics()), key=lambda item: item[1].lower())


@bp.get("/inzicht/onbeantwoord")
@role_required(*READERS)
def insight_unanswered() -> ResponseReturnValue:
    user = _user()
    gemeenten, unit, _count = _asked(user)
    found = unanswered.groups(get_db(), gemeenten)
    return render_template(
        "portal/insight_unanswered.html",
        groups=found[:GROUPS_SHOWN],
        more=max(len(found) - GROUPS_SHOWN, 0),
        total=insight.shown(sum(g.count for g in found)),
        shown=insight.shown,
        texts_shown=unanswered.TEXTS_SHOWN,
        label=insight.topic_label,
        topics=_topic_choices(),
        decisions=unanswered.DECISION_LABELS,
        chart=bars(
            "groepen",
            "De grootste groepen vragen zonder goed antwoord",
            "Hoeveel vragen in elke groep zitten; de lijst hieronder geeft de vragen zelf.",
            [g.texts[0][0] for g in found[:10]],
            [insight.shown(g.count) for g in found[:10]],
        )
        if found
        else None,
        unit=unit,
        **_choice(user),
    )


@bp.post("/inzicht/onbeantwoord/besluit")
@role_required(*READERS)
def insight_unanswered_decide() -> ResponseReturnValue:
    user = _user()
    db = get_db()
    chosen = request.form.get("gemeente", ALL_OWN)
    ids = [int(i) for value in request.form.getlist("vraag") for i in value.split(",") if i.isdigit()]
    decision = request.form.get("besluit", "")
    topic = request.form.get("nieuw", "") if decision == NEW_TOPIC else request.form.get("onderwerp", "")
    try:
        if not ids:
            raise unanswered.DecisionError("Kies een of meer vragen.")
        marked = unanswered.decide(db, ids, user.gemeente_codes, decision, topic, user.username, topics())
        service.audit(
            db,
            user,
            "vragen_beoordelen",
            detail=f"{marked} × {decision} {topic}"[:200],
            gemeente_code=user.gemeente_codes[0],
        )
        db.commit()
        flash(f"{marked} vraag/vragen gemarkeerd als: {unanswered.DECISION_LABELS[decision].lower()}.", "info")
    except unanswered.DecisionError as problem:
        db.rollback()
        flash(f"Dat lukte niet: {problem}", "error")
    return redirect(url_for("portal.insight_unanswered", gemeente=chosen))


@bp.get("/inzicht/onbeantwoord/voorbeelden.yml")
@role_required(*READERS)
def insight_unanswered_export() -> ResponseReturnValue:
    gemeenten, _unit, _count = _asked(_user())
    examples = unanswered.adopted(get_db(), gemeenten)
    return Response(
        unanswered.nlu_yaml(examples, topics()),
        mimetype="application/x-yaml",
        headers={"Content-Disposition": "attachment; filename=wegwijzer-nieuwe-voorbeelden.yml"},
    )


@bp.get("/inzicht/onbeantwoord.json")
@role_required(*READERS)
def insight_unanswered_json() -> ResponseReturnValue:
    gemeenten, _unit, _count = _asked(_user())
    return jsonify(unanswered.as_json(unanswered.groups(get_db(), gemeenten), gemeenten))


def _gaps(user: PortalUser) -> social_map.Gaps:
    gemeenten, _unit, _count = _asked(user)  # a week asked for is answered per month: the map counts per month
    return social_map.gaps(get_db(), gemeenten)


@bp.get("/inzicht/sociale-kaart")
@role_required(*READERS)
def insight_gaps() -> ResponseReturnValue:
    user = _user()
    found = _gaps(user)
    top = [t for t in found.themes if sum(t.unmet)][:10]
    marked = [t.label for t in found.themes if t.gap]
    return render_template(
        "portal/insight_gaps.html",
        found=found,
        rows=social_map.as_rows(found),
        gap_label=social_map.GAP,
        marked=marked,
        searched=bool(top),
        **_choice(user),
        chart=bars(
            "zonder-resultaat",
            "Zoekvragen zonder dienst dichtbij, per thema",
            "Totaal over 12 maanden; de tabel geeft ze per maand. "
            + (f"{social_map.GAP}: {', '.join(marked)}." if marked else "Geen thema zonder dienst dichtbij."),
            [t.label for t in top],
            [t.shown_unmet[-1] for t in top],
        ),
    )


@bp.get("/inzicht/sociale-kaart.csv")
@role_required(*READERS)
def insight_gaps_csv() -> ResponseReturnValue:
    return _csv(social_map.as_rows(_gaps(_user())), "sociale-kaart")


@bp.get("/inzicht/sociale-kaart.json")
@role_required(*READERS)
def insight_gaps_json() -> ResponseReturnValue:
    return jsonify(social_map.as_json(_gaps(_user())))

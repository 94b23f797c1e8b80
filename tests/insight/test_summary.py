"""The monthly summary for the wethouder (#20, part 6): the figures of a generated year, small counts never shown as
a number (in a table or a sentence), the month it is about, valid Markdown, and the command end to end — on SQLite
and on PostgreSQL."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Iterator, List, Sequence

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import func, select

from bot.common.clock import MONTHS, today
from bot.common.db import get_engine, session_scope
from bot.insight import handoffs
from bot.insight.fold import topics
from bot.insight.generator import generate
from bot.insight.models import CONVERSATION, HANDOFF, QUESTION, SOCIALMAP, UNANSWERED, InsightCount
from bot.insight.report import topic_label
from bot.insight.summary import SummaryError, choose, last_whole_month, monthly_summary
from bot.ops.cli import insight as cli
from bot.ops.migrate import upgrade
from bot.tools.readability import measure
from tests.databases import postgres_schema, sqlite_database
from tests.portal.conftest import add_handoff

HOUTEN, ZEIST, UTRECHT = "GM0321", "GM0355", "GM0344"
ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 12, 5)  # the summary is made on this day, about November
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
# A bare count of 0 to 4: not part of a larger number ("2026-11", "GM0321", "20,5"), not a share ("4%"), and not the
# day of a date ("3 december 2026").
BARE_SMALL = re.compile(r"(?<![\w-])(?<!\d,)[0-4](?![\w%-]|,\d)(?!\s+(?:" + "|".join(MONTHS) + r")\b)")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated application database: SQLite, and PostgreSQL (skipped, with the reason, when there is none)."""
    if request.param == "sqlite":
        url = sqlite_database(tmp_path)
        yield url
        get_engine(url).dispose()
        return
    with postgres_schema("ww_summary") as url:
        upgrade(url)
        yield url


def add(url: str, gemeente: str, kind: str, count: int, day: date, topic: str = "") -> None:
    with session_scope(url) as session:
        session.add(InsightCount(day=day, gemeente_code=gemeente, kind=kind, topic=topic, count=count))


def total(url: str, gemeenten: Sequence[str], kind: str, start: date, end: date, topic: str = "") -> int:
    with session_scope(url) as session:
        query = select(func.coalesce(func.sum(InsightCount.count), 0)).where(
            InsightCount.gemeente_code.in_(list(gemeenten)),
            InsightCount.kind == kind,
            InsightCount.topic == topic,
            InsightCount.day.between(start, end),
        )
        return int(session.execute(query).scalar_one())


def summary(url: str, gemeenten: Sequence[str], month: str = "2026-11") -> str:
    with session_scope(url) as session:
        return monthly_summary(session, gemeenten, month, DAY)


def tables(markdown: str) -> List[List[List[str]]]:
    """Every table as rows of cell texts (the header first), checking that it is valid Markdown on the way: one
    title, headings of the second level only, no HTML, and every row as wide as its header."""
    # markdown-it-py: already pinned (the portal renders the assistant's Markdown with it); CommonMark plus tables.
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    headings = [t.tag for t in tokens if t.type == "heading_open"]
    assert headings[0] == "h1" and set(headings[1:]) == {"h2"}, headings
    inline = [child for t in tokens for child in (t.children or [])]
    assert not [t for t in tokens + inline if t.type.startswith("html")], "no HTML in the summary"
    found: List[List[List[str]]] = []
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            found[-1].append([])
        elif token.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            found[-1][-1].append(token.content)
    for table in found:
        assert len(table) >= 2 and {len(row) for row in table} == {len(table[0])} and len(table[0]) <= 4
    assert all(len(line) <= 80 for line in markdown.splitlines() if line.startswith("|")), "a table too wide"
    return found


def test_the_check_for_bare_small_counts_finds_them() -> None:
    """The check the suppression test relies on: it must find a count of 0–4 wherever it could be written."""
    for leak in ("hadden mensen 3 gesprekken", "| Gesprekken | 4 |", "wachtten 0 mensen", "(2).", "gebeurde 1 keer"):
        assert BARE_SMALL.search(leak), leak
    for fine in ("2026-11", "GM0321", "3 december 2026", "4%", "20,5 uur", "< 5", "| 12 |", "minder dan 5"):
        assert not BARE_SMALL.search(fine), fine


def test_the_month_is_the_last_whole_one_unless_asked() -> None:
    assert choose([HOUTEN], None, DAY)[1].key == "2026-11"
    assert choose([HOUTEN], None, date(2027, 1, 1))[1].key == "2026-12"  # December is over on New Year's Day
    assert last_whole_month(date(2026, 12, 1)) == "2026-11"
    codes, month = choose(["gm0321", ZEIST, HOUTEN], "2025-02", DAY)
    assert codes == (HOUTEN, ZEIST) and (month.start, month.end) == (date(2025, 2, 1), date(2025, 2, 28))


@pytest.mark.parametrize(
    ("gemeenten", "month", "says"),
    [
        (["GM9999"], None, "Onbekende gemeentecode 'GM9999'"),
        (["Houten"], None, "Onbekende gemeentecode"),
        ([], None, "minstens één gemeente"),
        ([HOUTEN], "2026-13", "Onbekende maand '2026-13'"),
        ([HOUTEN], "november", "Onbekende maand"),
        ([HOUTEN], "2026-12", "De maand december 2026 is nog niet voorbij: kies 2026-11"),
        ([HOUTEN], "2027-03", "nog niet voorbij"),
    ],
)
def test_unknown_gemeenten_and_months_are_refused_in_dutch(gemeenten: List[str], month: str, says: str) -> None:
    with pytest.raises(SummaryError, match=re.escape(says)):
        choose(gemeenten, month, DAY)


def test_the_summary_of_a_generated_year(database: str) -> None:
    url = database
    with session_scope(url) as session:  # a year and a bit up to the end of November; Utrecht is not asked
        generate(session, [HOUTEN, ZEIST, UTRECHT], sorted(topics()), date(2026, 11, 30), 400, seed=20)
    asked = [HOUTEN, ZEIST]
    text = summary(url, asked)
    nov = total(url, asked, CONVERSATION, *NOVEMBER)
    october = total(url, asked, CONVERSATION, date(2026, 10, 1), date(2026, 10, 31))
    year_ago = total(url, asked, CONVERSATION, date(2025, 11, 1), date(2025, 11, 30))
    assert min(nov, october, year_ago) >= 5

    assert text.startswith("# Wegwijzer Werk in Houten en Zeist: november 2026\n")
    assert f"In november 2026 hadden mensen {nov} gesprekken met de Wegwijzer Werk" in text
    assert f"Dat zijn er {'meer' if nov > october else 'minder'} dan in oktober 2026 ({october})." in text
    found = tables(text)
    assert found[0] == [
        ["", "november 2026", "oktober 2026", "november 2025"],
        ["Gesprekken", *map(str, (nov, october, year_ago))],
    ]

    ended = {row[0]: row[1:] for row in found[1][1:]}
    for kind, label in (
        (HANDOFF, "Doorgegeven aan de gemeente"),
        (SOCIALMAP, "Gezocht in de sociale kaart"),
        (UNANSWERED, "Vraag zonder goed antwoord"),
    ):
        count = total(url, asked, kind, *NOVEMBER)
        assert ended[label] == [str(count), f"{round(count / nov * 100)}%"], label
    handed = total(url, asked, HANDOFF, *NOVEMBER)
    assert f"In {round(handed / nov * 100)}% van de gesprekken gaf de Wegwijzer de vraag door aan de gemeente." in text

    # The five topics asked most in November, most first, with their counts.
    asked_topics = {
        label: total(url, asked, QUESTION, *NOVEMBER, topic=t) for t in topics() for label in [topic_label(t)]
    }
    top = found[2][1:]
    assert [int(n) for _l, n in top] == sorted(asked_topics.values(), reverse=True)[:5]
    assert all(asked_topics[label] == int(n) for label, n in top)
    assert f"Mensen vroegen het vaakst naar „{top[0][0]}”, „{top[1][0]}” en „{top[2][0]}”." in text

    made, due, in_time, contacted, minutes = (
        total(url, asked, kind, *NOVEMBER)
        for kind in (handoffs.CREATED, handoffs.DUE, handoffs.IN_TIME, handoffs.CONTACTED, handoffs.MINUTES)
    )
    figures = {row[0]: row[1] for row in found[3][1:]}
    assert figures["Overdrachten"] == str(made) and f"Dat gebeurde {made} keer." in text
    assert figures["Contact vóór de beloofde datum"] == str(in_time) and figures["Contact gehad"] == str(contacted)
    on_time = f"{round(in_time / due * 100)}%"
    assert figures["Deel op tijd"] == on_time and f"Van hen had {on_time} al contact met de gemeente vóór" in text
    hours = f"{round(minutes / contacted / 60, 1):.1f} uur".replace(".", ",")
    assert figures["Gemiddelde tijd tot eerste contact"] == hours and f"Gemiddeld zat er {hours} tussen" in text
    helped = total(url, asked, handoffs.OUTCOME, *NOVEMBER, topic="geholpen")
    assert figures["Uitkomst: Geholpen"] == str(helped)
    assert "Op 5 december 2026 wachtten minder dan 5 mensen langer dan beloofd" in text  # none in generated data

    prose = "\n".join(line for line in text.splitlines() if line and line[0] not in "#|")
    assert measure(prose).is_b1, measure(prose)  # plain Dutch: Flesch-Douma and short sentences
    assert text.rstrip().endswith("Bron: Wegwijzer Werk. Gemaakt op 5 december 2026.")
    assert len(text.splitlines()) < 70, "about one page"


def test_no_count_under_5_anywhere_with_tiny_figures(database: str) -> None:
    """Every figure between 0 and 4, in the month, the month before and a year before, and two people waiting past
    their date now: not one of them may be written as a number, in a table or a sentence; and no share at all."""
    url = database
    for kind, count in ((CONVERSATION, 4), (HANDOFF, 1), (SOCIALMAP, 2), (UNANSWERED, 3)):
        add(url, HOUTEN, kind, count, date(2026, 11, 12))
    add(url, HOUTEN, CONVERSATION, 3, date(2026, 10, 2))
    add(url, HOUTEN, CONVERSATION, 2, date(2025, 11, 30))
    for topic, count in (("ask_jobcoaching", 4), ("ask_wajong", 1), ("ask_zzp", 2)):
        add(url, HOUTEN, QUESTION, count, date(2026, 11, 3), topic)
    # Two folded handoffs, and two kept ones, open and past their promised date (overdue now): made on a day before
    # the real today, which may be in the month of the summary; then there were four.
    for kind, count in ((handoffs.CREATED, 2), (handoffs.DUE, 2), (handoffs.CONTACTED, 2), (handoffs.IN_TIME, 1)):
        add(url, HOUTEN, kind, count, date(2026, 11, 20))
    add(url, HOUTEN, handoffs.MINUTES, 2 * 60, date(2026, 11, 20))  # an hour each: never shown for 2
    for outcome in ("geholpen", "doorverwezen"):
        add(url, HOUTEN, handoffs.OUTCOME, 1, date(2026, 11, 20), outcome)
    add_handoff(url, HOUTEN, days_ago=10)
    add_handoff(url, HOUTEN, days_ago=12)
    with session_scope(url) as session:
        assert handoffs.quality(session, [HOUTEN]).overdue_now == 2  # the figure is there, to be hidden

    text = summary(url, [HOUTEN])
    leaks = [text[max(m.start() - 30, 0) : m.end() + 10] for m in BARE_SMALL.finditer(text)]
    assert not leaks, leaks
    assert "%" not in text and "Gemiddeld zat er" not in text
    assert "hadden mensen minder dan 5 gesprekken" in text and "Dat gebeurde minder dan 5 keer." in text
    assert "wachtten minder dan 5 mensen langer dan beloofd" in text
    assert "Dat zijn er" not in text, "no comparison of small counts"
    found = tables(text)
    assert found[0][1] == ["Gesprekken", "< 5", "< 5", "< 5"]
    assert all(cell in ("< 5", "–") for table in found for row in table[1:] for cell in row[1:]), found
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert ">&lt; 5</td>" in html and "< 5" not in html, "'< 5' stays text, not HTML"


def test_no_figures_at_all(database: str) -> None:
    text = summary(database, [HOUTEN], "2024-03")
    assert "hadden mensen minder dan 5 gesprekken" in text and "zijn geen vragen over een onderwerp geteld" in text
    assert not BARE_SMALL.search(text)
    assert [len(t[0]) for t in tables(text)] == [2, 3, 2]  # no earlier months without data; no topic table


def test_the_command(database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = database
    add(url, HOUTEN, CONVERSATION, 17, today())  # this month: not yet in a summary
    month = last_whole_month(today())
    year, number = map(int, month.split("-"))
    add(url, HOUTEN, CONVERSATION, 23, date(year, number, 1))

    assert cli.main(["--db", url, "samenvatting", "--gemeente", HOUTEN]) == cli.OK
    out = capsys.readouterr()
    assert out.out.startswith(f"# Wegwijzer Werk in Houten: {MONTHS[number - 1]} {year}\n"), "the last whole month"
    assert "hadden mensen 23 gesprekken" in out.out and not out.err

    target = tmp_path / "samenvatting.md"
    assert (
        cli.main(
            [
                "--db",
                url,
                "samenvatting",
                "--gemeente",
                HOUTEN,
                "--gemeente",
                ZEIST,
                "--maand",
                month,
                "--uit",
                str(target),
            ]
        )
        == cli.OK
    )
    assert target.read_text(encoding="utf-8").startswith("# Wegwijzer Werk in Houten en Zeist:")
    assert str(target) in capsys.readouterr().out

    for wrong, says in (
        (["--gemeente", "GM9999"], "Onbekende gemeentecode 'GM9999'"),
        (["--gemeente", HOUTEN, "--maand", "2026-1"], "Onbekende maand '2026-1'"),
    ):
        assert cli.main(["--db", url, "samenvatting", *wrong]) == cli.WRONG_INPUT
        out = capsys.readouterr()
        assert says in out.err and not out.out

    assert (
        cli.main(["--db", url, "samenvatting", "--gemeente", HOUTEN, "--uit", str(tmp_path / "geen" / "map.md")])
        == cli.PROBLEM
    )
    assert "Kon de samenvatting niet schrijven" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:  # no gemeente at all: argparse's own message, in Dutch help
        cli.main(["--db", url, "samenvatting"])
    assert usage.value.code == 2


def test_the_command_through_python_m_bot(tmp_path: Path) -> None:
    url = sqlite_database(tmp_path)

    def run(*argv: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "bot", "insight", "--db", url, "samenvatting", "--gemeente", "GM0363", *argv]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)

    done = run("--maand", "2026-11")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Wegwijzer Werk in Amsterdam: november 2026\n")
    wrong = run("--maand", "2099-01")
    assert wrong.returncode == 2 and "De maand januari 2099 is nog niet voorbij" in wrong.stderr and not wrong.stdout

"""The demo project: a believable CRM rollout with real history.

Everything is written through the service layer with a clock set to the right
past days, so the sprint figures, burndowns, slip trails and evaluations are
exactly what the services compute from recorded history. The result depends
only on ``today`` (a fixed random seed drives the few choices left open).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sprinttui.dates import today as _today
from sprinttui.dates import working_days
from sprinttui.domain import Status
from sprinttui.services import (
    evaluations,
    items,
    kpis,
    members,
    project,
    sprints,
    standups,
    streams,
)
from sprinttui.services.context import Ctx

__all__ = ["create_demo"]

WORKDAYS = frozenset({0, 1, 2, 3, 4})
ORDER = [Status.TODO.value, Status.DOING.value, Status.REVIEW.value, Status.DONE.value]
RNG_SEED = 20240611
ADMIN = "lhoffmann"  # project lead: plans, starts and closes the sprints

# --------------------------------------------------------------------------- people and streams

STREAMS = [
    ("SAL", "Sales", "tbecker",
     "Leads, accounts, opportunities, quotes and forecasts for field and inside sales."),
    ("SRV", "Service", "sweber",
     "Ticketing, SLAs, knowledge base and telephony for the service desk."),
    ("MKT", "Marketing", "jkoch",
     "Campaigns, consent management, newsletters and the lead handover to sales."),
    ("DATA", "Data migration", "mschulz",
     "Migration from the legacy CRM, ERP interfaces and data quality."),
    ("CHG", "Change & training", "lhoffmann",
     "Communication, trainings, user guides and the key user network."),
]

# handle, name, stream, availability %, competences
MEMBERS = [
    ("tbecker", "Thomas Becker", "SAL", 60, "sales process,opportunity management,CRM configuration"),
    ("kwagner", "Katrin Wagner", "SAL", 20, "sales operations,reporting,Excel"),
    ("nfischer", "Nina Fischer", "SAL", 70, "CRM administration,workflows,permissions"),
    ("sweber", "Sabine Weber", "SRV", 50, "service process,ticketing,SLA management"),
    ("dmeyer", "David Meyer", "SRV", 60, "telephony integration,REST APIs,Java"),
    ("jkoch", "Julia Koch", "MKT", 40, "campaigns,segmentation,newsletter"),
    ("ejanssen", "Eva Janßen", "MKT", 50, "marketing automation,GDPR,consent management"),
    ("mschulz", "Michael Schulz", "DATA", 80, "ETL,SQL,data modelling"),
    ("ayilmaz", "Ayşe Yılmaz", "DATA", 80, "Python,migration scripts,data quality"),
    ("fneumann", "Felix Neumann", "DATA", 40, "data cleansing,deduplication,ERP master data"),
    ("lhoffmann", "Laura Hoffmann", "CHG", 60, "change management,training,communication"),
    ("rbraun", "Ralf Braun", "CHG", 30, "e-learning,user guides,intranet"),
]

# --------------------------------------------------------------------------- KPIs

LRT = "Lead response time"
ADOPT = "CRM adoption"
DQ = "Data quality score"
FCR = "Tickets solved at first contact"
DUP = "Duplicate accounts"

# name, unit, baseline, target, direction, description, five measurements (oldest first)
KPIS = [
    (LRT, "h", 30, 8, "lower",
     "Average hours from a new lead to the first contact by sales.",
     [31, 29, 24, 17, 12]),
    (ADOPT, "%", 0, 90, "higher",
     "Share of sales and service staff who log in to the CRM at least weekly.",
     [0, 6, 22, 48, 64]),
    (DQ, "%", 62, 95, "higher",
     "Share of accounts with a valid address, owner, industry and no duplicate.",
     [62, 68, 77, 84, 88]),
    (FCR, "%", 48, 70, "higher",
     "Share of service tickets solved during the first contact.",
     [48, 49, 53, 55, 58]),
    (DUP, "accounts", 4200, 200, "lower",
     "Suspected duplicate accounts found by the nightly match.",
     [4200, 4100, 2600, 1500, 900]),
]
KPI_NOTES = [
    "legacy system, average of the last quarter",
    "first sprint review",
    "after trial migration 1",
    "pilot Sales North preparing go-live",
    "latest weekly figure",
]

# --------------------------------------------------------------------------- the backlog


@dataclass(frozen=True)
class _Spec:
    kind: str
    points: float | None
    title: str
    kpi: str | None = None
    labels: str = ""
    due: tuple[int, str] | None = None  # (sprint number, "start" | "end")
    description: str = ""


def S(kind, points, title, **kw) -> _Spec:  # noqa: N802 - a compact table constructor
    return _Spec(kind, points, title, **kw)


CATALOG: dict[str, list[_Spec]] = {
    "SAL": [
        S("story", 3, "Define opportunity stages and win probabilities",
          description="Stages from first contact to order, with the probability sales management "
                      "uses in the forecast. Agreed with all regional managers."),
        S("story", 5, "Lead qualification form with budget, authority, need and timing", kpi=LRT),
        S("story", 5, "Lead routing rules by postcode region", kpi=LRT),
        S("task", 3, "Import sales territories and account owners"),
        S("story", 3, "Quote template with company letterhead and terms"),
        S("story", 8, "Outlook add-in for logging customer e-mails"),
        S("story", 5, "Pipeline dashboard for regional sales managers", kpi=ADOPT),
        S("story", 3, "Duplicate check when creating accounts", kpi=DQ),
        S("story", 5, "Mobile app access for field sales", kpi=ADOPT, labels="pilot"),
        S("story", 3, "Visit report form for customer visits", labels="pilot"),
        S("story", 3, "Alert when a new lead is not contacted within 4 hours", kpi=LRT),
        S("bug", 2, "Opportunity amount is rounded to whole euros"),
        S("bug", 3, "Account owner is lost when duplicates are merged", kpi=DQ),
        S("story", 5, "Forecast categories per quarter"),
        S("story", 8, "Price list sync from ERP"),
        S("story", 5, "Approval workflow for discounts above 15 %"),
        S("story", 2, "Key account plan template"),
        S("story", 5, "Web-to-lead form on the company website", kpi=LRT),
        S("task", 2, "Sales roles and permission sets"),
        S("task", 1, "Win/loss reason picklist"),
    ],
    "SRV": [
        S("story", 3, "Ticket categories and priorities"),
        S("story", 5, "E-mail-to-ticket for the service@ mailbox"),
        S("story", 5, "SLA timers for priority A/B/C tickets"),
        S("story", 8, "Knowledge base structure and first 30 articles", kpi=FCR),
        S("story", 8, "Screen pop on incoming calls (telephony integration)", kpi=FCR),
        S("story", 3, "Escalation rules to second-level support"),
        S("story", 3, "Customer satisfaction survey after ticket closure"),
        S("story", 3, "Service agent console layout"),
        S("story", 5, "Warranty check by serial number"),
        S("bug", 3, "SLA clock keeps running while the ticket waits for the customer"),
        S("bug", 2, "Attachments over 10 MB are rejected without a message"),
        S("story", 3, "Service dashboard for team leads", kpi=FCR),
        S("task", 2, "Text macros for the ten most frequent answers", kpi=FCR),
        S("story", 8, "Field service appointment booking"),
        S("task", 2, "Close stale tickets in the legacy helpdesk", due=(3, "end")),
        S("story", 5, "Service contract entitlements"),
        S("story", 5, "Spare parts lookup from ERP"),
        S("story", 2, "Merge duplicate tickets"),
    ],
    "MKT": [
        S("story", 5, "Newsletter subscription with double opt-in", labels="gdpr"),
        S("story", 5, "Consent fields and consent history (GDPR)", labels="gdpr"),
        S("story", 3, "Campaigns and campaign members"),
        S("task", 2, "Segment: customers without an order in 12 months"),
        S("story", 5, "Trade fair lead capture for Hannover Messe", kpi=LRT),
        S("story", 5, "Lead handover from marketing to sales (MQL to SQL)", kpi=LRT),
        S("story", 3, "E-mail template library in corporate design"),
        S("story", 3, "Unsubscribe link and bounce handling", labels="gdpr"),
        S("story", 3, "Campaign ROI report"),
        S("bug", 2, "Opt-in date missing for imported contacts", kpi=DQ, labels="gdpr"),
        S("story", 3, "Invitation workflow for customer days"),
        S("story", 5, "Lead scoring model, version 1"),
        S("story", 3, "Webinar registration integration"),
        S("task", 2, "Clean up interest tags from the old mailing tool", kpi=DQ),
        S("story", 2, "Marketing calendar view"),
    ],
    "DATA": [
        S("task", 5, "Migration concept and field mapping workbook", labels="migration"),
        S("task", 3, "Extract accounts and contacts from the legacy CRM", labels="migration"),
        S("story", 5, "Address cleansing against postal reference data", kpi=DQ, labels="migration"),
        S("story", 8, "Deduplicate accounts (fuzzy match on name and city)", kpi=DUP, labels="migration",
          description="Match on normalised company name plus city; candidates above 0.9 are merged "
                      "automatically, the rest go to the account owners for review."),
        S("story", 5, "Migrate open opportunities", labels="migration,pilot"),
        S("story", 8, "Migrate service tickets of the last 24 months", labels="migration"),
        S("story", 3, "Migrate contact persons with their roles", labels="migration"),
        S("story", 5, "Map ERP customer numbers to CRM accounts"),
        S("task", 3, "Trial migration 1 into the test system", labels="migration"),
        S("task", 3, "Trial migration 2 with delta load", labels="migration"),
        S("story", 3, "Data quality report per region", kpi=DQ),
        S("bug", 2, "Umlauts broken in imported street names", kpi=DQ),
        S("bug", 1, "Phone numbers lose their leading zero", kpi=DQ),
        S("story", 5, "Archive legacy attachments in the document management system"),
        S("story", 8, "Nightly account sync from ERP to CRM"),
        S("task", 3, "Cut-over plan and rollback procedure for Sales North", labels="go-live,pilot"),
        S("task", 2, "Data ownership rules per object"),
        S("task", 5, "Final migration dry run with business sign-off", labels="go-live"),
    ],
    "CHG": [
        S("change", 3, "Kick-off event for sales and service staff"),
        S("change", 3, "Change impact analysis per department"),
        S("change", 2, "Key user network: nominate one key user per branch"),
        S("change", 5, "Train-the-trainer session for key users", kpi=ADOPT),
        S("change", 5, "User guide Sales: accounts, contacts, opportunities", kpi=ADOPT),
        S("change", 5, "User guide Service: tickets and knowledge base"),
        S("change", 1, "Newsletter #1: Why we are introducing a CRM"),
        S("change", 1, "Newsletter #2: What changes for sales"),
        S("change", 1, "Newsletter #3: Pilot go-live date and support contacts"),
        S("change", 5, "Roadshow in the Hamburg, Köln and München branches", kpi=ADOPT, due=(4, "end")),
        S("change", 5, "E-learning module CRM basics", kpi=ADOPT),
        S("change", 3, "Training: sales teams North", kpi=ADOPT, due=(4, "end"), labels="pilot"),
        S("change", 3, "Training: sales teams South", due=(5, "end")),
        S("change", 3, "Training: service desk", due=(5, "end")),
        S("change", 2, "Intranet FAQ page for the CRM"),
        S("change", 3, "Hypercare support plan for the first four weeks", labels="go-live"),
        S("change", 3, "Inform the works council and agree on CRM usage rules"),
        S("change", 2, "Floor walkers for the pilot go-live week", labels="go-live,pilot"),
        S("change", 2, "Adoption survey four weeks after go-live", kpi=ADOPT),
    ],
}

# items created during a running sprint (found in testing): ref -> (stream, spec, assignee)
NEW_IN_SPRINT = {
    "sal-sso": ("SAL", S("bug", 3, "Single sign-on fails for users in the Köln branch"), "nfischer"),
    "sal-mob": ("SAL", S("bug", 3, "Mobile app shows visit reports of other sales reps", labels="pilot"),
                "nfischer"),
}

# --------------------------------------------------------------------------- sprints


@dataclass(frozen=True)
class _Finding:
    category: str
    text: str
    votes: int
    owner: str | None = None
    # (ref, stream, points, sprint number or None for the backlog, assignee)
    convert: tuple[str, str, float, int | None, str] | None = None
    status: str | None = None  # for findings not converted: accepted / rejected


@dataclass(frozen=True)
class _Plan:
    number: int
    goal: str
    plan: list[str]  # refs planned in before the start (carry-ins come on their own)
    outcomes: dict[str, str] = field(default_factory=dict)  # ref -> status at close / today
    added: list[tuple[str, int, str]] = field(default_factory=list)  # (ref, day, outcome)
    removed: list[tuple[str, int]] = field(default_factory=list)  # (ref, day)
    blocked: list[tuple[str, int, str, int | None]] = field(default_factory=list)
    goal_met: bool | None = None
    summary: str = ""
    findings: list[_Finding] = field(default_factory=list)


PLANS = [
    _Plan(
        1, "Foundations: data model, migration concept and project kick-off",
        plan=["dat01", "dat02", "chg01", "chg02", "chg03", "chg07", "sal01", "sal19", "sal20",
              "srv01", "sal02", "mkt02", "dat03", "srv02", "sal06", "srv14"],
        outcomes={"mkt02": "doing", "dat03": "doing", "srv02": "review"},
        added=[("dat12", 4, "done"), ("mkt03", 5, "todo")],
        removed=[("sal06", 3), ("srv14", 4)],
        blocked=[("chg02", 2, "Department heads of logistics are not available before Thursday", 4)],
        goal_met=True,
        summary="Good start: kick-off done, migration concept agreed. We planned too much; "
                "the Outlook add-in and field service booking went back to the backlog.",
        findings=[
            _Finding("went_well", "Kick-off reached almost everyone\n85 % of sales and service staff "
                     "attended the kick-off in the canteen; the Q&A ran for an hour.", 4),
            _Finding("to_improve", "Stories reach sprint planning without acceptance criteria\nWe lost "
                     "the first two days clarifying scope. Proposal: a definition of ready checklist "
                     "that the stream leads check before planning.", 6, owner="lhoffmann",
                     convert=("imp-dor", "CHG", 2, 2, "lhoffmann")),
            _Finding("tool_optimisation", "Search in the CRM test system does not find contacts by "
                     "phone number\nService agents search by caller number all day.", 5,
                     owner="nfischer", convert=("imp-search", "SAL", 2, 2, "nfischer")),
            _Finding("process", "Mapping decisions for the migration wait too long on the business\n"
                     "A fixed weekly decision slot with the stream leads would unblock the data team.",
                     3, owner="mschulz", convert=("imp-slot", "DATA", 1, 2, "mschulz")),
            _Finding("training", "Key users want hands-on practice before the train-the-trainer session\n"
                     "Set up a sandbox with realistic data and exercises.", 4, owner="rbraun",
                     convert=("chg-practice", "CHG", 3, 2, "rbraun")),
            _Finding("to_improve", "The daily standup regularly runs over 25 minutes", 2,
                     owner="lhoffmann", status="accepted"),
        ],
    ),
    _Plan(
        2, "Sales pipeline in the test system and trial migration 1",
        plan=["sal03", "sal04", "sal07", "dat04", "dat09", "chg08", "chg17", "srv03", "srv08",
              "mkt01", "mkt12"],
        outcomes={"dat03": "doing", "sal07": "review", "dat04": "doing", "mkt01": "doing",
                  "chg-practice": "todo"},
        added=[("sal-sso", 2, "done"), ("sal12", 3, "done"), ("dat13", 6, "done")],
        removed=[("mkt12", 5)],
        blocked=[("dat03", 1, "Licence for the postal reference data not purchased yet", 6),
                 ("dat09", 3, "Test system refresh by IT operations is still pending", 5)],
        goal_met=True,
        summary="Trial migration 1 went well. Three bugs from testing took a fifth of the "
                "capacity; address cleansing is stuck on the reference data licence.",
        findings=[
            _Finding("went_well", "Trial migration 1 loaded 96 % of accounts without manual fixes", 5),
            _Finding("to_improve", "Unplanned bugs took a fifth of the sprint\nReserve capacity for "
                     "defects found in testing instead of pushing stories out.", 5, owner="lhoffmann",
                     convert=("imp-buffer", "CHG", 2, 3, "lhoffmann")),
            _Finding("tool_optimisation", "Pipeline dashboard takes 20 seconds to load for region South",
                     4, owner="kwagner", convert=("imp-dash", "SAL", 3, 3, "kwagner")),
            _Finding("process", "Works council approval took four weeks longer than planned\nInvolve "
                     "the works council before the next module, not after.", 2, owner="lhoffmann",
                     status="accepted"),
            _Finding("training", "Service agents ask for a one-page quick reference for ticket "
                     "handling", 3, owner="rbraun", convert=("chg-card", "CHG", 2, None, "rbraun")),
        ],
    ),
    _Plan(
        3, "Service desk basics and key user training",
        plan=["srv04", "srv06", "srv10", "sal05", "sal08", "sal11", "chg04", "chg05", "chg11",
              "chg09", "dat10", "dat07", "mkt06", "srv09"],
        outcomes={"dat04": "doing", "srv04": "doing", "chg11": "review", "imp-dash": "doing"},
        added=[("srv11", 3, "done"), ("sal13", 5, "done")],
        removed=[("srv09", 4)],
        blocked=[("chg04", 2, "Training room in Hamburg is double-booked", 3)],
        goal_met=False,
        summary="Key users trained and very positive. Deduplication slipped again: nobody decides "
                "on the merge rules. The knowledge base needs another sprint.",
        findings=[
            _Finding("went_well", "Key users rated the train-the-trainer session 4.5 of 5", 6),
            _Finding("to_improve", "Large stories keep slipping\nSplit anything above 5 points before "
                     "planning.", 4, owner="lhoffmann", convert=("imp-split", "CHG", 1, 4, "lhoffmann")),
            _Finding("tool_optimisation", "The visit report on mobile has too many mandatory fields",
                     3, owner="nfischer", convert=("imp-visit", "SAL", 2, None, "nfischer")),
            _Finding("process", "Nobody owns the merge rules for duplicate accounts\nSales management "
                     "has to name an owner and decide.", 5, owner="tbecker", status="accepted"),
            _Finding("training", "Short video tutorials for the five most frequent tasks", 2),
            _Finding("to_improve", "Move to one-week sprints", 1, status="rejected"),
        ],
    ),
    _Plan(
        4, "Pilot go-live readiness for Sales North",
        plan=["sal09", "sal10", "sal18", "sal16", "chg10", "chg12", "chg15", "chg18", "chg13",
              "srv05", "srv12", "dat05", "dat11", "dat16", "mkt05", "mkt07"],
        outcomes={"dat04": "doing", "srv04": "done", "chg11": "done", "imp-dash": "review",
                  "imp-split": "done", "sal09": "doing", "sal10": "done", "sal18": "review",
                  "sal16": "todo", "chg10": "doing", "chg12": "done", "chg15": "done",
                  "chg18": "todo", "srv05": "doing", "srv12": "doing", "dat05": "done",
                  "dat11": "review", "dat16": "doing", "mkt05": "todo", "mkt07": "done"},
        added=[("sal-mob", 2, "doing")],
        removed=[("chg13", 3)],
        blocked=[("dat04", 1, "Sales management has not signed off the merge rules for duplicate "
                  "accounts", None),
                 ("srv05", 2, "Telephony vendor has not delivered the CTI connector licence", None)],
    ),
]
NEXT_PLAN = (5, "Service go-live and hypercare",
             ["srv13", "srv07", "srv16", "chg06", "chg14", "chg16", "dat06", "dat18", "mkt08",
              "sal14", "chg-card"])
ABSENCES = {4: [("fneumann", 3), ("kwagner", 2), ("dmeyer", 1)],
            5: [("jkoch", 5), ("ayilmaz", 2), ("tbecker", 3)]}

# --------------------------------------------------------------------------- machinery


class _Clock:
    """A clock the demo moves by hand."""

    def __init__(self, start: datetime):
        self.value = start

    def __call__(self) -> datetime:
        return self.value

    def set(self, day: date, minutes: int) -> None:
        self.value = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=minutes)


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def active_sprint_start(today: date) -> date:
    """The Monday the active sprint started: about a week before today."""
    if today.weekday() >= 5:  # a weekend: the sprint started this week
        return _monday(today)
    return _monday(today) - timedelta(days=7)


def previous_working_day(d: date) -> date:
    d -= timedelta(days=1)
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


class _Demo:
    def __init__(self, ctx: Ctx, today: date):
        self.today = today
        self.rng = random.Random(RNG_SEED)
        self.base = ctx
        s4 = active_sprint_start(today)
        # sprint n starts on s4 + 14 * (n - 4) days and ends on the second Friday
        self.starts = {n: s4 + timedelta(days=14 * (n - 4)) for n in range(1, 6)}
        self.ends = {n: self.starts[n] + timedelta(days=11) for n in range(1, 6)}
        self.project_start = self.starts[1] - timedelta(days=14)
        self.clock = _Clock(datetime.combine(self.project_start, time(8), tzinfo=UTC))
        self._ctxs: dict[str, Ctx] = {}
        self.keys: dict[str, str] = {}  # ref -> item key
        self.status: dict[str, str] = {}  # item key -> status
        self.assignee: dict[str, str | None] = {}  # item key -> handle
        self.stream_of: dict[str, str] = {}  # item key -> stream
        self.leads = {key: lead for key, _n, lead, _d in STREAMS}
        self.first_use: dict[str, int] = {}  # catalog ref -> first sprint it is planned into
        self.creation: dict[int, list[tuple[str, str, _Spec]]] = {}
        self._kpi_done: set[int] = set()
        self._minute = 0
        self.team = {key: [h for h, _n, st, _a, _c in MEMBERS if st == key] for key, *_ in STREAMS}

    # -- helpers ------------------------------------------------------------
    def as_(self, user: str) -> Ctx:
        if user not in self._ctxs:
            self._ctxs[user] = replace(self.base, user=user, clock=self.clock)
        return self._ctxs[user]

    def at(self, day: date, minutes_after_nine: int, user: str) -> Ctx:
        self.clock.set(day, 9 * 60 + minutes_after_nine)
        return self.as_(user)

    def name(self, n: int) -> str:
        return f"Sprint {n}"

    def key(self, ref: str) -> str:
        return self.keys[ref]

    def days(self, n: int) -> list[date]:
        return working_days(self.starts[n], self.ends[n], WORKDAYS)

    def _remember(self, ref: str, row: items.ItemRow) -> None:
        self.keys[ref] = row.key
        self.status[row.key] = row.status
        self.assignee[row.key] = row.assignee
        self.stream_of[row.key] = row.stream

    # -- setup --------------------------------------------------------------
    def setup(self) -> None:
        ctx = self.at(self.project_start, -60, self.base.user)
        if project.is_initialised(ctx):
            project.init_project(ctx)  # keep the name someone already gave the project
        else:
            project.init_project(ctx, "CRM rollout")
        project.update_settings(ctx, sprint_length_days=14, working_days="mon,tue,wed,thu,fri",
                                points_per_day=0.8)
        for key, name, _lead, desc in STREAMS:
            streams.add_stream(ctx, key, name, description=desc)
        for handle, name, stream, avail, comp in MEMBERS:
            members.add_member(ctx, handle, name, stream=stream, availability=avail, competences=comp)
        for key, _name, lead, _desc in STREAMS:
            streams.edit_stream(ctx, key, lead=lead)
        goals = {p.number: p.goal for p in PLANS}
        goals[NEXT_PLAN[0]] = NEXT_PLAN[1]
        for n in range(1, 6):
            sprints.new_sprint(ctx, self.name(n), start=self.starts[n], end=self.ends[n], goal=goals[n])
        for sprint_no, rows in ABSENCES.items():
            for handle, days in rows:
                members.set_absence(ctx, handle, self.name(sprint_no), days)
        kctx = self.at(self.project_start, 30, ADMIN)
        for name, unit, base, target, direction, desc, _values in KPIS:
            kpis.add_kpi(kctx, name, unit=unit, baseline=base, target=target, direction=direction,
                         description=desc)
        self.record_kpis(upto=self.project_start)

    def _kpi_dates(self) -> list[date]:
        last = previous_working_day(self.today)
        return [self.project_start, self.starts[2], self.starts[3], self.starts[4], last]

    def record_kpis(self, upto: date | None = None) -> None:
        """Record every measurement dated on or before `upto` (None: all) not recorded yet."""
        for i, d in enumerate(self._kpi_dates()):
            if i in self._kpi_done or (upto is not None and d > upto):
                continue
            self._kpi_done.add(i)
            for name, _u, _b, _t, _dir, _desc, values in KPIS:
                who = "mschulz" if name in (DQ, DUP) else ADMIN
                kpis.record(self.at(d, 90, who), name, values[i], on=d, note=KPI_NOTES[i])

    # -- the backlog --------------------------------------------------------
    def plan_creation(self) -> None:
        """Decide when each catalog item is written down: at setup, or in the backlog
        refinement of an earlier sprint (never after it is first planned)."""
        first_use: dict[str, int] = {}
        for p in PLANS:
            for ref in p.plan + [r for r, _d, _o in p.added]:
                first_use.setdefault(ref, p.number)
        for ref in NEXT_PLAN[2]:
            first_use.setdefault(ref, NEXT_PLAN[0])
        self.first_use = first_use
        self.creation = {n: [] for n in range(0, 5)}
        for stream, specs in CATALOG.items():
            for i, spec in enumerate(specs, start=1):
                ref = f"{stream.lower()[:3]}{i:02d}"
                k = first_use.get(ref)
                if k is None:
                    slot = self.rng.randint(0, 4)
                elif k <= 2:
                    slot = 0
                else:
                    slot = self.rng.randint(0, k - 1)
                self.creation[slot].append((ref, stream, spec))

    def _due(self, spec: _Spec) -> date | None:
        if spec.due is None:
            return None
        n, which = spec.due
        return self.starts[n] if which == "start" else self.ends[n]

    def create(self, ctx_day: date, minute: int, ref: str, stream: str, spec: _Spec,
               sprint: str | None = None, assignee: str | None = None) -> None:
        if assignee is None and (ref in self.first_use):
            team = self.team[stream]
            assignee = team[(int(ref[-2:]) - 1) % len(team)] if ref[-2:].isdigit() else team[0]
        c = self.at(ctx_day, minute, self.leads[stream])
        row = items.create_item(
            c, spec.title, stream=stream, points=spec.points, kind=spec.kind, sprint=sprint,
            assignee=assignee, description=spec.description, due=self._due(spec), labels=spec.labels,
            kpi=spec.kpi,
        )
        self._remember(ref, row)

    def create_initial_backlog(self) -> None:
        # each lead writes down their stream's backlog on one of the days before sprint 1
        setup_days = working_days(self.project_start, self.starts[1] - timedelta(days=1), WORKDAYS)
        order = [key for key, *_ in STREAMS]
        for ref, stream, spec in self.creation[0]:
            day = setup_days[(order.index(stream) * 2) % len(setup_days)]
            self._minute += 3
            self.create(day, 60 + self._minute % 300, ref, stream, spec)

    # -- running a sprint ---------------------------------------------------
    def _path(self, cur: str, final: str) -> list[str]:
        i, j = ORDER.index(cur), ORDER.index(final)
        if j < i:
            raise AssertionError(f"demo script moves an item back from {cur} to {final}")
        path = ORDER[i + 1 : j + 1]
        if final == Status.DONE and Status.REVIEW.value in path and len(path) > 1 and self.rng.random() < 0.35:
            path.remove(Status.REVIEW.value)  # small things skip the review column
        return path

    def _moves(self, key: str, final: str, lo: int, hi: int) -> list[tuple[int, int, str, str]]:
        """(day index, minute, key, status) for each step from the item's status to final."""
        path = self._path(self.status[key], final)
        if not path:
            return []
        last = self.rng.randint(max(lo, 2), max(hi, 2)) if final == Status.DONE else self.rng.randint(lo, hi)
        days = sorted(self.rng.randint(lo, last) for _ in path[:-1]) + [last]
        out, prev_day, n_same = [], None, 0
        for d, st in zip(days, path, strict=False):
            n_same = n_same + 1 if d == prev_day else 0
            prev_day = d
            out.append((d, 60 + self.rng.randint(0, 300) // 10 * 10 + 30 * n_same, key, st))
        # keep one item's steps in order on a shared day
        fixed, last_min = [], {}
        for d, m, k, st in out:
            m = max(m, last_min.get(d, -1) + 10)
            last_min[d] = m
            fixed.append((d, m, k, st))
        self.status[key] = final
        return fixed

    def run_sprint(self, p: _Plan, *, active: bool) -> None:
        n = p.number
        name = self.name(n)
        days = self.days(n)
        hi = len(days) - 1
        if active:
            elapsed = [i for i, d in enumerate(days) if d < self.today]
            hi = elapsed[-1] if elapsed else 0
        # planning on the first morning, start half an hour later
        items.plan_items(self.at(days[0], -60, ADMIN), [self.key(r) for r in p.plan], name)
        sprints.start_sprint(self.at(days[0], -30, ADMIN), name)
        in_sprint = [r.key for r in items.list_items(self.base, sprint=name)]
        outcomes = {self.key(r): o for r, o in p.outcomes.items() if r in self.keys}
        removed = {self.keys[r]: d for r, d in p.removed}
        actions: list[tuple[int, int, int, tuple]] = []
        seq = 0

        def push(day: int, minute: int, action: tuple) -> None:
            nonlocal seq
            seq += 1
            actions.append((day, minute, seq, action))

        for key in in_sprint:
            if key in removed:
                push(removed[key], 10, ("remove", key))
                continue
            final = outcomes.get(key, Status.DONE.value if not active else Status.DOING.value)
            for d, m, k, st in self._moves(key, final, 0, hi):
                push(d, m, ("move", k, st))
        for ref, day, final in p.added:
            push(day, 0, ("add", ref, final, day))
        for ref, day, reason, until in p.blocked:
            push(day, 20, ("block", ref, reason))
            if until is not None:
                push(until, 40, ("unblock", ref))
        # backlog refinement on the third day: new items written down
        for i, (ref, stream, spec) in enumerate(self.creation.get(n, [])):
            push(2, 300 + i * 2, ("create", ref, stream, spec))
        push(0, 90, ("kpis",))
        if active:
            push(hi, 90, ("kpis",))
            push(hi, 380, ("plan-next",))

        # added items get their moves once they exist; process in time order
        pending = sorted(actions)
        while pending:
            day, minute, _s, action = pending.pop(0)
            when = days[day]
            kind = action[0]
            if kind == "move":
                _k, key, st = action
                who = self.assignee.get(key) or self.leads[self.stream_of[key]]
                row = items.move_item(self.at(when, minute, who), key, st)
                self.status[key] = row.status
            elif kind == "remove":
                key = action[1]
                items.plan_item(self.at(when, minute, ADMIN), key, None)
            elif kind == "add":
                _k, ref, final, add_day = action
                if ref in NEW_IN_SPRINT:
                    stream, spec, who = NEW_IN_SPRINT[ref]
                    self.create(when, minute, ref, stream, spec, sprint=name, assignee=who)
                else:
                    items.plan_item(self.at(when, minute, self.leads[self.stream_of[self.key(ref)]]),
                                    self.key(ref), name)
                key = self.key(ref)
                for d, m, k, st in self._moves(key, final, add_day, hi):
                    if d == add_day:
                        m = max(m, minute + 30)
                    seq += 1
                    pending.append((d, m, seq, ("move", k, st)))
                pending.sort()
            elif kind == "block":
                _k, ref, reason = action
                key = self.key(ref)
                items.set_blocked(self.at(when, minute, self.assignee.get(key) or ADMIN), key, True, reason)
            elif kind == "unblock":
                key = self.key(action[1])
                items.set_blocked(self.at(when, minute, self.assignee.get(key) or ADMIN), key, False)
            elif kind == "create":
                _k, ref, stream, spec = action
                self.create(when, minute, ref, stream, spec)
            elif kind == "kpis":
                self.record_kpis(upto=when)
            elif kind == "plan-next":
                nxt, _goal, refs = NEXT_PLAN
                items.plan_items(self.at(when, minute, ADMIN), [self.key(r) for r in refs], self.name(nxt))
        if active:
            return
        # close on the last Friday afternoon, then the interim evaluation
        self.clock.set(days[-1], 16 * 60)
        sprints.close_sprint(self.as_(ADMIN), name, carry_to=self.name(n + 1))
        if p.goal_met is not None:
            sprints.edit_sprint(self.as_(ADMIN), name, goal_met=p.goal_met)
        self.evaluate(p, days[-1])

    def evaluate(self, p: _Plan, day: date) -> None:
        name = self.name(p.number)
        ctx = self.at(day, 7 * 60 + 30, ADMIN)
        ev = evaluations.create_evaluation(ctx, name, kind="interim", on=day, facilitator=ADMIN,
                                           summary=p.summary)
        voters = [h for h, *_ in MEMBERS]
        for i, f in enumerate(p.findings):
            author = f.owner or voters[(i * 5 + p.number) % len(voters)]
            fv = evaluations.add_finding(self.at(day, 7 * 60 + 35 + i, author), ev.id, f.category, f.text,
                                         owner=f.owner)
            for v in range(f.votes):
                evaluations.vote(self.as_(voters[(v * 7 + i) % len(voters)]), fv.id, +1)
            if f.status:
                evaluations.edit_finding(self.at(day, 7 * 60 + 50, ADMIN), fv.id, status=f.status)
            if f.convert:
                ref, stream, pts, sprint_no, who = f.convert
                row = evaluations.convert_finding(
                    self.at(day, 7 * 60 + 55 + i, ADMIN), fv.id, stream=stream, points=pts,
                    sprint=self.name(sprint_no) if sprint_no else None, assignee=who,
                )
                self._remember(ref, row)

    def standups(self) -> None:
        """Yesterday's standup: everyone's notes, held by the project lead,
        two minutes over its timebox, with two topics parked."""
        day = previous_working_day(self.today)
        held = standups.start_session(self.at(day, 0, "maria"))
        active = items.list_items(self.base, sprint=self.name(4))
        by_member: dict[str, list[items.ItemRow]] = {}
        for r in active:
            if r.assignee:
                by_member.setdefault(r.assignee, []).append(r)
        for i, (handle, _name, _s, _a, _c) in enumerate(MEMBERS):
            if handle == "rbraun":
                continue  # forgot to fill it in
            ctx = self.at(day, 15 + i, handle)
            if handle == "fneumann":
                standups.save_entry(ctx, handle, on=day, absent=True, yesterday="", today="",
                                    blockers="")
                continue
            mine = sorted(by_member.get(handle, []), key=lambda r: (r.status == "done", r.rank))
            open_ = [r for r in mine if r.status != "done"]
            done = [r for r in mine if r.status == "done"]
            if done:
                y = f"Finished {done[0].key} ({done[0].title})."
            elif open_:
                y = f"Worked on {open_[0].key} ({open_[0].title})."
            else:
                y = "Reviewed the backlog for the next sprint with my stream lead."
            if len(open_) > 1:
                t = f"Continue {open_[0].key}, then start on {open_[1].key}."
            elif open_:
                t = f"Continue {open_[0].key} ({open_[0].title})."
            else:
                t = "Support the key users in the pilot group and refine stories for Sprint 5."
            blocked = [r for r in mine if r.blocked]
            b = f"{blocked[0].key}: {blocked[0].blocked_reason}" if blocked else ""
            standups.save_entry(ctx, handle, on=day, yesterday=y, today=t, blockers=b)
        lead = self.at(day, 17, "maria")
        standups.add_parking_topic(lead, held.id, "Who signs off the data-protection review of the lead import?")
        standups.add_parking_topic(lead, held.id, "Book the training room for the key-user sessions")
        standups.end_session(lead, held.id, elapsed_seconds=17 * 60)

    def run(self) -> None:
        self.setup()
        self.plan_creation()
        self.create_initial_backlog()
        for p in PLANS:
            self.run_sprint(p, active=(p.number == 4))
        self.record_kpis()
        self.standups()


def create_demo(ctx: Ctx, *, today: date | None = None) -> bool:
    """Fill an empty project with the demo CRM rollout; False if it has streams already."""
    if streams.list_streams(ctx):
        return False
    _Demo(ctx, today or _today()).run()
    return True

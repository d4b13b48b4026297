"""The demo project's story: its streams and people, KPIs, backlog catalogue and
what happens in each sprint (plans, outcomes, blockers, findings). Only data;
`sprinttui.demo` plays it through the services."""

from __future__ import annotations

from dataclasses import dataclass, field

from sprinttui.domain import Status

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
class Spec:
    kind: str
    points: float | None
    title: str
    kpi: str | None = None
    labels: str = ""
    due: tuple[int, str] | None = None  # (sprint number, "start" | "end")
    description: str = ""


def S(kind, points, title, **kw) -> Spec:  # noqa: N802 - a compact table constructor
    return Spec(kind, points, title, **kw)


CATALOG: dict[str, list[Spec]] = {
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
class Finding:
    category: str
    text: str
    votes: int
    owner: str | None = None
    # (ref, stream, points, sprint number or None for the backlog, assignee)
    convert: tuple[str, str, float, int | None, str] | None = None
    status: str | None = None  # for findings not converted: accepted / rejected


@dataclass(frozen=True)
class Plan:
    number: int
    goal: str
    plan: list[str]  # refs planned in before the start (carry-ins come on their own)
    outcomes: dict[str, str] = field(default_factory=dict)  # ref -> status at close / today
    added: list[tuple[str, int, str]] = field(default_factory=list)  # (ref, day, outcome)
    removed: list[tuple[str, int]] = field(default_factory=list)  # (ref, day)
    blocked: list[tuple[str, int, str, int | None]] = field(default_factory=list)
    goal_met: bool | None = None
    summary: str = ""
    findings: list[Finding] = field(default_factory=list)


PLANS = [
    Plan(
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
            Finding("went_well", "Kick-off reached almost everyone\n85 % of sales and service staff "
                     "attended the kick-off in the canteen; the Q&A ran for an hour.", 4),
            Finding("to_improve", "Stories reach sprint planning without acceptance criteria\nWe lost "
                     "the first two days clarifying scope. Proposal: a definition of ready checklist "
                     "that the stream leads check before planning.", 6, owner="lhoffmann",
                     convert=("imp-dor", "CHG", 2, 2, "lhoffmann")),
            Finding("tool_optimisation", "Search in the CRM test system does not find contacts by "
                     "phone number\nService agents search by caller number all day.", 5,
                     owner="nfischer", convert=("imp-search", "SAL", 2, 2, "nfischer")),
            Finding("process", "Mapping decisions for the migration wait too long on the business\n"
                     "A fixed weekly decision slot with the stream leads would unblock the data team.",
                     3, owner="mschulz", convert=("imp-slot", "DATA", 1, 2, "mschulz")),
            Finding("training", "Key users want hands-on practice before the train-the-trainer session\n"
                     "Set up a sandbox with realistic data and exercises.", 4, owner="rbraun",
                     convert=("chg-practice", "CHG", 3, 2, "rbraun")),
            Finding("to_improve", "The daily standup regularly runs over 25 minutes", 2,
                     owner="lhoffmann", status="accepted"),
        ],
    ),
    Plan(
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
            Finding("went_well", "Trial migration 1 loaded 96 % of accounts without manual fixes", 5),
            Finding("to_improve", "Unplanned bugs took a fifth of the sprint\nReserve capacity for "
                     "defects found in testing instead of pushing stories out.", 5, owner="lhoffmann",
                     convert=("imp-buffer", "CHG", 2, 3, "lhoffmann")),
            Finding("tool_optimisation", "Pipeline dashboard takes 20 seconds to load for region South",
                     4, owner="kwagner", convert=("imp-dash", "SAL", 3, 3, "kwagner")),
            Finding("process", "Works council approval took four weeks longer than planned\nInvolve "
                     "the works council before the next module, not after.", 2, owner="lhoffmann",
                     status="accepted"),
            Finding("training", "Service agents ask for a one-page quick reference for ticket "
                     "handling", 3, owner="rbraun", convert=("chg-card", "CHG", 2, None, "rbraun")),
        ],
    ),
    Plan(
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
            Finding("went_well", "Key users rated the train-the-trainer session 4.5 of 5", 6),
            Finding("to_improve", "Large stories keep slipping\nSplit anything above 5 points before "
                     "planning.", 4, owner="lhoffmann", convert=("imp-split", "CHG", 1, 4, "lhoffmann")),
            Finding("tool_optimisation", "The visit report on mobile has too many mandatory fields",
                     3, owner="nfischer", convert=("imp-visit", "SAL", 2, None, "nfischer")),
            Finding("process", "Nobody owns the merge rules for duplicate accounts\nSales management "
                     "has to name an owner and decide.", 5, owner="tbecker", status="accepted"),
            Finding("training", "Short video tutorials for the five most frequent tasks", 2),
            Finding("to_improve", "Move to one-week sprints", 1, status="rejected"),
        ],
    ),
    Plan(
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

"""The app's screens: number key, mode name and title, in the order of the
screen bar (shared by the app, which switches them, and the bar, which names them)."""

SCREENS = [
    ("1", "board", "Board"),
    ("2", "backlog", "Backlog"),
    ("3", "planning", "Planning"),
    ("4", "standup", "Standup"),
    ("5", "evaluations", "Evaluations"),
    ("6", "catchup", "Catch-up"),
    ("7", "kpis", "KPIs"),
    ("8", "team", "Team"),
]

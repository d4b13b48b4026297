"""Importers: bring work items from other tools into a sprinttui project.

* :mod:`sprinttui.importers.jira` – a Jira "Export Excel CSV (all fields)" file
  (``sprinttui import jira-csv FILE``); see ``docs/jira-import.md``. Its
  :mod:`~sprinttui.importers.jira.sample` generates large Jira-format CSV files
  for tests and benchmarks.

Nothing here imports Textual; the command line draws the progress bar.
"""

"""The schema revision this program expects.

Kept apart from Alembic so that opening an up-to-date database never imports
Alembic (start-up stays lean). A test checks it equals the migrations' head.
"""

HEAD_REVISION = "0008_import_batches"

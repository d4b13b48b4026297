"""Service layer: every operation the UI and CLI need, one transaction each.

No module here imports Textual (a test enforces it). Each public function takes
a :class:`Ctx` (database + acting user) first.
"""

from sprinttui.services.context import Ctx, resolve_user
from sprinttui.services.project import open_ctx

__all__ = ["Ctx", "open_ctx", "resolve_user"]

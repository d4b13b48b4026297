"""The item editor: a modal form for every field of an item.

``ItemEditor(key, data=…)`` edits an existing item, ``ItemEditor(None,
defaults=…, data=…)`` creates one. The app reads the data first
(read_editor_data, in a worker thread; app.open_item and app.new_item) and
holds the keys typed meanwhile, so the form is composed with its values, shows
them from its first frame and gets those keys once the title has the focus
(cursor at its end, nothing selected). Each field is checked as it is left,
the way saving checks it, and what is wrong is said next to it; nothing typed
is ever cleared. Saving runs on the app's writer thread with the version that
was read, so a change made by someone else meanwhile is never overwritten
silently: a dialog lists what changed and offers to reload the fresh item or
to re-apply your edits on top of it.

This module has the form: its widgets, checks, saving and conflicts. What the
form knows of an item's fields apart from widgets (names, labels, values,
defaults, the differences between two versions, the history panel's text) is
in item_fields.py; the conflict dialog is ConflictModal in modals.py.
Why it is a little over 600 lines: opening (the read, the keys held meanwhile),
checking, saving and the conflict flow all act on the one form's widgets.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static, TextArea
from textual.widgets.select import InvalidSelectValueError

from sprinttui.display import restore_bidi
from sprinttui.domain import ConflictError, Kind, SprintState, SprintTuiError, Status, ValidationError
from sprinttui.services import items as items_svc
from sprinttui.services import kpis as kpis_svc
from sprinttui.services import members as members_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services import streams as streams_svc
from sprinttui.services.item_rows import HistoryEntry, ItemDetail, ItemRow, Slip
from sprinttui.services.text import clean_line, clean_list, clean_points, clean_text, fmt_points
from sprinttui.tui.item_fields import (
    BACKLOG,
    ERROR_FIELD,
    FIELDS,
    LABELS,
    default_values,
    detail_values,
    diff_details,
    history_text,
    multiline,
)
from sprinttui.tui.modals import ConfirmModal, ConflictModal
from sprinttui.tui.safe import plain
from sprinttui.tui.tcss import load_tcss
from sprinttui.tui.writes import Topic, Write

if TYPE_CHECKING:
    from sprinttui.tui.app import SprintTuiApp

#: the selects of the form; the other fields are typed (Input, the description's TextArea, the checkbox)
SELECTS = ("kind", "stream", "assignee", "status", "sprint", "kpi")
#: the fields _validate checks (the other selects offer only values that are valid)
CHECKED = ("title", "description", "points", "due", "labels", "blocked_reason", "stream")


@dataclass
class EditorData:
    detail: ItemDetail | None
    streams: list[streams_svc.StreamView]
    members: list[members_svc.MemberView]
    sprints: list[sprints_svc.SprintView]  # open ones: planned and active
    kpis: list[str]
    history: list[HistoryEntry]
    slips: list[Slip]


def read_editor_data(ctx, key: str | None) -> EditorData:
    """What the editor shows of item `key` (None: a new item) and the choices
    it offers. Runs in a worker thread, before the editor opens."""
    return EditorData(
        detail=items_svc.get_item(ctx, key) if key else None,
        streams=streams_svc.list_streams(ctx),
        members=members_svc.list_members(ctx),
        sprints=[sp for sp in sprints_svc.list_sprints(ctx) if sp.state != SprintState.CLOSED],
        kpis=[k.name for k in kpis_svc.list_kpis(ctx)],
        history=items_svc.history(ctx, key) if key else [],
        slips=items_svc.slip_trail(ctx, key) if key else [],
    )


def widget_values(v: dict[str, Any]) -> dict[str, Any]:
    """Values in edit_item's form (detail_values, default_values) as the
    widgets hold them: text for the typed fields, the value for the selects."""
    pts, due, labels = v["points"], v["due"], v["labels"]
    out: dict[str, Any] = {
        "title": plain(v["title"]),
        "description": multiline(v["description"]),
        "points": "" if pts is None else (fmt_points(float(pts)) if isinstance(pts, (int, float)) else plain(pts)),
        "blocked": bool(v["blocked"]),
        "blocked_reason": plain(v["blocked_reason"]),
        "due": due.isoformat() if isinstance(due, date) else plain(due or ""),
        "labels": plain(", ".join(labels) if isinstance(labels, list) else labels),
    }
    for name in SELECTS:
        out[name] = v[name]
    return out


class ItemEditor(ModalScreen[str | None]):
    """Edit every field of an item (or create one). Dismisses with the item key."""

    DEFAULT_CSS = load_tcss(__file__)
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, key: str | None = None, *, defaults: dict | None = None, data: EditorData) -> None:
        super().__init__()
        self.key = key.strip().upper() if key else None
        self.defaults = dict(defaults or {})
        self.data: EditorData = data
        self.detail: ItemDetail | None = data.detail  # the version the edits are based on
        self._shown: dict[str, Any] = {}  # widget values as filled in, to see what was edited
        self._saving = False
        self._built = False  # mounted, its values read back into _shown
        self._first_errors: dict[str, str] = {}  # values the selects cannot show, said once mounted

    @property
    def sapp(self) -> SprintTuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def ctx(self):
        return self.sapp.ctx

    # -- layout ------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        data = self.data
        v = detail_values(data.detail) if data.detail is not None else default_values(self.defaults, data.sprints)
        with Vertical(id="editor"):
            heading = (Content.from_markup("Edit $key", key=self.key) if self.key else Content("New item"))
            yield Label(heading, id="editor-heading")
            with VerticalScroll(id="editor-form"):
                yield from self._build_widgets(data, widget_values(v))
            yield Label("", id="editor-general-error", classes="error")
            with Horizontal(id="editor-buttons"):
                yield Button("Save (ctrl+s)", id="editor-save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="editor-cancel", compact=True)
        yield Footer()

    def _field(self, name: str, widget, hint=None) -> list:
        row = Horizontal(Label(LABELS[name], classes="name"), widget, *([hint] if hint else []),
                         classes="field", id=f"row-{name}")
        return [row, Label("", id=f"e-{name}", classes="error")]

    def _choosable(self, name: str, options: list[tuple[Any, Any]], value: Any, *, blank: bool) -> Any:
        """`value` when the select offers it; else none (or the first option) and a message for later."""
        if any(x == value for _p, x in options):
            return value
        if value:
            self._first_errors[name] = f"unknown {name} {plain(value, 30)!r}"
        return Select.NULL if blank else options[0][1]

    def _select(self, name: str, options: list[tuple[Any, Any]], value: Any, *, blank: bool = False,
                **kw) -> Select:
        return Select(options, value=self._choosable(name, options, value, blank=blank), allow_blank=blank,
                      id=f"f-{name}", compact=True, **kw)

    @staticmethod
    def _input(name: str, value: str, placeholder: str, **kw) -> Input:
        # select_on_focus off: focusing a field never selects what it holds, so a key never replaces it
        return Input(value, placeholder=placeholder, id=f"f-{name}", compact=True, select_on_focus=False, **kw)

    def _build_widgets(self, data: EditorData, v: dict[str, Any]) -> list:
        existing = data.detail is not None
        kinds = [(k.value, k.value) for k in Kind]
        statuses = [(s.value, s.value) for s in Status]
        streams = [(Text(plain(f"{s.key}  {s.name}", 60)), s.key) for s in data.streams]
        members = [(Text("— nobody —"), "")] + [
            (Text(plain(f"{m.handle}  {m.name}", 60)), m.handle) for m in data.members
        ]
        sprints = [(Text("Backlog"), BACKLOG)] + [
            (Text(plain(f"{sp.name}  ({sp.state}, {sp.start:%d %b}–{sp.end:%d %b})", 60)), sp.name)
            for sp in data.sprints
        ]
        kpis = [(Text("— none —"), "")] + [(Text(plain(k, 60)), k) for k in data.kpis]
        if existing:  # keep the item's own values choosable (inactive member, closed sprint)
            if v["assignee"] and all(x != v["assignee"] for _p, x in members):
                members.append((Text(plain(v["assignee"], 40) + " (inactive)"), v["assignee"]))
            if v["sprint"] != BACKLOG and all(x != v["sprint"] for _p, x in sprints):
                sprints.append((Text(plain(v["sprint"], 40) + " (closed)"), v["sprint"]))
            if v["kpi"] and all(x != v["kpi"] for _p, x in kpis):
                kpis.append((Text(plain(v["kpi"], 40)), v["kpi"]))
            if all(x != v["stream"] for _p, x in streams):
                streams.append((Text(plain(v["stream"], 20)), v["stream"]))
        blocked = v["blocked"]
        out: list = []
        out += self._field("title", self._input("title", v["title"], "what is to be done"))
        out += [Label("Description", classes="name", id="name-description"),
                TextArea(v["description"], id="f-description", soft_wrap=True, compact=True),
                Label("", id="e-description", classes="error")]
        out += self._field("kind", self._select("kind", kinds, v["kind"]))
        out += self._field(
            "stream",
            self._select("stream", streams, v["stream"], blank=True, prompt="choose a stream", disabled=existing),
            Label("(part of the key)", classes="hint") if existing else None,
        )
        out += self._field("assignee", self._select("assignee", members, v["assignee"]))
        out += self._field("points", self._input("points", v["points"], "e.g. 3 (empty: not estimated)"))
        out += self._field("status", self._select("status", statuses, v["status"]))
        out += self._field("blocked", Checkbox("blocked", blocked, id="f-blocked", compact=True))
        out += self._field("blocked_reason", self._input("blocked_reason", v["blocked_reason"], "why it is blocked",
                                                         disabled=not blocked))
        out += self._field("sprint", self._select("sprint", sprints, v["sprint"]))
        out += self._field(
            "due", self._input("due", v["due"], "2026-03-01, fri, +3d, next monday"),
            Label("", id="due-parsed", classes="hint"),
        )
        out += self._field("labels", self._input("labels", v["labels"], "comma separated"))
        out += self._field("kpi", self._select("kpi", kpis, v["kpi"]))
        if existing:
            out.append(Static(history_text(data.detail, data.history, data.slips), id="editor-history"))
        return out

    # -- opening -----------------------------------------------------------------
    def on_mount(self) -> None:
        """The form is there with its values: what they are now is what was shown;
        the title takes the keys (those typed while the editor opened first)."""
        self._update_due_hint()
        self._check_typed("points")
        for name, message in self._first_errors.items():
            self._set_error(name, message)
        self._shown = self._raw()
        self._built = True
        title = self.query_one("#f-title", Input)
        self.set_focus(title, scroll_visible=False)
        title.cursor_position = len(title.value)
        self.sapp.release_keys()

    @work(thread=True, exclusive=True, group="item-editor-history")
    def _reload_history(self) -> None:
        try:
            data = read_editor_data(self.ctx, self.key)
        except SprintTuiError as err:
            self.app.call_from_thread(self.sapp.report_error, err)
            return
        self.app.call_from_thread(self._history_read, data)

    def _history_read(self, data: EditorData) -> None:
        if self.is_attached:
            self._show_history(data)

    # -- form values ---------------------------------------------------------------
    def _set_select(self, name: str, value: Any) -> None:
        sel = self.query_one(f"#f-{name}", Select)
        try:
            sel.value = value
        except InvalidSelectValueError:
            with contextlib.suppress(InvalidSelectValueError):
                sel.clear()  # without a blank to fall back on it keeps its value
            if value:
                self._set_error(name, f"unknown {name} {plain(value, 30)!r}")

    def _fill(self, v: dict[str, Any]) -> None:
        """Put values (in edit_item's form) into the widgets."""
        self._clear_errors()
        w = widget_values(v)
        for name in ("title", "points", "blocked_reason", "due", "labels"):
            self.query_one(f"#f-{name}", Input).value = w[name]
        self.query_one("#f-description", TextArea).load_text(w["description"])
        for name in SELECTS:
            self._set_select(name, w[name])
        self.query_one("#f-blocked", Checkbox).value = w["blocked"]
        self._update_due_hint()
        self._update_reason_state()
        self._shown = self._raw()

    def _raw(self) -> dict[str, Any]:
        """What the widgets hold now."""
        out: dict[str, Any] = {}
        for name in ("title", "points", "blocked_reason", "due", "labels"):
            out[name] = self.query_one(f"#f-{name}", Input).value
        out["description"] = self.query_one("#f-description", TextArea).text
        for name in SELECTS:
            value = self.query_one(f"#f-{name}", Select).value
            out[name] = "" if value is Select.NULL else value
        out["blocked"] = self.query_one("#f-blocked", Checkbox).value
        return out

    @property
    def dirty(self) -> bool:
        return self._built and self._raw() != self._shown

    def _edited(self) -> set[str]:
        """The fields the user changed in the form (blocked and its reason go together)."""
        raw = self._raw()
        changed = {f for f in FIELDS if raw[f] != self._shown.get(f)}
        if changed & {"blocked", "blocked_reason"}:
            changed |= {"blocked", "blocked_reason"}
        return changed

    def _validate(self, raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Clean every field the way the services do; (values, errors by field)."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}

        def check(name: str, fn) -> None:
            try:
                values[name] = fn()
            except ValidationError as err:
                errors[name] = str(err)

        # the form shows bidi controls as markers (<U+202E>); saving puts the characters back
        raw = {f: restore_bidi(v) if isinstance(v, str) else v for f, v in raw.items()}
        check("title", lambda: clean_line(raw["title"], "title"))
        check("description", lambda: clean_text(raw["description"], "description"))
        check("points", lambda: clean_points(raw["points"]))
        check("due", lambda: self.ctx.day(raw["due"]) if raw["due"].strip() else None)
        check("labels", lambda: [x for x in clean_list(raw["labels"]).split(",") if x])
        blocked = bool(raw["blocked"])
        values["blocked"] = blocked
        check("blocked_reason", lambda: clean_line(raw["blocked_reason"], "reason", required=blocked, limit=2000)
              if blocked else "")
        if blocked and "blocked_reason" in errors:
            errors["blocked_reason"] = "say why the item is blocked"
        stream_keys = {s.key for s in self.data.streams} if self.data else set()
        if self.detail is None and raw["stream"] not in stream_keys:
            errors["stream"] = "choose a known stream" if not raw["stream"] else \
                f"unknown stream {plain(raw['stream'], 20)!r}"
        values["stream"] = raw["stream"]
        for name in SELECTS:
            if name != "stream":
                values[name] = raw[name]
        return values, errors

    # -- errors ------------------------------------------------------------------------
    def _set_error(self, name: str, message: str) -> None:
        label = self.query_one(f"#e-{name}", Label)
        label.update(Text(plain(message, 300)))
        label.set_class(bool(message), "-shown")

    def _clear_errors(self) -> None:
        for label in self.query(".error"):
            label.update("")
            label.remove_class("-shown")

    def _show_errors(self, errors: dict[str, str]) -> None:
        self._clear_errors()
        for name, message in errors.items():
            if name in FIELDS:
                self._set_error(name, message)
            else:
                self._general_error(message)
        if errors:
            first = next((f for f in FIELDS if f in errors), None)
            if first is not None:
                widget = self.query_one(f"#f-{first}")
                if not widget.disabled:
                    widget.focus()
                self.query_one("#editor-form", VerticalScroll).scroll_to_widget(
                    self.query_one(f"#row-{first}") if first != "description" else widget, animate=False
                )

    def _general_error(self, message: str) -> None:
        label = self.query_one("#editor-general-error", Label)
        label.update(Text(plain(message, 300)))
        label.set_class(bool(message), "-shown")

    def _service_error(self, err: SprintTuiError) -> None:
        """A refusal from the service: show it next to its field when it has one."""
        if not self.is_attached:
            self.sapp.report_error(err)
            return
        fld = getattr(err, "field", None)
        fld = ERROR_FIELD.get(fld, fld)
        if fld in FIELDS:
            self._show_errors({fld: str(err)})
        else:
            self._show_errors({"_": str(err)})
        self.sapp.notify(Content(plain(str(err), 300)), severity="error", timeout=5)

    # -- checks as you go --------------------------------------------------------------
    def _check(self, name: str) -> str:
        """What is wrong with field `name` as it is now ("" when nothing), checked as saving checks it."""
        _values, errors = self._validate(self._raw())
        return errors.get(name, "")

    def _check_typed(self, name: str) -> None:
        self._set_error(name, self._check(name))

    def _shows_error(self, name: str) -> bool:
        return self.query_one(f"#e-{name}", Label).has_class("-shown")

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        """The name of the field with the focus is marked (as its widget is, by the CSS)."""
        field = next((w.id[2:] for w in (self.focused.ancestors_with_self if self.focused else ())
                      if w.id and w.id.startswith("f-")), None)
        for label in self.query(".field > .name, #name-description"):
            row = label.parent.id if label.parent is not None else None
            label.set_class(label.id == f"name-{field}" or row == f"row-{field}", "-focused")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """A field was left: check it, and say next to it what is wrong (or nothing)."""
        name = (event.widget.id or "").removeprefix("f-")
        if not self._built or name not in CHECKED or self.app.screen is not self:
            return  # not a field, or a dialog opened over the form, or the form is closing
        focused = self.focused
        if focused is not None and event.widget in focused.ancestors_with_self:
            return  # into its own list of options: not left
        if name == "due":
            self._update_due_hint()
        else:
            self._check_typed(name)

    def _recheck(self, name: str) -> None:
        """A field that shows what is wrong with it was changed: the message
        goes once it is right, or says what is wrong now."""
        if self._built and name in CHECKED and self._shows_error(name):
            self._check_typed(name)

    def _update_due_hint(self) -> None:
        text = self.query_one("#f-due", Input).value.strip()
        hint = self.query_one("#due-parsed", Label)
        if not text:
            hint.update("")
            self._set_error("due", "")
            return
        try:
            day = self.ctx.day(text)
        except ValidationError as err:
            hint.update("")
            self._set_error("due", str(err))
            return
        hint.update(Text(f"→ {day:%a %d %b %Y}"))
        self._set_error("due", "")

    def _update_reason_state(self) -> None:
        blocked = self.query_one("#f-blocked", Checkbox).value
        self.query_one("#f-blocked_reason", Input).disabled = not blocked

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        name = (event.input.id or "").removeprefix("f-")
        if name == "due":
            self._update_due_hint()  # live: says which day it reads
        elif name == "points":
            self._check_typed("points")
        else:
            self._recheck(name)

    @on(TextArea.Changed, "#f-description")
    def _description_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._recheck("description")

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        self._recheck((event.select.id or "").removeprefix("f-"))

    @on(Checkbox.Changed, "#f-blocked")
    def _blocked_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._update_reason_state()
        if not event.value:
            self._set_error("blocked_reason", "")
        elif self._built and event.checkbox.has_focus:  # ticked here: say why
            self.query_one("#f-blocked_reason", Input).focus()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    # -- history -------------------------------------------------------------------
    def _show_history(self, data: EditorData) -> None:
        for panel in self.query("#editor-history"):
            panel.update(history_text(data.detail, data.history, data.slips))

    # -- saving ----------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "editor-save":
            self.action_save()
        elif event.button.id == "editor-cancel":
            self.action_cancel()

    def action_save(self) -> None:
        if not self._built or self._saving:
            return
        values, errors = self._validate(self._raw())
        self._show_errors(errors)
        if errors:
            self.sapp.notify("Not saved: fix the marked fields", severity="warning", timeout=3)
            return
        if self.detail is None:
            self._create(values)
        else:
            self._update(values, self._edited(), self.detail)

    def _create(self, values: dict[str, Any]) -> None:
        ctx = self.ctx

        def op() -> ItemRow:
            return items_svc.create_item(
                ctx, values["title"], stream=values["stream"], points=values["points"],
                kind=values["kind"], sprint=values["sprint"], assignee=values["assignee"] or None,
                status=values["status"], description=values["description"], due=values["due"],
                labels=values["labels"], kpi=values["kpi"] or None,
                blocked=values["blocked"], blocked_reason=values["blocked_reason"],
            )

        def done(row: ItemRow) -> None:
            self._saving = False
            self.sapp.notify(f"Created {row.key}", timeout=3)
            self._finish(row.key)

        self._saving = True
        own = self.sapp.own_version
        self.sapp.perform(
            Write(lambda row: f"creation of {row.key}", op, Topic.ITEMS,
                  undo=lambda row: items_svc.delete_item(ctx, row.key, expected_version=own(row.key))),
            done=done, conflict=self._conflict, error=self._refused)

    def _refused(self, err: SprintTuiError) -> None:
        """The service refused the values: say so next to the fields, keep the form."""
        self._saving = False
        self._service_error(err)

    def _update(self, values: dict[str, Any], edited: set[str], base: ItemDetail) -> None:
        ctx, key, version = self.ctx, base.row.key, base.row.version
        edited = edited - {"stream"}
        if not edited:
            self.sapp.notify(f"No changes to {key}", timeout=2)
            self._finish(key)
            return
        changes = {f: values[f] for f in FIELDS if f in edited}
        old_values = detail_values(base)
        revert = {f: old_values[f] for f in changes}

        def done(_row: ItemRow) -> None:
            self._saving = False
            self.sapp.notify(f"Saved {key}", timeout=3)
            self._finish(key)

        self._saving = True
        own = self.sapp.own_version
        self.sapp.perform(
            Write(f"edit of {key} ({', '.join(changes)})",
                  lambda: items_svc.edit_item(ctx, key, expected_version=version, **changes), Topic.ITEMS,
                  undo=lambda _row: items_svc.edit_item(ctx, key, expected_version=own(key), **revert)),
            done=done, conflict=self._conflict, error=self._refused)

    def _finish(self, key: str) -> None:
        if self.is_attached and self.app.screen is self:
            self.dismiss(key)

    # -- conflicts -----------------------------------------------------------------------------
    def _conflict(self, err: ConflictError) -> None:
        self._saving = False
        self._fetch_fresh()

    @work(thread=True, exclusive=True, group="item-editor-conflict")
    def _fetch_fresh(self) -> None:
        try:
            fresh = items_svc.get_item(self.ctx, self.key)
        except SprintTuiError as err:
            self.app.call_from_thread(self._service_error, err)
            return
        self.app.call_from_thread(self._ask_conflict, fresh)

    def _ask_conflict(self, fresh: ItemDetail) -> None:
        if not self.is_attached:
            return
        base = self.detail
        assert base is not None
        changes = diff_details(base, fresh)
        mine = self._edited()
        self._general_error(f"{fresh.row.key} was changed by {fresh.updated_by} meanwhile; nothing was saved")

        def chosen(choice: str | None) -> None:
            if choice == "reload":
                self._reload_fresh(fresh)
            elif choice == "reapply":
                self._reapply(fresh)

        self.app.push_screen(ConflictModal(fresh.row.key, fresh.updated_by, changes, mine), chosen)

    def _reload_fresh(self, fresh: ItemDetail) -> None:
        """Discard the edits: the form shows the fresh item."""
        self.detail = fresh
        if self.data is not None:
            self.data.detail = fresh
        self._fill(detail_values(fresh))
        self._general_error("")
        self.sapp.notify(f"Reloaded {fresh.row.key}; your edits were discarded", timeout=3)
        self._reload_history()  # the history too

    def _reapply(self, fresh: ItemDetail) -> None:
        """Save the fields you edited on top of the fresh version."""
        edited = self._edited()
        values, errors = self._validate(self._raw())
        self.detail = fresh
        if self.data is not None:
            self.data.detail = fresh
        self._show_errors(errors)
        if errors:
            return
        self._update(values, edited, fresh)

    # -- cancelling ---------------------------------------------------------------------------
    def action_cancel(self) -> None:
        if self._saving:
            self.sapp.notify("Still saving…", timeout=2)
            return
        if not self.dirty:
            self.dismiss(None)
            return

        def answer(ok: bool | None) -> None:
            if ok:
                self.dismiss(None)

        what = self.key or "the new item"
        self.app.push_screen(ConfirmModal(f"Discard your changes to {what}?"), answer)


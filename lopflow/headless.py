"""Run LOPflow flows without TouchDesigner: build the components on mock_td, load a flow, play frames.

Used by ``lopflow run``, by the pytest helpers and by users' own tests::

    import mock_td
    from lopflow.headless import load_flow

    session = mock_td.install(project_folder="examples/timed_steps")
    flow = load_flow(session, "examples/timed_steps/flow.toml")   # the FlowController COMP, Setup done
    flow.Start()
    session.advance_seconds(3)
    assert flow.par.Status.eval() == "Completed"

What ``load_flow`` builds, with the same builder functions as the .tox files (``toxes/build_toxes.py``):

- ``/project1/<target>``: the target COMP the flow drives (a Base COMP named after the flow);
- ``/project1/FlowController``: its controller, ``Targetcomp`` pointing at the target;
- ``/project1/<target>_flow_callbacks``: a Text DAT whose ``file`` is the flow's callbacks .py
  (``syncfile`` on, so editing the file reloads it as in TD), set as ``Callbackdat``;
- with ``[run] asyncio = true``: ``/project1/TDAsyncIO`` with global OP shortcut ``TDAsyncIO``, so
  callbacks can call ``op.TDAsyncIO.Run(...)``.

The steps go into the ``Step`` sequence parameters (label, duration, then), then ``Setup`` is pulsed.
``run_flow`` also pulses ``Start`` and plays frames at the flow's fps until the run ends or its time
is up. Frames are played as fast as possible; while TDAsyncIO has active tasks each frame also waits
a little wall time (``THREAD_GRACE_S``) so work in worker threads (``asyncio.to_thread``) can finish, as
it would during a real 60 fps frame.

The dashboard. ``run_flow(..., dashboard=DashboardOptions(port))`` exposes the flow (Expose Process and
Expose Flow Details on), builds a FlowDashboard (``/project1/FlowDashboard``, the same component as the
.tox) serving on ``port``, and plays the frames in real time at the flow's fps, so a person can watch
and steer the run in a browser while it waits. ``serve_dashboard(session, ...)`` does the same for flows
a Python session or a test loaded itself, and ``RealTime`` plays its frames in real time. The token
(empty: read-only) comes from ``DashboardOptions.token``, else the environment variable
``LOPFLOW_DASHBOARD_TOKEN``.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from lopflow.flowcheck import build_definition, check_callbacks_file
from lopflow.flowfile import FlowFile, RunSettings, load_flow_file
from lopflow.repo import REPO_ROOT, component_module, toxes_module

#: Wall time each frame waits while async tasks are active, so worker threads get to run.
THREAD_GRACE_S = 0.001
#: Final FlowController statuses (Ready is final only after the run has started: Stop()).
FINAL_STATUSES = ("Completed", "Error")

CONTROLLER_NAME = "FlowController"
ASYNCIO_NAME = "TDAsyncIO"
DASHBOARD_NAME = "FlowDashboard"
ASYNCIO_SHORTCUT = component_module("TDAsyncIO", "tdasyncio_spec").SHORTCUT


class HeadlessError(RuntimeError):
    """A flow that cannot be loaded or run headless (errors in its steps, a missing callbacks file...)."""


@dataclass(frozen=True)
class DashboardOptions:
    """Where and how a headless run serves its dashboard: port, token (None: the environment's), address."""

    port: int = 9980
    token: str | None = None
    address: str = "127.0.0.1"

    def resolved_token(self) -> str:
        """The token: the one given, else ``$LOPFLOW_DASHBOARD_TOKEN``, else '' (read-only)."""
        if self.token is not None:
            return self.token
        import os

        return os.environ.get(component_module("FlowDashboard", "flowdashboard_spec").TOKEN_ENV, "")


class RealTime:
    """Plays a session's frames in real time: ``wait()`` sleeps until the next frame is due."""

    def __init__(self, fps: float) -> None:
        self.fps = float(fps)
        self.start = time.monotonic()
        self.frames = 0

    def wait(self) -> None:
        """Sleep until frame ``frames + 1`` is due (a late frame does not make the next ones rush)."""
        self.frames += 1
        due = self.start + self.frames / self.fps
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        elif now - due > 0.25:
            self.start = now - self.frames / self.fps


def serve_dashboard(session: Any, options: DashboardOptions | None = None, parent: Any = None,
                    mode: str = "linked") -> Any:
    """Build a FlowDashboard on ``session`` serving ``options`` (Active on) and return it.

    Every FlowController with Expose Process on is shown; ``expose(controller)`` turns it on. The server
    starts at the next frame; raises HeadlessError when its port cannot be used.
    """
    options = options if options is not None else DashboardOptions()
    parent = parent if parent is not None else session.root.op("project1")
    dash = toxes_module("build_toxes").build_flow_dashboard(parent, DASHBOARD_NAME, mode=mode,
                                                            repo_folder=str(REPO_ROOT))
    _check_extension(session, dash)
    dash.par.Port = int(options.port)
    dash.par.Address = options.address
    dash.par.Token = options.resolved_token()
    dash.par.Active = True
    session.advance(1)
    problem = dash.op("webserver").errors()
    if problem:
        raise HeadlessError(f"the dashboard cannot serve on port {options.port}: {problem}")
    return dash


def expose(controller: Any, details: bool = True) -> Any:
    """Turn on the controller's Expose Process (and Expose Flow Details): dashboards show it."""
    controller.par.Exposeprocess = True
    controller.par.Exposeflowdetails = details
    return controller


@dataclass(frozen=True)
class FrameSnapshot:
    """What the flow looks like after one frame: shown as live progress by ``lopflow run``."""

    frame: int
    seconds: float
    status: str
    step: str
    waiting: bool
    active_tasks: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepVisit:
    """One stay in a step: when it was entered and left (TD seconds) and why it was left."""

    index: int
    name: str
    entered: float
    left: float | None = None
    reason: str = ""

    @property
    def seconds(self) -> float | None:
        """How long the flow stayed in the step, or None when it never left it."""
        return None if self.left is None else self.left - self.entered


@dataclass
class RunOutcome:
    """Everything a headless run produced: final state, visits, events, tasks and callback errors."""

    flow: FlowFile
    settings: RunSettings
    status: str
    result: Any
    result_type: str | None
    finished: bool
    frames: int
    seconds: float
    visits: list[StepVisit] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    textport: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when the run ended in Error, or was still going when its time limit was up.

        With ``settings.fixed_time`` (run for a fixed time) still going at the end is not a failure.
        Callback errors are counted apart (``errors``): the CLI fails on them unless told not to.
        """
        return self.status == "Error" or (not self.finished and not self.settings.fixed_time)


def run_settings(flow: FlowFile, seconds: float | None = None, fps: float | None = None,
                 for_seconds: float | None = None) -> RunSettings:
    """The flow's ``[run]`` settings with command-line overrides applied (checked: above 0).

    ``seconds`` replaces the time limit; ``for_seconds`` runs a flow meant to keep going for exactly
    that long (``fixed_time``: still running at the end is not a failure). Not both.
    """
    if seconds is not None and for_seconds is not None:
        raise HeadlessError("--seconds (a time limit) and --for (a fixed running time) cannot be combined")
    for name, value in (("seconds", seconds), ("fps", fps), ("for", for_seconds)):
        if value is not None and not value > 0:
            raise HeadlessError(f"--{name} must be above 0, got {value:g}")
        if value is not None and not math.isfinite(value):
            raise HeadlessError(f"--{name} must be a finite number, got {value:g}")
    limit = for_seconds if for_seconds is not None else seconds
    return RunSettings(
        seconds=limit if limit is not None else flow.run.seconds,
        fps=fps if fps is not None else flow.run.fps,
        asyncio=flow.run.asyncio,
        fixed_time=for_seconds is not None,
    )


def _as_flow_file(flow: FlowFile | str | Path) -> FlowFile:
    return flow if isinstance(flow, FlowFile) else load_flow_file(flow)


def _target_name(flow: FlowFile) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in flow.name.strip()).strip("_") or "flow"
    return ("flow_" + cleaned) if cleaned[0].isdigit() else cleaned


def build_tdasyncio(parent: Any, mode: str = "linked") -> Any:
    """Build a TDAsyncIO in ``parent`` with the global OP shortcut ``TDAsyncIO`` (``op.TDAsyncIO``)."""
    comp = toxes_module("build_toxes").build_tdasyncio(parent, ASYNCIO_NAME, mode=mode, repo_folder=str(REPO_ROOT))
    comp.par.opshortcut = ASYNCIO_SHORTCUT
    return comp


def load_flow(session: Any, flow: FlowFile | str | Path, parent: Any = None, mode: str = "linked",
              asyncio: bool | None = None) -> Any:
    """Build a FlowController for ``flow`` (a flow file or its path) on a mock_td ``session``; Setup done.

    ``parent`` defaults to ``/project1``. ``asyncio`` overrides the flow's ``[run] asyncio``.
    Returns the FlowController COMP; call ``Start()`` on it (or pulse ``par.Start``) and advance the session.
    Raises HeadlessError, as ``lopflow check`` would report it, when the steps have errors or the
    callbacks file is missing, does not compile or defines a misspelt callback.
    """
    flow = _as_flow_file(flow)
    definition = build_definition(flow)
    if definition.errors:
        problems = "; ".join(finding.message for finding in definition.errors)
        raise HeadlessError(f"{flow.path}: the flow cannot run: {problems} (see lopflow check)")
    if flow.callbacks is not None:
        broken = [finding for finding in check_callbacks_file(flow.callbacks) if finding.is_error]
        if broken:
            problems = "; ".join(f"{finding.where}: {finding.message}" for finding in broken)
            raise HeadlessError(f"{flow.path}: the callbacks file is wrong: {problems} (see lopflow check)")
    share_shipped_modules(session)
    parent = parent if parent is not None else session.root.op("project1")
    if asyncio if asyncio is not None else flow.run.asyncio:
        if parent.op(ASYNCIO_NAME) is None:
            _check_extension(session, build_tdasyncio(parent, mode))
    builder = toxes_module("build_toxes")
    target = parent.create("baseCOMP", _target_name(flow))
    controller = builder.build_flow_controller(parent, CONTROLLER_NAME, mode=mode, repo_folder=str(REPO_ROOT))
    _check_extension(session, controller)
    controller.par.Flowname = flow.name
    controller.par.Targetcomp = target
    if controller.par["Journal"] is not None:
        controller.par.Journal = False  # a headless run is no installation: no journal next to the flow file
    if flow.callbacks is not None:
        callbacks = parent.create("textDAT", f"{target.name}_flow_callbacks")
        callbacks.par.file = flow.callbacks.as_posix()
        callbacks.par.syncfile = True
        controller.par.Callbackdat = callbacks
    write_steps(controller, definition)
    controller.par.Setup.pulse()
    return controller


def share_shipped_modules(session: Any) -> None:
    """Let the components built on ``session`` use the pure modules this process already loaded.

    Headless, the tools and tests load ``ext/<Component>/`` modules once (``component_files.load``);
    with this, a component's DAT holding such a file uses that same module instead of building its own,
    so e.g. ``FlowDefinition`` is one class in the whole process. DATs whose text was edited, and
    TD-facing modules (the extension, forwarders), still build their own, as in TD.
    """
    session.share_modules(toxes_module("component_files").shared_module_resolver(str(REPO_ROOT)))


def _check_extension(session: Any, comp: Any) -> None:
    if not comp.extensions or comp.extensions[0] is None:
        printed = "\n".join(session.textport[-20:])
        raise HeadlessError(f"{comp.path}: its extension failed to initialise; TD's textport says:\n{printed}")


def write_steps(controller: Any, definition: Any) -> None:
    """Fill the controller's ``Step`` sequence from a FlowDefinition: labels, durations and the other plain
    fields (timeout, until, signal, alert), then the routes (then, ontimeout, onerror).

    Blocks are added one at a time, each labelled at once, so the component never sees a block with
    an empty label (which it would rightly report as a script error). The route menus list the step
    names only once the labels are in, so routes are written last, each resolved to the current step
    name (``next``, ``end``, ``continue`` for onerror, or a step name). A component built without some
    of these parameters refuses a flow that needs them, rather than silently dropping a field.
    """
    sequence = controller.seq["Step"]
    sequence.numBlocks = 1
    plain = ("timeout", "until", "signal", "alert")
    routes = (("ontimeout", definition.resolved_ontimeout), ("onerror", definition.resolved_onerror))
    present = {name for name in (*plain, "ontimeout", "onerror") if controller.par[f"Step0{name}"] is not None}
    defaults = _definition_module(definition).StepDef(label="x")
    for index, step in enumerate(definition.steps):
        if index >= sequence.numBlocks:
            sequence.numBlocks = index + 1
        setattr(controller.par, f"Step{index}label", step.label)
        setattr(controller.par, f"Step{index}duration", step.duration)
        for name in plain:
            value = getattr(step, name)
            if name in present:
                setattr(controller.par, f"Step{index}{name}", value)
            elif value != getattr(defaults, name):
                raise ValueError(f"step {step.name!r} sets {name}, but {controller.path} has no Step {name} "
                                 "parameter; rebuild the component")
    for index in range(len(definition)):
        _write_route(controller, definition, index, "then", definition.resolved_then)
        for name, resolved in routes:
            if name in present:
                _write_route(controller, definition, index, name, resolved)


def _write_route(controller: Any, definition: Any, index: int, field: str, resolved: Callable[[int], str]) -> None:
    """Write one route parameter: a flow-file expression (``=...`` on ``ctx``) becomes the parameter in
    expression mode, as a TD user would write it (``ctx`` is the controller's promoted ``Context``), read
    when the step is left; any other route is the menu value it resolves to now."""
    par = getattr(controller.par, f"Step{index}{field}")
    expression = definition.expression(index, field)
    if expression is None:
        par.val = resolved(index)
    else:
        par.expr = f"(lambda ctx: {expression})(me.Context)"


def _definition_module(definition: Any) -> Any:
    """The module that made ``definition`` (its StepDef gives the defaults)."""
    return sys.modules[type(definition).__module__]


def play_until_finished(session: Any, controller: Any, seconds: float = 10.0) -> str:
    """Advance ``session`` frame by frame until ``controller``'s run ends or ``seconds`` of TD time pass.

    Returns the final Status text (``Completed``, ``Error``, ``Ready`` after Stop, or ``Running`` when
    time ran out). For tests: ``assert play_until_finished(session, flow) == "Completed"``.
    """
    import td

    last_frame = session.frame + max(1, round(seconds * float(td.project.cookRate)))
    tasks_comp = _shortcut_asyncio_comp()  # looked up once: a failed shortcut lookup raises, every frame
    while controller.IsRunning and session.frame < last_frame:
        if tasks_comp is not None and tasks_comp.valid and tasks_comp.GetActiveTasksCount():
            time.sleep(THREAD_GRACE_S)
        session.advance(1)
    return str(controller.par.Status.eval())


def active_async_tasks() -> int:
    """How many tasks the ``op.TDAsyncIO`` component has pending or running (0 when there is none)."""
    comp = _shortcut_asyncio_comp()
    return 0 if comp is None else int(comp.GetActiveTasksCount())


def _shortcut_asyncio_comp() -> Any:
    import td

    try:
        return getattr(td.op, ASYNCIO_SHORTCUT)
    except Exception:  # noqa: BLE001 - TD raises when no global OP shortcut TDAsyncIO exists
        return None


def run_flow(flow: FlowFile | str | Path, settings: RunSettings | None = None,
             on_frame: Callable[[FrameSnapshot], None] | None = None, textport: TextIO | None = None,
             dashboard: DashboardOptions | None = None,
             on_dashboard: Callable[[Any], None] | None = None) -> RunOutcome:
    """Run ``flow`` on a fresh mock_td session from Start until it ends or ``settings.seconds`` pass.

    The session's project folder is the flow file's folder (``project.folder`` in callbacks), its
    cook rate ``settings.fps``. ``on_frame`` gets a FrameSnapshot after every frame (and one before the
    first). What TD would print to its textport (callbacks' ``print``, script errors) goes to
    ``textport`` (default: stderr), so standard output carries only what the caller writes. With
    ``dashboard`` a FlowDashboard serves the run (``on_dashboard(dashboard COMP)`` is called once it
    serves) and frames play in real time.
    """
    with contextlib.redirect_stdout(textport if textport is not None else sys.stderr):
        return _run_flow(_as_flow_file(flow), settings, on_frame, dashboard, on_dashboard)


def _run_flow(flow: FlowFile, settings: RunSettings | None,
              on_frame: Callable[[FrameSnapshot], None] | None, dashboard: DashboardOptions | None = None,
              on_dashboard: Callable[[Any], None] | None = None) -> RunOutcome:
    import mock_td

    settings = settings if settings is not None else flow.run
    session = mock_td.install(project_folder=str(flow.path.parent.resolve()), cook_rate=settings.fps)
    controller = load_flow(session, flow, asyncio=settings.asyncio)
    pace = served = None
    if dashboard is not None:
        expose(controller)
        served = serve_dashboard(session, dashboard)
        if on_dashboard is not None:
            on_dashboard(served)
        pace = RealTime(settings.fps)
    tasks_comp = session.root.op(f"project1/{ASYNCIO_NAME}") if settings.asyncio else None
    events: list[dict[str, Any]] = []
    finish_seen: list[bool] = []  # a flow_finish event arrived (kept here, not searched for every frame)

    def on_event(event: Any) -> None:
        events.append(event.as_dict())
        if event.event == "flow_finish":
            finish_seen.append(True)

    controller.ext.FlowControllerExt.engine.add_event_listener(on_event)
    tasks: dict[int, dict[str, Any]] = {}
    textport_start = len(session.textport)

    controller.par.Start.pulse()
    last_frame = session.frame + max(1, round(settings.seconds * settings.fps))
    while True:
        active = _collect_tasks(tasks_comp, tasks)
        if on_frame is not None:
            on_frame(_snapshot(session, controller, tasks, active))
        if (finish_seen and not controller.IsRunning) or session.frame >= last_frame:
            break
        if pace is not None:
            pace.wait()
        elif active:
            time.sleep(THREAD_GRACE_S)
        session.advance(1)
    if served is not None:
        stop_dashboard(session, served)

    engine = controller.ext.FlowControllerExt.engine
    errors = [f"{event['data'].get('callback', '?')}: {event['data'].get('error', '')}"
              for event in events if event["event"] == "error"]
    errors += [_script_exception_line(e) for e in session.take_script_exceptions()
               if not (e.op_path == controller.path and e.where == "addScriptError")]
    return RunOutcome(
        flow=flow, settings=settings, status=str(controller.par.Status.eval()),
        result=engine.last_result, result_type=engine.last_result_type,
        finished=bool(finish_seen) and not controller.IsRunning, frames=session.frame, seconds=session.seconds,
        visits=visits_from_events(events), events=events, tasks=list(tasks.values()),
        errors=errors, textport=session.textport[textport_start:],
    )


def stop_dashboard(session: Any, dashboard: Any) -> None:
    """Turn the dashboard off (its pages see the server go away) and play the frame that does it."""
    if dashboard.valid:
        dashboard.par.Active = False
        session.advance(1)


def serve_flows(flows: Sequence[FlowFile | str | Path], options: DashboardOptions | None = None,
                seconds: float | None = None, start: bool = False, fps: float | None = None,
                on_ready: Callable[[Any], None] | None = None, stop: Callable[[], bool] | None = None,
                textport: TextIO | None = None) -> int:
    """``lopflow dashboard``: load ``flows`` (exposed), serve them on a dashboard, play frames in real time.

    Runs until ``seconds`` of TD time have passed (None: until Ctrl+C or ``stop()`` is true); with
    ``start`` each flow is started, else a person starts them from the page. ``on_ready(dashboard)`` is
    called once the page is served. Returns the frames played.
    """
    import mock_td

    loaded = [_as_flow_file(flow) for flow in flows]
    if not loaded:
        raise HeadlessError("give at least one flow file to serve")
    rate = fps if fps is not None else loaded[0].run.fps
    with contextlib.redirect_stdout(textport if textport is not None else sys.stderr):
        session = mock_td.install(project_folder=str(loaded[0].path.parent.resolve()), cook_rate=rate)
        controllers = [expose(load_flow(session, flow, asyncio=flow.run.asyncio)) for flow in loaded]
        dashboard = serve_dashboard(session, options)
        try:
            if start:
                for controller in controllers:
                    controller.Start()
            if on_ready is not None:
                on_ready(dashboard)
            pace = RealTime(rate)
            last = None if seconds is None else session.frame + max(1, round(seconds * rate))
            while (last is None or session.frame < last) and not (stop is not None and stop()):
                pace.wait()
                session.advance(1)
            return int(session.frame)
        finally:
            stop_dashboard(session, dashboard)


def _script_exception_line(exception: Any) -> str:
    """One line for a script exception: where, and the exception's first line (the textport has the rest).

    The FlowController's own ``addScriptError`` reports are left out by the caller: each repeats a
    callback error its ``error`` event already gave (the traceback is on the textport, stderr).
    """
    text = str(exception.exception).strip().splitlines()
    return f"{exception.op_path} ({exception.where}): {type(exception.exception).__name__}: {text[0] if text else ''}"


def _collect_tasks(tasks_comp: Any, tasks: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    if tasks_comp is None:
        return []
    active = []
    for info in tasks_comp.GetAllTasksInfo():
        tasks[info["task_id"]] = info
        if info["status"] in ("pending", "running"):
            active.append(info)
    return active


def _snapshot(session: Any, controller: Any, tasks: dict[int, dict[str, Any]],
              active: list[dict[str, Any]]) -> FrameSnapshot:
    return FrameSnapshot(
        frame=session.frame, seconds=session.seconds, status=str(controller.par.Status.eval()),
        step=controller.CurrentStepName, waiting=str(controller.par.Waiting.eval()) == "Yes",
        active_tasks=tuple(f"#{info['task_id']} {info['description']}" for info in active),
    )


def visits_from_events(events: list[dict[str, Any]]) -> list[StepVisit]:
    """The step visits of a run, in order, from its ``step_enter`` / ``step_exit`` history events."""
    visits: list[StepVisit] = []
    open_visit: StepVisit | None = None
    for event in events:
        if event["event"] == "step_enter":
            open_visit = StepVisit(event["step_index"], event["step_name"], event["time"])
            visits.append(open_visit)
        elif event["event"] == "step_exit" and open_visit is not None:
            closed = StepVisit(open_visit.index, open_visit.name, open_visit.entered, event["time"],
                               str(event["data"].get("reason", "")))
            visits[-1] = closed
            open_visit = None
    return visits


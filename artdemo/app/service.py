"""One inference service per process: a bounded priority queue and one worker thread.

Why: on 2 vCPUs every session running its own model calls makes 8 visitors wait
8 times as long, and a burst of explanations starves everybody's classification.
Here every model call of every session (Streamlit threads, Gradio handlers, the
kiosk) goes through one queue and one worker:

- predictions are batched across sessions (up to `max_batch` images, or
  `batch_wait` seconds after the first one arrived) into one `predict_images` call;
- explanations run after any waiting prediction (lane order: predict, explain,
  background); each session has at most one pending explanation, and a newer one
  replaces it (the older caller gets `Replaced`, not a hang);
- the background lane (warm-up of the explanation models, precomputing maps) has
  its own thread, at a lower OS priority, which starts a job only when no visitor's
  request waits or runs and none came in the last `background_quiet` seconds. A
  visitor who arrives during a long background job (tracing an explanation model
  takes seconds) is served at once by the worker instead of waiting for it to end;
- the queue is bounded: when full, submitting raises `Busy`, whose message tells
  the visitor where they would be in line.

Pages and Gradio handlers call the synchronous `service().predict(...)` and
`service().explain(...)`. The model functions are plain callables (the real ones by
default), so tests can bring the real model, or a deliberately slow real function.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from collections import deque
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from artdemo import config
from artdemo.app import timings
from artdemo.app.line import Busy, Replaced, busy_message, ordinal, waiting_message  # noqa: F401 (re-exported)
from artdemo.app.priority import BACKGROUND_NICE, yield_to_models
from artdemo.errors import ArtdemoError
from artdemo.imaging.decode import fit_pixels

log = logging.getLogger(__name__)

PREDICT, EXPLAIN, BACKGROUND = 0, 1, 2
WARM_UP = "warm-up"  # the session of the start-up's own predictions (artdemo.app.warmup), not a visitor's
LANES = ("predict", "explain", "background")

PredictFn = Callable[[list[np.ndarray], "list[str] | None"], list[dict]]
ExplainFn = Callable[[np.ndarray, str, str, str], np.ndarray]


def _real_predict(images: list[np.ndarray], tasks: list[str] | None) -> list[dict]:
    """The predictor on exactly the pictures given: the app core has already found the artwork
    (artdemo.app.framing) or the visitor asked for the whole picture, so no second search here."""
    from artdemo.models.predictor import predict_images

    return predict_images(images, tasks, find_artwork=False)


def _real_explain(rgb: np.ndarray, task: str, class_name: str, method: str) -> np.ndarray:
    """No cache here: artdemo.app.maps.map_for looks in memory and on disk before queueing."""
    from artdemo.app.explanations import compute

    return compute(rgb, task, class_name, method)



@dataclass(eq=False)
class Ticket:
    """One request in the queue; `future` carries its answer or its error."""

    id: int
    lane: int
    session: str | None
    work: Any  # predict: (rgb, tasks key); explain: (rgb, task, class, method); background: callable
    received: float = field(default_factory=time.perf_counter)
    future: Future = field(default_factory=Future)

    @property
    def action(self) -> str:
        return LANES[self.lane]


@dataclass(frozen=True)
class ServiceStats:
    queue_length: int  # visitor requests waiting (predictions + explanations)
    waiting: dict[str, int]  # per lane, background included
    served: int  # requests answered (any lane)
    batches: int  # predict_images calls
    mean_batch_size: float
    largest_batch: int
    rejected: int  # Busy raised
    replaced: int  # explanations replaced by a newer one from the same session
    timings: dict[str, timings.ActionTimes]  # "service.<lane>": received -> answer produced
    warm: str


class InferenceService:
    """The queue and its worker. Use `service()` for the process-wide one."""

    def __init__(self, predict_fn: PredictFn | None = None, explain_fn: ExplainFn | None = None, *,
                 max_batch: int = 32, batch_wait: float = 0.005, max_waiting: int | None = None,
                 max_background: int = 16, timeout: float | None = None, background_quiet: float = 1.0) -> None:
        self.predict_fn = predict_fn or _real_predict
        self.explain_fn = explain_fn or _real_explain
        self.max_batch = max_batch
        self.batch_wait = batch_wait
        self.max_waiting = int(max_waiting or config.positive_number("ARTDEMO_QUEUE_LIMIT", 64))
        self.max_background = max_background
        self.background_quiet = background_quiet
        self._last_visitor = float("-inf")  # time.monotonic() of the newest prediction or map asked for
        self.timeout = float(timeout or config.positive_number("ARTDEMO_SERVICE_TIMEOUT", 180.0))
        self._lanes: tuple[deque[Ticket], ...] = (deque(), deque(), deque())
        self._pending_explain: dict[str, Ticket] = {}
        self._running: list[Ticket] = []
        self._background_running: Ticket | None = None
        self._cond = threading.Condition()
        self._ids = 0
        self._closed = False
        self.served = self.batches = self.batched_images = self.largest_batch = 0
        self.rejected = self.replaced = 0
        self.warm = "cold"
        self._warm_thread: threading.Thread | None = None
        self._worker = threading.Thread(target=self._run, name="artdemo-inference", daemon=True)
        self._background = threading.Thread(target=self._run_background, name="artdemo-background", daemon=True)
        self._worker.start()
        self._background.start()

    # --- submitting -------------------------------------------------------------------------------------

    def submit_predict(self, rgb: np.ndarray, tasks: list[str] | None = None, session: str | None = None) -> Ticket:
        """Queue one picture for every requested task (default: every trained one).

        A picture over CLASSIFY_MAX_PIXELS is first shrunk the way `decode_image(purpose="classify")`
        shrinks it, so a 40-megapixel upload costs the same whichever way it was decoded, and the
        queue never holds several huge arrays.
        """
        rgb = fit_pixels(_checked_rgb(rgb))
        key = tuple(tasks) if tasks is not None else None
        return self._submit(PREDICT, session, (rgb, key))

    def submit_explain(self, rgb: np.ndarray, task: str, class_name: str, method: str,
                       session: str | None = None) -> Ticket:
        """Queue one explanation; a pending one of the same session is replaced."""
        return self._submit(EXPLAIN, session, (_checked_rgb(rgb), task, class_name, method))

    def submit_background(self, work: Callable[[], Any], session: str | None = "background") -> Ticket:
        """Queue a job for when nothing else waits (warm-up, precomputing maps)."""
        return self._submit(BACKGROUND, session, work)

    def _submit(self, lane: int, session: str | None, work: Any) -> Ticket:
        with self._cond:
            if self._closed:
                raise ArtdemoError("The app is shutting down; please reload the page in a moment.")
            if lane == EXPLAIN and session is not None:
                self._replace_pending_explain(session)
            if lane == BACKGROUND:
                if len(self._lanes[BACKGROUND]) >= self.max_background:
                    raise Busy("The background queue is full.")
            elif self.queue_length_locked() >= self.max_waiting:
                self.rejected += 1
                raise Busy(busy_message(self.queue_length_locked() + 1))
            self._ids += 1
            ticket = Ticket(self._ids, lane, session, work)
            if lane != BACKGROUND and session != WARM_UP:
                self._last_visitor = time.monotonic()
            self._lanes[lane].append(ticket)
            if lane == EXPLAIN and session is not None:
                self._pending_explain[session] = ticket
            self._cond.notify_all()
            return ticket

    def _replace_pending_explain(self, session: str) -> None:
        old = self._pending_explain.pop(session, None)
        if old is not None and old in self._lanes[EXPLAIN]:
            self._lanes[EXPLAIN].remove(old)
            self.replaced += 1
            old.future.set_exception(Replaced("You asked for another map, so this one was not computed."))

    # --- waiting ----------------------------------------------------------------------------------------

    def result(self, ticket: Ticket, timeout: float | None = None,
               on_wait: Callable[[int], None] | None = None, poll: float = 0.5) -> Any:
        """Block until the ticket is answered; `on_wait(place)` is called whenever its place in line
        changes (for a "you are n-th in line" note). A time-out cancels it and raises ArtdemoError."""
        deadline = time.monotonic() + (timeout or self.timeout)
        shown = None
        while True:
            left = deadline - time.monotonic()
            try:
                return ticket.future.result(timeout=max(0.0, min(poll, left) if on_wait else left))
            except FutureTimeout:
                if time.monotonic() >= deadline:
                    self.cancel(ticket)
                    raise ArtdemoError("The models are taking unusually long right now; please try again "
                                       "in a minute.") from None
                place = self.position(ticket)
                if on_wait and place and place != shown:
                    shown = place
                    on_wait(place)
            except CancelledError:
                raise ArtdemoError("This request was cancelled; please try again.") from None

    def predict(self, rgb: np.ndarray, tasks: list[str] | None = None, session: str | None = None,
                timeout: float | None = None, on_wait: Callable[[int], None] | None = None) -> dict:
        """Every requested task's Prediction for one picture, batched with other sessions' pictures."""
        if self._on_own_thread():  # called from a job the service runs: no deadlock
            return self.predict_fn([fit_pixels(_checked_rgb(rgb))], tasks)[0]
        return self.result(self.submit_predict(rgb, tasks, session), timeout, on_wait)

    def explain(self, rgb: np.ndarray, task: str, class_name: str, method: str, session: str | None = None,
                timeout: float | None = None, on_wait: Callable[[int], None] | None = None) -> np.ndarray:
        """The (224, 224) map, computed after any waiting prediction; may raise Replaced."""
        if self._on_own_thread():
            return self.explain_fn(_checked_rgb(rgb), task, class_name, method)
        return self.result(self.submit_explain(rgb, task, class_name, method, session), timeout, on_wait)

    def cancel(self, ticket: Ticket) -> bool:
        """Drop a ticket that is still waiting; False when it already runs or is done."""
        with self._cond:
            lane = self._lanes[ticket.lane]
            if ticket not in lane:
                return False
            lane.remove(ticket)
            if ticket.session is not None and self._pending_explain.get(ticket.session) is ticket:
                del self._pending_explain[ticket.session]
            return ticket.future.cancel()

    def position(self, ticket: Ticket) -> int | None:
        """1 = served next, 0 = being served, None = done or unknown. Later predictions can move an
        explanation back, because predictions come first."""
        with self._cond:
            if any(t is ticket for t in self._running) or ticket is self._background_running:
                return 0
            lane = self._lanes[ticket.lane]
            if ticket not in lane:
                return None
            ahead = sum(len(self._lanes[i]) for i in range(ticket.lane))
            return ahead + lane.index(ticket) + 1

    def queue_length(self) -> int:
        with self._cond:
            return self.queue_length_locked()

    def queue_length_locked(self) -> int:
        return len(self._lanes[PREDICT]) + len(self._lanes[EXPLAIN])

    def stats(self) -> ServiceStats:
        with self._cond:
            waiting = {name: len(lane) for name, lane in zip(LANES, self._lanes)}
            mean = self.batched_images / self.batches if self.batches else 0.0
            figures = (self.queue_length_locked(), waiting, self.served, self.batches, mean, self.largest_batch,
                       self.rejected, self.replaced)
        ours = {k: v for k, v in timings.summary().items() if k.startswith("service.")}
        return ServiceStats(*figures, timings=ours, warm=self.warm)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the threads (at exit, and in tests); waiting requests are cancelled."""
        with self._cond:
            self._closed = True
            for lane in self._lanes:
                while lane:
                    lane.popleft().future.cancel()
            self._cond.notify_all()
        self._worker.join(timeout)
        self._background.join(timeout)
        if self._warm_thread is not None and self._warm_thread is not threading.current_thread():
            self._warm_thread.join(timeout)

    # --- the worker -------------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            work = self._next_work()
            if work is None:
                return
            try:
                self._serve(work)
            except Exception:  # never let the worker die; each ticket already has its answer or error
                log.exception("inference worker: unexpected failure")
            finally:
                with self._cond:
                    self._running = []
                    self._cond.notify_all()  # the background thread may start now

    def _on_own_thread(self) -> bool:
        return threading.current_thread() in (self._worker, self._background)

    def _next_work(self) -> list[Ticket] | None:
        with self._cond:
            while not self._closed and not (self._lanes[PREDICT] or self._lanes[EXPLAIN]):
                self._cond.wait()
            if self._closed:
                return None
            if self._lanes[PREDICT]:
                taken = self._take_batch()
            else:
                taken = [self._lanes[EXPLAIN].popleft()]
                session = taken[0].session
                if session is not None and self._pending_explain.get(session) is taken[0]:
                    del self._pending_explain[session]
            taken = [t for t in taken if t.future.set_running_or_notify_cancel()]
            self._running = taken
            return taken

    def _background_may_start(self) -> float | None:
        """None when a background job may start now; else how long to wait before asking again (0: until
        notified). Called with the lock held. A job starts only when no visitor's request waits or runs,
        and none came for `background_quiet` seconds: a crowd's requests come a page run apart, and a
        job started in such a gap runs on TensorFlow's threads, at their priority, beside the next one."""
        if not self._lanes[BACKGROUND] or self._running or self._lanes[PREDICT] or self._lanes[EXPLAIN]:
            return 0.0
        left = self._last_visitor + self.background_quiet - time.monotonic()
        return left if left > 0 else None

    def _run_background(self) -> None:
        """Background jobs, one at a time, each started only while visitors leave the models alone."""
        yield_to_models(BACKGROUND_NICE)  # behind visitors' page threads too (TensorFlow's pool is not affected)
        while True:
            with self._cond:
                while not self._closed and (wait := self._background_may_start()) is not None:
                    self._cond.wait(wait or None)
                if self._closed:
                    return
                ticket = self._lanes[BACKGROUND].popleft()
                if not ticket.future.set_running_or_notify_cancel():
                    continue
                self._background_running = ticket
            try:
                self._serve([ticket])
            except Exception:
                log.exception("background job: unexpected failure")
            finally:
                with self._cond:
                    self._background_running = None

    def _take_batch(self) -> list[Ticket]:
        """Predictions with the first one's task list: wait up to `batch_wait` after it arrived for more."""
        lane = self._lanes[PREDICT]
        key = lane[0].work[1]
        deadline = lane[0].received + self.batch_wait
        while not self._closed:
            same = sum(1 for t in lane if t.work[1] == key)
            left = deadline - time.perf_counter()
            if same >= self.max_batch or left <= 0:
                break
            self._cond.wait(left)
        taken = [t for t in lane if t.work[1] == key][: self.max_batch]
        for t in taken:
            lane.remove(t)
        return taken

    def _serve(self, tickets: list[Ticket]) -> None:
        if not tickets:
            return
        lane = tickets[0].lane
        if lane == PREDICT:
            self._serve_predictions(tickets)
            return
        ticket = tickets[0]
        try:
            value = self.explain_fn(*ticket.work) if lane == EXPLAIN else ticket.work()
        except Exception as err:
            self._finish(ticket, error=err)
        else:
            self._finish(ticket, value=value)

    def _serve_predictions(self, tickets: list[Ticket]) -> None:
        key = tickets[0].work[1]
        tasks = list(key) if key is not None else None
        try:
            answers = self.predict_fn([t.work[0] for t in tickets], tasks)
        except Exception as err:
            if len(tickets) == 1:
                self._finish(tickets[0], error=err)
                return
            # one bad picture must not fail the others: answer them one by one
            for t in tickets:
                self._serve_predictions([t])
            return
        with self._cond:
            self.batches += 1
            self.batched_images += len(tickets)
            self.largest_batch = max(self.largest_batch, len(tickets))
        for t, answer in zip(tickets, answers):
            self._finish(t, value=answer)

    def _finish(self, ticket: Ticket, value: Any = None, error: BaseException | None = None) -> None:
        if error is not None:
            ticket.future.set_exception(error)
        else:
            ticket.future.set_result(value)
        with self._cond:
            self.served += 1
        timings.record(f"service.{ticket.action}", time.perf_counter() - ticket.received, error is None)

    # --- warm start -------------------------------------------------------------------------------------

    def start_warmup(self, precompute: bool | None = None, warm_maps: bool = True) -> None:
        """Load the models and run warm predictions in the background, now rather than on the first
        click; then, in the lowest lane, trace each task's Grad-CAM (`warm_maps`) and fill the map
        store (`precompute`, default: ARTDEMO_PRECOMPUTE, on unless "0")."""
        if precompute is None:
            precompute = os.environ.get("ARTDEMO_PRECOMPUTE", "1").strip().lower() not in {"0", "false", "no", "off"}
        with self._cond:
            if self._warm_thread is not None:
                return
            self.warm = "warming"
            self._warm_thread = threading.Thread(target=self._warm, args=(precompute, warm_maps),
                                                 name="artdemo-warm-up", daemon=True)
        self._warm_thread.start()

    def _warm(self, precompute: bool, warm_maps: bool) -> None:
        from artdemo.app.warmup import warm

        self.warm = warm(self, precompute, warm_maps)


def _checked_rgb(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise ArtdemoError(f"Expected an RGB picture (height x width x 3), got an array of shape {rgb.shape}.")
    return rgb.astype(np.uint8, copy=False)


_SERVICE: InferenceService | None = None
_SERVICE_LOCK = threading.Lock()

GIL_HANDOVER_S = 0.0005
"""How long a thread may keep the GIL while another waits for it (Python's default: 5 ms).

Why: the worker lets go of the GIL at every TensorFlow call, NumPy loop and system call,
and must then wait for it to come back. While page threads run Python (Streamlit draws
pages in threads of the same process), each wait lasted up to the full switch interval:
a batch-1 prediction that takes about 30 ms alone took over a second beside 8 busy Python
threads, and about a tenth of a second with this hand-over (`python -m artdemo.bench --only
contention` prints both). The cost is more frequent switches between Python threads."""


def service() -> InferenceService:
    """The process-wide service (created on first use, with the real model functions)."""
    global _SERVICE
    with _SERVICE_LOCK:
        if _SERVICE is None:
            sys.setswitchinterval(min(sys.getswitchinterval(), GIL_HANDOVER_S))
            _SERVICE = InferenceService()
            # Stop the threads before the interpreter tears TensorFlow down under them: a daemon
            # thread still inside a TF call at exit aborts the process (exit status 134).
            atexit.register(_SERVICE.close, 10.0)
        return _SERVICE


def start_warmup(precompute: bool | None = None) -> None:
    """Warm the process-wide service (call once when the server starts; repeated calls do nothing)."""
    service().start_warmup(precompute)


def warm_state() -> str:
    """"cold" (not started), "warming", "ready" or "failed: <message>"."""
    return service().warm

"""A browser tab without the browser: one Streamlit session driven over its websocket with
Streamlit's own protobuf messages, for load tests that measure the server and nothing else.

``StreamlitSession.run(page, widgets, fragment_id)`` sends a ``BackMsg`` ``rerun_script``
(with the widget states a browser would send) and reads ``ForwardMsg``s until that run's
``script_finished``, returning what it drew (``RunResult``: widgets by label, fragment of
each, image URLs, exceptions). Widget states persist across runs as in the browser, the
query string follows ``page_info_changed`` (hosted mode adds ``?user=``), and images are
fetched over HTTP as a browser fetches them.
"""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass, field

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = {ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
            ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


class RunFailed(RuntimeError):
    """A run ended without success: an exception on the page, a compile error or a time-out."""


@dataclass
class Widget:
    """One widget of a run: its id, kind (``slider``, ``selectbox``, ...), proto and fragment."""

    id: str
    kind: str
    proto: object
    fragment_id: str


@dataclass
class RunResult:
    """What one run drew and how long it took (``seconds``: rerun sent to script finished)."""

    seconds: float
    widgets: dict[str, Widget] = field(default_factory=dict)  # by label
    image_urls: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    messages: int = 0
    texts: list[str] = field(default_factory=list)  # what alerts, markdown and progress bars say
    auto_reruns: dict[str, float] = field(default_factory=dict)  # fragment id -> seconds (run_every)
    stopped_auto_reruns: list[str] = field(default_factory=list)  # fragment ids no longer polled


WIDGET_KINDS = ("slider", "selectbox", "radio", "button", "checkbox", "number_input", "text_input",
                "select_slider", "toggle")


class StreamlitSession:
    """One session of the app at ``base_url`` (``http://host:port``), over its websocket."""

    def __init__(self, base_url: str, *, timeout_s: float = 120.0):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.query_string = ""
        self.page_hashes: dict[str, str] = {}  # url path -> page script hash
        self.page_script_hash = ""
        self.widget_states: dict[str, WidgetState] = {}
        self.triggers: dict[str, WidgetState] = {}  # buttons clicked: sent with the next run only
        self.socket = websocket.create_connection(
            self.base_url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
            timeout=timeout_s)

    def close(self) -> None:
        self.socket.close()

    def set_widget(self, widget: Widget, value) -> None:
        """The value a user gives ``widget`` (a number for a slider, a label for a selectbox),
        sent with this and every later run; a button (``value`` ignored) is clicked: sent with
        the next run only, as a browser sends a click."""
        state = WidgetState(id=widget.id)
        if widget.kind == "button":
            state.trigger_value = True
            self.triggers[widget.id] = state
            return
        if widget.kind == "slider":
            state.double_array_value.data[:] = [float(value)]
        elif widget.kind in ("selectbox", "radio"):
            state.string_value = str(value)
        else:
            raise ValueError(f"setting a {widget.kind} is not supported")
        self.widget_states[widget.id] = state

    def run(self, page: str | None = None, *, fragment_id: str = "", auto: bool = False) -> RunResult:
        """Rerun ``page`` (a url path such as ``"generate"``; None: the current page), or only
        the fragment ``fragment_id`` (``auto``: as a browser's ``run_every`` timer does), and
        read its messages until it finished."""
        message = BackMsg()
        client_state = message.rerun_script
        client_state.query_string = self.query_string
        client_state.widget_states.widgets.extend({**self.widget_states, **self.triggers}.values())
        self.triggers = {}
        if page is not None:
            client_state.page_name = page
            self.page_script_hash = self.page_hashes.get(page, "")
        client_state.page_script_hash = self.page_script_hash
        client_state.fragment_id = fragment_id
        client_state.is_auto_rerun = auto
        started = time.perf_counter()
        self.socket.send_binary(message.SerializeToString())
        result = RunResult(seconds=0.0)
        deadline = time.monotonic() + self.timeout_s
        while True:
            if time.monotonic() > deadline:
                raise RunFailed(f"no script_finished within {self.timeout_s:.0f} s")
            forward = ForwardMsg()
            forward.ParseFromString(self.socket.recv())
            result.messages += 1
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                self.page_script_hash = forward.new_session.page_script_hash
            elif kind == "navigation":
                self.page_hashes = {page.url_pathname: page.page_script_hash for page in forward.navigation.app_pages}
                self.page_script_hash = forward.navigation.page_script_hash or self.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = forward.page_info_changed.query_string
            elif kind == "delta":
                self._read_delta(forward.delta, result)
            elif kind == "auto_rerun":
                result.auto_reruns[forward.auto_rerun.fragment_id] = forward.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                result.stopped_auto_reruns.extend(forward.stop_auto_rerun.fragment_ids)
            elif kind == "script_finished":
                status = forward.script_finished
                if status == ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN:
                    result.texts.clear()  # the app reran itself (e.g. st.rerun): its next run redraws the page
                    continue
                result.seconds = time.perf_counter() - started
                if status not in FINISHED:
                    raise RunFailed(f"the run ended with {ForwardMsg.ScriptFinishedStatus.Name(status)}")
                return result

    @staticmethod
    def _read_delta(delta, result: RunResult) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind in WIDGET_KINDS:
            proto = getattr(element, kind)
            result.widgets[proto.label] = Widget(proto.id, kind, proto, delta.fragment_id)
        elif kind == "imgs":
            result.image_urls.extend(image.url for image in element.imgs.imgs)
        elif kind == "exception":
            result.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif kind == "alert":
            result.texts.append(element.alert.body)
        elif kind == "markdown":
            result.texts.append(element.markdown.body)
        elif kind == "progress":
            result.texts.append(element.progress.text)

    def fetch(self, url: str) -> int:
        """GET one of the run's media URLs as the browser does; returns its size in bytes."""
        address = url if url.startswith("http") else self.base_url + "/" + url.lstrip("/")
        with urllib.request.urlopen(address, timeout=self.timeout_s) as response:
            return len(response.read())

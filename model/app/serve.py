"""Run the page on the loopback interface, on a free port unless one is given."""
from __future__ import annotations

import logging
import socket

from model import interrupts
from model.app.callbacks import create_app
from model.app.page import Session

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def serve(default_case: str, port: int = 0) -> None:
    """Start the page and print its address; runs until interrupted (Ctrl+C, SIGTERM), then
    removes the folder of uploaded workbooks. (The process ends with `os._exit`, which runs no
    exit handlers: the folder is removed here, not left to `atexit`.)"""
    session = Session()
    try:
        app = create_app(default_case, session)
        port = port or free_port()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        print(f"wateralloc app: http://{HOST}:{port}/  (Ctrl+C stops it)", flush=True)
        app.run(host=HOST, port=port, debug=False)
        # the web server ends quietly on KeyboardInterrupt, which Ctrl+C and SIGTERM raise
        # (model.interrupts): the stop still ends the run with its exit code, 130 or 143
        interrupts.reraise()
    finally:
        session.close()

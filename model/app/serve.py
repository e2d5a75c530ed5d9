"""Run the page on the loopback interface, on a free port unless one is given."""
from __future__ import annotations

import logging
import socket

from model.app.callbacks import create_app

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def serve(default_case: str, port: int = 0) -> None:
    """Start the page and print its address; runs until interrupted."""
    app = create_app(default_case)
    port = port or free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    print(f"wateralloc app: http://{HOST}:{port}/  (Ctrl+C stops it)", flush=True)
    app.run(host=HOST, port=port, debug=False)

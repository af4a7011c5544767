"""Serve a built site on a local address, for looking at it in a browser."""

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from termline.errors import TermlineError


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the folder until interrupted."""
    if not (root / "index.html").is_file():
        raise TermlineError(f"{root}: no built site here (run `termline build` first)")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        raise TermlineError(f"cannot listen on {host}:{port}: {error.strerror}") from error
    print(f"serving {root} on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    with server:
        server.serve_forever()

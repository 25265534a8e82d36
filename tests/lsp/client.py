"""A small JSON-RPC client speaking the Language Server Protocol to ``lexkb lsp`` over its stdio,
as an editor does: Content-Length framed messages, requests answered by id, notifications queued."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

LEXKB = Path(sys.executable).with_name("lexkb")
TIMEOUT = 10.0


class Client:
    """``request`` waits for its answer; ``notification`` waits for the next notification of a method."""

    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen([str(LEXKB), "lsp"], cwd=cwd, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.next_id = 0
        self.pending: list[dict[str, Any]] = []  # messages read while waiting for another
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            if not headers:
                return
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.process.stdin.flush()

    def _wait(self, matches: Any) -> dict[str, Any]:
        for index, message in enumerate(self.pending):
            if matches(message):
                return self.pending.pop(index)
        while True:
            message = self.messages.get(timeout=TIMEOUT)
            if matches(message):
                return message
            self.pending.append(message)

    def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, "params": params or {}})
        answer = self._wait(lambda m: m.get("id") == ident and "method" not in m)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer.get("result")

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        self.send({"method": method, "params": params or {}})

    def notification(self, method: str, uri: str | None = None) -> dict[str, Any]:
        message = self._wait(lambda m: m.get("method") == method
                             and (uri is None or m.get("params", {}).get("uri") == uri))
        params: dict[str, Any] = message["params"]
        return params

    def close(self) -> int:
        """shutdown, exit, and the server's exit code."""
        self.request("shutdown")
        self.notify("exit")
        return self.process.wait(timeout=TIMEOUT)

"""Answers every GET with the workdir's message.txt and the mounted ~/greeting.txt (the agent gives it $PORT)."""
import http.server
import os
import pathlib


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        message = pathlib.Path("message.txt").read_text().strip()
        greeting = pathlib.Path(os.path.expanduser("~/greeting.txt")).read_text().strip()
        ignored = "present" if pathlib.Path("data").exists() else "absent"
        body = f"message={message}\ngreeting={greeting}\ncwd={os.getcwd()}\ndata folder={ignored}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()

"""Starts the simplejwt test server: migrate a fresh sqlite DB, create the users, serve.

Run with Debian's /usr/bin/python3 (python3-django, python3-djangorestframework,
python3-djangorestframework-simplejwt). Binds 127.0.0.1 on the port given (0 = any free port)
and prints one line `READY <port>` on stdout once it accepts connections. Exits when stdin
closes, so a test runner that dies does not leave the server behind.

Usage: TK_DB=/tmp/x/db.sqlite3 python3 serve.py [port] [username:password ...]
"""
import os
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tkserver.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - request lines are not wanted in test output
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    users = sys.argv[2:] or ["alice:wonderland"]
    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    for pair in users:
        name, _, password = pair.partition(":")
        User.objects.create_user(username=name, password=password)
    server = make_server("127.0.0.1", port, get_wsgi_application(), server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY {server.server_port}", flush=True)
    sys.stdin.read()  # returns at EOF: the parent went away or closed the pipe
    server.shutdown()


if __name__ == "__main__":
    main()

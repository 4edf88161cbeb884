"""Counts requests per path so a test can read what the server saw (GET /__stats)."""
import json
import threading
from collections import Counter

from django.http import HttpResponse

_lock = threading.Lock()
_counts = Counter()


class CountRequests:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/__stats":
            with _lock:
                body = json.dumps(dict(_counts))
            return HttpResponse(body, content_type="application/json")
        with _lock:
            _counts[f"{request.method} {request.path}"] += 1
        return self.get_response(request)

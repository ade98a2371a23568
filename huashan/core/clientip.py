"""The client's IP address, for rate limits and login throttling.

Behind a reverse proxy (nginx in front of gunicorn, a load balancer) every request's
``REMOTE_ADDR`` is the proxy's address: keyed on it, one abuser would lock out every
resident. ``X-Forwarded-For`` carries the real address, but the client writes its
left-hand part, so only the entries appended by proxies we run can be believed.

``HUASHAN_TRUSTED_PROXIES`` is the number of proxy hops in front of the portal that we
run (0: none, the portal faces the clients; 1: one nginx). With N hops the chain is
``X-Forwarded-For`` + ``REMOTE_ADDR``; its right-most N entries are our proxies, and
the entry just left of them — the right-most address no client could forge — is the
client. Entries that are not IP addresses are dropped first: a proxy only ever
appends valid addresses, so garbage can only sit in the forgeable part.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _parse(value: str) -> str | None:
    """A canonical IP address from one header entry, or None.

    Accepts ``1.2.3.4``, ``1.2.3.4:5678``, ``::1`` and ``[::1]:5678`` (some balancers
    append the port); anything else (``unknown``, hostnames, obfuscated ids) is None.
    """
    text = value.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def client_ip(request: HttpRequest) -> str | None:
    """The address to key limits on: see the module docstring. None if there is none.

    Also ``AXES_CLIENT_IP_CALLABLE``, so login throttling keys on the same address.
    """
    remote = _parse(str(request.META.get("REMOTE_ADDR") or ""))
    hops = max(int(getattr(settings, "HUASHAN_TRUSTED_PROXIES", 0) or 0), 0)
    if hops == 0:
        return remote
    header = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    forwarded = [ip for ip in map(_parse, header.split(",")) if ip is not None]
    if not forwarded:  # reached us directly, not through the proxy
        return remote
    # chain = forwarded + [remote]; the last `hops` entries are ours.
    # Fewer entries than hops: fewer proxies on this path; the left-most is then the
    # address the outermost proxy saw.
    return forwarded[-hops] if len(forwarded) >= hops else forwarded[0]


def client_key(request: HttpRequest) -> str:
    """``client_ip`` as a cache-key fragment (never empty)."""
    return client_ip(request) or "unknown"

"""Which network addresses scofeed fetches from, and connecting to those only, in time.

scofeed may be run by a service on behalf of its users (validate this URL, import that feed), so
a URL must not be a way into what only the machine running it can reach: its loopback interface,
the private network around it, a cloud's metadata service at 169.254.169.254 (server-side request
forgery). Unless the caller allows private addresses (`--allow-private`):

- refused are loopback (127.0.0.0/8, ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7, the
  old site-local fec0::/10), link-local (169.254/16, fe80::/10), unspecified (0.0.0.0/8, ::),
  multicast and reserved (240/4, IPv6's unassigned blocks) addresses, and every other block the
  IANA registries do not mark globally reachable (shared 100.64/10, documentation, benchmarking).
  An IPv4 address carried in IPv6 (::ffff:127.0.0.1, NAT64's 64:ff9b::/96, 6to4's 2002::/16)
  is judged as the IPv4 address it carries;
- a host name is looked up once, every address it has is checked (one refused address refuses
  the host: a name that answers with a public and a private address is an attack, not a mistake),
  and the socket connects to a checked address by number: there is no second look-up that a
  rebinding DNS server could answer differently;
- the look-up runs in a thread of its own, so that it counts against the fetch's deadline like
  the rest (a resolver that hangs leaves a daemon thread behind, which ends when it gives up).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable
from typing import Any

from scofeed.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# What a check says of an address: why it is refused ("a loopback address"), or None.
Check = Callable[[IPAddress], str | None]

_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")  # "this host on this network": reaches it
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_PRIVATE = tuple(
    ipaddress.ip_network(block)
    for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10")
)


class RefusedAddress(FetchError):
    """A host at an address that scofeed does not fetch from: `localhost is at 127.0.0.1, a
    loopback address`. The fetcher puts the URL before it."""

    def __init__(self, host: str, address: IPAddress, why: str) -> None:
        said = f"{address} is {why}" if host == str(address) else f"{host} is at {address}, {why}"
        super().__init__(said)
        self.host, self.address, self.why = host, address, why


def refusal(address: IPAddress) -> str | None:
    """Why scofeed fetches nothing from `address` (`a private address`), or None: it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = address.ipv4_mapped or address.sixtofour
        if carried is None and address in _NAT64:
            carried = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if carried is not None:
            return refusal(carried)
    if address.is_unspecified or address in _THIS_NETWORK:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if any(address in block for block in _PRIVATE):
        return "a private address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "a special-purpose address, not a public one"
    return None


def check_name(host: str, check: Check) -> None:
    """What can be checked of a host without looking it up (behind a proxy, which looks it up
    itself): an address written as the host, and `localhost` (RFC 6761: always loopback).
    Raises `RefusedAddress`."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        address: IPAddress = ipaddress.IPv4Address("127.0.0.1")
    else:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return  # a name: the proxy resolves it
    why = check(address)
    if why is not None:
        raise RefusedAddress(host, address, why)


def connect(
    host: str, port: int, *, left: Callable[[], float], check: Check | None
) -> socket.socket:
    """A TCP socket connected to `host`:`port` at an address `check` lets through (any, when it
    is None). `left()` gives the seconds left before the fetch's deadline and raises
    TimeoutError when there are none: the look-up and each connection attempt wait that long at
    most. Raises `RefusedAddress`, TimeoutError, OSError (no such host, connection refused)."""
    found = _resolve(host, port, left)
    if check is not None:
        for *_, sockaddr in found:
            address = ipaddress.ip_address(sockaddr[0])
            why = check(address)
            if why is not None:
                raise RefusedAddress(host, address, why)
    failure: OSError = OSError(f"{host} has no address")
    for family, kind, proto, _, sockaddr in found:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(left())
            sock.connect(sockaddr)
        except TimeoutError:
            sock.close()
            raise  # the deadline is spent: there is no time for another address
        except OSError as exc:
            sock.close()
            failure = exc
            continue
        return sock
    raise failure


def _resolve(host: str, port: int, left: Callable[[], float]) -> list[Any]:
    """`getaddrinfo` for TCP, given up on when the deadline passes (a number needs no look-up)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    answer: list[Any] = []

    def look_up() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except Exception as exc:  # raised again below, in the thread that fetches
            answer.append(exc)

    wait = left()
    thread = threading.Thread(target=look_up, name=f"scofeed: look up {host}", daemon=True)
    thread.start()
    thread.join(wait)
    if not answer:
        raise TimeoutError(f"looking up {host} took over {wait:.3g} s")
    if isinstance(answer[0], Exception):
        raise answer[0]
    found: list[Any] = answer[0]
    return found

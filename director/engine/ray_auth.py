"""Is this Ray cluster safe to send a director's work to? Authentication, the token, the transport.

A Ray head without token authentication lets anyone who reaches its ports run code on every
machine of the cluster and read what is sent to it, so Director refuses such a cluster unless the
user opts out (`--allow-unauthenticated`, or the settings switch); a job that runs there records
it in its run facts (`ClusterCheck.facts`).

What this relies on, read in Ray 2.60's own code:
- The token: `AuthenticationTokenLoader` (src/ray/rpc/authentication/authentication_token_loader.cc,
  exposed as `ray._raylet.AuthenticationTokenLoader`) takes RAY_AUTH_TOKEN, else the file named
  by RAY_AUTH_TOKEN_PATH (an error if that file is missing or empty), else ~/.ray/auth_token;
  the first line of a file, whitespace trimmed. `find_token` follows the same order, so Director
  judges the very token Ray would send.
- The mode: a process sends and checks tokens only when RAY_AUTH_MODE=token
  (`ray._private.authentication.authentication_utils.is_token_auth_enabled`, read from RayConfig,
  which `ray._raylet.Config.initialize("")` re-reads from the environment, as
  `authentication_token_setup._enable_token_auth` does). `ray start --head` turns it on by itself
  only when a token already exists (`maybe_enable_token_auth_if_token_available`, called from
  `ray.scripts.scripts.start`); otherwise the cluster starts open, with a warning.
- Whether a cluster enforces it: its gRPC servers (`grpc_utils.create_grpc_server_with_interceptors`
  for the Ray Client server, the C++ server for the GCS) answer a call without the
  `authorization: Bearer TOKEN` metadata (`grpc_authentication_client_interceptor`) with
  UNAUTHENTICATED. `probe` makes one cheap call without the token (an answer means the cluster is
  open to anyone), then one with it (an answer means the token is right): Ray's own servers say,
  nothing is guessed from configuration on this side.
- TLS: RAY_USE_TLS=1|true with RAY_TLS_SERVER_CERT, RAY_TLS_SERVER_KEY and RAY_TLS_CA_CERT
  (`ray._common.tls_utils.load_certs_from_env`, used by `grpc_utils.init_grpc_channel` and the Ray
  Client in `ray.util.client.worker`); the probe uses the same credentials.

The token is a secret: `Token` never shows its value in repr/str, refuses to be pickled, and no
message built here contains it.
"""

from __future__ import annotations

import ipaddress
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from director.core.errors import DirectorError

TOKEN_ENV = "RAY_AUTH_TOKEN"
TOKEN_PATH_ENV = "RAY_AUTH_TOKEN_PATH"
MODE_ENV = "RAY_AUTH_MODE"
TLS_ENV = "RAY_USE_TLS"
TLS_FILE_ENVS = ("RAY_TLS_SERVER_CERT", "RAY_TLS_SERVER_KEY", "RAY_TLS_CA_CERT")
ALLOW_FLAG = "--allow-unauthenticated"
SETTINGS_KEY = "ray_allow_unauthenticated"

HOW_TO_AUTHENTICATE = (
    "Turn authentication on: on the head run 'ray get-auth-token --generate' and "
    "'chmod 600 ~/.ray/auth_token', then start every machine with RAY_AUTH_MODE=token "
    "('RAY_AUTH_MODE=token ray start --head ...', and the same for 'ray start --address=...' with "
    "the token file copied to each machine). Give Director the token: copy the head's "
    "~/.ray/auth_token to this machine (chmod 600), or set RAY_AUTH_TOKEN to it, or point "
    "RAY_AUTH_TOKEN_PATH at a private copy (docs/ray.md)."
)


class ClusterRefused(DirectorError):
    """Director will not send work to this cluster (no or wrong token, unauthenticated, unsafe
    token file); the message says what to change. It never contains the token."""


class Token:
    """The cluster's token, and where it came from (`source`, safe to show)."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str):
        self._value = value
        self.source = source

    def reveal(self) -> str:
        """The value, for the one place that sends it: gRPC metadata to the cluster."""
        return self._value

    def __repr__(self) -> str:
        return f"<Ray token from {self.source}>"

    __str__ = __repr__

    def __reduce__(self):  # never into a pickle, a Ray call or a subprocess by accident
        raise TypeError("a Ray token is never pickled")


def default_token_path(home: Path | None = None) -> Path:
    """Ray's default token file (`AuthenticationTokenLoader::GetDefaultTokenPath`)."""
    return (home if home is not None else Path.home()) / ".ray" / "auth_token"


def read_token_file(path: Path, *, named_by: str) -> Token | None:
    """The token in `path` (its first line, trimmed, as Ray reads it); None when the file is empty.
    A file other users can read or write is refused: whoever reads it can run code on the cluster."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ClusterRefused(f"the Ray token file {path} ({named_by}) does not exist. {HOW_TO_AUTHENTICATE}") from None
    except OSError as exc:
        raise ClusterRefused(f"the Ray token file {path} ({named_by}) cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ClusterRefused(f"the Ray token file {path} ({named_by}) is not a regular file")
    if info.st_mode & (stat.S_IROTH | stat.S_IWOTH):
        raise ClusterRefused(
            f"the Ray token file {path} can be {'read' if info.st_mode & stat.S_IROTH else 'changed'} by every user "
            f"of this machine (mode {stat.S_IMODE(info.st_mode):o}), and whoever reads it can run code on the "
            f"cluster, so Director will not use it. Make it private: chmod 600 {path}"
        )
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            first = f.readline()
    except OSError as exc:
        raise ClusterRefused(f"the Ray token file {path} ({named_by}) cannot be read: {exc.strerror or exc}") from None
    value = first.strip()
    return Token(value, f"the file {path}") if value else None


def find_token(environ: Mapping[str, str] | None = None, home: Path | None = None) -> Token | None:
    """The token Ray would send, in Ray's order: RAY_AUTH_TOKEN, the file RAY_AUTH_TOKEN_PATH
    names (which must exist), ~/.ray/auth_token; None when there is none."""
    env = os.environ if environ is None else environ
    value = (env.get(TOKEN_ENV) or "").strip()
    if value:
        return Token(value, f"the {TOKEN_ENV} environment variable")
    named = env.get(TOKEN_PATH_ENV) or ""
    if named:
        token = read_token_file(Path(named).expanduser(), named_by=TOKEN_PATH_ENV)
        if token is None:
            raise ClusterRefused(f"the Ray token file {named} ({TOKEN_PATH_ENV}) is empty. {HOW_TO_AUTHENTICATE}")
        return token
    path = default_token_path(home)
    if not path.exists():
        return None
    return read_token_file(path, named_by="Ray's default token file")


def scrub(text: str) -> str:
    """`text` with the token in force replaced by "<token>": for messages that quote another
    library's error, which Director does not write itself."""
    try:
        token = find_token()
    except DirectorError:
        return text
    return text.replace(token.reveal(), "<token>") if token is not None else text


# -- the transport ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transport:
    """Ray's TLS settings on this machine: whether gRPC to the cluster is encrypted, and the files."""

    tls: bool
    files: dict = field(default_factory=dict)  # env var → path

    def describe(self) -> str:
        if not self.tls:
            return "not encrypted (RAY_USE_TLS is not set)"
        return "TLS (" + ", ".join(f"{k}={v}" for k, v in self.files.items()) + ")"

    def credentials(self):
        """grpc channel credentials, as `ray._private.grpc_utils.init_grpc_channel` builds them."""
        import grpc

        cert, key, ca = (Path(self.files[k]).read_bytes() for k in TLS_FILE_ENVS)
        return grpc.ssl_channel_credentials(certificate_chain=cert, private_key=key, root_certificates=ca)


def transport(environ: Mapping[str, str] | None = None) -> Transport:
    """The TLS settings in force; a half-configured TLS is refused (Ray would fail later, less clearly)."""
    env = os.environ if environ is None else environ
    if (env.get(TLS_ENV) or "0").lower() not in ("1", "true"):
        return Transport(False)
    missing = [k for k in TLS_FILE_ENVS if not env.get(k)]
    if missing:
        raise ClusterRefused(f"{TLS_ENV} is set but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not: "
                             f"Ray's TLS needs all of {', '.join(TLS_FILE_ENVS)}")
    files = {k: env[k] for k in TLS_FILE_ENVS}
    for k, path in files.items():
        if not os.access(path, os.R_OK):
            raise ClusterRefused(f"{k} names {path}, which cannot be read")
    return Transport(True, files)


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine (traffic to it never crosses a network)."""
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_address(address: str) -> tuple[str, int] | None:
    """(host, port) of `ray://HOST:PORT` or `HOST:PORT`; None for "auto"."""
    rest = address.split("://", 1)[-1]
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


# -- the verdict ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterCheck:
    """What `check_cluster` found about a cluster Director may use."""

    address: str
    authenticated: bool  # the cluster refuses calls without its token
    token_source: str  # where the token Director sends comes from; "" when none is sent
    transport: Transport
    loopback: bool
    warnings: tuple[str, ...] = ()

    def facts(self) -> dict:
        """What a job's run facts record about where it ran (`RunFacts.cluster`): never the token."""
        return {"engine": "ray", "address": self.address,
                "authentication": "token" if self.authenticated else "none (unauthenticated cluster)",
                "tls": self.transport.tls}

    def lines(self) -> list[str]:
        """The check in words, for `engine check` and the window."""
        auth = (f"token authentication (the cluster refuses calls without its token; Director sends the token from {self.token_source})"
                if self.authenticated else "NONE: an unauthenticated cluster, used because it was explicitly allowed")
        where = "loopback (this machine)" if self.loopback else "over the network"
        return [f"authentication: {auth}", f"transport: {self.transport.describe()}, {where}"] + [f"warning: {w}" for w in self.warnings]


def verdict(address: str, *, enforced: bool, token: Token | None, accepted: bool | None,
            allow_unauthenticated: bool, transport: Transport, loopback: bool) -> ClusterCheck:
    """Accept or refuse a cluster from what `probe` saw (pure: the rules, testable without Ray)."""
    warnings = []
    if enforced:
        if token is None:
            raise ClusterRefused(
                f"the Ray cluster at {address} requires a token and Director has none: copy the head's "
                f"~/.ray/auth_token to this machine (chmod 600), or set {TOKEN_ENV} to the token that "
                f"'ray get-auth-token' prints on the head, or point {TOKEN_PATH_ENV} at a private copy"
            )
        if not accepted:
            raise ClusterRefused(
                f"the Ray cluster at {address} refused the token from {token.source}: it is not this cluster's "
                f"token. Use the token of the cluster's head ('ray get-auth-token' there prints it)"
            )
    elif not allow_unauthenticated:
        raise ClusterRefused(
            f"the Ray cluster at {address} does not require authentication: anyone who can reach its ports can "
            "run code on its machines and read the prompts and images sent there, so Director will not send "
            f"work to it. {HOW_TO_AUTHENTICATE} To use this cluster anyway, pass {ALLOW_FLAG} (or turn on "
            "Settings > Engine > 'Allow an unauthenticated cluster'); each job then records that it ran on an "
            "unauthenticated cluster."
        )
    else:
        warnings.append(f"the cluster at {address} does not require authentication (allowed by {ALLOW_FLAG} or the "
                        "settings): anyone who can reach its ports can run code there; jobs record it")
    if not transport.tls and not loopback:
        warnings.append("without TLS, prompts, parameters and media cross the network unencrypted "
                        f"(set {TLS_ENV}=1 and {', '.join(TLS_FILE_ENVS)} on every machine)")
    return ClusterCheck(address, enforced, token.source if enforced and token else "", transport, loopback, tuple(warnings))


# -- asking the cluster ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    enforced: bool  # a call without a token was refused as UNAUTHENTICATED
    accepted: bool | None  # a call with the token was answered; None when no token was tried


def resolve(address: str) -> str:
    """The address to probe: "auto" becomes the GCS address of the cluster this machine is in
    (`ray._private.services.canonicalize_bootstrap_address_or_die`, as ray.init resolves it)."""
    if address != "auto":
        return address
    from ray._private.services import canonicalize_bootstrap_address_or_die

    return canonicalize_bootstrap_address_or_die("auto")


def probe(address: str, token: Token | None, transport: Transport, timeout_s: float = 10.0) -> Probe:
    """Ask the cluster itself whether it enforces token authentication, and whether it takes
    `token`. `ray://HOST:PORT` asks the Ray Client server (RayletDriver.ClusterInfo PING), a GCS
    address asks the GCS (NodeInfoGcsService.GetClusterId): both cheap, both behind Ray's
    authentication interceptor. The token is sent only to a cluster that refused a call without it."""
    import grpc

    target = address[len("ray://"):] if address.startswith("ray://") else address
    if transport.tls:
        channel = grpc.secure_channel(target, transport.credentials())
    else:
        channel = grpc.insecure_channel(target)
    try:
        call = _ping(channel, client=address.startswith("ray://"))
        if _answered(call, [], timeout_s, address):
            return Probe(enforced=False, accepted=None)
        if token is None:
            return Probe(enforced=True, accepted=None)
        return Probe(enforced=True, accepted=_answered(call, [("authorization", "Bearer " + token.reveal())], timeout_s, address))
    finally:
        channel.close()


def _ping(channel, *, client: bool):
    if client:
        from ray.core.generated import ray_client_pb2, ray_client_pb2_grpc

        stub = ray_client_pb2_grpc.RayletDriverStub(channel)
        request = ray_client_pb2.ClusterInfoRequest(type=ray_client_pb2.ClusterInfoType.PING)
        return lambda metadata, timeout: stub.ClusterInfo(request, metadata=metadata, timeout=timeout)
    from ray.core.generated import gcs_service_pb2, gcs_service_pb2_grpc

    stub = gcs_service_pb2_grpc.NodeInfoGcsServiceStub(channel)
    request = gcs_service_pb2.GetClusterIdRequest()
    return lambda metadata, timeout: stub.GetClusterId(request, metadata=metadata, timeout=timeout)


def _answered(call, metadata: list, timeout_s: float, address: str) -> bool:
    """True when the call was answered, False when refused as UNAUTHENTICATED; anything else
    (unreachable, TLS mismatch, not a Ray server) is a refusal that names the gRPC status only."""
    import grpc

    try:
        call(metadata, timeout_s)
        return True
    except grpc.RpcError as exc:
        code = exc.code() if hasattr(exc, "code") else None
        if code == grpc.StatusCode.UNAUTHENTICATED:
            return False
        name = getattr(code, "name", "an error")
        raise ClusterRefused(
            f"could not ask the Ray cluster at {address} whether it requires authentication (gRPC {name}). "
            "Check the address (ray://HEAD:10001 for Ray Client, HEAD:6379 inside the cluster) and that "
            f"{TLS_ENV} matches the cluster's"
        ) from None


def check_cluster(address: str, *, allow_unauthenticated: bool = False, environ: Mapping[str, str] | None = None,
                  timeout_s: float = 10.0) -> ClusterCheck:
    """Everything before the first job: the token (and its file's permissions), TLS, and the
    cluster's own answer. Raises ClusterRefused with what to change."""
    token = find_token(environ)
    tls = transport(environ)
    resolved = resolve(address)
    target = split_address(resolved)
    result = probe(resolved, token, tls, timeout_s)
    return verdict(address, enforced=result.enforced, token=token, accepted=result.accepted,
                   allow_unauthenticated=allow_unauthenticated, transport=tls,
                   loopback=target is not None and is_loopback(target[0]))


def prepare_driver(check: ClusterCheck) -> None:
    """Make this process's Ray send the token to an authenticated cluster and nothing to an
    unauthenticated one: RAY_AUTH_MODE, then Ray's cached config and token re-read
    (`ray._raylet.Config.initialize`, `AuthenticationTokenLoader.reset_cache`)."""
    os.environ[MODE_ENV] = "token" if check.authenticated else "disabled"
    import sys

    ray = sys.modules.get("ray")
    if ray is not None and not ray.is_initialized():  # a live session keeps the settings it began with
        try:
            from ray._raylet import AuthenticationTokenLoader, Config
        except ImportError:  # a Ray without token authentication: nothing cached to refresh
            return
        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()

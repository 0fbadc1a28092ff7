"""The rules that decide whether Director sends work to a Ray cluster, without a cluster: where the
token comes from (Ray's own order), a token file others can read is refused, TLS settings, the
verdict for every answer a cluster can give, and what the recipe records (old recipes still read)."""

from __future__ import annotations

import pickle
from dataclasses import fields

import pytest

from director.core.recipe import Recipe, RunFacts
from director.engine import ray_traffic
from director.engine.messages import JobRequest
from director.engine.ray_actor import SCRATCH_PREFIX, remove_orphaned_scratch
from director.engine.ray_auth import (
    ClusterRefused,
    Token,
    Transport,
    find_token,
    is_loopback,
    split_address,
    transport,
    verdict,
)

SECRET = "s3cr3t-token-value-0123456789abcdef"


def _private(path, text=SECRET + "\n", mode=0o600):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def test_the_token_is_found_in_rays_order(tmp_path):
    home = tmp_path / "home"
    assert find_token({}, home) is None
    _private(home / ".ray" / "auth_token", "from-default-file\nsecond line ignored\n")
    assert find_token({}, home).reveal() == "from-default-file"  # the first line, trimmed, as Ray reads it
    named = _private(tmp_path / "elsewhere" / "token", "  from-named-file \n")
    assert find_token({"RAY_AUTH_TOKEN_PATH": str(named)}, home).reveal() == "from-named-file"
    env = {"RAY_AUTH_TOKEN": " from-env ", "RAY_AUTH_TOKEN_PATH": str(named)}
    token = find_token(env, home)
    assert token.reveal() == "from-env" and "RAY_AUTH_TOKEN" in token.source


def test_a_named_token_file_that_is_missing_or_empty_is_refused(tmp_path):
    with pytest.raises(ClusterRefused, match="does not exist"):
        find_token({"RAY_AUTH_TOKEN_PATH": str(tmp_path / "nope")}, tmp_path)
    empty = _private(tmp_path / "empty", "\n")
    with pytest.raises(ClusterRefused, match="is empty"):
        find_token({"RAY_AUTH_TOKEN_PATH": str(empty)}, tmp_path)


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o602])
def test_a_token_file_other_users_can_read_or_change_is_refused_and_not_quoted(tmp_path, mode):
    home = tmp_path / "home"
    path = _private(home / ".ray" / "auth_token", mode=mode)
    with pytest.raises(ClusterRefused) as refused:
        find_token({}, home)
    message = str(refused.value)
    assert f"chmod 600 {path}" in message and f"{mode:o}" in message
    assert SECRET not in message
    path.chmod(0o640)  # group-readable is the owner's choice; only "every user" is refused
    assert find_token({}, home).reveal() == SECRET


def test_the_token_never_shows_in_repr_str_or_a_pickle():
    token = Token(SECRET, "the RAY_AUTH_TOKEN environment variable")
    assert SECRET not in repr(token) and SECRET not in str(token) and SECRET not in f"{token}"
    assert SECRET not in repr([token]) and "RAY_AUTH_TOKEN" in repr(token)
    with pytest.raises(TypeError):
        pickle.dumps(token)


def test_tls_follows_rays_variables(tmp_path):
    assert transport({}) == Transport(False)
    assert transport({"RAY_USE_TLS": "0"}).tls is False
    with pytest.raises(ClusterRefused, match="RAY_TLS_SERVER_KEY, RAY_TLS_CA_CERT are not"):
        transport({"RAY_USE_TLS": "1", "RAY_TLS_SERVER_CERT": "x"})
    files = {k: str(_private(tmp_path / k, "pem")) for k in ("RAY_TLS_SERVER_CERT", "RAY_TLS_SERVER_KEY", "RAY_TLS_CA_CERT")}
    on = transport({"RAY_USE_TLS": "true", **files})
    assert on.tls and on.files == files and "TLS" in on.describe()
    with pytest.raises(ClusterRefused, match="cannot be read"):
        transport({"RAY_USE_TLS": "1", **files, "RAY_TLS_CA_CERT": str(tmp_path / "missing.pem")})


@pytest.mark.parametrize(("host", "loop"), [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
                                            ("10.0.0.5", False), ("head.studio.lan", False)])
def test_loopback_is_this_machine_only(host, loop):
    assert is_loopback(host) is loop


def test_addresses_split_in_every_form():
    assert split_address("ray://10.0.0.5:10001") == ("10.0.0.5", 10001)
    assert split_address("[::1]:6379") == ("::1", 6379)
    assert split_address("auto") is None


def _verdict(**kw):
    args = dict(enforced=True, token=Token(SECRET, "the file ~/.ray/auth_token"), accepted=True,
                allow_unauthenticated=False, transport=Transport(False), loopback=True)
    args.update(kw)
    return verdict("ray://10.0.0.5:10001", **args)


def test_an_authenticated_cluster_that_takes_the_token_is_accepted():
    check = _verdict()
    assert check.authenticated and check.warnings == ()
    assert check.facts() == {"engine": "ray", "address": "ray://10.0.0.5:10001", "authentication": "token", "tls": False}
    assert any("token authentication" in line for line in check.lines())
    assert SECRET not in repr(check) and SECRET not in str(check.facts()) and SECRET not in " ".join(check.lines())


def test_a_missing_or_wrong_token_is_refused_with_what_to_do():
    with pytest.raises(ClusterRefused, match="requires a token and Director has none") as missing:
        _verdict(token=None, accepted=None)
    assert "RAY_AUTH_TOKEN" in str(missing.value) and "ray get-auth-token" in str(missing.value)
    with pytest.raises(ClusterRefused, match="refused the token from the file ~/.ray/auth_token") as wrong:
        _verdict(accepted=False)
    assert SECRET not in str(wrong.value)


def test_an_unauthenticated_cluster_is_refused_unless_allowed_and_then_recorded():
    with pytest.raises(ClusterRefused) as refused:
        _verdict(enforced=False, accepted=None)
    message = str(refused.value)
    assert "does not require authentication" in message and "RAY_AUTH_MODE=token" in message
    assert "--allow-unauthenticated" in message and "RAY_AUTH_TOKEN" in message
    check = _verdict(enforced=False, accepted=None, allow_unauthenticated=True)
    assert not check.authenticated and check.token_source == ""  # no token goes to an open cluster
    assert check.facts()["authentication"] == "none (unauthenticated cluster)"
    assert any("does not require authentication" in w for w in check.warnings)


def test_without_tls_off_this_machine_the_check_warns():
    assert _verdict(loopback=True).warnings == ()
    (warning,) = _verdict(loopback=False).warnings
    assert "unencrypted" in warning and "RAY_USE_TLS" in warning
    assert _verdict(loopback=False, transport=Transport(True, {"RAY_USE_TLS": "1"})).warnings == ()


def test_run_facts_record_the_cluster_and_old_recipes_still_read():
    old = '{"device": "cuda", "dtype": "bfloat16", "encoder": {}, "options": [], "pipeline_class": "P", ' \
          '"scheduler": "S", "scheduler_config": {}, "versions": {}, "weights": "w"}'
    facts = RunFacts.from_json(old)
    assert facts.cluster == {} and not facts.unauthenticated_cluster
    recipe = Recipe.from_json('{"prompt": "a roof"}', old)
    assert recipe.run.cluster == {}
    ran = RunFacts(device="cpu", cluster=_verdict(enforced=False, accepted=None, allow_unauthenticated=True).facts())
    again = RunFacts.from_json(ran.to_json())
    assert again == ran and again.unauthenticated_cluster
    assert RunFacts(cluster=_verdict().facts()).unauthenticated_cluster is False
    assert ran.differences(RunFacts(device="cpu")) == []  # where it ran never changes pixels


def test_every_field_a_cluster_job_sends_is_in_the_list_engine_check_prints():
    missing = [f.name for f in fields(JobRequest) if f.name not in ray_traffic.SENT]
    assert not missing, f"say in ray_traffic.SENT (and docs/ray.md) what these send to the cluster: {missing}"


def test_a_dead_actors_scratch_folder_is_removed_and_a_live_ones_kept(tmp_path):
    import os
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"{SCRATCH_PREFIX}{int(gone.stdout)}-abc"
    (dead / "media").mkdir(parents=True)
    (dead / "media" / "take.mp4").write_bytes(b"frames")
    live = tmp_path / f"{SCRATCH_PREFIX}{os.getpid()}-def"
    live.mkdir()
    other = tmp_path / "director-ray-notapid"
    other.mkdir()
    assert remove_orphaned_scratch(tmp_path) == [dead]
    assert not dead.exists() and live.exists() and other.exists()

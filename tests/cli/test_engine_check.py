"""`director engine check` and --allow-unauthenticated without a cluster: the local engine says
nothing leaves the machine, every verb that takes --engine takes the opt-out too, and an unsafe
token file or half-set TLS is refused before anything is sent anywhere."""

from __future__ import annotations

import json
import socket

import pytest

from director.cli import build_parser, main


@pytest.fixture
def listener():
    """Something listening on loopback, so the reachability check passes and the refusal that
    follows is the token's or TLS's, not the network's; it never answers."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    yield f"ray://127.0.0.1:{s.getsockname()[1]}"
    s.close()


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for k in ("RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH", "RAY_USE_TLS", "DIRECTOR_ENGINE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_the_local_engine_sends_nothing_anywhere(clean_env, capsys):
    assert main(["engine", "check"]) == 0
    assert "nothing leaves this machine" in capsys.readouterr().out
    assert main(["engine", "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"engine": "local", "sent": [], "returned": []}


@pytest.mark.parametrize("verb", [
    ["engine", "check"],
    ["generate", "film.director", "--shot", "1", "--preset", "tiny-t2i"],
    ["sweep", "film.director", "--shot", "1", "--presets", "tiny-t2i"],
    ["conform", "film.director"],
    ["queue", "run", "film.director"],
    ["take", "promote", "film.director", "1"],
    ["take", "extend", "film.director", "1"],
    ["take", "rerender", "film.director", "1"],
    ["take", "i2v", "film.director", "1"],
])
def test_every_verb_that_takes_an_engine_takes_the_opt_out(verb):
    args = build_parser().parse_args(verb + ["--engine", "ray://head:10001", "--allow-unauthenticated"])
    assert args.allow_unauthenticated is True
    assert build_parser().parse_args(verb).allow_unauthenticated is False  # refused unless asked


def test_a_world_readable_token_file_is_refused_before_anything_is_sent(clean_env, listener, capsys):
    token_file = clean_env / ".ray" / "auth_token"
    token_file.parent.mkdir(parents=True)
    token_file.write_text("secret-token-do-not-print\n")
    token_file.chmod(0o644)
    assert main(["engine", "check", "--engine", listener]) == 1
    captured = capsys.readouterr()
    assert f"chmod 600 {token_file}" in captured.err and "every user" in captured.err
    assert "secret-token-do-not-print" not in captured.err + captured.out


def test_half_set_tls_is_refused_with_the_missing_variables(clean_env, listener, monkeypatch, capsys):
    monkeypatch.setenv("RAY_USE_TLS", "1")
    monkeypatch.setenv("RAY_TLS_SERVER_CERT", "/nope/cert.pem")
    assert main(["engine", "check", "--engine", listener]) == 1
    assert "RAY_TLS_SERVER_KEY, RAY_TLS_CA_CERT are not" in capsys.readouterr().err

"""`advisor-console notice-relay` refuses bad arguments in one line on stderr with exit 2, and a taken
address in one line with exit 1; never a traceback."""

from __future__ import annotations

import socket

import pytest

from console import cli

SERVER = "postgresql://notice_relay@central.example.net/console"


@pytest.fixture(autouse=True)
def no_log_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "setup_logging", lambda: None)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ([], "say which server"),
        (["--server", SERVER], "say where to listen"),
        (["--server", "mysql://x/y", "--listen", "127.0.0.1:7070"], "must be a postgresql:// URL"),
        (["--server", SERVER, "--listen", "7070"], "--listen must be HOST:PORT"),
        (["--server", SERVER, "--listen", "127.0.0.1:70000"], "port that is not a number"),
        (["--server", SERVER, "--listen", "0.0.0.0:7070"], "without TLS would take tickets"),
        (["--server", SERVER, "--listen", "127.0.0.1:7070", "--tls-cert", "c.pem"], "go together"),
        (["--server", SERVER, "--listen", "127.0.0.1:7070", "--keepalive", "soon"], "number of seconds"),
        (["--server", SERVER, "--listen", "127.0.0.1:7070", "--colour"], "unrecognized arguments"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as ended:
        cli.main(["notice-relay", *argv])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("advisor-console notice-relay: error: ")
    assert words in err


def test_missing_certificate_files_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--server", SERVER, "--listen", "127.0.0.1:7070", "--tls-cert", "/no/c.pem", "--tls-key", "/no/k"]
    with pytest.raises(SystemExit):
        cli.main(["notice-relay", *argv])
    assert capsys.readouterr().err == "advisor-console notice-relay: error: no such file: /no/c.pem\n"


def test_a_taken_address_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["notice-relay", "--server", SERVER, "--listen", f"127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith(f"advisor-console notice-relay: error: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in "\n".join(err)

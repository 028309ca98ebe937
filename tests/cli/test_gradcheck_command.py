"""nnplay gradcheck: what it compares, and how it names each verdict."""

import dataclasses

from nnplay.cli import main
from tests.cli.helpers import run


def test_gradcheck_samples_a_large_network_as_the_app_does(capsys):
    code, out, _ = run(capsys, "gradcheck", "--layers", "64,400,400,10")  # 187,210 parameters
    assert code == 0 and "All gradients agree" in out
    assert "a seeded sample of" in out and "dense_1.W (" in out  # checked/total, not all 160,000


def test_gradcheck_command_passes(capsys):
    code, out, _ = run(capsys, "gradcheck", "--layers", "64,8,10")
    assert code == 0 and "All gradients agree" in out and "WRONG" not in out
    assert "dense_1.W" in out and "cross_entropy" in out
    # what it compares against, and a Dense layer checked alone as well as in the network
    assert out.startswith("Finite differences against backward()") and "dense (alone)" in out


def test_gradcheck_retries_a_tiny_gradient_with_larger_steps_and_calls_it_ok(capsys):
    # Seven sigmoid layers: the first layer's gradient is about 2e-5, where rounding in the
    # central difference at eps 1e-6 reaches 1.8e-6 of it (at eps 1e-3 it agrees to 2e-8).
    args = ["--dataset", "spiral", "--layers", "2,3,3,3,3,3,3,1", "--activation", "sigmoid"]
    code, out, _ = run(capsys, "gradcheck", *args)
    line = next(line for line in out.splitlines() if line.startswith("dense_0.W"))
    assert code == 0 and line.endswith("ok") and "All gradients agree" in out


def test_gradcheck_calls_a_suspicious_error_not_a_bug(capsys, monkeypatch):
    from nnplay.core import gradcheck

    real = gradcheck.check_network_sample

    def one_suspicious(*args, **kwargs):
        checks = real(*args, **kwargs)
        return [dataclasses.replace(checks[0], error=1e-5), *checks[1:]]

    monkeypatch.setattr(gradcheck, "check_network_sample", one_suspicious)
    code, out, _ = run(capsys, "gradcheck", "--dataset", "xor", "--layers", "2,4,1")
    line = next(line for line in out.splitlines() if line.startswith("dense_0.W"))
    assert code == 0 and line.endswith("suspicious")
    assert "1 suspicious (between" in out and "has a bug" not in out


def test_gradcheck_says_which_arrays_it_compared_with_nothing(capsys):
    # 64,1,10 at seed 0: the one ReLU unit is dead on the 8 samples checked
    assert main(["gradcheck", "--layers", "64,1,10"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("dense_")}
    assert all("all 0" in lines[name] for name in ("dense_0.W", "dense_0.b", "dense_1.W"))
    assert "all 0" not in lines["dense_1.b"] and "nothing to compare" in out

"""Models reach their quality targets on small settings; data sets and exact energies against oracles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse.linalg as sla
import torch

import suanli
from suanli.cli.main import main
from suanli.errors import SuanliError
from suanli.models.datasets import bars_and_stripes, bas_distribution, gaussian_mixture_distribution, indices_to_bits
from suanli.models.qcbm import entangler_pairs, mmd_kernel, train_qcbm
from suanli.models.qgan import PatchGenerator, train_qgan
from suanli.models.vqe import tfim_exact_energy, tfim_hamiltonian, train_vqe


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Small states train fastest on one thread (and a shared machine stays usable)."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def test_bars_and_stripes() -> None:
    imgs = bars_and_stripes(3, 3)
    assert len(imgs) == 14 and len({tuple(r) for r in imgs}) == 14
    for img in imgs.reshape(-1, 3, 3):
        rows_const = all(len(set(r)) == 1 for r in img)
        cols_const = all(len(set(c)) == 1 for c in img.T)
        assert rows_const or cols_const
    p = bas_distribution(3, 3)
    assert p.sum() == pytest.approx(1.0) and np.count_nonzero(p) == 14
    # big-endian: the image with only the top row on is 111000000
    assert p[int("111000000", 2)] > 0 and p[int("100100100", 2)] > 0 and p[int("110000000", 2)] == 0
    assert indices_to_bits(np.array([int("100100100", 2)]), 9).reshape(3, 3)[:, 0].tolist() == [1, 1, 1]
    g = gaussian_mixture_distribution(8)
    assert g.sum() == pytest.approx(1.0) and g.argmax() in (int(256 * 2 / 7), int(256 * 5 / 7) + 1, int(256 * 5 / 7))


def test_mmd_kernel_is_positive_definite_and_pairs() -> None:
    k = mmd_kernel(4).numpy()
    assert np.allclose(k, k.T) and np.linalg.eigvalsh(k).min() > 0
    assert entangler_pairs(9, (3, 3))[:2] == [(0, 1), (1, 2)] and len(entangler_pairs(9, (3, 3))) == 12


def test_qcbm_bars_and_stripes_2x2_reaches_the_target() -> None:
    r = train_qcbm(target="bas", rows=2, cols=2, depth=3, steps=150, kl_target=0.02, seed=0)
    assert r.kl < 0.1
    assert r.valid_fraction > 0.9 and r.valid_mass > 0.9
    assert r.history["kl"][0] > r.kl  # it learnt
    # the reported distribution is the circuit's: compare with a fresh simulation of the trained weights
    from suanli.models.qcbm import qcbm_circuit

    p = suanli.probabilities(qcbm_circuit(4, 3, torch.as_tensor(r.weights), entangler_pairs(4, (2, 2))), device="cpu")
    assert np.allclose(p.numpy(), r.probabilities, atol=1e-10)


def test_qcbm_gaussian_mixture() -> None:
    r = train_qcbm(target="gaussian", num_qubits=6, depth=4, steps=150, kl_target=0.02, seed=1)
    assert r.kl < 0.1 and r.valid_mass > 0.9


def test_tfim_closed_form_against_lanczos() -> None:
    for n, j, h in [(4, 1.0, 1.0), (6, 0.7, 1.3), (8, 1.0, 0.5)]:
        m = tfim_hamiltonian(n, j, h).to_matrix()
        e0 = sla.eigsh(m, k=1, which="SA")[0][0] if hasattr(m, "tocsr") else np.linalg.eigvalsh(m)[0]
        assert tfim_exact_energy(n, j, h) == pytest.approx(float(e0), abs=1e-9)
    with pytest.raises(SuanliError):
        tfim_exact_energy(5)


def test_vqe_reaches_the_exact_energy() -> None:
    r = train_vqe(num_qubits=6, steps=200, seed=0)
    assert r.relative_error < 1e-5
    assert r.energy >= r.exact_energy - 1e-9
    r2 = train_vqe(num_qubits=4, steps=100, diff_method="shift", seed=1)
    assert r2.relative_error < 1e-5


def test_patch_generator_shapes_and_range() -> None:
    gen = PatchGenerator(depth=2)
    img = gen(torch.rand(3, 5))
    assert img.shape == (3, 64)
    assert img.min().item() >= 0 and img.max().item() == pytest.approx(1.0)
    img.sum().backward()
    assert gen.weights.grad is not None and torch.isfinite(gen.weights.grad).all()


def test_qgan_moves_towards_the_data() -> None:
    r = train_qgan(digit=0, steps=60, batch=4, depth=4, samples=8, seed=0)
    assert r.samples.shape == (8, 8, 8)
    assert r.mean_image_distance < r.initial_mean_image_distance
    assert np.isfinite(r.history["d_loss"]).all()


def test_cli_train_vqe_and_qcbm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    threads = str(torch.get_num_threads())
    code = main(["train", "vqe", "--qubits", "4", "--json", "--out", str(tmp_path), "--threads", threads])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["relative_error"] < 1e-5
    assert (tmp_path / "vqe.png").stat().st_size > 1000
    assert json.loads((tmp_path / "vqe_metrics.json").read_text())["history"]["energy"]
    code = main(["train", "qcbm", "--rows", "2", "--cols", "2", "--depth", "3", "--threads", threads])
    captured = capsys.readouterr()
    assert code == 0 and "kl" in captured.out
    code = main(["train", "vqe", "--qubits", "5", "--threads", threads])
    err = capsys.readouterr().err
    assert code == 2 and "even number" in err and "Traceback" not in err


def test_mps_born_machine_norm_and_exact_sampling() -> None:
    from suanli.models.born import MPSBornMachine

    m = MPSBornMachine(6, bond=3, seed=1)
    allx = torch.as_tensor(indices_to_bits(np.arange(64), 6).astype(np.int64))
    p = (m.amplitudes(allx) ** 2).numpy()
    assert float(m.norm2()) == pytest.approx(p.sum(), abs=1e-12)
    p = p / p.sum()
    draws = m.sample(20_000, seed=3)
    idx = draws.astype(np.int64) @ (1 << np.arange(5, -1, -1))
    freq = np.bincount(idx, minlength=64) / len(idx)
    # exact sampling: frequencies within 5 standard errors of the probabilities
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / len(idx)) + 1e-4)


def test_born_machine_reaches_the_ideal_nll_on_bas_3x3() -> None:
    from suanli.models.born import train_born

    r = train_born(data="bas", rows=3, cols=3, max_bonds=(2, 8), sweeps=4, seed=0)
    assert r.nll[0] > r.nll[1]
    assert r.nll[1] == pytest.approx(r.ideal_nll, abs=0.02)  # ln 14: the data memorised
    assert r.valid_fraction[1] > 0.98
    assert r.reached_bonds[1] <= 8

"""The memory guard: too-large simulations are refused before anything is allocated, with a message that says
how many bytes are needed and available and what to do; SUANLI_MAX_MEMORY caps the budget."""

from __future__ import annotations

import re

import pytest
import torch

import suanli
from suanli import Circuit, SimulationError, SimulationTooLarge, SuanliError
from suanli.sim.statevector import memory
from suanli.sim.statevector.kernels import StateVector
from suanli.sim.statevector.memory import available_bytes, check_memory, format_bytes, parse_bytes, state_bytes

CPU = "cpu"


@pytest.fixture(autouse=True)
def torch_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    """The exact figures below are those of the double-buffered torch kernels (the in-place compiled path
    holds one buffer: ``test_in_place_kernels_need_one_buffer``)."""
    monkeypatch.setenv("SUANLI_KERNELS", "torch")


@pytest.fixture
def no_allocation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a state vector is created."""

    def boom(self: StateVector, *args: object, **kwargs: object) -> None:
        raise AssertionError("a StateVector was allocated before the memory check")

    monkeypatch.setattr(StateVector, "__init__", boom)


@pytest.mark.parametrize("entry", ["state", "probabilities", "sample", "expectation", "outcome_probabilities"])
def test_40_qubits_refused_before_allocation(entry: str, no_allocation: None) -> None:
    c = Circuit(40).h(0).cx(0, 39)
    calls = {
        "state": lambda: suanli.state(c, device=CPU),
        "probabilities": lambda: suanli.probabilities(c, device=CPU),
        "sample": lambda: suanli.sample(c, shots=10, device=CPU),
        "expectation": lambda: suanli.expectation(c, "Z0", device=CPU),
        "outcome_probabilities": lambda: suanli.outcome_probabilities(Circuit(40, 1).h(0).measure(0, 0), device=CPU),
    }
    with pytest.raises(SimulationTooLarge) as err:
        calls[entry]()
    e = err.value
    assert isinstance(e, SimulationError) and isinstance(e, MemoryError) and isinstance(e, SuanliError)
    assert e.bytes_needed >= 2 * 8 * 2**40 > e.bytes_available > 0
    msg = str(e)
    assert "40-qubit" in msg
    assert re.search(r"needs \d+\.\d TiB", msg)
    assert format_bytes(e.bytes_needed) in msg and format_bytes(e.bytes_available) in msg
    assert "available" in msg and "tensor-network" in msg and "fewer qubits" in msg


def test_message_for_state_is_exact() -> None:
    with pytest.raises(SimulationTooLarge) as err:
        suanli.state(Circuit(40).h(0), device=CPU)
    assert err.value.bytes_needed == 2 * 8 * 2**40  # two complex64 buffers
    assert str(err.value).startswith(
        "a 40-qubit state-vector simulation needs 16.0 TiB (2 × 2^40 amplitudes × 8 B complex64) but cpu has ")
    with pytest.raises(SimulationTooLarge) as err128:
        suanli.state(Circuit(40).h(0), dtype=torch.complex128, device=CPU)
    assert err128.value.bytes_needed == 2 * 16 * 2**40
    msg = str(err128.value)
    assert "complex128" in msg and "use complex64" in msg and "dtype=torch.complex64" in msg


def test_env_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUANLI_MAX_MEMORY", "1MiB")
    assert available_bytes(torch.device("cpu")) == 2**20
    # 16 qubits × complex64 × 2 buffers = exactly 1 MiB: allowed
    assert suanli.state(Circuit(16).h(0), device=CPU).shape == (2**16,)
    with pytest.raises(SimulationTooLarge) as err:
        suanli.state(Circuit(17).h(0), device=CPU)
    assert err.value.bytes_available == 2**20 and err.value.bytes_needed == 2 * 8 * 2**17
    assert "2.0 MiB" in str(err.value) and "1.0 MiB available" in str(err.value)
    # a batch multiplies the need, and the advice says so
    with pytest.raises(SimulationTooLarge, match=r"× batch 2.*use a smaller batch"):
        suanli.state(Circuit(16).rx(torch.tensor([0.1, 0.2]), 0), device=CPU)
    # gradients keep more copies
    t = torch.tensor(0.3, requires_grad=True)
    with pytest.raises(SimulationTooLarge):
        suanli.state(Circuit(16).rx(t, 0).ry(t, 1), device=CPU)
    monkeypatch.setenv("SUANLI_MAX_MEMORY", "1e12")
    assert available_bytes(torch.device("cpu")) <= 10**12
    assert suanli.state(Circuit(17).h(0), device=CPU).shape == (2**17,)


def test_in_place_kernels_need_one_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    from suanli.sim.statevector.native import native_available

    if not native_available():
        pytest.skip("no working C compiler for the compiled kernels")
    monkeypatch.setenv("SUANLI_KERNELS", "native")
    monkeypatch.setenv("SUANLI_MAX_MEMORY", "1MiB")
    assert suanli.state(Circuit(17).h(0).cx(0, 16), device=CPU).shape == (2**17,)  # one 1 MiB buffer
    with pytest.raises(SimulationTooLarge) as err:
        suanli.state(Circuit(18).h(0), device=CPU)
    assert err.value.bytes_needed == 8 * 2**18 and "1 × 2^18 amplitudes" in str(err.value)
    # wider fusion is clamped to the kernel's widest block, so the run stays in one buffer
    wide = Circuit(17).h(range(7)).cx(0, 1).cx(1, 2).cx(2, 3).cx(3, 4).cx(4, 5).cx(5, 6)
    assert suanli.state(wide, device=CPU, fusion=7).shape == (2**17,)


def test_env_cap_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUANLI_MAX_MEMORY", "lots")
    with pytest.raises(SuanliError, match="cannot read 'lots' as a memory size"):
        suanli.state(Circuit(1).h(0), device=CPU)


def test_shot_record_and_branches_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUANLI_MAX_MEMORY", "1MB")
    with pytest.raises(SimulationTooLarge, match=r"shots × 2 classical bits.*fewer shots"):
        suanli.sample(Circuit(2, 2).h(0).measure([0, 1], [0, 1]), shots=10**6, device=CPU)
    # a dynamic circuit (branching walk) is checked too: 2 × 2^16 × 8 B = 1.05 MB > 1 MB
    c = Circuit(16, 1).h(0).measure(0, 0).h(0).measure(0, 0)
    with pytest.raises(SimulationTooLarge, match="16-qubit"):
        suanli.sample(c, shots=10, device=CPU)
    with pytest.raises(SimulationTooLarge, match="16-qubit"):
        suanli.outcome_probabilities(c, device=CPU, dtype=torch.complex64)
    ok = Circuit(15, 1).h(0).measure(0, 0).h(0).measure(0, 0)
    assert suanli.sample(ok, shots=10, seed=1, device=CPU).metadata["dynamic"] is True


def test_check_memory_directly() -> None:
    cpu = torch.device("cpu")
    assert check_memory(10, torch.complex64, cpu) == 2 * 8 * 1024
    assert check_memory(10, torch.complex128, cpu, copies=3, batch=4) == 3 * 16 * 1024 * 4
    assert state_bytes(3, torch.complex64) == 64 and state_bytes(3, torch.complex128, batch=2) == 256
    with pytest.raises(SimulationTooLarge, match="branch of a dynamic circuit"):
        check_memory(45, torch.complex64, cpu, what="branch of a dynamic circuit")


@pytest.mark.parametrize(
    ("text", "value"),
    [("8GiB", 8 * 2**30), ("500 MB", 500 * 10**6), ("1e9", 10**9), ("1.5 kB", 1500), ("1.5kib", 1536),
     ("  2 TiB ", 2 * 2**40), ("7", 7), ("3b", 3), ("1G", 10**9), ("1PiB", 2**50), (".5M", 500_000),
     ("2E3", 2000)],
)
def test_parse_bytes(text: str, value: int) -> None:
    assert parse_bytes(text) == value


@pytest.mark.parametrize("text", ["", "GiB", "8 GiBs", "-1GB", "1.2.3", "ten", "8 XB", "1e", "8 Gi B"])
def test_parse_bytes_rejects(text: str) -> None:
    with pytest.raises(SuanliError, match=r"cannot read .* as a memory size"):
        parse_bytes(text)


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (2**20, "1.0 MiB"),
     (16 * 2**40, "16.0 TiB"), (3 * 2**50, "3.0 PiB"), (2**70, "1024.0 EiB"), (5.5 * 2**30, "5.5 GiB")],
)
def test_format_bytes(n: float, text: str) -> None:
    assert format_bytes(n) == text


def test_parse_format_round_trip() -> None:
    for n in (1, 1024, 2**20 * 3, 2**35):
        assert parse_bytes(format_bytes(n).replace(" ", "")) == n


def test_module_reads_env_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUANLI_MAX_MEMORY", "100")
    assert memory.available_bytes(torch.device("cpu")) == 100
    monkeypatch.delenv("SUANLI_MAX_MEMORY")
    assert memory.available_bytes(torch.device("cpu")) > 100


def test_host_buffers_are_zero_writable_and_outlive_their_mapping() -> None:
    import gc

    from suanli.sim.statevector.memory import HUGE_PAGE_MIN, host_copy, host_zeros

    big = host_zeros((2, HUGE_PAGE_MIN // 8), torch.complex64)  # 2 × 4 MiB
    assert big.shape == (2, HUGE_PAGE_MIN // 8) and big.dtype == torch.complex64 and big.is_contiguous()
    assert not big.abs().any()
    big[1, 5] = 2 + 1j
    copy = host_copy(big)
    del big
    gc.collect()
    assert copy[1, 5] == 2 + 1j and copy.abs().sum() == abs(2 + 1j)
    small = host_zeros((3, 4), torch.float64)
    assert small.shape == (3, 4) and not small.any()


def test_spare_buffers_are_reused_within_their_limit(monkeypatch) -> None:
    from suanli.sim.statevector import memory

    memory.release_spare_buffers()
    t = torch.randn(2, memory.HUGE_PAGE_MIN // 8, dtype=torch.complex64)  # 2 x 4 MiB
    a = memory.host_copy(t)
    ptr = a.data_ptr()
    assert memory.spare_buffer(a)
    del a
    u = torch.randn_like(t)
    b = memory.host_copy(u, reuse=True)
    assert b.data_ptr() == ptr and torch.equal(b, u)  # the same pages, the new values
    assert memory.host_copy(u, reuse=True).data_ptr() != ptr  # taken once only
    assert not memory.spare_buffer(b[:1])  # a view of a larger buffer is never kept
    monkeypatch.setenv("SUANLI_SPARE_BUFFERS", "4MiB")
    assert not memory.spare_buffer(b)  # 8 MiB over a 4 MiB limit
    monkeypatch.setenv("SUANLI_SPARE_BUFFERS", "0")
    assert not memory.spare_buffer(torch.zeros(4))
    monkeypatch.delenv("SUANLI_SPARE_BUFFERS")
    assert memory.spare_buffer(torch.zeros(4, dtype=torch.float64)) and memory.release_spare_buffers() == 32
    assert memory.host_copy(torch.ones(4, dtype=torch.float64), reuse=True).sum() == 4

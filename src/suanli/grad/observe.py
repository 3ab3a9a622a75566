"""Observables acting on canonical states ``(B, 2**n)``: values ⟨ψ|O|ψ⟩ and the weighted sum Σ_k w_k O_k |ψ⟩.

The weighted sum is the starting backward state of the adjoint method: for a loss L = Σ_k g_k ⟨ψ|O_k|ψ⟩ the
gradient with respect to ψ̄ is Σ_k g_k O_k ψ, so every observable (every Pauli term of every observable) enters
one backward sweep.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from ..errors import ObservableError
from ..observables.pauli import Hermitian, PauliSum, as_observable
from ..sim.statevector.expect import hermitian_expectation, pauli_expectation
from ..sim.statevector.kernels import StateVector

__all__ = ["Observables", "apply_observables", "as_observables", "observable_values"]

Observables = list[PauliSum | Hermitian]


def as_observables(observable: object, num_qubits: int) -> tuple[Observables, bool]:
    """Normalise one observable or a list of them; returns (list, single) and checks they fit the circuit."""
    single = not isinstance(observable, (list, tuple))
    items = [as_observable(o) for o in ([observable] if single else observable)]  # type: ignore[union-attr]
    if not items:
        raise ObservableError("at least one observable is needed; got an empty list")
    for o in items:
        if o.num_qubits > num_qubits:
            raise ObservableError(
                f"observable {o} acts on qubit {o.num_qubits - 1} but the circuit has {num_qubits} qubits"
            )
    return items, single


def observable_values(psi: torch.Tensor, num_qubits: int, observables: Sequence[PauliSum | Hermitian]) -> torch.Tensor:
    """⟨ψ|O_k|ψ⟩ for canonical states ``psi`` (B, 2**n): a real tensor (B, K)."""
    vals = []
    for o in observables:
        if isinstance(o, PauliSum):
            vals.append(pauli_expectation(psi, num_qubits, o))
        else:
            vals.append(hermitian_expectation(psi, num_qubits, o))
    return torch.stack(vals, dim=-1)


def _sign_pattern(num_qubits: int, qubits: Sequence[int], dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Π_{q∈qubits} (-1)^{y_q} as a broadcastable tensor of shape [2 or 1]*n."""
    out = torch.ones([1] * num_qubits, dtype=dtype, device=device)
    for q in qubits:
        shape = [1] * num_qubits
        shape[q] = 2
        out = out * torch.tensor([1.0, -1.0], dtype=dtype, device=device).reshape(shape)
    return out


def apply_observables(
    psi: torch.Tensor,
    num_qubits: int,
    observables: Sequence[PauliSum | Hermitian],
    weights: torch.Tensor,
    out: torch.Tensor | None = None,
    *,
    with_value: bool = False,
) -> Any:
    """Σ_k weights[:, k] · O_k ψ for canonical states ``psi`` (B, 2**n) and real ``weights`` (B, K).

    With ``with_value`` returns ``(out, value)``, value = Re⟨ψ|out⟩ (B,) in the states' real precision (on the
    compiled path from the same pass, summed in double precision).

    A Pauli string P with X/Y on the set F and Y/Z on the set S acts as (Pψ)[y] = (-i)^{#Y} (-1)^{Σ_{q∈S} y_q}
    ψ[y ⊕ F]: all terms that flip the same set F share one flipped copy of ψ and one diagonal factor, added
    into ``out`` in place (a new tensor when ``out`` is None), so at most one temporary state is held.
    """
    b = psi.shape[0]
    n = num_qubits
    if _compiled_sum(psi):
        result, value = _apply_compiled(psi, n, observables, weights, out, with_value)
        return (result, value) if with_value else result
    if with_value:
        result = apply_observables(psi, n, observables, weights, out)
        return result, torch.linalg.vecdot(psi, result, dim=1).real
    if out is None:
        out = torch.zeros_like(psi)
    else:
        out.zero_()
    cdt = psi.dtype
    # Pauli terms grouped by flip set, across observables: the diagonal factor depends on the batch weight
    groups: dict[tuple[int, ...], list[tuple[int, float, int, tuple[int, ...]]]] = defaultdict(list)
    for k, o in enumerate(observables):
        if isinstance(o, PauliSum):
            for t in o.terms:
                flips = tuple(q for q, p in t.ops if p in "XY")
                signs = tuple(q for q, p in t.ops if p in "YZ")
                n_y = sum(1 for _, p in t.ops if p == "Y")
                groups[flips].append((k, t.coeff, n_y, signs))
        else:
            sv = StateVector(n, batch=b, dtype=cdt, device=psi.device, inplace=True, data=psi)
            sv.apply_matrix(o.matrix.to(dtype=cdt, device=psi.device), o.qubits)
            out.add_(weights[:, k, None].to(cdt) * sv.canonical())
            del sv
    for flips, terms in groups.items():
        # per observable k: its diagonal factor d_k(y) (shape [2]*n broadcast), then Σ_k w[:, k] d_k
        per_k: dict[int, torch.Tensor] = {}
        for k, coeff, n_y, signs in terms:
            factor = coeff * (-1j) ** n_y
            pat = _sign_pattern(n, signs, cdt, psi.device) * factor
            per_k[k] = pat if k not in per_k else per_k[k] + pat
        shaped = psi.reshape(b, *([2] * n))
        phi = torch.flip(shaped, dims=[1 + q for q in flips]) if flips else shaped
        diag = None
        for k, pat in per_k.items():
            w = weights[:, k].to(cdt).reshape(b, *([1] * n))
            term = w * pat
            diag = term if diag is None else diag + term
        assert diag is not None
        out.view(b, *([2] * n)).addcmul_(diag, phi)
        del phi
    return out


def _compiled_sum(psi: torch.Tensor) -> bool:
    """Whether the compiled CPU kernel applies the Pauli terms (CPU states without autograd)."""
    from ..sim.statevector.engine import forced_kernels
    from ..sim.statevector.native import native_available

    return (psi.device.type == "cpu" and not psi.requires_grad and forced_kernels() != "torch"
            and native_available())


def _apply_compiled(
    psi: torch.Tensor,
    n: int,
    observables: Sequence[PauliSum | Hermitian],
    weights: torch.Tensor,
    out: torch.Tensor | None,
    with_value: bool,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """:func:`apply_observables` with every Pauli term of every observable in one compiled pass (terms with the
    same flip and sign masks merged); dense Hermitian observables are added afterwards with the torch kernels.
    Returns (out, Re⟨ψ|out⟩ or None)."""
    from ..sim.statevector.native import pauli_apply, pauli_dots

    b = psi.shape[0]
    w = weights.detach().to(torch.float64).cpu().numpy().reshape(b, -1)
    coefs: dict[tuple[int, int], np.ndarray] = {}
    for k, o in enumerate(observables):
        if not isinstance(o, PauliSum):
            continue
        for t in o.terms:
            x, z, phase = t.masks(n)
            c = w[:, k] * (t.coeff * phase)
            coefs[(x, z)] = coefs[(x, z)] + c if (x, z) in coefs else c
    masks = list(coefs)
    coef = np.stack([coefs[m] for m in masks], axis=1) if masks else np.zeros((b, 0), dtype=np.complex128)
    if out is None:
        out = torch.empty_like(psi)
    dense = [k for k, o in enumerate(observables) if isinstance(o, Hermitian)]
    value = None
    if with_value and not dense:
        dots = pauli_dots(psi, n, masks, coef, out=out)
        value = torch.from_numpy(dots.real.copy()).to(torch.float64 if psi.dtype == torch.complex128 else torch.float32)
    else:
        pauli_apply(psi, n, masks, coef, out=out)
    for k in dense:
        o = observables[k]
        assert isinstance(o, Hermitian)
        sv = StateVector(n, batch=b, dtype=psi.dtype, device=psi.device, inplace=True, data=psi)
        sv.apply_matrix(o.matrix.to(dtype=psi.dtype, device=psi.device), o.qubits)
        out.add_(weights[:, k, None].to(psi.dtype) * sv.canonical())
        del sv
    if with_value and value is None:
        value = torch.linalg.vecdot(psi, out, dim=1).real
    return out, value

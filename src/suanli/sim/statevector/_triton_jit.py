"""Triton kernels of the state-vector engine (imported on first use by ``triton_kernels._triton``, so that suanli
imports without Triton). Helpers called from kernels must be module-level ``@triton.jit`` functions."""

import triton
import triton.language as tl


@triton.jit
def load_groups(x_ptr, offs_ptr, bits_ptr, n_groups, state_stride, K: tl.constexpr, D: tl.constexpr,
                BLOCK: tl.constexpr):
    """This program's BLOCK groups of state program_id(1): each group's base index (zero bits inserted at
    the K gate bits), which groups exist, the (BLOCK, D) indices of their reals, and their amplitudes."""
    pid = tl.program_id(0)
    b = tl.program_id(1)
    g = pid.to(tl.int64) * BLOCK + tl.arange(0, BLOCK).to(tl.int64)
    mask = g < n_groups
    base = g
    for j in tl.static_range(K):
        bit = tl.load(bits_ptr + j).to(tl.int64)
        low = base & ((tl.full((BLOCK,), 1, tl.int64) << bit) - 1)
        base = ((base >> bit) << (bit + 1)) | low
    offs = tl.load(offs_ptr + tl.arange(0, D))
    idx = (base[:, None] + offs[None, :]) * 2 + b.to(tl.int64) * state_stride
    xr = tl.load(x_ptr + idx, mask=mask[:, None], other=0.0)
    xi = tl.load(x_ptr + idx + 1, mask=mask[:, None], other=0.0)
    return base, mask, idx, xr, xi


@triton.jit
def dense_kernel(
    x_ptr,
    u_ptr,
    offs_ptr,
    bits_ptr,
    n_groups,
    state_stride,
    mat_stride,
    K: tl.constexpr,
    D: tl.constexpr,
    BLOCK: tl.constexpr,
):
    b = tl.program_id(1)
    _base, mask, idx, xr, xi = load_groups(x_ptr, offs_ptr, bits_ptr, n_groups, state_stride, K, D, BLOCK)
    cols = tl.arange(0, D)
    m2 = mask[:, None]
    ui_idx = (cols[:, None] * D + cols[None, :]) * 2 + b.to(tl.int64) * mat_stride
    ur = tl.load(u_ptr + ui_idx)
    uim = tl.load(u_ptr + ui_idx + 1)
    # y[g, i] = sum_j u[i, j] x[g, j]
    xr3 = xr[:, None, :]
    xi3 = xi[:, None, :]
    ur3 = ur[None, :, :]
    ui3 = uim[None, :, :]
    yr = tl.sum(ur3 * xr3 - ui3 * xi3, axis=2)
    yi = tl.sum(ur3 * xi3 + ui3 * xr3, axis=2)
    tl.store(x_ptr + idx, yr, mask=m2)
    tl.store(x_ptr + idx + 1, yi, mask=m2)

@triton.jit
def dense_rows_kernel(
    x_ptr,
    u_ptr,
    offs_ptr,
    bits_ptr,
    n_groups,
    state_stride,
    mat_stride,
    K: tl.constexpr,
    D: tl.constexpr,
    BLOCK: tl.constexpr,
):
    # The same pass as dense_kernel, one output row at a time: y[:, i] = sum_j u[i, j] x[:, j] over a
    # (BLOCK, D) tile, so that no (BLOCK, D, D) product is ever held (fewer registers for D >= 16). The
    # whole group is loaded before the first store, so writing row i in place is safe.
    b = tl.program_id(1)
    base, mask, _idx, xr, xi = load_groups(x_ptr, offs_ptr, bits_ptr, n_groups, state_stride, K, D, BLOCK)
    cols = tl.arange(0, D)
    ustart = b.to(tl.int64) * mat_stride
    out = base * 2 + b.to(tl.int64) * state_stride
    for i in tl.static_range(D):
        ur = tl.load(u_ptr + ustart + (i * D + cols) * 2)
        ui = tl.load(u_ptr + ustart + (i * D + cols) * 2 + 1)
        yr = tl.sum(xr * ur[None, :] - xi * ui[None, :], axis=1)
        yi = tl.sum(xr * ui[None, :] + xi * ur[None, :], axis=1)
        oi = tl.load(offs_ptr + i) * 2
        tl.store(x_ptr + out + oi, yr, mask=mask)
        tl.store(x_ptr + out + oi + 1, yi, mask=mask)

@triton.jit
def diag_kernel(
    x_ptr,
    d_ptr,
    pos_ptr,
    n_amps,
    state_stride,
    diag_stride,
    K: tl.constexpr,
    BLOCK: tl.constexpr,
):
    pid = tl.program_id(0)
    b = tl.program_id(1)
    i = pid.to(tl.int64) * BLOCK + tl.arange(0, BLOCK).to(tl.int64)
    mask = i < n_amps
    sub = tl.zeros((BLOCK,), dtype=tl.int64)
    for j in tl.static_range(K):
        bit = tl.load(pos_ptr + j).to(tl.int64)
        sub = (sub << 1) | ((i >> bit) & 1)
    didx = sub * 2 + b.to(tl.int64) * diag_stride
    dr = tl.load(d_ptr + didx, mask=mask, other=1.0)
    di = tl.load(d_ptr + didx + 1, mask=mask, other=0.0)
    xidx = i * 2 + b.to(tl.int64) * state_stride
    xr = tl.load(x_ptr + xidx, mask=mask, other=0.0)
    xi = tl.load(x_ptr + xidx + 1, mask=mask, other=0.0)
    tl.store(x_ptr + xidx, dr * xr - di * xi, mask=mask)
    tl.store(x_ptr + xidx + 1, dr * xi + di * xr, mask=mask)


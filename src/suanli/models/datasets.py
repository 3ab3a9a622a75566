"""Small data sets of the quantum generative-model literature: bars and stripes, a Gaussian mixture, digits.

Bit strings are big-endian as everywhere in suanli: pixel (r, c) of an image with ``cols`` columns is bit
``r * cols + c`` counted from the left (qubit ``r * cols + c``), i.e. basis index bit ``n - 1 - (r * cols + c)``.
"""

from __future__ import annotations

import numpy as np

from ..errors import SuanliError

__all__ = [
    "bars_and_stripes",
    "bas_distribution",
    "binarized_digits",
    "digits_8x8",
    "gaussian_mixture_distribution",
    "indices_to_bits",
]


def indices_to_bits(indices: np.ndarray, n: int) -> np.ndarray:
    """Basis indices → bit rows (big-endian: column 0 is qubit 0, the most significant bit)."""
    idx = np.asarray(indices, dtype=np.int64)
    return ((idx[:, None] >> np.arange(n - 1, -1, -1)) & 1).astype(np.uint8)


def bars_and_stripes(rows: int, cols: int) -> np.ndarray:
    """All distinct bars-and-stripes images, shape (count, rows*cols), uint8.

    Each image has whole columns on (bars) or whole rows on (stripes); the empty and the full image are both
    bars and stripes and are counted once: count = 2**rows + 2**cols - 2.

    Examples:
        >>> bars_and_stripes(2, 2).shape
        (6, 4)
        >>> len(bars_and_stripes(3, 3))
        14
    """
    if rows < 1 or cols < 1 or rows * cols > 24:
        raise SuanliError(f"bars and stripes needs 1 ≤ rows, cols and rows*cols ≤ 24, got {rows}x{cols}")
    images = set()
    for mask in range(1 << cols):
        img = np.zeros((rows, cols), dtype=np.uint8)
        img[:, [c for c in range(cols) if mask >> (cols - 1 - c) & 1]] = 1
        images.add(img.tobytes())
    for mask in range(1 << rows):
        img = np.zeros((rows, cols), dtype=np.uint8)
        img[[r for r in range(rows) if mask >> (rows - 1 - r) & 1], :] = 1
        images.add(img.tobytes())
    out = np.array([np.frombuffer(b, dtype=np.uint8) for b in sorted(images)])
    return out.reshape(len(images), rows * cols)


def bas_distribution(rows: int, cols: int) -> np.ndarray:
    """The uniform distribution over bars-and-stripes images as a vector of length 2**(rows*cols).

    Examples:
        >>> p = bas_distribution(2, 2)
        >>> np.flatnonzero(p).tolist()  # 0000, 0011, 0101, 1010, 1100, 1111
        [0, 3, 5, 10, 12, 15]
    """
    imgs = bars_and_stripes(rows, cols)
    n = rows * cols
    weights = 1 << np.arange(n - 1, -1, -1)
    p = np.zeros(1 << n)
    p[imgs.astype(np.int64) @ weights] = 1.0 / len(imgs)
    return p


def gaussian_mixture_distribution(
    n: int, centers: tuple[float, ...] = (2 / 7, 5 / 7), width: float = 1 / 8
) -> np.ndarray:
    """A mixture of equal Gaussians discretised on the 2**n integers (Liu & Wang 2018, Fig. 2 setting).

    ``centers`` and ``width`` are fractions of the range 2**n.

    Examples:
        >>> p = gaussian_mixture_distribution(6)
        >>> round(float(p.sum()), 12), int(p.argmax()) in (18, 45)
        (1.0, True)
    """
    if not 1 <= n <= 24:
        raise SuanliError(f"the Gaussian mixture needs 1 ≤ n ≤ 24 bits, got {n}")
    x = np.arange(1 << n, dtype=np.float64)
    size = float(1 << n)
    p = sum(np.exp(-0.5 * ((x - c * size) / (width * size)) ** 2) for c in centers)
    return p / p.sum()


def digits_8x8() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's handwritten digits (1 797 images of 8×8 pixels, values 0..16, shipped with scikit-learn).

    Returns:
        images (N, 8, 8) float64 scaled to [0, 1], and labels (N,).
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise SuanliError("the digits data set needs scikit-learn: pip install 'suanli[ml]'") from exc
    d = load_digits()
    return d.images / 16.0, d.target


def binarized_digits(threshold: float = 0.5, labels: tuple[int, ...] | None = None) -> np.ndarray:
    """Digits thresholded to bits, shape (N, 64) uint8 (pixel (r, c) at column 8r + c)."""
    images, target = digits_8x8()
    if labels is not None:
        images = images[np.isin(target, labels)]
    return (images.reshape(len(images), 64) > threshold).astype(np.uint8)

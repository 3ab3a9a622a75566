/* suanli CPU kernels: a dense k-qubit gate on a state vector in place, in one pass over memory.
 *
 * The state is interleaved complex (re, im, re, im, ...). A k-qubit gate mixes groups of D = 2^k amplitudes;
 * the kernel handles 2^LB groups at once (a "tile"): the groups whose indices differ only in LB "lane" bits,
 * the lowest bits that are not gate bits (LB = 5 for complex64, 4 for complex128: two vectors of 64 bytes). A tile's base index is the tile number with zero bits
 * inserted at the sorted gate and lane bit positions (sbits); its amplitude (j, l) sits at base + idx[j, l].
 * When the lane bits are bits 0..LB-1 the 2^LB amplitudes of row j are consecutive, and the tile is
 * read with contiguous loads (offs[j] = idx[j, 0]).
 *
 * A tile is copied into split real/imaginary planes (ar, ai: D x 2^LB), multiplied by the matrix two rows at a
 * time with the eight accumulators in vector registers, and written back to the same places. Tiles are disjoint,
 * so the update is in place and every amplitude is read and written once.
 *
 * Work is split over `threads` POSIX threads by contiguous ranges of (state, tile) pairs. Compiled for the
 * host CPU (-march=native) when first used; see native.py.
 */
#include <pthread.h>
#include <stdint.h>

#define MAX_D 64
#define NOVEC __attribute__((optimize("no-tree-vectorize")))

typedef struct {
    void *x;
    int64_t state_stride; /* in reals */
    int64_t n_tiles;
    const int64_t *sbits;
    int nsb;
    const int64_t *offs;
    const int64_t *idx;
    int contiguous;
    int d;
    const void *ur;
    const void *ui;
    int64_t mat_stride; /* in reals; 0 = one matrix for every state */
    int64_t begin, end;   /* range of (state * n_tiles + tile) */
} job_t;

static inline int64_t tile_base(int64_t t, const int64_t *sbits, int nsb) {
    for (int s = 0; s < nsb; s++) {
        int64_t b = sbits[s];
        t = ((t >> b) << (b + 1)) | (t & ((((int64_t)1) << b) - 1));
    }
    return t;
}

typedef float vf32 __attribute__((vector_size(64)));  /* 16 floats: one AVX-512 register, two AVX2 */
typedef double vf64 __attribute__((vector_size(64))); /* 8 doubles */

/* LB = lane bits: a tile row holds 2 vectors of lanes, so the 8 accumulators of a row pair stay in registers. */
#define DEFINE_KERNEL(REAL, VEC, SUF, LB)                                                                      \
    enum { LANES_##SUF = 1 << (LB) };                                                                          \
    typedef struct {                                                                                           \
        REAL re, im;                                                                                           \
    } cplx_##SUF;                                                                                              \
    /* One tile row from scattered places: whole complex numbers (one 8- or 16-byte move each). */              \
    NOVEC static void fetch_##SUF(cplx_##SUF *restrict row, const cplx_##SUF *restrict x,                      \
                                  const int64_t *restrict idx) {                                               \
        for (int l = 0; l < LANES_##SUF; l++) row[l] = x[idx[l]];                                              \
    }                                                                                                          \
    NOVEC static void store_##SUF(cplx_##SUF *restrict x, const int64_t *restrict idx,                         \
                                  const cplx_##SUF *restrict row) {                                            \
        for (int l = 0; l < LANES_##SUF; l++) x[idx[l]] = row[l];                                              \
    }                                                                                                          \
    static inline void split_##SUF(const REAL *restrict p, VEC *ar, VEC *ai) {                                 \
        REAL *restrict r = (REAL *)ar, *restrict m = (REAL *)ai;                                               \
        for (int l = 0; l < LANES_##SUF; l++) {                                                                \
            r[l] = p[2 * l];                                                                                   \
            m[l] = p[2 * l + 1];                                                                               \
        }                                                                                                      \
    }                                                                                                          \
    static inline void put_##SUF(REAL *restrict p, const VEC *yr, const VEC *yi) {                             \
        const REAL *r = (const REAL *)yr, *m = (const REAL *)yi;                                               \
        for (int l = 0; l < LANES_##SUF; l++) {                                                                \
            p[2 * l] = r[l];                                                                                   \
            p[2 * l + 1] = m[l];                                                                               \
        }                                                                                                      \
    }                                                                                                          \
    static inline void tile_##SUF(REAL *restrict x, int64_t base, const int64_t *restrict offs,                \
                                  const int64_t *restrict idx, int contiguous, int d, const REAL *restrict ur,  \
                                  const REAL *restrict ui) {                                                    \
        VEC ar[MAX_D][2], ai[MAX_D][2];                                                                        \
        cplx_##SUF row[LANES_##SUF] __attribute__((aligned(64)));                                             \
        for (int j = 0; j < d; j++) {                                                                          \
            if (contiguous) {                                                                                  \
                split_##SUF(x + 2 * (base + offs[j]), ar[j], ai[j]);                                           \
            } else {                                                                                           \
                fetch_##SUF(row, (const cplx_##SUF *)x + base, idx + j * LANES_##SUF);                         \
                split_##SUF((const REAL *)row, ar[j], ai[j]);                                                  \
            }                                                                                                  \
        }                                                                                                      \
        for (int i = 0; i < d; i += 2) {                                                                       \
            VEC r00 = {0}, r01 = {0}, m00 = {0}, m01 = {0}, r10 = {0}, r11 = {0}, m10 = {0}, m11 = {0};        \
            const REAL *restrict ra = ur + i * d, *restrict ma = ui + i * d;                                   \
            const REAL *restrict rb = ra + d, *restrict mb = ma + d;                                            \
            for (int j = 0; j < d; j++) {                                                                      \
                VEC xr0 = ar[j][0], xr1 = ar[j][1], xi0 = ai[j][0], xi1 = ai[j][1];                            \
                REAL a0 = ra[j], b0 = ma[j], a1 = rb[j], b1 = mb[j];                                             \
                r00 += a0 * xr0; r01 += a0 * xr1; r00 -= b0 * xi0; r01 -= b0 * xi1;                             \
                m00 += a0 * xi0; m01 += a0 * xi1; m00 += b0 * xr0; m01 += b0 * xr1;                             \
                r10 += a1 * xr0; r11 += a1 * xr1; r10 -= b1 * xi0; r11 -= b1 * xi1;                             \
                m10 += a1 * xi0; m11 += a1 * xi1; m10 += b1 * xr0; m11 += b1 * xr1;                             \
            }                                                                                                  \
            VEC yr0[2] = {r00, r01}, yi0[2] = {m00, m01}, yr1[2] = {r10, r11}, yi1[2] = {m10, m11};            \
            if (contiguous) {                                                                                  \
                put_##SUF(x + 2 * (base + offs[i]), yr0, yi0);                                                 \
                put_##SUF(x + 2 * (base + offs[i + 1]), yr1, yi1);                                             \
            } else {                                                                                           \
                put_##SUF((REAL *)row, yr0, yi0);                                                              \
                store_##SUF((cplx_##SUF *)x + base, idx + i * LANES_##SUF, row);                               \
                put_##SUF((REAL *)row, yr1, yi1);                                                              \
                store_##SUF((cplx_##SUF *)x + base, idx + (i + 1) * LANES_##SUF, row);                         \
            }                                                                                                  \
        }                                                                                                      \
    }                                                                                                          \
    static void *run_##SUF(void *arg) {                                                                        \
        const job_t *j = (const job_t *)arg;                                                                   \
        for (int64_t w = j->begin; w < j->end; w++) {                                                          \
            int64_t b = w / j->n_tiles, t = w - b * j->n_tiles;                                                \
            REAL *x = (REAL *)j->x + b * j->state_stride;                                                      \
            const REAL *ur = (const REAL *)j->ur + b * j->mat_stride;                                          \
            const REAL *ui = (const REAL *)j->ui + b * j->mat_stride;                                          \
            tile_##SUF(x, tile_base(t, j->sbits, j->nsb), j->offs, j->idx, j->contiguous, j->d, ur, ui);       \
        }                                                                                                      \
        return 0;                                                                                              \
    }

DEFINE_KERNEL(float, vf32, c64, 5)
DEFINE_KERNEL(double, vf64, c128, 4)

/* Apply the d x d matrix (ur + i ui, row-major) to `batch` states at x (stride state_stride reals).
 * Returns 0, or -1 when a thread could not be started (the work is then finished on the calling thread). */
int suanli_dense(int is_double, void *x, int64_t batch, int64_t state_stride, int64_t n_tiles, const int64_t *sbits,
                 int nsb, const int64_t *offs, const int64_t *idx, int contiguous, int d, const void *ur,
                 const void *ui, int64_t mat_stride, int threads) {
    if (d < 2 || d > MAX_D) return -2;
    void *(*run)(void *) = is_double ? run_c128 : run_c64;
    int64_t total = batch * n_tiles;
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    if (total < (int64_t)threads * 8) threads = 1;
    job_t jobs[64];
    pthread_t tids[64];
    int started[64] = {0};
    int status = 0;
    for (int k = 0; k < threads; k++) {
        job_t *j = &jobs[k];
        j->x = x;
        j->state_stride = state_stride;
        j->n_tiles = n_tiles;
        j->sbits = sbits;
        j->nsb = nsb;
        j->offs = offs;
        j->idx = idx;
        j->contiguous = contiguous;
        j->d = d;
        j->ur = ur;
        j->ui = ui;
        j->mat_stride = mat_stride;
        j->begin = total * k / threads;
        j->end = total * (k + 1) / threads;
    }
    for (int k = 1; k < threads; k++) started[k] = pthread_create(&tids[k], 0, run, &jobs[k]) == 0;
    run(&jobs[0]);
    for (int k = 1; k < threads; k++) {
        if (started[k]) {
            pthread_join(tids[k], 0);
        } else {
            run(&jobs[k]);
            status = -1;
        }
    }
    return status;
}

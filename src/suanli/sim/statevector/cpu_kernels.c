/* suanli CPU kernels: a dense k-qubit gate on a state vector in place, in one pass over memory.
 *
 * The state is interleaved complex (re, im, re, im, ...). A k-qubit gate mixes groups of D = 2^k amplitudes;
 * the kernel handles 2^LB groups at once (a "tile"): the groups whose indices differ only in LB "lane" bits,
 * the lowest bits that are not gate bits (LB = 5 for complex64, 4 for complex128: two vectors of 64 bytes). A
 * tile's base index is the tile number with zero bits inserted at the sorted gate and lane bit positions
 * (sbits); its amplitude (j, l) sits at base + idx[j, l].
 * When the lane bits are bits 0..LB-1 the 2^LB amplitudes of row j are consecutive, and the tile is
 * read with contiguous loads (offs[j] = idx[j, 0]); otherwise it moves as whole exchanged vectors (xtab_t).
 *
 * A tile is copied into split real/imaginary planes (ar, ai: D x 2^LB), multiplied by the matrix two rows at a
 * time (four for complex matrices of 32+ rows; a real matrix skips the imaginary products) with the
 * accumulators in vector registers, or permuted row by row for a monomial gate, and written back to the same
 * places. Tiles are disjoint, so the update is in place and every amplitude is read and written once.
 *
 * Also here: a whole gate program on small states in one call (suanli_program). cpu_sums.c, included at the
 * end, holds the sums over states (suanli_pair_sums, suanli_pauli_apply).
 *
 * Work is split over `threads` POSIX threads by contiguous ranges of (state, tile) pairs. Compiled for the
 * host CPU (-march=native) when first used; see native.py.
 */
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#define MAX_D 64
#define NOVEC __attribute__((optimize("no-tree-vectorize")))

typedef float vf32 __attribute__((vector_size(64)));  /* 16 floats: one AVX-512 register, two AVX2 */
typedef double vf64 __attribute__((vector_size(64))); /* 8 doubles */
typedef int vi32 __attribute__((vector_size(64)));
typedef long long vi64 __attribute__((vector_size(64)));

/* Tiles whose lanes are not the lowest bits (the gate holds one of the lowest LB bits) are moved as whole
 * 64-byte vectors: the tile's vectors are loaded, then "exchanges" swap each gate bit that lies inside a
 * vector (bit xb[t] < 3 for complex64, < 2 for complex128) with a lane bit outside (bit xs[t] of the vector
 * index), with two-source shuffles; afterwards every vector holds lanes of one row, rowvec[4 j .. 4 j + 3]
 * are the four vectors of row j, and an even/odd shuffle splits them into the real and imaginary planes. The
 * way back is the same exchanges (each is its own inverse) after an interleaving shuffle. */
typedef struct {
    const int64_t *voff; /* offsets (amplitudes) of the tile's vectors from the tile base, by vector index */
    int nvec;
    const int32_t *xb, *xs; /* exchange t: in-vector bit xb[t] with vector-index bit xs[t] */
    int m;
    const int32_t *rowvec; /* d x 4 */
} xtab_t;

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
    const void *u;      /* interleaved complex, row-major d x d */
    int64_t mat_stride; /* in reals; 0 = one matrix for every state */
    int real;           /* every matrix has zero imaginary parts */
    const int64_t *perm; /* non-null: a monomial gate, row i = u[i] * input row perm[i] (u: d phases) */
    const xtab_t *xt;    /* non-null: scattered rows move as exchanged vectors (see xtab_t) */
} job_t; /* items: state * n_tiles + tile */

static inline int64_t tile_base(int64_t t, const int64_t *sbits, int nsb) {
    for (int s = 0; s < nsb; s++) {
        int64_t b = sbits[s];
        t = ((t >> b) << (b + 1)) | (t & ((((int64_t)1) << b) - 1));
    }
    return t;
}


/* LB = lane bits: a tile row holds 2 vectors of lanes, so a row pair's 8 accumulators stay in registers. */
#define DEFINE_KERNEL(REAL, VEC, IVEC, SUF, LB)                                                                \
    enum { LANES_##SUF = 1 << (LB), CPV_##SUF = 32 / sizeof(REAL) }; /* CPV: complex numbers per vector */     \
    typedef struct {                                                                                           \
        IVEC x0[3], x1[3], even, odd, lo, hi;                                                                  \
    } masks_##SUF;                                                                                             \
    /* Shuffle indices (two sources: 0..N-1 the first vector, N..2N-1 the second; N = 2 CPV reals). */          \
    static void masks_init_##SUF(masks_##SUF *mk) {                                                            \
        enum { C = CPV_##SUF, N = 2 * CPV_##SUF };                                                             \
        for (int b = 0; (1 << b) < C; b++)                                                                     \
            for (int e = 0; e < C; e++) {                                                                      \
                int f = e ^ (1 << b), hi_bit = (e >> b) & 1;                                                   \
                int s0 = hi_bit ? N + 2 * f : 2 * e, s1 = hi_bit ? N + 2 * e : 2 * f;                          \
                mk->x0[b][2 * e] = s0;                                                                         \
                mk->x0[b][2 * e + 1] = s0 + 1;                                                                 \
                mk->x1[b][2 * e] = s1;                                                                         \
                mk->x1[b][2 * e + 1] = s1 + 1;                                                                 \
            }                                                                                                  \
        for (int l = 0; l < N; l++) {                                                                          \
            mk->even[l] = 2 * l;                                                                               \
            mk->odd[l] = 2 * l + 1;                                                                            \
        }                                                                                                      \
        for (int e = 0; e < C; e++) {                                                                          \
            mk->lo[2 * e] = e;                                                                                 \
            mk->lo[2 * e + 1] = N + e;                                                                         \
            mk->hi[2 * e] = C + e;                                                                             \
            mk->hi[2 * e + 1] = N + C + e;                                                                     \
        }                                                                                                      \
    }                                                                                                          \
    static inline void exchange_##SUF(VEC *v, const xtab_t *xt, const masks_##SUF *mk) {                       \
        for (int t = 0; t < xt->m; t++) {                                                                      \
            const IVEC m0 = mk->x0[xt->xb[t]], m1 = mk->x1[xt->xb[t]];                                         \
            const int s = 1 << xt->xs[t];                                                                      \
            for (int hi = 0; hi < xt->nvec; hi += 2 * s)                                                       \
                for (int i = hi; i < hi + s; i++) {                                                            \
                    VEC a = v[i], b = v[i + s];                                                                \
                    v[i] = __builtin_shuffle(a, b, m0);                                                        \
                    v[i + s] = __builtin_shuffle(a, b, m1);                                                    \
                }                                                                                              \
        }                                                                                                      \
    }                                                                                                          \
    typedef struct {                                                                                           \
        REAL re, im;                                                                                           \
    } cplx_##SUF;                                                                                              \
    /* One tile row from scattered places: whole complex numbers (one 8- or 16-byte move each). */             \
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
    /* Write output row i of a tile back to its place (row: scratch for scattered rows). */                    \
    static inline void emit_##SUF(REAL *restrict x, int64_t base, const int64_t *restrict offs,                \
                                  const int64_t *restrict idx, int contiguous, int i, cplx_##SUF *row,         \
                                  const VEC *yr, const VEC *yi) {                                              \
        if (contiguous) {                                                                                      \
            put_##SUF(x + 2 * (base + offs[i]), yr, yi);                                                       \
        } else {                                                                                               \
            put_##SUF((REAL *)row, yr, yi);                                                                    \
            store_##SUF((cplx_##SUF *)x + base, idx + i * LANES_##SUF, row);                                   \
        }                                                                                                      \
    }                                                                                                          \
    /* Output row i: to memory, or (exchanged tiles) interleaved into its four vectors. */                   \
    static inline void out_##SUF(REAL *restrict x, int64_t base, const int64_t *restrict offs,                 \
                                 const int64_t *restrict idx, int contiguous, int i, cplx_##SUF *row,          \
                                 const VEC *yr, const VEC *yi, const xtab_t *xt, VEC *v,                       \
                                 const masks_##SUF *mk) {                                                      \
        if (xt) {                                                                                              \
            const int32_t *rv = xt->rowvec + 4 * i;                                                            \
            v[rv[0]] = __builtin_shuffle(yr[0], yi[0], mk->lo);                                                \
            v[rv[1]] = __builtin_shuffle(yr[0], yi[0], mk->hi);                                                \
            v[rv[2]] = __builtin_shuffle(yr[1], yi[1], mk->lo);                                                \
            v[rv[3]] = __builtin_shuffle(yr[1], yi[1], mk->hi);                                                \
        } else {                                                                                               \
            emit_##SUF(x, base, offs, idx, contiguous, i, row, yr, yi);                                        \
        }                                                                                                      \
    }                                                                                                          \
    static inline void mul_##SUF(REAL *restrict x, int64_t base, const int64_t *restrict offs,                 \
                                 const int64_t *restrict idx, int contiguous, int d, const REAL *restrict u,   \
                                 int real, cplx_##SUF *row, VEC (*ar)[2], VEC (*ai)[2], const xtab_t *xt,      \
                                 VEC *v, const masks_##SUF *mk);                                               \
    static inline void tile_##SUF(REAL *restrict x, int64_t base, const int64_t *restrict offs,                \
                                  const int64_t *restrict idx, int contiguous, int d,                          \
                                  const REAL *restrict u, int real, const int64_t *restrict perm,              \
                                  const xtab_t *xt, const masks_##SUF *mk) {                                   \
        VEC ar[MAX_D][2], ai[MAX_D][2];                                                                        \
        VEC v[4 * MAX_D];                                                                                      \
        cplx_##SUF row[LANES_##SUF] __attribute__((aligned(64)));                                              \
        if (xt) {                                                                                              \
            for (int i = 0; i < xt->nvec; i++) __builtin_memcpy(&v[i], x + 2 * (base + xt->voff[i]), 64);     \
            exchange_##SUF(v, xt, mk);                                                                         \
            for (int j = 0; j < d; j++) {                                                                      \
                const int32_t *rv = xt->rowvec + 4 * j;                                                        \
                ar[j][0] = __builtin_shuffle(v[rv[0]], v[rv[1]], mk->even);                                    \
                ai[j][0] = __builtin_shuffle(v[rv[0]], v[rv[1]], mk->odd);                                     \
                ar[j][1] = __builtin_shuffle(v[rv[2]], v[rv[3]], mk->even);                                    \
                ai[j][1] = __builtin_shuffle(v[rv[2]], v[rv[3]], mk->odd);                                     \
            }                                                                                                  \
        } else {                                                                                               \
            for (int j = 0; j < d; j++) {                                                                      \
                if (contiguous) {                                                                              \
                    split_##SUF(x + 2 * (base + offs[j]), ar[j], ai[j]);                                       \
                } else {                                                                                       \
                    fetch_##SUF(row, (const cplx_##SUF *)x + base, idx + j * LANES_##SUF);                     \
                    split_##SUF((const REAL *)row, ar[j], ai[j]);                                              \
                }                                                                                              \
            }                                                                                                  \
        }                                                                                                      \
        if (perm) { /* monomial: row i is phase i times input row perm[i]; no matrix product */                \
            for (int i = 0; i < d; i++) {                                                                      \
                int64_t q = perm[i];                                                                           \
                REAL a = u[2 * i], b = u[2 * i + 1];                                                           \
                VEC yr[2], yi[2];                                                                              \
                for (int h = 0; h < 2; h++) {                                                                  \
                    yr[h] = a * ar[q][h] - b * ai[q][h];                                                       \
                    yi[h] = a * ai[q][h] + b * ar[q][h];                                                       \
                }                                                                                              \
                out_##SUF(x, base, offs, idx, contiguous, i, row, yr, yi, xt, v, mk);                          \
            }                                                                                                  \
        } else {                                                                                               \
            mul_##SUF(x, base, offs, idx, contiguous, d, u, real, row, ar, ai, xt, v, mk);                     \
        }                                                                                                      \
        if (xt) {                                                                                              \
            exchange_##SUF(v, xt, mk);                                                                         \
            for (int i = 0; i < xt->nvec; i++) __builtin_memcpy(x + 2 * (base + xt->voff[i]), &v[i], 64);     \
        }                                                                                                      \
    }                                                                                                          \
    static inline void mul_##SUF(REAL *restrict x, int64_t base, const int64_t *restrict offs,                 \
                                 const int64_t *restrict idx, int contiguous, int d, const REAL *restrict u,   \
                                 int real, cplx_##SUF *row, VEC (*ar)[2], VEC (*ai)[2], const xtab_t *xt,      \
                                 VEC *v, const masks_##SUF *mk) {                                              \
        int i0 = 0;                                                                                            \
        if (!real && d >= 32) { /* 4 rows at a time: each input vector feeds 8 multiply-adds (measured: 10–15 % \
                                   faster for 5-qubit blocks, no gain below) */                                \
            for (; i0 < d; i0 += 4) {                                                                          \
                VEC yr[4][2], yi[4][2];                                                                        \
                for (int r = 0; r < 4; r++)                                                                    \
                    for (int h = 0; h < 2; h++) yr[r][h] = yi[r][h] = (VEC){0};                                \
                const REAL *restrict ur = u + 2 * i0 * d;                                                      \
                for (int j = 0; j < d; j++) {                                                                  \
                    VEC xr0 = ar[j][0], xr1 = ar[j][1], xi0 = ai[j][0], xi1 = ai[j][1];                        \
                    for (int r = 0; r < 4; r++) {                                                              \
                        REAL a = ur[2 * (r * d + j)], b = ur[2 * (r * d + j) + 1];                             \
                        yr[r][0] += a * xr0; yr[r][1] += a * xr1; yr[r][0] -= b * xi0; yr[r][1] -= b * xi1;    \
                        yi[r][0] += a * xi0; yi[r][1] += a * xi1; yi[r][0] += b * xr0; yi[r][1] += b * xr1;    \
                    }                                                                                          \
                }                                                                                              \
                for (int r = 0; r < 4; r++)                                                                    \
                    out_##SUF(x, base, offs, idx, contiguous, i0 + r, row, yr[r], yi[r], xt, v, mk);           \
            }                                                                                                  \
        }                                                                                                      \
        for (int i = i0; i < d; i += 2) {                                                                      \
            VEC r00 = {0}, r01 = {0}, m00 = {0}, m01 = {0}, r10 = {0}, r11 = {0}, m10 = {0}, m11 = {0};        \
            const REAL *restrict ua = u + 2 * i * d, *restrict ub = ua + 2 * d;                                \
            if (real) { /* a real matrix (products of RY, H, CNOT, CZ, ...): half the multiply-adds */         \
                for (int j = 0; j < d; j++) {                                                                  \
                    VEC xr0 = ar[j][0], xr1 = ar[j][1], xi0 = ai[j][0], xi1 = ai[j][1];                        \
                    REAL a0 = ua[2 * j], a1 = ub[2 * j];                                                       \
                    r00 += a0 * xr0; r01 += a0 * xr1; m00 += a0 * xi0; m01 += a0 * xi1;                        \
                    r10 += a1 * xr0; r11 += a1 * xr1; m10 += a1 * xi0; m11 += a1 * xi1;                        \
                }                                                                                              \
            } else {                                                                                           \
                for (int j = 0; j < d; j++) {                                                                  \
                    VEC xr0 = ar[j][0], xr1 = ar[j][1], xi0 = ai[j][0], xi1 = ai[j][1];                        \
                    REAL a0 = ua[2 * j], b0 = ua[2 * j + 1], a1 = ub[2 * j], b1 = ub[2 * j + 1];               \
                    r00 += a0 * xr0; r01 += a0 * xr1; r00 -= b0 * xi0; r01 -= b0 * xi1;                        \
                    m00 += a0 * xi0; m01 += a0 * xi1; m00 += b0 * xr0; m01 += b0 * xr1;                        \
                    r10 += a1 * xr0; r11 += a1 * xr1; r10 -= b1 * xi0; r11 -= b1 * xi1;                        \
                    m10 += a1 * xi0; m11 += a1 * xi1; m10 += b1 * xr0; m11 += b1 * xr1;                        \
                }                                                                                              \
            }                                                                                                  \
            VEC yr0[2] = {r00, r01}, yi0[2] = {m00, m01}, yr1[2] = {r10, r11}, yi1[2] = {m10, m11};            \
            out_##SUF(x, base, offs, idx, contiguous, i, row, yr0, yi0, xt, v, mk);                            \
            out_##SUF(x, base, offs, idx, contiguous, i + 1, row, yr1, yi1, xt, v, mk);                        \
        }                                                                                                      \
    }                                                                                                          \
    static void run_##SUF(const void *arg, int64_t begin, int64_t end) {                                       \
        const job_t *j = (const job_t *)arg;                                                                   \
        masks_##SUF mk;                                                                                        \
        if (j->xt) masks_init_##SUF(&mk);                                                                      \
        for (int64_t w = begin; w < end; w++) {                                                                \
            int64_t b = w / j->n_tiles, t = w - b * j->n_tiles;                                                \
            REAL *x = (REAL *)j->x + b * j->state_stride;                                                      \
            const REAL *u = (const REAL *)j->u + b * j->mat_stride;                                            \
            tile_##SUF(x, tile_base(t, j->sbits, j->nsb), j->offs, j->idx, j->contiguous, j->d, u, j->real,    \
                       j->perm, j->xt, &mk);                                                                   \
        }                                                                                                      \
    }

DEFINE_KERNEL(float, vf32, vi32, c64, 5)
DEFINE_KERNEL(double, vf64, vi64, c128, 4)

/* A persistent pool of worker threads: starting threads per call costs tens of microseconds, as much as a
 * whole pass over a 2^16-amplitude state. Between calls a worker spins for up to SPIN_NS (the host program
 * usually issues the next gate within that time), then sleeps on a condition variable. One call runs at a time
 * (calls from several host threads queue on `dispatch`). After fork() the child starts a new pool. */
#define MAX_THREADS 64
#define SPIN_NS 5000L
static pthread_mutex_t dispatch = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int pool_size = 0; /* workers started (the calling thread is not one of them) */
static _Atomic long generation = 0;
static _Atomic long pending = 0; /* workers still running the current call */
/* A call's work is a range [0, total) of items; thread k runs items [total k / T, total (k + 1) / T). */
typedef void (*range_fn)(const void *ctx, int64_t begin, int64_t end);
static range_fn pool_fn = 0;
static const void *pool_ctx = 0;
static int64_t pool_total = 0;
static int pool_threads = 1;
static long born[MAX_THREADS]; /* the generation current when worker k was started */
static int atfork_set = 0;

static void after_fork_child(void) {
    pthread_mutex_init(&dispatch, 0);
    pthread_mutex_init(&mu, 0);
    pthread_cond_init(&wake, 0);
    pthread_cond_init(&done, 0);
    pool_size = 0;
    pending = 0;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* Wait until (*flag == value) == equal: spin for up to SPIN_NS, then sleep on `cv` (signalled under `mu`). */
static void wait_for(_Atomic long *flag, long value, int equal, pthread_cond_t *cv) {
    long start = now_ns();
    for (int i = 1; (atomic_load(flag) == value) != equal; i++) {
        cpu_relax();
        if ((i & 255) == 0 && now_ns() - start > SPIN_NS) {
            pthread_mutex_lock(&mu);
            while ((atomic_load(flag) == value) != equal) pthread_cond_wait(cv, &mu);
            pthread_mutex_unlock(&mu);
            return;
        }
    }
}

static void *worker(void *arg) {
    int k = (int)(intptr_t)arg;
    pthread_mutex_lock(&mu);
    long seen = born[k]; /* a worker started for a call takes part in that call */
    pthread_mutex_unlock(&mu);
    for (;;) {
        wait_for(&generation, seen, 0, &wake);
        seen = atomic_load(&generation);
        if (k < pool_threads) pool_fn(pool_ctx, pool_total * k / pool_threads, pool_total * (k + 1) / pool_threads);
        if (atomic_fetch_sub(&pending, 1) == 1) {
            pthread_mutex_lock(&mu);
            pthread_cond_signal(&done);
            pthread_mutex_unlock(&mu);
        }
    }
    return 0;
}

/* Start workers up to `want`; returns how many there are. */
static int grow_pool(int want) {
    if (!atfork_set) {
        pthread_atfork(0, 0, after_fork_child);
        atfork_set = 1;
    }
    while (pool_size < want) {
        pthread_t tid;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        born[pool_size + 1] = generation;
        int ok = pthread_create(&tid, &attr, worker, (void *)(intptr_t)(pool_size + 1)) == 0;
        pthread_attr_destroy(&attr);
        if (!ok) break;
        pool_size++;
    }
    return pool_size;
}

/* Run fn over [0, total) on `threads` threads (the caller and threads - 1 pool workers). Returns 0, or -1 when
 * fewer workers could be started (the work is then split over those there are). */
static int parallel_for(range_fn fn, const void *ctx, int64_t total, int threads) {
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (threads <= 1 || total < 2) {
        fn(ctx, 0, total);
        return 0;
    }
    if (total < threads) threads = (int)total;
    pthread_mutex_lock(&dispatch);
    pthread_mutex_lock(&mu);
    int status = 0;
    int have = grow_pool(threads - 1);
    if (have < threads - 1) {
        status = -1;
        threads = have + 1;
    }
    pool_fn = fn;
    pool_ctx = ctx;
    pool_total = total;
    pool_threads = threads;
    atomic_store(&pending, pool_size);
    atomic_fetch_add(&generation, 1);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&mu);
    fn(ctx, 0, total / threads);
    wait_for(&pending, 0, 1, &done);
    pthread_mutex_unlock(&dispatch);
    return status;
}

/* Apply the d x d complex matrix u (interleaved, row-major; matrix b at u + b * mat_stride reals) to `batch`
 * states at x (stride state_stride reals), split over `threads` threads. `real`: the caller vouches that every
 * imaginary part of u is zero. With `perm` the gate is monomial: u holds d phases (stride mat_stride) and
 * output row i is u[i] times input row perm[i]: a memory-bound permutation pass. */
int suanli_dense(int is_double, void *x, int64_t batch, int64_t state_stride, int64_t n_tiles, const int64_t *sbits,
                 int nsb, const int64_t *offs, const int64_t *idx, int contiguous, int d, const void *u,
                 int64_t mat_stride, int real, const int64_t *perm, const int64_t *voff, int nvec, const int32_t *xb,
                 const int32_t *xs, int m, const int32_t *rowvec, int threads) {
    if (d < 2 || d > MAX_D) return -2;
    if (voff && (nvec != 4 * d || m < 0 || m > 3)) return -2;
    int64_t total = batch * n_tiles;
    if (total < (int64_t)threads * 8) threads = 1;
    xtab_t xt = {.voff = voff, .nvec = nvec, .xb = xb, .xs = xs, .m = m, .rowvec = rowvec};
    job_t job = {.x = x, .state_stride = state_stride, .n_tiles = n_tiles, .sbits = sbits, .nsb = nsb, .offs = offs,
                 .idx = idx, .contiguous = contiguous, .d = d, .u = u, .mat_stride = mat_stride, .real = real,
                 .perm = perm, .xt = voff ? &xt : 0};
    return parallel_for(is_double ? run_c128 : run_c64, &job, total, threads);
}

/* A whole gate program on small states in one call (no per-gate call from the host): for states of a few
 * thousand amplitudes, a gate costs less than a host call, so the small-state path hands its whole list of
 * gates over at once. Op o has kind kinds[o] (0: dense matrix, 1: diagonal, 2: monomial), ks[o] qubits at
 * flat-index bits bits[o * PROG_MAX_K + j] (gate order: j = 0 is the most significant bit of the gate's index)
 * and its matrix, diagonal or phases at address mats[o] (interleaved complex, the state's precision; a
 * monomial's row map at perms[o]). The state x holds `batch` states of 2^n amplitudes, one after the other.
 * Where the state has room for a tile (n >= k + LB) an op runs on the tile kernel above, with its tile layout
 * worked out here (the same layout native.py gives the one-gate entry point); a diagonal is a monomial with
 * the identity row map. Smaller states take a plain gather-multiply-scatter loop over the groups. */
#define PROG_MAX_K 6
#define DEFINE_PROGRAM(REAL, SUF, LB)                                                                          \
    static void prog_small_##SUF(REAL *restrict x, int64_t n_amps, int kind, int k, const int64_t *offs,       \
                                 const int64_t *sbits, const REAL *restrict u, const int64_t *restrict perm) { \
        const int d = 1 << k;                                                                                  \
        REAL gr[1 << PROG_MAX_K], gi[1 << PROG_MAX_K];                                                         \
        for (int64_t g = 0; g < (n_amps >> k); g++) {                                                          \
            int64_t base = tile_base(g, sbits, k);                                                             \
            for (int i = 0; i < d; i++) {                                                                      \
                gr[i] = x[2 * (base + offs[i])];                                                               \
                gi[i] = x[2 * (base + offs[i]) + 1];                                                           \
            }                                                                                                  \
            for (int i = 0; i < d; i++) {                                                                      \
                REAL yr = 0, yi = 0;                                                                           \
                if (kind == 0) {                                                                               \
                    for (int j = 0; j < d; j++) {                                                              \
                        yr += u[2 * (i * d + j)] * gr[j] - u[2 * (i * d + j) + 1] * gi[j];                     \
                        yi += u[2 * (i * d + j)] * gi[j] + u[2 * (i * d + j) + 1] * gr[j];                     \
                    }                                                                                          \
                } else {                                                                                       \
                    int64_t q = perm ? perm[i] : i;                                                            \
                    yr = u[2 * i] * gr[q] - u[2 * i + 1] * gi[q];                                              \
                    yi = u[2 * i] * gi[q] + u[2 * i + 1] * gr[q];                                              \
                }                                                                                              \
                x[2 * (base + offs[i])] = yr;                                                                  \
                x[2 * (base + offs[i]) + 1] = yi;                                                              \
            }                                                                                                  \
        }                                                                                                      \
    }                                                                                                          \
    static void prog_op_##SUF(REAL *restrict x, int64_t batch, int n, int kind, int k, const int32_t *bits,    \
                              const REAL *restrict u, int64_t ustride, const int64_t *restrict perm) {         \
        static const int64_t identity[1 << PROG_MAX_K] = {                                                     \
            0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,            \
            22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,            \
            44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};                   \
        const int d = 1 << k;                                                                                  \
        int64_t offs[1 << PROG_MAX_K], sbits[PROG_MAX_K + LB];                                                 \
        int gate_bit[64] = {0};                                                                                \
        for (int i = 0; i < d; i++) {                                                                          \
            offs[i] = 0;                                                                                       \
            for (int j = 0; j < k; j++) offs[i] |= (int64_t)((i >> (k - 1 - j)) & 1) << bits[j];               \
        }                                                                                                      \
        for (int j = 0; j < k; j++) gate_bit[bits[j]] = 1;                                                     \
        if (n < k + LB) { /* no room for a tile: the plain loop */                                             \
            int m = 0;                                                                                         \
            for (int b = 0; b < n; b++)                                                                        \
                if (gate_bit[b]) sbits[m++] = b;                                                               \
            for (int64_t b = 0; b < batch; b++)                                                                \
                prog_small_##SUF(x + (2 * b << n), (int64_t)1 << n, kind, k, offs, sbits, u + b * ustride,     \
                                 kind == 2 ? perm : 0);                                                        \
            return;                                                                                            \
        }                                                                                                      \
        /* tile layout: lanes are the LB lowest bits that are not gate bits (lane l's bit j at lane_bits[j]) */ \
        int lane_bits[LB], m = 0, nsb = 0;                                                                     \
        for (int b = 0; m < LB; b++)                                                                           \
            if (!gate_bit[b]) lane_bits[m++] = b;                                                              \
        int64_t idx[(1 << PROG_MAX_K) << LB], lanes[1 << LB] = {0};                                            \
        for (int j = 0; j < LB; j++) /* lane l's bit j sits at lane_bits[j] */                                 \
            for (int l = 0; l < (1 << j); l++) lanes[l | (1 << j)] = lanes[l] | ((int64_t)1 << lane_bits[j]);  \
        for (int i = 0; i < d; i++)                                                                            \
            for (int l = 0; l < (1 << LB); l++) idx[i * (1 << LB) + l] = offs[i] + lanes[l];                   \
        for (int b = 0; b < n; b++) { /* gate and lane bits, ascending */                                      \
            int is_lane = 0;                                                                                   \
            for (int j = 0; j < LB; j++) is_lane |= lane_bits[j] == b;                                         \
            if (b < n && (gate_bit[b] || is_lane)) sbits[nsb++] = b;                                           \
        }                                                                                                      \
        int contiguous = lane_bits[LB - 1] == LB - 1;                                                          \
        int real = 0;                                                                                          \
        const int64_t *rows = 0;                                                                               \
        if (kind == 0) { /* every matrix of the op real: the half-cost loop */                                \
            real = 1;                                                                                          \
            for (int64_t b = 0; b < (ustride ? batch : 1) && real; b++)                                        \
                for (int i = 0; i < d * d && real; i++) real = u[b * ustride + 2 * i + 1] == 0;                \
        } else {                                                                                               \
            rows = kind == 2 ? perm : identity;                                                                \
        }                                                                                                      \
        const int64_t n_tiles = (int64_t)1 << (n - k - LB);                                                    \
        for (int64_t t = 0; t < n_tiles; t++)                                                                  \
            for (int64_t b = 0; b < batch; b++)                                                                \
                tile_##SUF(x + (2 * b << n), tile_base(t, sbits, nsb), offs, idx, contiguous, d, u + b * ustride,  \
                           real, rows, 0, 0);                                                                  \
    }

DEFINE_PROGRAM(float, c64, 5)
DEFINE_PROGRAM(double, c128, 4)

/* mats_single: the state is complex128 but the op tensors are complex64 (each is widened once, before use).
 * ustrides[o]: reals from one state's matrix of op o to the next (0: one matrix for every state; not with
 * mats_single). */
int suanli_program(int is_double, int mats_single, void *x, int64_t batch, int n, int64_t n_ops,
                   const int32_t *kinds, const int32_t *ks, const int32_t *bits, const int64_t *mats,
                   const int64_t *ustrides, const int64_t *perms) {
    if (n < 0 || n > 40 || (mats_single && !is_double)) return -2;
    for (int64_t o = 0; o < n_ops; o++)
        if (ustrides[o] < 0 || (ustrides[o] && mats_single)) return -2;
    for (int64_t o = 0; o < n_ops; o++) {
        if (ks[o] < 1 || ks[o] > PROG_MAX_K || ks[o] > n || kinds[o] < 0 || kinds[o] > 2) return -2;
        if (kinds[o] == 2 && !perms[o]) return -2;
        for (int j = 0; j < ks[o]; j++) {
            int32_t b = bits[o * PROG_MAX_K + j];
            if (b < 0 || b >= n) return -2;
            for (int i = 0; i < j; i++)
                if (bits[o * PROG_MAX_K + i] == b) return -2;
        }
    }
    double *wide = 0;
    if (mats_single && !(wide = malloc(sizeof(double) * 2 << (2 * PROG_MAX_K)))) return -3;
    /* states in chunks of about 1 MiB, op by op within a chunk: the chunk stays in cache for the whole program
       and each op's layout is worked out once per chunk */
    const int64_t real = is_double ? 8 : 4, state_reals = (int64_t)2 << n;
    int64_t chunk = ((int64_t)1 << 20) / (real * state_reals);
    if (chunk < 1) chunk = 1;
    for (int64_t c0 = 0; c0 < batch; c0 += chunk) {
        const int64_t count = batch - c0 < chunk ? batch - c0 : chunk;
        for (int64_t o = 0; o < n_ops; o++) {
            const int32_t *ob = bits + o * PROG_MAX_K;
            const int64_t *perm = (const int64_t *)(intptr_t)perms[o];
            const void *u = (const void *)(intptr_t)mats[o];
            if (mats_single) {
                int64_t entries = kinds[o] == 0 ? (int64_t)1 << (2 * ks[o]) : (int64_t)1 << ks[o];
                for (int64_t e = 0; e < 2 * entries; e++) wide[e] = ((const float *)u)[e];
                u = wide;
            }
            if (is_double)
                prog_op_c128((double *)x + c0 * state_reals, count, n, kinds[o], ks[o], ob,
                             (const double *)u + c0 * ustrides[o], ustrides[o], perm);
            else
                prog_op_c64((float *)x + c0 * state_reals, count, n, kinds[o], ks[o], ob,
                            (const float *)u + c0 * ustrides[o], ustrides[o], perm);
        }
    }
    free(wide);
    return 0;
}

/* The sums over states (adjoint transition matrices, Pauli sums) share the thread pool above. */
#include "cpu_sums.c"

/* Axis permutations of tensor-network tensors, sharing the pool too. */
#include "cpu_permute.c"

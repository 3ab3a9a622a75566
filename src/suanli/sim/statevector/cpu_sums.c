/* suanli CPU kernels, second part: sums over states, included at the end of cpu_kernels.c (one library).
 *
 * suanli_pair_sums: the one-qubit transition matrices of the adjoint gradient.
 * suanli_pauli_apply: a Pauli sum applied to states, or its expectation values, in one pass.
 */

/* One-qubit transition matrices for gradients: for each listed flat-index bit p and each state,
 *     C[a][b] = sum over i with bit p clear of  lam[i + a 2^p] * conj(psi[i + b 2^p]),
 * written to out[(state * nbits + k) * 8 + 2 (2 a + b) + {0: re, 1: im}] in double precision. Runs of 2^p
 * consecutive amplitudes are summed with vector accumulators, flushed to double every CHUNK elements; when
 * partners share a vector (small p), a shuffle brings them together and masks select the lanes. */
#define CHUNK 4096
typedef struct {
    const void *lam, *psi;
    int64_t batch, n_amps; /* n_amps per state */
    const int64_t *bits;
    int nbits;
    double *out;
    int64_t block_bits, blocks; /* low bits (p < block_bits) are summed block by block */
    double *scratch;            /* (batch, blocks, nbits, 8) partial sums of the low bits */
    const int *high;            /* the indices k of the high bits */
    int n_high;
    int64_t low_items;          /* batch * blocks, or 0 when no bit is low */
    int64_t chunk, chunks;      /* high bits: amplitudes per chunk, chunks per block */
    double *hscratch;           /* (batch, chunks, n_high, 8) partial sums of the high bits */
} pairs_t;

#define DEFINE_PAIRS(REAL, VEC, IVEC, SUF, SWAP)                                                               \
    enum { PER_##SUF = 64 / sizeof(REAL), SUB_BITS_##SUF = sizeof(REAL) == 4 ? 10 : 9 }; /* reals per vector */\
    /* C[a][b] += x_a conj(y_ab), lane-wise: re = sum of x y over all lanes; im = odd - even lanes of x y~,     \
       y~ = y with re/im swapped (a: the x y products, b: the x y~ products, [2 a + b]) */                     \
    /* Eight float accumulators: a_c += x y, b_c += x y~ for the four (x, y) products c of a step; a local     \
       struct of named vectors, so that the compiler keeps it in registers. */                                 \
    typedef struct {                                                                                           \
        VEC a0, a1, a2, a3, b0, b1, b2, b3;                                                                    \
        int count;                                                                                             \
    } pacc_##SUF;                                                                                              \
    /* Add them into acc in double, and zero them. */                                                          \
    static inline void flush8_##SUF(double *acc, pacc_##SUF *q) {                                              \
        VEC va[4] = {q->a0, q->a1, q->a2, q->a3}, vb[4] = {q->b0, q->b1, q->b2, q->b3};                        \
        for (int c = 0; c < 4; c++)                                                                            \
            for (int l = 0; l < PER_##SUF; l++) {                                                              \
                acc[2 * c] += va[c][l];                                                                        \
                acc[2 * c + 1] += (l & 1) ? vb[c][l] : -vb[c][l];                                              \
            }                                                                                                  \
        q->a0 = q->a1 = q->a2 = q->a3 = q->b0 = q->b1 = q->b2 = q->b3 = (VEC){0};                              \
        q->count = 0;                                                                                          \
    }                                                                                                          \
    /* One step: products x0 ya, x0 yb, x1 yc, x1 yd; float sums of at most CHUNK terms, then double. */       \
    static inline __attribute__((always_inline)) void pmac_##SUF(pacc_##SUF *q, double *acc, VEC x0, VEC x1,   \
                                                                VEC ya, VEC yb, VEC yc, VEC yd) {              \
        const IVEC swap = SWAP;                                                                                \
        q->a0 += x0 * ya; q->a1 += x0 * yb; q->a2 += x1 * yc; q->a3 += x1 * yd;                                \
        q->b0 += x0 * __builtin_shuffle(ya, swap); q->b1 += x0 * __builtin_shuffle(yb, swap);                  \
        q->b2 += x1 * __builtin_shuffle(yc, swap); q->b3 += x1 * __builtin_shuffle(yd, swap);                  \
        if (++q->count == CHUNK / PER_##SUF) flush8_##SUF(acc, q);                                             \
    }                                                                                                          \
    /* The main step: partners 2 run reals apart (lam0, lam0 + 2 run), at least one vector each. */            \
    static inline __attribute__((always_inline)) void pstep_##SUF(pacc_##SUF *q, double *acc, const REAL *l0,  \
                                                                 const REAL *l1, const REAL *p0, const REAL *p1) { \
        VEC x0, x1, y0, y1;                                                                                    \
        __builtin_memcpy(&x0, l0, 64);                                                                         \
        __builtin_memcpy(&x1, l1, 64);                                                                         \
        __builtin_memcpy(&y0, p0, 64);                                                                         \
        __builtin_memcpy(&y1, p1, 64);                                                                         \
        pmac_##SUF(q, acc, x0, x1, y0, y1, y0, y1);                                                            \
    }                                                                                                          \
    static void pair_range_##SUF(const REAL *lam, const REAL *psi, int64_t n_amps, int64_t p, double *acc) {   \
        enum { PER = PER_##SUF };                                                                              \
        const int64_t run = (int64_t)1 << p;                                                                   \
        pacc_##SUF q = {.count = 0};                                                                           \
        if (2 * run >= PER) {                                                                                  \
            for (int64_t base = 0; base < 2 * n_amps; base += 4 * run)                                         \
                for (int64_t r = base; r < base + 2 * run; r += PER)                                           \
                    pstep_##SUF(&q, acc, lam + r, lam + r + 2 * run, psi + r, psi + r + 2 * run);              \
        } else if (2 * n_amps < PER) { /* a state shorter than one vector */                                   \
            for (int64_t base = 0; base < n_amps; base += 2 * run) {                                           \
                for (int64_t r = 0; r < run; r++) {                                                            \
                    int64_t i[2] = {base + r, base + r + run};                                                 \
                    for (int a = 0; a < 2; a++)                                                                \
                        for (int b = 0; b < 2; b++) {                                                          \
                            double lr = lam[2 * i[a]], li = lam[2 * i[a] + 1];                                 \
                            double pr = psi[2 * i[b]], pim = psi[2 * i[b] + 1];                                \
                            acc[2 * (2 * a + b)] += lr * pr + li * pim;                                        \
                            acc[2 * (2 * a + b) + 1] += li * pr - lr * pim;                                    \
                        }                                                                                      \
                }                                                                                              \
            }                                                                                                  \
            return;                                                                                            \
        } else { /* partners inside one vector: shuffle psi, mask lam by the lane's bit p */                   \
            IVEC partner;                                                                                      \
            VEC m0, m1;                                                                                        \
            for (int l = 0; l < PER; l++) {                                                                    \
                int e = l / 2;                                                                                 \
                partner[l] = 2 * (e ^ (int)run) + (l & 1);                                                     \
                m0[l] = (e & run) ? 0 : 1;                                                                     \
                m1[l] = 1 - m0[l];                                                                             \
            }                                                                                                  \
            for (int64_t r = 0; r < 2 * n_amps; r += PER) {                                                    \
                VEC x, y;                                                                                      \
                __builtin_memcpy(&x, lam + r, 64);                                                             \
                __builtin_memcpy(&y, psi + r, 64);                                                             \
                VEC yp = __builtin_shuffle(y, partner);                                                        \
                pmac_##SUF(&q, acc, x * m0, x * m1, y, yp, yp, y);                                             \
            }                                                                                                  \
        }                                                                                                      \
        flush8_##SUF(acc, &q);                                                                                 \
    }                                                                                                          \
    /* Pair sums of two ranges of len amplitudes: lam0/psi0 the partners with bit p clear, lam1/psi1 set. */   \
    static void pair_two_##SUF(const REAL *lam0, const REAL *lam1, const REAL *psi0, const REAL *psi1,         \
                               int64_t len, double *acc) {                                                     \
        pacc_##SUF q = {.count = 0};                                                                           \
        for (int64_t r = 0; r < 2 * len; r += PER_##SUF) pstep_##SUF(&q, acc, lam0 + r, lam1 + r, psi0 + r, psi1 + r); \
        flush8_##SUF(acc, &q);                                                                                 \
    }                                                                                                          \
    /* items: [0, low_items) are (state, block) pairs, each summing every low bit (p < block_bits) over one    \
       block that stays in cache; then (state, chunk) pairs for the high bits: chunk c is the same range of    \
       `chunk` amplitudes in every block, all of them in cache at once, so every high bit is summed over it    \
       and all high bits together cost one pass over memory */                                                 \
    static void pairs_##SUF(const void *arg, int64_t begin, int64_t end) {                                     \
        const pairs_t *j = (const pairs_t *)arg;                                                               \
        const int64_t low_items = j->low_items, len = j->n_amps / j->blocks;                                   \
        for (int64_t w = begin; w < end; w++) {                                                                \
            if (w < low_items) {                                                                               \
                int64_t s = w / j->blocks, blk = w - s * j->blocks;                                            \
                const REAL *lam = (const REAL *)j->lam + 2 * (s * j->n_amps + blk * len);                      \
                const REAL *psi = (const REAL *)j->psi + 2 * (s * j->n_amps + blk * len);                      \
                /* bits below SUB_BITS: sub-block by sub-block (16 KiB of the two states, in L1); the others   \
                   over the whole block (in L2) */                                                             \
                const int64_t sub = len < ((int64_t)1 << SUB_BITS_##SUF) ? len : ((int64_t)1 << SUB_BITS_##SUF); \
                for (int k = 0; k < j->nbits; k++) {                                                           \
                    if (j->bits[k] >= j->block_bits) continue;                                                 \
                    double *acc = j->scratch + ((s * j->blocks + blk) * j->nbits + k) * 8;                     \
                    for (int c = 0; c < 8; c++) acc[c] = 0;                                                    \
                    if (((int64_t)1 << j->bits[k]) >= sub) pair_range_##SUF(lam, psi, len, j->bits[k], acc);   \
                }                                                                                              \
                for (int64_t o = 0; o < len; o += sub)                                                         \
                    for (int k = 0; k < j->nbits; k++) {                                                       \
                        if (j->bits[k] >= j->block_bits || ((int64_t)1 << j->bits[k]) >= sub) continue;        \
                        double *acc = j->scratch + ((s * j->blocks + blk) * j->nbits + k) * 8;                 \
                        pair_range_##SUF(lam + 2 * o, psi + 2 * o, sub, j->bits[k], acc);                      \
                    }                                                                                          \
            } else {                                                                                           \
                int64_t v = w - low_items, s = v / j->chunks, c = v - s * j->chunks;                           \
                const REAL *lam = (const REAL *)j->lam + 2 * (s * j->n_amps + c * j->chunk);                   \
                const REAL *psi = (const REAL *)j->psi + 2 * (s * j->n_amps + c * j->chunk);                   \
                for (int h = 0; h < j->n_high; h++) {                                                          \
                    int k = j->high[h];                                                                        \
                    double *acc = j->hscratch + ((s * j->chunks + c) * j->n_high + h) * 8;                     \
                    for (int e = 0; e < 8; e++) acc[e] = 0;                                                    \
                    const int64_t step = (int64_t)1 << (j->bits[k] - j->block_bits); /* partner block distance */ \
                    for (int64_t blk = 0; blk < j->blocks; blk++) {                                            \
                        if (blk & step) continue;                                                              \
                        const int64_t o0 = 2 * blk * len, o1 = 2 * (blk + step) * len;                         \
                        pair_two_##SUF(lam + o0, lam + o1, psi + o0, psi + o1, j->chunk, acc);                 \
                    }                                                                                          \
                }                                                                                              \
            }                                                                                                  \
        }                                                                                                      \
    }                                                                                                          \

DEFINE_PAIRS(float, vf32, vi32, c64, ((vi32){1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14}))
DEFINE_PAIRS(double, vf64, vi64, c128, ((vi64){1, 0, 3, 2, 5, 4, 7, 6}))

/* The bits below PAIR_BLOCK_BITS (16 for complex64, 15 for complex128: 512 KiB of the two states) are summed
 * over one block of the states at a time, all of them while the block is in cache, so that they cost one pass
 * over memory together instead of one each; every higher bit is a pass of its own. */
int suanli_pair_sums(int is_double, const void *lam, const void *psi, int64_t batch, int64_t n_amps,
                     const int64_t *bits, int nbits, double *out, int threads) {
    const int64_t item = is_double ? 16 : 8; /* bytes per amplitude */
    int64_t block_bits = is_double ? 15 : 16;
    int64_t blocks = 1;
    while ((blocks << block_bits) < n_amps) blocks <<= 1;
    if (blocks == 1) block_bits = 62; /* the whole state is one block: every bit is summed within it */
    const int64_t len = n_amps / blocks;
    /* high-bit chunks: the same range in every block, about 1 MiB of the two states in all */
    int64_t chunk = ((int64_t)1 << 19) / (blocks * item);
    if (chunk < 64 / item) chunk = 64 / item;
    if (chunk > len) chunk = len;
    int high[64], n_high = 0, n_low = 0;
    if (nbits > 64) return -2;
    for (int k = 0; k < nbits; k++) {
        if (bits[k] < 0 || ((int64_t)1 << bits[k]) >= n_amps) return -2;
        if (bits[k] >= block_bits) high[n_high++] = k;
        else n_low++;
    }
    double *scratch = 0, *hscratch = 0;
    int64_t chunks = len / chunk;
    if (n_low && !(scratch = calloc((size_t)(batch * blocks * nbits * 8), sizeof(double)))) return -3;
    if (n_high && !(hscratch = calloc((size_t)(batch * chunks * n_high * 8), sizeof(double)))) {
        free(scratch);
        return -3;
    }
    pairs_t job = {lam, psi, batch, n_amps, bits, nbits, out, block_bits, blocks, scratch, high, n_high,
                   n_low ? batch * blocks : 0, chunk, chunks, hscratch};
    int status = parallel_for(is_double ? pairs_c128 : pairs_c64, &job, job.low_items + (n_high ? batch * chunks : 0),
                              threads);
    for (int64_t s = 0; s < batch; s++)
        for (int k = 0; k < nbits; k++) {
            double *acc = out + (s * nbits + k) * 8;
            for (int c = 0; c < 8; c++) acc[c] = 0;
            if (bits[k] < block_bits) {
                for (int64_t blk = 0; blk < blocks; blk++)
                    for (int c = 0; c < 8; c++) acc[c] += scratch[((s * blocks + blk) * nbits + k) * 8 + c];
            }
        }
    for (int64_t s = 0; s < batch; s++)
        for (int h = 0; h < n_high; h++)
            for (int64_t c = 0; c < chunks; c++)
                for (int e = 0; e < 8; e++)
                    out[(s * nbits + high[h]) * 8 + e] += hscratch[((s * chunks + c) * n_high + h) * 8 + e];
    free(scratch);
    free(hscratch);
    return status;
}

/* A Pauli sum applied to states: out[s][y] = sum_t coef[s][t] (-1)^popcount(y & zmask[t]) psi[s][y ^ xmask[t]]
 * (coef: interleaved complex in double precision, the term's weight with its factor (-i)^#Y folded in). The
 * output is written block by block (PAULI_CHUNK amplitudes): every term adds its contribution to the block while
 * it stays in cache, so the output is written once and the input is read once per term from the same region
 * shifted by the term's high flip bits. Signs inside a block come from a per-term table of +-1 (one entry per
 * real, so that a vector of interleaved complex numbers takes them directly); the block's own sign is the
 * parity of its base under the mask. Terms whose flip mask spares the bits inside one vector take the vector
 * loop; the rest take a scalar loop. */
#define PAULI_CHUNK 2048
typedef struct {
    const void *psi;
    void *out;
    int64_t batch, n_amps, chunk;
    int64_t n_terms;
    const int64_t *xm, *zm;
    const double *coef;
    const void *signs; /* (n_terms, 2 * chunk) reals */
    double *dots;      /* non-null: (batch, blocks) complex sums of conj(psi) (H psi); out may be null */
} pauli_t;

#define DEFINE_PAULI(REAL, VEC, IVEC, SUF, SWAP, ALT)                                                        \
    static void pauli_##SUF(const void *arg, int64_t begin, int64_t end) {                                     \
        const pauli_t *j = (const pauli_t *)arg;                                                               \
        enum { PER = 64 / sizeof(REAL) }; /* reals per vector */                                               \
        const int64_t chunk = j->chunk, blocks = j->n_amps / chunk;                                            \
        const IVEC swap = SWAP;                                                                                \
        const VEC alt = ALT; /* (-1, +1, -1, +1, ...): i * (a + ib) = -b + ia after the swap */               \
        for (int64_t w = begin; w < end; w++) {                                                                \
            int64_t s = w / blocks, base = (w - s * blocks) * chunk;                                           \
            const REAL *psi = (const REAL *)j->psi + 2 * s * j->n_amps;                                        \
            REAL tmp[2 * PAULI_CHUNK] __attribute__((aligned(64)));                                            \
            REAL *out = j->out ? (REAL *)j->out + 2 * (s * j->n_amps + base) : tmp;                            \
            for (int64_t e = 0; e < 2 * chunk; e++) out[e] = 0;                                               \
            for (int64_t t = 0; t < j->n_terms; t++) {                                                         \
                const double *c = j->coef + 2 * (s * j->n_terms + t);                                          \
                int64_t lo_x = j->xm[t] & (chunk - 1), hi_x = j->xm[t] & ~(chunk - 1);                         \
                REAL sign = __builtin_parityll((unsigned long long)(base & j->zm[t])) ? -1 : 1;                \
                REAL cr = (REAL)c[0] * sign, ci = (REAL)c[1] * sign;                                           \
                if (cr == 0 && ci == 0) continue;                                                              \
                const REAL *src = psi + 2 * (base ^ hi_x);                                                     \
                const REAL *sg = (const REAL *)j->signs + 2 * t * chunk;                                       \
                if (2 * chunk >= PER && (2 * lo_x) % PER == 0) {                                               \
                    VEC vcr = cr + (VEC){0}, vci = ci * alt;                                                   \
                    for (int64_t e = 0; e < 2 * chunk; e += PER) {                                             \
                        VEC v, g, o;                                                                           \
                        __builtin_memcpy(&v, src + (e ^ (2 * lo_x)), 64);                                      \
                        __builtin_memcpy(&g, sg + e, 64);                                                      \
                        __builtin_memcpy(&o, out + e, 64);                                                     \
                        v *= g;                                                                                \
                        o += vcr * v + vci * __builtin_shuffle(v, swap);                                       \
                        __builtin_memcpy(out + e, &o, 64);                                                     \
                    }                                                                                          \
                } else {                                                                                       \
                    for (int64_t y = 0; y < chunk; y++) {                                                      \
                        int64_t q = y ^ lo_x;                                                                  \
                        REAL g = sg[2 * y], vr = src[2 * q] * g, vi = src[2 * q + 1] * g;                      \
                        out[2 * y] += cr * vr - ci * vi;                                                       \
                        out[2 * y + 1] += cr * vi + ci * vr;                                                   \
                    }                                                                                          \
                }                                                                                              \
            }                                                                                                  \
            if (j->dots) { /* sum of conj(psi[y]) out[y] over the block, in double */                         \
                const REAL *p0 = psi + 2 * base;                                                               \
                double re = 0, im = 0;                                                                         \
                for (int64_t y = 0; y < chunk; y++) {                                                          \
                    re += (double)p0[2 * y] * out[2 * y] + (double)p0[2 * y + 1] * out[2 * y + 1];             \
                    im += (double)p0[2 * y] * out[2 * y + 1] - (double)p0[2 * y + 1] * out[2 * y];             \
                }                                                                                              \
                j->dots[2 * w] = re;                                                                           \
                j->dots[2 * w + 1] = im;                                                                       \
            }                                                                                                  \
        }                                                                                                      \
    }

DEFINE_PAULI(float, vf32, vi32, c64, ((vi32){1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14}),
             ((vf32){-1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1}))
DEFINE_PAULI(double, vf64, vi64, c128, ((vi64){1, 0, 3, 2, 5, 4, 7, 6}), ((vf64){-1, 1, -1, 1, -1, 1, -1, 1}))

/* dots non-null: dots[s] = <psi_s|H|psi_s> (complex, double precision), with out written too unless it is null. */
int suanli_pauli_apply(int is_double, const void *psi, void *out, int64_t batch, int64_t n_amps, int64_t n_terms,
                       const int64_t *xm, const int64_t *zm, const double *coef, double *dots, int threads) {
    int64_t chunk = n_amps < PAULI_CHUNK ? n_amps : PAULI_CHUNK;
    for (int64_t t = 0; t < n_terms; t++)
        if (xm[t] < 0 || xm[t] >= n_amps || zm[t] < 0 || zm[t] >= n_amps) return -2;
    size_t real = is_double ? sizeof(double) : sizeof(float);
    void *signs = malloc(real * (size_t)(2 * chunk * (n_terms ? n_terms : 1)));
    if (!signs) return -3;
    for (int64_t t = 0; t < n_terms; t++)
        for (int64_t y = 0; y < chunk; y++) {
            double g = __builtin_parityll((unsigned long long)(y & zm[t])) ? -1.0 : 1.0;
            if (is_double) {
                ((double *)signs)[2 * (t * chunk + y)] = g;
                ((double *)signs)[2 * (t * chunk + y) + 1] = g;
            } else {
                ((float *)signs)[2 * (t * chunk + y)] = (float)g;
                ((float *)signs)[2 * (t * chunk + y) + 1] = (float)g;
            }
        }
    int64_t blocks = n_amps / chunk;
    double *partial = 0;
    if (dots && !(partial = calloc((size_t)(2 * batch * blocks), sizeof(double)))) {
        free(signs);
        return -3;
    }
    pauli_t job = {psi, out, batch, n_amps, chunk, n_terms, xm, zm, coef, signs, partial};
    int status = parallel_for(is_double ? pauli_c128 : pauli_c64, &job, batch * blocks, threads);
    if (partial) {
        for (int64_t b = 0; b < batch; b++) {
            dots[2 * b] = dots[2 * b + 1] = 0;
            for (int64_t k = 0; k < blocks; k++) {
                dots[2 * b] += partial[2 * (b * blocks + k)];
                dots[2 * b + 1] += partial[2 * (b * blocks + k) + 1];
            }
        }
        free(partial);
    }
    free(signs);
    return status;
}

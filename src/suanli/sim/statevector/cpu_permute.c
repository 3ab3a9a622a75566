/* suanli CPU kernels, third part: axis permutations of tensors whose every axis has two entries (the tensors
 * of a circuit's network), included at the end of cpu_kernels.c (one library).
 *
 * suanli_permute: out[j] = in[i] where bit q of j is bit src_bit[q] of i (bit 0 least significant). A copy by
 * strided loops reads each element from another cache line (and often another page) once the permutation moves
 * the input's low bits up. Here the work is split into tiles: the output's low `run` bits (1 KiB of contiguous
 * bytes) together with the output positions of the input's low `run` bits, so that each tile reads and writes
 * whole 1 KiB runs while they sit in L2 (at most 2^(2 run) elements, 128-256 KiB) and touches few pages per
 * byte moved; tiles are visited in output order. (512-byte runs were 10-30 % slower, 64-byte runs 1.5-2x.) */
typedef struct {
    const char *in;
    char *out;
    int elem;                  /* bytes per element: 4, 8 or 16 */
    int na, nb;                /* tile bits: output's low bits (a), input's low bits placed higher (b) */
    const int64_t *ina;        /* 2^na input offsets of the output's low bits */
    const int64_t *inb, *outb; /* 2^nb input and output offsets of the b bits */
    int nlow;                  /* outer bits with tables */
    const int64_t *lin, *lout; /* 2^nlow offsets of the low outer bits */
    int nhigh;
    const int *hin, *hout;     /* input / output bit positions of the high outer bits */
} permute_t;

#define PERMUTE_BODY(T)                                                                                        \
    {                                                                                                          \
        const T *src = (const T *)c->in;                                                                       \
        T *dst = (T *)c->out;                                                                                  \
        int64_t asize = (int64_t)1 << c->na, bsize = (int64_t)1 << c->nb, lsize = (int64_t)1 << c->nlow;       \
        for (int64_t h = begin; h < end; h++) {                                                                \
            int64_t hb_in = 0, hb_out = 0;                                                                     \
            for (int j = 0; j < c->nhigh; j++)                                                                 \
                if ((h >> j) & 1) {                                                                            \
                    hb_in += (int64_t)1 << c->hin[j];                                                          \
                    hb_out += (int64_t)1 << c->hout[j];                                                        \
                }                                                                                              \
            for (int64_t l = 0; l < lsize; l++) {                                                              \
                const T *s0 = src + hb_in + c->lin[l];                                                         \
                T *d0 = dst + hb_out + c->lout[l];                                                             \
                for (int64_t b = 0; b < bsize; b++) {                                                          \
                    const T *s = s0 + c->inb[b];                                                               \
                    T *d = d0 + c->outb[b];                                                                    \
                    for (int64_t a = 0; a < asize; a++) d[a] = s[c->ina[a]];                                   \
                }                                                                                              \
            }                                                                                                  \
        }                                                                                                      \
    }

typedef struct {
    uint64_t lo, hi;
} pair128_t;

static void permute_range(const void *ctx, int64_t begin, int64_t end) {
    const permute_t *c = (const permute_t *)ctx;
    if (c->elem == 16) PERMUTE_BODY(pair128_t)
    else if (c->elem == 8) PERMUTE_BODY(uint64_t)
    else PERMUTE_BODY(uint32_t)
}

/* Offsets of the 2^k combinations of k bits: bit j of the index adds 1 << pos[j]. */
static void bit_table(int64_t *tab, int k, const int *pos) {
    tab[0] = 0;
    for (int j = 0; j < k; j++)
        for (int64_t i = 0; i < ((int64_t)1 << j); i++) tab[((int64_t)1 << j) + i] = tab[i] + ((int64_t)1 << pos[j]);
}

/* The output's bits q (q = 0 least significant) take the input's bits src_bit[q]; n bits in all. Returns 0,
 * -1 when fewer threads could be started (the work is still done), -2 for bad arguments. */
int suanli_permute(int elem, const void *in, void *out, int n, const int *src_bit, int threads) {
    if ((elem != 4 && elem != 8 && elem != 16) || n < 0 || n > 62) return -2;
    int run = elem == 16 ? 6 : elem == 8 ? 7 : 8; /* bits of a 1 KiB run */
    int seen[64] = {0};
    for (int q = 0; q < n; q++) {
        if (src_bit[q] < 0 || src_bit[q] >= n || seen[src_bit[q]]) return -2;
        seen[src_bit[q]] = 1;
    }
    int na = n < run ? n : run, nb = 0, no = 0;
    int apos[64], bq[64], bpos_in[64], bpos_out[64], oq[64];
    for (int q = 0; q < na; q++) apos[q] = src_bit[q];
    for (int q = na; q < n; q++) {
        if (src_bit[q] < run) bq[nb++] = q;
        else oq[no++] = q;
    }
    for (int j = 0; j < nb; j++) {
        bpos_in[j] = src_bit[bq[j]];
        bpos_out[j] = bq[j];
    }
    int nlow = no < 10 ? no : 10, nhigh = no - nlow;
    int lin_pos[64], lout_pos[64], hin[64], hout[64];
    for (int j = 0; j < nlow; j++) {
        lout_pos[j] = oq[j];
        lin_pos[j] = src_bit[oq[j]];
    }
    for (int j = 0; j < nhigh; j++) {
        hout[j] = oq[nlow + j];
        hin[j] = src_bit[oq[nlow + j]];
    }
    int64_t asize = (int64_t)1 << na, bsize = (int64_t)1 << nb, lsize = (int64_t)1 << nlow;
    int64_t *tab = (int64_t *)malloc(sizeof(int64_t) * (asize + 2 * bsize + 2 * lsize));
    if (!tab) return -2;
    int64_t *ina = tab, *inb = ina + asize, *outb = inb + bsize, *lin = outb + bsize, *lout = lin + lsize;
    bit_table(ina, na, apos);
    bit_table(inb, nb, bpos_in);
    bit_table(outb, nb, bpos_out);
    bit_table(lin, nlow, lin_pos);
    bit_table(lout, nlow, lout_pos);
    permute_t c = {(const char *)in, (char *)out, elem, na, nb, ina, inb, outb, nlow, lin, lout, nhigh, hin, hout};
    int64_t items = (int64_t)1 << nhigh;
    int64_t work = (int64_t)1 << n;
    int status = parallel_for(permute_range, &c, items, work >= (1 << 18) ? threads : 1);
    free(tab);
    return status;
}

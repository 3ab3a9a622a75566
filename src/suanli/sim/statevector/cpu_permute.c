/* suanli CPU kernels, third part: axis permutations of tensors whose every axis has two entries (the tensors
 * of a circuit's network), included at the end of cpu_kernels.c (one library).
 *
 * suanli_permute: out[j] = in[i] where bit q of j is bit src_bit[q] of i (bit 0 least significant). A copy by
 * strided loops reads each element from a different cache line once the permutation moves the input's low
 * bits up; here the work is split into tiles of the output's low bits together with the output positions of
 * the input's low bits, so that every cache line read and written is used whole while it is in L1, and tiles
 * are visited in output order (the writes stream). */
typedef struct {
    const char *in;
    char *out;
    int elem;                  /* bytes per element: 4, 8 or 16 */
    int ntile;                 /* tile bits */
    const int64_t *tin, *tout; /* 2^ntile offsets of a tile's elements (elements, not bytes) */
    int nlow;                  /* outer bits with tables */
    const int64_t *lin, *lout; /* 2^nlow offsets of the low outer bits */
    int nhigh;
    const int *hin, *hout;     /* input / output bit positions of the high outer bits */
} permute_t;

#define PERMUTE_BODY(T)                                                                                        \
    {                                                                                                          \
        const T *src = (const T *)c->in;                                                                       \
        T *dst = (T *)c->out;                                                                                  \
        int64_t tsize = (int64_t)1 << c->ntile, lsize = (int64_t)1 << c->nlow;                                 \
        for (int64_t h = begin; h < end; h++) {                                                                \
            int64_t hb_in = 0, hb_out = 0;                                                                     \
            for (int j = 0; j < c->nhigh; j++)                                                                 \
                if ((h >> j) & 1) {                                                                            \
                    hb_in += (int64_t)1 << c->hin[j];                                                          \
                    hb_out += (int64_t)1 << c->hout[j];                                                        \
                }                                                                                              \
            for (int64_t l = 0; l < lsize; l++) {                                                              \
                const T *s = src + hb_in + c->lin[l];                                                          \
                T *d = dst + hb_out + c->lout[l];                                                              \
                for (int64_t t = 0; t < tsize; t++) d[c->tout[t]] = s[c->tin[t]];                              \
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

/* The output's bits q (q = 0 least significant) take the input's bits src_bit[q]; n bits in all. Returns 0,
 * -1 when fewer threads could be started (the work is still done), -2 for bad arguments. */
int suanli_permute(int elem, const void *in, void *out, int n, const int *src_bit, int threads) {
    if ((elem != 4 && elem != 8 && elem != 16) || n < 0 || n > 62) return -2;
    int line = elem == 16 ? 2 : elem == 8 ? 3 : 4; /* bits of one 64-byte line */
    int in_tile[64] = {0}, tile[64], outer[64], nt = 0, no = 0;
    for (int q = 0; q < n; q++) {
        if (src_bit[q] < 0 || src_bit[q] >= n) return -2;
        in_tile[q] = q < line || src_bit[q] < line;
    }
    for (int q = 0; q < n; q++) {
        if (in_tile[q]) tile[nt++] = q;
        else outer[no++] = q;
    }
    int64_t tsize = (int64_t)1 << nt;
    int nlow = no < 10 ? no : 10, nhigh = no - nlow;
    int64_t lsize = (int64_t)1 << nlow;
    int64_t *tab = (int64_t *)malloc(sizeof(int64_t) * 2 * (tsize + lsize));
    if (!tab) return -2;
    int64_t *tin = tab, *tout = tab + tsize, *lin = tab + 2 * tsize, *lout = lin + lsize;
    for (int64_t t = 0; t < tsize; t++) { /* tile bits in output order: the output's low bits vary fastest */
        int64_t a = 0, b = 0;
        for (int j = 0; j < nt; j++)
            if ((t >> j) & 1) {
                a += (int64_t)1 << src_bit[tile[j]];
                b += (int64_t)1 << tile[j];
            }
        tin[t] = a;
        tout[t] = b;
    }
    for (int64_t l = 0; l < lsize; l++) {
        int64_t a = 0, b = 0;
        for (int j = 0; j < nlow; j++)
            if ((l >> j) & 1) {
                a += (int64_t)1 << src_bit[outer[j]];
                b += (int64_t)1 << outer[j];
            }
        lin[l] = a;
        lout[l] = b;
    }
    int hin[64], hout[64];
    for (int j = 0; j < nhigh; j++) {
        hout[j] = outer[nlow + j];
        hin[j] = src_bit[outer[nlow + j]];
    }
    permute_t c = {(const char *)in, (char *)out, elem, nt, tin, tout, nlow, lin, lout, nhigh, hin, hout};
    int64_t items = (int64_t)1 << nhigh;
    int64_t work = (int64_t)1 << n;
    int status = parallel_for(permute_range, &c, items, work >= (1 << 18) ? threads : 1);
    free(tab);
    return status;
}

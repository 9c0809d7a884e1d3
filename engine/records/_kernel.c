/* The field codecs' inner loops in C.
 *
 * decode_fields and encode_fields take a block of records and a list of field
 * specifications, and handle every field of a record before moving to the next
 * record: one pass over the data, which stays in the cache, instead of one pass
 * per field (a column at a time over row-major records reads every cache line
 * once per field). A single field is the same call with one specification.
 *
 * Blocks are read and written through the buffer protocol (rows may be strided,
 * the bytes of a row contiguous); outputs are arrays the caller allocated
 * (NumPy), so the module needs Python's headers only, not NumPy's.
 *
 * Results are exactly those of the NumPy code in zoned.py, packed.py,
 * binary.py and text.py, invalid data included (the values of invalid fields
 * too: every digit position adds its low nibble, as the SWAR code does).
 * engine/records/kernel.py chooses between the two.
 *
 * Specifications (tuples; `offsets` is int64 byte offsets of the field's
 * occurrences in a record; value i*m + j is occurrence j of record i):
 * (`negative`: None, or a bool per value giving the sign, so that -0 can be
 * written; `truncate`: the high-order digits dropped as a COBOL MOVE does.)
 *   decode
 *     (ZONED,  offsets, values, bad, digit_tab, sign_tab, neg_tab, body_start, k, sign_at, separate)
 *     (PACKED, offsets, values, bad, size, pad, sign_ok, sign_neg)
 *     (BINARY, offsets, values, bad, size, signed, big)
 *     (TEXT,   offsets, str_offsets, data, width, table, strip[, views])
 *     (views true: `str_offsets` is room for 16-byte Arrow string views instead)
 *   encode
 *     (ZONED,  offsets, values, error, k, size, body_start, zero, signed, sign_at, separate,
 *              plus, minus, enc_pos, enc_neg[, negative, truncate])
 *     (PACKED, offsets, values, error, k, size, signed[, negative, truncate])
 *     (BINARY, offsets, values, error, size, big, lo, hi)
 *     (TEXT,   offsets, str_offsets, data, table, ok, width, pad, right, overflow[, buffers])
 *     (buffers, int64 (address, size) pairs: `str_offsets` holds Arrow string views
 *      into those buffers, as Polars exports its strings; `data` is not read)
 * Both return a list with one int per specification: for decimal encodes the
 * number of negative values written (that fit: an unsigned field's error
 * message says so), for text the bytes used (decode) or 0 (encode), or -1
 * where a text field holds a byte the kernel does not take (a double-byte or
 * unmappable character): the caller takes the code page's general way.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { ZONED = 0, PACKED = 1, BINARY = 2, TEXT = 3 };
enum { LOAD_BYTES = 0, LOAD_BACK = 1, LOAD_FWD = 2 };
#define MAX_BUFS 8
#define BIG_HOST (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)

static const uint64_t POW10[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
    100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
    10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};

typedef struct {
    int kind;
    Py_ssize_t m;                 /* occurrences per record */
    const int64_t *off;           /* their byte offsets */
    Py_ssize_t size;              /* bytes of the field */
    /* numeric */
    int64_t *vals;                /* decode: out; encode: in (const) */
    uint8_t *flag;                /* bad / error / overflow */
    const uint8_t *t1, *t2, *t3;  /* tables */
    Py_ssize_t k, pad, body_start, sign_at, width;
    int separate, is_signed, big, zero, plus, minus, strip, right, swar, views;
    /* how a short run of bytes may be read with one 8-byte load, the bytes that
     * are not the field's masked out: ending at its end (LOAD_BACK, the row has
     * 8 bytes up to there) or starting at its start (LOAD_FWD), else byte by byte */
    int load;
    uint64_t zfill;               /* zoned decode: the digit zero in all 8 bytes */
    Py_ssize_t off_min, off_max, room;   /* room: bytes of the row from any occurrence's start */
    const int64_t *bufinfo;       /* text encode from views: (address, size) of each data buffer */
    Py_ssize_t nbuf;
    uint64_t zones;               /* zoned decode: the zone nibble in all 8 bytes */
    long long lo, hi;
    /* decimal encode options (see magnitude) */
    const uint8_t *negs;          /* an explicit negative flag per value, or NULL */
    int truncate;
    /* text */
    int64_t *soff;                /* string offsets (n*m + 1) */
    uint8_t *data;                /* string bytes */
    Py_ssize_t data_len, used, result;
    int stopped;
    Py_buffer bufs[MAX_BUFS];
    int nbufs;
} spec_t;

static void release_spec(spec_t *s) {
    for (int i = 0; i < s->nbufs; i++) PyBuffer_Release(&s->bufs[i]);
    s->nbufs = 0;
}

/* a buffer of at least `need` bytes (need < 0: any), kept until release_spec */
static void *take(spec_t *s, PyObject *obj, Py_ssize_t need, int writable, Py_ssize_t *len,
                  const char *what) {
    Py_buffer *v = &s->bufs[s->nbufs];
    if (PyObject_GetBuffer(obj, v, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return NULL;
    s->nbufs++;
    if (need >= 0 && v->len < need) {
        PyErr_Format(PyExc_ValueError, "kernel: %s buffer too small (%zd < %zd bytes)", what,
                     v->len, need);
        return NULL;
    }
    if (len) *len = v->len;
    return v->buf;
}

static int parse_offsets(spec_t *s, PyObject *o, Py_ssize_t width) {
    Py_ssize_t len;
    s->off = take(s, o, -1, 0, &len, "offsets");
    if (!s->off) return -1;
    s->m = len / 8;
    s->off_min = width;
    s->off_max = 0;
    for (Py_ssize_t j = 0; j < s->m; j++) {
        if (s->off[j] < 0 || s->off[j] + s->size > width) {
            PyErr_SetString(PyExc_ValueError, "kernel: a field lies outside the record");
            return -1;
        }
        if (s->off[j] < s->off_min) s->off_min = s->off[j];
        if (s->off[j] > s->off_max) s->off_max = s->off[j];
    }
    s->room = width - s->off_max;
    return 0;
}

/* ------------------------------------------------------------ one field, one record */

/* eight digit characters (first byte lowest: a little-endian load) -> whether
 * all are digits of `zones` (the zone nibble in every byte), and the value of
 * their low nibbles (0..99,999,999 for digits; any nibble adds itself times its
 * power of ten, exactly as the NumPy SWAR code does)                          */
#define LOW8 0x0F0F0F0F0F0F0F0FULL
#define HIGH8 0xF0F0F0F0F0F0F0F0ULL
static inline uint64_t swar8_digits(uint64_t x, uint64_t zones, unsigned *wrong) {
    uint64_t low = x & LOW8;
    *wrong |= ((x & HIGH8) != zones) | (((low + 0x0606060606060606ULL) & HIGH8) != 0);
    low = (low * 10 + (low >> 8)) & 0x00FF00FF00FF00FFULL;
    low = (low * 100 + (low >> 16)) & 0x0000FFFF0000FFFFULL;
    low = (low * 10000 + (low >> 32)) & 0x00000000FFFFFFFFULL;
    return low;
}

static inline uint64_t load8(const uint8_t *p) {
    uint64_t x;
    memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

/* the low `n` bytes (n < 8) of a word set to those of `fill` */
static inline uint64_t low_fill(uint64_t x, uint64_t fill, Py_ssize_t n) {
    uint64_t low = n ? (~0ULL >> (64 - 8 * n)) : 0;
    return (x & ~low) | (fill & low);
}

/* the digits body[a..b): 8 at a time where the page's digits are zone|d; the
 * first (b - a) % 8 too, by one load with the bytes before them taken as zeros */
static inline uint64_t plain_digits(const spec_t *s, const uint8_t *body, Py_ssize_t a,
                                    Py_ssize_t b, uint64_t u, unsigned *wrong) {
    Py_ssize_t head = s->swar ? (b - a) % 8 : b - a;
    if (s->swar && head && s->load == LOAD_BACK) {
        u = u * POW10[head] +
            swar8_digits(low_fill(load8(body + a + head - 8), s->zfill, 8 - head), s->zones, wrong);
    } else if (s->swar && head && s->load == LOAD_FWD) {
        u = u * POW10[head] +
            swar8_digits((load8(body + a) << (8 * (8 - head))) | (s->zfill >> (8 * head)),
                         s->zones, wrong);
    } else {
        for (Py_ssize_t j = a; j < a + head; j++) {
            uint8_t c = body[j];
            *wrong |= s->t1[c];
            u = u * 10 + (c & 0x0F);
        }
    }
    for (Py_ssize_t j = a + head; j < b; j += 8)
        u = u * 100000000ULL + swar8_digits(load8(body + j), s->zones, wrong);
    return u;
}

static inline void zoned_get(const spec_t *s, const uint8_t *f, int64_t *v, uint8_t *bad) {
    const uint8_t *body = f + s->body_start;
    Py_ssize_t k = s->k;
    unsigned wrong = 0;
    int neg = 0;
    uint64_t u;
    if (s->sign_at >= 0) {
        uint8_t c = f[s->sign_at];
        uint8_t d = s->t2[c];
        neg = s->t3[c];
        wrong |= (d == 0xFF);
        if (d == 0xFF) d = 0;
        if (s->separate)                    /* the sign outside the digits */
            u = plain_digits(s, body, 0, k, 0, &wrong);
        else if (s->sign_at == s->body_start)   /* leading embedded sign */
            u = d * POW10[k - 1] + plain_digits(s, body, 1, k, 0, &wrong);
        else                                /* trailing embedded sign */
            u = plain_digits(s, body, 0, k - 1, 0, &wrong) * 10 + d;
    } else {
        u = plain_digits(s, body, 0, k, 0, &wrong);
    }
    *v = neg ? (int64_t)(0 - u) : (int64_t)u;
    *bad = wrong ? 1 : 0;
}

/* up to 16 BCD nibbles (most significant highest) -> value; `wrong` where a
 * nibble is above 9 (each nibble counts as it is, as the NumPy code does)   */
static inline uint64_t bcd16(uint64_t x, unsigned *wrong) {
    uint64_t lo = x & LOW8, hi = (x >> 4) & LOW8;
    *wrong |= (((lo + 0x0606060606060606ULL) | (hi + 0x0606060606060606ULL)) & HIGH8) != 0;
    x = lo + hi * 10;
    x = (x & 0x00FF00FF00FF00FFULL) + ((x >> 8) & 0x00FF00FF00FF00FFULL) * 100;
    x = (x & 0x0000FFFF0000FFFFULL) + ((x >> 16) & 0x0000FFFF0000FFFFULL) * 10000;
    return (x & 0xFFFFFFFFULL) + (x >> 32) * 100000000ULL;
}

static inline void packed_get(const spec_t *s, const uint8_t *f, int64_t *v, uint8_t *bad) {
    Py_ssize_t w = s->size, digits = 2 * w - 1 - s->pad;
    unsigned wrong = 0, sign;
    uint64_t u;
    if (w <= 8) {
        uint64_t x = 0;
        if (s->load == LOAD_BACK)           /* the 8 bytes ending with the field's */
            x = __builtin_bswap64(load8(f + w - 8)) & (~0ULL >> (64 - 8 * w));
        else if (s->load == LOAD_FWD)       /* the 8 bytes starting with them */
            x = __builtin_bswap64(load8(f)) >> (64 - 8 * w);
        else
            for (Py_ssize_t j = 0; j < w; j++) x = (x << 8) | f[j];
        sign = x & 0x0F;
        x >>= 4;
        u = bcd16(x, &wrong);
        if (s->pad) wrong |= (x >> (4 * digits)) != 0;
    } else {
        uint64_t hi = 0, lo = 0;
        for (Py_ssize_t j = 0; j < w - 8; j++) hi = (hi << 8) | f[j];
        for (Py_ssize_t j = w - 8; j < w; j++) lo = (lo << 8) | f[j];
        sign = lo & 0x0F;
        lo = (lo >> 4) | (hi << 60);
        hi >>= 4;
        u = bcd16(hi, &wrong) * 10000000000000000ULL + bcd16(lo, &wrong);
        if (s->pad && digits >= 16) wrong |= (hi >> (4 * (digits - 16))) != 0;
        else if (s->pad) wrong |= (hi != 0) | ((lo >> (4 * digits)) != 0);
    }
    wrong |= !s->t1[sign];
    *v = s->t2[sign] ? (int64_t)(0 - u) : (int64_t)u;
    *bad = wrong ? 1 : 0;
}

static inline void binary_get(const spec_t *s, const uint8_t *f, int64_t *v, uint8_t *bad) {
    uint64_t u;
    int64_t x;
    switch (s->size) {
    case 1: u = f[0]; x = (int8_t)f[0]; break;
    case 2: { uint16_t h; memcpy(&h, f, 2); if (s->big != BIG_HOST) h = __builtin_bswap16(h);
              u = h; x = (int16_t)h; break; }
    case 4: { uint32_t h; memcpy(&h, f, 4); if (s->big != BIG_HOST) h = __builtin_bswap32(h);
              u = h; x = (int32_t)h; break; }
    default: memcpy(&u, f, 8); if (s->big != BIG_HOST) u = __builtin_bswap64(u);
             x = (int64_t)u; break;
    }
    *v = s->is_signed ? x : (int64_t)u;
    *bad = (!s->is_signed && s->size == 8 && (u >> 63)) ? 1 : 0;
}

/* the field's bytes through the page's table into dst (UTF-8, one byte each);
 * returns nonzero where a byte is not a plain one-byte character. Where the
 * table is ASCII's own (`identity`), eight bytes are copied and checked at once. */
static inline unsigned text_translate(const spec_t *s, const uint8_t *f, uint8_t *dst) {
    Py_ssize_t w = s->size, j = 0;
    if (s->swar) {
        uint64_t hi = 0;
        for (; j + 8 <= w; j += 8) {
            uint64_t x;
            memcpy(&x, f + j, 8);
            hi |= x;
            memcpy(dst + j, &x, 8);
        }
        for (; j < w; j++) { hi |= f[j]; dst[j] = f[j]; }
        return (hi & 0x8080808080808080ULL) != 0;
    }
    unsigned any = 0;
    for (; j < w; j++) {
        uint8_t c = s->t1[f[j]];
        any |= c;
        dst[j] = c;
    }
    return any & 0x80;
}

/* the kept part [*start, end) of a translated field: spaces stripped as TextCodec does */
static inline Py_ssize_t text_trim(const spec_t *s, const uint8_t *dst, Py_ssize_t *start) {
    Py_ssize_t end = s->size, a = 0;
    if (s->strip)
        while (end > 0 && dst[end - 1] == ' ') end--;
    if (s->strip == 2)
        while (a < end && dst[a] == ' ') a++;
    *start = a;
    return end;
}

/* returns 0, or -1 at a byte that is not a plain one-byte character */
static inline int text_get(spec_t *s, const uint8_t *f, Py_ssize_t idx) {
    uint8_t *dst = s->data + s->used;
    if (text_translate(s, f, dst)) return -1;
    Py_ssize_t start, end = text_trim(s, dst, &start);
    if (start) memmove(dst, dst + start, (size_t)(end - start));
    s->used += end - start;
    s->soff[idx + 1] = s->used;
    return 0;
}

/* The same into an Arrow string view (16 bytes a value: the length, then the
 * string itself when it has at most 12 bytes, else its first 4 bytes, buffer 0
 * and its offset in `data`): what Polars holds its strings in, so the column
 * passes to Polars without another pass. Only strings longer than 12 bytes
 * take room in `data`.                                                        */
static inline int text_view(spec_t *s, const uint8_t *f, Py_ssize_t idx) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (s->swar) {        /* ASCII as itself: no translation, short strings straight in */
        Py_ssize_t w = s->size, j = 0, end = w, a = 0;
        uint64_t hi = 0, x;
        for (; j + 8 <= w; j += 8) { memcpy(&x, f + j, 8); hi |= x; }
        for (; j < w; j++) hi |= f[j];
        if (hi & 0x8080808080808080ULL) return -1;
        if (s->strip) {
            while (end >= 8 && load8(f + end - 8) == 0x2020202020202020ULL) end -= 8;
            while (end > 0 && f[end - 1] == ' ') end--;
        }
        if (s->strip == 2)
            while (a < end && f[a] == ' ') a++;
        uint64_t len = (uint64_t)(end - a), w0, w1;
        if (len <= 12 && a + 12 <= s->room) {   /* 12 bytes readable: load, keep len */
            uint64_t p8 = load8(f + a);
            uint32_t p4;
            memcpy(&p4, f + a + 8, 4);
            if (len < 8) p8 &= len ? (~0ULL >> (64 - 8 * len)) : 0;
            uint64_t q = len <= 8 ? 0 : (len == 12 ? p4 : (p4 & ((1U << (8 * (len - 8))) - 1)));
            w0 = len | (p8 << 32);
            w1 = (p8 >> 32) | (q << 32);
        } else if (len <= 12) {
            uint8_t tmp[12] = {0};
            memcpy(tmp, f + a, (size_t)len);
            uint64_t p8 = load8(tmp);
            uint32_t p4;
            memcpy(&p4, tmp + 8, 4);
            w0 = len | (p8 << 32);
            w1 = (p8 >> 32) | ((uint64_t)p4 << 32);
        } else {
            uint32_t prefix;
            memcpy(&prefix, f + a, 4);
            memcpy(s->data + s->used, f + a, (size_t)len);
            w0 = len | ((uint64_t)prefix << 32);
            w1 = (uint64_t)s->used << 32;      /* buffer 0, at `used` */
            s->used += (Py_ssize_t)len;
        }
        memcpy((uint8_t *)(s->soff + 2 * idx), &w0, 8);
        memcpy((uint8_t *)(s->soff + 2 * idx) + 8, &w1, 8);
        return 0;
    }
#endif
    uint8_t *dst = s->data + s->used;
    if (text_translate(s, f, dst)) return -1;
    Py_ssize_t start, end = text_trim(s, dst, &start);
    int32_t len = (int32_t)(end - start);
    uint8_t *view = (uint8_t *)(s->soff + 2 * idx);
    memset(view, 0, 16);
    memcpy(view, &len, 4);
    if (len <= 12) {
        memcpy(view + 4, dst + start, (size_t)len);
    } else {
        int32_t at = (int32_t)(s->used + start);
        memcpy(view + 4, dst + start, 4);
        memcpy(view + 12, &at, 4);
        s->used += end;
    }
    return 0;
}

/* |v| and its sign as the field receives them, and whether it can hold them.
 * The sign is v's own, or the explicit flag negs[idx] (a -0 is then possible).
 * A value that does not fit is written as zero (and flagged) - or, with
 * `truncate`, as its low-order k digits, as a COBOL MOVE does (the sign kept
 * in a signed field, even where only zeros are left; dropped in an unsigned). */
static inline uint64_t magnitude(const spec_t *s, int64_t v, Py_ssize_t idx, int *neg,
                                 int *overflow) {
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int want = s->negs ? s->negs[idx] != 0 : v < 0;
    Py_ssize_t k = s->k;
    if (s->truncate) {
        if (k < 20) m %= POW10[k];
        *overflow = 0;
        *neg = want && s->is_signed;
        return m;
    }
    *overflow = k < 20 && m >= POW10[k];
    if (*overflow) m = 0;
    *neg = want && !*overflow;
    return m;
}

/* two decimal digits at a time: PAIRS[r] is r's tens and ones (0..9 each),
 * BCD[r] the byte that holds them as nibbles; filled at module load */
static uint8_t PAIRS[100][2], BCD[100];

static void fill_tables(void) {
    for (int r = 0; r < 100; r++) {
        PAIRS[r][0] = (uint8_t)(r / 10);
        PAIRS[r][1] = (uint8_t)(r % 10);
        BCD[r] = (uint8_t)(((r / 10) << 4) | (r % 10));
    }
}

static inline int zoned_put(const spec_t *s, uint8_t *f, int64_t v, Py_ssize_t idx, uint8_t *err) {
    int neg, overflow;
    uint64_t m = magnitude(s, v, idx, &neg, &overflow);
    uint8_t *body = f + s->body_start;
    uint16_t zz = (uint16_t)(0x0101u * (uint8_t)s->zero);
    Py_ssize_t j = s->k;
    for (; j >= 2; j -= 2) {                /* the last two digits, then the two before */
        uint64_t q = m / 100;
        uint16_t pair;
        memcpy(&pair, PAIRS[m - q * 100], 2);
        pair = (uint16_t)(pair + zz);       /* no carry: each byte is zero + 0..9 */
        memcpy(body + j - 2, &pair, 2);
        m = q;
    }
    if (j) body[0] = (uint8_t)(s->zero + m);   /* m < 10 here */
    if (s->is_signed) {
        if (s->separate)
            f[s->sign_at] = (uint8_t)(neg ? s->minus : s->plus);
        else {
            uint8_t *c = f + s->sign_at;
            unsigned d = (unsigned)(*c - s->zero);
            *c = neg ? s->t2[d] : s->t1[d];
        }
    }
    *err = (uint8_t)(overflow | (!s->is_signed && neg));
    return neg;
}

static inline int packed_put(const spec_t *s, uint8_t *f, int64_t v, Py_ssize_t idx, uint8_t *err) {
    int neg, overflow;
    uint64_t m = magnitude(s, v, idx, &neg, &overflow);
    Py_ssize_t w = s->size;
    unsigned sign = s->is_signed ? (neg ? 0x0D : 0x0C) : 0x0F;
    f[w - 1] = (uint8_t)(((m % 10) << 4) | sign);
    m /= 10;
    for (Py_ssize_t j = w - 2; j >= 0; j--) {   /* a byte holds two digits */
        uint64_t q = m / 100;
        f[j] = BCD[m - q * 100];
        m = q;
    }
    *err = (uint8_t)(overflow | (!s->is_signed && neg));
    return neg;
}

static inline void binary_put(const spec_t *s, uint8_t *f, int64_t x, uint8_t *err) {
    int wrong = x < s->lo || x > s->hi;
    uint64_t u = wrong ? 0 : (uint64_t)x;
    switch (s->size) {          /* the low bytes, in the field's byte order */
    case 1: f[0] = (uint8_t)u; break;
    case 2: { uint16_t h = (uint16_t)u; if (s->big != BIG_HOST) h = __builtin_bswap16(h);
              memcpy(f, &h, 2); break; }
    case 4: { uint32_t h = (uint32_t)u; if (s->big != BIG_HOST) h = __builtin_bswap32(h);
              memcpy(f, &h, 4); break; }
    default: if (s->big != BIG_HOST) u = __builtin_bswap64(u);
             memcpy(f, &u, 8); break;
    }
    *err = (uint8_t)wrong;
}

/* one string (`len` UTF-8 bytes at src) into the field: -1 at a character the
 * kernel does not write (the caller goes the general way) */
static inline int text_put_bytes(spec_t *s, uint8_t *f, Py_ssize_t idx, const uint8_t *src,
                                 Py_ssize_t len) {
    Py_ssize_t w = s->size;
    Py_ssize_t keep = len < w ? len : w;
    Py_ssize_t from = (s->right && len > w) ? len - w : 0;
    Py_ssize_t at = s->right ? w - keep : 0;
    if (s->swar) {          /* ASCII written as itself: check 8 bytes at once, copy */
        uint64_t hi = 0, x;
        Py_ssize_t j = 0;
        for (; j + 8 <= len; j += 8) { memcpy(&x, src + j, 8); hi |= x; }
        for (; j < len; j++) hi |= src[j];
        if (hi & 0x8080808080808080ULL) return -1;
        memset(f, s->pad, (size_t)w);
        memcpy(f + at, src + from, (size_t)keep);
    } else {
        unsigned bad = 0;
        for (Py_ssize_t j = 0; j < len; j++) bad |= !s->t2[src[j]];
        if (bad) return -1;
        memset(f, s->pad, (size_t)w);
        for (Py_ssize_t j = 0; j < keep; j++) f[at + j] = s->t1[src[from + j]];
    }
    s->flag[idx] = len > w;
    return 0;
}

static inline int text_put(spec_t *s, uint8_t *f, Py_ssize_t idx) {
    if (s->views) {       /* an Arrow string view: inline, or in one of the data buffers */
        const uint8_t *view = (const uint8_t *)s->soff + 16 * idx;
        int32_t len, b, at;
        memcpy(&len, view, 4);
        if (len <= 12) return len < 0 ? -1 : text_put_bytes(s, f, idx, view + 4, len);
        memcpy(&b, view + 8, 4);
        memcpy(&at, view + 12, 4);
        if (b < 0 || b >= s->nbuf || at < 0 || (int64_t)at + len > s->bufinfo[2 * b + 1]) return -1;
        return text_put_bytes(s, f, idx, (const uint8_t *)(intptr_t)s->bufinfo[2 * b] + at, len);
    }
    Py_ssize_t a = s->soff[idx], len = s->soff[idx + 1] - a;
    if (a < 0 || len < 0 || a + len > s->data_len) return -1;
    return text_put_bytes(s, f, idx, s->data + a, len);
}

/* ------------------------------------------------------------ parsing */

static int parse_decode(spec_t *s, PyObject *t, Py_ssize_t n, Py_ssize_t width) {
    PyObject *o_off, *a, *b, *c, *d, *e;
    Py_ssize_t len;
    memset(s, 0, sizeof *s);
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) < 1) goto bad_spec;
    s->kind = (int)PyLong_AsLong(PyTuple_GET_ITEM(t, 0));
    switch (s->kind) {
    case ZONED:
        if (!PyArg_ParseTuple(t, "iOOOOOOnnnp", &s->kind, &o_off, &a, &b, &c, &d, &e,
                              &s->body_start, &s->k, &s->sign_at, &s->separate)) return -1;
        s->size = s->body_start + s->k + (s->separate && s->sign_at >= s->k ? 1 : 0);
        if (s->k < 1 || s->k > 19 || s->sign_at >= s->size) goto bad_spec;
        if (!s->separate && s->sign_at >= 0 && s->sign_at != 0 && s->sign_at != s->k - 1)
            goto bad_spec;
        break;
    case PACKED:
        if (!PyArg_ParseTuple(t, "iOOOnnOO", &s->kind, &o_off, &a, &b, &s->size, &s->pad, &c, &d))
            return -1;
        e = NULL;
        if (s->size < 1 || s->size > 10 || s->pad < 0 || s->pad > 2 * s->size - 1) goto bad_spec;
        break;
    case BINARY:
        if (!PyArg_ParseTuple(t, "iOOOnpp", &s->kind, &o_off, &a, &b, &s->size, &s->is_signed,
                              &s->big)) return -1;
        c = d = e = NULL;
        if (s->size != 1 && s->size != 2 && s->size != 4 && s->size != 8) goto bad_spec;
        break;
    case TEXT:
        if (!PyArg_ParseTuple(t, "iOOOnOi|p", &s->kind, &o_off, &a, &b, &s->size, &c, &s->strip,
                              &s->views))
            return -1;
        d = e = NULL;
        break;
    default:
        goto bad_spec;
    }
    if (parse_offsets(s, o_off, width) < 0) return -1;
    Py_ssize_t count = n * s->m;
    if (s->kind == PACKED) {
        if (s->off_min + s->size >= 8) s->load = LOAD_BACK;
        else if (s->off_max + 8 <= width) s->load = LOAD_FWD;
    }
    if (s->kind == TEXT) {
        if (s->views && count * s->size > INT32_MAX) goto bad_spec;
        if (!(s->soff = take(s, a, s->views ? count * 16 : (count + 1) * 8, 1, NULL,
                             s->views ? "string views" : "string offsets"))) return -1;
        if (!(s->data = take(s, b, count * s->size, 1, NULL, "string data"))) return -1;
        if (!(s->t1 = take(s, c, 256, 0, NULL, "table"))) return -1;
        if (!s->views) s->soff[0] = 0;
        s->swar = 1;          /* the table is ASCII's own: bytes < 0x80 kept, the rest stop */
        for (int b = 0; b < 256 && s->swar; b++)
            if (s->t1[b] != (b < 0x80 ? b : 0x80)) s->swar = 0;
        return 0;
    }
    if (!(s->vals = take(s, a, count * 8, 1, NULL, "values"))) return -1;
    if (!(s->flag = take(s, b, count, 1, NULL, "bad"))) return -1;
    if (c && !(s->t1 = take(s, c, s->kind == ZONED ? 256 : 16, 0, &len, "table"))) return -1;
    if (d && !(s->t2 = take(s, d, s->kind == ZONED ? 256 : 16, 0, &len, "table"))) return -1;
    if (e && !(s->t3 = take(s, e, 256, 0, &len, "table"))) return -1;
    if (s->kind == ZONED) {
        /* digits are exactly the 10 bytes zero..zero+9 (digit_tab): when zero's low
         * nibble is 0 they are zone|0..zone|9 and eight are checked at once */
        int zero = -1;
        for (int b = 0; b < 256 && zero < 0; b++) if (!s->t1[b]) zero = b;
        s->swar = zero >= 0 && (zero & 0x0F) == 0;
        for (int b = 0; b < 256 && s->swar; b++)
            if (s->t1[b] != !(b >= zero && b <= zero + 9)) s->swar = 0;
        s->zones = s->swar ? 0x0101010101010101ULL * (uint64_t)(zero & 0xF0) : 0;
        s->zfill = s->swar ? 0x0101010101010101ULL * (uint64_t)zero : 0;
        /* digits start at body_start (+1 after a leading sign) and end within the field */
        if (s->off_min + s->body_start >= 7) s->load = LOAD_BACK;
        else if (s->off_max + s->body_start + 9 <= width) s->load = LOAD_FWD;
    }
    return 0;
bad_spec:
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "kernel: malformed field specification");
    return -1;
}

static int parse_encode(spec_t *s, PyObject *t, Py_ssize_t n, Py_ssize_t width) {
    PyObject *o_off, *a, *b, *c = NULL, *d = NULL, *o_neg = Py_None;
    memset(s, 0, sizeof *s);
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) < 1) goto bad_spec;
    s->kind = (int)PyLong_AsLong(PyTuple_GET_ITEM(t, 0));
    switch (s->kind) {
    case ZONED:
        if (!PyArg_ParseTuple(t, "iOOOnnnipnpiiOO|Op", &s->kind, &o_off, &a, &b, &s->k, &s->size,
                              &s->body_start, &s->zero, &s->is_signed, &s->sign_at, &s->separate,
                              &s->plus, &s->minus, &c, &d, &o_neg, &s->truncate)) return -1;
        if (s->k < 1 || s->k > 18 || s->body_start + s->k > s->size || s->sign_at >= s->size ||
            (s->is_signed && s->sign_at < 0)) goto bad_spec;
        break;
    case PACKED:
        if (!PyArg_ParseTuple(t, "iOOOnnp|Op", &s->kind, &o_off, &a, &b, &s->k, &s->size,
                              &s->is_signed, &o_neg, &s->truncate)) return -1;
        if (s->k < 1 || s->k > 18 || s->k > 2 * s->size - 1) goto bad_spec;
        break;
    case BINARY:
        if (!PyArg_ParseTuple(t, "iOOOnpLL", &s->kind, &o_off, &a, &b, &s->size, &s->big,
                              &s->lo, &s->hi)) return -1;
        if (s->size != 1 && s->size != 2 && s->size != 4 && s->size != 8) goto bad_spec;
        break;
    case TEXT: {
        PyObject *o_ovf, *o_bufs = NULL;
        if (!PyArg_ParseTuple(t, "iOOOOOnipO|O", &s->kind, &o_off, &a, &b, &c, &d, &s->size,
                              &s->pad, &s->right, &o_ovf, &o_bufs)) return -1;
        if (parse_offsets(s, o_off, width) < 0) return -1;
        Py_ssize_t count = n * s->m, len;
        if (o_bufs && o_bufs != Py_None) {
            s->views = 1;
            if (!(s->bufinfo = take(s, o_bufs, -1, 0, &len, "data buffers"))) return -1;
            s->nbuf = len / 16;
        }
        if (!(s->soff = take(s, a, s->views ? count * 16 : (count + 1) * 8, 0, NULL,
                             s->views ? "string views" : "string offsets"))) return -1;
        if (!(s->data = take(s, b, -1, 0, &s->data_len, "string data"))) return -1;
        if (!(s->t1 = take(s, c, 256, 0, NULL, "table"))) return -1;
        if (!(s->t2 = take(s, d, 256, 0, NULL, "mask"))) return -1;
        if (!(s->flag = take(s, o_ovf, count, 1, NULL, "overflow"))) return -1;
        s->swar = 1;          /* the page writes ASCII as itself and nothing else here */
        for (int b = 0; b < 256 && s->swar; b++)
            if (s->t2[b] != (b < 0x80) || (b < 0x80 && s->t1[b] != b)) s->swar = 0;
        return 0;
    }
    default:
        goto bad_spec;
    }
    if (parse_offsets(s, o_off, width) < 0) return -1;
    Py_ssize_t count = n * s->m;
    if (!(s->vals = take(s, a, count * 8, 0, NULL, "values"))) return -1;
    if (!(s->flag = take(s, b, count, 1, NULL, "error"))) return -1;
    if (o_neg != Py_None && !(s->negs = take(s, o_neg, count, 0, NULL, "negative"))) return -1;
    if (c && !(s->t1 = take(s, c, 10, 0, NULL, "table"))) return -1;
    if (d && !(s->t2 = take(s, d, 10, 0, NULL, "table"))) return -1;
    return 0;
bad_spec:
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "kernel: malformed field specification");
    return -1;
}

/* ------------------------------------------------------------ the passes */

/* One field over records i0..i1 (a tile small enough to stay in the cache while
 * every field of it is handled). The specification is copied to a local so the
 * compiler keeps it in registers: the byte stores of the loop could otherwise
 * alias it and force a reload at every record. */
#define TILE 256
static void field_rows(spec_t *sp, uint8_t *base, Py_ssize_t stride, Py_ssize_t i0,
                       Py_ssize_t i1, int encode) {
    spec_t s;
    memcpy(&s, sp, offsetof(spec_t, bufs));
    const Py_ssize_t m = s.m;
    const int64_t *off = s.off;
    int64_t *vals = s.vals;
    uint8_t *flag = s.flag;
/* the loop over records and occurrences, with the kind's code inside */
#define EACH(body) \
    for (Py_ssize_t i = i0; i < i1 && !s.stopped; i++) { \
        uint8_t *row = base + i * stride; \
        for (Py_ssize_t j = 0; j < m; j++) { \
            Py_ssize_t idx = i * m + j; \
            uint8_t *f = row + off[j]; \
            body; \
        } \
    }
    if (!encode) {
        switch (s.kind) {
        case ZONED: EACH(zoned_get(&s, f, vals + idx, flag + idx)); break;
        case PACKED: EACH(packed_get(&s, f, vals + idx, flag + idx)); break;
        case BINARY: EACH(binary_get(&s, f, vals + idx, flag + idx)); break;
        case TEXT:
            if (s.views) EACH(if (text_view(&s, f, idx) < 0) { s.stopped = 1; break; })
            else EACH(if (text_get(&s, f, idx) < 0) { s.stopped = 1; break; })
            break;
        }
    } else {
        switch (s.kind) {
        case ZONED: EACH(s.result += zoned_put(&s, f, vals[idx], idx, flag + idx)); break;
        case PACKED: EACH(s.result += packed_put(&s, f, vals[idx], idx, flag + idx)); break;
        case BINARY: EACH(binary_put(&s, f, vals[idx], flag + idx)); break;
        case TEXT: EACH(if (text_put(&s, f, idx) < 0) { s.stopped = 1; break; }); break;
        }
    }
#undef EACH
    sp->used = s.used;
    sp->result = s.result;
    sp->stopped = s.stopped;
}

static PyObject *run(PyObject *args, int encode) {
    PyObject *o_block, *o_specs;
    if (!PyArg_ParseTuple(args, "OO", &o_block, &o_specs)) return NULL;
    Py_buffer blk;
    int flags = PyBUF_STRIDED_RO | PyBUF_FORMAT | (encode ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(o_block, &blk, flags) < 0) return NULL;
    if (blk.ndim != 2 || blk.itemsize != 1 || (blk.shape[1] > 1 && blk.strides[1] != 1)) {
        PyErr_SetString(PyExc_ValueError, "kernel: a 2-D uint8 block with contiguous rows is needed");
        PyBuffer_Release(&blk);
        return NULL;
    }
    Py_ssize_t n = blk.shape[0], width = blk.shape[1], stride = blk.strides[0];
    PyObject *seq = PySequence_Fast(o_specs, "kernel: specifications must be a list");
    if (!seq) { PyBuffer_Release(&blk); return NULL; }
    Py_ssize_t ns = PySequence_Fast_GET_SIZE(seq), parsed = 0;
    spec_t *specs = PyMem_Calloc(ns ? ns : 1, sizeof(spec_t));
    PyObject *result = NULL;
    if (!specs) { PyErr_NoMemory(); goto done; }
    for (; parsed < ns; parsed++) {
        PyObject *t = PySequence_Fast_GET_ITEM(seq, parsed);
        int rc = encode ? parse_encode(&specs[parsed], t, n, width)
                        : parse_decode(&specs[parsed], t, n, width);
        if (rc < 0) { parsed++; goto done; }
    }
    Py_BEGIN_ALLOW_THREADS
    uint8_t *base = (uint8_t *)blk.buf;
    for (Py_ssize_t i0 = 0; i0 < n; i0 += TILE) {
        Py_ssize_t i1 = i0 + TILE < n ? i0 + TILE : n;
        for (Py_ssize_t q = 0; q < ns; q++)
            if (!specs[q].stopped) field_rows(&specs[q], base, stride, i0, i1, encode);
    }
    Py_END_ALLOW_THREADS
    result = PyList_New(ns);
    if (!result) goto done;
    for (Py_ssize_t q = 0; q < ns; q++) {
        spec_t *s = &specs[q];
        Py_ssize_t r = s->stopped ? -1 : (s->kind == TEXT && !encode ? s->used : s->result);
        PyObject *v = PyLong_FromSsize_t(r);
        if (!v) { Py_CLEAR(result); goto done; }
        PyList_SET_ITEM(result, q, v);
    }
done:
    if (specs) {
        for (Py_ssize_t q = 0; q < parsed; q++) release_spec(&specs[q]);
        PyMem_Free(specs);
    }
    Py_DECREF(seq);
    PyBuffer_Release(&blk);
    return result;
}

static PyObject *decode_fields(PyObject *self, PyObject *args) {
    (void)self;
    return run(args, 0);
}

static PyObject *encode_fields(PyObject *self, PyObject *args) {
    (void)self;
    return run(args, 1);
}

/* ------------------------------------------------------------ output buffers
 *
 * The columns a decode makes (values, flags, string data) are fresh memory at
 * every block; from malloc, the large ones are pages the system hands over
 * afresh each time (a page fault per 4 KiB, zeroed), which cost about as much
 * as the decoding itself. `empty(nbytes)` gives a writable buffer object whose
 * memory, once the last view of it is gone (the Polars frame dropped), goes
 * back to a small pool for the next block instead of to the system: the same
 * pages, already mapped. The pool keeps at most POOL_SLOTS buffers and
 * POOL_BYTES in all; anything beyond is freed. Small buffers (< POOL_MIN) are
 * plain malloc, which reuses them anyway. Everything runs under the GIL.
 */
#define POOL_SLOTS 64
#define POOL_MIN (64 << 10)
#define POOL_BYTES ((Py_ssize_t)64 << 20)

typedef struct { void *ptr; Py_ssize_t cap; } slot_t;
static slot_t pool[POOL_SLOTS];
static int pool_n = 0;
static Py_ssize_t pool_bytes = 0;

static void *pool_take(Py_ssize_t n, Py_ssize_t *cap) {
    int best = -1;
    if (n >= POOL_MIN)
        for (int i = 0; i < pool_n; i++)   /* the smallest that fits, not twice the need */
            if (pool[i].cap >= n && pool[i].cap <= 2 * n &&
                (best < 0 || pool[i].cap < pool[best].cap))
                best = i;
    if (best >= 0) {
        void *p = pool[best].ptr;
        *cap = pool[best].cap;
        pool_bytes -= *cap;
        pool[best] = pool[--pool_n];
        return p;
    }
    *cap = n;
    void *p = NULL;
    if (posix_memalign(&p, 64, (size_t)(n ? n : 1)) != 0) return NULL;
    return p;
}

static void pool_give(void *p, Py_ssize_t cap) {
    if (cap >= POOL_MIN && pool_n < POOL_SLOTS && pool_bytes + cap <= POOL_BYTES) {
        pool[pool_n].ptr = p;
        pool[pool_n].cap = cap;
        pool_n++;
        pool_bytes += cap;
    } else {
        free(p);
    }
}

typedef struct {
    PyObject_HEAD
    void *ptr;
    Py_ssize_t len, cap;
} BlockObject;

static void block_dealloc(BlockObject *self) {
    if (self->ptr) pool_give(self->ptr, self->cap);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int block_getbuffer(BlockObject *self, Py_buffer *view, int flags) {
    return PyBuffer_FillInfo(view, (PyObject *)self, self->ptr, self->len, 0, flags);
}

static PyBufferProcs block_as_buffer = {(getbufferproc)block_getbuffer, NULL};

static PyTypeObject BlockType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "engine.records._kernel.Block",
    .tp_basicsize = sizeof(BlockObject),
    .tp_dealloc = (destructor)block_dealloc,
    .tp_as_buffer = &block_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Writable memory for a kernel's output column; back to the pool when freed.",
};

static PyObject *empty(PyObject *self, PyObject *arg) {
    (void)self;
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    if (n < 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "kernel: negative size");
        return NULL;
    }
    BlockObject *b = PyObject_New(BlockObject, &BlockType);
    if (!b) return NULL;
    b->ptr = pool_take(n, &b->cap);
    b->len = n;
    if (!b->ptr) {
        Py_TYPE(b)->tp_free((PyObject *)b);
        return PyErr_NoMemory();
    }
    return (PyObject *)b;
}

static PyMethodDef methods[] = {
    {"decode_fields", decode_fields, METH_VARARGS,
     "decode_fields(block, specs): decode fields of every record in one pass."},
    {"encode_fields", encode_fields, METH_VARARGS,
     "encode_fields(block, specs): encode fields into every record in one pass."},
    {"empty", empty, METH_O,
     "empty(nbytes): writable memory for an output column, from the kernel's pool."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernel",
                                    "Compiled inner loops of densan's field codecs.", -1, methods,
                                    NULL, NULL, NULL, NULL};

#ifndef SOURCE_HASH
#define SOURCE_HASH "unknown"
#endif

PyMODINIT_FUNC PyInit__kernel(void) {
    fill_tables();
    if (PyType_Ready(&BlockType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    /* the source this was built from (setup.py): engine.native ignores a stale build */
    if (m != NULL && PyModule_AddStringConstant(m, "SOURCE_HASH", SOURCE_HASH) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

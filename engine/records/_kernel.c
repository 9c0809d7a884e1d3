/* The field codecs' inner loops in C: one pass over a column of fields, no
 * temporaries. Each function reads a (rows, bytes) uint8 block through the
 * buffer protocol (any row stride, so a field sliced out of a record array
 * needs no copy) and writes into output arrays the caller allocated (NumPy),
 * so the module needs Python's headers only, not NumPy's.
 *
 * The results are exactly those of the NumPy code in zoned.py, packed.py,
 * binary.py and text.py, invalid data included (the values of invalid fields
 * too: every digit position adds its low nibble, as the SWAR code does).
 * engine/records/kernel.py chooses between the two.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    Py_buffer view;
    const uint8_t *base;
    Py_ssize_t rows, cols, stride, colstride;
} block_t;

static int get_block(PyObject *obj, block_t *b) {
    if (PyObject_GetBuffer(obj, &b->view, PyBUF_STRIDED_RO | PyBUF_FORMAT) < 0)
        return -1;
    if (b->view.ndim != 2 || b->view.itemsize != 1) {
        PyErr_SetString(PyExc_ValueError, "kernel: a 2-D uint8 block is needed");
        PyBuffer_Release(&b->view);
        return -1;
    }
    b->base = (const uint8_t *)b->view.buf;
    b->rows = b->view.shape[0];
    b->cols = b->view.shape[1];
    b->stride = b->view.strides[0];
    b->colstride = b->view.strides[1];
    if (b->colstride != 1 && b->cols > 1) {
        PyErr_SetString(PyExc_ValueError, "kernel: the bytes of a row must be contiguous");
        PyBuffer_Release(&b->view);
        return -1;
    }
    return 0;
}

static int get_out(PyObject *obj, Py_buffer *v, Py_ssize_t nbytes, const char *what) {
    if (PyObject_GetBuffer(obj, v, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0)
        return -1;
    if (v->len < nbytes) {
        PyErr_Format(PyExc_ValueError, "kernel: %s buffer too small", what);
        PyBuffer_Release(v);
        return -1;
    }
    return 0;
}

static int get_in(PyObject *obj, Py_buffer *v, Py_ssize_t nbytes, const char *what) {
    if (PyObject_GetBuffer(obj, v, PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (v->len < nbytes) {
        PyErr_Format(PyExc_ValueError, "kernel: %s buffer too small", what);
        PyBuffer_Release(v);
        return -1;
    }
    return 0;
}

static const uint64_t POW10[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
    100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
    10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};

/* zoned_decode(block, values, bad, digit_tab, sign_tab, neg_tab, body_start, k, sign_at, separate)
 *   digit_tab[b]: 0 where b is a digit character, 1 otherwise
 *   sign_tab[b]:  the digit the sign byte b stands for, 0xFF when invalid
 *   neg_tab[b]:   1 where the sign byte b means negative
 *   sign_at:      index in the row of the sign byte, -1 when none (unsigned)
 *   separate:     the sign byte is outside the k digits (SIGN SEPARATE)   */
static PyObject *zoned_decode(PyObject *self, PyObject *args) {
    PyObject *o_block, *o_vals, *o_bad;
    Py_buffer dt, st, nt, vals, bad;
    Py_ssize_t body_start, k, sign_at;
    int separate;
    block_t b;
    if (!PyArg_ParseTuple(args, "OOOy*y*y*nnnp", &o_block, &o_vals, &o_bad, &dt, &st, &nt,
                          &body_start, &k, &sign_at, &separate))
        return NULL;
    if (get_block(o_block, &b) < 0) goto fail_tabs;
    if (get_out(o_vals, &vals, b.rows * 8, "values") < 0) goto fail_block;
    if (get_out(o_bad, &bad, b.rows, "bad") < 0) goto fail_vals;
    if (dt.len < 256 || st.len < 256 || nt.len < 256 || body_start + k > b.cols || sign_at >= b.cols) {
        PyErr_SetString(PyExc_ValueError, "kernel: zoned_decode arguments out of range");
        goto fail_all;
    }
    {
        const uint8_t *dtab = dt.buf, *stab = st.buf, *ntab = nt.buf;
        int64_t *out = vals.buf;
        uint8_t *obad = bad.buf;
        Py_ssize_t spos = (sign_at >= 0 && !separate) ? sign_at - body_start : -1;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < b.rows; i++) {
            const uint8_t *row = b.base + i * b.stride;
            const uint8_t *body = row + body_start;
            uint64_t u = 0;
            unsigned wrong = 0;
            int neg = 0;
            for (Py_ssize_t j = 0; j < k; j++) {
                uint8_t c = body[j];
                if (j == spos) {        /* an embedded sign: its own table */
                    uint8_t d = stab[c];
                    neg = ntab[c];
                    wrong |= (d == 0xFF);
                    u = u * 10 + (d == 0xFF ? 0 : d);
                } else {
                    wrong |= dtab[c];
                    u = u * 10 + (c & 0x0F);
                }
            }
            if (separate && sign_at >= 0) {
                uint8_t c = row[sign_at];
                neg = ntab[c];
                wrong |= (stab[c] == 0xFF);
            }
            out[i] = neg ? (int64_t)(0 - u) : (int64_t)u;
            obad[i] = wrong ? 1 : 0;
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&bad);
    PyBuffer_Release(&vals);
    PyBuffer_Release(&b.view);
    PyBuffer_Release(&dt); PyBuffer_Release(&st); PyBuffer_Release(&nt);
    Py_RETURN_NONE;
fail_all:
    PyBuffer_Release(&bad);
fail_vals:
    PyBuffer_Release(&vals);
fail_block:
    PyBuffer_Release(&b.view);
fail_tabs:
    PyBuffer_Release(&dt); PyBuffer_Release(&st); PyBuffer_Release(&nt);
    return NULL;
}

/* packed_decode(block, values, bad, pad, sign_ok, sign_neg)
 *   every nibble but the last is a digit (taken as it is: A-F add 10-15 to the
 *   value, and mark the field bad); the first `pad` nibbles must be 0;
 *   sign_ok[16], sign_neg[16] judge the last nibble.                        */
static PyObject *packed_decode(PyObject *self, PyObject *args) {
    PyObject *o_block, *o_vals, *o_bad;
    Py_buffer ok, ng, vals, bad;
    Py_ssize_t pad;
    block_t b;
    if (!PyArg_ParseTuple(args, "OOOny*y*", &o_block, &o_vals, &o_bad, &pad, &ok, &ng))
        return NULL;
    if (get_block(o_block, &b) < 0) goto fail_tabs;
    if (get_out(o_vals, &vals, b.rows * 8, "values") < 0) goto fail_block;
    if (get_out(o_bad, &bad, b.rows, "bad") < 0) goto fail_vals;
    if (ok.len < 16 || ng.len < 16 || b.cols < 1 || b.cols > 10 || pad < 0 || pad > 2 * b.cols - 1) {
        PyErr_SetString(PyExc_ValueError, "kernel: packed_decode arguments out of range");
        PyBuffer_Release(&bad);
        goto fail_vals;
    }
    {
        const uint8_t *sok = ok.buf, *sneg = ng.buf;
        int64_t *out = vals.buf;
        uint8_t *obad = bad.buf;
        Py_ssize_t w = b.cols;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < b.rows; i++) {
            const uint8_t *row = b.base + i * b.stride;
            uint64_t u = 0, padbits = 0;
            unsigned wrong = 0;
            for (Py_ssize_t j = 0; j < w - 1; j++) {
                uint8_t c = row[j];
                unsigned hi = c >> 4, lo = c & 0x0F;
                wrong |= (hi > 9) | (lo > 9);
                u = u * 100 + hi * 10 + lo;
            }
            uint8_t last = row[w - 1];
            unsigned hi = last >> 4, sign = last & 0x0F;
            wrong |= (hi > 9);
            u = u * 10 + hi;
            if (pad) {
                /* the pad nibbles are the first ones */
                for (Py_ssize_t p = 0; p < pad; p++) {
                    uint8_t c = row[p >> 1];
                    padbits |= (p & 1) ? (c & 0x0F) : (c >> 4);
                }
            }
            wrong |= (padbits != 0) | !sok[sign];
            out[i] = sneg[sign] ? (int64_t)(0 - u) : (int64_t)u;
            obad[i] = wrong ? 1 : 0;
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&bad);
    PyBuffer_Release(&vals);
    PyBuffer_Release(&b.view);
    PyBuffer_Release(&ok); PyBuffer_Release(&ng);
    Py_RETURN_NONE;
fail_vals:
    PyBuffer_Release(&vals);
fail_block:
    PyBuffer_Release(&b.view);
fail_tabs:
    PyBuffer_Release(&ok); PyBuffer_Release(&ng);
    return NULL;
}

/* Shared by the decimal encoders: |v| and whether the field can hold it.
 * -0 does not exist in int64; a negative value that does not fit is written
 * as zero (and flagged), as values_to_digits does.                          */
static inline uint64_t magnitude(int64_t v, int *neg, int *overflow, Py_ssize_t k) {
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    *overflow = k < 20 && m >= POW10[k];
    if (*overflow) m = 0;
    *neg = v < 0 && m != 0;
    return m;
}

/* zoned_encode(values, out, error, k, size, body_start, zero, signed, sign_at, separate,
 *              plus, minus, enc_pos, enc_neg) -> number of negative values written
 *              (that fit), for the error message of an unsigned field          */
static PyObject *zoned_encode(PyObject *self, PyObject *args) {
    PyObject *o_vals, *o_out, *o_err;
    Py_buffer vals, out, err, ep, en;
    Py_ssize_t k, size, body_start, sign_at;
    int zero, is_signed, separate, plus, minus;
    if (!PyArg_ParseTuple(args, "OOOnnnipnpiiy*y*", &o_vals, &o_out, &o_err, &k, &size,
                          &body_start, &zero, &is_signed, &sign_at, &separate, &plus, &minus,
                          &ep, &en))
        return NULL;
    if (PyObject_GetBuffer(o_vals, &vals, PyBUF_C_CONTIGUOUS) < 0) goto fail_tabs;
    Py_ssize_t n = vals.len / 8;
    if (get_out(o_out, &out, n * size, "out") < 0) goto fail_vals;
    if (get_out(o_err, &err, n, "error") < 0) goto fail_out;
    if (k < 1 || k > 18 || ep.len < 10 || en.len < 10 || body_start + k > size || sign_at >= size) {
        PyErr_SetString(PyExc_ValueError, "kernel: zoned_encode arguments out of range");
        PyBuffer_Release(&err);
        goto fail_out;
    }
    Py_ssize_t negatives = 0;
    {
        const int64_t *v = vals.buf;
        uint8_t *o = out.buf, *e = err.buf;
        const uint8_t *epos = ep.buf, *eneg = en.buf;
        Py_ssize_t spos = (is_signed && !separate) ? sign_at - body_start : -1;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++) {
            int neg, overflow;
            uint64_t m = magnitude(v[i], &neg, &overflow, k);
            uint8_t *row = o + i * size;
            uint8_t *body = row + body_start;
            for (Py_ssize_t j = k - 1; j >= 0; j--) {
                body[j] = (uint8_t)(zero + (m % 10));
                m /= 10;
            }
            if (is_signed) {
                if (separate)
                    row[sign_at] = (uint8_t)(neg ? minus : plus);
                else {
                    unsigned d = body[spos] - zero;
                    body[spos] = neg ? eneg[d] : epos[d];
                }
            }
            negatives += neg;
            e[i] = (uint8_t)(overflow | (!is_signed && neg));
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&err);
    PyBuffer_Release(&out);
    PyBuffer_Release(&vals);
    PyBuffer_Release(&ep); PyBuffer_Release(&en);
    return PyLong_FromSsize_t(negatives);
fail_out:
    PyBuffer_Release(&out);
fail_vals:
    PyBuffer_Release(&vals);
fail_tabs:
    PyBuffer_Release(&ep); PyBuffer_Release(&en);
    return NULL;
}

/* packed_encode(values, out, error, k, size, signed) -> negatives written (see above) */
static PyObject *packed_encode(PyObject *self, PyObject *args) {
    PyObject *o_vals, *o_out, *o_err;
    Py_buffer vals, out, err;
    Py_ssize_t k, size;
    int is_signed;
    if (!PyArg_ParseTuple(args, "OOOnnp", &o_vals, &o_out, &o_err, &k, &size, &is_signed))
        return NULL;
    if (PyObject_GetBuffer(o_vals, &vals, PyBUF_C_CONTIGUOUS) < 0) return NULL;
    Py_ssize_t n = vals.len / 8;
    if (get_out(o_out, &out, n * size, "out") < 0) goto fail_vals;
    if (get_out(o_err, &err, n, "error") < 0) goto fail_out;
    if (k < 1 || k > 18 || k > 2 * size - 1) {
        PyErr_SetString(PyExc_ValueError, "kernel: packed_encode arguments out of range");
        PyBuffer_Release(&err);
        goto fail_out;
    }
    Py_ssize_t negatives = 0;
    {
        const int64_t *v = vals.buf;
        uint8_t *o = out.buf, *e = err.buf;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++) {
            int neg, overflow;
            uint64_t m = magnitude(v[i], &neg, &overflow, k);
            uint8_t *row = o + i * size;
            unsigned sign = is_signed ? (neg ? 0x0D : 0x0C) : 0x0F;
            row[size - 1] = (uint8_t)(((m % 10) << 4) | sign);
            m /= 10;
            for (Py_ssize_t j = size - 2; j >= 0; j--) {
                unsigned lo = m % 10;
                m /= 10;
                row[j] = (uint8_t)(((m % 10) << 4) | lo);
                m /= 10;
            }
            negatives += neg;
            e[i] = (uint8_t)(overflow | (!is_signed && neg));
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&err);
    PyBuffer_Release(&out);
    PyBuffer_Release(&vals);
    return PyLong_FromSsize_t(negatives);
fail_out:
    PyBuffer_Release(&out);
fail_vals:
    PyBuffer_Release(&vals);
    return NULL;
}

/* binary_decode(block, values, bad, signed, big): 1, 2, 4 or 8 bytes to int64;
 * an unsigned 8-byte value above 2**63 - 1 is bad (its int64 wraps).          */
static PyObject *binary_decode(PyObject *self, PyObject *args) {
    PyObject *o_block, *o_vals, *o_bad;
    Py_buffer vals, bad;
    int is_signed, big;
    block_t b;
    if (!PyArg_ParseTuple(args, "OOOpp", &o_block, &o_vals, &o_bad, &is_signed, &big))
        return NULL;
    if (get_block(o_block, &b) < 0) return NULL;
    if (get_out(o_vals, &vals, b.rows * 8, "values") < 0) goto fail_block;
    if (get_out(o_bad, &bad, b.rows, "bad") < 0) goto fail_vals;
    Py_ssize_t w = b.cols;
    if (w != 1 && w != 2 && w != 4 && w != 8) {
        PyErr_SetString(PyExc_ValueError, "kernel: binary size must be 1, 2, 4 or 8");
        PyBuffer_Release(&bad);
        goto fail_vals;
    }
    {
        int64_t *out = vals.buf;
        uint8_t *obad = bad.buf;
        unsigned shift = (unsigned)(64 - 8 * w);
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < b.rows; i++) {
            const uint8_t *row = b.base + i * b.stride;
            uint64_t u = 0;
            if (big)
                for (Py_ssize_t j = 0; j < w; j++) u = (u << 8) | row[j];
            else
                for (Py_ssize_t j = w - 1; j >= 0; j--) u = (u << 8) | row[j];
            int64_t s;
            if (is_signed)
                s = shift ? ((int64_t)(u << shift)) >> shift : (int64_t)u;
            else
                s = (int64_t)u;
            out[i] = s;
            obad[i] = (!is_signed && w == 8 && (u >> 63)) ? 1 : 0;
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&bad);
    PyBuffer_Release(&vals);
    PyBuffer_Release(&b.view);
    Py_RETURN_NONE;
fail_vals:
    PyBuffer_Release(&vals);
fail_block:
    PyBuffer_Release(&b.view);
    return NULL;
}

/* binary_encode(values, out, error, size, big, lo, hi): values outside lo..hi
 * are flagged and written as zero.                                            */
static PyObject *binary_encode(PyObject *self, PyObject *args) {
    PyObject *o_vals, *o_out, *o_err;
    Py_buffer vals, out, err;
    Py_ssize_t size;
    int big;
    long long lo, hi;
    if (!PyArg_ParseTuple(args, "OOOnpLL", &o_vals, &o_out, &o_err, &size, &big, &lo, &hi))
        return NULL;
    if (PyObject_GetBuffer(o_vals, &vals, PyBUF_C_CONTIGUOUS) < 0) return NULL;
    Py_ssize_t n = vals.len / 8;
    if (get_out(o_out, &out, n * size, "out") < 0) goto fail_vals;
    if (get_out(o_err, &err, n, "error") < 0) goto fail_out;
    if (size != 1 && size != 2 && size != 4 && size != 8) {
        PyErr_SetString(PyExc_ValueError, "kernel: binary size must be 1, 2, 4 or 8");
        PyBuffer_Release(&err);
        goto fail_out;
    }
    {
        const int64_t *v = vals.buf;
        uint8_t *o = out.buf, *e = err.buf;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++) {
            int64_t x = v[i];
            int wrong = x < lo || x > hi;
            uint64_t u = wrong ? 0 : (uint64_t)x;
            uint8_t *row = o + i * size;
            if (big)
                for (Py_ssize_t j = size - 1; j >= 0; j--) { row[j] = (uint8_t)u; u >>= 8; }
            else
                for (Py_ssize_t j = 0; j < size; j++) { row[j] = (uint8_t)u; u >>= 8; }
            e[i] = (uint8_t)wrong;
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&err);
    PyBuffer_Release(&out);
    PyBuffer_Release(&vals);
    Py_RETURN_NONE;
fail_out:
    PyBuffer_Release(&out);
fail_vals:
    PyBuffer_Release(&vals);
    return NULL;
}

/* text_decode(block, table, strip, offsets, data) -> bytes used, or -1
 *   table[b]: the UTF-8 byte of a plain one-byte character, 0x80 otherwise;
 *   the first 0x80 stops the kernel (-1): the caller takes the general path.
 *   strip: 0 none, 1 trailing spaces, 2 leading and trailing.               */
static PyObject *text_decode(PyObject *self, PyObject *args) {
    PyObject *o_block, *o_off, *o_data;
    Py_buffer tab, off, data;
    int strip;
    block_t b;
    if (!PyArg_ParseTuple(args, "Oy*iOO", &o_block, &tab, &strip, &o_off, &o_data))
        return NULL;
    if (get_block(o_block, &b) < 0) goto fail_tab;
    if (get_out(o_off, &off, (b.rows + 1) * 8, "offsets") < 0) goto fail_block;
    if (get_out(o_data, &data, b.rows * b.cols, "data") < 0) goto fail_off;
    if (tab.len < 256) {
        PyErr_SetString(PyExc_ValueError, "kernel: text_decode table must have 256 entries");
        PyBuffer_Release(&data);
        goto fail_off;
    }
    Py_ssize_t used = 0;
    int plain = 1;
    {
        const uint8_t *t = tab.buf;
        int64_t *o = off.buf;
        uint8_t *d = data.buf;
        Py_ssize_t w = b.cols;
        Py_BEGIN_ALLOW_THREADS
        o[0] = 0;
        for (Py_ssize_t i = 0; i < b.rows && plain; i++) {
            const uint8_t *row = b.base + i * b.stride;
            uint8_t *dst = d + used;
            unsigned any = 0;
            for (Py_ssize_t j = 0; j < w; j++) {
                uint8_t c = t[row[j]];
                any |= c;
                dst[j] = c;
            }
            if (any & 0x80) { plain = 0; break; }
            Py_ssize_t end = w, start = 0;
            if (strip)
                while (end > 0 && dst[end - 1] == ' ') end--;
            if (strip == 2) {
                while (start < end && dst[start] == ' ') start++;
                if (start) memmove(dst, dst + start, (size_t)(end - start));
            }
            used += end - start;
            o[i + 1] = used;
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&data);
    PyBuffer_Release(&off);
    PyBuffer_Release(&b.view);
    PyBuffer_Release(&tab);
    return PyLong_FromSsize_t(plain ? used : -1);
fail_off:
    PyBuffer_Release(&off);
fail_block:
    PyBuffer_Release(&b.view);
fail_tab:
    PyBuffer_Release(&tab);
    return NULL;
}

/* text_encode(offsets, data, table, ok, width, pad, right, out, overflow) -> 0, or -1
 *   offsets (n+1 int64, from 0) and data: UTF-8 strings; ok[b] = 1 where b is an
 *   ASCII character of one byte in the page, table[b] its byte. Any other byte
 *   stops the kernel (-1): the caller takes the general path. Too long strings
 *   are cut (their start kept, their end when justified right) and flagged.   */
static PyObject *text_encode(PyObject *self, PyObject *args) {
    PyObject *o_off, *o_data, *o_out, *o_ovf;
    Py_buffer off, data, tab, okb, out, ovf;
    Py_ssize_t width;
    int pad, right;
    if (!PyArg_ParseTuple(args, "OOy*y*nipOO", &o_off, &o_data, &tab, &okb, &width, &pad,
                          &right, &o_out, &o_ovf))
        return NULL;
    if (PyObject_GetBuffer(o_off, &off, PyBUF_C_CONTIGUOUS) < 0) goto fail_tabs;
    Py_ssize_t n = off.len / 8 - 1;
    if (n < 0) n = 0;
    if (PyObject_GetBuffer(o_data, &data, PyBUF_C_CONTIGUOUS) < 0) goto fail_off;
    if (get_out(o_out, &out, n * width, "out") < 0) goto fail_data;
    if (get_out(o_ovf, &ovf, n, "overflow") < 0) goto fail_out;
    if (tab.len < 256 || okb.len < 256) {
        PyErr_SetString(PyExc_ValueError, "kernel: text_encode tables must have 256 entries");
        PyBuffer_Release(&ovf);
        goto fail_out;
    }
    int plain = 1;
    {
        const int64_t *o = off.buf;
        const uint8_t *src = data.buf, *t = tab.buf, *ok = okb.buf;
        uint8_t *dst = out.buf, *ov = ovf.buf;
        Py_ssize_t total = data.len;
        Py_BEGIN_ALLOW_THREADS
        if (n && (o[0] != 0 || o[n] > total)) plain = 0;
        for (Py_ssize_t i = 0; i < n && plain; i++) {
            Py_ssize_t a = o[i], len = o[i + 1] - o[i];
            unsigned bad = 0;
            for (Py_ssize_t j = 0; j < len; j++) bad |= !ok[src[a + j]];
            if (bad) { plain = 0; break; }
            uint8_t *row = dst + i * width;
            Py_ssize_t keep = len < width ? len : width;
            Py_ssize_t from = (right && len > width) ? a + len - width : a;
            Py_ssize_t at = right ? width - keep : 0;
            memset(row, pad, (size_t)width);
            for (Py_ssize_t j = 0; j < keep; j++) row[at + j] = t[src[from + j]];
            ov[i] = len > width;
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&ovf);
    PyBuffer_Release(&out);
    PyBuffer_Release(&data);
    PyBuffer_Release(&off);
    PyBuffer_Release(&tab); PyBuffer_Release(&okb);
    return PyLong_FromLong(plain ? 0 : -1);
fail_out:
    PyBuffer_Release(&out);
fail_data:
    PyBuffer_Release(&data);
fail_off:
    PyBuffer_Release(&off);
fail_tabs:
    PyBuffer_Release(&tab); PyBuffer_Release(&okb);
    return NULL;
}

static PyMethodDef methods[] = {
    {"zoned_decode", zoned_decode, METH_VARARGS, "Zoned decimal column -> int64 values, bad flags."},
    {"packed_decode", packed_decode, METH_VARARGS, "Packed decimal column -> int64 values, bad flags."},
    {"zoned_encode", zoned_encode, METH_VARARGS, "int64 values -> zoned decimal column."},
    {"packed_encode", packed_encode, METH_VARARGS, "int64 values -> packed decimal column."},
    {"binary_decode", binary_decode, METH_VARARGS, "Binary integer column -> int64 values."},
    {"binary_encode", binary_encode, METH_VARARGS, "int64 values -> binary integer column."},
    {"text_decode", text_decode, METH_VARARGS, "Single-byte text column -> string buffers."},
    {"text_encode", text_encode, METH_VARARGS, "String buffers -> single-byte text column."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernel",
                                    "Compiled inner loops of densan's field codecs.", -1, methods};

PyMODINIT_FUNC PyInit__kernel(void) { return PyModule_Create(&module); }

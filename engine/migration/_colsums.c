/* Compiled kernels of `densan compare` (engine/migration/colsums.py and compare.py
 * hold the NumPy versions, which give the same results):
 *
 *   column_stats(data, xor, lo, hi, ranges, hist_cols, sums, xmax, lowmax, lowsum, hists)
 *       over the records (rows of `data`): per column lo..hi-1 the sum of the bytes
 *       and the max of byte ^ xor[c]; per column of the [start, stop) pairs in
 *       `ranges` the max and the sum of the low nibbles; 256-bin counts of the
 *       bytes of the columns in hist_cols.
 *   key_order(data, offsets, sizes) -> (first row whose key is below the one
 *       before it, or -1; number of rows whose key equals the one before)
 *   rows_differ(a, b, key_offsets, key_sizes, out) -> number of differing rows whose
 *       key differs too; out[i] = row i of a differs from row i of b
 *   segment_diffs(a, b, bounds, out) -> out[i, j] = row i differs in bytes
 *       bounds[j]..bounds[j+1]-1
 *
 * `data` is any 2-D uint8 buffer whose bytes within a row are contiguous (a slice
 * of rows of a mapped file is fine). Output arrays are accumulated into, not reset.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static int get_rows(PyObject *obj, Py_buffer *v, Py_ssize_t *n, Py_ssize_t *w, Py_ssize_t *stride) {
    if (PyObject_GetBuffer(obj, v, PyBUF_STRIDES | PyBUF_FORMAT) < 0) return -1;
    if (v->ndim != 2 || v->itemsize != 1 || (v->shape[1] > 1 && v->strides[1] != 1) || v->strides[0] < 0) {
        PyErr_SetString(PyExc_ValueError, "data must be a 2-D uint8 array with contiguous rows");
        PyBuffer_Release(v);
        return -1;
    }
    *n = v->shape[0];
    *w = v->shape[1];
    *stride = v->strides[0];
    return 0;
}

static int get_out(PyObject *obj, Py_buffer *v, Py_ssize_t nbytes, const char *what) {
    if (PyObject_GetBuffer(obj, v, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (v->len < nbytes) {
        PyErr_Format(PyExc_ValueError, "%s is too small", what);
        PyBuffer_Release(v);
        return -1;
    }
    return 0;
}

#define BATCH 256     /* rows summed in 16-bit lanes (255 * 256 fits) before they go to 64-bit totals */

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CLONES
#endif

/* Sums and maxima of byte ^ xor over columns lo..hi-1 of n rows. */
CLONES static void byte_stats(const uint8_t *base, Py_ssize_t stride, Py_ssize_t n, Py_ssize_t lo,
                              Py_ssize_t hi, const uint8_t *xr, uint64_t *sums, uint8_t *restrict xmax,
                              uint16_t *restrict scratch) {
    Py_ssize_t width = hi - lo;
    uint16_t *s16 = scratch;
    uint8_t *mx = xmax + lo;
    const uint8_t *xx = xr + lo;
    for (Py_ssize_t start = 0; start < n; start += BATCH) {
        Py_ssize_t stop = start + BATCH < n ? start + BATCH : n;
        memset(s16, 0, width * sizeof(uint16_t));
        for (Py_ssize_t i = start; i < stop; i++) {
            const uint8_t *row = base + i * stride + lo;
            for (Py_ssize_t c = 0; c < width; c++) {
                uint8_t v = row[c];
                uint8_t t = v ^ xx[c];
                s16[c] += v;
                mx[c] = t > mx[c] ? t : mx[c];
            }
        }
        for (Py_ssize_t c = 0; c < width; c++) sums[lo + c] += s16[c];
    }
}

/* Sums and maxima of the low nibbles over columns lo..hi-1 of n rows. */
CLONES static void nibble_stats(const uint8_t *base, Py_ssize_t stride, Py_ssize_t n, Py_ssize_t lo,
                                Py_ssize_t hi, uint64_t *lsum, uint8_t *restrict lmax,
                                uint16_t *restrict scratch) {
    Py_ssize_t width = hi - lo;
    uint16_t *s16 = scratch;
    uint8_t *mx = lmax + lo;
    for (Py_ssize_t start = 0; start < n; start += BATCH) {
        Py_ssize_t stop = start + BATCH < n ? start + BATCH : n;
        memset(s16, 0, width * sizeof(uint16_t));
        for (Py_ssize_t i = start; i < stop; i++) {
            const uint8_t *row = base + i * stride + lo;
            for (Py_ssize_t c = 0; c < width; c++) {
                uint8_t l = row[c] & 0x0F;
                s16[c] += l;
                mx[c] = l > mx[c] ? l : mx[c];
            }
        }
        for (Py_ssize_t c = 0; c < width; c++) lsum[lo + c] += s16[c];
    }
}

static PyObject *column_stats(PyObject *self, PyObject *args) {
    PyObject *o_data, *o_xor, *o_ranges, *o_hcols, *o_sums, *o_xmax, *o_lmax, *o_lsum, *o_hists;
    Py_ssize_t lo, hi;
    if (!PyArg_ParseTuple(args, "OOnnOOOOOOO", &o_data, &o_xor, &lo, &hi, &o_ranges, &o_hcols, &o_sums,
                          &o_xmax, &o_lmax, &o_lsum, &o_hists))
        return NULL;
    Py_buffer d, x, rg, hc, s, xm, lm, ls, h;
    Py_ssize_t n, w, stride;
    if (get_rows(o_data, &d, &n, &w, &stride) < 0) return NULL;
    if (lo < 0 || hi > w || lo > hi) {
        PyBuffer_Release(&d);
        PyErr_SetString(PyExc_ValueError, "column range outside the records");
        return NULL;
    }
    if (PyObject_GetBuffer(o_xor, &x, PyBUF_C_CONTIGUOUS) < 0) { PyBuffer_Release(&d); return NULL; }
    if (PyObject_GetBuffer(o_ranges, &rg, PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&d); PyBuffer_Release(&x); return NULL;
    }
    if (PyObject_GetBuffer(o_hcols, &hc, PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&d); PyBuffer_Release(&x); PyBuffer_Release(&rg); return NULL;
    }
    Py_ssize_t k = hc.len / (Py_ssize_t)sizeof(int64_t), nranges = rg.len / (Py_ssize_t)(2 * sizeof(int64_t));
    const int64_t *hcols = (const int64_t *)hc.buf, *rgs = (const int64_t *)rg.buf;
    int ok = x.len >= w;
    for (Py_ssize_t j = 0; ok && j < k; j++) ok = hcols[j] >= 0 && hcols[j] < w;
    for (Py_ssize_t j = 0; ok && j < nranges; j++) ok = rgs[2 * j] >= 0 && rgs[2 * j] <= rgs[2 * j + 1] && rgs[2 * j + 1] <= w;
    if (!ok) {
        PyBuffer_Release(&d); PyBuffer_Release(&x); PyBuffer_Release(&rg); PyBuffer_Release(&hc);
        PyErr_SetString(PyExc_ValueError, "xor or histogram columns do not fit the records");
        return NULL;
    }
    if (get_out(o_sums, &s, w * 8, "sums") < 0) goto fail0;
    if (get_out(o_xmax, &xm, w, "xmax") < 0) goto fail1;
    if (get_out(o_lmax, &lm, w, "lowmax") < 0) goto fail2;
    if (get_out(o_lsum, &ls, w * 8, "lowsum") < 0) goto fail3;
    if (get_out(o_hists, &h, k * 256 * 8, "hists") < 0) goto fail4;

    {
        const uint8_t *xr = (const uint8_t *)x.buf, *base = (const uint8_t *)d.buf;
        const int64_t *ranges = (const int64_t *)rg.buf;
        uint64_t *sums = (uint64_t *)s.buf, *lsum = (uint64_t *)ls.buf, *hists = (uint64_t *)h.buf;
        uint8_t *xmax = (uint8_t *)xm.buf, *lmax = (uint8_t *)lm.buf;
        uint16_t *scratch = malloc((w > 0 ? w : 1) * sizeof(uint16_t));
        if (!scratch) {
            PyErr_NoMemory();
            PyBuffer_Release(&h);
            goto fail4;
        }
        Py_BEGIN_ALLOW_THREADS
        /* a slice of rows at a time, so the nibble pass finds them in cache */
        for (Py_ssize_t start = 0; start < n; start += 4096) {
            Py_ssize_t m = start + 4096 < n ? 4096 : n - start;
            const uint8_t *rows = base + start * stride;
            byte_stats(rows, stride, m, lo, hi, xr, sums, xmax, scratch);
            for (Py_ssize_t r = 0; r < nranges; r++)
                nibble_stats(rows, stride, m, ranges[2 * r], ranges[2 * r + 1], lsum, lmax, scratch);
            for (Py_ssize_t i = 0; i < m; i++) {
                const uint8_t *row = rows + i * stride;
                for (Py_ssize_t j = 0; j < k; j++) hists[j * 256 + row[hcols[j]]]++;
            }
        }
        Py_END_ALLOW_THREADS
        free(scratch);
    }
    PyBuffer_Release(&h); PyBuffer_Release(&ls); PyBuffer_Release(&lm); PyBuffer_Release(&xm);
    PyBuffer_Release(&s); PyBuffer_Release(&hc); PyBuffer_Release(&rg); PyBuffer_Release(&x); PyBuffer_Release(&d);
    Py_RETURN_NONE;
fail4: PyBuffer_Release(&ls);
fail3: PyBuffer_Release(&lm);
fail2: PyBuffer_Release(&xm);
fail1: PyBuffer_Release(&s);
fail0: PyBuffer_Release(&hc); PyBuffer_Release(&rg); PyBuffer_Release(&x); PyBuffer_Release(&d);
    return NULL;
}

static PyObject *key_order(PyObject *self, PyObject *args) {
    PyObject *o_data, *o_off, *o_size;
    if (!PyArg_ParseTuple(args, "OOO", &o_data, &o_off, &o_size)) return NULL;
    Py_buffer d, of, sz;
    Py_ssize_t n, w, stride;
    if (get_rows(o_data, &d, &n, &w, &stride) < 0) return NULL;
    if (PyObject_GetBuffer(o_off, &of, PyBUF_C_CONTIGUOUS) < 0) { PyBuffer_Release(&d); return NULL; }
    if (PyObject_GetBuffer(o_size, &sz, PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&d); PyBuffer_Release(&of); return NULL;
    }
    Py_ssize_t k = of.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t *off = (const int64_t *)of.buf, *size = (const int64_t *)sz.buf;
    int ok = sz.len / (Py_ssize_t)sizeof(int64_t) == k;
    for (Py_ssize_t j = 0; ok && j < k; j++) ok = off[j] >= 0 && size[j] >= 0 && off[j] + size[j] <= w;
    if (!ok) {
        PyBuffer_Release(&d); PyBuffer_Release(&of); PyBuffer_Release(&sz);
        PyErr_SetString(PyExc_ValueError, "key spans do not fit the records");
        return NULL;
    }
    Py_ssize_t first_down = -1, dups = 0;
    Py_BEGIN_ALLOW_THREADS
    const uint8_t *base = (const uint8_t *)d.buf;
    for (Py_ssize_t i = 1; i < n; i++) {
        const uint8_t *prev = base + (i - 1) * stride, *row = base + i * stride;
        int cmp = 0;
        for (Py_ssize_t j = 0; j < k && cmp == 0; j++) cmp = memcmp(row + off[j], prev + off[j], size[j]);
        if (cmp < 0) { first_down = i; break; }
        if (cmp == 0) dups++;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&d); PyBuffer_Release(&of); PyBuffer_Release(&sz);
    return Py_BuildValue("nn", first_down, dups);
}

static PyObject *rows_differ(PyObject *self, PyObject *args) {
    PyObject *o_a, *o_b, *o_off, *o_size, *o_out;
    if (!PyArg_ParseTuple(args, "OOOOO", &o_a, &o_b, &o_off, &o_size, &o_out)) return NULL;
    Py_buffer a, b, of, sz, out;
    Py_ssize_t n, w, sa, nb, wb, sb;
    if (get_rows(o_a, &a, &n, &w, &sa) < 0) return NULL;
    if (get_rows(o_b, &b, &nb, &wb, &sb) < 0) { PyBuffer_Release(&a); return NULL; }
    if (nb != n || wb != w) {
        PyBuffer_Release(&a); PyBuffer_Release(&b);
        PyErr_SetString(PyExc_ValueError, "a and b must have the same shape");
        return NULL;
    }
    if (PyObject_GetBuffer(o_off, &of, PyBUF_C_CONTIGUOUS) < 0) { PyBuffer_Release(&a); PyBuffer_Release(&b); return NULL; }
    if (PyObject_GetBuffer(o_size, &sz, PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&a); PyBuffer_Release(&b); PyBuffer_Release(&of); return NULL;
    }
    Py_ssize_t k = of.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t *off = (const int64_t *)of.buf, *size = (const int64_t *)sz.buf;
    int ok = sz.len / (Py_ssize_t)sizeof(int64_t) == k;
    for (Py_ssize_t j = 0; ok && j < k; j++) ok = off[j] >= 0 && size[j] >= 0 && off[j] + size[j] <= w;
    if (!ok || get_out(o_out, &out, n, "out") < 0) {
        if (!ok) PyErr_SetString(PyExc_ValueError, "key spans do not fit the records");
        PyBuffer_Release(&a); PyBuffer_Release(&b); PyBuffer_Release(&of); PyBuffer_Release(&sz);
        return NULL;
    }
    Py_ssize_t keys_differ = 0;
    Py_BEGIN_ALLOW_THREADS
    const uint8_t *pa = (const uint8_t *)a.buf, *pb = (const uint8_t *)b.buf;
    uint8_t *o = (uint8_t *)out.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        const uint8_t *ra = pa + i * sa, *rb = pb + i * sb;
        int d = memcmp(ra, rb, w) != 0;
        o[i] = (uint8_t)d;
        if (d) {
            for (Py_ssize_t j = 0; j < k; j++)
                if (memcmp(ra + off[j], rb + off[j], size[j])) { keys_differ++; break; }
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&a); PyBuffer_Release(&b); PyBuffer_Release(&of); PyBuffer_Release(&sz);
    PyBuffer_Release(&out);
    return PyLong_FromSsize_t(keys_differ);
}

static PyObject *segment_diffs(PyObject *self, PyObject *args) {
    PyObject *o_a, *o_b, *o_bounds, *o_out;
    if (!PyArg_ParseTuple(args, "OOOO", &o_a, &o_b, &o_bounds, &o_out)) return NULL;
    Py_buffer a, b, bd, out;
    Py_ssize_t n, w, sa, nb, wb, sb;
    if (get_rows(o_a, &a, &n, &w, &sa) < 0) return NULL;
    if (get_rows(o_b, &b, &nb, &wb, &sb) < 0) { PyBuffer_Release(&a); return NULL; }
    if (PyObject_GetBuffer(o_bounds, &bd, PyBUF_C_CONTIGUOUS) < 0) { PyBuffer_Release(&a); PyBuffer_Release(&b); return NULL; }
    Py_ssize_t k = bd.len / (Py_ssize_t)sizeof(int64_t) - 1;
    const int64_t *bounds = (const int64_t *)bd.buf;
    int ok = nb == n && wb == w && k >= 0;
    for (Py_ssize_t j = 0; ok && j <= k; j++) ok = bounds[j] >= 0 && bounds[j] <= w && (j == 0 || bounds[j] >= bounds[j - 1]);
    if (!ok || get_out(o_out, &out, n * (k > 0 ? k : 0), "out") < 0) {
        if (!ok) PyErr_SetString(PyExc_ValueError, "segment bounds do not fit the records");
        PyBuffer_Release(&a); PyBuffer_Release(&b); PyBuffer_Release(&bd);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    const uint8_t *pa = (const uint8_t *)a.buf, *pb = (const uint8_t *)b.buf;
    uint8_t *o = (uint8_t *)out.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        const uint8_t *ra = pa + i * sa, *rb = pb + i * sb;
        for (Py_ssize_t j = 0; j < k; j++)
            o[i * k + j] = memcmp(ra + bounds[j], rb + bounds[j], bounds[j + 1] - bounds[j]) != 0;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&a); PyBuffer_Release(&b); PyBuffer_Release(&bd); PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"column_stats", column_stats, METH_VARARGS, "Per-column sums, maxima and byte counts of records."},
    {"key_order", key_order, METH_VARARGS, "Where keys go backwards, and how many repeat."},
    {"rows_differ", rows_differ, METH_VARARGS, "Which rows of a and b differ; how many of those in their keys."},
    {"segment_diffs", segment_diffs, METH_VARARGS, "Which byte segments differ, row by row."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_colsums", NULL, -1, methods};

#ifndef SOURCE_HASH
#define SOURCE_HASH "unknown"
#endif

PyMODINIT_FUNC PyInit__colsums(void) {
    PyObject *m = PyModule_Create(&module);
    /* the source this was built from (setup.py): engine.native ignores a stale build */
    if (m != NULL && PyModule_AddStringConstant(m, "SOURCE_HASH", SOURCE_HASH) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

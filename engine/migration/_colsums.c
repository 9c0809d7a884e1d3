/* Compiled kernels of `densan compare` (engine/migration/colsums.py and compare.py
 * hold the NumPy versions, which give the same results):
 *
 *   column_stats(data, xor, lo, hi, hist_cols, sums, xmax, lowmax, lowsum, hists)
 *       one pass over the records (rows of `data`, columns lo..hi-1): per column the
 *       sum of the bytes, the max of byte ^ xor[c], the max and the sum of the low
 *       nibbles; and 256-bin counts of the bytes of the columns in hist_cols.
 *   key_order(data, offsets, sizes) -> (first row whose key is below the one
 *       before it, or -1; number of rows whose key equals the one before)
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

#define BATCH 65536   /* rows summed in 32-bit lanes before they are added to 64-bit totals */

static PyObject *column_stats(PyObject *self, PyObject *args) {
    PyObject *o_data, *o_xor, *o_hcols, *o_sums, *o_xmax, *o_lmax, *o_lsum, *o_hists;
    Py_ssize_t lo, hi;
    if (!PyArg_ParseTuple(args, "OOnnOOOOOO", &o_data, &o_xor, &lo, &hi, &o_hcols, &o_sums, &o_xmax,
                          &o_lmax, &o_lsum, &o_hists))
        return NULL;
    Py_buffer d, x, hc, s, xm, lm, ls, h;
    Py_ssize_t n, w, stride;
    if (get_rows(o_data, &d, &n, &w, &stride) < 0) return NULL;
    if (lo < 0 || hi > w || lo > hi) {
        PyBuffer_Release(&d);
        PyErr_SetString(PyExc_ValueError, "column range outside the records");
        return NULL;
    }
    if (PyObject_GetBuffer(o_xor, &x, PyBUF_C_CONTIGUOUS) < 0) { PyBuffer_Release(&d); return NULL; }
    if (PyObject_GetBuffer(o_hcols, &hc, PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&d); PyBuffer_Release(&x); return NULL;
    }
    Py_ssize_t k = hc.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t *hcols = (const int64_t *)hc.buf;
    int ok = x.len >= w;
    for (Py_ssize_t j = 0; ok && j < k; j++) ok = hcols[j] >= 0 && hcols[j] < w;
    if (!ok) {
        PyBuffer_Release(&d); PyBuffer_Release(&x); PyBuffer_Release(&hc);
        PyErr_SetString(PyExc_ValueError, "xor or histogram columns do not fit the records");
        return NULL;
    }
    if (get_out(o_sums, &s, w * 8, "sums") < 0) goto fail0;
    if (get_out(o_xmax, &xm, w, "xmax") < 0) goto fail1;
    if (get_out(o_lmax, &lm, w, "lowmax") < 0) goto fail2;
    if (get_out(o_lsum, &ls, w * 8, "lowsum") < 0) goto fail3;
    if (get_out(o_hists, &h, k * 256 * 8, "hists") < 0) goto fail4;

    {
        const uint8_t *xr = (const uint8_t *)x.buf;
        uint64_t *sums = (uint64_t *)s.buf, *lsum = (uint64_t *)ls.buf, *hists = (uint64_t *)h.buf;
        uint8_t *xmax = (uint8_t *)xm.buf, *lmax = (uint8_t *)lm.buf;
        Py_ssize_t width = hi - lo;
        uint32_t *s32 = calloc(width > 0 ? width : 1, 4), *l32 = calloc(width > 0 ? width : 1, 4);
        uint8_t *mx = malloc(width > 0 ? width : 1), *ml = malloc(width > 0 ? width : 1);
        if (!s32 || !l32 || !mx || !ml) {
            free(s32); free(l32); free(mx); free(ml);
            PyErr_NoMemory();
            goto fail5;
        }
        memcpy(mx, xmax + lo, width);
        memcpy(ml, lmax + lo, width);
        const uint8_t *xx = xr + lo;
        Py_BEGIN_ALLOW_THREADS
        const uint8_t *base = (const uint8_t *)d.buf;
        for (Py_ssize_t start = 0; start < n; start += BATCH) {
            Py_ssize_t stop = start + BATCH < n ? start + BATCH : n;
            for (Py_ssize_t i = start; i < stop; i++) {
                const uint8_t *row = base + i * stride + lo;
                for (Py_ssize_t c = 0; c < width; c++) {
                    uint8_t v = row[c];
                    uint8_t t = v ^ xx[c];
                    uint8_t l = v & 0x0F;
                    s32[c] += v;
                    l32[c] += l;
                    mx[c] = t > mx[c] ? t : mx[c];
                    ml[c] = l > ml[c] ? l : ml[c];
                }
                const uint8_t *full = base + i * stride;
                for (Py_ssize_t j = 0; j < k; j++) hists[j * 256 + full[hcols[j]]]++;
            }
            for (Py_ssize_t c = 0; c < width; c++) {
                sums[lo + c] += s32[c];
                lsum[lo + c] += l32[c];
                s32[c] = l32[c] = 0;
            }
        }
        memcpy(xmax + lo, mx, width);
        memcpy(lmax + lo, ml, width);
        Py_END_ALLOW_THREADS
        free(s32); free(l32); free(mx); free(ml);
    }
    PyBuffer_Release(&h); PyBuffer_Release(&ls); PyBuffer_Release(&lm); PyBuffer_Release(&xm);
    PyBuffer_Release(&s); PyBuffer_Release(&hc); PyBuffer_Release(&x); PyBuffer_Release(&d);
    Py_RETURN_NONE;
fail5: PyBuffer_Release(&h);
fail4: PyBuffer_Release(&ls);
fail3: PyBuffer_Release(&lm);
fail2: PyBuffer_Release(&xm);
fail1: PyBuffer_Release(&s);
fail0: PyBuffer_Release(&hc); PyBuffer_Release(&x); PyBuffer_Release(&d);
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

static PyMethodDef methods[] = {
    {"column_stats", column_stats, METH_VARARGS, "Per-column sums, maxima and byte counts of records."},
    {"key_order", key_order, METH_VARARGS, "Where keys go backwards, and how many repeat."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_colsums", NULL, -1, methods};

PyMODINIT_FUNC PyInit__colsums(void) { return PyModule_Create(&module); }

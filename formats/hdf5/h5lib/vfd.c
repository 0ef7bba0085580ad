#include <string.h>
#include "h5lib.h"
#include <H5FDdevelop.h>
#include "_cgo_export.h"

// A driver-private fapl: the object size and the Go connection handle.
typedef struct {
    uint64_t  size;
    uintptr_t handle;
} pipe_fapl_t;

typedef struct {
    H5FD_t      pub; // must be first
    pipe_fapl_t fa;
    haddr_t     eoa;
} pipe_file_t;

static void *pipe_fapl_get(H5FD_t *file) {
    pipe_fapl_t *fa = malloc(sizeof *fa);
    if (fa) *fa = ((pipe_file_t *)file)->fa;
    return fa;
}

static void *pipe_fapl_copy(const void *old) {
    pipe_fapl_t *fa = malloc(sizeof *fa);
    if (fa) memcpy(fa, old, sizeof *fa);
    return fa;
}

static herr_t pipe_fapl_free(void *fa) {
    free(fa);
    return 0;
}

static H5FD_t *pipe_open(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
    (void)name;
    (void)maxaddr;
    if (flags & (H5F_ACC_RDWR | H5F_ACC_CREAT | H5F_ACC_TRUNC | H5F_ACC_EXCL)) return NULL;
    const pipe_fapl_t *fa = H5Pget_driver_info(fapl);
    if (!fa) return NULL;
    pipe_file_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->fa = *fa;
    return &f->pub;
}

static herr_t pipe_close(H5FD_t *file) {
    free(file);
    return 0;
}

static herr_t pipe_query(const H5FD_t *file, unsigned long *flags) {
    (void)file;
    // Sieving turns many small raw-data reads into few pipe requests.
    *flags = H5FD_FEAT_DATA_SIEVE;
    return 0;
}

static haddr_t pipe_get_eoa(const H5FD_t *file, H5FD_mem_t type) {
    (void)type;
    return ((const pipe_file_t *)file)->eoa;
}

static herr_t pipe_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t addr) {
    (void)type;
    ((pipe_file_t *)file)->eoa = addr;
    return 0;
}

static haddr_t pipe_get_eof(const H5FD_t *file, H5FD_mem_t type) {
    (void)type;
    return (haddr_t)((const pipe_file_t *)file)->fa.size;
}

static herr_t pipe_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size, void *buf) {
    (void)type;
    (void)dxpl;
    pipe_file_t *f = (pipe_file_t *)file;
    return sciswiftPipeRead(f->fa.handle, (uint64_t)addr, (uint64_t)size, buf) == 0 ? 0 : -1;
}

static herr_t pipe_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size, const void *buf) {
    (void)file; (void)type; (void)dxpl; (void)addr; (void)size; (void)buf;
    return -1; // read-only
}

static const H5FD_class_t pipe_class = {
    .version   = H5FD_CLASS_VERSION,
    .value     = (H5FD_class_value_t)611,
    .name      = "sciswift-pipe",
    .maxaddr   = (haddr_t)INT64_MAX,
    .fc_degree = H5F_CLOSE_WEAK,
    .fapl_size = sizeof(pipe_fapl_t),
    .fapl_get  = pipe_fapl_get,
    .fapl_copy = pipe_fapl_copy,
    .fapl_free = pipe_fapl_free,
    .open      = pipe_open,
    .close     = pipe_close,
    .query     = pipe_query,
    .get_eoa   = pipe_get_eoa,
    .set_eoa   = pipe_set_eoa,
    .get_eof   = pipe_get_eof,
    .read      = pipe_read,
    .write     = pipe_write,
    .fl_map    = H5FD_FLMAP_DICHOTOMY,
};

herr_t h5w_use_pipe_driver(uintptr_t handle, uint64_t size) {
    hid_t driver = H5FDregister(&pipe_class);
    if (driver < 0) return -1;
    pipe_fapl_t fa = {size, handle};
    // No file locking: there is no file.
    if (H5Pset_driver(H5P_FILE_ACCESS_DEFAULT, driver, &fa) < 0) return -1;
    return H5Pset_file_locking(H5P_FILE_ACCESS_DEFAULT, 0, 1);
}

static herr_t walk_error(unsigned n, const H5E_error2_t *e, void *data) {
    char **p = data;
    char  *buf = p[0], *end = p[1];
    size_t used = strlen(buf);
    if (e->desc && *e->desc && buf + used + 3 < end) {
        // Innermost first: the two most specific entries say the most.
        if (n >= 2) return 0;
        snprintf(buf + used, end - buf - used, "%s%s", used ? "; " : "", e->desc);
    }
    return 0;
}

void h5w_last_error(char *buf, size_t len) {
    if (len == 0) return;
    buf[0] = 0;
    char *p[2] = {buf, buf + len};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_error, p);
}

static int chunk_cb(const hsize_t *offset, unsigned mask, haddr_t addr, hsize_t size, void *data) {
    h5w_chunks_t *c = data;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        uint64_t *co = realloc(c->coords, cap * (size_t)(c->rank ? c->rank : 1) * sizeof *co);
        if (co) c->coords = co;
        uint64_t *of = realloc(c->offsets, cap * sizeof *of);
        if (of) c->offsets = of;
        uint64_t *sz = realloc(c->sizes, cap * sizeof *sz);
        if (sz) c->sizes = sz;
        uint32_t *ma = realloc(c->masks, cap * sizeof *ma);
        if (ma) c->masks = ma;
        if (!co || !of || !sz || !ma) return H5_ITER_ERROR;
        c->cap = cap;
    }
    for (int k = 0; k < c->rank; k++) c->coords[c->n * c->rank + k] = offset[k];
    c->offsets[c->n] = addr;
    c->sizes[c->n] = size;
    c->masks[c->n] = mask;
    c->n++;
    return H5_ITER_CONT;
}

int h5w_chunks(hid_t dset, int rank, h5w_chunks_t *out) {
    memset(out, 0, sizeof *out);
    out->rank = rank;
    return H5Dchunk_iter(dset, H5P_DEFAULT, chunk_cb, out) < 0 ? -1 : 0;
}

void h5w_chunks_free(h5w_chunks_t *c) {
    free(c->coords);
    free(c->offsets);
    free(c->sizes);
    free(c->masks);
    memset(c, 0, sizeof *c);
}

static hid_t vlen_string_type(int utf8) {
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return -1;
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
    return t;
}

herr_t h5w_read_vlen_strings(hid_t obj, int is_attr, hid_t memspace, hid_t filespace, int utf8, char **strs,
                             char *errbuf, size_t errlen) {
    hid_t t = vlen_string_type(utf8);
    if (t < 0) return -1;
    herr_t err = is_attr ? H5Aread(obj, t, strs) : H5Dread(obj, t, memspace, filespace, H5P_DEFAULT, strs);
    // Before H5Tclose, which clears the error stack.
    if (err < 0) h5w_last_error(errbuf, errlen);
    H5Tclose(t);
    return err;
}

void h5w_reclaim_strings(hid_t memspace, int utf8, char **strs) {
    hid_t t = vlen_string_type(utf8);
    if (t < 0) return;
    H5Treclaim(t, memspace, H5P_DEFAULT, strs);
    H5Tclose(t);
}

int h5w_filter(hid_t dcpl, unsigned i, unsigned *flags, size_t *nparams, unsigned *params, char *name, size_t namelen) {
    unsigned config = 0;
    return (int)H5Pget_filter2(dcpl, i, flags, nparams, params, namelen, name, &config);
}

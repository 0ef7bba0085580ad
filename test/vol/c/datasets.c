/*
 * datasets FILE — dataset types, layouts, filters, fill values, extents and
 * selections.
 *
 * Writes FILE, closes it, reopens it read-only and checks every value;
 * reopens it read-write, changes some data (partial chunks, an extension),
 * and checks everything again after another reopen. Exits 0 with one
 * summary line when every check passed, else 1 with a message and the
 * HDF5 error stack.
 *
 * Expected values come from an in-memory model of each dataset. Writes with
 * arbitrary selections are applied to the model by walking the file and
 * memory selections with H5Ssel_iter (element k of the memory selection
 * goes to element k of the file selection, in each selection's iteration
 * order: row-major for hyperslabs, the given order for points); spot checks
 * with hard-coded values guard the model itself.
 */
#include "check.h"

/* ---------------------------------------------------------------- model */

#define MAXMODELS 96

/* model is what a dataset of fixed-size elements must hold. */
struct model {
    const char *path;
    hid_t memtype; /* the type the model's bytes are in */
    size_t es;     /* H5Tget_size(memtype) */
    int rank;
    hsize_t dims[3];
    unsigned char *data; /* nelem * es bytes, row-major */
};

static struct model models[MAXMODELS];
static int nmodels;

static hsize_t nelem(const struct model *m)
{
    hsize_t n = 1;
    for (int i = 0; i < m->rank; i++)
        n *= m->dims[i];
    return n;
}

static struct model *model_new(const char *path, hid_t memtype, int rank, const hsize_t *dims,
                               const void *fill)
{
    CHECK(nmodels < MAXMODELS, "too many models");
    struct model *m = &models[nmodels++];
    m->path = path;
    m->memtype = memtype;
    m->es = H5Tget_size(memtype);
    m->rank = rank;
    for (int i = 0; i < rank; i++)
        m->dims[i] = dims[i];
    hsize_t n = nelem(m);
    m->data = calloc(n ? n : 1, m->es);
    for (hsize_t i = 0; fill && i < n; i++)
        memcpy(m->data + i * m->es, fill, m->es);
    return m;
}

static struct model *model_find(const char *path)
{
    for (int i = 0; i < nmodels; i++)
        if (strcmp(models[i].path, path) == 0)
            return &models[i];
    fail_at(__FILE__, __LINE__, "no model for %s", path);
    return NULL;
}

/* model_resize changes the model's dims as H5Dset_extent does: elements
 * inside both extents keep their values, new ones get fill. */
static void model_resize(struct model *m, const hsize_t *dims, const void *fill)
{
    struct model old = *m;
    for (int i = 0; i < m->rank; i++)
        m->dims[i] = dims[i];
    hsize_t n = nelem(m);
    m->data = calloc(n ? n : 1, m->es);
    for (hsize_t i = 0; i < n; i++) {
        hsize_t rem = i, oldoff = 0, oldstride = 1;
        int inside = 1;
        hsize_t coord[3];
        for (int d = m->rank - 1; d >= 0; d--) {
            coord[d] = rem % m->dims[d];
            rem /= m->dims[d];
        }
        for (int d = m->rank - 1; d >= 0; d--) {
            if (coord[d] >= old.dims[d])
                inside = 0;
            oldoff += coord[d] * oldstride;
            oldstride *= old.dims[d];
        }
        if (inside)
            memcpy(m->data + i * m->es, old.data + oldoff * m->es, m->es);
        else if (fill)
            memcpy(m->data + i * m->es, fill, m->es);
    }
    free(old.data);
}

/* sel_offsets lists the element offsets of space's selection in its
 * iteration order; returns their number. */
static size_t sel_offsets(hid_t space, hsize_t **out)
{
    hssize_t np = H5OK(H5Sget_select_npoints(space));
    *out = malloc(((size_t)np + 1) * sizeof(hsize_t));
    hid_t it = H5OK(H5Ssel_iter_create(space, 1, 0));
    size_t k = 0;
    for (;;) {
        size_t nseq = 0, nel = 0;
        hsize_t off[64];
        size_t len[64];
        H5OK(H5Ssel_iter_get_seq_list(it, 64, (size_t)-1, &nseq, &nel, off, len));
        if (nseq == 0)
            break;
        for (size_t s = 0; s < nseq; s++)
            for (size_t e = 0; e < len[s]; e++) {
                CHECK(k < (size_t)np, "selection iterator gave more than %lld elements", (long long)np);
                (*out)[k++] = off[s] + e;
            }
    }
    H5OK(H5Ssel_iter_close(it));
    CHECK_INT(k, np, "elements from the selection iterator");
    return k;
}

/* model_write applies H5Dwrite(d, m->memtype, mspace, fspace, buf) to m. */
static void model_write(struct model *m, hid_t mspace, hid_t fspace, const void *buf)
{
    hsize_t *mo, *fo;
    size_t nm = sel_offsets(mspace, &mo), nf = sel_offsets(fspace, &fo);
    CHECK_INT(nm, nf, "memory and file selection sizes");
    for (size_t k = 0; k < nf; k++)
        memcpy(m->data + fo[k] * m->es, (const unsigned char *)buf + mo[k] * m->es, m->es);
    free(mo);
    free(fo);
}

/* model_expect fills exp (a memory buffer for mspace, pre-filled by the
 * caller) as H5Dread(d, m->memtype, mspace, fspace, exp) must. */
static void model_expect(const struct model *m, hid_t mspace, hid_t fspace, void *exp)
{
    hsize_t *mo, *fo;
    size_t nm = sel_offsets(mspace, &mo), nf = sel_offsets(fspace, &fo);
    CHECK_INT(nm, nf, "memory and file selection sizes");
    for (size_t k = 0; k < nf; k++)
        memcpy((unsigned char *)exp + mo[k] * m->es, m->data + fo[k] * m->es, m->es);
    free(mo);
    free(fo);
}

/* write_sel writes buf with the selections, to the dataset and its model.
 * H5S_ALL means what it means to H5Dwrite: the whole file extent, and for
 * memory, the file selection. */
static void write_sel(hid_t f, struct model *m, hid_t mspace, hid_t fspace, const void *buf)
{
    hid_t d = H5OK(H5Dopen2(f, m->path, H5P_DEFAULT));
    CHECK(H5Dwrite(d, m->memtype, mspace, fspace, H5P_DEFAULT, buf) >= 0, "H5Dwrite to %s failed", m->path);
    hid_t whole = H5OK(H5Dget_space(d));
    H5OK(H5Dclose(d));
    hid_t fsel = fspace == H5S_ALL ? whole : fspace;
    model_write(m, mspace == H5S_ALL ? fsel : mspace, fsel, buf);
    H5OK(H5Sclose(whole));
}

/* check_read reads the dataset with the selections and compares with the
 * model; bytes of the memory buffer outside mspace's selection must stay
 * as they were (0xA5). */
static void check_read(hid_t f, const struct model *m, hid_t mspace, hid_t fspace, const char *what)
{
    hsize_t mn = (hsize_t)H5OK(H5Sget_simple_extent_npoints(mspace));
    size_t nbytes = (size_t)(mn ? mn : 1) * m->es;
    unsigned char *got = malloc(nbytes), *exp = malloc(nbytes);
    memset(got, 0xA5, nbytes);
    memset(exp, 0xA5, nbytes);
    model_expect(m, mspace, fspace, exp);
    hid_t d = H5OK(H5Dopen2(f, m->path, H5P_DEFAULT));
    H5OK(H5Dread(d, m->memtype, mspace, fspace, H5P_DEFAULT, got));
    H5OK(H5Dclose(d));
    char label[256];
    snprintf(label, sizeof label, "%s (%s)", m->path, what);
    CHECK_BYTES(got, exp, (size_t)mn, m->es, label);
    free(got);
    free(exp);
}

/* check_all reads the whole dataset and compares with the model, and
 * checks its dataspace matches the model's dims. */
static void check_all(hid_t f, const struct model *m)
{
    hid_t d = H5OK(H5Dopen2(f, m->path, H5P_DEFAULT));
    hid_t sp = H5OK(H5Dget_space(d));
    hsize_t dims[3] = {0};
    int rank = H5OK(H5Sget_simple_extent_ndims(sp));
    char label[256];
    snprintf(label, sizeof label, "rank of %s", m->path);
    CHECK_INT(rank, m->rank, label);
    H5OK(H5Sget_simple_extent_dims(sp, dims, NULL));
    for (int i = 0; i < rank; i++) {
        snprintf(label, sizeof label, "dims[%d] of %s", i, m->path);
        CHECK_INT(dims[i], m->dims[i], label);
    }
    H5OK(H5Sclose(sp));
    hsize_t n = nelem(m);
    unsigned char *got = calloc(n ? n : 1, m->es); /* zeroed like the model: compound padding */
    H5OK(H5Dread(d, m->memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, got));
    H5OK(H5Dclose(d));
    snprintf(label, sizeof label, "%s (all)", m->path);
    CHECK_BYTES(got, m->data, (size_t)n, m->es, label);
    free(got);
}

/* ---------------------------------------------------------------- helpers */

static hid_t simple(int rank, const hsize_t *dims, const hsize_t *maxdims)
{
    return H5OK(H5Screate_simple(rank, dims, maxdims));
}

static hid_t dcpl_chunked(int rank, const hsize_t *chunk)
{
    hid_t p = H5OK(H5Pcreate(H5P_DATASET_CREATE));
    H5OK(H5Pset_chunk(p, rank, chunk));
    return p;
}

static void create(hid_t f, const char *path, hid_t type, hid_t space, hid_t dcpl)
{
    hid_t lcpl = H5OK(H5Pcreate(H5P_LINK_CREATE));
    H5OK(H5Pset_create_intermediate_group(lcpl, 1));
    H5OK(H5Dclose(H5OK(H5Dcreate2(f, path, type, space, lcpl, dcpl, H5P_DEFAULT))));
    H5OK(H5Pclose(lcpl));
}

/* ---------------------------------------------------------------- numeric types */

struct numtype {
    const char *path;
    hid_t file, mem;
    int is_float, is_signed;
};

#define NNUM 20
static struct numtype nums[NNUM];

static void init_numtypes(void)
{
    struct numtype t[NNUM] = {
        {"/types/i8le", H5T_STD_I8LE, H5T_NATIVE_INT8, 0, 1},
        {"/types/i8be", H5T_STD_I8BE, H5T_NATIVE_INT8, 0, 1},
        {"/types/u8le", H5T_STD_U8LE, H5T_NATIVE_UINT8, 0, 0},
        {"/types/u8be", H5T_STD_U8BE, H5T_NATIVE_UINT8, 0, 0},
        {"/types/i16le", H5T_STD_I16LE, H5T_NATIVE_INT16, 0, 1},
        {"/types/i16be", H5T_STD_I16BE, H5T_NATIVE_INT16, 0, 1},
        {"/types/u16le", H5T_STD_U16LE, H5T_NATIVE_UINT16, 0, 0},
        {"/types/u16be", H5T_STD_U16BE, H5T_NATIVE_UINT16, 0, 0},
        {"/types/i32le", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, 1},
        {"/types/i32be", H5T_STD_I32BE, H5T_NATIVE_INT32, 0, 1},
        {"/types/u32le", H5T_STD_U32LE, H5T_NATIVE_UINT32, 0, 0},
        {"/types/u32be", H5T_STD_U32BE, H5T_NATIVE_UINT32, 0, 0},
        {"/types/i64le", H5T_STD_I64LE, H5T_NATIVE_INT64, 0, 1},
        {"/types/i64be", H5T_STD_I64BE, H5T_NATIVE_INT64, 0, 1},
        {"/types/u64le", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, 0},
        {"/types/u64be", H5T_STD_U64BE, H5T_NATIVE_UINT64, 0, 0},
        {"/types/f32le", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, 1},
        {"/types/f32be", H5T_IEEE_F32BE, H5T_NATIVE_FLOAT, 1, 1},
        {"/types/f64le", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, 1},
        {"/types/f64be", H5T_IEEE_F64BE, H5T_NATIVE_DOUBLE, 1, 1},
    };
    memcpy(nums, t, sizeof t);
}

#define NVAL 8

/* num_value is value i of a numeric type: the extremes, -1, 0, 1, and some
 * in between, as a double (exact for every value used below 2^53) and in
 * the native memory layout (buf). */
static double num_value(const struct numtype *t, int i, void *buf)
{
    size_t sz = H5Tget_size(t->mem);
    if (t->is_float) {
        static const double fv[NVAL] = {-1.5, 0.0, 1e-30, 65504.0, 3.25e10, 3.141592653589793, -2.5e-5, 1.0};
        if (sz == 4) {
            float v = (float)fv[i];
            memcpy(buf, &v, 4);
            return v;
        }
        memcpy(buf, &fv[i], 8);
        return fv[i];
    }
    int bits = (int)sz * 8;
    if (t->is_signed) {
        int64_t max = (int64_t)((((uint64_t)1) << (bits - 1)) - 1), min = -max - 1;
        int64_t v[NVAL] = {min, min + 1, -1, 0, 1, 42, max - 1, max};
        switch (sz) {
        case 1: { int8_t x = (int8_t)v[i]; memcpy(buf, &x, 1); break; }
        case 2: { int16_t x = (int16_t)v[i]; memcpy(buf, &x, 2); break; }
        case 4: { int32_t x = (int32_t)v[i]; memcpy(buf, &x, 4); break; }
        default: memcpy(buf, &v[i], 8);
        }
        return (double)v[i];
    }
    uint64_t max = bits == 64 ? UINT64_MAX : (((uint64_t)1) << bits) - 1;
    uint64_t v[NVAL] = {0, 1, 2, 42, 100, max / 2, max - 1, max};
    switch (sz) {
    case 1: { uint8_t x = (uint8_t)v[i]; memcpy(buf, &x, 1); break; }
    case 2: { uint16_t x = (uint16_t)v[i]; memcpy(buf, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v[i]; memcpy(buf, &x, 4); break; }
    default: memcpy(buf, &v[i], 8);
    }
    return (double)v[i];
}

static void write_numeric(hid_t f)
{
    init_numtypes();
    hsize_t dims[1] = {NVAL};
    hid_t sp = simple(1, dims, NULL);
    for (int t = 0; t < NNUM; t++) {
        unsigned char buf[NVAL * 8];
        size_t sz = H5Tget_size(nums[t].mem);
        for (int i = 0; i < NVAL; i++)
            num_value(&nums[t], i, buf + i * sz);
        create(f, nums[t].path, nums[t].file, sp, H5P_DEFAULT);
        struct model *m = model_new(nums[t].path, nums[t].mem, 1, dims, NULL);
        write_sel(f, m, H5S_ALL, H5S_ALL, buf);
    }
    H5OK(H5Sclose(sp));

    /* Written through conversions: doubles into an int32 dataset, and
     * big-endian memory into a little-endian one. */
    hsize_t d6[1] = {6};
    sp = simple(1, d6, NULL);
    create(f, "/convert/from_double", H5T_STD_I32LE, sp, H5P_DEFAULT);
    create(f, "/convert/from_be", H5T_STD_I32LE, sp, H5P_DEFAULT);
    double dv[6] = {1.0, -2.0, 3.0, 1e6, -7.0, 0.0};
    int32_t iv[6] = {1, -2, 3, 1000000, -7, 0};
    hid_t d = H5OK(H5Dopen2(f, "/convert/from_double", H5P_DEFAULT));
    H5OK(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, dv));
    H5OK(H5Dclose(d));
    struct model *m = model_new("/convert/from_double", H5T_NATIVE_INT32, 1, d6, NULL);
    memcpy(m->data, iv, sizeof iv);
    unsigned char be[6 * 4];
    for (int i = 0; i < 6; i++) {
        uint32_t u = (uint32_t)iv[i];
        be[4 * i] = (unsigned char)(u >> 24);
        be[4 * i + 1] = (unsigned char)(u >> 16);
        be[4 * i + 2] = (unsigned char)(u >> 8);
        be[4 * i + 3] = (unsigned char)u;
    }
    d = H5OK(H5Dopen2(f, "/convert/from_be", H5P_DEFAULT));
    H5OK(H5Dwrite(d, H5T_STD_I32BE, H5S_ALL, H5S_ALL, H5P_DEFAULT, be));
    H5OK(H5Dclose(d));
    m = model_new("/convert/from_be", H5T_NATIVE_INT32, 1, d6, NULL);
    memcpy(m->data, iv, sizeof iv);
    H5OK(H5Sclose(sp));
}

static void check_numeric(hid_t f)
{
    for (int t = 0; t < NNUM; t++) {
        hid_t d = H5OK(H5Dopen2(f, nums[t].path, H5P_DEFAULT));
        hid_t ft = H5OK(H5Dget_type(d));
        char what[160];
        snprintf(what, sizeof what, "H5Tequal(H5Dget_type(%s), its file type)", nums[t].path);
        CHECK_INT(H5OK(H5Tequal(ft, nums[t].file)), 1, what);
        H5OK(H5Tclose(ft));
        /* Read converted to double: each value as C converts it. */
        double got[NVAL];
        H5OK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, got));
        for (int i = 0; i < NVAL; i++) {
            unsigned char tmp[8];
            double want = num_value(&nums[t], i, tmp);
            CHECK(got[i] == want, "%s[%d] read as double = %.17g, want %.17g", nums[t].path, i, got[i], want);
        }
        H5OK(H5Dclose(d));
    }
    /* Spot checks independent of the model. */
    hid_t d = H5OK(H5Dopen2(f, "/types/i16be", H5P_DEFAULT));
    int16_t s[NVAL];
    H5OK(H5Dread(d, H5T_NATIVE_INT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, s));
    CHECK(s[0] == -32768 && s[5] == 42 && s[7] == 32767, "/types/i16be = {%d, .., %d, .., %d}", s[0], s[5], s[7]);
    H5OK(H5Dclose(d));
    d = H5OK(H5Dopen2(f, "/types/u64be", H5P_DEFAULT));
    uint64_t u[NVAL];
    H5OK(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, u));
    CHECK(u[7] == UINT64_MAX && u[3] == 42, "/types/u64be[7] = %llu", (unsigned long long)u[7]);
    H5OK(H5Dclose(d));
    /* A float64 dataset read as float32. */
    d = H5OK(H5Dopen2(f, "/types/f64be", H5P_DEFAULT));
    float fl[NVAL];
    H5OK(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, fl));
    CHECK(fl[0] == -1.5f && fl[4] == 3.25e10f, "/types/f64be read as float = {%g, .., %g}", fl[0], fl[4]);
    H5OK(H5Dclose(d));
}

/* ---------------------------------------------------------------- strings, compound, enum, array */

struct particle {
    int32_t id;
    double pos[3];
    float mass;
    char tag[6];
    uint8_t flag;
};

struct particle_part { /* a subset of the members, in another order and type */
    double mass;
    int64_t id;
};

static hid_t particle_mem(void)
{
    hsize_t three[1] = {3};
    hid_t t = H5OK(H5Tcreate(H5T_COMPOUND, sizeof(struct particle)));
    hid_t arr = H5OK(H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, three));
    hid_t str = H5OK(H5Tcopy(H5T_C_S1));
    H5OK(H5Tset_size(str, 6));
    H5OK(H5Tset_strpad(str, H5T_STR_NULLPAD));
    H5OK(H5Tinsert(t, "id", HOFFSET(struct particle, id), H5T_NATIVE_INT32));
    H5OK(H5Tinsert(t, "pos", HOFFSET(struct particle, pos), arr));
    H5OK(H5Tinsert(t, "mass", HOFFSET(struct particle, mass), H5T_NATIVE_FLOAT));
    H5OK(H5Tinsert(t, "tag", HOFFSET(struct particle, tag), str));
    H5OK(H5Tinsert(t, "flag", HOFFSET(struct particle, flag), H5T_NATIVE_UINT8));
    H5OK(H5Tclose(arr));
    H5OK(H5Tclose(str));
    return t;
}

/* particle_file is the file type: packed, with big-endian ids and masses,
 * so reading it is a real conversion. */
static hid_t particle_file(void)
{
    hsize_t three[1] = {3};
    size_t size = 4 + 24 + 4 + 6 + 1;
    hid_t t = H5OK(H5Tcreate(H5T_COMPOUND, size));
    hid_t arr = H5OK(H5Tarray_create2(H5T_IEEE_F64LE, 1, three));
    hid_t str = H5OK(H5Tcopy(H5T_C_S1));
    H5OK(H5Tset_size(str, 6));
    H5OK(H5Tset_strpad(str, H5T_STR_NULLPAD));
    H5OK(H5Tinsert(t, "id", 0, H5T_STD_I32BE));
    H5OK(H5Tinsert(t, "pos", 4, arr));
    H5OK(H5Tinsert(t, "mass", 28, H5T_IEEE_F32BE));
    H5OK(H5Tinsert(t, "tag", 32, str));
    H5OK(H5Tinsert(t, "flag", 38, H5T_STD_U8LE));
    H5OK(H5Tclose(arr));
    H5OK(H5Tclose(str));
    return t;
}

static hid_t color_enum(hid_t base, int scale)
{
    hid_t t = H5OK(H5Tenum_create(base));
    static const char *names[4] = {"RED", "GREEN", "BLUE", "NONE"};
    static const int vals[4] = {1, 2, 3, -1};
    for (int i = 0; i < 4; i++) {
        long long v = (long long)vals[i] * scale;
        unsigned char buf[8];
        size_t sz = H5Tget_size(base);
        if (sz == 1) { int8_t x = (int8_t)v; memcpy(buf, &x, 1); }
        else { int32_t x = (int32_t)v; memcpy(buf, &x, 4); }
        H5OK(H5Tenum_insert(t, names[i], buf));
    }
    return t;
}

static const char *vlen_words[6] = {"alpha", "", NULL, "a longer string, with spaces", "caf\xc3\xa9 \xe2\x82\xac", "z"};

static hid_t vlen_str(H5T_cset_t cset)
{
    hid_t t = H5OK(H5Tcopy(H5T_C_S1));
    H5OK(H5Tset_size(t, H5T_VARIABLE));
    H5OK(H5Tset_cset(t, cset));
    return t;
}

static hid_t fixed_str(size_t n, H5T_str_t pad)
{
    hid_t t = H5OK(H5Tcopy(H5T_C_S1));
    H5OK(H5Tset_size(t, n));
    H5OK(H5Tset_strpad(t, pad));
    return t;
}

static void write_structured(hid_t f)
{
    /* Fixed-length strings with each padding; the model holds the bytes
     * HDF5 must give back with the same memory type. */
    hsize_t d4[1] = {4};
    hid_t sp = simple(1, d4, NULL);
    static const char nt[4][8] = {"hello", "a", "", "exactly"};
    static const char np[4][6] = {"abcdef", "ab", "", "x"};
    static const char spd[4][5] = {"abcde", "ab   ", "     ", "x    "};
    struct {
        const char *path;
        size_t n;
        H5T_str_t pad;
        const void *vals;
    } fs[3] = {
        {"/strings/fixed_nullterm", 8, H5T_STR_NULLTERM, nt},
        {"/strings/fixed_nullpad", 6, H5T_STR_NULLPAD, np},
        {"/strings/fixed_spacepad", 5, H5T_STR_SPACEPAD, spd},
    };
    for (int i = 0; i < 3; i++) {
        hid_t t = fixed_str(fs[i].n, fs[i].pad);
        create(f, fs[i].path, t, sp, H5P_DEFAULT);
        struct model *m = model_new(fs[i].path, t, 1, d4, NULL);
        write_sel(f, m, H5S_ALL, H5S_ALL, fs[i].vals);
    }

    /* Variable-length strings: ASCII with an empty and a NULL string, and
     * UTF-8; the 2-D one is written a row at a time. */
    hsize_t d6[1] = {6};
    hid_t sp6 = simple(1, d6, NULL);
    hid_t vs = vlen_str(H5T_CSET_UTF8);
    create(f, "/strings/vlen", vs, sp6, H5P_DEFAULT);
    hid_t d = H5OK(H5Dopen2(f, "/strings/vlen", H5P_DEFAULT));
    H5OK(H5Dwrite(d, vs, H5S_ALL, H5S_ALL, H5P_DEFAULT, vlen_words));
    H5OK(H5Dclose(d));
    hsize_t d23[2] = {2, 3}, chunk[2] = {1, 2};
    hid_t sp23 = simple(2, d23, NULL);
    hid_t dcpl = dcpl_chunked(2, chunk);
    hid_t vsa = vlen_str(H5T_CSET_ASCII);
    create(f, "/strings/vlen2d", vsa, sp23, dcpl);
    H5OK(H5Pclose(dcpl));
    d = H5OK(H5Dopen2(f, "/strings/vlen2d", H5P_DEFAULT));
    for (hsize_t r = 0; r < 2; r++) {
        const char *row[3] = {r ? "d" : "a", r ? "eee" : "bb", r ? "" : "ccc"};
        hsize_t start[2] = {r, 0}, count[2] = {1, 3}, three[1] = {3};
        hid_t fsp = H5OK(H5Dget_space(d));
        H5OK(H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL));
        hid_t msp = simple(1, three, NULL);
        H5OK(H5Dwrite(d, vsa, msp, fsp, H5P_DEFAULT, row));
        H5OK(H5Sclose(msp));
        H5OK(H5Sclose(fsp));
    }
    H5OK(H5Dclose(d));
    H5OK(H5Tclose(vs));
    H5OK(H5Tclose(vsa));
    H5OK(H5Sclose(sp23));

    /* A scalar vlen string. */
    hid_t scalar = H5OK(H5Screate(H5S_SCALAR));
    vs = vlen_str(H5T_CSET_ASCII);
    create(f, "/strings/scalar_vlen", vs, scalar, H5P_DEFAULT);
    d = H5OK(H5Dopen2(f, "/strings/scalar_vlen", H5P_DEFAULT));
    const char *one = "just one";
    H5OK(H5Dwrite(d, vs, H5S_ALL, H5S_ALL, H5P_DEFAULT, &one));
    H5OK(H5Dclose(d));
    H5OK(H5Tclose(vs));

    /* Scalar numbers. */
    create(f, "/scalar/answer", H5T_STD_I64BE, scalar, H5P_DEFAULT);
    int64_t answer = 42;
    struct model *m = model_new("/scalar/answer", H5T_NATIVE_INT64, 0, NULL, NULL);
    write_sel(f, m, H5S_ALL, H5S_ALL, &answer);
    H5OK(H5Sclose(scalar));

    /* Compound with array and string members, chunked. */
    hsize_t d5[1] = {5}, c2[1] = {2};
    hid_t sp5 = simple(1, d5, NULL);
    hid_t pf = particle_file(), pm = particle_mem();
    dcpl = dcpl_chunked(1, c2);
    create(f, "/compound/particles", pf, sp5, dcpl);
    H5OK(H5Pclose(dcpl));
    struct particle p[5];
    memset(p, 0, sizeof p); /* padding bytes too: the model compares bytes */
    for (int i = 0; i < 5; i++) {
        p[i].id = 100 + i;
        p[i].pos[0] = i * 0.5;
        p[i].pos[1] = -i * 1.25;
        p[i].pos[2] = i * i;
        p[i].mass = 1.5f * (float)i;
        snprintf(p[i].tag, sizeof p[i].tag, "p%d", i);
        p[i].flag = (uint8_t)(i % 2);
    }
    memcpy(p[4].tag, "sixsix", 6); /* all 6 bytes used: no terminator */
    m = model_new("/compound/particles", pm, 1, d5, NULL);
    write_sel(f, m, H5S_ALL, H5S_ALL, p);
    H5OK(H5Tclose(pf));

    /* Enum (int8 based) and a 2-D array type. */
    hid_t ef = color_enum(H5T_NATIVE_INT8, 1);
    create(f, "/enum/colors", ef, sp5, H5P_DEFAULT);
    int8_t colors[5] = {1, 2, 3, -1, 2};
    m = model_new("/enum/colors", ef, 1, d5, NULL);
    write_sel(f, m, H5S_ALL, H5S_ALL, colors);

    hsize_t ad[2] = {2, 3};
    hid_t af = H5OK(H5Tarray_create2(H5T_STD_I16BE, 2, ad));
    hid_t am = H5OK(H5Tarray_create2(H5T_NATIVE_INT16, 2, ad));
    create(f, "/array/mats", af, sp, H5P_DEFAULT);
    int16_t mats[4][2][3];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 6; j++)
            mats[i][j / 3][j % 3] = (int16_t)(i * 100 - j);
    m = model_new("/array/mats", am, 1, d4, NULL);
    write_sel(f, m, H5S_ALL, H5S_ALL, mats);
    H5OK(H5Tclose(af));
    H5OK(H5Sclose(sp5));
    H5OK(H5Sclose(sp6));
    H5OK(H5Sclose(sp));
}

static void check_vlen(hid_t f, const char *path, int rank, const char **want, size_t n)
{
    hid_t d = H5OK(H5Dopen2(f, path, H5P_DEFAULT));
    hid_t ft = H5OK(H5Dget_type(d));
    CHECK_INT(H5OK(H5Tis_variable_str(ft)), 1, "H5Tis_variable_str of a vlen string dataset");
    hid_t sp = H5OK(H5Dget_space(d));
    CHECK_INT(H5OK(H5Sget_simple_extent_npoints(sp)), n, "elements of a vlen string dataset");
    CHECK_INT(H5OK(H5Sget_simple_extent_ndims(sp)), rank, "rank of a vlen string dataset");
    hid_t mt = vlen_str(H5Tget_cset(ft));
    char *got[8] = {0};
    H5OK(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, got));
    for (size_t i = 0; i < n; i++) {
        if (want[i] == NULL) {
            CHECK(got[i] == NULL, "%s[%zu] = \"%s\", want NULL", path, i, got[i]);
            continue;
        }
        CHECK(got[i] != NULL && strcmp(got[i], want[i]) == 0, "%s[%zu] = \"%s\", want \"%s\"", path, i,
              got[i] ? got[i] : "(NULL)", want[i]);
    }
    H5OK(H5Treclaim(mt, sp, H5P_DEFAULT, got));
    /* One element through a point selection. */
    hsize_t pt[3] = {0, 0, 0}, one[1] = {1};
    if (rank == 2)
        pt[0] = 1, pt[1] = 1;
    else if (rank == 1)
        pt[0] = 3;
    if (rank > 0) {
        H5OK(H5Sselect_elements(sp, H5S_SELECT_SET, 1, pt));
        hid_t ms = simple(1, one, NULL);
        char *s1 = NULL;
        H5OK(H5Dread(d, mt, ms, sp, H5P_DEFAULT, &s1));
        const char *w = want[rank == 2 ? 4 : 3];
        CHECK(s1 && strcmp(s1, w) == 0, "%s at one point = \"%s\", want \"%s\"", path, s1 ? s1 : "(NULL)", w);
        H5OK(H5Treclaim(mt, ms, H5P_DEFAULT, &s1));
        H5OK(H5Sclose(ms));
    }
    H5OK(H5Tclose(mt));
    H5OK(H5Tclose(ft));
    H5OK(H5Sclose(sp));
    H5OK(H5Dclose(d));
}

static void check_structured(hid_t f)
{
    check_vlen(f, "/strings/vlen", 1, vlen_words, 6);
    static const char *v2d[6] = {"a", "bb", "ccc", "d", "eee", ""};
    check_vlen(f, "/strings/vlen2d", 2, v2d, 6);
    static const char *sv[1] = {"just one"};
    check_vlen(f, "/strings/scalar_vlen", 0, sv, 1);

    /* A null-padded string read as null-terminated 10-byte strings. */
    hid_t d = H5OK(H5Dopen2(f, "/strings/fixed_nullpad", H5P_DEFAULT));
    hid_t t10 = fixed_str(10, H5T_STR_NULLTERM);
    char s10[4][10];
    H5OK(H5Dread(d, t10, H5S_ALL, H5S_ALL, H5P_DEFAULT, s10));
    CHECK_STR(s10[0], "abcdef", "/strings/fixed_nullpad[0] as nullterm");
    CHECK_STR(s10[1], "ab", "/strings/fixed_nullpad[1] as nullterm");
    CHECK_STR(s10[2], "", "/strings/fixed_nullpad[2] as nullterm");
    H5OK(H5Tclose(t10));
    hid_t ft = H5OK(H5Dget_type(d));
    CHECK_INT(H5Tget_strpad(ft), H5T_STR_NULLPAD, "strpad of /strings/fixed_nullpad");
    CHECK_INT(H5Tget_size(ft), 6, "size of /strings/fixed_nullpad");
    H5OK(H5Tclose(ft));
    H5OK(H5Dclose(d));

    /* Compound: the file type as written, and a subset of members. */
    d = H5OK(H5Dopen2(f, "/compound/particles", H5P_DEFAULT));
    ft = H5OK(H5Dget_type(d));
    hid_t pf = particle_file();
    CHECK_INT(H5OK(H5Tequal(ft, pf)), 1, "H5Tequal(type of /compound/particles, the file type)");
    CHECK_INT(H5Tget_nmembers(ft), 5, "members of /compound/particles");
    char *mn = H5Tget_member_name(ft, 3);
    CHECK_STR(mn, "tag", "member 3 of /compound/particles");
    H5free_memory(mn);
    H5OK(H5Tclose(pf));
    H5OK(H5Tclose(ft));
    hid_t part = H5OK(H5Tcreate(H5T_COMPOUND, sizeof(struct particle_part)));
    H5OK(H5Tinsert(part, "mass", HOFFSET(struct particle_part, mass), H5T_NATIVE_DOUBLE));
    H5OK(H5Tinsert(part, "id", HOFFSET(struct particle_part, id), H5T_NATIVE_INT64));
    struct particle_part pp[5];
    H5OK(H5Dread(d, part, H5S_ALL, H5S_ALL, H5P_DEFAULT, pp));
    for (int i = 0; i < 5; i++) {
        CHECK(pp[i].id == 100 + i && pp[i].mass == 1.5 * i, "/compound/particles[%d] as {mass, id} = {%g, %lld}", i,
              pp[i].mass, (long long)pp[i].id);
    }
    H5OK(H5Tclose(part));
    H5OK(H5Dclose(d));

    /* Enum read with another base type and other values: converted by name. */
    d = H5OK(H5Dopen2(f, "/enum/colors", H5P_DEFAULT));
    hid_t e10 = color_enum(H5T_NATIVE_INT32, 10);
    int32_t c10[5];
    H5OK(H5Dread(d, e10, H5S_ALL, H5S_ALL, H5P_DEFAULT, c10));
    static const int32_t want10[5] = {10, 20, 30, -10, 20};
    CHECK_BYTES(c10, want10, 5, 4, "/enum/colors as an int32 enum with values x10");
    ft = H5OK(H5Dget_type(d));
    CHECK_INT(H5Tget_class(ft), H5T_ENUM, "class of /enum/colors");
    char ename[16] = "";
    int8_t blue = 3;
    H5OK(H5Tenum_nameof(ft, &blue, ename, sizeof ename));
    CHECK_STR(ename, "BLUE", "H5Tenum_nameof(3)");
    H5OK(H5Tclose(ft));
    H5OK(H5Tclose(e10));
    H5OK(H5Dclose(d));

    /* The array dataset's element type. */
    d = H5OK(H5Dopen2(f, "/array/mats", H5P_DEFAULT));
    ft = H5OK(H5Dget_type(d));
    CHECK_INT(H5Tget_class(ft), H5T_ARRAY, "class of /array/mats");
    hsize_t adims[2] = {0, 0};
    CHECK_INT(H5OK(H5Tget_array_dims2(ft, adims)), 2, "rank of /array/mats's element type");
    CHECK(adims[0] == 2 && adims[1] == 3, "array dims of /array/mats = %llu x %llu", (unsigned long long)adims[0],
          (unsigned long long)adims[1]);
    H5OK(H5Tclose(ft));
    H5OK(H5Dclose(d));
}

/* ---------------------------------------------------------------- layouts and selections */

#define R 12
#define C 10

/* apply_selections writes a 12x10 int32 dataset with every kind of
 * selection, in order: all, none, regular hyperslab, irregular hyperslab,
 * points, a converted type, and big-endian memory. */
static void apply_selections(hid_t f, const char *path)
{
    struct model *m = model_find(path);
    hid_t d = H5OK(H5Dopen2(f, path, H5P_DEFAULT));
    hid_t fs = H5OK(H5Dget_space(d));
    H5OK(H5Dclose(d));

    /* all: from a 1-D memory space of the same size. */
    int32_t base[R * C];
    for (int i = 0; i < R * C; i++)
        base[i] = 1000 + i;
    hsize_t n1[1] = {R * C};
    hid_t ms = simple(1, n1, NULL);
    write_sel(f, m, ms, H5S_ALL, base);
    H5OK(H5Sclose(ms));

    /* none, on both sides: nothing changes. */
    H5OK(H5Sselect_none(fs));
    hsize_t one[1] = {4};
    ms = simple(1, one, NULL);
    H5OK(H5Sselect_none(ms));
    int32_t junk[4] = {-9, -9, -9, -9};
    write_sel(f, m, ms, fs, junk);
    H5OK(H5Sclose(ms));

    /* regular hyperslab (stride and block) from a 1-D buffer. */
    hsize_t start[2] = {1, 2}, stride[2] = {3, 3}, count[2] = {3, 2}, block[2] = {2, 2};
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, stride, count, block));
    int32_t reg[24];
    for (int i = 0; i < 24; i++)
        reg[i] = 2000 + i;
    hsize_t n24[1] = {24};
    ms = simple(1, n24, NULL);
    write_sel(f, m, ms, fs, reg);
    H5OK(H5Sclose(ms));

    /* irregular: a union of two overlapping blocks minus a column, from
     * every other element of a memory buffer. */
    hsize_t s1[2] = {0, 6}, c1[2] = {4, 3}, s2[2] = {2, 7}, c2[2] = {5, 3}, s3[2] = {0, 7}, c3[2] = {R, 1};
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, s1, NULL, c1, NULL));
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_OR, s2, NULL, c2, NULL));
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_NOTB, s3, NULL, c3, NULL));
    hssize_t np = H5OK(H5Sget_select_npoints(fs));
    /* rows 0-3 x cols 6-8, or rows 2-6 x cols 7-9: 12 + 15 - 4 = 23; minus column 7 (rows 0-6): 16 */
    CHECK_INT(np, 16, "points of the irregular selection");
    hsize_t n2[1] = {2 * (hsize_t)np + 1}, ms_start[1] = {1}, ms_stride[1] = {2}, ms_count[1] = {(hsize_t)np};
    ms = simple(1, n2, NULL);
    H5OK(H5Sselect_hyperslab(ms, H5S_SELECT_SET, ms_start, ms_stride, ms_count, NULL));
    int32_t irr[64];
    for (int i = 0; i < 64; i++)
        irr[i] = 3000 + i;
    write_sel(f, m, ms, fs, irr);
    H5OK(H5Sclose(ms));

    /* points, in no particular order, from a 2-D memory block. */
    hsize_t pts[7][2] = {{11, 9}, {0, 0}, {5, 5}, {3, 8}, {11, 0}, {0, 9}, {7, 1}};
    H5OK(H5Sselect_elements(fs, H5S_SELECT_SET, 7, &pts[0][0]));
    hsize_t m27[2] = {2, 7}, mstart[2] = {1, 0}, mcount[2] = {1, 7};
    ms = simple(2, m27, NULL);
    H5OK(H5Sselect_hyperslab(ms, H5S_SELECT_SET, mstart, NULL, mcount, NULL));
    int32_t pv[14];
    for (int i = 0; i < 14; i++)
        pv[i] = 4000 + i;
    write_sel(f, m, ms, fs, pv);
    H5OK(H5Sclose(ms));

    /* converted: doubles into a block; the model holds the ints. */
    hsize_t cs[2] = {8, 0}, cc[2] = {2, 4};
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, cs, NULL, cc, NULL));
    hsize_t n8[1] = {8};
    ms = simple(1, n8, NULL);
    double dv[8];
    int32_t iv[8];
    for (int i = 0; i < 8; i++) {
        iv[i] = -5000 - i;
        dv[i] = iv[i];
    }
    d = H5OK(H5Dopen2(f, path, H5P_DEFAULT));
    H5OK(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, dv));
    model_write(m, ms, fs, iv);

    /* big-endian memory into a point selection. */
    hsize_t bp[2][2] = {{6, 3}, {9, 9}};
    H5OK(H5Sselect_elements(fs, H5S_SELECT_SET, 2, &bp[0][0]));
    hsize_t n2e[1] = {2};
    hid_t ms2 = simple(1, n2e, NULL);
    unsigned char be[8] = {0, 0, 0x17, 0x70, 0xff, 0xff, 0xe8, 0x90}; /* 6000, -6000 */
    int32_t bev[2] = {6000, -6000};
    H5OK(H5Dwrite(d, H5T_STD_I32BE, ms2, fs, H5P_DEFAULT, be));
    model_write(m, ms2, fs, bev);
    H5OK(H5Sclose(ms2));
    H5OK(H5Dclose(d));
    H5OK(H5Sclose(ms));
    H5OK(H5Sclose(fs));
}

/* check_selections reads a 12x10 int32 dataset back with every kind of
 * selection and checks it against the model and against fixed values. */
static void check_selections(hid_t f, const char *path)
{
    struct model *m = model_find(path);
    check_all(f, m);

    /* Fixed values: what the writes above leave, worked out by hand. */
    int32_t all[R][C];
    hid_t d = H5OK(H5Dopen2(f, path, H5P_DEFAULT));
    H5OK(H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, all));
    H5OK(H5Dclose(d));
    CHECK_INT(all[0][1], 1001, "untouched element [0][1]");
    CHECK_INT(all[1][2], 2000, "first element of the regular hyperslab [1][2]");
    CHECK_INT(all[2][3], 2005, "[2][3] (second selected row, second element)");
    CHECK_INT(all[0][6], 3001, "first element of the irregular selection [0][6]");
    CHECK_INT(all[0][7], 1007, "[0][7] (cut out of the irregular selection)");
    CHECK_INT(all[11][9], 4007, "first point [11][9]");
    CHECK_INT(all[7][1], 4013, "last point [7][1]");
    CHECK_INT(all[8][0], -5000, "first converted element [8][0]");
    CHECK_INT(all[9][3], -5007, "last converted element [9][3]");
    CHECK_INT(all[6][3], 6000, "big-endian point [6][3]");
    CHECK_INT(all[9][9], -6000, "big-endian point [9][9]");

    hid_t fs = H5OK(H5Dget_space(d = H5OK(H5Dopen2(f, path, H5P_DEFAULT))));
    H5OK(H5Dclose(d));

    /* none */
    H5OK(H5Sselect_none(fs));
    hsize_t n5[1] = {5};
    hid_t ms = simple(1, n5, NULL);
    H5OK(H5Sselect_none(ms));
    check_read(f, m, ms, fs, "none");
    H5OK(H5Sclose(ms));

    /* regular hyperslab into a 2-D memory block at an offset */
    hsize_t start[2] = {0, 1}, stride[2] = {4, 2}, count[2] = {3, 4}, block[2] = {1, 2};
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, stride, count, block));
    hsize_t m2[2] = {5, 9}, mst[2] = {1, 0}, mcnt[2] = {3, 8};
    ms = simple(2, m2, NULL);
    H5OK(H5Sselect_hyperslab(ms, H5S_SELECT_SET, mst, NULL, mcnt, NULL));
    check_read(f, m, ms, fs, "regular hyperslab into a 2-D block");
    H5OK(H5Sclose(ms));

    /* irregular (XOR of two blocks) into a point selection in memory */
    hsize_t a0[2] = {2, 2}, ac[2] = {4, 4}, b0[2] = {4, 4}, bc[2] = {4, 5};
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, a0, NULL, ac, NULL));
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_XOR, b0, NULL, bc, NULL));
    hssize_t np = H5OK(H5Sget_select_npoints(fs));
    hsize_t mn[1] = {(hsize_t)np + 3};
    ms = simple(1, mn, NULL);
    hsize_t *mp = malloc((size_t)np * sizeof(hsize_t));
    for (hssize_t i = 0; i < np; i++)
        mp[i] = (hsize_t)(np + 2 - i); /* reversed, leaving 0..2 untouched */
    H5OK(H5Sselect_elements(ms, H5S_SELECT_SET, (size_t)np, mp));
    free(mp);
    check_read(f, m, ms, fs, "irregular hyperslab into reversed points");
    H5OK(H5Sclose(ms));

    /* points, unsorted, to a contiguous buffer */
    hsize_t pts[6][2] = {{5, 5}, {0, 0}, {11, 9}, {6, 3}, {6, 3}, {1, 2}};
    H5OK(H5Sselect_elements(fs, H5S_SELECT_SET, 6, &pts[0][0]));
    hsize_t n6[1] = {6};
    ms = simple(1, n6, NULL);
    check_read(f, m, ms, fs, "points");
    H5OK(H5Sclose(ms));

    /* a block read with conversion to int64 and double */
    hsize_t bs[2] = {7, 1}, bcnt[2] = {3, 6};
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, bs, NULL, bcnt, NULL));
    hsize_t n18[1] = {18};
    ms = simple(1, n18, NULL);
    int32_t want[18];
    memset(want, 0, sizeof want);
    model_expect(m, ms, fs, want);
    int64_t got64[18];
    double gotd[18];
    d = H5OK(H5Dopen2(f, path, H5P_DEFAULT));
    H5OK(H5Dread(d, H5T_NATIVE_INT64, ms, fs, H5P_DEFAULT, got64));
    H5OK(H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, gotd));
    H5OK(H5Dclose(d));
    for (int i = 0; i < 18; i++) {
        CHECK(got64[i] == want[i], "%s block as int64 [%d] = %lld, want %d", path, i, (long long)got64[i], want[i]);
        CHECK(gotd[i] == want[i], "%s block as double [%d] = %g, want %d", path, i, gotd[i], want[i]);
    }
    H5OK(H5Sclose(ms));
    H5OK(H5Sclose(fs));
}

static void write_layouts(hid_t f)
{
    hsize_t dims[2] = {R, C};
    hid_t sp = simple(2, dims, NULL);

    create(f, "/sel/contiguous", H5T_STD_I32LE, sp, H5P_DEFAULT);
    model_new("/sel/contiguous", H5T_NATIVE_INT32, 2, dims, NULL);
    apply_selections(f, "/sel/contiguous");

    /* Chunks that divide neither dimension, and chunks of one row. */
    hsize_t ch[2] = {5, 4};
    hid_t dcpl = dcpl_chunked(2, ch);
    create(f, "/sel/chunked", H5T_STD_I32BE, sp, dcpl);
    H5OK(H5Pclose(dcpl));
    model_new("/sel/chunked", H5T_NATIVE_INT32, 2, dims, NULL);
    apply_selections(f, "/sel/chunked");

    hsize_t rows[2] = {1, C};
    dcpl = dcpl_chunked(2, rows);
    create(f, "/sel/chunked_rows", H5T_STD_I32LE, sp, dcpl);
    H5OK(H5Pclose(dcpl));
    model_new("/sel/chunked_rows", H5T_NATIVE_INT32, 2, dims, NULL);
    apply_selections(f, "/sel/chunked_rows");
    H5OK(H5Sclose(sp));

    /* 3-D, chunks 4x3x2 over 6x7x5: written whole, then a strided
     * hyperslab across chunk boundaries, then points. */
    hsize_t d3[3] = {6, 7, 5}, c3[3] = {4, 3, 2};
    sp = simple(3, d3, NULL);
    dcpl = dcpl_chunked(3, c3);
    create(f, "/sel/chunked3d", H5T_IEEE_F64LE, sp, dcpl);
    H5OK(H5Pclose(dcpl));
    struct model *m = model_new("/sel/chunked3d", H5T_NATIVE_DOUBLE, 3, d3, NULL);
    double v[6 * 7 * 5];
    for (int i = 0; i < 6 * 7 * 5; i++)
        v[i] = i * 0.25;
    write_sel(f, m, H5S_ALL, H5S_ALL, v);
    hsize_t st[3] = {1, 0, 1}, sd[3] = {2, 4, 2}, cn[3] = {3, 2, 2}, bl[3] = {1, 3, 1}; /* 3 x 6 x 2 */
    H5OK(H5Sselect_hyperslab(sp, H5S_SELECT_SET, st, sd, cn, bl));
    hsize_t n36[1] = {36};
    hid_t ms = simple(1, n36, NULL);
    for (int i = 0; i < 36; i++)
        v[i] = -1.0 - i;
    write_sel(f, m, ms, sp, v);
    H5OK(H5Sclose(ms));
    hsize_t p3[3][3] = {{5, 6, 4}, {0, 0, 0}, {3, 3, 3}};
    H5OK(H5Sselect_elements(sp, H5S_SELECT_SET, 3, &p3[0][0]));
    hsize_t n3[1] = {3};
    ms = simple(1, n3, NULL);
    double pv[3] = {1e100, -1e-100, 0.5};
    write_sel(f, m, ms, sp, pv);
    H5OK(H5Sclose(ms));
    H5OK(H5Sclose(sp));
}

static void check_layouts(hid_t f)
{
    static const char *sel[3] = {"/sel/contiguous", "/sel/chunked", "/sel/chunked_rows"};
    for (int i = 0; i < 3; i++)
        check_selections(f, sel[i]);

    struct model *m = model_find("/sel/chunked3d");
    check_all(f, m);
    hid_t d = H5OK(H5Dopen2(f, "/sel/chunked3d", H5P_DEFAULT));
    hid_t fs = H5OK(H5Dget_space(d));
    H5OK(H5Dclose(d));
    hsize_t st[3] = {2, 1, 0}, cn[3] = {4, 5, 3};
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, cn, NULL));
    hsize_t md[3] = {4, 5, 3};
    hid_t ms = simple(3, md, NULL);
    check_read(f, m, ms, fs, "3-D block");
    H5OK(H5Sclose(ms));
    H5OK(H5Sclose(fs));
    double corner = 0;
    hsize_t pt[3] = {5, 6, 4}, one[1] = {1};
    d = H5OK(H5Dopen2(f, "/sel/chunked3d", H5P_DEFAULT));
    fs = H5OK(H5Dget_space(d));
    H5OK(H5Sselect_elements(fs, H5S_SELECT_SET, 1, pt));
    ms = simple(1, one, NULL);
    H5OK(H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &corner));
    CHECK(corner == 1e100, "/sel/chunked3d[5][6][4] = %g, want 1e100", corner);
    H5OK(H5Sclose(ms));
    H5OK(H5Sclose(fs));
    H5OK(H5Dclose(d));

    /* Layout properties as created. */
    struct {
        const char *path;
        H5D_layout_t layout;
        int rank;
        hsize_t chunk[3];
        hsize_t storage; /* every chunk written: whole chunks, edges included */
    } lay[4] = {
        {"/sel/contiguous", H5D_CONTIGUOUS, 0, {0}, R * C * 4},
        {"/sel/chunked", H5D_CHUNKED, 2, {5, 4}, 3 * 3 * 5 * 4 * 4},
        {"/sel/chunked_rows", H5D_CHUNKED, 2, {1, C}, R * C * 4},
        {"/sel/chunked3d", H5D_CHUNKED, 3, {4, 3, 2}, 2 * 3 * 3 * 4 * 3 * 2 * 8},
    };
    for (int i = 0; i < 4; i++) {
        d = H5OK(H5Dopen2(f, lay[i].path, H5P_DEFAULT));
        hid_t dcpl = H5OK(H5Dget_create_plist(d));
        char what[160];
        snprintf(what, sizeof what, "layout of %s", lay[i].path);
        CHECK_INT(H5Pget_layout(dcpl), lay[i].layout, what);
        if (lay[i].rank) {
            hsize_t ch[3] = {0};
            snprintf(what, sizeof what, "chunk rank of %s", lay[i].path);
            CHECK_INT(H5OK(H5Pget_chunk(dcpl, 3, ch)), lay[i].rank, what);
            for (int k = 0; k < lay[i].rank; k++) {
                snprintf(what, sizeof what, "chunk dim %d of %s", k, lay[i].path);
                CHECK_INT(ch[k], lay[i].chunk[k], what);
            }
        }
        snprintf(what, sizeof what, "H5Dget_storage_size(%s)", lay[i].path);
        CHECK_INT(H5Dget_storage_size(d), lay[i].storage, what);
        H5OK(H5Pclose(dcpl));
        H5OK(H5Dclose(d));
    }
}

/* ---------------------------------------------------------------- fill values, filters, extents */

static void write_fill_filters_extents(hid_t f)
{
    /* Fill value: a chunked int dataset with one block written. */
    hsize_t d55[2] = {5, 5}, c22[2] = {2, 2};
    hid_t sp = simple(2, d55, NULL);
    hid_t dcpl = dcpl_chunked(2, c22);
    int32_t fill = -7;
    H5OK(H5Pset_fill_value(dcpl, H5T_NATIVE_INT32, &fill));
    create(f, "/fill/int", H5T_STD_I32LE, sp, dcpl);
    H5OK(H5Pclose(dcpl));
    struct model *m = model_new("/fill/int", H5T_NATIVE_INT32, 2, d55, &fill);
    hsize_t st[2] = {1, 1}, cn[2] = {2, 2};
    H5OK(H5Sselect_hyperslab(sp, H5S_SELECT_SET, st, NULL, cn, NULL));
    hsize_t n4[1] = {4};
    hid_t ms = simple(1, n4, NULL);
    int32_t four[4] = {11, 12, 21, 22};
    write_sel(f, m, ms, sp, four);
    H5OK(H5Sclose(ms));
    H5OK(H5Sclose(sp));

    /* Fill value of a contiguous dataset never written. */
    hsize_t d8[1] = {8};
    sp = simple(1, d8, NULL);
    dcpl = H5OK(H5Pcreate(H5P_DATASET_CREATE));
    float ffill = 3.5f;
    H5OK(H5Pset_fill_value(dcpl, H5T_NATIVE_FLOAT, &ffill));
    create(f, "/fill/float_unwritten", H5T_IEEE_F32BE, sp, dcpl);
    H5OK(H5Pclose(dcpl));
    model_new("/fill/float_unwritten", H5T_NATIVE_FLOAT, 1, d8, &ffill);
    H5OK(H5Sclose(sp));

    /* Shuffle + deflate, and deflate alone. */
    hsize_t d1000[1] = {1000}, c128[1] = {128};
    sp = simple(1, d1000, NULL);
    dcpl = dcpl_chunked(1, c128);
    H5OK(H5Pset_shuffle(dcpl));
    H5OK(H5Pset_deflate(dcpl, 6));
    create(f, "/filters/shuffle_deflate", H5T_IEEE_F64LE, sp, dcpl);
    H5OK(H5Pclose(dcpl));
    m = model_new("/filters/shuffle_deflate", H5T_NATIVE_DOUBLE, 1, d1000, NULL);
    double smooth[1000];
    for (int i = 0; i < 1000; i++)
        smooth[i] = (double)(i / 10) * 0.5;
    write_sel(f, m, H5S_ALL, H5S_ALL, smooth);
    H5OK(H5Sclose(sp));
    hsize_t d2[2] = {40, 30}, c2[2] = {16, 16};
    sp = simple(2, d2, NULL);
    dcpl = dcpl_chunked(2, c2);
    H5OK(H5Pset_deflate(dcpl, 1));
    create(f, "/filters/deflate", H5T_STD_I16LE, sp, dcpl);
    H5OK(H5Pclose(dcpl));
    m = model_new("/filters/deflate", H5T_NATIVE_INT16, 2, d2, NULL);
    int16_t sv[1200];
    for (int i = 0; i < 1200; i++)
        sv[i] = (int16_t)(i % 30 - 15);
    write_sel(f, m, H5S_ALL, H5S_ALL, sv);
    H5OK(H5Sclose(sp));

    /* Unlimited 1-D, starting empty: grown, written in parts. */
    hsize_t zero[1] = {0}, unl[1] = {H5S_UNLIMITED}, c4[1] = {4};
    sp = simple(1, zero, unl);
    dcpl = dcpl_chunked(1, c4);
    int32_t gfill = -1;
    H5OK(H5Pset_fill_value(dcpl, H5T_NATIVE_INT32, &gfill));
    create(f, "/extend/grow", H5T_STD_I32LE, sp, dcpl);
    H5OK(H5Pclose(dcpl));
    H5OK(H5Sclose(sp));
    m = model_new("/extend/grow", H5T_NATIVE_INT32, 1, zero, &gfill);
    hid_t d = H5OK(H5Dopen2(f, "/extend/grow", H5P_DEFAULT));
    hsize_t ten[1] = {10};
    H5OK(H5Dset_extent(d, ten));
    model_resize(m, ten, &gfill);
    int32_t first[10];
    for (int i = 0; i < 10; i++)
        first[i] = i;
    H5OK(H5Dclose(d));
    write_sel(f, m, H5S_ALL, H5S_ALL, first);
    d = H5OK(H5Dopen2(f, "/extend/grow", H5P_DEFAULT));
    hsize_t n23[1] = {23};
    H5OK(H5Dset_extent(d, n23));
    model_resize(m, n23, &gfill);
    H5OK(H5Dclose(d));
    d = H5OK(H5Dopen2(f, "/extend/grow", H5P_DEFAULT));
    sp = H5OK(H5Dget_space(d));
    H5OK(H5Dclose(d));
    hsize_t s15[1] = {15}, c6[1] = {6};
    H5OK(H5Sselect_hyperslab(sp, H5S_SELECT_SET, s15, NULL, c6, NULL));
    ms = simple(1, c6, NULL);
    int32_t six[6] = {150, 160, 170, 180, 190, 200};
    write_sel(f, m, ms, sp, six);
    H5OK(H5Sclose(ms));
    H5OK(H5Sclose(sp));

    /* Unlimited 2-D: written, shrunk (cut values are gone), grown again. */
    hsize_t d34[2] = {3, 4}, unl2[2] = {H5S_UNLIMITED, H5S_UNLIMITED}, c23[2] = {2, 3};
    sp = simple(2, d34, unl2);
    dcpl = dcpl_chunked(2, c23);
    create(f, "/extend/reshape", H5T_STD_U16LE, sp, dcpl);
    H5OK(H5Pclose(dcpl));
    H5OK(H5Sclose(sp));
    uint16_t zf = 0;
    m = model_new("/extend/reshape", H5T_NATIVE_UINT16, 2, d34, &zf);
    uint16_t v12[12];
    for (int i = 0; i < 12; i++)
        v12[i] = (uint16_t)(i + 1);
    write_sel(f, m, H5S_ALL, H5S_ALL, v12);
    d = H5OK(H5Dopen2(f, "/extend/reshape", H5P_DEFAULT));
    hsize_t d22[2] = {2, 2}, d45[2] = {4, 5};
    H5OK(H5Dset_extent(d, d22));
    model_resize(m, d22, &zf);
    H5OK(H5Dset_extent(d, d45));
    model_resize(m, d45, &zf);
    H5OK(H5Dclose(d));
}

static void check_fill_filters_extents(hid_t f)
{
    static const char *all[] = {"/fill/int", "/fill/float_unwritten", "/filters/shuffle_deflate", "/filters/deflate",
                                "/extend/grow", "/extend/reshape"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        check_all(f, model_find(all[i]));

    int32_t fi[5][5];
    hid_t d = H5OK(H5Dopen2(f, "/fill/int", H5P_DEFAULT));
    H5OK(H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, fi));
    CHECK(fi[0][0] == -7 && fi[1][1] == 11 && fi[2][2] == 22 && fi[4][4] == -7, "/fill/int = %d %d %d %d", fi[0][0],
          fi[1][1], fi[2][2], fi[4][4]);
    hid_t dcpl = H5OK(H5Dget_create_plist(d));
    H5D_fill_value_t fvs;
    H5OK(H5Pfill_value_defined(dcpl, &fvs));
    CHECK_INT(fvs, H5D_FILL_VALUE_USER_DEFINED, "fill value status of /fill/int");
    int32_t fv = 0;
    H5OK(H5Pget_fill_value(dcpl, H5T_NATIVE_INT32, &fv));
    CHECK_INT(fv, -7, "fill value of /fill/int");
    H5OK(H5Pclose(dcpl));
    /* the block (1,1)-(2,2) touches all four chunks of rows/cols 0..3 */
    CHECK_INT(H5Dget_storage_size(d), 4 * 2 * 2 * 4, "H5Dget_storage_size(/fill/int)");
    H5OK(H5Dclose(d));

    d = H5OK(H5Dopen2(f, "/fill/float_unwritten", H5P_DEFAULT));
    dcpl = H5OK(H5Dget_create_plist(d));
    float ff = 0;
    H5OK(H5Pget_fill_value(dcpl, H5T_NATIVE_FLOAT, &ff));
    CHECK(ff == 3.5f, "fill value of /fill/float_unwritten = %g", ff);
    H5OK(H5Pclose(dcpl));
    CHECK_INT(H5Dget_storage_size(d), 0, "H5Dget_storage_size of a dataset never written");
    H5OK(H5Dclose(d));

    d = H5OK(H5Dopen2(f, "/filters/shuffle_deflate", H5P_DEFAULT));
    dcpl = H5OK(H5Dget_create_plist(d));
    CHECK_INT(H5OK(H5Pget_nfilters(dcpl)), 2, "filters of /filters/shuffle_deflate");
    unsigned flags = 0, cd[4] = {0};
    size_t ncd = 4;
    char fname[64];
    CHECK_INT(H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, sizeof fname, fname, NULL), H5Z_FILTER_SHUFFLE,
              "filter 0 of /filters/shuffle_deflate");
    ncd = 4;
    CHECK_INT(H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, sizeof fname, fname, NULL), H5Z_FILTER_DEFLATE,
              "filter 1 of /filters/shuffle_deflate");
    CHECK(ncd >= 1 && cd[0] == 6, "deflate level of /filters/shuffle_deflate = %u (%zu values)", cd[0], ncd);
    hsize_t ch[1] = {0};
    H5OK(H5Pget_chunk(dcpl, 1, ch));
    CHECK_INT(ch[0], 128, "chunk of /filters/shuffle_deflate");
    H5OK(H5Pclose(dcpl));
    hsize_t ss = H5Dget_storage_size(d);
    CHECK(ss > 0 && ss < 1000 * 8 / 4, "H5Dget_storage_size(/filters/shuffle_deflate) = %llu, want compressed (< 2000)",
          (unsigned long long)ss);
    H5OK(H5Dclose(d));

    /* extents: space and maxdims */
    d = H5OK(H5Dopen2(f, "/extend/grow", H5P_DEFAULT));
    hid_t sp = H5OK(H5Dget_space(d));
    hsize_t dims[1], maxd[1];
    H5OK(H5Sget_simple_extent_dims(sp, dims, maxd));
    CHECK(maxd[0] == H5S_UNLIMITED, "maxdims of /extend/grow is not unlimited");
    H5OK(H5Sclose(sp));
    CHECK(dims[0] == 23 || dims[0] == 30, "/extend/grow has %llu elements, want 23 (30 after the read-write phase)",
          (unsigned long long)dims[0]);
    int32_t g[30];
    H5OK(H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, g));
    CHECK(g[9] == 9 && g[10] == -1 && g[14] == -1 && g[15] == 150 && g[20] == 200 && g[21] == -1,
          "/extend/grow = ..%d %d..%d %d..%d %d..", g[9], g[10], g[14], g[15], g[20], g[21]);
    CHECK(dims[0] == 23 ? g[22] == -1 : (g[22] == 220 && g[29] == 290), "/extend/grow[22] = %d", g[22]);
    H5OK(H5Dclose(d));
    d = H5OK(H5Dopen2(f, "/extend/reshape", H5P_DEFAULT));
    uint16_t r[4][5];
    H5OK(H5Dread(d, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, r));
    CHECK(r[0][0] == 1 && r[1][1] == 6 && r[0][2] == 0 && r[2][0] == 0 && r[3][4] == 0,
          "/extend/reshape after shrink and grow: [0][0]=%u [1][1]=%u [0][2]=%u [2][0]=%u (cut values must read as fill)",
          r[0][0], r[1][1], r[0][2], r[2][0]);
    H5OK(H5Dclose(d));
}

/* ---------------------------------------------------------------- read-write phase */

/* modify_rw changes an existing file: a partial write across chunks of a
 * chunked dataset (read-modify-write of stored chunks) and an extension. */
static void modify_rw(hid_t f)
{
    struct model *m = model_find("/sel/chunked");
    hid_t d = H5OK(H5Dopen2(f, "/sel/chunked", H5P_DEFAULT));
    hid_t fs = H5OK(H5Dget_space(d));
    H5OK(H5Dclose(d));
    /* rows 3-5, cols 4-8: parts of four stored chunks, none of the
     * elements check_selections knows by heart */
    hsize_t st[2] = {3, 4}, cn[2] = {3, 5};
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, cn, NULL));
    hsize_t n15[1] = {15};
    hid_t ms = simple(1, n15, NULL);
    int32_t v[15];
    for (int i = 0; i < 15; i++)
        v[i] = 7000 + i;
    write_sel(f, m, ms, fs, v);
    H5OK(H5Sclose(ms));
    H5OK(H5Sclose(fs));

    m = model_find("/extend/grow");
    d = H5OK(H5Dopen2(f, "/extend/grow", H5P_DEFAULT));
    hsize_t n30[1] = {30};
    H5OK(H5Dset_extent(d, n30));
    int32_t gfill = -1;
    model_resize(m, n30, &gfill);
    fs = H5OK(H5Dget_space(d));
    H5OK(H5Dclose(d));
    hsize_t s[1] = {22}, c[1] = {8};
    H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, s, NULL, c, NULL));
    ms = simple(1, c, NULL);
    int32_t w[8] = {220, 230, 240, 250, 260, 270, 280, 290};
    write_sel(f, m, ms, fs, w);
    H5OK(H5Sclose(ms));
    H5OK(H5Sclose(fs));
}

static void check_everything(hid_t f)
{
    CHECK_CONNECTOR(f);
    check_numeric(f);
    for (int i = 0; i < nmodels; i++)
        check_all(f, &models[i]);
    check_structured(f);
    check_layouts(f);
    check_fill_filters_extents(f);
}

int main(int argc, char **argv)
{
    begin_program("datasets");
    if (argc != 2) {
        fprintf(stderr, "usage: datasets FILE\n");
        return 2;
    }
    const char *name = argv[1];

    hid_t f = H5OK(H5Fcreate(name, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    write_numeric(f);
    write_structured(f);
    write_layouts(f);
    write_fill_filters_extents(f);
    /* Everything reads back before the file is closed, too. */
    check_everything(f);
    H5OK(H5Fclose(f));

    f = H5OK(H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    check_everything(f);
    hid_t d = H5OK(H5Dopen2(f, "/sel/contiguous", H5P_DEFAULT));
    int32_t z[R * C] = {0};
    H5FAILS(H5Dwrite(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, z));
    hsize_t bigger[2] = {R + 1, C};
    H5FAILS(H5Dset_extent(d, bigger));
    H5OK(H5Dclose(d));
    H5OK(H5Fclose(f));

    f = H5OK(H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT));
    modify_rw(f);
    H5OK(H5Fclose(f));

    f = H5OK(H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    check_everything(f);
    H5OK(H5Fclose(f));

    printf("datasets: ok (%d datasets checked against models)\n", nmodels);
    return 0;
}

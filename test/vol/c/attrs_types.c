/*
 * attrs_types FILE — attributes on the file, groups, datasets and named
 * datatypes; named datatypes (committed, anonymous then linked, used by a
 * dataset and an attribute).
 *
 * Writes FILE, closes, reopens read-only and checks every value, reopens
 * read-write to add, rename, overwrite and delete attributes, and checks
 * again after another reopen. Exits 0 with one summary line when every
 * check passed, else 1 with a message and the HDF5 error stack.
 */
#include "check.h"

#define MAXNAMES 32

struct names {
    int n;
    int stop_after;
    char v[MAXNAMES][64];
};

static herr_t attr_cb(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    struct names *ns = data;
    (void)loc;
    (void)info;
    if (ns->n < MAXNAMES)
        snprintf(ns->v[ns->n], sizeof ns->v[0], "%s", name);
    ns->n++;
    return (ns->stop_after > 0 && ns->n >= ns->stop_after) ? 1 : 0;
}

static void check_names_at(const char *file, int line, const struct names *ns, const char **want, size_t nwant,
                           const char *what)
{
    char got[2048] = "", exp[2048] = "";
    for (int i = 0; i < ns->n && i < MAXNAMES; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? ", " : "", ns->v[i]);
    for (size_t i = 0; i < nwant; i++)
        snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%s%s", i ? ", " : "", want[i]);
    if (strcmp(got, exp) != 0 || (size_t)ns->n != nwant)
        fail_at(file, line, "%s: got [%s], want [%s]", what, got, exp);
}

#define CHECK_NAMES(ns, what, ...)                                                                 \
    do {                                                                                           \
        const char *cn_want_[] = {__VA_ARGS__};                                                    \
        check_names_at(__FILE__, __LINE__, (ns), cn_want_, sizeof cn_want_ / sizeof cn_want_[0],   \
                       (what));                                                                    \
    } while (0)

static struct names attr_names(hid_t obj, H5_index_t idx, H5_iter_order_t order, hsize_t start, int stop_after)
{
    struct names ns = {0};
    ns.stop_after = stop_after;
    hsize_t i = start;
    H5OK(H5Aiterate2(obj, idx, order, &i, attr_cb, &ns));
    return ns;
}

static hid_t vlen_str(void)
{
    hid_t t = H5OK(H5Tcopy(H5T_C_S1));
    H5OK(H5Tset_size(t, H5T_VARIABLE));
    return t;
}

static hid_t fixed_str(size_t n)
{
    hid_t t = H5OK(H5Tcopy(H5T_C_S1));
    H5OK(H5Tset_size(t, n));
    return t;
}

struct point {
    int32_t x;
    double y;
};

static hid_t point_type(hid_t xt, hid_t yt, size_t size, size_t yoff)
{
    hid_t t = H5OK(H5Tcreate(H5T_COMPOUND, size));
    H5OK(H5Tinsert(t, "x", 0, xt));
    H5OK(H5Tinsert(t, "y", yoff, yt));
    return t;
}

static hid_t point_mem(void) { return point_type(H5T_NATIVE_INT32, H5T_NATIVE_DOUBLE, sizeof(struct point), HOFFSET(struct point, y)); }
static hid_t point_file(void) { return point_type(H5T_STD_I32BE, H5T_IEEE_F64LE, 12, 4); }

static hid_t level_enum(void)
{
    hid_t t = H5OK(H5Tenum_create(H5T_STD_U8LE));
    static const char *names[3] = {"LOW", "MEDIUM", "HIGH"};
    for (unsigned char v = 0; v < 3; v++)
        H5OK(H5Tenum_insert(t, names[v], &v));
    return t;
}

/* attr writes a new attribute of type ftype, written from mtype/buf. */
static void attr(hid_t obj, const char *name, hid_t ftype, hid_t space, hid_t mtype, const void *buf)
{
    hid_t a = H5OK(H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT));
    if (buf)
        H5OK(H5Awrite(a, mtype, buf));
    H5OK(H5Aclose(a));
}

static hid_t scalar(void) { return H5OK(H5Screate(H5S_SCALAR)); }
static hid_t vec(hsize_t n)
{
    return H5OK(H5Screate_simple(1, &n, NULL));
}

/* read_attr reads the attribute name of obj with mtype into buf and checks
 * its element count. */
static void read_attr(hid_t obj, const char *name, hid_t mtype, void *buf, hssize_t nelem)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    CHECK(a >= 0, "H5Aopen(%s) failed", name);
    hid_t sp = H5OK(H5Aget_space(a));
    hssize_t n = H5OK(H5Sget_simple_extent_npoints(sp));
    CHECK(n == nelem, "attribute %s has %lld elements, want %lld", name, (long long)n, (long long)nelem);
    H5OK(H5Sclose(sp));
    CHECK(H5Aread(a, mtype, buf) >= 0, "H5Aread(%s) failed", name);
    H5OK(H5Aclose(a));
}

static void read_vlen_attr(hid_t obj, const char *name, const char **want, int n)
{
    hid_t t = vlen_str();
    char *got[8] = {0};
    read_attr(obj, name, t, got, n);
    for (int i = 0; i < n; i++)
        CHECK(got[i] && strcmp(got[i], want[i]) == 0, "attribute %s[%d] = \"%s\", want \"%s\"", name, i,
              got[i] ? got[i] : "(NULL)", want[i]);
    hid_t sp = vec((hsize_t)n);
    if (n == 1) {
        H5OK(H5Sclose(sp));
        sp = scalar();
    }
    H5OK(H5Treclaim(t, sp, H5P_DEFAULT, got));
    H5OK(H5Sclose(sp));
    H5OK(H5Tclose(t));
}

/* ---------------------------------------------------------------- writing */

static void write_file(const char *name)
{
    hid_t f = H5OK(H5Fcreate(name, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    hid_t s1 = scalar(), s3 = vec(3);

    /* On the file (that is, its root group). */
    hid_t t20 = fixed_str(20);
    attr(f, "title", t20, s1, t20, "sciswift VOL test\0\0\0");
    int32_t version[3] = {1, 14, 5};
    attr(f, "version", H5T_STD_I32LE, s3, H5T_NATIVE_INT32, version);
    attr(f, "to_rename", H5T_STD_U8LE, s1, H5T_NATIVE_UINT8, (uint8_t[]){7});
    attr(f, "to_delete", H5T_STD_U8LE, s1, H5T_NATIVE_UINT8, (uint8_t[]){8});

    /* A group that tracks attribute creation order; attributes of every
     * kind, created out of name order. */
    hid_t gcpl = H5OK(H5Pcreate(H5P_GROUP_CREATE));
    H5OK(H5Pset_attr_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
    hid_t g = H5OK(H5Gcreate2(f, "/grp", H5P_DEFAULT, gcpl, H5P_DEFAULT));
    H5OK(H5Pclose(gcpl));
    attr(g, "zulu", H5T_STD_I64BE, s1, H5T_NATIVE_INT64, (int64_t[]){-1234567890123LL});
    hsize_t d23[2] = {2, 3};
    hid_t s23 = H5OK(H5Screate_simple(2, d23, NULL));
    double m23[6] = {0.5, 1.5, 2.5, -3.5, 1e-300, 1e300};
    attr(g, "alpha", H5T_IEEE_F64BE, s23, H5T_NATIVE_DOUBLE, m23);
    hid_t vs = vlen_str();
    const char *words[3] = {"", "x", "y z"};
    attr(g, "mike", vs, s3, vs, words);
    hid_t pf = point_file(), pm = point_mem();
    struct point pt = {-3, 2.75};
    attr(g, "echo", pf, s1, pm, &pt);
    hid_t le = level_enum();
    uint8_t levels[3] = {2, 0, 1};
    attr(g, "kilo", le, s3, le, levels);
    hsize_t ad[1] = {4};
    hid_t arr = H5OK(H5Tarray_create2(H5T_STD_U16LE, 1, ad));
    uint16_t av[2][4] = {{1, 2, 3, 4}, {65535, 0, 9, 8}};
    hid_t s2 = vec(2);
    hid_t arrm = H5OK(H5Tarray_create2(H5T_NATIVE_UINT16, 1, ad));
    attr(g, "bravo", arr, s2, arrm, av);
    attr(g, "never_written", H5T_STD_I32LE, s3, 0, NULL);
    /* An existing name cannot be created again; a missing one not opened. */
    H5FAILS(H5Acreate2(g, "zulu", H5T_STD_I32LE, s1, H5P_DEFAULT, H5P_DEFAULT));
    H5FAILS(H5Aopen(g, "nope", H5P_DEFAULT));
    /* Overwrite a value. */
    hid_t a = H5OK(H5Aopen(g, "zulu", H5P_DEFAULT));
    H5OK(H5Awrite(a, H5T_NATIVE_INT64, (int64_t[]){9876543210LL}));
    H5OK(H5Aclose(a));
    H5OK(H5Gclose(g));

    /* Many attributes on one group (past HDF5's compact-storage limit). */
    g = H5OK(H5Gcreate2(f, "/many", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    for (int i = 11; i >= 0; i--) {
        char an[16];
        snprintf(an, sizeof an, "n%02d", i);
        attr(g, an, H5T_STD_I16LE, s1, H5T_NATIVE_INT, &i);
    }
    H5OK(H5Gclose(g));

    /* Named datatypes: committed by name, committed anonymously and then
     * linked, and used by a dataset and an attribute. */
    hid_t lcpl = H5OK(H5Pcreate(H5P_LINK_CREATE));
    H5OK(H5Pset_create_intermediate_group(lcpl, 1));
    hid_t tp = H5OK(H5Tcopy(pf));
    H5OK(H5Tcommit2(f, "/types/point", tp, lcpl, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_INT(H5OK(H5Tcommitted(tp)), 1, "H5Tcommitted after H5Tcommit2");
    attr(tp, "doc", t20, s1, t20, "an (x, y) pair\0\0\0\0\0\0");
    hid_t tl = H5OK(H5Tcopy(le));
    H5OK(H5Tcommit2(f, "/types/level", tl, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    hid_t ta = vlen_str();
    H5OK(H5Tcommit_anon(f, ta, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_INT(H5OK(H5Tcommitted(ta)), 1, "H5Tcommitted after H5Tcommit_anon");
    H5OK(H5Olink(ta, f, "/types/anon_linked", H5P_DEFAULT, H5P_DEFAULT));
    H5FAILS(H5Tcommit2(f, "/types/point", pf, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)); /* name taken */

    hid_t s4 = vec(4);
    hid_t d = H5OK(H5Dcreate2(f, "/typed/points", tp, s4, lcpl, H5P_DEFAULT, H5P_DEFAULT));
    struct point pts[4] = {{1, 0.5}, {2, 1.5}, {3, -2.5}, {4, 1e10}};
    H5OK(H5Dwrite(d, pm, H5S_ALL, H5S_ALL, H5P_DEFAULT, pts));
    attr(d, "level", tl, s1, le, (uint8_t[]){2});
    attr(d, "units", vs, s1, vs, (const char *[]){"m/s"});
    attr(d, "scale", H5T_IEEE_F32BE, s1, H5T_NATIVE_FLOAT, (float[]){0.125f});
    attr(d, "valid_range", H5T_STD_I16BE, s2, H5T_NATIVE_INT16, (int16_t[]){-100, 100});
    attr(d, "old_name", H5T_STD_I8LE, s1, H5T_NATIVE_INT8, (int8_t[]){-8});
    attr(d, "gone", H5T_STD_I8LE, s1, H5T_NATIVE_INT8, (int8_t[]){9});
    /* Rename and delete, by handle and by name. */
    H5OK(H5Arename(d, "old_name", "new_name"));
    H5FAILS(H5Arename(d, "old_name", "again"));
    H5FAILS(H5Arename(d, "new_name", "units")); /* target taken */
    H5OK(H5Adelete(d, "gone"));
    CHECK_INT(H5OK(H5Aexists(d, "gone")), 0, "H5Aexists(gone) after H5Adelete");
    H5FAILS(H5Adelete(d, "gone"));
    H5OK(H5Dclose(d));
    H5OK(H5Arename_by_name(f, "/", "to_rename", "renamed", H5P_DEFAULT));
    H5OK(H5Adelete_by_name(f, ".", "to_delete", H5P_DEFAULT));

    H5OK(H5Tclose(ta));
    H5OK(H5Tclose(tl));
    H5OK(H5Tclose(tp));
    H5OK(H5Pclose(lcpl));
    H5OK(H5Tclose(arr));
    H5OK(H5Tclose(arrm));
    H5OK(H5Tclose(le));
    H5OK(H5Tclose(pf));
    H5OK(H5Tclose(pm));
    H5OK(H5Tclose(vs));
    H5OK(H5Tclose(t20));
    H5OK(H5Sclose(s1));
    H5OK(H5Sclose(s2));
    H5OK(H5Sclose(s3));
    H5OK(H5Sclose(s4));
    H5OK(H5Sclose(s23));
    H5OK(H5Fclose(f));
}

/* modify_rw changes attributes of an existing file. */
static void modify_rw(hid_t f)
{
    hid_t s1 = scalar();
    attr(f, "added_rw", H5T_STD_I32LE, s1, H5T_NATIVE_INT32, (int32_t[]){2024});
    H5OK(H5Arename_by_name(f, "/typed/points", "new_name", "newer_name", H5P_DEFAULT));
    hid_t g = H5OK(H5Gopen2(f, "/grp", H5P_DEFAULT));
    hid_t a = H5OK(H5Aopen(g, "alpha", H5P_DEFAULT));
    double m23[6] = {6, 5, 4, 3, 2, 1};
    H5OK(H5Awrite(a, H5T_NATIVE_DOUBLE, m23));
    H5OK(H5Aclose(a));
    /* delete by index: the third by creation order (mike) */
    H5OK(H5Adelete_by_idx(g, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, 2, H5P_DEFAULT));
    H5OK(H5Gclose(g));
    H5OK(H5Sclose(s1));
}

/* ---------------------------------------------------------------- checking */

static void check_file(hid_t f, int rw)
{
    CHECK_CONNECTOR(f);
    /* file attributes */
    char title[21] = "";
    hid_t t20 = fixed_str(20);
    read_attr(f, "title", t20, title, 1);
    CHECK_STR(title, "sciswift VOL test", "file attribute title");
    H5OK(H5Tclose(t20));
    int32_t version[3] = {0};
    read_attr(f, "version", H5T_NATIVE_INT32, version, 3);
    CHECK(version[0] == 1 && version[1] == 14 && version[2] == 5, "file attribute version = %d.%d.%d", version[0],
          version[1], version[2]);
    uint8_t u8 = 0;
    read_attr(f, "renamed", H5T_NATIVE_UINT8, &u8, 1);
    CHECK_INT(u8, 7, "file attribute renamed");
    CHECK_INT(H5OK(H5Aexists(f, "to_rename")), 0, "H5Aexists(to_rename)");
    CHECK_INT(H5OK(H5Aexists(f, "to_delete")), 0, "H5Aexists(to_delete)");
    CHECK_INT(H5OK(H5Aexists(f, "added_rw")), rw, "H5Aexists(added_rw)");
    struct names ns = attr_names(f, H5_INDEX_NAME, H5_ITER_INC, 0, 0);
    if (rw)
        CHECK_NAMES(&ns, "attributes of the file", "added_rw", "renamed", "title", "version");
    else
        CHECK_NAMES(&ns, "attributes of the file", "renamed", "title", "version");
    H5O_info2_t oi;
    H5OK(H5Oget_info3(f, &oi, H5O_INFO_NUM_ATTRS));
    CHECK_INT(oi.num_attrs, 3 + rw, "num_attrs of the root group");

    /* the group's attributes: iteration orders, info, values */
    hid_t g = H5OK(H5Gopen2(f, "/grp", H5P_DEFAULT));
    ns = attr_names(g, H5_INDEX_CRT_ORDER, H5_ITER_INC, 0, 0);
    if (rw)
        CHECK_NAMES(&ns, "/grp attributes by creation order", "zulu", "alpha", "echo", "kilo", "bravo", "never_written");
    else
        CHECK_NAMES(&ns, "/grp attributes by creation order", "zulu", "alpha", "mike", "echo", "kilo", "bravo",
                    "never_written");
    ns = attr_names(g, H5_INDEX_NAME, H5_ITER_DEC, 0, 0);
    if (rw)
        CHECK_NAMES(&ns, "/grp attributes by name, decreasing", "zulu", "never_written", "kilo", "echo", "bravo", "alpha");
    else
        CHECK_NAMES(&ns, "/grp attributes by name, decreasing", "zulu", "never_written", "mike", "kilo", "echo", "bravo",
                    "alpha");
    ns = attr_names(g, H5_INDEX_NAME, H5_ITER_INC, 1, 2);
    CHECK_NAMES(&ns, "/grp attributes by name from 1, stopped after 2", "bravo", "echo");

    H5A_info_t ai;
    H5OK(H5Aget_info_by_name(g, ".", "alpha", &ai, H5P_DEFAULT));
    CHECK(ai.corder_valid, "alpha has no valid creation order");
    CHECK_INT(ai.corder, 1, "creation order of alpha");
    CHECK_INT(ai.data_size, 6 * 8, "data size of alpha");
    char an[32] = "";
    H5OK(H5Aget_name_by_idx(g, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, 0, an, sizeof an, H5P_DEFAULT));
    CHECK_STR(an, "zulu", "H5Aget_name_by_idx(/grp, creation order, 0)");

    int64_t zulu = 0;
    read_attr(g, "zulu", H5T_NATIVE_INT64, &zulu, 1);
    CHECK(zulu == 9876543210LL, "zulu = %lld (overwritten value wanted)", (long long)zulu);
    double m23[6];
    read_attr(g, "alpha", H5T_NATIVE_DOUBLE, m23, 6);
    static const double a0[6] = {0.5, 1.5, 2.5, -3.5, 1e-300, 1e300}, a1[6] = {6, 5, 4, 3, 2, 1};
    CHECK_BYTES(m23, rw ? a1 : a0, 6, 8, "attribute alpha");
    hid_t a = H5OK(H5Aopen(g, "alpha", H5P_DEFAULT));
    hid_t sp = H5OK(H5Aget_space(a));
    hsize_t dims[2] = {0};
    CHECK_INT(H5OK(H5Sget_simple_extent_dims(sp, dims, NULL)), 2, "rank of alpha");
    CHECK(dims[0] == 2 && dims[1] == 3, "dims of alpha = %llu x %llu", (unsigned long long)dims[0],
          (unsigned long long)dims[1]);
    H5OK(H5Sclose(sp));
    hid_t at = H5OK(H5Aget_type(a));
    CHECK_INT(H5OK(H5Tequal(at, H5T_IEEE_F64BE)), 1, "type of alpha is F64BE");
    H5OK(H5Tclose(at));
    char nm[32] = "";
    H5OK(H5Aget_name(a, sizeof nm, nm));
    CHECK_STR(nm, "alpha", "H5Aget_name");
    CHECK_INT(H5Aget_storage_size(a), 48, "H5Aget_storage_size(alpha)");
    H5OK(H5Aclose(a));
    float m23f[6];
    read_attr(g, "alpha", H5T_NATIVE_FLOAT, m23f, 6); /* converted */
    CHECK(m23f[0] == (rw ? 6.0f : 0.5f), "alpha[0] as float = %g", m23f[0]);
    if (!rw) {
        static const char *words[3] = {"", "x", "y z"};
        read_vlen_attr(g, "mike", words, 3);
    }
    CHECK_INT(H5OK(H5Aexists(g, "mike")), !rw, "H5Aexists(mike)");
    struct point pt = {0, 0};
    hid_t pm = point_mem();
    read_attr(g, "echo", pm, &pt, 1);
    CHECK(pt.x == -3 && pt.y == 2.75, "echo = {%d, %g}", pt.x, pt.y);
    H5OK(H5Tclose(pm));
    uint8_t levels[3];
    hid_t le = level_enum();
    read_attr(g, "kilo", le, levels, 3);
    CHECK(levels[0] == 2 && levels[1] == 0 && levels[2] == 1, "kilo = {%u, %u, %u}", levels[0], levels[1], levels[2]);
    H5OK(H5Tclose(le));
    uint16_t av[2][4];
    hsize_t ad[1] = {4};
    hid_t arrm = H5OK(H5Tarray_create2(H5T_NATIVE_UINT16, 1, ad));
    read_attr(g, "bravo", arrm, av, 2);
    CHECK(av[0][3] == 4 && av[1][0] == 65535 && av[1][3] == 8, "bravo = {{..%u}, {%u..%u}}", av[0][3], av[1][0],
          av[1][3]);
    H5OK(H5Tclose(arrm));
    int32_t nw[3] = {-1, -1, -1};
    read_attr(g, "never_written", H5T_NATIVE_INT32, nw, 3);
    CHECK(nw[0] == 0 && nw[1] == 0 && nw[2] == 0, "never_written = {%d, %d, %d}, want zeros", nw[0], nw[1], nw[2]);
    a = H5OK(H5Aopen_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, 0, H5P_DEFAULT, H5P_DEFAULT));
    H5OK(H5Aget_name(a, sizeof nm, nm));
    CHECK_STR(nm, "alpha", "H5Aopen_by_idx(/grp, name, 0)");
    H5OK(H5Aclose(a));
    H5OK(H5Gclose(g));

    /* many */
    g = H5OK(H5Gopen2(f, "/many", H5P_DEFAULT));
    ns = attr_names(g, H5_INDEX_NAME, H5_ITER_INC, 0, 0);
    CHECK_NAMES(&ns, "attributes of /many", "n00", "n01", "n02", "n03", "n04", "n05", "n06", "n07", "n08", "n09",
                "n10", "n11");
    for (int i = 0; i < 12; i++) {
        char n[16];
        int v = -1;
        snprintf(n, sizeof n, "n%02d", i);
        read_attr(g, n, H5T_NATIVE_INT, &v, 1);
        CHECK_INT(v, i, n);
    }
    H5OK(H5Gclose(g));

    /* named datatypes */
    hid_t tp = H5OK(H5Topen2(f, "/types/point", H5P_DEFAULT));
    CHECK_INT(H5OK(H5Tcommitted(tp)), 1, "H5Tcommitted(H5Topen2(/types/point))");
    hid_t pf = point_file();
    CHECK_INT(H5OK(H5Tequal(tp, pf)), 1, "H5Tequal(/types/point, the type committed)");
    H5OK(H5Tclose(pf));
    CHECK_INT(H5Tget_class(tp), H5T_COMPOUND, "class of /types/point");
    char doc[21] = "";
    t20 = fixed_str(20);
    read_attr(tp, "doc", t20, doc, 1);
    CHECK_STR(doc, "an (x, y) pair", "attribute doc of /types/point");
    H5OK(H5Tclose(t20));
    hid_t tcpl = H5OK(H5Tget_create_plist(tp));
    H5OK(H5Pclose(tcpl));
    H5OK(H5Oget_info3(tp, &oi, H5O_INFO_BASIC | H5O_INFO_NUM_ATTRS));
    CHECK_INT(oi.type, H5O_TYPE_NAMED_DATATYPE, "object type of /types/point");
    CHECK_INT(oi.num_attrs, 1, "num_attrs of /types/point");
    H5OK(H5Tclose(tp));
    hid_t o = H5OK(H5Oopen(f, "/types/anon_linked", H5P_DEFAULT));
    CHECK_INT(H5Iget_type(o), H5I_DATATYPE, "H5Iget_type(/types/anon_linked)");
    CHECK_INT(H5OK(H5Tis_variable_str(o)), 1, "/types/anon_linked is a vlen string");
    H5OK(H5Oclose(o));
    hid_t tl = H5OK(H5Topen2(f, "/types/level", H5P_DEFAULT));
    CHECK_INT(H5Tget_class(tl), H5T_ENUM, "class of /types/level");
    CHECK_INT(H5Tget_nmembers(tl), 3, "members of /types/level");
    H5OK(H5Tclose(tl));

    /* the dataset made with a named type, and its attributes */
    hid_t d = H5OK(H5Dopen2(f, "/typed/points", H5P_DEFAULT));
    hid_t dt = H5OK(H5Dget_type(d));
    CHECK_INT(H5OK(H5Tcommitted(dt)), 1, "H5Tcommitted(H5Dget_type(/typed/points))");
    H5OK(H5Oget_info3(dt, &oi, H5O_INFO_BASIC));
    H5O_token_t tok;
    {
        H5O_info2_t ti;
        H5OK(H5Oget_info_by_name3(f, "/types/point", &ti, H5O_INFO_BASIC, H5P_DEFAULT));
        tok = ti.token;
    }
    int cmp = 1;
    H5OK(H5Otoken_cmp(f, &oi.token, &tok, &cmp));
    CHECK(cmp == 0, "the dataset's type is not the object /types/point");
    H5OK(H5Tclose(dt));
    struct point pts[4];
    pm = point_mem();
    H5OK(H5Dread(d, pm, H5S_ALL, H5S_ALL, H5P_DEFAULT, pts));
    CHECK(pts[0].x == 1 && pts[3].x == 4 && pts[3].y == 1e10 && pts[2].y == -2.5, "/typed/points = {%d..%d, %g}",
          pts[0].x, pts[3].x, pts[3].y);
    H5OK(H5Tclose(pm));
    ns = attr_names(d, H5_INDEX_NAME, H5_ITER_INC, 0, 0);
    CHECK_NAMES(&ns, "attributes of /typed/points", "level", rw ? "newer_name" : "new_name", "scale", "units",
                "valid_range");
    uint8_t lv = 0;
    le = level_enum();
    read_attr(d, "level", le, &lv, 1);
    CHECK_INT(lv, 2, "attribute level");
    H5OK(H5Tclose(le));
    a = H5OK(H5Aopen(d, "level", H5P_DEFAULT));
    at = H5OK(H5Aget_type(a));
    CHECK_INT(H5OK(H5Tcommitted(at)), 1, "H5Tcommitted(type of attribute level)");
    H5OK(H5Tclose(at));
    H5OK(H5Aclose(a));
    static const char *units[1] = {"m/s"};
    read_vlen_attr(d, "units", units, 1);
    double scale = 0;
    read_attr(d, "scale", H5T_NATIVE_DOUBLE, &scale, 1);
    CHECK(scale == 0.125, "scale = %g", scale);
    int32_t vr[2] = {0, 0};
    read_attr(d, "valid_range", H5T_NATIVE_INT32, vr, 2);
    CHECK(vr[0] == -100 && vr[1] == 100, "valid_range = {%d, %d}", vr[0], vr[1]);
    int8_t i8 = 0;
    read_attr(d, rw ? "newer_name" : "new_name", H5T_NATIVE_INT8, &i8, 1);
    CHECK_INT(i8, -8, "renamed dataset attribute");
    H5OK(H5Aget_info(H5OK(a = H5Aopen_by_name(f, "/typed/points", "units", H5P_DEFAULT, H5P_DEFAULT)), &ai));
    H5OK(H5Aclose(a));
    CHECK_INT(H5OK(H5Aexists_by_name(f, "/typed/points", "scale", H5P_DEFAULT)), 1, "H5Aexists_by_name(scale)");
    CHECK_INT(H5OK(H5Aexists_by_name(f, "/typed/points", "old_name", H5P_DEFAULT)), 0, "H5Aexists_by_name(old_name)");
    H5OK(H5Dclose(d));
}

int main(int argc, char **argv)
{
    begin_program("attrs_types");
    if (argc != 2) {
        fprintf(stderr, "usage: attrs_types FILE\n");
        return 2;
    }
    const char *name = argv[1];
    write_file(name);

    hid_t f = H5OK(H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    check_file(f, 0);
    /* Read-only: attributes cannot be made, changed or removed. */
    hid_t s1 = scalar();
    H5FAILS(H5Acreate2(f, "ro", H5T_STD_I32LE, s1, H5P_DEFAULT, H5P_DEFAULT));
    H5OK(H5Sclose(s1));
    hid_t a = H5OK(H5Aopen(f, "renamed", H5P_DEFAULT));
    H5FAILS(H5Awrite(a, H5T_NATIVE_UINT8, (uint8_t[]){1}));
    H5OK(H5Aclose(a));
    H5FAILS(H5Adelete(f, "renamed"));
    H5FAILS(H5Arename(f, "renamed", "x"));
    H5OK(H5Fclose(f));

    f = H5OK(H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT));
    check_file(f, 0);
    modify_rw(f);
    check_file(f, 1);
    H5OK(H5Fclose(f));

    f = H5OK(H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    check_file(f, 1);
    H5OK(H5Fclose(f));
    printf("attrs_types: ok\n");
    return 0;
}

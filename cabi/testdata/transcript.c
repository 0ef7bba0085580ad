/* Prints what a program observes of a file built through many HDF5 calls, so
 * the output through the sciswift connector can be diffed against native
 * HDF5 on a local file (run without HDF5_VOL_CONNECTOR). Values that differ
 * by design (tokens, times, storage sizes, file numbers) are not printed.
 * Usage: transcript NAME [EXTERNAL_TARGET_NAME] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>

#define CHECK(x)                                                                                            \
    do {                                                                                                    \
        if ((x) < 0) {                                                                                      \
            printf("FAILED: %s (line %d)\n", #x, __LINE__);                                                \
            H5Eprint2(H5E_DEFAULT, stdout);                                                                 \
            exit(1);                                                                                        \
        }                                                                                                   \
    } while (0)

static herr_t
link_cb(hid_t g, const char *name, const H5L_info2_t *info, void *data)
{
    int *stop = (int *)data;
    char gname[64] = "";

    H5Iget_name(g, gname, sizeof gname);
    printf("  link %s type=%d corder=%lld (group %s)\n", name, (int)info->type, (long long)info->corder,
           gname);
    if (*stop > 0 && --(*stop) == 0)
        return 7;
    return 0;
}

static herr_t
obj_cb(hid_t o, const char *name, const H5O_info2_t *info, void *data)
{
    (void)o;
    (void)data;
    printf("  object %s type=%d rc=%u nattrs=%llu\n", name, (int)info->type, info->rc,
           (unsigned long long)info->num_attrs);
    return 0;
}

static herr_t
attr_cb(hid_t o, const char *name, const H5A_info_t *info, void *data)
{
    (void)o;
    (void)data;
    printf("  attr %s corder=%d size=%llu\n", name, (int)info->corder, (unsigned long long)info->data_size);
    return 0;
}

static herr_t
fail_second_link(hid_t g, const char *name, const H5L_info2_t *info, void *data)
{
    (void)g;
    (void)name;
    (void)info;
    return ++*(int *)data == 2 ? -5 : 0;
}

static herr_t
fail_second_attr(hid_t o, const char *name, const H5A_info_t *info, void *data)
{
    (void)o;
    (void)name;
    (void)info;
    return ++*(int *)data == 2 ? -5 : 0;
}

static unsigned
refcount(hid_t f, const char *path)
{
    H5O_info2_t oi;

    CHECK(H5Oget_info_by_name3(f, path, &oi, H5O_INFO_BASIC, H5P_DEFAULT));
    return oi.rc;
}

/* Name character sets, iteration that fails, attributes of a committed
 * type, and storage sizes (of unfiltered datasets: those match native). */
static void
more_checks(hid_t f)
{
    hid_t       lcpl, acpl, s, g, t, a, at, d, p;
    H5L_info2_t linfo;
    H5A_info_t  ainfo;
    hsize_t     idx, dims[2] = {12, 10}, chunk[2] = {5, 4}, ten[1] = {10}, four[1] = {4};
    herr_t      r;
    int         n, i, buf[120];
    const char *paths[] = {"grüppe", "mid", "mid/dle", "mid/dle/leaf", "söft", "copy_plain", "copy_utf8",
                           "moved_plain"};

    printf("character sets:\n");
    CHECK(lcpl = H5Pcreate(H5P_LINK_CREATE));
    CHECK(H5Pset_char_encoding(lcpl, H5T_CSET_UTF8));
    CHECK(g = H5Gcreate2(f, "grüppe", lcpl, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Gclose(g));
    CHECK(H5Pset_create_intermediate_group(lcpl, 1));
    CHECK(g = H5Gcreate2(f, "mid/dle/leaf", lcpl, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Gclose(g));
    CHECK(H5Lcreate_soft("/grüppe", f, "söft", lcpl, H5P_DEFAULT));
    CHECK(H5Lcopy(f, "söft", f, "copy_plain", H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Lcopy(f, "mid", f, "copy_utf8", lcpl, H5P_DEFAULT));
    CHECK(H5Lcreate_hard(f, "mid", f, "härd", lcpl, H5P_DEFAULT));
    CHECK(H5Lmove(f, "härd", f, "moved_plain", H5P_DEFAULT, H5P_DEFAULT));
    for (i = 0; i < (int)(sizeof paths / sizeof paths[0]); i++) {
        CHECK(H5Lget_info2(f, paths[i], &linfo, H5P_DEFAULT));
        printf("  link %s cset=%d\n", paths[i], (int)linfo.cset);
    }
    CHECK(s = H5Screate(H5S_SCALAR));
    CHECK(acpl = H5Pcreate(H5P_ATTRIBUTE_CREATE));
    CHECK(H5Pset_char_encoding(acpl, H5T_CSET_UTF8));
    CHECK(a = H5Acreate2(f, "ättr", H5T_STD_I32LE, s, acpl, H5P_DEFAULT));
    CHECK(H5Aclose(a));
    CHECK(H5Arename(f, "ättr", "renamed_utf8"));
    CHECK(H5Aget_info_by_name(f, ".", "renamed_utf8", &ainfo, H5P_DEFAULT));
    printf("  attr renamed_utf8 cset=%d\n", (int)ainfo.cset);
    CHECK(H5Pclose(acpl));
    CHECK(H5Pclose(lcpl));

    printf("failing iterations:\n");
    for (idx = 0; idx < 2; idx++) {
        hsize_t at_idx = idx;
        n              = 0;
        H5E_BEGIN_TRY { r = H5Literate2(f, H5_INDEX_NAME, H5_ITER_INC, &at_idx, fail_second_link, &n); }
        H5E_END_TRY
        printf("  H5Literate2 from %llu: ret=%d idx=%llu calls=%d\n", (unsigned long long)idx, (int)r,
               (unsigned long long)at_idx, n);
        at_idx = idx;
        n      = 0;
        H5E_BEGIN_TRY { r = H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, &at_idx, fail_second_attr, &n); }
        H5E_END_TRY
        printf("  H5Aiterate2 from %llu: ret=%d idx=%llu calls=%d\n", (unsigned long long)idx, (int)r,
               (unsigned long long)at_idx, n);
    }
    idx = 1000;
    n   = 0;
    H5E_BEGIN_TRY { r = H5Literate2(f, H5_INDEX_NAME, H5_ITER_INC, &idx, fail_second_link, &n); }
    H5E_END_TRY
    printf("  H5Literate2 from past the end: ret=%d idx=%llu calls=%d\n", (int)r, (unsigned long long)idx, n);

    printf("attributes of a committed type:\n");
    CHECK(t = H5Tcopy(H5T_STD_I16BE));
    CHECK(H5Tcommit2(f, "attrtype", t, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(a = H5Acreate2(f, "typed", t, s, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(at = H5Aget_type(a));
    printf("  H5Aget_type committed=%d class=%d size=%zu\n", H5Tcommitted(at), (int)H5Tget_class(at),
           H5Tget_size(at));
    CHECK(H5Iget_name(at, (char *)buf, sizeof buf));
    printf("  its name %s\n", (char *)buf);
    CHECK(H5Tclose(at));
    CHECK(H5Aclose(a));
    printf("  rc with one attribute=%u\n", refcount(f, "attrtype"));
    CHECK(g = H5Gcreate2(f, "typed_attrs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Aclose(H5Acreate2(g, "x", t, s, H5P_DEFAULT, H5P_DEFAULT)));
    CHECK(H5Aclose(H5Acreate2(g, "y", t, s, H5P_DEFAULT, H5P_DEFAULT)));
    CHECK(H5Gclose(g));
    printf("  rc with three=%u\n", refcount(f, "attrtype"));
    CHECK(H5Adelete(f, "typed"));
    printf("  rc after H5Adelete=%u\n", refcount(f, "attrtype"));
    CHECK(H5Ldelete(f, "typed_attrs", H5P_DEFAULT));
    printf("  rc after deleting their group=%u\n", refcount(f, "attrtype"));
    CHECK(H5Aclose(H5Acreate2(f, "typed_kept", t, s, H5P_DEFAULT, H5P_DEFAULT)));
    CHECK(H5Tclose(t));
    CHECK(H5Sclose(s));

    printf("storage sizes:\n");
    for (i = 0; i < 120; i++)
        buf[i] = i;
    CHECK(s = H5Screate_simple(1, ten, NULL));
    CHECK(d = H5Dcreate2(f, "ss_contiguous", H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    printf("  contiguous unwritten=%llu", (unsigned long long)H5Dget_storage_size(d));
    {
        hsize_t one[1] = {1}, at3[1] = {3};
        hid_t   ms, fs;
        CHECK(ms = H5Screate_simple(1, one, NULL));
        CHECK(fs = H5Dget_space(d));
        CHECK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, at3, NULL, one, NULL));
        CHECK(H5Dwrite(d, H5T_NATIVE_INT, ms, fs, H5P_DEFAULT, buf));
        CHECK(H5Sclose(fs));
        CHECK(H5Sclose(ms));
    }
    printf(" one element written=%llu\n", (unsigned long long)H5Dget_storage_size(d));
    CHECK(H5Dclose(d));
    CHECK(p = H5Pcreate(H5P_DATASET_CREATE));
    CHECK(H5Pset_layout(p, H5D_COMPACT));
    CHECK(d = H5Dcreate2(f, "ss_compact", H5T_STD_I32LE, s, H5P_DEFAULT, p, H5P_DEFAULT));
    printf("  compact unwritten=%llu\n", (unsigned long long)H5Dget_storage_size(d));
    CHECK(H5Dclose(d));
    CHECK(H5Pclose(p));
    CHECK(p = H5Pcreate(H5P_DATASET_CREATE));
    CHECK(H5Pset_alloc_time(p, H5D_ALLOC_TIME_EARLY));
    CHECK(d = H5Dcreate2(f, "ss_early", H5T_STD_I32LE, s, H5P_DEFAULT, p, H5P_DEFAULT));
    printf("  contiguous early unwritten=%llu\n", (unsigned long long)H5Dget_storage_size(d));
    CHECK(H5Dclose(d));
    CHECK(H5Pset_chunk(p, 1, four));
    CHECK(d = H5Dcreate2(f, "ss_chunked_early", H5T_STD_I32LE, s, H5P_DEFAULT, p, H5P_DEFAULT));
    printf("  chunked early unwritten=%llu\n", (unsigned long long)H5Dget_storage_size(d));
    CHECK(H5Dclose(d));
    CHECK(H5Pclose(p));
    {
        const char     *strs[10] = {"a", "bb", "", "ccc", "d", "e", "f", "g", "h", "i"};
        H5D_fill_time_t ft       = H5D_FILL_TIME_ERROR;
        CHECK(t = H5Tcopy(H5T_C_S1));
        CHECK(H5Tset_size(t, H5T_VARIABLE));
        CHECK(d = H5Dcreate2(f, "ss_vlen", t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        CHECK(p = H5Dget_create_plist(d));
        CHECK(H5Pget_fill_time(p, &ft));
        CHECK(H5Pclose(p));
        CHECK(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, strs));
        printf("  vlen strings: fill time=%d written=%llu\n", (int)ft, (unsigned long long)H5Dget_storage_size(d));
        CHECK(H5Dclose(d));
        CHECK(H5Tclose(t));
    }
    CHECK(H5Sclose(s));
    CHECK(s = H5Screate_simple(2, dims, NULL));
    CHECK(p = H5Pcreate(H5P_DATASET_CREATE));
    CHECK(H5Pset_chunk(p, 2, chunk));
    CHECK(d = H5Dcreate2(f, "ss_chunked", H5T_STD_I32LE, s, H5P_DEFAULT, p, H5P_DEFAULT));
    printf("  chunked unwritten=%llu", (unsigned long long)H5Dget_storage_size(d));
    CHECK(H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf));
    printf(" all written=%llu\n", (unsigned long long)H5Dget_storage_size(d));
    CHECK(H5Dclose(d));
    CHECK(H5Pclose(p));
    CHECK(H5Sclose(s));
}

static void
print_obj_count(hid_t f, const char *when)
{
    printf("%s: count all=%zd files=%zd groups=%zd datasets=%zd types=%zd attrs=%zd\n", when,
           H5Fget_obj_count(f, H5F_OBJ_ALL), H5Fget_obj_count(f, H5F_OBJ_FILE),
           H5Fget_obj_count(f, H5F_OBJ_GROUP), H5Fget_obj_count(f, H5F_OBJ_DATASET),
           H5Fget_obj_count(f, H5F_OBJ_DATATYPE), H5Fget_obj_count(f, H5F_OBJ_ATTR));
}

int
main(int argc, char **argv)
{
    const char *name = argv[1];
    hid_t       f, f2, g, g2, s, d, a, t, p, lcpl, gcpl, ct;
    hsize_t     dims[2] = {6, 8}, chunk[2] = {3, 4}, maxd[1] = {H5S_UNLIMITED}, one[1] = {5}, ext[1] = {9};
    hsize_t     idx;
    int         data[6][8], i, j, fill = -1, stop, ival;
    char        buf[128];
    H5L_info2_t linfo;
    H5O_info2_t oinfo;
    H5G_info_t  ginfo;
    H5A_info_t  ainfo;
    unsigned    intent;
    htri_t      tri;
    ssize_t     n;
    hid_t       ids[16];
    double      dv[5] = {1.5, 2.5, 3.5, 4.5, 5.5}, dback[9];
    typedef struct {
        int    i;
        double x;
    } rec_t;
    rec_t rec[2] = {{1, 0.5}, {2, 0.25}};

    for (i = 0; i < 6; i++)
        for (j = 0; j < 8; j++)
            data[i][j] = i * 100 + j;

    CHECK(f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    n = H5Fget_name(f, buf, sizeof buf);
    printf("file name len=%zd\n", n);
    CHECK(H5Fget_intent(f, &intent));
    printf("intent rdwr=%d\n", (intent & H5F_ACC_RDWR) != 0);

    /* groups: intermediate creation, creation-order tracking, anonymous */
    CHECK(lcpl = H5Pcreate(H5P_LINK_CREATE));
    CHECK(H5Pset_create_intermediate_group(lcpl, 1));
    CHECK(g = H5Gcreate2(f, "a/b/c", lcpl, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Iget_name(g, buf, sizeof buf));
    printf("created %s\n", buf);
    CHECK(H5Gclose(g));
    CHECK(gcpl = H5Pcreate(H5P_GROUP_CREATE));
    CHECK(H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
    CHECK(g = H5Gcreate2(f, "ordered", H5P_DEFAULT, gcpl, H5P_DEFAULT));
    CHECK(g2 = H5Gcreate2(g, "zeta", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Gclose(g2));
    CHECK(g2 = H5Gcreate2(g, "alpha", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Gclose(g2));
    CHECK(g2 = H5Gcreate_anon(f, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Olink(g2, g, "anon", H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Gclose(g2));
    CHECK(H5Gget_info(g, &ginfo));
    printf("ordered: nlinks=%llu max_corder=%lld storage=%d\n", (unsigned long long)ginfo.nlinks,
           (long long)ginfo.max_corder, (int)ginfo.storage_type);
    CHECK(H5Gget_info_by_name(f, "a", &ginfo, H5P_DEFAULT));
    printf("a: nlinks=%llu storage=%d\n", (unsigned long long)ginfo.nlinks, (int)ginfo.storage_type);
    CHECK(p = H5Gget_create_plist(g));
    {
        unsigned fl = 0;
        CHECK(H5Pget_link_creation_order(p, &fl));
        printf("ordered gcpl crt_order flags=%u\n", fl);
    }
    CHECK(H5Pclose(p));
    CHECK(H5Gclose(g));

    /* a committed datatype and datasets */
    CHECK(t = H5Tcopy(H5T_STD_I32BE));
    CHECK(H5Tcommit2(f, "mytype", t, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    printf("committed=%d\n", H5Tcommitted(t));
    CHECK(s = H5Screate_simple(2, dims, NULL));
    CHECK(p = H5Pcreate(H5P_DATASET_CREATE));
    CHECK(H5Pset_chunk(p, 2, chunk));
    CHECK(H5Pset_deflate(p, 6));
    CHECK(H5Pset_fill_value(p, H5T_NATIVE_INT, &fill));
    CHECK(d = H5Dcreate2(f, "a/b/ints", t, s, H5P_DEFAULT, p, H5P_DEFAULT));
    CHECK(H5Pclose(p));
    CHECK(H5Tclose(t));
    CHECK(H5Sclose(s));
    CHECK(H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
    CHECK(t = H5Dget_type(d));
    printf("dataset type committed=%d class=%d size=%zu\n", H5Tcommitted(t), (int)H5Tget_class(t),
           H5Tget_size(t));
    if (H5Tcommitted(t) > 0) {
        CHECK(H5Oget_info3(t, &oinfo, H5O_INFO_BASIC));
        printf("  type object type=%d rc=%u\n", (int)oinfo.type, oinfo.rc);
        CHECK(H5Iget_name(t, buf, sizeof buf));
        printf("  type name %s\n", buf);
    }
    CHECK(H5Tclose(t));
    CHECK(p = H5Dget_create_plist(d));
    {
        hsize_t c[2] = {0, 0};
        int     fv   = 0;
        printf("dcpl layout=%d chunk_rank=%d", (int)H5Pget_layout(p), H5Pget_chunk(p, 2, c));
        printf(" chunk=%llux%llu nfilters=%d", (unsigned long long)c[0], (unsigned long long)c[1],
               H5Pget_nfilters(p));
        CHECK(H5Pget_fill_value(p, H5T_NATIVE_INT, &fv));
        printf(" fill=%d\n", fv);
    }
    CHECK(H5Pclose(p));
    {
        H5D_space_status_t st;
        CHECK(H5Dget_space_status(d, &st));
        printf("space status=%d storage>0=%d\n", (int)st, H5Dget_storage_size(d) > 0);
    }
    CHECK(H5Dclose(d));

    CHECK(s = H5Screate_simple(1, one, maxd));
    CHECK(p = H5Pcreate(H5P_DATASET_CREATE));
    CHECK(H5Pset_chunk(p, 1, one));
    CHECK(d = H5Dcreate2(f, "ext", H5T_IEEE_F64LE, s, H5P_DEFAULT, p, H5P_DEFAULT));
    CHECK(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, dv));
    CHECK(H5Dset_extent(d, ext));
    CHECK(H5Sclose(s));
    CHECK(s = H5Dget_space(d));
    {
        hsize_t cur[1], mx[1];
        CHECK(H5Sget_simple_extent_dims(s, cur, mx));
        printf("ext dims=%llu max_unlimited=%d\n", (unsigned long long)cur[0], mx[0] == H5S_UNLIMITED);
    }
    CHECK(H5Sclose(s));
    CHECK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, dback));
    printf("ext data:");
    for (i = 0; i < 9; i++)
        printf(" %g", dback[i]);
    printf("\n");
    CHECK(H5Pclose(p));
    CHECK(H5Dclose(d));

    CHECK(ct = H5Tcreate(H5T_COMPOUND, sizeof(rec_t)));
    CHECK(H5Tinsert(ct, "i", HOFFSET(rec_t, i), H5T_NATIVE_INT));
    CHECK(H5Tinsert(ct, "x", HOFFSET(rec_t, x), H5T_NATIVE_DOUBLE));
    one[0] = 2;
    CHECK(s = H5Screate_simple(1, one, NULL));
    CHECK(d = H5Dcreate2(f, "recs", ct, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Dwrite(d, ct, H5S_ALL, H5S_ALL, H5P_DEFAULT, rec));
    CHECK(H5Dclose(d));
    CHECK(H5Sclose(s));
    CHECK(H5Tclose(ct));

    /* attributes on the root group, in a non-alphabetic creation order */
    CHECK(s = H5Screate(H5S_SCALAR));
    {
        const char *names[3] = {"m", "b", "x"};
        for (i = 0; i < 3; i++) {
            ival = i + 1;
            CHECK(a = H5Acreate2(f, names[i], H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT));
            CHECK(H5Awrite(a, H5T_NATIVE_INT, &ival));
            CHECK(H5Aclose(a));
        }
    }
    CHECK(a = H5Acreate_by_name(f, "a/b/ints", "units", H5T_STD_I8LE, s, H5P_DEFAULT, H5P_DEFAULT,
                                H5P_DEFAULT));
    CHECK(H5Aclose(a));
    CHECK(H5Sclose(s));
    printf("attr exists b=%d nope=%d\n", H5Aexists(f, "b"), H5Aexists(f, "nope"));
    printf("attr exists by name units=%d\n", H5Aexists_by_name(f, "a/b/ints", "units", H5P_DEFAULT));
    CHECK(H5Aget_name_by_idx(f, ".", H5_INDEX_NAME, H5_ITER_INC, 0, buf, sizeof buf, H5P_DEFAULT));
    printf("attr 0 by name: %s\n", buf);
    CHECK(H5Aget_name_by_idx(f, ".", H5_INDEX_CRT_ORDER, H5_ITER_DEC, 0, buf, sizeof buf, H5P_DEFAULT));
    printf("attr 0 by crt dec: %s\n", buf);
    CHECK(H5Aget_info_by_name(f, ".", "x", &ainfo, H5P_DEFAULT));
    printf("attr x corder=%d size=%llu\n", (int)ainfo.corder, (unsigned long long)ainfo.data_size);
    CHECK(a = H5Aopen_by_idx(f, ".", H5_INDEX_NAME, H5_ITER_INC, 2, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Aget_name(a, sizeof buf, buf));
    CHECK(H5Aread(a, H5T_NATIVE_INT, &ival));
    printf("attr by idx 2: %s = %d\n", buf, ival);
    CHECK(H5Aclose(a));
    printf("iterate attrs by name:\n");
    idx = 0;
    CHECK(H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, &idx, attr_cb, NULL));
    printf(" idx=%llu\n", (unsigned long long)idx);
    printf("iterate attrs crt dec from 1:\n");
    idx = 1;
    CHECK(H5Aiterate2(f, H5_INDEX_CRT_ORDER, H5_ITER_DEC, &idx, attr_cb, NULL));
    printf(" idx=%llu\n", (unsigned long long)idx);
    CHECK(H5Arename(f, "b", "bb"));
    CHECK(H5Adelete(f, "m"));
    CHECK(H5Adelete_by_idx(f, ".", H5_INDEX_NAME, H5_ITER_INC, 1, H5P_DEFAULT));
    CHECK(H5Oget_info3(f, &oinfo, H5O_INFO_NUM_ATTRS));
    printf("root nattrs after rename/delete=%llu\n", (unsigned long long)oinfo.num_attrs);
    CHECK(H5Aget_name_by_idx(f, ".", H5_INDEX_NAME, H5_ITER_INC, 0, buf, sizeof buf, H5P_DEFAULT));
    printf("remaining attr: %s\n", buf);

    /* links */
    CHECK(H5Lcreate_hard(f, "a/b/ints", f, "hard_ints", H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Lcreate_soft("/a/b", f, "soft_b", H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Lcreate_soft("/nowhere", f, "dangling", H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Lcreate_external("other.h5", "/x", f, "ext_link", H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Lget_info2(f, "soft_b", &linfo, H5P_DEFAULT));
    printf("soft_b type=%d val_size=%zu\n", (int)linfo.type, linfo.u.val_size);
    CHECK(H5Lget_val(f, "soft_b", buf, sizeof buf, H5P_DEFAULT));
    printf("soft_b val=%s\n", buf);
    CHECK(H5Lget_info2(f, "ext_link", &linfo, H5P_DEFAULT));
    printf("ext_link type=%d val_size=%zu\n", (int)linfo.type, linfo.u.val_size);
    {
        const char *ef = NULL, *eo = NULL;
        unsigned    fl = 0;
        CHECK(H5Lget_val(f, "ext_link", buf, sizeof buf, H5P_DEFAULT));
        CHECK(H5Lunpack_elink_val(buf, linfo.u.val_size, &fl, &ef, &eo));
        printf("ext_link -> %s:%s\n", ef, eo);
    }
    CHECK(H5Lget_info2(f, "hard_ints", &linfo, H5P_DEFAULT));
    printf("hard_ints type=%d\n", (int)linfo.type);
    printf("exists soft_b=%d dangling=%d nope=%d\n", H5Lexists(f, "soft_b", H5P_DEFAULT),
           H5Lexists(f, "dangling", H5P_DEFAULT), H5Lexists(f, "nope", H5P_DEFAULT));
    printf("oexists soft_b/ints=%d dangling=%d\n", H5Oexists_by_name(f, "soft_b/ints", H5P_DEFAULT),
           H5Oexists_by_name(f, "dangling", H5P_DEFAULT));
    CHECK(H5Oget_info_by_name3(f, "a/b/ints", &oinfo, H5O_INFO_BASIC | H5O_INFO_NUM_ATTRS, H5P_DEFAULT));
    printf("ints type=%d rc=%u nattrs=%llu\n", (int)oinfo.type, oinfo.rc, (unsigned long long)oinfo.num_attrs);
    CHECK(H5Lget_name_by_idx(f, "ordered", H5_INDEX_CRT_ORDER, H5_ITER_INC, 0, buf, sizeof buf, H5P_DEFAULT));
    printf("ordered first by crt: %s\n", buf);
    CHECK(H5Lget_name_by_idx(f, "ordered", H5_INDEX_NAME, H5_ITER_DEC, 0, buf, sizeof buf, H5P_DEFAULT));
    printf("ordered first by name dec: %s\n", buf);
    CHECK(H5Oget_info_by_idx3(f, "ordered", H5_INDEX_NAME, H5_ITER_INC, 1, &oinfo, H5O_INFO_BASIC, H5P_DEFAULT));
    printf("ordered[1] type=%d\n", (int)oinfo.type);

    printf("iterate root by name:\n");
    idx  = 0;
    stop = 0;
    CHECK(H5Literate2(f, H5_INDEX_NAME, H5_ITER_INC, &idx, link_cb, &stop));
    printf(" idx=%llu\n", (unsigned long long)idx);
    printf("iterate root stopping at 3rd:\n");
    idx  = 0;
    stop = 3;
    ival = (int)H5Literate2(f, H5_INDEX_NAME, H5_ITER_INC, &idx, link_cb, &stop);
    printf(" ret=%d idx=%llu\n", ival, (unsigned long long)idx);
    printf("iterate ordered by crt dec:\n");
    idx  = 0;
    stop = 0;
    CHECK(H5Literate_by_name2(f, "ordered", H5_INDEX_CRT_ORDER, H5_ITER_DEC, &idx, link_cb, &stop,
                              H5P_DEFAULT));
    printf("visit:\n");
    stop = 0;
    CHECK(H5Lvisit2(f, H5_INDEX_NAME, H5_ITER_INC, link_cb, &stop));
    printf("object visit:\n");
    CHECK(H5Ovisit3(f, H5_INDEX_NAME, H5_ITER_INC, obj_cb, NULL, H5O_INFO_BASIC | H5O_INFO_NUM_ATTRS));

    CHECK(H5Lmove(f, "ordered/zeta", f, "zeta_moved", H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Lcopy(f, "soft_b", f, "soft_b2", H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Ldelete(f, "dangling", H5P_DEFAULT));
    CHECK(H5Ldelete_by_idx(f, "ordered", H5_INDEX_NAME, H5_ITER_INC, 0, H5P_DEFAULT));
    printf("after move/copy/delete:\n");
    idx  = 0;
    stop = 0;
    CHECK(H5Literate2(f, H5_INDEX_NAME, H5_ITER_INC, &idx, link_cb, &stop));
    idx = 0;
    CHECK(H5Literate_by_name2(f, "ordered", H5_INDEX_NAME, H5_ITER_INC, &idx, link_cb, &stop, H5P_DEFAULT));

    /* by-index lookups and property lists */
    CHECK(H5Gget_info_by_idx(f, ".", H5_INDEX_NAME, H5_ITER_INC, 0, &ginfo, H5P_DEFAULT));
    printf("group by idx 0: nlinks=%llu\n", (unsigned long long)ginfo.nlinks);
    CHECK(H5Lget_info_by_idx2(f, ".", H5_INDEX_NAME, H5_ITER_DEC, 0, &linfo, H5P_DEFAULT));
    printf("last link by name: type=%d\n", (int)linfo.type);
    CHECK(g = H5Oopen_by_idx(f, "a", H5_INDEX_NAME, H5_ITER_INC, 0, H5P_DEFAULT));
    CHECK(H5Iget_name(g, buf, sizeof buf));
    printf("open by idx: %s type=%d\n", buf, (int)H5Iget_type(g));
    CHECK(H5Oclose(g));
    CHECK(t = H5Topen2(f, "mytype", H5P_DEFAULT));
    CHECK(p = H5Tget_create_plist(t));
    CHECK(H5Pclose(p));
    CHECK(H5Tclose(t));
    CHECK(d = H5Dopen2(f, "recs", H5P_DEFAULT));
    CHECK(p = H5Dget_access_plist(d));
    CHECK(H5Pclose(p));
    CHECK(H5Dclose(d));
    CHECK(a = H5Aopen_by_name(f, "a/b/ints", "units", H5P_DEFAULT, H5P_DEFAULT));
    printf("units storage=%llu\n", (unsigned long long)H5Aget_storage_size(a));
    CHECK(p = H5Aget_create_plist(a));
    CHECK(H5Pclose(p));
    CHECK(H5Aclose(a));
    {
        unsigned long n1 = 0, n2 = 1;
        CHECK(f2 = H5Freopen(f));
        CHECK(H5Fget_fileno(f, &n1));
        CHECK(H5Fget_fileno(f2, &n2));
        printf("fileno same after reopen=%d\n", n1 == n2);
        CHECK(H5Fclose(f2));
    }

    /* object ids and names */
    CHECK(g = H5Gopen2(f, "a/b", H5P_DEFAULT));
    CHECK(d = H5Dopen2(g, "ints", H5P_DEFAULT));
    CHECK(a = H5Aopen(d, "units", H5P_DEFAULT));
    CHECK(H5Iget_name(d, buf, sizeof buf));
    printf("dataset name %s\n", buf);
    CHECK(H5Oget_info3(d, &oinfo, H5O_INFO_BASIC));
    {
        hid_t byTok;
        CHECK(byTok = H5Oopen_by_token(f, oinfo.token));
        printf("open by token type=%d\n", (int)H5Iget_type(byTok));
        CHECK(H5Iget_name(byTok, buf, sizeof buf));
        printf("open by token name %s\n", buf);
        CHECK(H5Oclose(byTok));
    }
    print_obj_count(f, "open");
    n = H5Fget_obj_ids(f, H5F_OBJ_ALL, 16, ids);
    printf("obj ids n=%zd\n", n);
    CHECK(f2 = H5Iget_file_id(d));
    printf("file id same=%d\n", f2 == f);
    CHECK(H5Fclose(f2));
    CHECK(f2 = H5Freopen(f));
    print_obj_count(f, "reopened");
    CHECK(H5Fclose(f2));
    CHECK(p = H5Fget_access_plist(f));
    CHECK(H5Pclose(p));
    CHECK(p = H5Fget_create_plist(f));
    CHECK(H5Pclose(p));
    more_checks(f);
    CHECK(H5Fflush(f, H5F_SCOPE_GLOBAL));

    /* the file closes with objects open; they keep working */
    CHECK(H5Fclose(f));
    CHECK(H5Aread(a, H5T_NATIVE_INT, &ival));
    CHECK(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
    printf("after file close: data[5][7]=%d\n", data[5][7]);
    CHECK(H5Aclose(a));
    CHECK(H5Dclose(d));
    CHECK(H5Gclose(g));

    /* reopen read-only */
    CHECK(f = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    CHECK(H5Fget_intent(f, &intent));
    printf("reopened intent rdwr=%d\n", (intent & H5F_ACC_RDWR) != 0);
    CHECK(d = H5Dopen2(f, "hard_ints", H5P_DEFAULT));
    memset(data, 0, sizeof data);
    CHECK(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
    printf("read-only data[2][3]=%d\n", data[2][3]);
    H5E_BEGIN_TRY
    {
        tri = H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    }
    H5E_END_TRY
    printf("write to read-only fails=%d\n", tri < 0);
    CHECK(H5Dclose(d));
    CHECK(t = H5Topen2(f, "mytype", H5P_DEFAULT));
    printf("opened type class=%d size=%zu committed=%d\n", (int)H5Tget_class(t), H5Tget_size(t),
           H5Tcommitted(t));
    CHECK(H5Tclose(t));
    CHECK(H5Fclose(f));
    printf("accessible=%d\n", H5Fis_accessible(name, H5P_DEFAULT));
    printf("done\n");
    return 0;
}

/* More smoke checks through the connector: multi-dataset I/O, variable-length
 * strings, iteration callbacks that fail, H5Ovisit from a dataset, H5Fdelete,
 * and (with "leak") exiting without closing anything, which the connector's
 * terminate must flush.
 * Usage: smoke_more write NAME | smoke_more leak NAME | smoke_more check NAME | smoke_more delete NAME */
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
fail_cb(hid_t g, const char *name, const H5L_info2_t *info, void *data)
{
    (void)g;
    (void)name;
    (void)info;
    (void)data;
    return -1;
}

static herr_t
visit_cb(hid_t o, const char *name, const H5O_info2_t *info, void *data)
{
    (void)data;
    printf("  visit %s type=%d id_type=%d\n", name, (int)info->type, (int)H5Iget_type(o));
    return 0;
}

int
main(int argc, char **argv)
{
    const char *mode = argv[1], *name = argv[2];
    hid_t       f, s, d[2], st, a, mt[2], ms[2], fs[2];
    hsize_t     n = 3, idx = 0;
    int         x[3] = {1, 2, 3}, y[3] = {4, 5, 6}, xb[3], yb[3];
    const char *words[3] = {"alpha", "", "a longer string"};
    char       *back[3];
    void       *bufs[2];
    const void *cbufs[2];

    if (strcmp(mode, "delete") == 0) {
        CHECK(H5Fdelete(name, H5P_DEFAULT));
        printf("accessible after delete=%d\n", H5Fis_accessible(name, H5P_DEFAULT));
        return 0;
    }
    if (strcmp(mode, "check") == 0) {
        CHECK(f = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
        CHECK(d[0] = H5Dopen2(f, "x", H5P_DEFAULT));
        CHECK(H5Dread(d[0], H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, xb));
        printf("x = %d %d %d\n", xb[0], xb[1], xb[2]);
        CHECK(H5Dclose(d[0]));
        CHECK(H5Fclose(f));
        return 0;
    }
    CHECK(f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(s = H5Screate_simple(1, &n, NULL));
    CHECK(d[0] = H5Dcreate2(f, "x", H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (strcmp(mode, "leak") == 0) {
        CHECK(H5Dwrite(d[0], H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x));
        printf("exiting with everything open\n");
        return 0;
    }
    CHECK(d[1] = H5Dcreate2(f, "y", H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    mt[0] = mt[1] = H5T_NATIVE_INT;
    ms[0] = ms[1] = fs[0] = fs[1] = H5S_ALL;
    cbufs[0] = x;
    cbufs[1] = y;
    CHECK(H5Dwrite_multi(2, d, mt, ms, fs, H5P_DEFAULT, cbufs));
    bufs[0] = xb;
    bufs[1] = yb;
    CHECK(H5Dread_multi(2, d, mt, ms, fs, H5P_DEFAULT, bufs));
    printf("multi: %d %d %d / %d %d %d\n", xb[0], xb[1], xb[2], yb[0], yb[1], yb[2]);

    /* variable-length strings, dataset and attribute */
    CHECK(st = H5Tcopy(H5T_C_S1));
    CHECK(H5Tset_size(st, H5T_VARIABLE));
    CHECK(a = H5Acreate2(d[0], "words", st, s, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Awrite(a, st, words));
    CHECK(H5Aread(a, st, back));
    printf("vlen attr: [%s] [%s] [%s]\n", back[0], back[1], back[2]);
    CHECK(H5Treclaim(st, s, H5P_DEFAULT, back));
    CHECK(H5Aclose(a));

    /* iteration callback failure and visit from a dataset */
    H5E_BEGIN_TRY
    {
        printf("failing iterate returns %d\n", (int)H5Literate2(f, H5_INDEX_NAME, H5_ITER_INC, &idx, fail_cb, NULL));
    }
    H5E_END_TRY
    printf("idx after failing iterate=%llu\n", (unsigned long long)idx);
    CHECK(H5Ovisit3(d[1], H5_INDEX_NAME, H5_ITER_INC, visit_cb, NULL, H5O_INFO_BASIC));
    CHECK(H5Ovisit_by_name3(f, "/", H5_INDEX_NAME, H5_ITER_DEC, visit_cb, NULL, H5O_INFO_BASIC, H5P_DEFAULT));
    printf("open objects=%zd\n", H5Fget_obj_count(f, H5F_OBJ_ALL));

    CHECK(H5Tclose(st));
    CHECK(H5Sclose(s));
    CHECK(H5Dclose(d[0]));
    CHECK(H5Dclose(d[1]));
    CHECK(H5Fclose(f));
    printf("ok\n");
    return 0;
}

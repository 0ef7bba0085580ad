/*
 * uploaded — an uploaded .h5/.fits/.parquet object is read-only through
 * the connector.
 *
 *   uploaded NAME DATASET PATTERN
 *       open NAME read-only; read DATASET (a fixed-size numeric dataset)
 *       whole; then every change must fail with a message on the HDF5
 *       error stack containing PATTERN ('|'-separated alternatives):
 *       H5Gcreate2, H5Dcreate2, H5Acreate2 on the root group and on
 *       DATASET, H5Dwrite of what was read back into DATASET, H5Ldelete and
 *       H5Lmove of DATASET, H5Dset_extent; DATASET must still read the
 *       same afterwards. Then H5Fopen read-write, H5Fcreate with
 *       H5F_ACC_TRUNC and H5Fdelete of NAME must fail the same way, and
 *       NAME must still open and read the same.
 *
 * Exit status: 0 when all of that held, 1 otherwise (with the call and the
 * error stack on stderr), 2 on bad usage.
 */
#include "check.h"

static const char *pattern;

/* MUST_REFUSE runs a call that must fail with a message matching pattern. */
#define MUST_REFUSE(expr)                                                                          \
    do {                                                                                           \
        struct errtext et_;                                                                        \
        long long v_ = (long long)(expr);                                                          \
        if (v_ >= 0) {                                                                             \
            fail_at(__FILE__, __LINE__, "%s succeeded on an uploaded file", #expr);               \
            break;                                                                                 \
        }                                                                                          \
        error_text(&et_);                                                                          \
        if (!matches_any(et_.descs, pattern))                                                      \
            fail_at(__FILE__, __LINE__, "%s failed without a message mentioning %s:\n%s", #expr,  \
                    pattern, et_.buf);                                                             \
        else                                                                                       \
            printf("refused as expected: %s\n", #expr);                                           \
        H5Eclear2(H5E_DEFAULT);                                                                    \
    } while (0)

/* read_all reads dataset path of file f whole in its file type. */
static void *read_all(hid_t f, const char *path, size_t *nbytes)
{
    hid_t d = H5OK(H5Dopen2(f, path, H5P_DEFAULT));
    hid_t t = H5OK(H5Dget_type(d));
    hid_t s = H5OK(H5Dget_space(d));
    hssize_t n = H5OK(H5Sget_simple_extent_npoints(s));
    size_t size = H5Tget_size(t);
    *nbytes = (size_t)n * size;
    void *buf = malloc(*nbytes + 1);
    CHECK(buf != NULL, "out of memory");
    H5OK(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf));
    H5Sclose(s);
    H5Tclose(t);
    H5Dclose(d);
    return buf;
}

int main(int argc, char **argv)
{
    begin_program("uploaded");
    if (argc != 4) {
        fprintf(stderr, "usage: uploaded NAME DATASET PATTERN\n");
        return 2;
    }
    const char *name = argv[1], *dset = argv[2];
    pattern = argv[3];

    hid_t f = H5OK(H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    size_t nbytes;
    void *before = read_all(f, dset, &nbytes);

    hsize_t one = 1;
    hid_t sp = H5OK(H5Screate_simple(1, &one, NULL));
    MUST_REFUSE(H5Gcreate2(f, "/new_group", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    MUST_REFUSE(H5Dcreate2(f, "/new_dataset", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    MUST_REFUSE(H5Acreate_by_name(f, "/", "new_attr", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    hid_t d = H5OK(H5Dopen2(f, dset, H5P_DEFAULT));
    MUST_REFUSE(H5Acreate2(d, "new_attr", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT));
    hid_t t = H5OK(H5Dget_type(d));
    MUST_REFUSE(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, before));
    hsize_t dims[H5S_MAX_RANK];
    hid_t ds = H5OK(H5Dget_space(d));
    int rank = H5OK(H5Sget_simple_extent_dims(ds, dims, NULL));
    if (rank > 0)
        MUST_REFUSE(H5Dset_extent(d, dims));
    H5Sclose(ds);
    H5Tclose(t);
    H5OK(H5Dclose(d));
    MUST_REFUSE(H5Lmove(f, dset, f, "/moved", H5P_DEFAULT, H5P_DEFAULT));
    MUST_REFUSE(H5Ldelete(f, dset, H5P_DEFAULT));
    H5Sclose(sp);

    size_t n2;
    void *after = read_all(f, dset, &n2);
    CHECK_INT(n2, nbytes, "bytes read after the refused changes");
    CHECK_BYTES(after, before, nbytes, 1, "data after the refused changes");
    free(after);
    H5OK(H5Fclose(f));

    MUST_REFUSE(H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT));
    MUST_REFUSE(H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    MUST_REFUSE(H5Fdelete(name, H5P_DEFAULT));

    f = H5OK(H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    after = read_all(f, dset, &n2);
    CHECK_INT(n2, nbytes, "bytes read after reopening");
    CHECK_BYTES(after, before, nbytes, 1, "data after reopening");
    H5OK(H5Fclose(f));
    free(after);
    free(before);
    printf("uploaded: %s is read-only and unchanged\n", name);
    return failures > 0;
}

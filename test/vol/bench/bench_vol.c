/*
 * bench_vol NAME MB chunked|contiguous write [fsync]
 * bench_vol NAME MB chunked|contiguous read
 *
 * One phase of the connector benchmark: write a 1-D float64 dataset of MB
 * MiB, or read it back, and print how long it took. The phases are
 * separate runs of the program so that scripts/bench-vol.sh can evict the
 * page cache between them (cold reads) or not (warm reads).
 *
 * Chunked means chunks of 4 MiB. Writes and reads go in slabs of 64 MiB
 * (or the whole dataset when smaller), as a simulation dumping a big array
 * would. A write is timed from H5Fcreate to the end of H5Fclose (so a
 * connector's write-behind counts); with "fsync" the file is also
 * H5Fflush'ed and fsync'ed before the close (native sec2 files only): the
 * fair comparison with a store whose every acknowledgement means the bytes
 * are on disk. A read is timed from H5Fopen to H5Fclose, and every value
 * is checked (outside the timed calls). Filling the buffers is not timed
 * either.
 *
 * Output, one line: seconds=S bytes=B
 * The same program runs natively or through the connector, chosen by the
 * environment like any HDF5 program; SCISWIFT_EXPECT_VOL=1 makes it check
 * the connector is in use (see ../c/check.h).
 */
#include "../c/check.h"

#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const hsize_t mib = (1 << 20) / sizeof(double);

/* bench_write writes elements 0..n-1 (element i holds i) and returns the
 * seconds spent in HDF5 calls. */
static double bench_write(const char *name, hsize_t n, int chunked, int do_fsync, double *buf, hsize_t slab)
{
    hsize_t chunk = 4 * mib < n ? 4 * mib : n;
    double t = now(), spent = 0;
    hid_t dcpl = H5OK(H5Pcreate(H5P_DATASET_CREATE));
    if (chunked)
        H5OK(H5Pset_chunk(dcpl, 1, &chunk));
    hid_t f = H5OK(H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    hid_t fs = H5OK(H5Screate_simple(1, &n, NULL));
    hid_t d = H5OK(H5Dcreate2(f, "/x", H5T_IEEE_F64LE, fs, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    spent += now() - t;
    for (hsize_t off = 0; off < n; off += slab) {
        hsize_t cnt = n - off < slab ? n - off : slab;
        for (hsize_t i = 0; i < cnt; i++)
            buf[i] = (double)(off + i);
        t = now();
        hid_t ms = H5OK(H5Screate_simple(1, &cnt, NULL));
        H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &off, NULL, &cnt, NULL));
        H5OK(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf));
        H5OK(H5Sclose(ms));
        spent += now() - t;
    }
    t = now();
    H5OK(H5Dclose(d));
    if (do_fsync) {
        void *handle = NULL;
        H5OK(H5Fflush(f, H5F_SCOPE_GLOBAL));
        H5OK(H5Fget_vfd_handle(f, H5P_DEFAULT, &handle));
        CHECK(fsync(*(int *)handle) == 0, "fsync failed");
    }
    H5OK(H5Fclose(f));
    spent += now() - t;
    H5OK(H5Sclose(fs));
    H5OK(H5Pclose(dcpl));
    return spent;
}

/* bench_read reads the dataset back, checks every element, and returns the
 * seconds spent in HDF5 calls. */
static double bench_read(const char *name, hsize_t n, double *buf, hsize_t slab)
{
    double t = now(), spent = 0;
    hid_t f = H5OK(H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    hid_t d = H5OK(H5Dopen2(f, "/x", H5P_DEFAULT));
    hid_t fs = H5OK(H5Dget_space(d));
    hsize_t got = 0;
    CHECK(H5Sget_simple_extent_ndims(fs) == 1, "/x is not 1-D");
    H5OK(H5Sget_simple_extent_dims(fs, &got, NULL));
    CHECK(got == n, "/x has %llu elements, want %llu", (unsigned long long)got, (unsigned long long)n);
    spent += now() - t;
    for (hsize_t off = 0; off < n; off += slab) {
        hsize_t cnt = n - off < slab ? n - off : slab;
        memset(buf, 0, cnt * sizeof(double));
        t = now();
        hid_t ms = H5OK(H5Screate_simple(1, &cnt, NULL));
        H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &off, NULL, &cnt, NULL));
        H5OK(H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf));
        H5OK(H5Sclose(ms));
        spent += now() - t;
        for (hsize_t i = 0; i < cnt; i++)
            CHECK(buf[i] == (double)(off + i), "element %llu read back as %g", (unsigned long long)(off + i), buf[i]);
    }
    t = now();
    H5OK(H5Sclose(fs));
    H5OK(H5Dclose(d));
    H5OK(H5Fclose(f));
    spent += now() - t;
    return spent;
}

int main(int argc, char **argv)
{
    begin_program("bench_vol");
    int ok = argc >= 5 && (strcmp(argv[3], "chunked") == 0 || strcmp(argv[3], "contiguous") == 0);
    int writing = ok && strcmp(argv[4], "write") == 0;
    if (ok && writing)
        ok = argc == 5 || (argc == 6 && strcmp(argv[5], "fsync") == 0);
    else if (ok)
        ok = argc == 5 && strcmp(argv[4], "read") == 0;
    if (!ok) {
        fprintf(stderr, "usage: bench_vol NAME MB chunked|contiguous write [fsync]\n"
                        "       bench_vol NAME MB chunked|contiguous read\n");
        return 2;
    }
    const char *name = argv[1];
    long mb = atol(argv[2]);
    CHECK(mb >= 1, "MB must be at least 1");

    hsize_t n = (hsize_t)mb * mib;
    hsize_t slab = 64 * mib < n ? 64 * mib : n;
    double *buf = malloc(slab * sizeof(double));
    CHECK(buf != NULL, "cannot allocate %llu bytes", (unsigned long long)(slab * sizeof(double)));

    double s = writing ? bench_write(name, n, strcmp(argv[3], "chunked") == 0, argc == 6, buf, slab)
                       : bench_read(name, n, buf, slab);
    free(buf);
    printf("seconds=%.6f bytes=%llu\n", s, (unsigned long long)(n * sizeof(double)));
    return 0;
}

/*
 * failcase — the failure cases, driven by the test harness.
 *
 *   failcase make NAME
 *       create NAME with a chunked int32 dataset /data (1000 elements,
 *       chunks of 100, value i at i) and close it.
 *   failcase check NAME
 *       open NAME read-only and check /data is what `make` wrote.
 *   failcase expect-fail create|open-rw|open-ro NAME PATTERN
 *       the operation (create is H5F_ACC_TRUNC) must fail, and a message on
 *       the HDF5 error stack must contain one of PATTERN's '|'-separated
 *       alternatives (case-insensitive).
 *   failcase hold NAME
 *       open NAME read-write, print READY, wait for a line on stdin, close.
 *   failcase open-rw NAME
 *       open NAME read-write and close it (both must succeed).
 *   failcase write-through-outage NAME MB [PATTERN]
 *       create NAME with a float64 dataset of MB MiB (chunks of 1 MiB),
 *       write the first quarter, print READY, wait for a line (the harness
 *       kills the server meanwhile), write the rest and close: some call,
 *       at the latest H5Fclose, must fail with a message (matching PATTERN
 *       when given), and nothing may hang.
 *   failcase deleted-under NAME PATTERN
 *       open NAME (made by `make`) read-write with /data open, print READY,
 *       wait for a line (the harness deletes the file from the store
 *       meanwhile), then write, read, create a group, flush and close:
 *       one of them must fail with a message matching PATTERN.
 *
 * Exit status: 0 when the case behaved as described, 1 otherwise (with
 * the reason and the error stack on stderr), 2 on bad usage. What failed
 * and the collected error stack go to stdout for the harness's log.
 */
#include "check.h"

#include <unistd.h>

static void wait_for_go(void)
{
    printf("READY\n");
    fflush(stdout);
    char line[64];
    if (fgets(line, sizeof line, stdin) == NULL) {
        fprintf(stderr, "%s: stdin closed before the go line\n", prog);
        exit(1);
    }
}

/* failed records the first failing call of a sequence with its stack. */
struct failed {
    const char *call;
    struct errtext err;
};

/* TRY runs expr and, if it fails and is the first to, records it; the
 * error stack is cleared either way. Later calls still run: a program
 * hitting an error goes on to clean up (close what it opened). */
#define TRY(st, expr)                                                                              \
    do {                                                                                           \
        if ((expr) < 0 && (st)->call == NULL) {                                                    \
            (st)->call = #expr;                                                                    \
            error_text(&(st)->err);                                                                \
        }                                                                                          \
        H5Eclear2(H5E_DEFAULT);                                                                    \
    } while (0)

/* report_failure prints what failed; returns 0 when that is what the case
 * wants (something failed, with a message matching pattern if given). */
static int report_failure(const struct failed *st, const char *pattern)
{
    if (st->call == NULL) {
        fprintf(stderr, "%s: FAIL: every call succeeded; want a failure%s%s\n", prog,
                pattern ? " mentioning " : "", pattern ? pattern : "");
        return 1;
    }
    printf("failed as expected: %s\n%s", st->call, st->err.buf);
    if (st->err.len == 0) {
        fprintf(stderr, "%s: FAIL: %s failed with an empty HDF5 error stack\n", prog, st->call);
        return 1;
    }
    if (pattern && !matches_any(st->err.descs, pattern)) {
        fprintf(stderr, "%s: FAIL: %s failed, but no message on the error stack mentions %s:\n%s", prog, st->call,
                pattern, st->err.buf);
        return 1;
    }
    return 0;
}

static int cmd_make(const char *name)
{
    hid_t f = H5OK(H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    hsize_t n = 1000, c = 100;
    hid_t sp = H5OK(H5Screate_simple(1, &n, NULL));
    hid_t dcpl = H5OK(H5Pcreate(H5P_DATASET_CREATE));
    H5OK(H5Pset_chunk(dcpl, 1, &c));
    hid_t d = H5OK(H5Dcreate2(f, "/data", H5T_STD_I32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    int32_t v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = i;
    H5OK(H5Dwrite(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
    H5OK(H5Dclose(d));
    H5OK(H5Pclose(dcpl));
    H5OK(H5Sclose(sp));
    H5OK(H5Fclose(f));
    return 0;
}

static int cmd_check(const char *name)
{
    hid_t f = H5OK(H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    hid_t d = H5OK(H5Dopen2(f, "/data", H5P_DEFAULT));
    int32_t v[1000];
    H5OK(H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
    for (int i = 0; i < 1000; i++)
        CHECK_INT(v[i], i, "/data element");
    H5OK(H5Dclose(d));
    H5OK(H5Fclose(f));
    return 0;
}

static int cmd_expect_fail(const char *op, const char *name, const char *pattern)
{
    struct failed st = {0};
    hid_t f = H5I_INVALID_HID;
    if (strcmp(op, "create") == 0)
        TRY(&st, f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    else if (strcmp(op, "open-rw") == 0)
        TRY(&st, f = H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT));
    else if (strcmp(op, "open-ro") == 0)
        TRY(&st, f = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    else {
        fprintf(stderr, "%s: unknown operation %s\n", prog, op);
        return 2;
    }
    if (f >= 0) {
        char vol[64] = "?";
        H5VLget_connector_name(f, vol, sizeof vol);
        fprintf(stderr, "%s: FAIL: %s %s succeeded (connector %s); want a failure mentioning %s\n", prog, op, name,
                vol, pattern);
        H5Fclose(f);
        return 1;
    }
    return report_failure(&st, pattern);
}

static int cmd_hold(const char *name)
{
    hid_t f = H5OK(H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    wait_for_go();
    H5OK(H5Fclose(f));
    return 0;
}

static int cmd_open_rw(const char *name)
{
    hid_t f = H5OK(H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    H5OK(H5Fclose(f));
    return 0;
}

static int cmd_write_through_outage(const char *name, long mb, const char *pattern)
{
    CHECK(mb >= 4, "MB must be at least 4");
    const hsize_t per_mib = (1 << 20) / 8;
    hsize_t n = (hsize_t)mb * per_mib, chunk = per_mib;
    hid_t f = H5OK(H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    hid_t sp = H5OK(H5Screate_simple(1, &n, NULL));
    hid_t dcpl = H5OK(H5Pcreate(H5P_DATASET_CREATE));
    H5OK(H5Pset_chunk(dcpl, 1, &chunk));
    hid_t d = H5OK(H5Dcreate2(f, "/big", H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    double *buf = malloc(per_mib * sizeof(double));
    hid_t ms = H5OK(H5Screate_simple(1, &chunk, NULL));
    struct failed st = {0};
    for (long i = 0; i < mb; i++) {
        if (i == mb / 4) {
            H5OK(H5Fflush(f, H5F_SCOPE_GLOBAL)); /* before the outage: must work */
            wait_for_go();
        }
        for (hsize_t k = 0; k < per_mib; k++)
            buf[k] = (double)(i * (long)per_mib + (long)k);
        hsize_t start = (hsize_t)i * per_mib;
        H5OK(H5Sselect_hyperslab(sp, H5S_SELECT_SET, &start, NULL, &chunk, NULL));
        TRY(&st, H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, sp, H5P_DEFAULT, buf));
        if (st.call)
            break;
    }
    TRY(&st, H5Dclose(d));
    TRY(&st, H5Fclose(f));
    free(buf);
    return report_failure(&st, pattern);
}

static int cmd_deleted_under(const char *name, const char *pattern)
{
    hid_t f = H5OK(H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    hid_t d = H5OK(H5Dopen2(f, "/data", H5P_DEFAULT));
    wait_for_go();
    struct failed st = {0};
    int32_t v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = -i;
    TRY(&st, H5Dwrite(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
    TRY(&st, H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
    TRY(&st, H5Dclose(d));
    hid_t g = H5I_INVALID_HID;
    TRY(&st, g = H5Gcreate2(f, "/after_delete", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (g >= 0)
        H5Gclose(g);
    TRY(&st, H5Fflush(f, H5F_SCOPE_GLOBAL));
    TRY(&st, H5Fclose(f));
    /* Whether the file stays gone is for another process to see: this one
     * may still hold it, if a close failed. */
    return report_failure(&st, pattern);
}

int main(int argc, char **argv)
{
    begin_program("failcase");
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "make") == 0 && argc == 3)
        return cmd_make(argv[2]);
    if (strcmp(cmd, "check") == 0 && argc == 3)
        return cmd_check(argv[2]);
    if (strcmp(cmd, "expect-fail") == 0 && argc == 5)
        return cmd_expect_fail(argv[2], argv[3], argv[4]);
    if (strcmp(cmd, "hold") == 0 && argc == 3)
        return cmd_hold(argv[2]);
    if (strcmp(cmd, "open-rw") == 0 && argc == 3)
        return cmd_open_rw(argv[2]);
    if (strcmp(cmd, "write-through-outage") == 0 && (argc == 4 || argc == 5))
        return cmd_write_through_outage(argv[2], atol(argv[3]), argc == 5 ? argv[4] : NULL);
    if (strcmp(cmd, "deleted-under") == 0 && argc == 4)
        return cmd_deleted_under(argv[2], argv[3]);
    fprintf(stderr, "usage: failcase make NAME | check NAME | expect-fail create|open-rw|open-ro NAME PATTERN | hold NAME |\n"
                    "       open-rw NAME | write-through-outage NAME MB [PATTERN] | deleted-under NAME PATTERN\n");
    return 2;
}

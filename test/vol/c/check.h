/*
 * check.h — what every sciswift VOL test program shares: failing loudly on
 * the first mismatch (with the HDF5 error stack), checking which VOL
 * connector actually handled a file, and collecting the messages of the
 * HDF5 error stack for the failure-case programs.
 *
 * The programs are plain HDF5 1.14 programs: they name no connector and
 * know nothing of sciswift. Whether they run natively or through the
 * connector is decided by the environment (HDF5_VOL_CONNECTOR,
 * HDF5_PLUGIN_PATH), as for any unmodified HDF5 program. So that a missing
 * or unloadable plugin can never pass as HDF5 quietly writing a local file,
 * SCISWIFT_EXPECT_VOL=1 makes every program insist that the file it opened
 * is handled by the connector named "sciswift" (and, unset or 0, by
 * "native").
 */
#ifndef SCISWIFT_VOL_CHECK_H
#define SCISWIFT_VOL_CHECK_H

#include <hdf5.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* prog is the program's name in messages. */
static const char *prog = "vol-test";

static inline void print_error_stack(void)
{
    if (H5Eget_num(H5E_DEFAULT) > 0) {
        fprintf(stderr, "%s: HDF5 error stack:\n", prog);
        H5Eprint2(H5E_DEFAULT, stderr);
    }
}

/* failures counts the failed checks when SCISWIFT_KEEP_GOING=1 asks the
 * program to carry on past them (to see every mismatch at once, when
 * triaging; later checks may fail only because of earlier ones). */
static int failures;

static inline void exit_failed(void)
{
    if (failures > 0) {
        fprintf(stderr, "%s: %d check(s) failed\n", prog, failures);
        _exit(1);
    }
}

static inline void fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: FAIL at %s:%d: ", prog, file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    print_error_stack();
    const char *k = getenv("SCISWIFT_KEEP_GOING");
    if (k == NULL || strcmp(k, "1") != 0)
        exit(1);
    if (failures++ == 0)
        atexit(exit_failed);
    H5Eclear2(H5E_DEFAULT);
}

/* CHECK(cond, fmt, ...) fails the program with a message when cond is false. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_at(__FILE__, __LINE__, __VA_ARGS__);                                              \
    } while (0)

/* H5OK(call) evaluates an HDF5 call that returns herr_t/hid_t/htri_t/ssize_t
 * and fails the program, naming the call, when it is negative. It yields the
 * call's value. */
#define H5OK(call)                                                                                 \
    ({                                                                                             \
        __typeof__(call) h5ok_v_ = (call);                                                         \
        if (h5ok_v_ < 0)                                                                           \
            fail_at(__FILE__, __LINE__, "%s returned %lld", #call, (long long)h5ok_v_);          \
        h5ok_v_;                                                                                   \
    })

/* H5FAILS(call) checks that an HDF5 call fails (returns a negative value);
 * the error stack it leaves is cleared. */
#define H5FAILS(call)                                                                              \
    do {                                                                                           \
        __typeof__(call) h5fails_v_ = (call);                                                      \
        if (h5fails_v_ >= 0)                                                                       \
            fail_at(__FILE__, __LINE__, "%s succeeded (returned %lld), want a failure", #call,   \
                    (long long)h5fails_v_);                                                        \
        H5Eclear2(H5E_DEFAULT);                                                                    \
    } while (0)

#define CHECK_STR(got, want, what)                                                                 \
    do {                                                                                           \
        const char *cs_g_ = (got), *cs_w_ = (want);                                                \
        CHECK(cs_g_ != NULL && strcmp(cs_g_, cs_w_) == 0, "%s = \"%s\", want \"%s\"", (what),      \
              cs_g_ ? cs_g_ : "(null)", cs_w_);                                                    \
    } while (0)

#define CHECK_INT(got, want, what)                                                                 \
    do {                                                                                           \
        long long ci_g_ = (long long)(got), ci_w_ = (long long)(want);                             \
        CHECK(ci_g_ == ci_w_, "%s = %lld, want %lld", (what), ci_g_, ci_w_);                       \
    } while (0)

/* check_bytes compares n elements of size elem; on a mismatch it names the
 * first differing element and shows both as hex. */
static inline void check_bytes_at(const char *file, int line, const void *got, const void *want, size_t n,
                           size_t elem, const char *what)
{
    const unsigned char *g = got, *w = want;
    for (size_t i = 0; i < n; i++) {
        if (memcmp(g + i * elem, w + i * elem, elem) == 0)
            continue;
        char gs[70] = "", ws[70] = "";
        for (size_t b = 0; b < elem && b < 32; b++) {
            snprintf(gs + 2 * b, 3, "%02x", g[i * elem + b]);
            snprintf(ws + 2 * b, 3, "%02x", w[i * elem + b]);
        }
        fail_at(file, line, "%s: element %zu differs: got %s, want %s", what, i, gs, ws);
    }
}
#define CHECK_BYTES(got, want, n, elem, what)                                                      \
    check_bytes_at(__FILE__, __LINE__, (got), (want), (n), (elem), (what))

/* expect_vol_wanted is the connector every file must be handled by. */
static inline const char *expect_vol_wanted(void)
{
    const char *e = getenv("SCISWIFT_EXPECT_VOL");
    return (e != NULL && strcmp(e, "1") == 0) ? "sciswift" : "native";
}

/* check_connector fails unless obj (a file or any object in it) is handled
 * by the connector SCISWIFT_EXPECT_VOL asks for. */
#define CHECK_CONNECTOR(obj) check_connector_at(__FILE__, __LINE__, (obj))
static inline void check_connector_at(const char *file, int line, hid_t obj)
{
    char name[64] = "";
    if (H5VLget_connector_name(obj, name, sizeof name) < 0)
        fail_at(file, line, "H5VLget_connector_name failed");
    if (strcmp(name, expect_vol_wanted()) != 0)
        fail_at(file, line, "the file is handled by VOL connector \"%s\", want \"%s\" (SCISWIFT_EXPECT_VOL=%s)",
                name, expect_vol_wanted(), getenv("SCISWIFT_EXPECT_VOL") ? getenv("SCISWIFT_EXPECT_VOL") : "");
}

/* check_vol_id fails unless the VOL connector id vol is the wanted one. */
#define CHECK_VOL_ID(vol, what) check_vol_id_at(__FILE__, __LINE__, (vol), (what))
static inline void check_vol_id_at(const char *file, int line, hid_t vol, const char *what)
{
    hid_t want = H5VLget_connector_id_by_name(expect_vol_wanted());
    if (want < 0)
        fail_at(file, line, "VOL connector \"%s\" is not registered", expect_vol_wanted());
    int cmp = 1;
    if (H5VLcmp_connector_cls(&cmp, vol, want) < 0)
        fail_at(file, line, "H5VLcmp_connector_cls failed");
    if (cmp != 0)
        fail_at(file, line, "%s is not the VOL connector \"%s\"", what, expect_vol_wanted());
    H5VLclose(want);
}

/* check_default_connector fails unless the default file access property
 * list selects the wanted connector: for the failure cases, where no file
 * gets opened, this is what shows the environment took effect. */
static inline void check_default_connector(void)
{
    hid_t fapl = H5OK(H5Pcreate(H5P_FILE_ACCESS));
    hid_t vol = H5I_INVALID_HID;
    H5OK(H5Pget_vol_id(fapl, &vol));
    CHECK_VOL_ID(vol, "the default file access property list's connector");
    H5VLclose(vol);
    H5Pclose(fapl);
}

/* ---- collecting the HDF5 error stack ---- */

/* errtext is a walked error stack: buf for people (class, function,
 * description, major / minor), descs only the descriptions, which is what
 * failure cases match their patterns against (the generic major/minor
 * texts such as "Object not found" would match almost anything). */
struct errtext {
    char buf[8192];
    size_t len;
    char descs[4096];
    size_t dlen;
};

static inline void errtext_append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (w > 0)
        *len += ((size_t)w < cap - *len) ? (size_t)w : cap - *len - 1;
}

static inline herr_t errtext_walk(unsigned n, const H5E_error2_t *e, void *data)
{
    struct errtext *t = data;
    char cls[64] = "", maj[128] = "", min[128] = "";
    (void)n;
    H5Eget_class_name(e->cls_id, cls, sizeof cls);
    H5Eget_msg(e->maj_num, NULL, maj, sizeof maj);
    H5Eget_msg(e->min_num, NULL, min, sizeof min);
    errtext_append(t->buf, sizeof t->buf, &t->len, "[%s] %s(): %s (%s / %s)\n", cls,
                   e->func_name ? e->func_name : "?", e->desc ? e->desc : "", maj, min);
    errtext_append(t->descs, sizeof t->descs, &t->dlen, "%s\n", e->desc ? e->desc : "");
    return 0;
}

/* error_text walks the current error stack (H5Ewalk2) into t and clears
 * it. The walk goes over a copy: the H5E calls in the callback are API
 * calls, which would clear the default stack under the walk. */
static inline void error_text(struct errtext *t)
{
    t->len = t->dlen = 0;
    t->buf[0] = t->descs[0] = 0;
    hid_t es = H5Eget_current_stack();
    if (es < 0)
        return;
    H5Ewalk2(es, H5E_WALK_UPWARD, errtext_walk, t);
    H5Eclose_stack(es);
}

/* matches_any reports whether text contains, case-insensitively, one of
 * the '|'-separated alternatives of pattern. */
static inline int matches_any(const char *text, const char *pattern)
{
    char alt[256];
    const char *p = pattern;
    while (*p) {
        size_t n = strcspn(p, "|");
        if (n > 0 && n < sizeof alt) {
            memcpy(alt, p, n);
            alt[n] = 0;
            for (const char *s = text; *s; s++)
                if (strncasecmp(s, alt, n) == 0)
                    return 1;
        }
        p += n;
        if (*p == '|')
            p++;
    }
    return 0;
}

/* begin_program names the program for messages, turns off HDF5's own
 * error printing (failures are reported by fail_at, with the stack) and
 * checks the default connector before anything touches a file: HDF5 1.14
 * reports an HDF5_VOL_CONNECTOR it cannot load on the first API call only,
 * then carries on with the native connector, which would create local
 * files under the names the program was given. */
static inline void begin_program(const char *name)
{
    prog = name;
    if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0) {
        fprintf(stderr, "%s: HDF5 failed to initialise (see the error stack above)\n", prog);
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    }
    check_default_connector();
}

#endif

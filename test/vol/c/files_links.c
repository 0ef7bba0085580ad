/*
 * files_links FILE — files, groups, links, objects and tokens.
 *
 * Writes FILE, closes it, reopens it read-only and checks everything, makes
 * a change read-write, reopens and checks again. Also creates, truncates
 * and deletes a scratch file FILE.scratch.h5 (gone again at exit). Exits 0
 * silently (one summary line on stdout) when every check passed, else 1
 * with a message and the HDF5 error stack on stderr.
 *
 * The final FILE is what the harness h5dumps, natively and through the
 * connector, so everything in it is deterministic.
 */
#include "check.h"

#define MAXNAMES 64

/* names collects link or object names from the iterate/visit callbacks. */
struct names {
    int n;
    int stop_after; /* a callback returns 1 (stop) after this many; 0: never */
    char v[MAXNAMES][192];
};

static void names_add(struct names *ns, const char *name)
{
    if (ns->n < MAXNAMES)
        snprintf(ns->v[ns->n], sizeof ns->v[0], "%s", name);
    ns->n++;
}

#define CHECK_NAMES(ns, what, ...)                                                                 \
    do {                                                                                           \
        const char *cn_want_[] = {__VA_ARGS__};                                                    \
        check_names_at(__FILE__, __LINE__, (ns), cn_want_, sizeof cn_want_ / sizeof cn_want_[0],   \
                       (what));                                                                    \
    } while (0)

static void check_names_at(const char *file, int line, const struct names *ns, const char **want,
                           size_t nwant, const char *what)
{
    char got[4096] = "", exp[4096] = "";
    for (int i = 0; i < ns->n && i < MAXNAMES; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? ", " : "", ns->v[i]);
    for (size_t i = 0; i < nwant; i++)
        snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%s%s", i ? ", " : "", want[i]);
    if (strcmp(got, exp) != 0 || (size_t)ns->n != nwant)
        fail_at(file, line, "%s: got [%s], want [%s]", what, got, exp);
}

static herr_t link_cb(hid_t g, const char *name, const H5L_info2_t *info, void *data)
{
    struct names *ns = data;
    (void)g;
    (void)info;
    names_add(ns, name);
    return (ns->stop_after > 0 && ns->n >= ns->stop_after) ? 1 : 0;
}

static herr_t obj_cb(hid_t o, const char *name, const H5O_info2_t *info, void *data)
{
    char buf[160];
    (void)o;
    snprintf(buf, sizeof buf, "%s:%s", name,
             info->type == H5O_TYPE_GROUP     ? "group"
             : info->type == H5O_TYPE_DATASET ? "dataset"
                                              : "other");
    names_add(data, buf);
    return 0;
}

static struct names iterate(hid_t loc, const char *group, H5_index_t idx, H5_iter_order_t order,
                            hsize_t start, int stop_after)
{
    struct names ns = {0};
    ns.stop_after = stop_after;
    hsize_t i = start;
    hid_t g = H5OK(H5Gopen2(loc, group, H5P_DEFAULT));
    H5OK(H5Literate2(g, idx, order, &i, link_cb, &ns));
    H5OK(H5Gclose(g));
    return ns;
}

static H5O_token_t token_of(hid_t loc, const char *path)
{
    H5O_info2_t info;
    H5OK(H5Oget_info_by_name3(loc, path, &info, H5O_INFO_BASIC, H5P_DEFAULT));
    return info.token;
}

static int tokens_equal(hid_t loc, H5O_token_t a, H5O_token_t b)
{
    int cmp = 99;
    H5OK(H5Otoken_cmp(loc, &a, &b, &cmp));
    return cmp == 0;
}

static hid_t lcpl_intermediate(void)
{
    hid_t lcpl = H5OK(H5Pcreate(H5P_LINK_CREATE));
    H5OK(H5Pset_create_intermediate_group(lcpl, 1));
    return lcpl;
}

static void make_group(hid_t loc, const char *path, hid_t lcpl)
{
    H5OK(H5Gclose(H5OK(H5Gcreate2(loc, path, lcpl, H5P_DEFAULT, H5P_DEFAULT))));
}

/* write_file creates FILE with groups (nested, intermediate, creation
 * ordered), a dataset, hard and soft links, and exercises the file-level
 * calls while it is open. */
static void write_file(const char *name)
{
    /* The root group tracks link creation order: a file creation property
     * the connector must keep and give back. */
    hid_t fcpl = H5OK(H5Pcreate(H5P_FILE_CREATE));
    H5OK(H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
    hid_t f = H5OK(H5Fcreate(name, H5F_ACC_EXCL, fcpl, H5P_DEFAULT));
    H5OK(H5Pclose(fcpl));
    CHECK_CONNECTOR(f);

    /* A second EXCL create of an existing (here: open) file fails. */
    H5FAILS(H5Fcreate(name, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT));

    char got[1024];
    CHECK_INT(H5OK(H5Fget_name(f, got, sizeof got)), strlen(name), "H5Fget_name length");
    CHECK_STR(got, name, "H5Fget_name");
    unsigned intent = 0;
    H5OK(H5Fget_intent(f, &intent));
    CHECK(intent & H5F_ACC_RDWR, "H5Fget_intent of a created file = %#x, want RDWR", intent);

    hid_t gotfcpl = H5OK(H5Fget_create_plist(f));
    unsigned crt = 0;
    H5OK(H5Pget_link_creation_order(gotfcpl, &crt));
    CHECK_INT(crt, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED, "link creation order of H5Fget_create_plist");
    H5OK(H5Pclose(gotfcpl));
    hid_t gotfapl = H5OK(H5Fget_access_plist(f));
    hid_t vol = H5I_INVALID_HID;
    H5OK(H5Pget_vol_id(gotfapl, &vol));
    CHECK_VOL_ID(vol, "the VOL connector of H5Fget_access_plist");
    H5OK(H5VLclose(vol));
    H5OK(H5Pclose(gotfapl));

    /* Groups: absolute, nested, relative to a group, with intermediates. */
    hid_t lcpl = lcpl_intermediate();
    make_group(f, "/a", H5P_DEFAULT);
    make_group(f, "/a/b", H5P_DEFAULT);
    hid_t a = H5OK(H5Gopen2(f, "/a", H5P_DEFAULT));
    make_group(a, "c", H5P_DEFAULT); /* relative: /a/c */
    make_group(f, "/x/y/z", lcpl);   /* /x and /x/y made on the way */
    H5FAILS(H5Gcreate2(f, "/p/q", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5FAILS(H5Gcreate2(f, "/a/b", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)); /* exists */
    CHECK_INT(H5OK(H5Lexists(f, "/p", H5P_DEFAULT)), 0, "H5Lexists(/p) after a failed create");

    /* A group that tracks creation order, links made out of name order. */
    hid_t gcpl = H5OK(H5Pcreate(H5P_GROUP_CREATE));
    H5OK(H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
    H5OK(H5Gclose(H5OK(H5Gcreate2(f, "/ordered", H5P_DEFAULT, gcpl, H5P_DEFAULT))));
    H5OK(H5Pclose(gcpl));
    make_group(f, "/ordered/zeta", H5P_DEFAULT);
    make_group(f, "/ordered/alpha", H5P_DEFAULT);
    make_group(f, "/ordered/mid", H5P_DEFAULT);

    /* A small dataset, so links and visits see a non-group object. */
    hsize_t dims[1] = {10};
    int vals[10];
    for (int i = 0; i < 10; i++)
        vals[i] = i * i;
    hid_t sp = H5OK(H5Screate_simple(1, dims, NULL));
    hid_t d = H5OK(H5Dcreate2(a, "data", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5OK(H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, vals));
    H5OK(H5Dclose(d));
    H5OK(H5Sclose(sp));

    /* Links: hard to a group and a dataset, soft (resolving and dangling). */
    H5OK(H5Lcreate_hard(f, "/a/b", f, "/links/hard_to_b", lcpl, H5P_DEFAULT));
    H5OK(H5Lcreate_hard(a, "data", f, "/links/data_hard", H5P_DEFAULT, H5P_DEFAULT));
    /* H5L_SAME_LOC on either side (h5repack passes it): the other location
     * serves both names, "data" relative to /a, "b_same_src" to /links. */
    H5OK(H5Lcreate_hard(a, "data", H5L_SAME_LOC, "/links/data_same_dst", H5P_DEFAULT, H5P_DEFAULT));
    hid_t links = H5OK(H5Gopen2(f, "/links", H5P_DEFAULT));
    H5OK(H5Lcreate_hard(H5L_SAME_LOC, "/a/b", links, "b_same_src", H5P_DEFAULT, H5P_DEFAULT));
    H5OK(H5Gclose(links));
    H5OK(H5Lcreate_soft("/a/c", f, "/links/soft_to_c", H5P_DEFAULT, H5P_DEFAULT));
    H5OK(H5Lcreate_soft("/nowhere", f, "/links/dangling", H5P_DEFAULT, H5P_DEFAULT));
    H5FAILS(H5Lcreate_soft("/a", f, "/links/soft_to_c", H5P_DEFAULT, H5P_DEFAULT)); /* name taken */

    /* Delete: a soft link, a group (its only link), a missing link. */
    H5OK(H5Lcreate_soft("/a", f, "/links/temp", H5P_DEFAULT, H5P_DEFAULT));
    CHECK_INT(H5OK(H5Lexists(f, "/links/temp", H5P_DEFAULT)), 1, "H5Lexists(/links/temp)");
    H5OK(H5Ldelete(f, "/links/temp", H5P_DEFAULT));
    CHECK_INT(H5OK(H5Lexists(f, "/links/temp", H5P_DEFAULT)), 0, "H5Lexists(/links/temp) after delete");
    H5OK(H5Ldelete(f, "/x/y/z", H5P_DEFAULT));
    CHECK_INT(H5OK(H5Lexists(f, "/x/y/z", H5P_DEFAULT)), 0, "H5Lexists(/x/y/z) after delete");
    H5FAILS(H5Ldelete(f, "/x/y/z", H5P_DEFAULT));

    /* Move: a group changes name and parent. */
    make_group(f, "/a/tomove", H5P_DEFAULT);
    H5OK(H5Lmove(f, "/a/tomove", f, "/x/moved", H5P_DEFAULT, H5P_DEFAULT));
    CHECK_INT(H5OK(H5Lexists(f, "/a/tomove", H5P_DEFAULT)), 0, "H5Lexists(/a/tomove) after move");
    CHECK_INT(H5OK(H5Oexists_by_name(f, "/x/moved", H5P_DEFAULT)), 1, "H5Oexists_by_name(/x/moved)");

    H5OK(H5Pclose(lcpl));
    H5OK(H5Gclose(a));

    /* Object counts: exactly what is open now. */
    hid_t g1 = H5OK(H5Gopen2(f, "/a", H5P_DEFAULT));
    hid_t g2 = H5OK(H5Gopen2(f, "/a/b", H5P_DEFAULT));
    hid_t d1 = H5OK(H5Dopen2(f, "/a/data", H5P_DEFAULT));
    CHECK_INT(H5OK(H5Fget_obj_count(f, H5F_OBJ_FILE)), 1, "H5Fget_obj_count(FILE)");
    CHECK_INT(H5OK(H5Fget_obj_count(f, H5F_OBJ_GROUP)), 2, "H5Fget_obj_count(GROUP)");
    CHECK_INT(H5OK(H5Fget_obj_count(f, H5F_OBJ_DATASET)), 1, "H5Fget_obj_count(DATASET)");
    CHECK_INT(H5OK(H5Fget_obj_count(f, H5F_OBJ_DATATYPE)), 0, "H5Fget_obj_count(DATATYPE)");
    CHECK_INT(H5OK(H5Fget_obj_count(f, H5F_OBJ_ATTR)), 0, "H5Fget_obj_count(ATTR)");
    CHECK_INT(H5OK(H5Fget_obj_count(f, H5F_OBJ_ALL)), 4, "H5Fget_obj_count(ALL)");
    hid_t ids[8];
    CHECK_INT(H5OK(H5Fget_obj_ids(f, H5F_OBJ_GROUP, 8, ids)), 2, "H5Fget_obj_ids(GROUP)");
    CHECK((ids[0] == g1 && ids[1] == g2) || (ids[0] == g2 && ids[1] == g1),
          "H5Fget_obj_ids(GROUP) = {%lld, %lld}, want the two open groups", (long long)ids[0],
          (long long)ids[1]);
    H5OK(H5Dclose(d1));
    H5OK(H5Gclose(g2));
    H5OK(H5Gclose(g1));
    CHECK_INT(H5OK(H5Fget_obj_count(f, H5F_OBJ_ALL)), 1, "H5Fget_obj_count(ALL) after closing");

    /* H5Freopen: another identifier for the same open file. */
    hid_t f2 = H5OK(H5Freopen(f));
    H5OK(H5Fget_name(f2, got, sizeof got));
    CHECK_STR(got, name, "H5Fget_name of H5Freopen");
    CHECK_INT(H5OK(H5Lexists(f2, "/a/b", H5P_DEFAULT)), 1, "H5Lexists(/a/b) through H5Freopen");
    H5OK(H5Fclose(f2));

    H5OK(H5Fflush(f, H5F_SCOPE_GLOBAL));
    H5OK(H5Fclose(f));
}

/* check_tree checks the file's structure, links, objects and tokens, as
 * write_file left it (plus /added_rw once the read-write phase ran). */
static void check_tree(hid_t f, int added_rw)
{
    CHECK_CONNECTOR(f);
    /* The root group's creation order tracking (set through the fcpl) is a
     * property of the root group once the file exists: HDF5 gives it back
     * from the root's gcpl, not from a reopened file's fcpl. */
    hid_t root = H5OK(H5Gopen2(f, "/", H5P_DEFAULT));
    hid_t rgcpl = H5OK(H5Gget_create_plist(root));
    unsigned crt = 0;
    H5OK(H5Pget_link_creation_order(rgcpl, &crt));
    CHECK_INT(crt, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED, "link creation order of the root group's gcpl");
    H5OK(H5Pclose(rgcpl));

    /* Existence: links vs the objects they lead to. */
    static const struct {
        const char *path;
        int link, object;
    } exist[] = {
        {"/a", 1, 1},           {"/a/b", 1, 1},          {"/a/c", 1, 1},
        {"/a/data", 1, 1},      {"/x/y", 1, 1},          {"/x/y/z", 0, 0},
        {"/x/moved", 1, 1},     {"/a/tomove", 0, 0},     {"/links/hard_to_b", 1, 1},
        {"/links/soft_to_c", 1, 1}, {"/links/dangling", 1, 0}, {"/nope", 0, 0},
        {"/links/data_same_dst", 1, 1}, {"/links/b_same_src", 1, 1}, {"/b_same_src", 0, 0},
    };
    for (size_t i = 0; i < sizeof exist / sizeof exist[0]; i++) {
        char what[160];
        snprintf(what, sizeof what, "H5Lexists(%s)", exist[i].path);
        CHECK_INT(H5OK(H5Lexists(f, exist[i].path, H5P_DEFAULT)), exist[i].link, what);
        snprintf(what, sizeof what, "H5Oexists_by_name(%s)", exist[i].path);
        if (exist[i].link)
            CHECK_INT(H5OK(H5Oexists_by_name(f, exist[i].path, H5P_DEFAULT)), exist[i].object, what);
    }
    /* A missing intermediate component is an error, not "false". */
    H5FAILS(H5Lexists(f, "/nope/deeper", H5P_DEFAULT));
    CHECK_INT(H5OK(H5Lexists(f, "/added_rw", H5P_DEFAULT)), added_rw, "H5Lexists(/added_rw)");

    /* Group info. */
    H5G_info_t gi;
    H5OK(H5Gget_info_by_name(f, "/a", &gi, H5P_DEFAULT));
    CHECK_INT(gi.nlinks, 3, "nlinks of /a (b, c, data)");
    H5OK(H5Gget_info_by_name(f, "/ordered", &gi, H5P_DEFAULT));
    CHECK_INT(gi.nlinks, 3, "nlinks of /ordered");
    CHECK_INT(gi.max_corder, 3, "max_corder of /ordered");
    H5OK(H5Gget_info_by_name(f, "/links", &gi, H5P_DEFAULT));
    CHECK_INT(gi.nlinks, 6, "nlinks of /links");
    H5OK(H5Gget_info(root, &gi));
    CHECK_INT(gi.nlinks, 4 + added_rw, "nlinks of /");
    H5OK(H5Gclose(root));

    /* Iteration orders. */
    struct names ns;
    ns = iterate(f, "/ordered", H5_INDEX_CRT_ORDER, H5_ITER_INC, 0, 0);
    CHECK_NAMES(&ns, "/ordered by creation order", "zeta", "alpha", "mid");
    ns = iterate(f, "/ordered", H5_INDEX_CRT_ORDER, H5_ITER_DEC, 0, 0);
    CHECK_NAMES(&ns, "/ordered by creation order, decreasing", "mid", "alpha", "zeta");
    ns = iterate(f, "/ordered", H5_INDEX_NAME, H5_ITER_INC, 0, 0);
    CHECK_NAMES(&ns, "/ordered by name", "alpha", "mid", "zeta");
    ns = iterate(f, "/ordered", H5_INDEX_NAME, H5_ITER_DEC, 0, 0);
    CHECK_NAMES(&ns, "/ordered by name, decreasing", "zeta", "mid", "alpha");
    ns = iterate(f, "/links", H5_INDEX_NAME, H5_ITER_INC, 0, 0);
    CHECK_NAMES(&ns, "/links by name", "b_same_src", "dangling", "data_hard", "data_same_dst", "hard_to_b",
                "soft_to_c");
    ns = iterate(f, "/links", H5_INDEX_NAME, H5_ITER_INC, 2, 0);
    CHECK_NAMES(&ns, "/links by name from index 2", "data_hard", "data_same_dst", "hard_to_b", "soft_to_c");
    ns = iterate(f, "/links", H5_INDEX_NAME, H5_ITER_INC, 0, 2);
    CHECK_NAMES(&ns, "/links by name, stopped after 2", "b_same_src", "dangling");
    ns = iterate(f, "/", H5_INDEX_CRT_ORDER, H5_ITER_INC, 0, 0);
    if (added_rw)
        CHECK_NAMES(&ns, "/ by creation order", "a", "x", "ordered", "links", "added_rw");
    else
        CHECK_NAMES(&ns, "/ by creation order", "a", "x", "ordered", "links");

    char lname[64] = "";
    H5OK(H5Lget_name_by_idx(f, "/ordered", H5_INDEX_CRT_ORDER, H5_ITER_INC, 1, lname, sizeof lname, H5P_DEFAULT));
    CHECK_STR(lname, "alpha", "H5Lget_name_by_idx(/ordered, creation order, 1)");
    H5OK(H5Lget_name_by_idx(f, "/ordered", H5_INDEX_NAME, H5_ITER_DEC, 0, lname, sizeof lname, H5P_DEFAULT));
    CHECK_STR(lname, "zeta", "H5Lget_name_by_idx(/ordered, name decreasing, 0)");

    /* Link info and values. */
    H5L_info2_t li;
    H5OK(H5Lget_info2(f, "/links/soft_to_c", &li, H5P_DEFAULT));
    CHECK_INT(li.type, H5L_TYPE_SOFT, "link type of /links/soft_to_c");
    CHECK_INT(li.u.val_size, strlen("/a/c") + 1, "val_size of /links/soft_to_c");
    char val[64] = "";
    H5OK(H5Lget_val(f, "/links/soft_to_c", val, sizeof val, H5P_DEFAULT));
    CHECK_STR(val, "/a/c", "H5Lget_val(/links/soft_to_c)");
    H5OK(H5Lget_val(f, "/links/dangling", val, sizeof val, H5P_DEFAULT));
    CHECK_STR(val, "/nowhere", "H5Lget_val(/links/dangling)");
    H5OK(H5Lget_info2(f, "/links/hard_to_b", &li, H5P_DEFAULT));
    CHECK_INT(li.type, H5L_TYPE_HARD, "link type of /links/hard_to_b");
    CHECK(tokens_equal(f, li.u.token, token_of(f, "/a/b")), "the hard link's token is not /a/b's");
    H5OK(H5Lget_info2(f, "/ordered/mid", &li, H5P_DEFAULT));
    CHECK(li.corder_valid, "/ordered/mid has no valid creation order");
    CHECK_INT(li.corder, 2, "creation order of /ordered/mid");
    H5OK(H5Lget_info2(f, "/a/b", &li, H5P_DEFAULT));
    CHECK_INT(li.cset, H5T_CSET_ASCII, "cset of /a/b");

    /* Tokens: one object reached by two hard links has one token. */
    H5O_token_t tb = token_of(f, "/a/b"), tc = token_of(f, "/a/c");
    CHECK(tokens_equal(f, tb, token_of(f, "/links/hard_to_b")), "/a/b and /links/hard_to_b differ in token");
    CHECK(tokens_equal(f, tc, token_of(f, "/links/soft_to_c")), "/a/c and /links/soft_to_c differ in token");
    CHECK(tokens_equal(f, token_of(f, "/a/data"), token_of(f, "/links/data_hard")), "/a/data and /links/data_hard differ in token");
    CHECK(tokens_equal(f, token_of(f, "/a/data"), token_of(f, "/links/data_same_dst")),
          "/a/data and /links/data_same_dst (H5L_SAME_LOC as the link's location) differ in token");
    CHECK(tokens_equal(f, tb, token_of(f, "/links/b_same_src")),
          "/a/b and /links/b_same_src (H5L_SAME_LOC as the target's location) differ in token");
    CHECK(!tokens_equal(f, tb, tc), "/a/b and /a/c have the same token");
    hid_t ob = H5OK(H5Oopen_by_token(f, tb));
    H5O_info2_t oi;
    H5OK(H5Oget_info3(ob, &oi, H5O_INFO_ALL));
    CHECK(tokens_equal(f, oi.token, tb), "H5Oopen_by_token opened another object");
    CHECK_INT(oi.type, H5O_TYPE_GROUP, "type of the object opened by token");
    CHECK_INT(oi.rc, 3, "reference count of /a/b (three hard links)");
    CHECK_INT(oi.num_attrs, 0, "num_attrs of /a/b");
    H5OK(H5Oclose(ob));
    char *tstr = NULL;
    H5OK(H5Otoken_to_str(f, &tb, &tstr));
    H5O_token_t back;
    H5OK(H5Otoken_from_str(f, tstr, &back));
    CHECK(tokens_equal(f, back, tb), "H5Otoken_from_str(H5Otoken_to_str(t)) != t (\"%s\")", tstr);
    H5free_memory(tstr);

    /* Objects: open by path, type, name, info. */
    hid_t o = H5OK(H5Oopen(f, "/a/data", H5P_DEFAULT));
    CHECK_INT(H5Iget_type(o), H5I_DATASET, "H5Iget_type(/a/data)");
    H5OK(H5Oget_info3(o, &oi, H5O_INFO_BASIC));
    CHECK_INT(oi.type, H5O_TYPE_DATASET, "object type of /a/data");
    CHECK_INT(oi.rc, 3, "reference count of /a/data (three hard links)");
    char oname[128] = "";
    H5OK(H5Iget_name(o, oname, sizeof oname));
    CHECK_STR(oname, "/a/data", "H5Iget_name(/a/data)");
    int vals[10];
    H5OK(H5Dread(o, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, vals));
    for (int i = 0; i < 10; i++)
        CHECK_INT(vals[i], i * i, "/a/data element");
    H5OK(H5Oclose(o));
    o = H5OK(H5Oopen(f, "/links/hard_to_b", H5P_DEFAULT));
    CHECK_INT(H5Iget_type(o), H5I_GROUP, "H5Iget_type(/links/hard_to_b)");
    H5OK(H5Iget_name(o, oname, sizeof oname));
    CHECK_STR(oname, "/links/hard_to_b", "H5Iget_name of a group opened through a hard link");
    H5OK(H5Oclose(o));
    hid_t g = H5OK(H5Gopen2(f, "/a", H5P_DEFAULT));
    o = H5OK(H5Oopen(g, "c", H5P_DEFAULT));
    H5OK(H5Iget_name(o, oname, sizeof oname));
    CHECK_STR(oname, "/a/c", "H5Iget_name of a group opened relative to /a");
    H5OK(H5Oclose(o));
    H5OK(H5Oget_info_by_name3(g, "data", &oi, H5O_INFO_BASIC, H5P_DEFAULT));
    CHECK_INT(oi.type, H5O_TYPE_DATASET, "type of data relative to /a");
    H5OK(H5Oget_info_by_idx3(g, ".", H5_INDEX_NAME, H5_ITER_INC, 1, &oi, H5O_INFO_BASIC, H5P_DEFAULT));
    CHECK(tokens_equal(f, oi.token, tc), "H5Oget_info_by_idx3(/a, name, 1) is not /a/c");
    H5OK(H5Gclose(g));
    H5FAILS(H5Oopen(f, "/links/dangling", H5P_DEFAULT));
    H5FAILS(H5Oopen(f, "/nope", H5P_DEFAULT));

    /* Visits: objects once each (by name), links all. */
    struct names vs = {0};
    H5OK(H5Ovisit3(f, H5_INDEX_NAME, H5_ITER_INC, obj_cb, &vs, H5O_INFO_BASIC));
    if (added_rw)
        CHECK_NAMES(&vs, "H5Ovisit3 of /", ".:group", "a:group", "a/b:group", "a/c:group", "a/data:dataset",
                    "added_rw:group", "links:group", "ordered:group", "ordered/alpha:group", "ordered/mid:group",
                    "ordered/zeta:group", "x:group", "x/moved:group", "x/y:group");
    else
        CHECK_NAMES(&vs, "H5Ovisit3 of /", ".:group", "a:group", "a/b:group", "a/c:group", "a/data:dataset",
                    "links:group", "ordered:group", "ordered/alpha:group", "ordered/mid:group",
                    "ordered/zeta:group", "x:group", "x/moved:group", "x/y:group");
    struct names ls = {0};
    g = H5OK(H5Gopen2(f, "/links", H5P_DEFAULT));
    H5OK(H5Lvisit2(g, H5_INDEX_NAME, H5_ITER_INC, link_cb, &ls));
    CHECK_NAMES(&ls, "H5Lvisit2 of /links", "b_same_src", "dangling", "data_hard", "data_same_dst", "hard_to_b",
                "soft_to_c");
    H5OK(H5Gclose(g));
    struct names la = {0};
    H5OK(H5Lvisit_by_name2(f, "/a", H5_INDEX_NAME, H5_ITER_DEC, link_cb, &la, H5P_DEFAULT));
    CHECK_NAMES(&la, "H5Lvisit_by_name2 of /a, decreasing", "data", "c", "b");
}

/* scratch_files exercises create EXCL/TRUNC, H5Fis_accessible and
 * H5Fdelete on a second file, which is gone again at the end. */
static void scratch_files(const char *name, const char *scratch)
{
    CHECK_INT(H5OK(H5Fis_accessible(name, H5P_DEFAULT)), 1, "H5Fis_accessible(FILE)");
    H5FAILS(H5Fcreate(name, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT));

    hid_t f = H5OK(H5Fcreate(scratch, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    make_group(f, "/g", H5P_DEFAULT);
    H5OK(H5Fclose(f));
    f = H5OK(H5Fopen(scratch, H5F_ACC_RDONLY, H5P_DEFAULT));
    CHECK_INT(H5OK(H5Lexists(f, "/g", H5P_DEFAULT)), 1, "H5Lexists(/g) in the scratch file");
    H5OK(H5Fclose(f));
    /* TRUNC replaces the file: /g is gone. */
    f = H5OK(H5Fcreate(scratch, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    CHECK_CONNECTOR(f);
    CHECK_INT(H5OK(H5Lexists(f, "/g", H5P_DEFAULT)), 0, "H5Lexists(/g) after H5F_ACC_TRUNC");
    make_group(f, "/h", H5P_DEFAULT);
    H5OK(H5Fclose(f));

    CHECK_INT(H5OK(H5Fis_accessible(scratch, H5P_DEFAULT)), 1, "H5Fis_accessible(scratch)");
    H5OK(H5Fdelete(scratch, H5P_DEFAULT));
    htri_t acc = H5Fis_accessible(scratch, H5P_DEFAULT); /* 0, or an error: the file is gone */
    H5Eclear2(H5E_DEFAULT);
    CHECK(acc <= 0, "H5Fis_accessible(scratch) after H5Fdelete = %d, want <= 0", (int)acc);
    H5FAILS(H5Fopen(scratch, H5F_ACC_RDONLY, H5P_DEFAULT));
    H5FAILS(H5Fdelete(scratch, H5P_DEFAULT));
}

int main(int argc, char **argv)
{
    begin_program("files_links");
    if (argc != 2) {
        fprintf(stderr, "usage: files_links FILE\n");
        return 2;
    }
    const char *name = argv[1];
    char scratch[1024];
    snprintf(scratch, sizeof scratch, "%s.scratch.h5", name);

    write_file(name);

    /* Read-only: everything is there, nothing may change. */
    hid_t f = H5OK(H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    unsigned intent = 99;
    H5OK(H5Fget_intent(f, &intent));
    CHECK_INT(intent, H5F_ACC_RDONLY, "H5Fget_intent of a read-only open");
    check_tree(f, 0);
    H5FAILS(H5Gcreate2(f, "/added_ro", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5FAILS(H5Ldelete(f, "/a/c", H5P_DEFAULT));
    H5FAILS(H5Lcreate_soft("/a", f, "/soft_ro", H5P_DEFAULT, H5P_DEFAULT));
    H5OK(H5Fclose(f));

    scratch_files(name, scratch);

    /* Read-write: a change to an existing file sticks. */
    f = H5OK(H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT));
    H5OK(H5Fget_intent(f, &intent));
    CHECK(intent & H5F_ACC_RDWR, "H5Fget_intent of a read-write open = %#x", intent);
    check_tree(f, 0);
    make_group(f, "/added_rw", H5P_DEFAULT);
    H5OK(H5Fclose(f));

    f = H5OK(H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    check_tree(f, 1);
    H5OK(H5Fclose(f));

    printf("files_links: ok\n");
    return 0;
}

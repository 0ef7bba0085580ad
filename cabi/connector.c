/* The sciswift VOL connector class: the H5VL_class_t HDF5 finds through
 * H5PLget_plugin_info, the connector-level callbacks that need no Go (info,
 * token, introspection, error class), and thin trampolines that unpack HDF5's
 * argument unions into plain calls on the Go callbacks (the exported sw*
 * functions of the Go files).
 *
 * Objects: every void* HDF5 holds for this connector is a cgo.Handle value
 * (a small integer, never a Go pointer) that the Go side resolves in its
 * handle table. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <H5PLextern.h>
#include <H5VLconnector_passthru.h>

#include "cabi.h"
#include "_cgo_export.h"

#if H5VL_VERSION != 3
#error "sciswift implements version 3 of the VOL class (HDF5 1.14); H5VL_VERSION differs"
#endif

uintptr_t sw_plugin;

/* The connector's error class and its major/minor messages, registered by
 * initialize. */
static hid_t sw_err_class = H5I_INVALID_HID;
static hid_t sw_err_major = H5I_INVALID_HID;
static hid_t sw_err_minor = H5I_INVALID_HID;

/* ---- errors ---- */

void
sw_push_error(const char *where, const char *msg)
{
    if (sw_err_class >= 0)
        H5Epush2(H5E_DEFAULT, "sciswift", where, 0, sw_err_class, sw_err_major, sw_err_minor, "%s", msg);
    else
        H5Epush2(H5E_DEFAULT, "sciswift", where, 0, H5E_ERR_CLS, H5E_VOL, H5E_CANTOPERATE, "%s", msg);
}

static herr_t
sw_unsupported(const char *where, const char *what, int op)
{
    char msg[160];

    if (op >= 0)
        snprintf(msg, sizeof msg, "sciswift: %s %d not supported", what, op);
    else
        snprintf(msg, sizeof msg, "sciswift: %s not supported", what);
    sw_push_error(where, msg);
    return -1;
}

/* The API call behind a native VOL connector's optional operation, for the
 * message when a program calls it on a sciswift file. */
static const char *
sw_native_op_name(H5VL_subclass_t cls, int op)
{
    static const char *file_ops[] = {
        "H5Fclear_elink_file_cache", "H5Fget_file_image", "H5Fget_free_sections", "H5Fget_freespace",
        "H5Fget_info", "H5Fget_mdc_config", "H5Fget_mdc_hit_rate", "H5Fget_mdc_size", "H5Fget_filesize",
        "H5Fget_vfd_handle", "H5Freset_mdc_hit_rate_stats", "H5Fset_mdc_config",
        "H5Fget_metadata_read_retry_info", "H5Fstart_swmr_write", "H5Fstart_mdc_logging",
        "H5Fstop_mdc_logging", "H5Fget_mdc_logging_status", "H5Fformat_convert",
        "H5Freset_page_buffering_stats", "H5Fget_page_buffering_stats", "H5Fget_mdc_image_info",
        "H5Fget_eoa", "H5Fincrement_filesize", "H5Fset_libver_bounds", "H5Fget_dset_no_attrs_hint",
        "H5Fset_dset_no_attrs_hint", "H5Fget_mpi_atomicity", "H5Fset_mpi_atomicity"};
    static const char *dataset_ops[] = {
        "H5Dformat_convert", "H5Dget_chunk_index_type", "H5Dget_chunk_storage_size", "H5Dget_num_chunks",
        "H5Dget_chunk_info", "H5Dget_chunk_info_by_coord", "H5Dread_chunk", "H5Dwrite_chunk",
        "H5Dvlen_get_buf_size", "H5Dget_offset", "H5Dchunk_iter"};
    static const char *object_ops[] = {"H5Oget_comment",        "H5Oset_comment",
                                       "H5Odisable_mdc_flushes", "H5Oenable_mdc_flushes",
                                       "H5Oare_mdc_flushes_disabled", "H5Oget_native_info"};
    static const char *group_ops[]  = {"H5Giterate", "H5Gget_objinfo"};
    static const char *attr_ops[]   = {"H5Aiterate1"};
    const char       **names        = NULL;
    int                n            = 0;

#define SW_NAMES(a) (names = (a), n = (int)(sizeof(a) / sizeof((a)[0])))
    switch (cls) {
        case H5VL_SUBCLS_FILE:
            SW_NAMES(file_ops);
            break;
        case H5VL_SUBCLS_DATASET:
            SW_NAMES(dataset_ops);
            break;
        case H5VL_SUBCLS_OBJECT:
            SW_NAMES(object_ops);
            break;
        case H5VL_SUBCLS_GROUP:
            SW_NAMES(group_ops);
            break;
        case H5VL_SUBCLS_ATTR:
            SW_NAMES(attr_ops);
            break;
        default:
            break;
    }
#undef SW_NAMES
    return op >= 0 && op < n ? names[op] : NULL;
}

/* Fails an optional operation: none is supported (opt_query says so). */
static herr_t
sw_optional_unsupported(const char *where, H5VL_subclass_t cls, const H5VL_optional_args_t *args)
{
    const char *name = args ? sw_native_op_name(cls, args->op_type) : NULL;
    char        what[96];

    if (name == NULL)
        return sw_unsupported(where, "optional operation", args ? args->op_type : -1);
    snprintf(what, sizeof what, "%s (a native-format-only operation)", name);
    return sw_unsupported(where, what, -1);
}

/* ---- small helpers the Go side calls ---- */

uint64_t
sw_token_get(const H5O_token_t *t)
{
    uint64_t id;

    memcpy(&id, t->__data, sizeof id);
    return id;
}

void
sw_token_set(H5O_token_t *t, uint64_t id)
{
    memset(t, 0, sizeof *t);
    memcpy(t->__data, &id, sizeof id);
}

hid_t
sw_plist_create(int kind)
{
    switch (kind) {
        case SW_FCPL:
            return H5Pcreate(H5P_FILE_CREATE);
        case SW_GCPL:
            return H5Pcreate(H5P_GROUP_CREATE);
        case SW_DCPL:
            return H5Pcreate(H5P_DATASET_CREATE);
        case SW_DAPL:
            return H5Pcreate(H5P_DATASET_ACCESS);
        case SW_TCPL:
            return H5Pcreate(H5P_DATATYPE_CREATE);
        case SW_ACPL:
            return H5Pcreate(H5P_ATTRIBUTE_CREATE);
        case SW_LCPL:
            return H5Pcreate(H5P_LINK_CREATE);
        default:
            return H5I_INVALID_HID;
    }
}

int
sw_is_default_plist(hid_t id)
{
    return id == H5P_DEFAULT || id == H5P_FILE_CREATE_DEFAULT || id == H5P_GROUP_CREATE_DEFAULT ||
           id == H5P_DATASET_CREATE_DEFAULT || id == H5P_DATATYPE_CREATE_DEFAULT ||
           id == H5P_ATTRIBUTE_CREATE_DEFAULT;
}

int
sw_lcpl_intermediate(hid_t lcpl)
{
    unsigned crt = 0;

    if (lcpl <= 0 || lcpl == H5P_LINK_CREATE_DEFAULT)
        return 0;
    if (H5Pget_create_intermediate_group(lcpl, &crt) < 0)
        return -1;
    return crt ? 1 : 0;
}

int
sw_cpl_utf8(hid_t cpl)
{
    H5T_cset_t cset = H5T_CSET_ASCII;

    if (cpl <= 0 || cpl == H5P_LINK_CREATE_DEFAULT || cpl == H5P_ATTRIBUTE_CREATE_DEFAULT)
        return 0;
    if (H5Pget_char_encoding(cpl, &cset) < 0)
        return -1;
    return cset == H5T_CSET_UTF8;
}

char *
sw_fapl_info(hid_t fapl, int *failed)
{
    void *info = NULL;

    *failed = 0;
    if (fapl <= 0)
        return NULL;
    if (H5Pget_vol_info(fapl, &info) < 0) {
        *failed = 1;
        return NULL;
    }
    /* A copy made by sw_info_copy, so ours to free. */
    return (char *)info;
}

herr_t
sw_copy_group_settings(hid_t fcpl, hid_t gcpl)
{
    unsigned crt = 0, max_compact = 0, min_dense = 0, est_num = 0, est_len = 0;

    if (H5Pget_link_creation_order(fcpl, &crt) < 0 || H5Pset_link_creation_order(gcpl, crt) < 0)
        return -1;
    if (H5Pget_link_phase_change(fcpl, &max_compact, &min_dense) < 0 ||
        H5Pset_link_phase_change(gcpl, max_compact, min_dense) < 0)
        return -1;
    if (H5Pget_est_link_info(fcpl, &est_num, &est_len) < 0 || H5Pset_est_link_info(gcpl, est_num, est_len) < 0)
        return -1;
    if (H5Pget_attr_creation_order(fcpl, &crt) < 0 || H5Pset_attr_creation_order(gcpl, crt) < 0)
        return -1;
    if (H5Pget_attr_phase_change(fcpl, &max_compact, &min_dense) < 0 ||
        H5Pset_attr_phase_change(gcpl, max_compact, min_dense) < 0)
        return -1;
    return 0;
}

int
sw_filters_set_local(hid_t dcpl, size_t elem_size)
{
    int n = H5Pget_nfilters(dcpl), i, changed = 0;

    for (i = 0; i < n; i++) {
        unsigned     flags = 0, cd[8], conf = 0;
        size_t       nelmts = sizeof cd / sizeof cd[0];
        char         name[64];
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &nelmts, cd, sizeof name, name, &conf);

        if (id == H5Z_FILTER_SHUFFLE && nelmts == 0) {
            unsigned size = (unsigned)elem_size;

            if (H5Pmodify_filter(dcpl, id, flags, 1, &size) < 0)
                return -1;
            changed = 1;
        }
    }
    return changed;
}

hid_t
sw_wrap_register(uintptr_t handle, H5I_type_t type)
{
    return H5VLwrap_register((void *)handle, type);
}

herr_t
sw_id_dec_ref(hid_t id)
{
    return H5Idec_ref(id) < 0 ? -1 : 0;
}

uintptr_t
sw_committed_type_handle(hid_t type_id)
{
    void *obj = NULL;

    if (H5Tcommitted(type_id) <= 0)
        return 0;
    H5E_BEGIN_TRY
    {
        obj = H5VLobject(type_id);
    }
    H5E_END_TRY
    return (uintptr_t)obj;
}

herr_t
sw_call_link_op(H5L_iterate2_t op, hid_t group, const char *name, const H5L_info2_t *info, void *op_data)
{
    return op(group, name, info, op_data);
}

herr_t
sw_call_object_op(H5O_iterate2_t op, hid_t obj, const char *name, const H5O_info2_t *info, void *op_data)
{
    return op(obj, name, info, op_data);
}

herr_t
sw_call_attr_op(H5A_operator2_t op, hid_t obj, const char *name, const H5A_info_t *info, void *op_data)
{
    return op(obj, name, info, op_data);
}

void
sw_set_link_info(H5L_info2_t *info, H5L_type_t type, int64_t corder, int utf8, uint64_t token,
                 size_t val_size)
{
    memset(info, 0, sizeof *info);
    info->type         = type;
    info->corder_valid = true;
    info->corder       = corder;
    info->cset         = utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII;
    if (type == H5L_TYPE_HARD)
        sw_token_set(&info->u.token, token);
    else
        info->u.val_size = val_size;
}

typedef struct sw_ids {
    uintptr_t file;
    size_t    max;
    hid_t    *list;
    size_t    n;
} sw_ids_t;

static herr_t
sw_ids_cb(hid_t id, void *udata)
{
    sw_ids_t *c   = (sw_ids_t *)udata;
    void     *obj = NULL;

    /* A transient datatype has no connector object. */
    if (H5Iget_type(id) == H5I_DATATYPE && H5Tcommitted(id) <= 0)
        return H5_ITER_CONT;
    H5E_BEGIN_TRY
    {
        obj = H5VLobject(id);
    }
    H5E_END_TRY
    /* Objects of other connectors are not in the Go handle table, so
     * swSameFile rejects them without dereferencing anything. */
    if (obj == NULL || !swSameFile((uintptr_t)obj, c->file))
        return H5_ITER_CONT;
    if (c->n < c->max) {
        if (c->list)
            c->list[c->n] = id;
        c->n++;
    }
    return c->n < c->max ? H5_ITER_CONT : H5_ITER_STOP;
}

herr_t
sw_file_obj_ids(uintptr_t file, unsigned types, size_t max, hid_t *list, size_t *count)
{
    static const struct {
        unsigned   flag;
        H5I_type_t type;
    } kinds[] = {{H5F_OBJ_FILE, H5I_FILE},
                 {H5F_OBJ_DATASET, H5I_DATASET},
                 {H5F_OBJ_GROUP, H5I_GROUP},
                 {H5F_OBJ_DATATYPE, H5I_DATATYPE},
                 {H5F_OBJ_ATTR, H5I_ATTR}};
    sw_ids_t c = {file, max, list, 0};
    size_t   i;

    for (i = 0; i < sizeof kinds / sizeof kinds[0] && c.n < max; i++)
        if ((types & kinds[i].flag) && H5Iiterate(kinds[i].type, sw_ids_cb, &c) < 0)
            return -1;
    *count = c.n;
    return 0;
}

/* Unpacks lp into *out and returns out, so a trampoline can pass the
 * location straight on to its Go callback. */
static sw_loc_t *
sw_loc(const H5VL_loc_params_t *lp, sw_loc_t *out)
{
    memset(out, 0, sizeof *out);
    out->kind = H5VL_OBJECT_BY_SELF;
    if (lp == NULL)
        return out;
    out->kind     = (int)lp->type;
    out->obj_type = lp->obj_type;
    switch (lp->type) {
        case H5VL_OBJECT_BY_NAME:
            out->name = lp->loc_data.loc_by_name.name;
            break;
        case H5VL_OBJECT_BY_IDX:
            out->name     = lp->loc_data.loc_by_idx.name;
            out->idx_type = (int)lp->loc_data.loc_by_idx.idx_type;
            out->order    = (int)lp->loc_data.loc_by_idx.order;
            out->n        = lp->loc_data.loc_by_idx.n;
            break;
        case H5VL_OBJECT_BY_TOKEN:
            if (lp->loc_data.loc_by_token.token)
                out->token = sw_token_get(lp->loc_data.loc_by_token.token);
            break;
        case H5VL_OBJECT_BY_SELF:
        default:
            break;
    }
    return out;
}

#define H(obj) ((uintptr_t)(obj))

/* Finishes a get callback that returns a new id (a property list, space or
 * type) through the argument union: id < 0 means the Go side failed and has
 * pushed the error. */
static herr_t
sw_set_id(hid_t id, hid_t *out)
{
    if (id < 0)
        return -1;
    *out = id;
    return 0;
}

/* The close callback of every object kind: all are handles in one table. */
static herr_t
sw_close(void *obj, hid_t dxpl_id, void **req)
{
    (void)dxpl_id;
    (void)req;
    return swClose(H(obj));
}

/* Defines a subclass's optional callback (the subclasses without a location
 * argument share this signature): none is supported. */
#define SW_OPTIONAL_CALLBACK(fn, where, cls)                                                               \
    static herr_t fn(void *obj, H5VL_optional_args_t *args, hid_t dxpl_id, void **req)                    \
    {                                                                                                       \
        (void)obj;                                                                                          \
        (void)dxpl_id;                                                                                      \
        (void)req;                                                                                          \
        return sw_optional_unsupported(where, cls, args);                                                   \
    }

/* ---- connector lifecycle ---- */

static herr_t
sw_initialize(hid_t vipl_id)
{
    (void)vipl_id;
    if (sw_plugin != 0)
        return 0;
    if ((sw_err_class = H5Eregister_class("sciswift", "sciswift", "1")) < 0)
        return -1;
    sw_err_major = H5Ecreate_msg(sw_err_class, H5E_MAJOR, "sciswift VOL connector");
    sw_err_minor = H5Ecreate_msg(sw_err_class, H5E_MINOR, "object store operation failed");
    sw_plugin    = swInit();
    if (sw_plugin == 0)
        return -1;
    return 0;
}

static herr_t
sw_terminate(void)
{
    herr_t ret = 0;

    if (sw_plugin != 0) {
        ret       = swTerm();
        sw_plugin = 0;
    }
    /* The library may already have released the error stack's ids while
     * shutting down; only touch ids that are still valid. */
    if (sw_err_minor >= 0 && H5Iis_valid(sw_err_minor) > 0)
        H5Eclose_msg(sw_err_minor);
    if (sw_err_major >= 0 && H5Iis_valid(sw_err_major) > 0)
        H5Eclose_msg(sw_err_major);
    if (sw_err_class >= 0 && H5Iis_valid(sw_err_class) > 0)
        H5Eunregister_class(sw_err_class);
    sw_err_minor = sw_err_major = sw_err_class = H5I_INVALID_HID;
    return ret;
}

/* ---- info: the connector info string, e.g. "auth=URL user=U key=K" ---- */

static void *
sw_info_copy(const void *info)
{
    return strdup(info ? (const char *)info : "");
}

static herr_t
sw_info_cmp(int *cmp_value, const void *info1, const void *info2)
{
    *cmp_value = strcmp(info1 ? (const char *)info1 : "", info2 ? (const char *)info2 : "");
    return 0;
}

static herr_t
sw_info_free(void *info)
{
    free(info);
    return 0;
}

static herr_t
sw_info_to_str(const void *info, char **str)
{
    *str = strdup(info ? (const char *)info : "");
    return *str ? 0 : -1;
}

static herr_t
sw_info_from_str(const char *str, void **info)
{
    *info = strdup(str ? str : "");
    return *info ? 0 : -1;
}

/* ---- tokens ---- */

static herr_t
sw_token_cmp(void *obj, const H5O_token_t *t1, const H5O_token_t *t2, int *cmp_value)
{
    uint64_t a = sw_token_get(t1), b = sw_token_get(t2);

    (void)obj;
    *cmp_value = a < b ? -1 : a > b ? 1 : 0;
    return 0;
}

static herr_t
sw_token_to_str(void *obj, H5I_type_t obj_type, const H5O_token_t *token, char **token_str)
{
    (void)obj;
    (void)obj_type;
    /* HDF5 frees this with H5free_memory, which is free(). */
    if ((*token_str = malloc(24)) == NULL)
        return -1;
    snprintf(*token_str, 24, "%" PRIu64, sw_token_get(token));
    return 0;
}

static herr_t
sw_token_from_str(void *obj, H5I_type_t obj_type, const char *token_str, H5O_token_t *token)
{
    char              *end = NULL;
    unsigned long long id;

    (void)obj;
    (void)obj_type;
    id = strtoull(token_str, &end, 10);
    if (end == token_str || *end != '\0') {
        sw_push_error("token from_str", "sciswift: not an object token");
        return -1;
    }
    sw_token_set(token, (uint64_t)id);
    return 0;
}

/* ---- introspection ---- */

extern const H5VL_class_t sw_class;

static herr_t
sw_get_conn_cls(void *obj, H5VL_get_conn_lvl_t lvl, const H5VL_class_t **conn_cls)
{
    (void)obj;
    (void)lvl;
    *conn_cls = &sw_class;
    return 0;
}

static herr_t
sw_get_cap_flags(const void *info, uint64_t *cap_flags)
{
    (void)info;
    *cap_flags = sw_class.cap_flags;
    return 0;
}

static herr_t
sw_opt_query(void *obj, H5VL_subclass_t cls, int opt_type, uint64_t *flags)
{
    (void)obj;
    (void)cls;
    (void)opt_type;
    *flags = 0; /* no optional operation is supported */
    return 0;
}

static herr_t
sw_optional(void *obj, H5VL_optional_args_t *args, hid_t dxpl_id, void **req)
{
    (void)obj;
    (void)dxpl_id;
    (void)req;
    return sw_optional_unsupported("optional", H5VL_SUBCLS_NONE, args);
}

/* ---- attributes ---- */

static void *
sw_attr_create(void *obj, const H5VL_loc_params_t *lp, const char *name, hid_t type_id, hid_t space_id,
               hid_t acpl_id, hid_t aapl_id, hid_t dxpl_id, void **req)
{
    sw_loc_t loc;

    (void)aapl_id;
    (void)dxpl_id;
    (void)req;
    return (void *)swAttrCreate(H(obj), sw_loc(lp, &loc), (char *)name, type_id, space_id, acpl_id);
}

static void *
sw_attr_open(void *obj, const H5VL_loc_params_t *lp, const char *name, hid_t aapl_id, hid_t dxpl_id,
             void **req)
{
    sw_loc_t loc;

    (void)aapl_id;
    (void)dxpl_id;
    (void)req;
    return (void *)swAttrOpen(H(obj), sw_loc(lp, &loc), (char *)name);
}

static herr_t
sw_attr_read(void *attr, hid_t mem_type_id, void *buf, hid_t dxpl_id, void **req)
{
    (void)dxpl_id;
    (void)req;
    return swAttrRead(H(attr), mem_type_id, buf);
}

static herr_t
sw_attr_write(void *attr, hid_t mem_type_id, const void *buf, hid_t dxpl_id, void **req)
{
    (void)dxpl_id;
    (void)req;
    return swAttrWrite(H(attr), mem_type_id, (void *)buf);
}

static herr_t
sw_attr_get(void *obj, H5VL_attr_get_args_t *a, hid_t dxpl_id, void **req)
{
    sw_loc_t loc;

    (void)dxpl_id;
    (void)req;
    switch (a->op_type) {
        case H5VL_ATTR_GET_ACPL:
            return sw_set_id(swAttrGetACPL(H(obj)), &a->args.get_acpl.acpl_id);
        case H5VL_ATTR_GET_INFO:
            return swAttrGetInfo(H(obj), sw_loc(&a->args.get_info.loc_params, &loc),
                                 (char *)a->args.get_info.attr_name, a->args.get_info.ainfo);
        case H5VL_ATTR_GET_NAME:
            return swAttrGetName(H(obj), sw_loc(&a->args.get_name.loc_params, &loc), a->args.get_name.buf,
                                 a->args.get_name.buf_size, a->args.get_name.attr_name_len);
        case H5VL_ATTR_GET_SPACE:
            return sw_set_id(swAttrGetSpace(H(obj)), &a->args.get_space.space_id);
        case H5VL_ATTR_GET_STORAGE_SIZE:
            return swAttrGetStorageSize(H(obj), a->args.get_storage_size.data_size);
        case H5VL_ATTR_GET_TYPE:
            return sw_set_id(swAttrGetType(H(obj)), &a->args.get_type.type_id);
        default:
            return sw_unsupported("attr get", "attribute get operation", (int)a->op_type);
    }
}

static herr_t
sw_attr_specific(void *obj, const H5VL_loc_params_t *lp, H5VL_attr_specific_args_t *a, hid_t dxpl_id,
                 void **req)
{
    sw_loc_t loc;

    (void)dxpl_id;
    (void)req;
    sw_loc(lp, &loc);
    switch (a->op_type) {
        case H5VL_ATTR_DELETE:
            return swAttrDelete(H(obj), &loc, (char *)a->args.del.name);
        case H5VL_ATTR_DELETE_BY_IDX:
            return swAttrDeleteByIdx(H(obj), &loc, (int)a->args.delete_by_idx.idx_type,
                                     (int)a->args.delete_by_idx.order, a->args.delete_by_idx.n);
        case H5VL_ATTR_EXISTS:
            return swAttrExists(H(obj), &loc, (char *)a->args.exists.name, a->args.exists.exists);
        case H5VL_ATTR_ITER:
            return swAttrIterate(H(obj), &loc, (int)a->args.iterate.idx_type, (int)a->args.iterate.order,
                                 a->args.iterate.idx, a->args.iterate.op, a->args.iterate.op_data);
        case H5VL_ATTR_RENAME:
            return swAttrRename(H(obj), &loc, (char *)a->args.rename.old_name,
                                (char *)a->args.rename.new_name);
        default:
            return sw_unsupported("attr specific", "attribute operation", (int)a->op_type);
    }
}

SW_OPTIONAL_CALLBACK(sw_attr_optional, "attr optional", H5VL_SUBCLS_ATTR)

/* ---- datasets ---- */

static void *
sw_dataset_create(void *obj, const H5VL_loc_params_t *lp, const char *name, hid_t lcpl_id, hid_t type_id,
                  hid_t space_id, hid_t dcpl_id, hid_t dapl_id, hid_t dxpl_id, void **req)
{
    sw_loc_t loc;

    (void)dapl_id;
    (void)dxpl_id;
    (void)req;
    return (void *)swDatasetCreate(H(obj), sw_loc(lp, &loc), (char *)name, lcpl_id, type_id, space_id,
                                   dcpl_id);
}

static void *
sw_dataset_open(void *obj, const H5VL_loc_params_t *lp, const char *name, hid_t dapl_id, hid_t dxpl_id,
                void **req)
{
    sw_loc_t loc;

    (void)dapl_id;
    (void)dxpl_id;
    (void)req;
    return (void *)swDatasetOpen(H(obj), sw_loc(lp, &loc), (char *)name);
}

static herr_t
sw_dataset_read(size_t count, void *dset[], hid_t mem_type_id[], hid_t mem_space_id[],
                hid_t file_space_id[], hid_t dxpl_id, void *buf[], void **req)
{
    (void)req;
    return swDatasetRead(count, dset, mem_type_id, mem_space_id, file_space_id, dxpl_id, buf);
}

static herr_t
sw_dataset_write(size_t count, void *dset[], hid_t mem_type_id[], hid_t mem_space_id[],
                 hid_t file_space_id[], hid_t dxpl_id, const void *buf[], void **req)
{
    (void)req;
    return swDatasetWrite(count, dset, mem_type_id, mem_space_id, file_space_id, dxpl_id, (void **)buf);
}

static herr_t
sw_dataset_get(void *obj, H5VL_dataset_get_args_t *a, hid_t dxpl_id, void **req)
{
    (void)dxpl_id;
    (void)req;
    switch (a->op_type) {
        case H5VL_DATASET_GET_DAPL:
            return sw_set_id(swDatasetGetDAPL(H(obj)), &a->args.get_dapl.dapl_id);
        case H5VL_DATASET_GET_DCPL:
            return sw_set_id(swDatasetGetDCPL(H(obj)), &a->args.get_dcpl.dcpl_id);
        case H5VL_DATASET_GET_SPACE:
            return sw_set_id(swDatasetGetSpace(H(obj)), &a->args.get_space.space_id);
        case H5VL_DATASET_GET_SPACE_STATUS:
            return swDatasetGetSpaceStatus(H(obj), a->args.get_space_status.status);
        case H5VL_DATASET_GET_STORAGE_SIZE:
            return swDatasetGetStorageSize(H(obj), a->args.get_storage_size.storage_size);
        case H5VL_DATASET_GET_TYPE:
            return sw_set_id(swDatasetGetType(H(obj)), &a->args.get_type.type_id);
        default:
            return sw_unsupported("dataset get", "dataset get operation", (int)a->op_type);
    }
}

static herr_t
sw_dataset_specific(void *obj, H5VL_dataset_specific_args_t *a, hid_t dxpl_id, void **req)
{
    (void)dxpl_id;
    (void)req;
    switch (a->op_type) {
        case H5VL_DATASET_SET_EXTENT:
            return swDatasetSetExtent(H(obj), (hsize_t *)a->args.set_extent.size);
        case H5VL_DATASET_FLUSH:
            return swFlush(H(obj));
        case H5VL_DATASET_REFRESH:
            return swRefresh(H(obj));
        default:
            return sw_unsupported("dataset specific", "dataset operation", (int)a->op_type);
    }
}

SW_OPTIONAL_CALLBACK(sw_dataset_optional, "dataset optional", H5VL_SUBCLS_DATASET)

/* ---- named datatypes ---- */

static void *
sw_datatype_commit(void *obj, const H5VL_loc_params_t *lp, const char *name, hid_t type_id, hid_t lcpl_id,
                   hid_t tcpl_id, hid_t tapl_id, hid_t dxpl_id, void **req)
{
    sw_loc_t loc;

    (void)tapl_id;
    (void)dxpl_id;
    (void)req;
    return (void *)swTypeCommit(H(obj), sw_loc(lp, &loc), (char *)name, type_id, lcpl_id, tcpl_id);
}

static void *
sw_datatype_open(void *obj, const H5VL_loc_params_t *lp, const char *name, hid_t tapl_id, hid_t dxpl_id,
                 void **req)
{
    sw_loc_t loc;

    (void)tapl_id;
    (void)dxpl_id;
    (void)req;
    return (void *)swTypeOpen(H(obj), sw_loc(lp, &loc), (char *)name);
}

static herr_t
sw_datatype_get(void *obj, H5VL_datatype_get_args_t *a, hid_t dxpl_id, void **req)
{
    (void)dxpl_id;
    (void)req;
    switch (a->op_type) {
        case H5VL_DATATYPE_GET_BINARY_SIZE:
            return swTypeGetBinary(H(obj), NULL, 0, a->args.get_binary_size.size);
        case H5VL_DATATYPE_GET_BINARY:
            return swTypeGetBinary(H(obj), a->args.get_binary.buf, a->args.get_binary.buf_size, NULL);
        case H5VL_DATATYPE_GET_TCPL:
            return sw_set_id(swTypeGetTCPL(H(obj)), &a->args.get_tcpl.tcpl_id);
        default:
            return sw_unsupported("datatype get", "datatype get operation", (int)a->op_type);
    }
}

static herr_t
sw_datatype_specific(void *obj, H5VL_datatype_specific_args_t *a, hid_t dxpl_id, void **req)
{
    (void)dxpl_id;
    (void)req;
    switch (a->op_type) {
        case H5VL_DATATYPE_FLUSH:
            return swFlush(H(obj));
        case H5VL_DATATYPE_REFRESH:
            return swRefresh(H(obj));
        default:
            return sw_unsupported("datatype specific", "datatype operation", (int)a->op_type);
    }
}

SW_OPTIONAL_CALLBACK(sw_datatype_optional, "datatype optional", H5VL_SUBCLS_DATATYPE)

/* ---- files ---- */

static void *
sw_file_create(const char *name, unsigned flags, hid_t fcpl_id, hid_t fapl_id, hid_t dxpl_id, void **req)
{
    (void)dxpl_id;
    (void)req;
    /* H5Fcreate adds H5F_ACC_EXCL when neither EXCL nor TRUNC was given. */
    return (void *)swFileCreate((char *)name, (flags & H5F_ACC_TRUNC) != 0, fcpl_id, fapl_id);
}

static void *
sw_file_open(const char *name, unsigned flags, hid_t fapl_id, hid_t dxpl_id, void **req)
{
    (void)dxpl_id;
    (void)req;
    return (void *)swFileOpen((char *)name, (flags & H5F_ACC_RDWR) != 0, fapl_id);
}

static herr_t
sw_file_get(void *obj, H5VL_file_get_args_t *a, hid_t dxpl_id, void **req)
{
    int writable = 0;

    (void)dxpl_id;
    (void)req;
    switch (a->op_type) {
        case H5VL_FILE_GET_CONT_INFO: {
            H5VL_file_cont_info_t *info = a->args.get_cont_info.info;

            if (info->version != H5VL_CONTAINER_INFO_VERSION) {
                sw_push_error("file get", "sciswift: unknown container info version");
                return -1;
            }
            info->feature_flags = 0;
            info->token_size    = sizeof(uint64_t);
            info->blob_id_size  = 0;
            return 0;
        }
        case H5VL_FILE_GET_FAPL:
            return sw_set_id(swFileGetFAPL(H(obj)), &a->args.get_fapl.fapl_id);
        case H5VL_FILE_GET_FCPL:
            return sw_set_id(swFileGetFCPL(H(obj)), &a->args.get_fcpl.fcpl_id);
        case H5VL_FILE_GET_FILENO:
            return swFileGetFileno(H(obj), a->args.get_fileno.fileno);
        case H5VL_FILE_GET_INTENT:
            if (swFileGetIntent(H(obj), &writable) < 0)
                return -1;
            *a->args.get_intent.flags = writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY;
            return 0;
        case H5VL_FILE_GET_NAME:
            return swFileGetName(H(obj), a->args.get_name.buf, a->args.get_name.buf_size,
                                 a->args.get_name.file_name_len);
        case H5VL_FILE_GET_OBJ_COUNT:
            return swFileGetObjCount(H(obj), a->args.get_obj_count.types, a->args.get_obj_count.count);
        case H5VL_FILE_GET_OBJ_IDS:
            return sw_file_obj_ids(H(obj), a->args.get_obj_ids.types, a->args.get_obj_ids.max_objs,
                                   a->args.get_obj_ids.oid_list, a->args.get_obj_ids.count);
        default:
            return sw_unsupported("file get", "file get operation", (int)a->op_type);
    }
}

static herr_t
sw_file_specific(void *obj, H5VL_file_specific_args_t *a, hid_t dxpl_id, void **req)
{
    uintptr_t h;

    (void)dxpl_id;
    (void)req;
    switch (a->op_type) {
        case H5VL_FILE_FLUSH:
            return swFileFlush(H(obj));
        case H5VL_FILE_REOPEN:
            if ((h = swFileReopen(H(obj))) == 0)
                return -1;
            *a->args.reopen.file = (void *)h;
            return 0;
        case H5VL_FILE_IS_ACCESSIBLE:
            /* obj is NULL: HDF5 asks about a name, also when probing every
             * plugin for one that can open a file the native one could not. */
            return swFileIsAccessible((char *)a->args.is_accessible.filename, a->args.is_accessible.fapl_id,
                                      a->args.is_accessible.accessible);
        case H5VL_FILE_DELETE:
            return swFileDelete((char *)a->args.del.filename, a->args.del.fapl_id);
        case H5VL_FILE_IS_EQUAL:
            return swFileIsEqual(H(obj), H(a->args.is_equal.obj2), a->args.is_equal.same_file);
        default:
            return sw_unsupported("file specific", "file operation", (int)a->op_type);
    }
}

SW_OPTIONAL_CALLBACK(sw_file_optional, "file optional", H5VL_SUBCLS_FILE)

/* ---- groups ---- */

static void *
sw_group_create(void *obj, const H5VL_loc_params_t *lp, const char *name, hid_t lcpl_id, hid_t gcpl_id,
                hid_t gapl_id, hid_t dxpl_id, void **req)
{
    sw_loc_t loc;

    (void)gapl_id;
    (void)dxpl_id;
    (void)req;
    return (void *)swGroupCreate(H(obj), sw_loc(lp, &loc), (char *)name, lcpl_id, gcpl_id);
}

static void *
sw_group_open(void *obj, const H5VL_loc_params_t *lp, const char *name, hid_t gapl_id, hid_t dxpl_id,
              void **req)
{
    sw_loc_t loc;

    (void)gapl_id;
    (void)dxpl_id;
    (void)req;
    return (void *)swGroupOpen(H(obj), sw_loc(lp, &loc), (char *)name);
}

static herr_t
sw_group_get(void *obj, H5VL_group_get_args_t *a, hid_t dxpl_id, void **req)
{
    sw_loc_t loc;

    (void)dxpl_id;
    (void)req;
    switch (a->op_type) {
        case H5VL_GROUP_GET_GCPL:
            return sw_set_id(swGroupGetGCPL(H(obj)), &a->args.get_gcpl.gcpl_id);
        case H5VL_GROUP_GET_INFO:
            return swGroupGetInfo(H(obj), sw_loc(&a->args.get_info.loc_params, &loc), a->args.get_info.ginfo);
        default:
            return sw_unsupported("group get", "group get operation", (int)a->op_type);
    }
}

static herr_t
sw_group_specific(void *obj, H5VL_group_specific_args_t *a, hid_t dxpl_id, void **req)
{
    (void)dxpl_id;
    (void)req;
    switch (a->op_type) {
        case H5VL_GROUP_MOUNT:
            return sw_unsupported("group specific", "H5Fmount", -1);
        case H5VL_GROUP_UNMOUNT:
            return sw_unsupported("group specific", "H5Funmount", -1);
        case H5VL_GROUP_FLUSH:
            return swFlush(H(obj));
        case H5VL_GROUP_REFRESH:
            return swRefresh(H(obj));
        default:
            return sw_unsupported("group specific", "group operation", (int)a->op_type);
    }
}

SW_OPTIONAL_CALLBACK(sw_group_optional, "group optional", H5VL_SUBCLS_GROUP)

/* ---- links ---- */

static herr_t
sw_link_create(H5VL_link_create_args_t *a, void *obj, const H5VL_loc_params_t *lp, hid_t lcpl_id,
               hid_t lapl_id, hid_t dxpl_id, void **req)
{
    sw_loc_t loc, target;

    (void)lapl_id;
    (void)dxpl_id;
    (void)req;
    sw_loc(lp, &loc);
    switch (a->op_type) {
        case H5VL_LINK_CREATE_HARD:
            sw_loc(&a->args.hard.curr_loc_params, &target);
            /* H5L_SAME_LOC makes curr_obj NULL, or obj for the new link. */
            return swLinkCreateHard(H(obj), &loc, H(a->args.hard.curr_obj), &target, lcpl_id);
        case H5VL_LINK_CREATE_SOFT:
            return swLinkCreateSoft(H(obj), &loc, (char *)a->args.soft.target, lcpl_id);
        case H5VL_LINK_CREATE_UD:
            if (a->args.ud.type != H5L_TYPE_EXTERNAL)
                return sw_unsupported("link create", "user-defined link type", (int)a->args.ud.type);
            return swLinkCreateExternal(H(obj), &loc, (void *)a->args.ud.buf, a->args.ud.buf_size, lcpl_id);
        default:
            return sw_unsupported("link create", "link create operation", (int)a->op_type);
    }
}

static herr_t
sw_link_copy(void *src_obj, const H5VL_loc_params_t *lp1, void *dst_obj, const H5VL_loc_params_t *lp2,
             hid_t lcpl_id, hid_t lapl_id, hid_t dxpl_id, void **req)
{
    sw_loc_t src, dst;

    (void)lapl_id;
    (void)dxpl_id;
    (void)req;
    sw_loc(lp1, &src);
    sw_loc(lp2, &dst);
    return swLinkCopyMove(H(src_obj), &src, H(dst_obj), &dst, lcpl_id, 0);
}

static herr_t
sw_link_move(void *src_obj, const H5VL_loc_params_t *lp1, void *dst_obj, const H5VL_loc_params_t *lp2,
             hid_t lcpl_id, hid_t lapl_id, hid_t dxpl_id, void **req)
{
    sw_loc_t src, dst;

    (void)lapl_id;
    (void)dxpl_id;
    (void)req;
    sw_loc(lp1, &src);
    sw_loc(lp2, &dst);
    return swLinkCopyMove(H(src_obj), &src, H(dst_obj), &dst, lcpl_id, 1);
}

static herr_t
sw_link_get(void *obj, const H5VL_loc_params_t *lp, H5VL_link_get_args_t *a, hid_t dxpl_id, void **req)
{
    sw_loc_t loc;

    (void)dxpl_id;
    (void)req;
    sw_loc(lp, &loc);
    switch (a->op_type) {
        case H5VL_LINK_GET_INFO:
            return swLinkGetInfo(H(obj), &loc, a->args.get_info.linfo);
        case H5VL_LINK_GET_NAME:
            return swLinkGetName(H(obj), &loc, a->args.get_name.name, a->args.get_name.name_size,
                                 a->args.get_name.name_len);
        case H5VL_LINK_GET_VAL:
            return swLinkGetVal(H(obj), &loc, a->args.get_val.buf, a->args.get_val.buf_size);
        default:
            return sw_unsupported("link get", "link get operation", (int)a->op_type);
    }
}

static herr_t
sw_link_specific(void *obj, const H5VL_loc_params_t *lp, H5VL_link_specific_args_t *a, hid_t dxpl_id,
                 void **req)
{
    sw_loc_t loc;

    (void)dxpl_id;
    (void)req;
    sw_loc(lp, &loc);
    switch (a->op_type) {
        case H5VL_LINK_DELETE:
            return swLinkDelete(H(obj), &loc);
        case H5VL_LINK_EXISTS:
            return swLinkExists(H(obj), &loc, a->args.exists.exists);
        case H5VL_LINK_ITER:
            return swLinkIterate(H(obj), &loc, a->args.iterate.recursive ? 1 : 0,
                                 (int)a->args.iterate.idx_type, (int)a->args.iterate.order,
                                 a->args.iterate.idx_p, a->args.iterate.op, a->args.iterate.op_data);
        default:
            return sw_unsupported("link specific", "link operation", (int)a->op_type);
    }
}

static herr_t
sw_link_optional(void *obj, const H5VL_loc_params_t *lp, H5VL_optional_args_t *args, hid_t dxpl_id,
                 void **req)
{
    (void)obj;
    (void)lp;
    (void)dxpl_id;
    (void)req;
    return sw_optional_unsupported("link optional", H5VL_SUBCLS_LINK, args);
}

/* ---- objects ---- */

static void *
sw_object_open(void *obj, const H5VL_loc_params_t *lp, H5I_type_t *opened_type, hid_t dxpl_id, void **req)
{
    sw_loc_t loc;

    (void)dxpl_id;
    (void)req;
    return (void *)swObjectOpen(H(obj), sw_loc(lp, &loc), opened_type);
}

static herr_t
sw_object_copy(void *src_obj, const H5VL_loc_params_t *lp1, const char *src_name, void *dst_obj,
               const H5VL_loc_params_t *lp2, const char *dst_name, hid_t ocpypl_id, hid_t lcpl_id,
               hid_t dxpl_id, void **req)
{
    (void)src_obj;
    (void)lp1;
    (void)src_name;
    (void)dst_obj;
    (void)lp2;
    (void)dst_name;
    (void)ocpypl_id;
    (void)lcpl_id;
    (void)dxpl_id;
    (void)req;
    return sw_unsupported("object copy", "H5Ocopy", -1);
}

static herr_t
sw_object_get(void *obj, const H5VL_loc_params_t *lp, H5VL_object_get_args_t *a, hid_t dxpl_id, void **req)
{
    sw_loc_t  loc;
    uintptr_t h;

    (void)dxpl_id;
    (void)req;
    sw_loc(lp, &loc);
    switch (a->op_type) {
        case H5VL_OBJECT_GET_FILE:
            if ((h = swObjectGetFile(H(obj))) == 0)
                return -1;
            *a->args.get_file.file = (void *)h;
            return 0;
        case H5VL_OBJECT_GET_NAME:
            return swObjectGetName(H(obj), &loc, a->args.get_name.buf, a->args.get_name.buf_size,
                                   a->args.get_name.name_len);
        case H5VL_OBJECT_GET_TYPE:
            return swObjectGetType(H(obj), &loc, a->args.get_type.obj_type);
        case H5VL_OBJECT_GET_INFO:
            return swObjectGetInfo(H(obj), &loc, a->args.get_info.fields, a->args.get_info.oinfo);
        default:
            return sw_unsupported("object get", "object get operation", (int)a->op_type);
    }
}

static herr_t
sw_object_specific(void *obj, const H5VL_loc_params_t *lp, H5VL_object_specific_args_t *a, hid_t dxpl_id,
                   void **req)
{
    sw_loc_t loc;

    (void)dxpl_id;
    (void)req;
    sw_loc(lp, &loc);
    switch (a->op_type) {
        case H5VL_OBJECT_CHANGE_REF_COUNT:
            return sw_unsupported("object specific", "H5Oincr_refcount/H5Odecr_refcount", -1);
        case H5VL_OBJECT_EXISTS:
            return swObjectExists(H(obj), &loc, a->args.exists.exists);
        case H5VL_OBJECT_LOOKUP:
            return swObjectLookup(H(obj), &loc, a->args.lookup.token_ptr);
        case H5VL_OBJECT_VISIT:
            return swObjectVisit(H(obj), &loc, (int)a->args.visit.idx_type, (int)a->args.visit.order,
                                 a->args.visit.fields, a->args.visit.op, a->args.visit.op_data);
        case H5VL_OBJECT_FLUSH:
            return swFlush(H(obj));
        case H5VL_OBJECT_REFRESH:
            return swRefresh(H(obj));
        default:
            return sw_unsupported("object specific", "object operation", (int)a->op_type);
    }
}

static herr_t
sw_object_optional(void *obj, const H5VL_loc_params_t *lp, H5VL_optional_args_t *args, hid_t dxpl_id,
                   void **req)
{
    (void)obj;
    (void)lp;
    (void)dxpl_id;
    (void)req;
    return sw_optional_unsupported("object optional", H5VL_SUBCLS_OBJECT, args);
}

/* ---- the class ---- */

#define SW_CAP_FLAGS                                                                                        \
    (H5VL_CAP_FLAG_ATTR_BASIC | H5VL_CAP_FLAG_ATTR_MORE | H5VL_CAP_FLAG_DATASET_BASIC |                     \
     H5VL_CAP_FLAG_DATASET_MORE | H5VL_CAP_FLAG_FILE_BASIC | H5VL_CAP_FLAG_FILE_MORE |                      \
     H5VL_CAP_FLAG_GROUP_BASIC | H5VL_CAP_FLAG_GROUP_MORE | H5VL_CAP_FLAG_LINK_BASIC |                      \
     H5VL_CAP_FLAG_LINK_MORE | H5VL_CAP_FLAG_OBJECT_BASIC | H5VL_CAP_FLAG_OBJECT_MORE |                     \
     H5VL_CAP_FLAG_STORED_DATATYPES | H5VL_CAP_FLAG_CREATION_ORDER | H5VL_CAP_FLAG_ITERATE |                \
     H5VL_CAP_FLAG_STORAGE_SIZE | H5VL_CAP_FLAG_BY_IDX | H5VL_CAP_FLAG_GET_PLIST |                          \
     H5VL_CAP_FLAG_FLUSH_REFRESH | H5VL_CAP_FLAG_HARD_LINKS | H5VL_CAP_FLAG_SOFT_LINKS |                    \
     H5VL_CAP_FLAG_TRACK_TIMES | H5VL_CAP_FLAG_FILTERS | H5VL_CAP_FLAG_FILL_VALUES)

const H5VL_class_t sw_class = {
    H5VL_VERSION,          /* version */
    SCISWIFT_VALUE,        /* value */
    SCISWIFT_NAME,         /* name */
    SCISWIFT_CONN_VERSION, /* conn_version */
    SW_CAP_FLAGS,          /* cap_flags */
    sw_initialize,         /* initialize */
    sw_terminate,          /* terminate */
    {
        /* info_cls: the info is a NUL-terminated string */
        sizeof(char), sw_info_copy, sw_info_cmp, sw_info_free, sw_info_to_str, sw_info_from_str,
    },
    {NULL, NULL, NULL, NULL, NULL}, /* wrap_cls: terminal connector */
    {
        sw_attr_create, sw_attr_open, sw_attr_read, sw_attr_write, sw_attr_get, sw_attr_specific,
        sw_attr_optional, sw_close,
    },
    {
        sw_dataset_create, sw_dataset_open, sw_dataset_read, sw_dataset_write, sw_dataset_get,
        sw_dataset_specific, sw_dataset_optional, sw_close,
    },
    {
        sw_datatype_commit, sw_datatype_open, sw_datatype_get, sw_datatype_specific, sw_datatype_optional,
        sw_close,
    },
    {
        sw_file_create, sw_file_open, sw_file_get, sw_file_specific, sw_file_optional, sw_close,
    },
    {
        sw_group_create, sw_group_open, sw_group_get, sw_group_specific, sw_group_optional, sw_close,
    },
    {
        sw_link_create, sw_link_copy, sw_link_move, sw_link_get, sw_link_specific, sw_link_optional,
    },
    {
        sw_object_open, sw_object_copy, sw_object_get, sw_object_specific, sw_object_optional,
    },
    {sw_get_conn_cls, sw_get_cap_flags, sw_opt_query}, /* introspect_cls */
    {NULL, NULL, NULL, NULL, NULL, NULL},             /* request_cls: no async */
    {NULL, NULL, NULL, NULL},                         /* blob_cls: no references/blobs */
    {sw_token_cmp, sw_token_to_str, sw_token_from_str},
    sw_optional,
};

/* ---- plugin entry points (dlsym'd by HDF5's plugin loader) ---- */

H5PL_type_t
H5PLget_plugin_type(void)
{
    return H5PL_TYPE_VOL;
}

const void *
H5PLget_plugin_info(void)
{
    return &sw_class;
}

/* The C half of the sciswift VOL connector's plumbing: what the Go callbacks
 * (the Go files of this package) need from C and what connector.c needs from them.
 *
 * HDF5 hands a VOL connector unions (location parameters, the per-operation
 * argument structs), function pointers (iteration callbacks) and variadic
 * functions (H5Epush2). Go can use none of these directly, so connector.c
 * unpacks them and the Go side sees plain fields and helper calls. */
#ifndef SCISWIFT_CABI_H
#define SCISWIFT_CABI_H

#include <stdint.h>
#include <stdlib.h>
#include <hdf5.h>
#include <H5VLconnector.h>

/* The connector's identity. 256-511 is HDF5's range for connectors under
 * test; 266 is not registered with The HDF Group. */
#define SCISWIFT_NAME "sciswift"
#define SCISWIFT_VALUE 266
#define SCISWIFT_CONN_VERSION 1

/* cgo.Handle of the Go plugin state (package main's *plugin), 0 when the
 * connector is not initialized. Written only by initialize and terminate. */
extern uintptr_t sw_plugin;

/* A location (H5VL_loc_params_t) with its union unpacked. */
typedef struct sw_loc {
    int        kind;     /* H5VL_loc_type_t */
    H5I_type_t obj_type; /* type of the object the location starts from */
    const char *name;    /* BY_NAME: the path; BY_IDX: the group's path */
    int        idx_type; /* BY_IDX: H5_index_t */
    int        order;    /* BY_IDX: H5_iter_order_t */
    hsize_t    n;        /* BY_IDX: position in that order */
    uint64_t   token;    /* BY_TOKEN: the object id */
} sw_loc_t;

/* Which property list class sw_plist_create makes. */
enum sw_plist_kind {
    SW_FCPL,
    SW_GCPL,
    SW_DCPL,
    SW_DAPL,
    SW_TCPL,
    SW_ACPL,
    SW_LCPL
};

/* Errors: pushes "msg" on the default error stack under the connector's
 * error class. */
void sw_push_error(const char *where, const char *msg);

/* Tokens: the object id lives in the first 8 bytes, the rest is zero. */
uint64_t sw_token_get(const H5O_token_t *t);
void     sw_token_set(H5O_token_t *t, uint64_t id);

/* Property lists. */
hid_t sw_plist_create(int kind);
int   sw_is_default_plist(hid_t id);
int   sw_lcpl_intermediate(hid_t lcpl); /* 1, 0, or -1 on error */
int   sw_cpl_utf8(hid_t cpl);           /* lcpl or acpl: 1 if names are UTF-8, 0, or -1 on error */
char *sw_fapl_info(hid_t fapl, int *failed); /* caller frees */
/* Copies the group-creation settings a file creation list carries for the
 * root group (links and attributes: creation order, phase changes, size
 * estimates) onto a group creation list. */
herr_t sw_copy_group_settings(hid_t fcpl, hid_t gcpl);
/* Does to a dataset creation list what HDF5's filters do to it when a
 * dataset is created (their "set local" callbacks): the shuffle filter
 * records the element size. Returns 1 if it changed the list. */
int sw_filters_set_local(hid_t dcpl, size_t elem_size);

/* Ids for connector objects, for the iteration callbacks (H5VLwrap_register;
 * the id's close releases the handle) and their release. */
hid_t  sw_wrap_register(uintptr_t handle, H5I_type_t type);
herr_t sw_id_dec_ref(hid_t id);
/* The connector object behind a committed datatype id, 0 if it has none. */
uintptr_t sw_committed_type_handle(hid_t type_id);

/* Calls through the program's iteration callbacks. */
herr_t sw_call_link_op(H5L_iterate2_t op, hid_t group, const char *name, const H5L_info2_t *info,
                       void *op_data);
herr_t sw_call_object_op(H5O_iterate2_t op, hid_t obj, const char *name, const H5O_info2_t *info,
                         void *op_data);
herr_t sw_call_attr_op(H5A_operator2_t op, hid_t obj, const char *name, const H5A_info_t *info,
                       void *op_data);

/* H5L_info2_t has a union Go cannot write. */
void sw_set_link_info(H5L_info2_t *info, H5L_type_t type, int64_t corder, int utf8, uint64_t token,
                      size_t val_size);

/* H5Fget_obj_ids: the ids of open objects of the given H5F_OBJ_* types whose
 * connector object belongs to the file of handle `file`. */
herr_t sw_file_obj_ids(uintptr_t file, unsigned types, size_t max, hid_t *list, size_t *count);

#endif

// The C half of the worker: a read-only virtual file driver whose reads go
// to the parent over the pipe (through the exported Go function
// sciswiftPipeRead), and the libhdf5 calls gonum.org/v1/hdf5 does not wrap
// that are easier to make from C (callbacks, variable-length buffers, the
// error stack, a group's links and an object's attribute names).
#ifndef SCISWIFT_H5LIB_H
#define SCISWIFT_H5LIB_H

#include <stdint.h>
#include <stdlib.h>
#include <hdf5.h>

#if !defined(H5_VERS_MAJOR) || H5_VERS_MAJOR < 1 || (H5_VERS_MAJOR == 1 && H5_VERS_MINOR < 14)
#error "sciswift-h5worker needs HDF5 1.14 or newer (H5FD_class_t version 1, H5Dchunk_iter)"
#endif

// h5w_use_pipe_driver makes the pipe driver the default file access
// list's driver, so that H5Fopen with H5P_DEFAULT (all gonum's OpenFile
// passes) reads through it: size is the object's size, handle identifies the
// Go connection that serves reads.
herr_t h5w_use_pipe_driver(uintptr_t handle, uint64_t size);

// h5w_last_error describes libhdf5's error stack into buf.
void h5w_last_error(char *buf, size_t len);

// One link of a group. Only a hard link whose name is a plain link name
// has its target's type looked up; otype is H5O_TYPE_UNKNOWN otherwise, or
// when the lookup failed.
typedef struct {
    char      *name;
    int        hard; // 0: soft or external, never followed
    H5O_type_t otype;
} h5w_link_t;

typedef struct {
    size_t      n, cap;
    h5w_link_t *links;
} h5w_links_t;

// h5w_links lists the links of group g in name order (what
// H5Lget_name_by_idx calls index i), in one pass. Free out with
// h5w_links_free, also after a failure.
herr_t h5w_links(hid_t g, h5w_links_t *out);
void   h5w_links_free(h5w_links_t *l);

typedef struct {
    size_t n, cap;
    char **names;
} h5w_names_t;

// h5w_attr_names lists the attribute names of obj in name order, in one
// pass. Free out with h5w_names_free, also after a failure.
herr_t h5w_attr_names(hid_t obj, h5w_names_t *out);
void   h5w_names_free(h5w_names_t *a);

// Chunk table of a dataset, filled by h5w_chunks.
typedef struct {
    size_t    n, cap;
    int       rank;
    uint64_t *coords; // element offsets, rank per chunk
    uint64_t *offsets, *sizes;
    uint32_t *masks;
} h5w_chunks_t;

int  h5w_chunks(hid_t dset, int rank, h5w_chunks_t *out);
void h5w_chunks_free(h5w_chunks_t *c);

// h5w_read_vlen_strings reads the selected elements of a variable-length
// string dataset or attribute (attr != 0) into strs; on failure errbuf
// says why.
herr_t h5w_read_vlen_strings(hid_t obj, int is_attr, hid_t memspace, hid_t filespace, int utf8, char **strs,
                             char *errbuf, size_t errlen);
void   h5w_reclaim_strings(hid_t memspace, int utf8, char **strs);

// h5w_filter describes filter i of dcpl.
int h5w_filter(hid_t dcpl, unsigned i, unsigned *flags, size_t *nparams, unsigned *params, char *name, size_t namelen);

#endif

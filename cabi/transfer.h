/* C helpers for cabi/transfer.go: calls through function pointers, which Go
 * cannot make itself. */
#ifndef SCISWIFT_TRANSFER_H
#define SCISWIFT_TRANSFER_H

#include <hdf5.h>

/* Allocates variable-length memory the way the program asked on its dataset
 * transfer property list (H5Pset_vlen_mem_manager), malloc when it did not:
 * the program frees what it reads with H5Treclaim, which uses the matching
 * free function. */
void *sciswift_vlen_alloc(H5MM_allocate_t alloc, void *alloc_info, size_t size);

/* Frees what sciswift_vlen_alloc returned with the matching function. */
void sciswift_vlen_free(H5MM_free_t free_fn, void *free_info, void *mem);

#endif

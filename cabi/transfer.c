#include <stdlib.h>
#include "transfer.h"

void *sciswift_vlen_alloc(H5MM_allocate_t alloc, void *alloc_info, size_t size) {
    if (size == 0)
        size = 1; /* a valid pointer even for an empty string or sequence */
    if (alloc != NULL)
        return alloc(size, alloc_info);
    return malloc(size);
}

void sciswift_vlen_free(H5MM_free_t free_fn, void *free_info, void *mem) {
    if (free_fn != NULL)
        free_fn(mem, free_info);
    else
        free(mem);
}

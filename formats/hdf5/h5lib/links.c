// Links of a group and attribute names of an object, each listed in one
// iteration. Asking libhdf5 for entry i by name order instead makes it sort
// (or, in an old-style group, walk) all the entries again for every i:
// quadratic in their number.
#include <string.h>
#include "h5lib.h"

// reachable reports whether a link name can be looked up by path from its
// group: anything else is never followed.
static int reachable(const char *name) {
    return *name && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !strchr(name, '/');
}

static herr_t link_cb(hid_t g, const char *name, const H5L_info2_t *info, void *data) {
    h5w_links_t *l = data;
    if (l->n == l->cap) {
        size_t      cap = l->cap ? 2 * l->cap : 64;
        h5w_link_t *links = realloc(l->links, cap * sizeof *links);
        if (!links) return H5_ITER_ERROR;
        l->links = links;
        l->cap = cap;
    }
    h5w_link_t *e = &l->links[l->n];
    e->name = strdup(name);
    if (!e->name) return H5_ITER_ERROR;
    e->hard = info->type == H5L_TYPE_HARD;
    e->otype = H5O_TYPE_UNKNOWN;
    l->n++;
    if (e->hard && reachable(name)) {
        // A failed lookup is left H5O_TYPE_UNKNOWN: the walk asks again
        // when it reaches the link, for the error stack and its order.
        H5O_info2_t oi;
        if (H5Oget_info_by_name3(g, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) >= 0) e->otype = oi.type;
    }
    return H5_ITER_CONT;
}

herr_t h5w_links(hid_t g, h5w_links_t *out) {
    memset(out, 0, sizeof *out);
    return H5Literate2(g, H5_INDEX_NAME, H5_ITER_INC, NULL, link_cb, out);
}

void h5w_links_free(h5w_links_t *l) {
    for (size_t i = 0; i < l->n; i++) free(l->links[i].name);
    free(l->links);
    memset(l, 0, sizeof *l);
}

static herr_t attr_cb(hid_t obj, const char *name, const H5A_info_t *info, void *data) {
    h5w_names_t *a = data;
    (void)obj;
    (void)info;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        char **names = realloc(a->names, cap * sizeof *names);
        if (!names) return H5_ITER_ERROR;
        a->names = names;
        a->cap = cap;
    }
    if (!(a->names[a->n] = strdup(name))) return H5_ITER_ERROR;
    a->n++;
    return H5_ITER_CONT;
}

herr_t h5w_attr_names(hid_t obj, h5w_names_t *out) {
    memset(out, 0, sizeof *out);
    return H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, NULL, attr_cb, out);
}

void h5w_names_free(h5w_names_t *a) {
    for (size_t i = 0; i < a->n; i++) free(a->names[i]);
    free(a->names);
    memset(a, 0, sizeof *a);
}

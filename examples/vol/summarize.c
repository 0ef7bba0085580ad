/*
 * summarize.c - an ordinary HDF5 reader: for every numeric dataset in a
 * file it prints the shape and the minimum, maximum and sum of its values.
 *
 * It reads one slab along the first dimension at a time (a hyperslab
 * selection), so memory stays at one slab whatever the file's size; through
 * the sciswift connector each slab fetches only the chunks it covers.
 *
 *   h5cc -shlib -o summarize summarize.c
 *   HDF5_VOL_CONNECTOR=sciswift ./summarize results/run1.h5
 *
 * Output, one line per dataset:
 *   /fields/temperature float 10x64x128 min=270.000000 max=290.000000 sum=...
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>

struct stats {
    double min, max, sum;
    hsize_t count;
};

static const char *class_name(H5T_class_t c)
{
    switch (c) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    default: return NULL; /* not summarized */
    }
}

static void add_values(struct stats *s, const double *v, hsize_t n)
{
    for (hsize_t i = 0; i < n; i++) {
        if (s->count == 0 || v[i] < s->min) s->min = v[i];
        if (s->count == 0 || v[i] > s->max) s->max = v[i];
        s->sum += v[i];
        s->count++;
    }
}

/* read_slabs reads the dataset one index of its first dimension at a time,
 * converted to double by HDF5. */
static herr_t read_slabs(hid_t dset, hid_t space, int rank, const hsize_t *dims, struct stats *s)
{
    hsize_t start[H5S_MAX_RANK] = {0}, count[H5S_MAX_RANK];
    hsize_t per_slab = 1;
    for (int i = 0; i < rank; i++) {
        count[i] = i == 0 ? 1 : dims[i];
        per_slab *= count[i];
    }
    hsize_t slabs = rank == 0 ? 1 : dims[0];
    double *buf = malloc((per_slab ? per_slab : 1) * sizeof *buf);
    hid_t mem = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, count, NULL);
    herr_t status = buf && mem >= 0 ? 0 : -1;
    for (hsize_t k = 0; k < slabs && status >= 0 && per_slab > 0; k++) {
        if (rank > 0) {
            start[0] = k;
            status = H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
        }
        if (status >= 0)
            status = H5Dread(dset, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, buf);
        if (status >= 0)
            add_values(s, buf, per_slab);
    }
    H5Sclose(mem);
    free(buf);
    return status;
}

static herr_t summarize(hid_t obj, const char *name, const H5O_info2_t *info, void *failed)
{
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t dset = H5Dopen2(obj, name, H5P_DEFAULT);
    hid_t type = H5Dget_type(dset);
    hid_t space = H5Dget_space(dset);
    const char *cls = class_name(H5Tget_class(type));
    int rank = H5Sget_simple_extent_ndims(space);
    hsize_t dims[H5S_MAX_RANK];
    struct stats s = {0};
    herr_t status = dset < 0 || rank < 0 ? -1 : 0;
    if (status >= 0 && cls) {
        H5Sget_simple_extent_dims(space, dims, NULL);
        status = read_slabs(dset, space, rank, dims, &s);
    }
    if (status < 0) {
        fprintf(stderr, "summarize: reading /%s failed\n", name);
        H5Eprint2(H5E_DEFAULT, stderr);
        *(int *)failed = 1;
    } else if (cls) {
        printf("/%s %s ", name, cls);
        for (int i = 0; i < rank; i++)
            printf(i ? "x%llu" : "%llu", (unsigned long long)dims[i]);
        if (rank == 0)
            printf("scalar");
        printf(" min=%f max=%f sum=%f\n", s.min, s.max, s.sum);
    }
    H5Sclose(space);
    H5Tclose(type);
    H5Dclose(dset);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.h5\n", argv[0]);
        return 2;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors are printed where they happen */
    hid_t file = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        fprintf(stderr, "summarize: cannot open %s\n", argv[1]);
        H5Eprint2(H5E_DEFAULT, stderr);
        return 1;
    }
    int failed = 0;
    if (H5Ovisit3(file, H5_INDEX_NAME, H5_ITER_INC, summarize, &failed, H5O_INFO_BASIC) < 0) {
        fprintf(stderr, "summarize: visiting %s failed\n", argv[1]);
        H5Eprint2(H5E_DEFAULT, stderr);
        failed = 1;
    }
    if (H5Fclose(file) < 0)
        failed = 1;
    return failed;
}

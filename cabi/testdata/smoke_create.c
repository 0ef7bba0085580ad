/* Smoke test: create a file through the connector, write and read a
 * dataset, an attribute and a group; exit status 0 on success.
 * Usage: HDF5_PLUGIN_PATH=... HDF5_VOL_CONNECTOR=sciswift ST_AUTH=... ./smoke_create CONTAINER/NAME.h5 */
#include <stdio.h>
#include <string.h>
#include <hdf5.h>

#define CHECK(x)                                                                                            \
    do {                                                                                                    \
        if ((x) < 0) {                                                                                      \
            fprintf(stderr, "FAILED: %s (line %d)\n", #x, __LINE__);                                       \
            return 1;                                                                                       \
        }                                                                                                   \
    } while (0)

int
main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "smoke/run1.h5";
    hid_t       f, g, s, d, a;
    hsize_t     dims[2] = {4, 6};
    int         data[4][6], back[4][6];
    int         i, j, attr = 42, attr_back = 0;

    for (i = 0; i < 4; i++)
        for (j = 0; j < 6; j++)
            data[i][j] = i * 10 + j;

    CHECK(f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(g = H5Gcreate2(f, "grp", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(s = H5Screate_simple(2, dims, NULL));
    CHECK(d = H5Dcreate2(g, "d", H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
    CHECK(H5Sclose(s));
    CHECK(s = H5Screate(H5S_SCALAR));
    CHECK(a = H5Acreate2(d, "answer", H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Awrite(a, H5T_NATIVE_INT, &attr));
    CHECK(H5Aclose(a));
    CHECK(H5Sclose(s));
    CHECK(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back));
    if (memcmp(data, back, sizeof data) != 0) {
        fprintf(stderr, "FAILED: read back differs\n");
        return 1;
    }
    CHECK(H5Lcreate_soft("/grp/d", f, "alias", H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Dclose(d));
    CHECK(H5Gclose(g));
    CHECK(H5Fclose(f));

    CHECK(f = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    CHECK(d = H5Dopen2(f, "/alias", H5P_DEFAULT));
    memset(back, 0, sizeof back);
    CHECK(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back));
    if (memcmp(data, back, sizeof data) != 0) {
        fprintf(stderr, "FAILED: reopened read differs\n");
        return 1;
    }
    CHECK(a = H5Aopen(d, "answer", H5P_DEFAULT));
    CHECK(H5Aread(a, H5T_NATIVE_INT, &attr_back));
    if (attr_back != 42) {
        fprintf(stderr, "FAILED: attribute read %d\n", attr_back);
        return 1;
    }
    CHECK(H5Aclose(a));
    CHECK(H5Dclose(d));
    CHECK(H5Fclose(f));
    printf("ok\n");
    return 0;
}

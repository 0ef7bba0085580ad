/*
 * simulation.c - an ordinary HDF5 program that knows nothing of sciswift.
 *
 * It writes a small "simulation": a 2-D temperature field per time step,
 * appended to a chunked dataset with an unlimited time dimension, plus a
 * few attributes. Run natively it writes a local file; with
 * HDF5_VOL_CONNECTOR=sciswift the same binary writes into the store.
 *
 *   h5cc -shlib -o simulation simulation.c
 *   ./simulation results/run1.h5 [steps]
 */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NY 64
#define NX 128

static int fail(const char *what)
{
    fprintf(stderr, "simulation: %s failed\n", what);
    H5Eprint2(H5E_DEFAULT, stderr);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.h5 [steps]\n", argv[0]);
        return 2;
    }
    int steps = argc > 2 ? atoi(argv[2]) : 10;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors are printed by fail() */

    hid_t file = H5Fcreate(argv[1], H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return fail("H5Fcreate");

    hid_t grp = H5Gcreate2(file, "/fields", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims[3] = {0, NY, NX}, maxdims[3] = {H5S_UNLIMITED, NY, NX};
    hsize_t chunk[3] = {1, NY, NX};
    hid_t space = H5Screate_simple(3, dims, maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 3, chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    hid_t temp = H5Dcreate2(grp, "temperature", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (grp < 0 || temp < 0)
        return fail("creating /fields/temperature");

    hid_t scalar = H5Screate(H5S_SCALAR);
    double dt = 0.5;
    hid_t attr = H5Acreate2(temp, "dt", H5T_IEEE_F64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, H5T_NATIVE_DOUBLE, &dt);
    H5Aclose(attr);
    hid_t units = H5Tcopy(H5T_C_S1);
    H5Tset_size(units, 6);
    attr = H5Acreate2(temp, "units", units, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, units, "kelvin");
    H5Aclose(attr);

    static float field[NY][NX];
    for (int t = 0; t < steps; t++) {
        for (int y = 0; y < NY; y++)
            for (int x = 0; x < NX; x++)
                field[y][x] = 280.0f + 10.0f * sinf(0.1f * x + 0.2f * y + 0.3f * t);
        hsize_t size[3] = {(hsize_t)t + 1, NY, NX};
        if (H5Dset_extent(temp, size) < 0)
            return fail("H5Dset_extent");
        hid_t fspace = H5Dget_space(temp);
        hsize_t start[3] = {(hsize_t)t, 0, 0}, count[3] = {1, NY, NX};
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
        hid_t mspace = H5Screate_simple(3, count, NULL);
        if (H5Dwrite(temp, H5T_NATIVE_FLOAT, mspace, fspace, H5P_DEFAULT, field) < 0)
            return fail("H5Dwrite");
        H5Sclose(mspace);
        H5Sclose(fspace);
    }

    int done = steps;
    attr = H5Acreate2(file, "steps", H5T_STD_I32LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, H5T_NATIVE_INT, &done);
    H5Aclose(attr);

    H5Tclose(units);
    H5Sclose(scalar);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (H5Dclose(temp) < 0 || H5Gclose(grp) < 0 || H5Fclose(file) < 0)
        return fail("closing the file");
    printf("simulation: wrote %d steps of %dx%d to %s\n", steps, NY, NX, argv[1]);
    return 0;
}

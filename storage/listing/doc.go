// Package listing keeps Swift's container and account databases in pebble.
//
// Swift gives every container and every account its own SQLite file. Here
// one pebble database per device holds all of them: DEVICE/containers.db
// (per-container info and the object rows that make up container listings)
// and DEVICE/accounts.db (per-account info and the container rows of account
// listings). The two are separate so that the container and account roles
// can run in separate processes.
//
// Keys are order-preserving tuples (see key.go), so every listing — prefix,
// marker, end_marker, reverse, limit — is a bounded pebble range scan, and a
// delimiter listing jumps over each subdirectory with one SeekGE (or SeekLT)
// instead of reading the rows below it. Live rows and tombstones live in
// separate keyspaces, the way Swift indexes rows on (deleted, name), so a
// directory full of deleted objects costs a listing nothing.
//
// Every read-modify-write (a row and the counts it changes) happens under a
// per-container (per-account for accounts.db) lock and is committed as one
// synced pebble batch, so object counts and bytes used stay exact whatever
// order concurrent and replayed updates arrive in. Timestamps decide every
// conflict: the newest row, the newest put or delete timestamp and, per key,
// the newest metadata value win, as in Swift, so replicas converge.
package listing

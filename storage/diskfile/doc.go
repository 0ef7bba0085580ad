// Package diskfile stores one device's objects in Swift's on-disk layout:
//
//	DEVICE/objects/PART/SUFFIX/HASH/TIMESTAMP.data|.meta|.ts
//	DEVICE/tmp/                    files being written
//	DEVICE/async_pending/SUFFIX/   container updates to retry
//	DEVICE/quarantined/objects/HASH/
//
// HASH is the object's path hash (the caller computes it; see
// ring.PathHasher.HashHex) and SUFFIX its last three hex digits. In a hash
// directory the newest .data or .ts wins; a .ts (tombstone) means deleted;
// the newest .meta newer than the winning .data replaces its user metadata
// (Swift's fast-POST). Older files are removed after every write.
//
// # File format
//
// Every file, .data, .meta and .ts alike, is the object body (empty except
// for .data), then its metadata as a JSON object, then a fixed 32-byte
// trailer holding the two lengths, a CRC-32C of the metadata and a magic
// number. Metadata never goes in xattrs: ext4 keeps only about 3.5 KiB of
// them per inode, less than Swift's 4 KiB of user metadata plus system
// metadata, and data plus metadata in one file land atomically in one
// rename. A truncated or damaged file fails the trailer checks (a damaged
// body fails the check of a full read: against the body's CRC-32C, kept in
// the metadata beside the MD5 ETag, or the ETag itself for files that
// predate it); the hash directory is then moved to quarantine and the
// object reads as not found.
//
// # Durability
//
// A write goes to a new file in DEVICE/tmp, is fdatasync'ed, renamed into
// its hash directory, and the hash directory (plus the parent of every
// directory the write created) is fsync'ed before the write reports
// success; only then are older versions removed. A crash at any point
// therefore leaves the old version (or nothing) or the complete new one.
//
// Directory syncs go through a per-device group commit: writers that
// arrive while a batch is being synced share the next batch, which syncs
// all their directories with one syncfs (one journal commit, one cache
// flush) once it holds three or more. A failed directory sync poisons the
// device until it is reopened, because after a failed fsync the kernel may
// have dropped the dirty state it reported failing on (PostgreSQL's
// "fsyncgate"); a full disk (ENOSPC, EDQUOT) fails the batch with 507 but
// does not poison, since freeing space fixes it. A failed fdatasync of a
// temp file fails only its writer, whose file is discarded.
package diskfile

package ring

import "errors"

// Decoding errors. Load and Decode wrap one of these with %w and a detail
// that says where the file went wrong, so callers can branch with errors.Is
// and operators still get a precise message.
var (
	// ErrBadMagic: the stream is not a gzip-compressed "R1NG" ring. Old
	// pickled Swift rings (pre-2013) land here too; rewrite them with a
	// current swift-ring-builder.
	ErrBadMagic = errors.New("ring: not a ring file")
	// ErrUnsupportedVersion: an "R1NG" file whose format version is not 1.
	ErrUnsupportedVersion = errors.New("ring: unsupported ring format version")
	// ErrCorrupt: truncated, checksum failure, bad JSON header, or a table
	// that disagrees with its header.
	ErrCorrupt = errors.New("ring: corrupt ring file")
	// ErrTooLarge: the file asks for more than this package will allocate
	// (part power, header size, replica count).
	ErrTooLarge = errors.New("ring: ring file exceeds limits")
)

// Builder errors.
var (
	// ErrInvalidArgument: a parameter or device field out of its range.
	ErrInvalidArgument = errors.New("ring: invalid argument")
	// ErrTooFewDevices: more replicas than devices that can hold them; a
	// device never holds two replicas of one partition.
	ErrTooFewDevices = errors.New("ring: more replicas than devices")
	// ErrUnknownDevice: no live device has that id.
	ErrUnknownDevice = errors.New("ring: unknown device")
	// ErrDuplicateDevice: the id, or the ip:port/device, is already in use.
	ErrDuplicateDevice = errors.New("ring: duplicate device")
	// ErrNotRebalanced: the builder has never been rebalanced, so there is no
	// partition table to make a ring from.
	ErrNotRebalanced = errors.New("ring: builder has not been rebalanced")
	// ErrBadBuilderFile: a builder file that is not ours or is damaged.
	ErrBadBuilderFile = errors.New("ring: bad builder file")
)

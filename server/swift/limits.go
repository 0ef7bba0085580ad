package swift

// Limits are the cluster constraints Swift publishes under "swift" in /info.
// Defaults match Swift 2.30's; the config file may change any of them.
type Limits struct {
	MaxFileSize            int64 `json:"max_file_size"`
	MaxMetaNameLength      int   `json:"max_meta_name_length"`
	MaxMetaValueLength     int   `json:"max_meta_value_length"`
	MaxMetaCount           int   `json:"max_meta_count"`
	MaxMetaOverallSize     int   `json:"max_meta_overall_size"`
	MaxHeaderSize          int   `json:"max_header_size"`
	ExtraHeaderCount       int   `json:"extra_header_count"`
	MaxObjectNameLength    int   `json:"max_object_name_length"`
	ContainerListingLimit  int   `json:"container_listing_limit"`
	AccountListingLimit    int   `json:"account_listing_limit"`
	MaxAccountNameLength   int   `json:"max_account_name_length"`
	MaxContainerNameLength int   `json:"max_container_name_length"`
}

// DefaultLimits are Swift's shipped constraints.
func DefaultLimits() Limits {
	return Limits{
		MaxFileSize:            5368709122,
		MaxMetaNameLength:      128,
		MaxMetaValueLength:     256,
		MaxMetaCount:           90,
		MaxMetaOverallSize:     4096,
		MaxHeaderSize:          8192,
		ExtraHeaderCount:       0,
		MaxObjectNameLength:    1024,
		ContainerListingLimit:  10000,
		AccountListingLimit:    10000,
		MaxAccountNameLength:   256,
		MaxContainerNameLength: 256,
	}
}

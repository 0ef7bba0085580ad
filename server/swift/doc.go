// Package swift is the wire contract shared by every sciswift role: error
// sentinels and their HTTP statuses, X-Timestamp values, name and metadata
// limits, header names, range and conditional-request rules, and listing
// encoders. It imports only the standard library so that storage, the role
// servers, the client and the proxy can all agree on one vocabulary.
package swift

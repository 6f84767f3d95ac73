// Package config is the file format of "idpool serve --config": YAML read
// as JSON with unknown keys refused, ${VAR} expansion in string values for
// secrets, and a Validate that reports every problem at once. Sections the
// server does not read yet (sts, providers, keys) are kept raw so their
// owners can give them types without breaking existing files.
package config

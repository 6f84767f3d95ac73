// Package config is the file format of "idpool serve --config": YAML read
// as JSON with unknown keys refused in every section, ${VAR} expansion in
// string values for secrets, and a Validate that reports every problem of
// the whole file at once. It imports no idpool package (a test keeps it so):
// checks that need another package's knowledge (the API model's operation
// and error names, the STS kinds) are handed to Validate by the composition.
package config

// Package server is "idpool serve": flags and config file in, a composed
// http.Handler and a listening http.Server out, with graceful shutdown. It
// holds wiring only; every rule lives in the packages it composes.
package server

package msg

// The C header is generated from this package's specs and package abi.
//go:generate go run ./internal/genheader -o ../../guest-sdk/c/watchbox.h

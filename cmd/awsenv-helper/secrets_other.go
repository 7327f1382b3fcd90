//go:build !linux

package main

import "github.com/awsenv/awsenv/internal/helper"

// interimItems: no interim store outside Linux (see sessionKey).
func interimItems() helper.SecretItems { return nil }

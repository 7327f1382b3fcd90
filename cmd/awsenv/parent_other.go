//go:build !linux

package main

// parentNames is Linux's (/proc); elsewhere the shell comes from
// $AWSENV_SHELL or $SHELL.
func parentNames(func(string) bool) {}

//go:build !awsenv_testhooks

package main

// pausePoint marks a step of a command that moves a secret, where the
// kill tests stop awsenv (a build with the awsenv_testhooks tag only).
func pausePoint(*Deps, string) {}

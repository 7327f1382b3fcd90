//go:build !linux

package main

func followParent() {}

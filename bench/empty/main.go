// Command empty does nothing: the baseline for awsenv's start-up benchmark.
package main

func main() {}

// Command awsenv switches AWS profiles in the current shell:
// eval "$(awsenv use prod)" exports temporary credentials for prod.
package main

import "os"

func main() {
	os.Exit(Main(os.Args, SystemDeps()))
}

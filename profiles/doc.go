// Package profiles is what awsenv reads from the AWS shared config and
// credentials files and its own config: the profiles and how they chain
// (profile.go, resolve.go), the settings awsenv keeps in them (settings.go,
// hooks.go, sso.go, credprocess.go, endpoints.go), the credentials and
// their one check (credentials.go, with the value shapes in credshape),
// the one trust gate for what a file may choose (trust.go), and the
// writer that replaces a key in the credentials file in place
// (keywrite*.go). The files are read with awsini, botocore's dialect; the
// session cache (sessions) and the Identity Center token cache (ssocache)
// live in packages of their own.
package profiles

// Package secretstore holds awsenv's secret store: long-term keys
// (items "profile:NAME") and the data key that encrypts cached sessions
// ("awsenv:session-key"), kept in the OS keyring through
// github.com/99designs/keyring (aws-vault's and Granted's library), with
// the library's backend names (secret-service, kwallet, keychain, wincred,
// pass, keyctl, file). Every failure is a typed *Error naming the fix;
// nothing here ever falls back to plain text.
//
// Only awsenv-helper (and tests) import this package: the library connects
// to D-Bus when its package initialises, which the front binary, run at
// every prompt, must not pay (internal/layout checks it). It also reads
// aws-vault v7's items (OpenAWSVault, ParseAWSVault), so
// `awsenv keys import --from-aws-vault` can move them over.
package secretstore

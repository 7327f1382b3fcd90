package ssoclient

import "github.com/awsenv/awsenv/internal/awsapi/sdk"

// env is a test's environment, read through World.Getenv.
type env map[string]string

func (e env) world() sdk.World { return sdk.World{Getenv: func(k string) string { return e[k] }} }

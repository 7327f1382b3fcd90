package main

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// TestProfileVarsBotocore: the AWS variables that name the current profile
// are read in the order of the installed botocore (the AWS CLI's), read
// from its configprovider at test time.
func TestProfileVarsBotocore(t *testing.T) {
	out := testproc.Botocore(t, "-c", `
import json
from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES as v
print(json.dumps(v["profile"][1]))
`)
	var want []string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(profileVars, want) {
		t.Errorf("profileVars = %v; botocore reads %v", profileVars, want)
	}
	d := &Deps{Getenv: func(n string) string {
		return map[string]string{"AWS_PROFILE": "p", "AWS_DEFAULT_PROFILE": "dp"}[n]
	}}
	if got := currentProfile(d); got != "dp" {
		t.Errorf("currentProfile with both set = %s; want AWS_DEFAULT_PROFILE's, as botocore", got)
	}
}

package main

import (
	"bytes"
	"testing"
	"text/template"
	"time"
)

// The prompt writes its default format out by hand; it must print what
// the template says.
func TestPromptDefaultFormatAsTemplate(t *testing.T) {
	tmpl := template.Must(template.New("prompt").Option("missingkey=error").Parse(defaultPromptFormat))
	now := time.Unix(1_700_000_000, 0)
	for _, env := range []map[string]string{
		{"AWSENV_PROFILE": "prod"},
		{"AWSENV_PROFILE": "prod", "AWSENV_EXPIRES_AT": "1700003000"},
		{"AWSENV_PROFILE": "a b <c> & {{x}}", "AWSENV_EXPIRES_AT": "1600000000"},
		{"AWSENV_PROFILE": "prod", "AWS_CREDENTIAL_EXPIRATION": "2023-11-15T01:00:00Z"},
		{"AWSENV_PROFILE": "é", "AWSENV_EXPIRES_AT": "1700090000"},
	} {
		var out bytes.Buffer
		d := &Deps{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return now }}
		if code := Main([]string{"awsenv", "prompt"}, d); code != 0 {
			t.Fatalf("%v: exit %d: %s", env, code, out.String())
		}
		data, _ := promptState(d)
		var want bytes.Buffer
		if err := tmpl.Execute(&want, data); err != nil {
			t.Fatal(err)
		}
		want.WriteByte('\n')
		if out.String() != want.String() {
			t.Errorf("%v: printed %q, the template prints %q", env, out.String(), want.String())
		}
	}
}

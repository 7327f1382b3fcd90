package profiles

// Editing bytes: the new values are checked against AWS's alphabets, the
// old ones must sit on one line as plain text, and only those two spans
// of the file change.

import (
	"strings"
	"unicode"

	"github.com/awsenv/awsenv/profiles/awsini"
	"github.com/awsenv/awsenv/profiles/credshape"
)

// checkNewKey refuses values AWS never issues, so the edit can never put a
// line break, a comment or a section into the file.
func checkNewKey(path, profile, id string, secret Secret) error {
	if err := ValidateName(profile); err != nil {
		return err
	}
	bad := func(problem string) error {
		return &KeyWriteError{Path: path, Profile: profile, Problem: problem,
			Fix: "Check the key IAM returned; if it came from IAM as it is, this is a bug in awsenv."}
	}
	if !credshape.KeyID(id) {
		return bad("the new access key id is not 16 to 128 characters of A-Z and 0-9")
	}
	if !credshape.LongTermSecret(secret.Reveal()) {
		return bad("the new secret access key is not 16 to 128 characters of A-Z, a-z, 0-9, /, + and =")
	}
	return nil
}

// keyEdit is where the two values sit in the file's bytes.
type keyEdit struct {
	id, secret span
}

type span struct{ start, end int }

func (e *keyEdit) apply(data []byte, id string, secret Secret) []byte {
	first, second := e.id, e.secret
	v1, v2 := id, secret.Reveal()
	if second.start < first.start {
		first, second, v1, v2 = second, first, v2, v1
	}
	out := make([]byte, 0, len(data)+len(v1)+len(v2))
	out = append(out, data[:first.start]...)
	out = append(out, v1...)
	out = append(out, data[first.end:second.start]...)
	out = append(out, v2...)
	return append(out, data[second.end:]...)
}

// iniKeyOf says where k's value is and whether it can be replaced in place.
func iniKeyOf(k awsini.Key) iniKey {
	ik := iniKey{name: k.Name, line: k.Line}
	switch {
	case k.Offset < 0:
		ik.problem = "continues on the next line"
	case k.Value == "":
		ik.problem = "is empty"
	case controlProblem(k.Value) != "":
		ik.problem = controlProblem(k.Value)
	case strings.ContainsAny(k.Value, "\"'`"):
		ik.problem = "is quoted, and the AWS CLI reads quotes as part of the value"
	case strings.ContainsFunc(k.Value, unicode.IsSpace):
		ik.problem = "holds whitespace: the AWS CLI reads all of the line after = as the value, an inline comment too"
	}
	if k.Offset >= 0 {
		ik.value = span{k.Offset, k.Offset + len(k.Value)}
	}
	return ik
}

// controlProblem refuses a value with a control character inside, such as
// a lone carriage return: an editor may show it as a line break.
func controlProblem(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] < ' ' || v[i] == 0x7f {
			return "holds a control character"
		}
	}
	return ""
}

package profiles

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// botocoreKeys lists, from the installed botocore, the keys its
// credentials.py reads (string literals used as a dictionary key, in .get,
// in an `in` test, or as an upper-case constant) and the profile keys of
// its session settings (configprovider.py).
const botocoreKeys = `
import ast, json, os, re
import botocore, botocore.configprovider as cp
key = re.compile(r'[a-z][a-z0-9]*(_[a-z0-9]+)+')
src = ast.parse(open(os.path.join(os.path.dirname(botocore.__file__), 'credentials.py')).read())
found = set()
def lit(n):
    if isinstance(n, ast.Constant) and isinstance(n.value, str) and key.fullmatch(n.value):
        found.add(n.value)
for n in ast.walk(src):
    if isinstance(n, ast.Subscript):
        lit(n.slice)
    elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == 'get' and n.args:
        lit(n.args[0])
    elif isinstance(n, ast.Compare) and any(isinstance(o, (ast.In, ast.NotIn)) for o in n.ops):
        lit(n.left)
    elif isinstance(n, ast.Assign) and all(isinstance(t, (ast.Name, ast.Attribute)) and (getattr(t, 'id', None) or t.attr).isupper() for t in n.targets):
        for v in (n.value.elts if isinstance(n.value, (ast.List, ast.Tuple)) else [n.value]):
            lit(v)
found |= {v[0] for v in cp.BOTOCORE_DEFAUT_SESSION_VARIABLES.values() if v[0]}
print(json.dumps(sorted(found)))
`

// TestBotocoreKeysTable: every key the installed botocore reads for
// credentials or as a session setting is in BotocoreKeys (honoured,
// refused, or said to be no credential matter), and README's table has a
// row for it: a new botocore key fails here until someone decides.
func TestBotocoreKeysTable(t *testing.T) {
	var keys []string
	if err := json.Unmarshal(testproc.Botocore(t, "-c", botocoreKeys), &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) < 40 {
		t.Fatalf("only %d keys read from botocore: the extraction broke: %v", len(keys), keys)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, k := range keys {
		if _, ok := BotocoreKeys[k]; !ok {
			missing = append(missing, k)
		}
		if BotocoreKeys[k].Use != NotAKey && !strings.Contains(string(readme), "| `"+k+"` |") {
			t.Errorf("README's table of botocore's keys has no row for %s", k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("botocore reads %v, which awsenv neither honours nor refuses: add each to BotocoreKeys and README", missing)
	}
}

// The keys the table calls honoured are read by the profile reader.
func TestBotocoreKeysHonouredAreRead(t *testing.T) {
	for k, v := range BotocoreKeys {
		if v.Use != Honoured && v.Use != Refused {
			continue
		}
		p := &Profile{Awsenv: map[string]string{}}
		apply(p, map[string]string{k: "true"})
		if reflectZero(p) {
			t.Errorf("%s is %s, but the profile reader keeps nothing of it", k, v.Use)
		}
	}
}

// reflectZero reports whether apply kept nothing in p.
func reflectZero(p *Profile) bool {
	q := &Profile{Awsenv: map[string]string{}}
	a, _ := json.Marshal(p)
	b, _ := json.Marshal(q)
	return string(a) == string(b)
}

package accesskeys

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

const userARN = "arn:aws:iam::123456789012:user/alice"

type memKey struct {
	secret  string
	status  string
	created time.Time
	works   int // refusals left before the key works (IAM spreading it)
}

// memAWS is an in-memory IAM and STS for one user, with refusals to order.
type memAWS struct {
	now      time.Time
	keys     map[string]*memKey
	n        int
	deny     map[string]bool // operations refused to long-term keys
	fail     map[string]error
	newDelay int  // refusals a new key gets before it works
	never    bool // new keys never work
	mfaOK    bool // calls signed with the MFA session are allowed everything
}

func newMem() *memAWS {
	m := &memAWS{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), keys: map[string]*memKey{}, deny: map[string]bool{}, fail: map[string]error{}}
	m.keys["AKIAOLD0000000000001"] = &memKey{secret: "oldsecret", status: awsapi.StatusActive, created: m.now.Add(-400 * 24 * time.Hour)}
	return m
}

func denied(op string) error {
	return &awsapi.APIError{Operation: op, Code: "AccessDenied", Message: "User: " + userARN + " is not authorized to perform: iam:" + op}
}

func (m *memAWS) auth(op string, c awsapi.IAMCall) error {
	if err := m.fail[op]; err != nil {
		delete(m.fail, op)
		return err
	}
	if c.Credentials.SessionToken == "mfa-token" && m.mfaOK {
		return nil
	}
	k := m.keys[c.Credentials.AccessKeyID]
	if k == nil || k.secret != c.Credentials.SecretAccessKey.Reveal() || k.status != awsapi.StatusActive {
		return &awsapi.APIError{Operation: op, Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
	}
	if m.never || k.works > 0 {
		k.works--
		return &awsapi.APIError{Operation: op, Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
	}
	if m.deny[op] {
		return denied(op)
	}
	return nil
}

func (m *memAWS) GetSessionToken(context.Context, awsapi.GetSessionTokenInput) (profiles.Credentials, error) {
	return profiles.Credentials{}, errors.New("not used")
}
func (m *memAWS) AssumeRole(context.Context, awsapi.AssumeRoleInput) (profiles.Credentials, error) {
	return profiles.Credentials{}, errors.New("not used")
}
func (m *memAWS) GetCallerIdentity(_ context.Context, t awsapi.Target, c profiles.Credentials) (awsapi.Identity, error) {
	if err := m.auth("GetCallerIdentity", awsapi.IAMCall{Target: t, Credentials: c}); err != nil {
		return awsapi.Identity{}, err
	}
	return awsapi.Identity{Account: "123456789012", ARN: userARN, UserID: "AIDAEXAMPLE"}, nil
}

func (m *memAWS) ListAccessKeys(_ context.Context, c awsapi.IAMCall, user string) ([]awsapi.AccessKey, error) {
	if err := m.auth("ListAccessKeys", c); err != nil {
		return nil, err
	}
	var out []awsapi.AccessKey
	for id, k := range m.keys {
		out = append(out, awsapi.AccessKey{ID: id, Status: k.status, Created: k.created, UserName: user})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (m *memAWS) CreateAccessKey(_ context.Context, c awsapi.IAMCall, user string) (awsapi.NewKey, error) {
	if err := m.auth("CreateAccessKey", c); err != nil {
		return awsapi.NewKey{}, err
	}
	if len(m.keys) >= 2 {
		return awsapi.NewKey{}, &awsapi.APIError{Operation: "CreateAccessKey", Code: "LimitExceeded", Message: "Cannot exceed quota for AccessKeysPerUser: 2"}
	}
	m.n++
	id := fmt.Sprintf("AKIANEW%013d", m.n)
	m.keys[id] = &memKey{secret: fmt.Sprintf("newsecret%d", m.n), status: awsapi.StatusActive, created: m.now, works: m.newDelay}
	return awsapi.NewKey{ID: id, Secret: profiles.Secret(m.keys[id].secret), Status: awsapi.StatusActive, Created: m.now, UserName: user}, nil
}

func (m *memAWS) UpdateAccessKey(_ context.Context, c awsapi.IAMCall, user, id, status string) error {
	if err := m.auth("UpdateAccessKey", c); err != nil {
		return err
	}
	k := m.keys[id]
	if k == nil {
		return &awsapi.APIError{Operation: "UpdateAccessKey", Code: "NoSuchEntity", Message: "The Access Key with id " + id + " cannot be found."}
	}
	k.status = status
	return nil
}

func (m *memAWS) DeleteAccessKey(_ context.Context, c awsapi.IAMCall, user, id string) error {
	if err := m.auth("DeleteAccessKey", c); err != nil {
		return err
	}
	if m.keys[id] == nil {
		return &awsapi.APIError{Operation: "DeleteAccessKey", Code: "NoSuchEntity", Message: "The Access Key with id " + id + " cannot be found."}
	}
	delete(m.keys, id)
	return nil
}

func (m *memAWS) GetAccessKeyLastUsed(_ context.Context, c awsapi.IAMCall, id string) (awsapi.LastUsed, error) {
	if err := m.auth("GetAccessKeyLastUsed", c); err != nil {
		return awsapi.LastUsed{}, err
	}
	return awsapi.LastUsed{Service: "N/A", Region: "N/A"}, nil
}

func (m *memAWS) ListMFADevices(context.Context, awsapi.IAMCall, string) ([]awsapi.MFADevice, error) {
	return nil, nil
}

// memJournal keeps journals in memory.
type memJournal map[string]Journal

func (mj memJournal) Load(p string) (*Journal, error) {
	j, ok := mj[p]
	if !ok {
		return nil, nil
	}
	if j.New != nil {
		n := *j.New
		j.New = &n
	}
	return &j, nil
}
func (mj memJournal) Save(j *Journal) error { mj[j.Profile] = *j; return nil }
func (mj memJournal) Remove(p string) error { delete(mj, p); return nil }
func (mj memJournal) Path(p string) string  { return "/state/" + p }

type world struct {
	aws      *memAWS
	journal  memJournal
	file     KeyPair
	writeErr error
	cleared  []string
	retired  []string
	notes    []string
}

func newTestWorld() *world {
	return &world{aws: newMem(), journal: memJournal{}, file: KeyPair{ID: "AKIAOLD0000000000001", Secret: "oldsecret"}}
}

func (w *world) rotation() *Rotation {
	return &Rotation{
		Caller:  &Caller{IAM: w.aws, STS: w.aws, Notef: w.notef},
		Profile: "prod", File: "/home/alice/.aws/credentials",
		Journal: w.journal,
		ReadKey: func() (KeyPair, error) { return w.file, nil },
		WriteKey: func(k KeyPair) (string, error) {
			if w.writeErr != nil {
				return "", w.writeErr
			}
			w.file = k
			return "/home/alice/.aws/credentials.bak", nil
		},
		ClearSessions: func(id string) (int, error) { w.cleared = append(w.cleared, id); return 1, nil },
		Retire:        func(id string, _ time.Time) error { w.retired = append(w.retired, id); return nil },
		Now:           func() time.Time { return w.aws.now },
		Sleep:         func(_ context.Context, d time.Duration) error { w.aws.now = w.aws.now.Add(d); return nil },
		Notef:         w.notef,
	}
}

func (w *world) notef(f string, a ...any) { w.notes = append(w.notes, fmt.Sprintf(f, a...)) }

// check asserts the invariant: the file's key exists in IAM, is active, and works.
func (w *world) fileKeyWorks(t *testing.T) {
	t.Helper()
	k := w.aws.keys[w.file.ID]
	if k == nil || k.status != awsapi.StatusActive || k.secret != w.file.Secret.Reveal() {
		t.Fatalf("the file holds %s, which does not work (IAM: %+v)", w.file.ID, k)
	}
}

func (w *world) onlyKey(t *testing.T) {
	t.Helper()
	w.fileKeyWorks(t)
	if len(w.aws.keys) != 1 || w.file.ID == "AKIAOLD0000000000001" {
		t.Fatalf("want exactly the new key left, got %v (file %s)", w.aws.keys, w.file.ID)
	}
	if len(w.journal) != 0 {
		t.Fatalf("journal left behind: %+v", w.journal)
	}
}

func TestRotateOneKey(t *testing.T) {
	w := newTestWorld()
	res, err := w.rotation().Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	w.onlyKey(t)
	if res.Old != "AKIAOLD0000000000001" || res.New != w.file.ID || !res.OldDeleted || res.User != "alice" {
		t.Errorf("result %+v", res)
	}
	if strings.Join(w.cleared, ",") != "AKIAOLD0000000000001" || strings.Join(w.retired, ",") != "AKIAOLD0000000000001" {
		t.Errorf("cleared %v retired %v", w.cleared, w.retired)
	}
	for _, n := range w.notes {
		if strings.Contains(n, "newsecret") || strings.Contains(n, "oldsecret") {
			t.Errorf("a note shows a secret: %s", n)
		}
	}
}

func TestRotateKeepOld(t *testing.T) {
	w := newTestWorld()
	r := w.rotation()
	r.KeepOld = true
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.fileKeyWorks(t)
	if k := w.aws.keys["AKIAOLD0000000000001"]; k == nil || k.status != awsapi.StatusInactive {
		t.Fatalf("old key should be kept inactive: %+v", k)
	}
}

func TestRotateTwoKeys(t *testing.T) {
	for _, status := range []string{awsapi.StatusActive, awsapi.StatusInactive} {
		for _, del := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/delete-inactive=%v", status, del), func(t *testing.T) {
				w := newTestWorld()
				w.aws.keys["AKIAOTHER00000000002"] = &memKey{secret: "x", status: status, created: w.aws.now.Add(-time.Hour)}
				r := w.rotation()
				r.DeleteInactive = del
				res, err := r.Run(context.Background())
				if del && status == awsapi.StatusInactive {
					if err != nil {
						t.Fatal(err)
					}
					w.onlyKey(t)
					if res.DeletedOther != "AKIAOTHER00000000002" {
						t.Errorf("result %+v", res)
					}
					return
				}
				var two *TwoKeysError
				if !errors.As(err, &two) || len(two.Keys) != 2 || two.User != "alice" {
					t.Fatalf("want TwoKeysError with both keys, got %v", err)
				}
				if len(w.aws.keys) != 2 || w.file.ID != "AKIAOLD0000000000001" || len(w.journal) != 0 {
					t.Fatalf("something changed: %v %v", w.aws.keys, w.file)
				}
			})
		}
	}
}

func TestRotateWriteFailsUndoes(t *testing.T) {
	w := newTestWorld()
	w.writeErr = errors.New("read-only file system")
	_, err := w.rotation().Run(context.Background())
	var st *StateError
	if !errors.As(err, &st) || !strings.Contains(err.Error(), "IAM is as before") {
		t.Fatalf("want a StateError saying IAM is as before, got %v", err)
	}
	if len(w.aws.keys) != 1 || w.aws.keys["AKIAOLD0000000000001"] == nil {
		t.Fatalf("the new key should be deleted again: %v", w.aws.keys)
	}
	w.fileKeyWorks(t)
	if len(w.journal) != 0 {
		t.Fatal("journal left behind")
	}
}

func TestRotateNewKeyNeverWorks(t *testing.T) {
	w := newTestWorld()
	w.aws.newDelay = 1000
	_, err := w.rotation().Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "did not work within 30s") {
		t.Fatalf("got %v", err)
	}
	w.fileKeyWorks(t)
	if w.file.ID != "AKIAOLD0000000000001" || len(w.aws.keys) != 1 {
		t.Fatalf("want the old key back in the file and alone in IAM: %v %v", w.file.ID, w.aws.keys)
	}
}

func TestRotateWaitsForNewKey(t *testing.T) {
	w := newTestWorld()
	w.aws.newDelay = 3
	start := w.aws.now
	if _, err := w.rotation().Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.onlyKey(t)
	if waited := w.aws.now.Sub(start); waited != 7*time.Second {
		t.Errorf("waited %s, want 1s+2s+4s", waited)
	}
}

func TestRotateDeactivateDeniedThenResume(t *testing.T) {
	w := newTestWorld()
	w.aws.deny["UpdateAccessKey"] = true
	_, err := w.rotation().Run(context.Background())
	var st *StateError
	if !errors.As(err, &st) || !strings.Contains(st.State, "still active") {
		t.Fatalf("got %v", err)
	}
	w.fileKeyWorks(t)
	if w.file.ID == "AKIAOLD0000000000001" || len(w.journal) != 1 {
		t.Fatalf("want the new key in the file and the journal kept: %v %v", w.file, w.journal)
	}
	delete(w.aws.deny, "UpdateAccessKey")
	res, err := w.rotation().Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed {
		t.Error("should have resumed")
	}
	w.onlyKey(t)
}

func TestRotateMFAFallback(t *testing.T) {
	w := newTestWorld()
	w.aws.mfaOK = true
	for _, op := range []string{"ListAccessKeys", "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "GetAccessKeyLastUsed"} {
		w.aws.deny[op] = true
	}
	r := w.rotation()
	asked := 0
	r.Caller.MFASession = func(context.Context) (profiles.Credentials, error) {
		asked++
		return profiles.Credentials{AccessKeyID: "ASIAMFA", SecretAccessKey: "s", SessionToken: "mfa-token"}, nil
	}
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.onlyKey(t)
	if asked != 1 {
		t.Errorf("asked for an MFA session %d times, want once", asked)
	}
}

// TestRotateResumeEachStep stops a rotation after each step, as a kill
// would, then runs it again: the file's key must work throughout, and the
// second run must end with only the new key.
func TestRotateResumeEachStep(t *testing.T) {
	ops := []string{"CreateAccessKey", "write", "GetCallerIdentity#2", "UpdateAccessKey", "DeleteAccessKey"}
	for _, stop := range ops {
		for _, after := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/after=%v", stop, after), func(t *testing.T) {
				w := newTestWorld()
				r := w.rotation()
				killed := errors.New("killed")
				calls := map[string]int{}
				r.Caller.IAM = &killer{memAWS: w.aws, stop: stop, after: after, calls: calls, err: killed}
				r.Caller.STS = r.Caller.IAM.(*killer)
				write := r.WriteKey
				r.WriteKey = func(k KeyPair) (string, error) {
					if stop == "write" && !after {
						panic(killed)
					}
					b, err := write(k)
					if stop == "write" {
						panic(killed)
					}
					return b, err
				}
				runKilled(t, r, killed)
				w.fileKeyWorks(t)
				if _, err := w.rotation().Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				w.onlyKey(t)
			})
		}
	}
}

// runKilled runs the rotation until the killer panics, which stands for a
// SIGKILL: nothing after that point runs, no deferred cleanup either.
func runKilled(t *testing.T, r *Rotation, killed error) {
	t.Helper()
	defer func() {
		if v := recover(); v != killed {
			t.Fatalf("the rotation was not stopped where it should have been: %v", v)
		}
	}()
	_, err := r.Run(context.Background())
	t.Fatalf("the rotation ran to the end: %v", err)
}

// killer stops the world before or after one call.
type killer struct {
	*memAWS
	stop  string
	after bool
	calls map[string]int
	err   error
}

func (k *killer) at(op string) func() {
	k.calls[op]++
	name := op
	if op == "GetCallerIdentity" {
		name = fmt.Sprintf("%s#%d", op, k.calls[op])
	}
	if name != k.stop {
		return func() {}
	}
	if !k.after {
		panic(k.err)
	}
	return func() { panic(k.err) }
}

func (k *killer) GetCallerIdentity(ctx context.Context, t awsapi.Target, c profiles.Credentials) (awsapi.Identity, error) {
	defer k.at("GetCallerIdentity")()
	return k.memAWS.GetCallerIdentity(ctx, t, c)
}
func (k *killer) CreateAccessKey(ctx context.Context, c awsapi.IAMCall, u string) (awsapi.NewKey, error) {
	defer k.at("CreateAccessKey")()
	return k.memAWS.CreateAccessKey(ctx, c, u)
}
func (k *killer) UpdateAccessKey(ctx context.Context, c awsapi.IAMCall, u, id, s string) error {
	defer k.at("UpdateAccessKey")()
	return k.memAWS.UpdateAccessKey(ctx, c, u, id, s)
}
func (k *killer) DeleteAccessKey(ctx context.Context, c awsapi.IAMCall, u, id string) error {
	defer k.at("DeleteAccessKey")()
	return k.memAWS.DeleteAccessKey(ctx, c, u, id)
}

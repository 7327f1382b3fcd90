package main

// awsenv keys add, import, remove and export: long-term keys moved
// between the shared files and awsenv's secret store, so that at every
// instant a key is in the file, in the store, or in both, and never in a
// plain-text copy left behind. The order of each move is what makes that
// so: write the new place, read it back and compare, record it in the key
// index, and only then take the key out of the old place.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/credshape"
)

func keyringCommands(d *Deps) []*cli.Command {
	yes := &cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask for confirmation"}
	return []*cli.Command{
		{
			Name:      "add",
			Usage:     "store the access key of PROFILE in awsenv's keyring (read from the terminal without echo, or from stdin: the key id, then the secret, a line each)",
			ArgsUsage: "PROFILE",
			Action:    func(c *cli.Context) error { return keysAdd(c, d) },
		},
		{
			Name:      "import",
			Usage:     "move keys from ~/.aws/credentials into awsenv's keyring (PROFILE or --all), or from aws-vault's (--from-aws-vault)",
			ArgsUsage: "PROFILE|--all",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "all", Usage: "every profile with keys in the files (or in aws-vault's keyring)"},
				&cli.BoolFlag{Name: "from-aws-vault", Usage: "read aws-vault v7's keyring (AWS_VAULT_BACKEND, AWS_VAULT_FILE_DIR, AWS_VAULT_FILE_PASSPHRASE...)"},
			},
			Action: func(c *cli.Context) error { return keysImport(c, d) },
		},
		{
			Name:      "remove",
			Usage:     "delete the stored key of PROFILE from awsenv's keyring",
			ArgsUsage: "PROFILE",
			Flags:     []cli.Flag{yes},
			Action:    func(c *cli.Context) error { return keysRemove(c, d) },
		},
		{
			Name:      "export",
			Usage:     "move the stored key of PROFILE back into ~/.aws/credentials, in plain text (warned)",
			ArgsUsage: "PROFILE",
			Flags:     []cli.Flag{yes},
			Action:    func(c *cli.Context) error { return keysExport(c, d) },
		},
	}
}

// keyringFor is the run's keyring and config.
func keyringFor(d *Deps) (*keyring, *profiles.Config, error) {
	cfg, global, err := loadConfig(d)
	if err != nil {
		return nil, nil, err
	}
	return newKeyring(d, global), cfg, nil
}

func keysAdd(c *cli.Context, d *Deps) error {
	name, err := profileArg(c)
	if err != nil {
		return err
	}
	kr, cfg, err := keyringFor(d)
	if err != nil {
		return err
	}
	creds, err := readKey(d)
	if err != nil {
		return err
	}
	d.interruptible()
	backend, err := kr.store(c.Context, d, name, creds)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.Stdout, "Stored the access key %s of profile %s in awsenv's keyring (%s).\n", creds.AccessKeyID, name, backend)
	if p, err := cfg.Get(name); err != nil {
		say(d.Stderr, "note: there is no profile %s in %s or %s yet: add [profile %s] (with its region, mfa_serial...) to use it.",
			name, cfg.Files.Config, cfg.Files.Credentials, name)
	} else if p.AccessKeyID != "" && p.SecretAccessKey != "" {
		say(d.Stderr, "note: %s still holds keys for %s, and keys in the file win: run `awsenv keys import %s` to move them into the keyring instead.",
			p.KeyFile(), name, name)
	}
	return nil
}

// readKey reads an access key id and its secret: on the terminal without
// echo when stdin is one, else a line each from stdin.
func readKey(d *Deps) (profiles.Credentials, error) {
	var id, secret string
	if f, ok := d.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ask := func(prompt string) (string, error) {
			fmt.Fprint(d.Stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(d.Stderr)
			return strings.TrimSpace(string(b)), err
		}
		var err error
		if id, err = ask("Access key ID: "); err == nil {
			secret, err = ask("Secret access key: ")
		}
		if err != nil {
			return profiles.Credentials{}, fmt.Errorf("read the key from the terminal: %w", err)
		}
	} else {
		in := bufio.NewReader(io.LimitReader(d.Stdin, 4096))
		line := func() string { l, _ := in.ReadString('\n'); return strings.TrimSpace(l) }
		id, secret = line(), line()
	}
	switch {
	case !credshape.KeyID(id) || !strings.HasPrefix(id, "AKIA"):
		return profiles.Credentials{}, usageErrorf("the access key id is not an IAM user's long-term key (AKIA followed by upper-case letters and digits). Give the key id on the first line and the secret on the second.")
	case !credshape.LongTermSecret(secret):
		return profiles.Credentials{}, usageErrorf("the secret access key is not one (16 to 128 characters of A-Z, a-z, 0-9, /, + and =). Give the key id on the first line and the secret on the second.")
	}
	return profiles.Credentials{AccessKeyID: id, SecretAccessKey: profiles.Secret(secret)}, nil
}

func keysImport(c *cli.Context, d *Deps) error {
	all := c.Bool("all")
	switch {
	case all && c.NArg() > 0:
		return usageErrorf("keys import takes a PROFILE or --all, not both.")
	case !all && c.NArg() == 0:
		return usageErrorf("keys import needs a PROFILE, or --all for every profile with keys in the files.")
	}
	var names []string
	if !all {
		name, err := profileArg(c)
		if err != nil {
			return err
		}
		names = []string{name}
	}
	kr, cfg, err := keyringFor(d)
	if err != nil {
		return err
	}
	d.interruptible()
	if c.Bool("from-aws-vault") {
		return importAWSVault(c.Context, d, kr, cfg, names)
	}
	if all {
		for _, n := range cfg.Names() {
			if p, err := cfg.Get(n); err == nil && fileKey(p) {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			fmt.Fprintf(d.Stdout, "No profile holds long-term keys in %s or %s: nothing to import.\n", cfg.Files.Credentials, cfg.Files.Config)
			return nil
		}
	}
	var failed []string
	for _, n := range names {
		if err := importOne(c.Context, d, kr, n); err != nil {
			if !all {
				return err
			}
			say(d.Stderr, "profile %s: %v", n, err)
			failed = append(failed, n)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d profiles were not imported (%s); their keys are where they were. Fix what is said above and run `awsenv keys import PROFILE` for each.",
			len(failed), len(names), strings.Join(failed, ", "))
	}
	return nil
}

// fileKey reports whether p holds a long-term key in a file.
func fileKey(p *profiles.Profile) bool {
	return p.Stored == nil && p.AccessKeyID != "" && p.SecretAccessKey != "" && p.SessionToken == ""
}

// importOne moves one profile's key from its file into the store.
func importOne(ctx context.Context, d *Deps, kr *keyring, name string) error {
	moved := ""
	for pass := 0; ; pass++ {
		// Read afresh: a key in both files shows the config file's once
		// the credentials file's is gone.
		cfg, err := profiles.Load(awsFiles(d))
		if err != nil {
			return err
		}
		p, err := cfg.Get(name)
		if err != nil {
			return err
		}
		if !fileKey(p) {
			if pass > 0 || p.Stored != nil {
				if pass == 0 {
					fmt.Fprintf(d.Stdout, "The key of profile %s is already in awsenv's keyring (%s).\n", name, p.Stored.Backend)
				}
				return nil
			}
			return &profiles.ProfileError{Profile: name, File: p.Where(), Problem: "holds no long-term key in the files (aws_access_key_id AKIA... and aws_secret_access_key, without a session token)",
				Fix: fmt.Sprintf("Add one to the keyring directly: awsenv keys add %s", name)}
		}
		creds := profiles.Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.SecretAccessKey}
		if moved != "" && creds.AccessKeyID != moved {
			return &profiles.ProfileError{Profile: name, File: p.KeyFile(),
				Problem: fmt.Sprintf("it holds another key, %s, besides the %s now in the keyring", creds.AccessKeyID, moved),
				Fix:     "Remove the key that is no longer in use from the file by hand."}
		}
		moved = creds.AccessKeyID
		if err := creds.Validate(d.Now()); err != nil {
			return &profiles.ProfileError{Profile: name, File: p.KeyFile(), Problem: "its key is not one: " + err.Error(), Fix: "Fix the key in the file first."}
		}
		// A file awsenv could not edit is found before the store is touched.
		if err := profiles.CheckReplaceKey(p.KeyFile(), p.KeyFileKind(), name, p.AccessKeyID); err != nil {
			return err
		}
		backend, err := kr.store(ctx, d, name, creds)
		if err != nil {
			return err
		}
		if err := profiles.RemoveKeys(p.KeyFile(), p.KeyFileKind(), name, p.AccessKeyID, profiles.MoveOptions{}); err != nil {
			return fmt.Errorf("the key is in the keyring, but taking it out of the file failed: %w", err)
		}
		pausePoint(d, "removed")
		fmt.Fprintf(d.Stdout, "Moved the access key %s of profile %s from %s into awsenv's keyring (%s).\n", creds.AccessKeyID, name, p.KeyFile(), backend)
	}
}

// importAWSVault copies keys from aws-vault v7's keyring into awsenv's.
// aws-vault's items are left as they are: it is aws-vault's store.
func importAWSVault(ctx context.Context, d *Deps, kr *keyring, cfg *profiles.Config, names []string) error {
	av := helper.StoreChoice{Service: helper.AWSVault}
	if len(names) == 0 {
		res, err := kr.client.SecretList(ctx, helper.SecretInput{Store: av})
		if err != nil {
			return fmt.Errorf("list aws-vault's keyring: %w", err)
		}
		names = res.Keys
		if len(names) == 0 {
			fmt.Fprintf(d.Stdout, "aws-vault's keyring (%s) holds no keys: nothing to import.\n", res.Backend)
			return nil
		}
	}
	for _, n := range names {
		if err := profiles.ValidateName(n); err != nil {
			say(d.Stderr, "skipping aws-vault's item %q: %v", n, err)
			continue
		}
		creds, from, err := kr.get(ctx, av, n)
		if err != nil {
			return fmt.Errorf("read the key of %s from aws-vault's keyring: %w", n, err)
		}
		backend, err := kr.store(ctx, d, n, creds)
		if err != nil {
			return err
		}
		fmt.Fprintf(d.Stdout, "Copied the access key %s of profile %s from aws-vault's keyring (%s) into awsenv's (%s).\n", creds.AccessKeyID, n, from, backend)
		switch p, err := cfg.Get(n); {
		case err != nil:
			say(d.Stderr, "note: there is no profile %s in %s: add [profile %s] to use it with awsenv.", n, cfg.Files.Config, n)
		case fileKey(p):
			say(d.Stderr, "note: %s also holds keys for %s, and keys in the file win: run `awsenv keys import %s` to move them too.", p.KeyFile(), n, n)
		}
	}
	fmt.Fprintln(d.Stdout, "aws-vault's own items are untouched; remove them with `aws-vault remove PROFILE` once awsenv works for you.")
	return nil
}

// storedProfile is the profile named on the command line with its key in
// the store.
func storedProfile(c *cli.Context, d *Deps) (*keyring, *profiles.Profile, error) {
	name, err := profileArg(c)
	if err != nil {
		return nil, nil, err
	}
	kr, cfg, err := keyringFor(d)
	if err != nil {
		return nil, nil, err
	}
	p, err := cfg.Get(name)
	var pe *profiles.ProfileError
	if errors.As(err, &pe) {
		// A key stored for a profile the files do not (or no longer) have.
		idx, ierr := profiles.LoadKeyIndex(keyIndexPath(d))
		if k, ok := idx[name]; ierr == nil && ok {
			p, err = &profiles.Profile{Name: name, AccessKeyID: k.KeyID, Stored: &k}, nil
		}
	}
	if err == nil && p.Stored == nil {
		err = &profiles.ProfileError{Profile: name, File: keyIndexPath(d), Problem: "its key is not in awsenv's keyring",
			Fix: fmt.Sprintf("Nothing to do; `awsenv keys import %s` moves a key from the file into the keyring.", name)}
	}
	return kr, p, err
}

func keysRemove(c *cli.Context, d *Deps) error {
	kr, p, err := storedProfile(c, d)
	if err != nil {
		return err
	}
	if !c.Bool("yes") {
		if err := confirmKeys(d, fmt.Sprintf("Delete the access key %s of profile %s from awsenv's keyring? IAM cannot show its secret again: keep a copy elsewhere (or `awsenv keys export %s`) if you still need it.",
			p.Stored.KeyID, p.Name, p.Name)); err != nil {
			return err
		}
	}
	// The index first: a kill in between leaves an item nobody reads, never
	// a profile pointing at nothing.
	if err := profiles.UpdateKeyIndex(keyIndexPath(d), p.Name, nil); err != nil {
		return err
	}
	_, err = kr.client.SecretRemove(c.Context, helper.SecretInput{Store: kr.at(p.Stored.Backend), Key: profileItemPrefix + p.Name})
	if err != nil && !helper.IsSecretNotFound(err) {
		return err
	}
	fmt.Fprintf(d.Stdout, "Deleted the access key %s of profile %s from awsenv's keyring (%s).\n", p.Stored.KeyID, p.Name, p.Stored.Backend)
	return nil
}

func keysExport(c *cli.Context, d *Deps) error {
	kr, p, err := storedProfile(c, d)
	if err != nil {
		return err
	}
	path := profiles.DefaultFiles(d.Getenv, d.Home).Credentials
	say(d.Stderr, "warning: this writes the secret access key of %s in plain text into %s, where every program you run can read it.", p.Name, path)
	if !c.Bool("yes") {
		if err := confirmKeys(d, fmt.Sprintf("Move the access key %s of profile %s out of the keyring into %s?", p.Stored.KeyID, p.Name, path)); err != nil {
			return err
		}
	}
	creds, _, err := kr.get(c.Context, kr.at(p.Stored.Backend), p.Name)
	if err != nil {
		return err
	}
	if err := profiles.AddKeys(path, profiles.CredentialsFile, p.Name, creds.AccessKeyID, creds.SecretAccessKey, profiles.MoveOptions{}); err != nil {
		return err
	}
	pausePoint(d, "exported")
	if err := profiles.UpdateKeyIndex(keyIndexPath(d), p.Name, nil); err != nil {
		return err
	}
	if _, err := kr.client.SecretRemove(c.Context, helper.SecretInput{Store: kr.at(p.Stored.Backend), Key: profileItemPrefix + p.Name}); err != nil && !helper.IsSecretNotFound(err) {
		return fmt.Errorf("the key is back in %s, but removing it from the keyring failed: %w", path, err)
	}
	fmt.Fprintf(d.Stdout, "Moved the access key %s of profile %s from awsenv's keyring into %s (plain text).\n", creds.AccessKeyID, p.Name, path)
	return nil
}

// confirmKeys asks before a key leaves the keyring; without a terminal it
// refuses, so a script never does it by accident.
func confirmKeys(d *Deps, question string) error {
	yes, err := askYesNo(d, question)
	switch {
	case err != nil:
		return usageErrorf("awsenv asks before moving a key out of the keyring, and there is no terminal to ask on. Pass --yes to go ahead without asking.")
	case !yes:
		return errors.New("nothing changed: you did not confirm.")
	}
	return nil
}

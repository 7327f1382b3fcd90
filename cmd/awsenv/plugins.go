package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/plugins/termsafe"
)

func newPluginsCommand(d *Deps) *cli.Command {
	list := func(c *cli.Context) error {
		_, global, err := loadConfig(d)
		if err != nil {
			return err
		}
		client := d.Helper()
		found, err := client.ListPlugins(c.Context, helper.ListInput{Pins: global.PluginPins()})
		if err != nil {
			return err
		}
		if c.Bool("json") {
			if found == nil {
				found = []helper.PluginInfo{}
			}
			enc := json.NewEncoder(d.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(found)
		}
		tw := tabwriter.NewWriter(d.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tKIND\tPROTOCOL\tVERSION\tSERVICES\tSTATUS\tPATH")
		for _, p := range found {
			proto := "-"
			if p.Protocol > 0 {
				proto = fmt.Sprint(p.Protocol)
			}
			// Names are file names and the rest the plugin's own answers:
			// made safe, one line each, so the table holds.
			line := func(s string) string { return termsafe.Line(s, termsafe.MaxValue) }
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", line(p.Name), p.Kind, proto, line(dash(p.Version)),
				line(dash(servicesColumn(p.Services))), termsafe.Line(p.Status, termsafe.MaxMessage), termsafe.Line(p.Path, termsafe.MaxMessage))
		}
		return tw.Flush()
	}
	jsonFlag := &cli.BoolFlag{Name: "json", Usage: "print JSON"}
	return &cli.Command{
		Name:   "plugins",
		Usage:  "list the MFA providers and plugins (hooks, credential sources): built in, and found in the XDG data directories",
		Flags:  []cli.Flag{jsonFlag},
		Action: list,
		Subcommands: []*cli.Command{
			{Name: "list", Usage: "list the MFA providers and plugins with path, protocol version, services and status", Flags: []cli.Flag{jsonFlag}, Action: list},
		},
	}
}

// servicesColumn shows a plugin's services short: "mfa.v1,hooks.v1".
func servicesColumn(services []string) string {
	short := make([]string, len(services))
	for i, s := range services {
		short[i] = strings.TrimPrefix(s, "awsenv.")
	}
	return strings.Join(short, ",")
}

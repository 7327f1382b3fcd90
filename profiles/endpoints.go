package profiles

import (
	"strings"

	"github.com/awsenv/awsenv/profiles/awsini"
)

// ServiceEndpoints are the endpoint_url of each service in the profile's
// [services NAME] section, by service id in lower case (sts, iam), as the
// SDKs read a nested block:
//
//	[services local]
//	sts =
//	  endpoint_url = http://127.0.0.1:5000
func (c *Config) ServiceEndpoints(p *Profile) map[string]string {
	if p.Services == "" {
		return nil
	}
	section, ok := c.Services(p.Services)
	if !ok {
		return nil
	}
	var out map[string]string
	for id, value := range section {
		nested, ok := awsini.Nested(value)
		if !ok {
			continue
		}
		for k, v := range nested {
			if strings.EqualFold(k, "endpoint_url") && v != "" {
				if out == nil {
					out = map[string]string{}
				}
				out[strings.ToLower(id)] = v
			}
		}
	}
	return out
}

package diagnose

import (
	"strconv"
	"strings"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// Parse finds an AWS error in text someone pasted: the output of the aws
// CLI, of a program using the Go SDK, or of CloudFormation. It knows
//
//	An error occurred (CODE) when calling the OP operation: MESSAGE
//	operation error S3: ListBuckets, https response error StatusCode: 403, RequestID: ..., api error CODE: MESSAGE
//	API: sqs:CreateQueue Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied.
//	User: arn:aws:iam::...:user/alice is not authorized to perform: s3:ListAllMyBuckets ...
//
// When the text holds several, the last one wins: it is the one that
// stopped the command. Messages are returned as found, unredacted.
func Parse(text string) (*awsapi.APIError, bool) {
	var found *awsapi.APIError
	// A carriage return ends a line too: progress output redraws with it.
	for line := range strings.Lines(strings.ReplaceAll(text, "\r", "\n")) {
		line = strings.TrimRight(line, "\n")
		for _, parse := range []func(string) (*awsapi.APIError, bool){parseCLI, parseSDK, parseCFN, parseNotAuthorized, parseLogin, parseSource} {
			if e, ok := parse(line); ok {
				found = e
				break
			}
		}
	}
	return found, found != nil
}

const (
	cliMarker = "An error occurred ("
	sdkMarker = "api error "
)

func parseCLI(line string) (*awsapi.APIError, bool) {
	i := strings.Index(line, cliMarker)
	if i < 0 {
		return nil, false
	}
	rest := line[i+len(cliMarker):]
	j := strings.IndexByte(rest, ')')
	if j < 0 || !validCode(rest[:j]) {
		return nil, false
	}
	code := rest[:j]
	rest, ok := strings.CutPrefix(rest[j+1:], " when calling the ")
	if !ok {
		return nil, false
	}
	op := leading(rest, opChar)
	rest, ok = strings.CutPrefix(rest[len(op):], " operation")
	if op == "" || len(op) > 100 || !ok {
		return nil, false
	}
	// botocore adds " (reached max retries: 4)" after throttling.
	if strings.HasPrefix(rest, " (") {
		if k := strings.IndexByte(rest, ')'); k >= 0 {
			rest = rest[k+1:]
		}
	}
	msg, _ := strings.CutPrefix(rest, ":")
	return &awsapi.APIError{Operation: op, Code: code, Message: strings.TrimSpace(msg)}, true
}

func parseSDK(line string) (*awsapi.APIError, bool) {
	i := strings.LastIndex(line, sdkMarker)
	if i < 0 {
		return nil, false
	}
	rest := line[i+len(sdkMarker):]
	code := leading(rest, codeChar)
	if !validCode(code) || !strings.HasPrefix(rest[len(code):], ":") {
		return nil, false
	}
	e := &awsapi.APIError{Code: code, Message: strings.TrimSpace(rest[len(code)+1:])}
	head := line[:i]
	if k := strings.LastIndex(head, "operation error "); k >= 0 {
		if _, after, ok := strings.Cut(head[k+len("operation error "):], ": "); ok {
			if op := leading(after, opChar); len(op) <= 100 {
				e.Operation = op
			}
		}
	}
	if k := strings.LastIndex(head, "StatusCode: "); k >= 0 {
		if n, err := strconv.Atoi(leading(head[k+len("StatusCode: "):], digit)); err == nil && n < 1000 {
			e.HTTPStatus = n
		}
	}
	if k := strings.LastIndex(head, "RequestID: "); k >= 0 {
		id := leading(head[k+len("RequestID: "):], func(c byte) bool { return c != ',' && c != ' ' })
		if len(id) <= 200 {
			e.RequestID = id
		}
	}
	return e, true
}

// parseCFN reads CloudFormation's "API: service:Action ..." stack event
// reason, when it says access was denied.
func parseCFN(line string) (*awsapi.APIError, bool) {
	i := strings.Index(line, "API: ")
	if i < 0 {
		return nil, false
	}
	rest := line[i+len("API: "):]
	action := leading(rest, func(c byte) bool { return opChar(c) || c == ':' || c == '-' })
	svc, op, ok := strings.Cut(action, ":")
	if !ok || svc == "" || !validOp(op) || len(action) > 200 {
		return nil, false
	}
	if !deniedWords(rest[len(action):]) {
		return nil, false
	}
	return &awsapi.APIError{Operation: op, Code: "AccessDenied", Message: strings.TrimSpace(line[i:])}, true
}

// parseNotAuthorized reads a bare IAM denial, as tools other than the aws
// CLI print it: "User: ARN is not authorized to perform: svc:Action ...".
func parseNotAuthorized(line string) (*awsapi.APIError, bool) {
	const marker = "is not authorized to perform: "
	k := strings.Index(line, marker)
	if k < 0 {
		return nil, false
	}
	action := leading(line[k+len(marker):], func(c byte) bool { return opChar(c) || c == ':' || c == '-' })
	svc, op, ok := strings.Cut(action, ":")
	if !ok || svc == "" || !validOp(op) || len(action) > 200 {
		return nil, false
	}
	start := strings.LastIndex(line[:k], "User: ")
	if start < 0 {
		start = 0
	}
	return &awsapi.APIError{Operation: op, Code: "AccessDenied", Message: strings.TrimSpace(line[start:])}, true
}

func deniedWords(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "denied") || strings.Contains(l, "not authorized")
}

func codeChar(c byte) bool { return opChar(c) || c == '.' || c == '-' }
func opChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}
func digit(c byte) bool { return '0' <= c && c <= '9' }

// validCode: an error code is a short word of letters, digits, . _ -.
func validCode(s string) bool {
	if s == "" || len(s) > 100 || !opChar(s[0]) {
		return false
	}
	return leading(s, codeChar) == s
}

// validOp: an operation (API action) name is a word of letters, digits, _.
func validOp(s string) bool {
	return s != "" && len(s) <= 100 && leading(s, opChar) == s
}

// leading is the longest prefix of s whose bytes all satisfy ok.
func leading(s string, ok func(byte) bool) string {
	i := 0
	for i < len(s) && ok(s[i]) {
		i++
	}
	return s[:i]
}

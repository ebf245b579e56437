package ai

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// apiError is what an error body says, read liberally: OpenAI's
// {"error":{"message","type","param","code"}} (ErrorResponse in its OpenAPI description;
// param and code may be null), the same fields at the top level (some compatible
// servers), or {"error":"message"}. A field that is not a string is "".
type apiError struct {
	Message, Type, Param, Code string
}

// decodeError reads raw as an error body; the zero apiError when it is none.
func decodeError(raw []byte) apiError {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return apiError{}
	}
	if inner, ok := obj["error"]; ok {
		var nested map[string]json.RawMessage
		var message string
		switch {
		case json.Unmarshal(inner, &nested) == nil && nested != nil:
			obj = nested
		case json.Unmarshal(inner, &message) == nil:
			return apiError{Message: message}
		}
	}
	str := func(key string) string {
		var s string
		if v, ok := obj[key]; !ok || json.Unmarshal(v, &s) != nil {
			return ""
		}
		return s
	}
	return apiError{Message: str("message"), Type: str("type"), Param: str("param"), Code: str("code")}
}

// codeRE is what an error code may look like to be logged: a provider's error body may
// quote the request or a masked key, its code does not.
var codeRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,64}$`)

// paramRE is what a parameter's name may look like to be logged or shown to agents:
// "temperature", "response_format.type", "messages[0].role". The body's message quotes
// the request around it; only a name of this shape is taken from it.
var paramRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,40}(\[[0-9]{1,4}\])?(\.[A-Za-z_][A-Za-z0-9_]{0,40}(\[[0-9]{1,4}\])?){0,3}$`)

// unsupportedRE finds the parameter a message names as unsupported, as OpenAI words it:
// "Unsupported parameter: 'temperature' is not supported with this model." and
// "Unsupported value: 'temperature' does not support 0 with this model. ...".
var unsupportedRE = regexp.MustCompile("(?i)\\bunsupported (?:parameter|value)\\b[:\\s]{0,3}['\"`]([^'\"`]{1,64})['\"`]")

// unsupportedCodes are OpenAI's codes for a parameter, or a value of it, that the model
// does not support.
var unsupportedCodes = []string{"unsupported_parameter", "unsupported_value"}

// safeCode is the body's code (else its type) when it looks like one; else "".
func (e apiError) safeCode() string {
	for _, s := range []string{e.Code, e.Type} {
		if codeRE.MatchString(s) {
			return s
		}
	}
	return ""
}

// unsupported reports whether e says the model does not support a parameter of the
// request (or the value sent), and which one when it names it safely ("" when not). It
// is enough that the code says so, or the message in OpenAI's words, or that the body
// names a parameter and its message says "not supported".
func (e apiError) unsupported() (param string, ok bool) {
	m := unsupportedRE.FindStringSubmatch(e.Message)
	lower := strings.ToLower(e.Message)
	saysSo := strings.Contains(lower, "not supported") || strings.Contains(lower, "unsupported")
	switch {
	case slices.Contains(unsupportedCodes, strings.ToLower(e.Code)), slices.Contains(unsupportedCodes, strings.ToLower(e.Type)):
	case m != nil:
	case paramRE.MatchString(e.Param) && saysSo:
	default:
		return "", false
	}
	if paramRE.MatchString(e.Param) {
		return e.Param, true
	}
	if m != nil && paramRE.MatchString(m[1]) {
		return m[1], true
	}
	return "", true
}

// refusedParam is a refusal of a parameter the model does not support (or the value
// sent): OpenAI's reasoning models answer a temperature other than their default 400
// unsupported_value, and some any temperature 400 unsupported_parameter. Asking again
// the same way would fail the same way: it is always wrapped as permanent.
type refusedParam struct {
	param string // the parameter's name when the body names it safely; else ""
	code  string // the body's code (or type) when safe; else ""
	err   error  // the refusal, e.g. "ai: chat completions answered 400 (unsupported_value)"
}

func (e *refusedParam) Error() string {
	return fmt.Sprintf("%v: the model does not support %s", e.err, e.what())
}

func (e *refusedParam) Unwrap() error { return e.err }

// what names the refused parameter for people.
func (e *refusedParam) what() string {
	if e.param == "" {
		return "a parameter of the request"
	}
	return "the parameter " + e.param
}

// refusal is err, the endpoint's refusal (httpsrc.Classify), with what its body raw
// says: the provider's code in its text and, when the refusal is permanent and the body
// says the model does not support a parameter, a *refusedParam. Nothing else of the
// body is kept: its message may quote the request, or a masked key.
func refusal(err error, raw []byte) error {
	e := decodeError(raw)
	code := e.safeCode()
	if code != "" {
		err = withCode(err, code)
	}
	if !tickets.IsPermanent(err) {
		return err
	}
	if param, ok := e.unsupported(); ok {
		return tickets.Permanent(&refusedParam{param: param, code: code, err: unwrapOnce(err)})
	}
	return err
}

// withCode adds the provider's error code to err's text, keeping what err is (permanent,
// retry after, plain).
func withCode(err error, code string) error {
	if d, ok := tickets.RetryAfter(err); ok {
		return &tickets.RetryAfterError{After: d, Err: fmt.Errorf("%w (%s)", unwrapOnce(err), code)}
	}
	if tickets.IsPermanent(err) {
		return tickets.Permanent(fmt.Errorf("%w (%s)", unwrapOnce(err), code))
	}
	return fmt.Errorf("%w (%s)", err, code)
}

// unwrapOnce is what a PermanentError or RetryAfterError wraps.
func unwrapOnce(err error) error {
	if u, ok := err.(interface{ Unwrap() error }); ok {
		return u.Unwrap()
	}
	return err
}

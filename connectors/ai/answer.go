package ai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// parseAnswer reads the model's answer (a JSON object, possibly in a markdown code fence)
// as suggestions. It is strict: a field of the wrong type or out of range, or anything
// that is not one JSON object, rejects the whole answer. A field absent (or null) is left
// nil; other fields are ignored. Error texts never quote the answer.
func parseAnswer(content string) (tickets.DetailsChange, error) {
	var c tickets.DetailsChange
	raw := unfence(content)
	dec := json.NewDecoder(strings.NewReader(raw))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return c, errors.New("the content is not a JSON object")
	}
	if strings.TrimSpace(raw[dec.InputOffset():]) != "" {
		return c, errors.New("the content has more than one JSON object")
	}

	if v, ok := obj["title"]; ok && !isNull(v) {
		var title string
		if json.Unmarshal(v, &title) != nil {
			return c, errors.New("title is not a string")
		}
		title = strings.TrimSpace(title)
		switch {
		case title == "":
			return c, errors.New("title is empty")
		case strings.ContainsAny(title, "\r\n\u2028\u2029"):
			return c, errors.New("title is more than one line")
		case len(title) > tickets.MaxTitleBytes:
			return c, fmt.Errorf("title is %d bytes, more than %d", len(title), tickets.MaxTitleBytes)
		}
		c.Title = &title
	}
	if v, ok := obj["summary"]; ok && !isNull(v) {
		var summary string
		if json.Unmarshal(v, &summary) != nil {
			return c, errors.New("summary is not a string")
		}
		summary = strings.TrimSpace(summary)
		if len(summary) > maxSummaryBytes {
			return c, fmt.Errorf("summary is %d bytes, more than %d", len(summary), maxSummaryBytes)
		}
		if summary != "" { // an empty one would clear the summary the chat came with
			c.Summary = &summary
		}
	}
	if v, ok := obj["sentiment"]; ok && !isNull(v) {
		var s tickets.Sentiment
		if json.Unmarshal(v, &s) != nil {
			return c, errors.New("sentiment is not a string")
		}
		if !slices.Contains(tickets.Sentiments, s) {
			return c, errors.New("sentiment is not one of " + quoted(tickets.Sentiments))
		}
		c.Sentiment = &s
	}
	if v, ok := obj["urgency"]; ok && !isNull(v) {
		var u tickets.Urgency
		if json.Unmarshal(v, &u) != nil {
			return c, errors.New("urgency is not a string")
		}
		if !slices.Contains(tickets.Urgencies, u) {
			return c, errors.New("urgency is not one of " + quoted(tickets.Urgencies))
		}
		c.Urgency = &u
	}
	if v, ok := obj["tags"]; ok && !isNull(v) {
		var tags []string
		if json.Unmarshal(v, &tags) != nil {
			return c, errors.New("tags is not a list of strings")
		}
		if len(tags) > maxTags {
			return c, fmt.Errorf("%d tags are more than %d", len(tags), maxTags)
		}
		for i, tag := range tags {
			tag = strings.TrimSpace(tag)
			switch {
			case tag == "":
				return c, fmt.Errorf("tag %d is empty", i+1)
			case len(tag) > tickets.MaxTagBytes:
				return c, fmt.Errorf("tag %d is %d bytes, more than %d", i+1, len(tag), tickets.MaxTagBytes)
			}
			tags[i] = tag
		}
		if tags == nil {
			tags = []string{}
		}
		c.AITags = &tags
	}
	if c.Title == nil && c.Summary == nil && c.Sentiment == nil && c.Urgency == nil && c.AITags == nil {
		return c, errors.New("the answer suggests nothing")
	}
	return c, nil
}

// unfence is content without a markdown code fence around it (```json ... ```), if it has
// one, and without surrounding white space.
func unfence(content string) string {
	s := strings.TrimSpace(content)
	if !strings.HasPrefix(s, "```") {
		return s
	}
	first, rest, ok := strings.Cut(s, "\n")
	if !ok {
		return s
	}
	// The opening line is ``` and a language name at most.
	if lang := strings.TrimSpace(strings.TrimPrefix(first, "```")); strings.ContainsAny(lang, "{[\"` ") {
		return s
	}
	rest = strings.TrimSpace(rest)
	body, ok := strings.CutSuffix(rest, "```")
	if !ok {
		return s
	}
	return strings.TrimSpace(body)
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

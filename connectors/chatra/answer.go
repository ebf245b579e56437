package chatra

import (
	"bytes"
	"encoding/json"
	"strings"
)

// maxAnswerBytes bounds how much of Chatra's answer to POST /messages/ is read.
const maxAnswerBytes = 64 << 10

// sentID is the id of the new message in Chatra's answer to POST /messages/, "" when
// there is none. Chatra answers with the new message, whose id is what GET, PUT and
// DELETE /messages/{id} take (docs/chatra.md); the exact shape of the answer is not
// published, so it is read leniently: "id" (else "_id" or "messageId") at the top level,
// else under "message", "data" or "result"; a string or a number (as written).
func sentID(answer []byte) string {
	dec := json.NewDecoder(bytes.NewReader(answer))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return ""
	}
	root := obj(v)
	idKeys := []string{"id", "_id", "messageId"}
	if id := strings.TrimSpace(str(root, idKeys...)); id != "" {
		return id
	}
	for _, k := range []string{"message", "data", "result"} {
		if id := strings.TrimSpace(str(obj(root[k]), idKeys...)); id != "" {
			return id
		}
	}
	return ""
}

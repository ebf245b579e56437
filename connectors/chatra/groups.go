package chatra

import (
	"fmt"
	"strings"
)

// ParseGroups reads CHATRA_GROUPS, "groupId=Support Team,groupId2=Billing": Chatra group
// ids mapped to the labels of ticketing channels. White space around ids and labels is
// dropped, and so are empty pairs (a trailing comma). An error starts with the variable's
// name, as Config.Validate reports it, and names the pair at fault by its position, never
// by its text.
func ParseGroups(s string) (map[string]string, error) {
	groups := map[string]string{}
	first := map[string]int{}
	for i, pair := range strings.Split(s, ",") {
		n := i + 1
		if strings.TrimSpace(pair) == "" {
			continue
		}
		id, label, ok := strings.Cut(pair, "=")
		id, label = strings.TrimSpace(id), strings.TrimSpace(label)
		switch {
		case !ok:
			return nil, fmt.Errorf("CHATRA_GROUPS: pair %d is not groupId=label (no '=')", n)
		case id == "":
			return nil, fmt.Errorf("CHATRA_GROUPS: pair %d has no group id before '='", n)
		case label == "":
			return nil, fmt.Errorf("CHATRA_GROUPS: pair %d has no label after '='", n)
		}
		if p, dup := first[id]; dup {
			return nil, fmt.Errorf("CHATRA_GROUPS: pair %d repeats the group id of pair %d", n, p)
		}
		first[id] = n
		groups[id] = label
	}
	return groups, nil
}

package gladly

import (
	"testing"
)

// mergedID is the new id of testdata/customer_moved.json (Gladly's published 301 of
// getCustomer, https://developer.gladly.com/rest/#operation/getCustomer).
const (
	mergedOld = "OOrlNMXeS72gs_WEX2TtMg"
	mergedNew = "rVamfZHvQuORFnsk-3mNuw"
)

// TestProcessor_MergedCustomerFollowed: a customer merged into another answers 301 with
// the new id; the profile is read under it and the ticket carries it.
func TestProcessor_MergedCustomerFollowed(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		location string
	}{
		{"Meta", testdata(t, "customer_moved.json"), ""},
		{"LocationOnly", `{"errors":[{"attr":"customerId","code":"moved","detail":"customer id has changed"}]}`,
			"https://acme.gladly.com/api/v1/customer-profiles/" + mergedNew},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, f, tk := setupProcessor(t)
			f.Move(mergedOld, tc.body, tc.location)
			f.AddProfile(map[string]any{"id": mergedNew, "name": "Lena Vogel",
				"emails": []any{map[string]any{"original": "lena@example.org"}}})
			mustProcess(t, p, edited(t, "contact_message_received.json", map[string]any{"content.customerId": mergedOld}))
			all := tk.all()
			if len(all) != 1 {
				t.Fatalf("opened %d", len(all))
			}
			c := all[0].Customer
			if c.ID != mergedNew || c.Name != "Lena Vogel" || c.Email != "lena@example.org" {
				t.Errorf("customer = %+v, want the merged profile under %s", c, mergedNew)
			}
			want := []string{"GET /conversation-items/" + firstItem, "GET /customer-profiles/" + mergedOld, "GET /customer-profiles/" + mergedNew}
			if got := f.Called(); len(got) != 3 || got[1] != want[1] || got[2] != want[2] {
				t.Errorf("calls = %v, want %v", got, want)
			}
		})
	}
	t.Run("Loop", func(t *testing.T) {
		// Two ids naming each other: followed a few times, then the ticket opens with the
		// id alone rather than looping.
		p, f, tk := setupProcessor(t)
		f.Move(mergedOld, `{"errors":[{"code":"moved","meta":{"old":"`+mergedOld+`","new":"`+mergedNew+`"}}]}`, "")
		f.Move(mergedNew, `{"errors":[{"code":"moved","meta":{"old":"`+mergedNew+`","new":"`+mergedOld+`"}}]}`, "")
		mustProcess(t, p, edited(t, "contact_message_received.json", map[string]any{"content.customerId": mergedOld}))
		if all := tk.all(); len(all) != 1 || all[0].Customer.Name != "" || all[0].Customer.ID == "" {
			t.Errorf("opened %+v", all)
		}
		if n := len(f.Called()); n != 1+1+maxMoves {
			t.Errorf("%d calls, want %d", n, 2+maxMoves)
		}
	})
}

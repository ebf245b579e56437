package chatra

import (
	"testing"
	"time"
)

func TestMessageTime(t *testing.T) {
	now := time.Date(2025, 11, 20, 18, 10, 0, 0, time.UTC)
	at := time.Date(2025, 11, 20, 18, 4, 11, 0, time.UTC)
	tests := []struct {
		name, in string
		want     time.Time
	}{
		{"Milliseconds", "1763661851000", at},          // Chatra's createdAt
		{"MillisecondsExponent", "1.763661851e12", at}, // a JSON number as written
		{"MillisecondsFraction", "1763661851000.9", at},
		{"Seconds", "1763661851", at},
		{"SecondsFraction", "1763661851.5", at.Add(500 * time.Millisecond)},
		{"RFC3339", "2025-11-20T18:04:11Z", at},
		{"RFC3339Offset", "2025-11-20T19:04:11+01:00", at},
		{"Spaces", " 1763661851000 ", at},
		{"AheadWithinSkew", "1763662260000", now.Add(time.Minute)},
		{"Empty", "", time.Time{}},
		{"Text", "yesterday", time.Time{}},
		{"Zero", "0", time.Time{}},
		{"Negative", "-1763661851000", time.Time{}},
		{"NaN", "NaN", time.Time{}},
		{"Huge", "1e400", time.Time{}},
		{"Before2010", "946684800000", time.Time{}},
		{"FarAhead", "1763662800000", time.Time{}}, // 10 minutes after now
		{"Boolean", "true", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := messageTime(tt.in, now)
			if !got.Equal(tt.want) || (!got.IsZero() && got.Location() != time.UTC) {
				t.Errorf("messageTime(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

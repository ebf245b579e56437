package storetest

import (
	"sync"
	"testing"
	"time"
)

func testNotes(t *testing.T, start starter) {
	t.Run("NoteAndNoted", func(t *testing.T) {
		s := start(t)
		if v, found, err := s.Noted(s.ctx, "scope", "a"); err != nil || found || v != "" {
			t.Fatalf("Noted of nothing = %q, %v, %v", v, found, err)
		}
		for _, v := range []string{"one", "two"} {
			if err := s.Note(s.ctx, "scope", "a", v, time.Hour); err != nil {
				t.Fatal(err)
			}
			if got, found, err := s.Noted(s.ctx, "scope", "a"); err != nil || !found || got != v {
				t.Fatalf("Noted = %q, %v, %v; want %q", got, found, err, v)
			}
		}
		// Scopes and ids are apart.
		if _, found, _ := s.Noted(s.ctx, "other", "a"); found {
			t.Error("a note of one scope is found in another")
		}
		if _, found, _ := s.Noted(s.ctx, "scope", "b"); found {
			t.Error("a note of one id is found under another")
		}
		// An empty value forgets it.
		if err := s.Note(s.ctx, "scope", "a", "", time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := s.Noted(s.ctx, "scope", "a"); found {
			t.Error("a forgotten note is still found")
		}
	})

	t.Run("NoteFirst", func(t *testing.T) {
		s := start(t)
		if v, err := s.NoteFirst(s.ctx, "scope", "a", "mine", time.Hour); err != nil || v != "mine" {
			t.Fatalf("NoteFirst of nothing = %q, %v", v, err)
		}
		if v, err := s.NoteFirst(s.ctx, "scope", "a", "theirs", time.Hour); err != nil || v != "mine" {
			t.Fatalf("NoteFirst over a note = %q, %v; want the note kept", v, err)
		}
		if v, _, _ := s.Noted(s.ctx, "scope", "a"); v != "mine" {
			t.Fatalf("after NoteFirst lost: %q", v)
		}
		// Of many at once, one keeps its value and all get it.
		var wg sync.WaitGroup
		got := make([]string, 20)
		for i := range got {
			wg.Go(func() {
				v, err := s.NoteFirst(s.ctx, "race", "x", string(rune('a'+i)), time.Hour)
				if err != nil {
					t.Error(err)
				}
				got[i] = v
			})
		}
		wg.Wait()
		for _, v := range got {
			if v != got[0] {
				t.Fatalf("racing NoteFirst calls got %q", got)
			}
		}
	})
}

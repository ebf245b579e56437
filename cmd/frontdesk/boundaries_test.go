package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/frontdeskhq/frontdesk"

// listedPackage is the part of `go list -json` output the boundary rules read.
type listedPackage struct {
	ImportPath string
	Standard   bool
	Deps       []string // every package it imports, directly or not
}

// TestImportBoundaries keeps the dependency direction of docs/architecture.md ("Packages
// and their rules"): tickets imports only the standard library (its test-support
// subpackages, such as tickets/storetest, tickets too); bot imports neither store
// nor connectors; a connector imports neither bot, store nor another connector; store
// imports neither bot nor connectors; nothing imports cmd. A package that does not exist yet has nothing to break.
func TestImportBoundaries(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-json", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if !slices.ContainsFunc(pkgs, func(p listedPackage) bool { return p.ImportPath == module+"/tickets" }) {
		t.Fatal("go list did not list the tickets package; the rules would check nothing")
	}
	for _, v := range checkBoundaries(pkgs) {
		t.Error(v)
	}
}

// checkBoundaries returns one line per broken rule. Dependencies of a package are looked
// up in pkgs to tell the standard library from the rest; one that is missing counts as
// not standard.
func checkBoundaries(pkgs []listedPackage) []string {
	standard := map[string]bool{}
	for _, p := range pkgs {
		standard[p.ImportPath] = p.Standard
	}
	var broken []string
	for _, p := range pkgs {
		rel, ok := relPath(p.ImportPath)
		if !ok {
			continue // the standard library or another module
		}
		for _, dep := range p.Deps {
			if within(rel, "tickets") {
				switch {
				case standard[dep]:
				case ticketsTestSupport(rel):
					if dep != module+"/tickets" {
						broken = append(broken, p.ImportPath+" imports "+dep+": a tickets test package may import only tickets and the standard library")
					}
				default:
					broken = append(broken, p.ImportPath+" imports "+dep+": tickets may import only the standard library")
				}
				continue
			}
			depRel, own := relPath(dep)
			switch {
			case !own:
			case within(depRel, "cmd"):
				broken = append(broken, p.ImportPath+" imports "+dep+": nothing may import cmd")
			case within(rel, "bot") && (within(depRel, "store") || within(depRel, "connectors")):
				broken = append(broken, p.ImportPath+" imports "+dep+": bot may import neither store nor connectors")
			case within(rel, "store") && (within(depRel, "bot") || within(depRel, "connectors")):
				broken = append(broken, p.ImportPath+" imports "+dep+": store may import neither bot nor connectors")
			case connector(rel) != "" && (within(depRel, "bot") || within(depRel, "store")):
				broken = append(broken, p.ImportPath+" imports "+dep+": a connector may import neither bot nor store")
			case connector(rel) != "" && connector(depRel) != "" && connector(depRel) != connector(rel) && !sharedByConnectors(depRel):
				broken = append(broken, p.ImportPath+" imports "+dep+": a connector may not import another connector")
			}
		}
	}
	return broken
}

// relPath returns path relative to the module ("tickets", "connectors/chatra/chatratest")
// and whether it is in the module at all.
func relPath(path string) (string, bool) {
	if path == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, module+"/")
	return rel, ok
}

// within reports whether rel is dir or below it.
func within(rel, dir string) bool {
	return rel == dir || strings.HasPrefix(rel, dir+"/")
}

// connector returns the name of the connector rel belongs to ("chatra" for
// connectors/chatra/chatratest), or "" when rel is not inside one. connectors/internal
// is not a connector: it is the plumbing connectors share (and Go lets only them import
// it); it is held to a connector's rules, so it cannot smuggle in bot, store or a connector.
func connector(rel string) string {
	rest, ok := strings.CutPrefix(rel, "connectors/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// ticketsTestSupport reports whether rel is a test-support package of tickets, one
// directly under it whose name ends in "test" (tickets/storetest): the Store's contract
// suite and in-memory Store, for tests only, need the tickets types.
func ticketsTestSupport(rel string) bool {
	name, ok := strings.CutPrefix(rel, "tickets/")
	return ok && !strings.Contains(name, "/") && strings.HasSuffix(name, "test")
}

// sharedByConnectors reports whether rel is connectors/internal or below it.
func sharedByConnectors(rel string) bool { return within(rel, "connectors/internal") }

func TestCheckBoundaries(t *testing.T) {
	m := func(rel string) string { return module + "/" + rel }
	std := func(path string) listedPackage { return listedPackage{ImportPath: path, Standard: true} }
	base := []listedPackage{
		std("context"), std("net/http"),
		{ImportPath: "github.com/redis/go-redis/v9"},
		{ImportPath: "github.com/slack-go/slack"},
		{ImportPath: m("tickets"), Deps: []string{"context"}},
		{ImportPath: m("tickets/storetest"), Deps: []string{"context", m("tickets")}},
		{ImportPath: m("store"), Deps: []string{"context", "github.com/redis/go-redis/v9", m("tickets")}},
		{ImportPath: m("store/redistest"), Deps: []string{m("store"), m("tickets")}},
		{ImportPath: m("bot"), Deps: []string{"github.com/slack-go/slack", m("tickets")}},
		{ImportPath: m("bot/slacktest"), Deps: []string{m("bot"), m("tickets")}},
		{ImportPath: m("connectors"), Deps: []string{m("connectors/chatra"), m("tickets")}},
		{ImportPath: m("connectors/chatra"), Deps: []string{"net/http", m("connectors/internal/httpsrc"), m("tickets")}},
		{ImportPath: m("connectors/internal/httpsrc"), Deps: []string{"net/http", m("tickets")}},
		{ImportPath: m("connectors/chatra/chatratest"), Deps: []string{m("connectors/chatra"), m("tickets")}},
		{ImportPath: m("connectors/vitally"), Deps: []string{m("tickets")}},
		{ImportPath: m("cmd/frontdesk"), Deps: []string{m("bot"), m("store"), m("connectors"), m("tickets")}},
	}
	if broken := checkBoundaries(base); len(broken) != 0 {
		t.Fatalf("the allowed layout breaks rules: %q", broken)
	}

	for _, tc := range []struct {
		name     string
		pkg, dep string
		want     string
	}{
		{name: "TicketsImportsThirdParty", pkg: m("tickets"), dep: "github.com/redis/go-redis/v9", want: "only the standard library"},
		{name: "TicketsImportsUnlisted", pkg: m("tickets"), dep: "example.com/unknown", want: "only the standard library"},
		{name: "TicketsImportsOwnPackage", pkg: m("tickets"), dep: m("store"), want: "only the standard library"},
		{name: "TicketsTestImportsStore", pkg: m("tickets/storetest"), dep: m("store"), want: "only tickets and the standard library"},
		{name: "TicketsTestImportsThirdParty", pkg: m("tickets/storetest"), dep: "github.com/redis/go-redis/v9", want: "only tickets and the standard library"},
		{name: "BotImportsStore", pkg: m("bot"), dep: m("store"), want: "bot may import neither"},
		{name: "BotTestImportsConnector", pkg: m("bot/slacktest"), dep: m("connectors/chatra"), want: "bot may import neither"},
		{name: "ConnectorImportsBot", pkg: m("connectors/chatra"), dep: m("bot"), want: "neither bot nor store"},
		{name: "ConnectorImportsStore", pkg: m("connectors/vitally"), dep: m("store/redistest"), want: "neither bot nor store"},
		{name: "ConnectorImportsConnector", pkg: m("connectors/vitally"), dep: m("connectors/chatra"), want: "another connector"},
		{name: "SharedImportsConnector", pkg: m("connectors/internal/httpsrc"), dep: m("connectors/chatra"), want: "another connector"},
		{name: "SharedImportsStore", pkg: m("connectors/internal/httpsrc"), dep: m("store"), want: "neither bot nor store"},
		{name: "ConnectorTestImportsConnector", pkg: m("connectors/chatra/chatratest"), dep: m("connectors/vitally"), want: "another connector"},
		{name: "StoreImportsBot", pkg: m("store"), dep: m("bot"), want: "store may import neither"},
		{name: "ImportsCmd", pkg: m("bot"), dep: m("cmd/frontdesk"), want: "nothing may import cmd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkgs := slices.Clone(base)
			for i, p := range pkgs {
				if p.ImportPath == tc.pkg {
					pkgs[i].Deps = append(slices.Clone(p.Deps), tc.dep)
				}
			}
			broken := checkBoundaries(pkgs)
			if len(broken) != 1 || !strings.Contains(broken[0], tc.want) || !strings.Contains(broken[0], tc.dep) {
				t.Errorf("checkBoundaries = %q, want one line about %s saying %q", broken, tc.dep, tc.want)
			}
		})
	}
}

// TestProductionBinaryLinksNoTestCode: the binary operators run (built without the demo
// tag) links neither the testing package, nor a test-support package of ours (the Slack
// simulator, the fakes of vendors, storetest), nor miniredis: those are the demo's and the
// tests' alone.
func TestProductionBinaryLinksNoTestCode(t *testing.T) {
	deps := func(tags ...string) []string {
		args := append([]string{"list", "-deps"}, tags...)
		cmd := exec.Command("go", append(args, "./")...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, stderr.String())
		}
		return strings.Fields(string(out))
	}
	for _, dep := range deps() {
		rel, own := relPath(dep)
		switch {
		case dep == "testing", strings.HasPrefix(dep, "github.com/alicebob/miniredis"):
			t.Errorf("the production binary links %s", dep)
		case own && testSupport(rel):
			t.Errorf("the production binary links %s, a test-support package", dep)
		}
	}
	// The check can fail: the demo build links the simulator.
	if !slices.Contains(deps("-tags", "demo"), module+"/bot/slacktest") {
		t.Error("the demo build does not link bot/slacktest; is the demo still built with the demo tag?")
	}
}

// testSupport reports whether rel is one of our packages for tests: its last element ends
// in "test" (slacktest, chatratest, storetest, redistest).
func testSupport(rel string) bool {
	return strings.HasSuffix(rel[strings.LastIndexByte(rel, '/')+1:], "test")
}

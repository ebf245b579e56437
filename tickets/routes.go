package tickets

import (
	"slices"
	"sort"
)

// Route is what an event is routed to consumer groups by: its type, and for a message its
// direction ("message/customer"). The store appends each outbox event only to the streams
// of the groups that want its route (Routes), in the same atomic step as the change, so a
// group never reads, acknowledges or decodes an event it has no use for.
type Route string

// RouteOf is ev's route.
func RouteOf(ev Event) Route {
	if (ev.Type == EventMessage || ev.Type == EventChanged) && ev.Message != nil {
		return Route(string(ev.Type) + "/" + string(ev.Message.Direction))
	}
	return Route(ev.Type)
}

// EventTypes are the types of the outbox's events (EventInbound, which the inbound queue
// carries, is not one of them).
var EventTypes = []EventType{EventOpened, EventPicked, EventTransferred, EventClosed, EventRemind, EventRated,
	EventSLA, EventArchive, EventUpdated, EventSynced, EventMessage, EventChanged, EventDelivered, EventFailed,
	EventClock, EventSLAAlert, EventPolicy, EventStatus, EventWake, EventReopened}

// Directions are the directions a message may have.
var Directions = []Direction{FromCustomer, FromAgent, Internal, FromSourceAgent, Notice}

// AllRoutes are the routes of every event the outbox may carry: each type, and each
// message direction.
func AllRoutes() []Route {
	routes := make([]Route, 0, len(EventTypes)+len(Directions))
	for _, t := range EventTypes {
		routes = append(routes, Route(t))
		if t == EventMessage || t == EventChanged {
			for _, d := range Directions {
				routes = append(routes, RouteOf(Event{Type: t, Message: &Message{Direction: d}}))
			}
		}
	}
	return routes
}

// Routes says which consumer groups want the events of each route: every route of
// AllRoutes is a key, its groups sorted (none: nobody acts on such events).
type Routes map[Route][]string

// Groups are the consumer groups that want ev.
func (r Routes) Groups(ev Event) []string { return r[RouteOf(ev)] }

// Routes returns, for every route, the consumer groups of Handlers whose handler may act
// on its events (Interests).
func (s *Service) Routes() Routes {
	return routesOf(s.Interests())
}

func routesOf(interests map[string]func(Event) bool) Routes {
	groups := make([]string, 0, len(interests))
	for g := range interests {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	rs := Routes{}
	for _, route := range AllRoutes() {
		ev := route.Event()
		rs[route] = []string{}
		for _, g := range groups {
			if interests[g](ev) {
				rs[route] = append(rs[route], g)
			}
		}
	}
	return rs
}

// Event is an event of route r, with nothing but its type and direction.
func (r Route) Event() Event {
	for _, t := range EventTypes {
		if Route(t) == r {
			return Event{Type: t}
		}
	}
	for _, t := range []EventType{EventMessage, EventChanged} {
		for _, d := range Directions {
			ev := Event{Type: t, Message: &Message{Direction: d}}
			if RouteOf(ev) == r {
				return ev
			}
		}
	}
	return Event{Type: EventType(r)}
}

// Interests returns, for each consumer group of Handlers, whether its handler may act on
// an event, told by its route alone (type and message direction): for other events the
// handler returns nil, whatever they carry and without reading anything. Routes is built
// from it.
func (s *Service) Interests() map[string]func(Event) bool {
	in := func(types ...EventType) func(Event) bool {
		return func(ev Event) bool { return slices.Contains(types, ev.Type) }
	}
	is := map[string]func(Event) bool{GroupSource: sourceActsOn}
	if s.desk != nil {
		is[GroupDesk], is[GroupMarks] = deskActsOn, in(marksTypes...)
		is[GroupSLA] = in(slaTypes...)
	}
	for _, c := range consumersOf(s.sinks, s.enrich) {
		if filter, ok := c.(EventFilter); ok {
			is[SinkGroupPrefix+c.Name()] = func(ev Event) bool { return filter.Wants(ev.Type) }
		} else {
			is[SinkGroupPrefix+c.Name()] = func(Event) bool { return true }
		}
	}
	return is
}
